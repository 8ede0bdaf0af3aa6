/**
 * Document 001, segment cluster profiles: every cluster of a segmentation described by
 * `profileClusters` (statistics per feature, categorical distributions, TF-IDF top categories,
 * differentiating features, nearest cluster) and by `describeSegments` (names, personas, KPIs).
 *
 * Two request shapes (docs/documents.md, "EchoIntel compatibility"):
 * - **general** (the engine issue): customers with any numeric `features` and categorical
 *   `attributes`; labels given, read from a stored run, or computed here by `autoSegment` on the
 *   z-scored features;
 * - **EchoIntel 4.1.11**: customers with `frequency`, `amount_spent` and `product_types`, and
 *   their labels; answered with the reference's `cluster_profiles` plus the richer profiles.
 *
 * Customer ids are compared as strings (`7` and `"7"` are the same customer), as the labels'
 * keys of a JSON object are strings.
 */
import type { ProgressEvent } from "../../compute/auto.ts";
import type { ComputeBackend } from "../../compute/backend.ts";
import { type Matrix, matrix } from "../../compute/matrix.ts";
import { round } from "../../compute/numbers.ts";
import { standardize } from "../../compute/standardize.ts";
import { columnsFromRecords } from "../datasets/records.ts";
import type { Dataset } from "../datasets/types.ts";
import { refuseOutOfRange } from "../datasets/mod.ts";
import {
  describeSegments,
  type Language,
  type SegmentNarrative,
} from "../description/narrative.ts";
import {
  type CategoricalColumn,
  type ClusterProfiles,
  profileClusters,
} from "../description/profile.ts";
import { selectionWhy } from "../description/selection_text.ts";
import { ALGORITHM_NAMES, MIN_CUSTOMERS } from "./purchasing.ts";
import { segmentColumns } from "./segment_columns.ts";

/** Where the labels of a run came from. */
export type LabelsSource = "request" | "run" | "computed";

/**
 * The customers of a stored run whose data the service keeps (a run of the analyst's workflow
 * or of `POST /api/clusters/run`, whose body names its dataset and holds `run.ids` and
 * `run.labels` in row order), as document 001's general shape: each row of `dataset` one
 * customer, its numeric columns the features (a missing value is the column's median, so every
 * customer has every feature), its categorical columns the attributes (a missing one is
 * `MISSING_ATTRIBUTE`), its id the dataset's id (`Dataset.ids`); and the run's label of each.
 * Null when the run holds no row labels, or when they do not name every row of `dataset`.
 *
 * @example
 * ```ts
 * import { runCustomers } from "./profile_request.ts";
 * console.assert(runCustomers({ response: {} }, {} as never) === null);
 * ```
 */
export function runCustomers(
  runBody: unknown,
  dataset: Dataset,
): { data: GeneralCustomer[]; labels: Int32Array } | null {
  const run = (runBody as { run?: { ids?: unknown; labels?: unknown } } | null)?.run;
  const ids: unknown = run?.ids;
  const rowLabels: unknown = run?.labels;
  if (!Array.isArray(ids) || !Array.isArray(rowLabels) || ids.length !== rowLabels.length) {
    return null;
  }
  const byId = new Map<string, number>();
  ids.forEach((id, i) => byId.set(String(id), Number(rowLabels[i])));
  const labels = new Int32Array(dataset.rowCount);
  for (let row = 0; row < dataset.rowCount; row++) {
    const label = byId.get(dataset.ids[row]!);
    if (label === undefined || !Number.isInteger(label)) return null;
    labels[row] = label;
  }
  const idColumn = dataset.columnMap.customer_id;
  const numeric = dataset.columns.flatMap((c) =>
    c.kind === "numeric" && c.name !== idColumn ? [{ name: c.name, values: filled(c.values) }] : []
  );
  const categorical = dataset.columns.flatMap((c) =>
    c.kind === "categorical" && c.name !== idColumn ? [c] : []
  );
  const data = Array.from({ length: dataset.rowCount }, (_, row): GeneralCustomer => ({
    customer_id: dataset.ids[row]!,
    features: Object.fromEntries(numeric.map((c) => [c.name, c.values[row]!])),
    ...(categorical.length > 0
      ? {
        attributes: Object.fromEntries(
          categorical.map((c) => [c.name, c.values[row] ?? MISSING_ATTRIBUTE]),
        ),
      }
      : {}),
  }));
  return { data, labels };
}

/** `values` with each NaN replaced by the median of the others (0 when all are NaN). */
function filled(values: Float64Array): Float64Array {
  const present = values.filter((v) => !Number.isNaN(v)).sort();
  if (present.length === values.length) return values;
  const mid = present.length >> 1;
  const median = present.length === 0
    ? 0
    : present.length % 2
    ? present[mid]!
    : (present[mid - 1]! + present[mid]!) / 2;
  return values.map((v) => Number.isNaN(v) ? median : v);
}

/** One customer of the general shape. */
export interface GeneralCustomer {
  customer_id: string | number;
  features: Record<string, number>;
  attributes?: Record<string, string>;
}

/** One customer of the EchoIntel 4.1.11 shape. */
export interface EchoCustomer {
  id: string | number;
  frequency: number;
  amount_spent: number;
  product_types: string[];
}

/** Options of the general shape. */
export interface GeneralOptions {
  max_clusters?: number;
  random_state?: number;
}

/** The value of an attribute a customer does not have. */
export const MISSING_ATTRIBUTE = "unknown";

/** The numeric features of the EchoIntel shape, in profile order. */
export const ECHO_FEATURES = ["frequency", "amount_spent", "n_product_types"] as const;

/**
 * The label of every customer, in order, from a map of customer id → cluster id.
 *
 * @throws {RangeError} naming the first customer without a label (and its index under `field`).
 */
export function assignLabels(
  ids: readonly (string | number)[],
  labels: ReadonlyMap<string, number>,
  field: string,
): Int32Array {
  const out = new Int32Array(ids.length);
  ids.forEach((id, i) => {
    const l = labels.get(String(id));
    if (l === undefined) {
      throw new RangeError(
        `No label for customer "${String(id)}" (${field}.${i}); every customer needs a cluster id`,
      );
    }
    out[i] = l;
  });
  return out;
}

/** A request's `labels` object as a map (keys are customer ids, never renamed). */
export function labelsFromRecord(labels: Record<string, number>): Map<string, number> {
  return new Map(Object.entries(labels));
}

/**
 * The customer labels of a stored run's body: a `customer_labels` list (document 000's runs, ours)
 * or a `labels` object (reference 4.1.7), at the top or under `response`. Null when it has none.
 */
export function labelsFromRun(body: unknown): Map<string, number> | null {
  const places = [body, (body as { response?: unknown } | null)?.response];
  for (const place of places) {
    if (place === null || typeof place !== "object") continue;
    const rec = place as { customer_labels?: unknown; labels?: unknown };
    if (Array.isArray(rec.customer_labels)) {
      const map = new Map<string, number>();
      for (const item of rec.customer_labels) {
        const { customer_id, cluster_id } = (item ?? {}) as Record<string, unknown>;
        if (
          (typeof customer_id === "string" || typeof customer_id === "number") &&
          Number.isInteger(cluster_id)
        ) map.set(String(customer_id), cluster_id as number);
      }
      return map;
    }
    if (rec.labels !== null && typeof rec.labels === "object" && !Array.isArray(rec.labels)) {
      const map = new Map<string, number>();
      for (const [id, l] of Object.entries(rec.labels as Record<string, unknown>)) {
        if (Number.isInteger(l)) map.set(id, l as number);
      }
      return map;
    }
  }
  return null;
}

/** What both shapes return besides their own fields. */
export interface ProfilesResult {
  n_customers: number;
  n_clusters: number;
  feature_names: string[];
  profiles: ClusterProfiles;
  segments: SegmentNarrative[];
  labels: Int32Array;
}

/**
 * Profiles the general shape. Without `labels`, segments first with the one pipeline
 * (`segmentColumns` on the numeric features, k up to `max_clusters`, default 10, and n − 1),
 * and reports the chosen algorithm.
 *
 * @throws {RangeError} when segmenting fewer than `MIN_CUSTOMERS` customers or when no candidate
 *   is usable; when the labels do not fit the data.
 */
export async function profileGeneral(
  data: readonly GeneralCustomer[],
  labels: Int32Array | null,
  options: GeneralOptions,
  backend: ComputeBackend,
  language: Language,
  onProgress?: (p: ProgressEvent) => void,
): Promise<ProfilesResult & { segmentation: Record<string, unknown> | null }> {
  const progress = onProgress ?? (() => {});
  const n = data.length;
  const names = Object.keys(data[0]!.features);
  const d = names.length;
  const raw = featureMatrix(data, names);
  const numeric = names.map((name, j) => {
    const values = new Float64Array(n);
    for (let i = 0, at = j; i < n; i++, at += d) values[i] = raw[at]!;
    return { name, values };
  });
  numeric.forEach(refuseOutOfRange);
  let segmentation: Record<string, unknown> | null = null;
  let standardized: Matrix | null = null;
  if (!labels) {
    if (n < MIN_CUSTOMERS) {
      throw new RangeError(
        `Expected at least ${MIN_CUSTOMERS} customers to segment in data but found ${n}`,
      );
    }
    const seg = await segmentColumns(columnsFromRecords(data.map((c) => c.features)), {
      maxClusters: options.max_clusters ?? 10,
      randomState: options.random_state ?? 0,
      profile: { numeric },
      onProgress: progress,
    }, backend);
    labels = seg.labels;
    standardized = seg.pre.x;
    segmentation = {
      algorithm: ALGORITHM_NAMES[seg.auto.best.algorithm],
      n_clusters: seg.auto.best.k,
      why: selectionWhy(seg.auto.whyReason, language),
      preprocessing: seg.pre.report,
    };
  }
  // With labels given nothing is fitted: reading, then straight to the profiles.
  if (segmentation === null) {
    progress({ stage: "preprocess" });
    progress({ stage: "profiles" });
  }
  const attributeNames = [...new Set(data.flatMap((c) => Object.keys(c.attributes ?? {})))];
  const categorical: CategoricalColumn[] = attributeNames.map((name) => ({
    name,
    values: data.map((c) => c.attributes?.[name] ?? MISSING_ATTRIBUTE),
  }));
  const profiles = profileClusters({
    labels,
    numeric,
    categorical,
    standardized: standardized ?? standardize(matrix(Float32Array.from(raw), n, d)).z,
  });
  progress({ stage: "narratives" });
  const segments = describeSegments(profiles, { language });
  return {
    n_customers: n,
    n_clusters: profiles.n_clusters,
    feature_names: names,
    profiles,
    segments,
    labels,
    segmentation,
  };
}

/**
 * The customers' `names` features, row-major. Records written alike list their features in one
 * order: those are read by position (`Object.values`), the others by name.
 */
function featureMatrix(data: readonly GeneralCustomer[], names: readonly string[]): Float64Array {
  const n = data.length, d = names.length;
  const raw = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const features = data[i]!.features;
    const keys = Object.keys(features);
    let sameOrder = keys.length === d;
    for (let j = 0; sameOrder && j < d; j++) sameOrder = keys[j] === names[j];
    if (sameOrder) {
      const values = Object.values(features);
      for (let j = 0; j < d; j++) raw[i * d + j] = values[j]!;
    } else {
      for (let j = 0; j < d; j++) raw[i * d + j] = features[names[j]!]!;
    }
  }
  return raw;
}

/** One entry of the reference's `cluster_profiles`. */
export interface EchoClusterProfile {
  cluster_id: number;
  n_customers: number;
  avg_spend: number;
  median_spend: number;
  avg_frequency: number;
  top_categories: string;
  share_of_revenue_pct: number;
  insight: string;
}

const NOISE_INSIGHT: Record<Language, string> = {
  en: "Customers not assigned to any segment (noise).",
  es: "Clientes no asignados a ningún segmento (ruido).",
  pt: "Clientes não atribuídos a nenhum segmento (ruído).",
};

/**
 * Profiles the EchoIntel 4.1.11 shape with the given labels (one per customer, in order):
 * `cluster_profiles` ordered by cluster id (noise, −1, first when present), spend in the units
 * of `amount_spent`, `top_categories` the five most distinctive product types by TF-IDF of the
 * cluster against the others, comma-joined, and `share_of_revenue_pct` = 100 × the cluster's
 * spend / the total (0 for every cluster when nobody spent anything).
 */
export function profileEcho(
  customers: readonly EchoCustomer[],
  labels: Int32Array,
  language: Language,
): ProfilesResult & { cluster_profiles: EchoClusterProfile[] } {
  const n = customers.length;
  const columns = {
    frequency: Float64Array.from(customers, (c) => c.frequency),
    amount_spent: Float64Array.from(customers, (c) => c.amount_spent),
    n_product_types: Float64Array.from(customers, (c) => new Set(c.product_types).size),
  };
  for (const [name, values] of Object.entries(columns)) refuseOutOfRange({ name, values });
  const profiles = profileClusters({
    labels,
    numeric: ECHO_FEATURES.map((name) => ({ name, values: columns[name] })),
    categorical: [{ name: "product_types", values: customers.map((c) => c.product_types) }],
  }, { topCategories: 5 });
  const segments = describeSegments(profiles, {
    language,
    roles: { frequency: "frequency", amount_spent: "spend", n_product_types: "diversity" },
    revenueFeature: "amount_spent",
  });
  const spend = new Map<number, number>();
  let total = 0;
  for (let i = 0; i < n; i++) {
    const v = customers[i]!.amount_spent;
    spend.set(labels[i]!, (spend.get(labels[i]!) ?? 0) + v);
    total += v;
  }
  const byId = new Map(segments.map((s) => [s.cluster_id, s]));
  const groups = profiles.noise ? [profiles.noise, ...profiles.clusters] : profiles.clusters;
  const cluster_profiles = groups.map((g): EchoClusterProfile => {
    const s = byId.get(g.cluster_id);
    const amount = g.features.amount_spent!;
    return {
      cluster_id: g.cluster_id,
      n_customers: g.size,
      avg_spend: round(amount.mean, 2),
      median_spend: round(amount.median, 2),
      avg_frequency: round(g.features.frequency!.mean, 2),
      top_categories: (g.top_categories.product_types ?? []).map((t) => t.level).join(", "),
      share_of_revenue_pct: total > 0 ? round(100 * spend.get(g.cluster_id)! / total, 2) : 0,
      insight: s ? insightOf(s) : NOISE_INSIGHT[language],
    };
  });
  return {
    n_customers: n,
    n_clusters: profiles.n_clusters,
    feature_names: [...ECHO_FEATURES],
    profiles,
    segments,
    labels,
    cluster_profiles,
  };
}

/** "Name: persona label." as one short sentence. */
function insightOf(s: SegmentNarrative): string {
  const label = s.persona_label.trim().replace(/[.!]+$/, "");
  return `${s.name}: ${label}.`;
}
