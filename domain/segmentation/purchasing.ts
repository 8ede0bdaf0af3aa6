/**
 * Document 000, `POST /api/v1/ai/purchasing_segmentation`: customers described by six
 * purchasing features go through the one pipeline (`segment_columns.ts`: skewed money columns
 * log-scaled unless the request turns it off, KMeans, Gaussian Mixture, Ward and DBSCAN, every
 * candidate scored, one chosen by `compute/auto.ts`'s rule), and each segment is profiled in
 * original units and described in plain language. The response keeps the document's field
 * names and adds `preprocessing` (which features were log-scaled and why). `selection:
 * "silhouette"` asks for the document's literal rule instead of ours (`silhouetteChoice`).
 * `purchasingSegmentationV2` answers the reference-4.1.7 shape of the same path (`customers`).
 */
import type { ComputeBackend } from "../../compute/backend.ts";
import { type Algorithm, type Candidate, type ProgressEvent } from "../../compute/auto.ts";
import { matrix } from "../../compute/matrix.ts";
import { round } from "../../compute/numbers.ts";
import { wardTree } from "../../compute/ward.ts";
import { columnsFromRecords } from "../datasets/records.ts";
import {
  describeSegments,
  type Language,
  type NarrativeOptions,
  type SegmentNarrative,
} from "../description/narrative.ts";
import { profileClusters } from "../description/profile.ts";
import {
  candidateReasonText,
  selectionNote,
  selectionRuleText,
  selectionWhy,
  silhouetteRuleText,
  silhouetteWhyText,
  skewReasonText,
} from "../description/selection_text.ts";
import { PREPROCESS_DEFAULTS, type PreprocessReport } from "./preprocess.ts";
import { segmentColumns } from "./segment_columns.ts";

/** The six features of document 000, in the order of `feature_names` and of every centroid. */
export const PURCHASING_FEATURES = [
  "purchase_total",
  "visit_frequency",
  "avg_ticket",
  "product_diversity",
  "loyalty_score",
  "recency_days",
] as const;

/** One customer of the request. */
export interface PurchasingCustomer {
  customer_id: string | number;
  features: Record<PurchasingFeature, number>;
}

/**
 * Document 000's customers as columns: what the routes pass (decoded once, at the edge) and what
 * a job stores, plain JSON at about a third of the records' size. `length` is the number of
 * customers, so code that counts `data.length` reads either form alike.
 */
export interface PurchasingColumns {
  readonly length: number;
  readonly customer_ids: readonly (string | number)[];
  readonly features: Readonly<Record<PurchasingFeature, readonly number[]>>;
}

/** One of the six features. */
export type PurchasingFeature = (typeof PURCHASING_FEATURES)[number];

/**
 * `data` as columns: the same object when it already is, else one pass over the customers.
 *
 * @example
 * ```ts
 * import { purchasingColumns } from "./purchasing.ts";
 * const features = { purchase_total: 10, visit_frequency: 2, avg_ticket: 5,
 *   product_diversity: 1, loyalty_score: 0.5, recency_days: 3 };
 * const columns = purchasingColumns([{ customer_id: "a", features }]);
 * console.assert(columns.length === 1 && columns.features.avg_ticket[0] === 5);
 * ```
 */
export function purchasingColumns(
  data: readonly PurchasingCustomer[] | PurchasingColumns,
): PurchasingColumns {
  if (!Array.isArray(data)) return data as PurchasingColumns;
  const customers = data as readonly PurchasingCustomer[];
  const features = Object.fromEntries(
    PURCHASING_FEATURES.map((f) => [f, customers.map((c) => c.features[f])]),
  ) as Record<PurchasingFeature, number[]>;
  return {
    length: customers.length,
    customer_ids: customers.map((c) => c.customer_id),
    features,
  };
}

/** The request (already validated by the route). */
export interface PurchasingRequest {
  max_clusters?: number;
  dbscan_eps?: number;
  dbscan_min_samples?: number;
  random_state?: number;
  /**
   * `auto` (default): a skewed money feature is log-scaled before z-scoring, as at every other
   * entry point; `off`: the six features are z-scored as they come.
   */
  skew_handling?: "auto" | "off";
  /**
   * Which rule chooses among the candidates: `auto` (default), the service's rule
   * (`SELECTION_RULE`); `silhouette`, document 000's literal one (`SILHOUETTE_RULE`).
   */
  selection?: SelectionRuleName;
  /** The customers, as records or as columns (`PurchasingColumns`). */
  data: readonly PurchasingCustomer[] | PurchasingColumns;
}

/** The rules a request of document 000 may ask for. */
export type SelectionRuleName = "auto" | "silhouette";

/**
 * Document 000's rule for `best_algorithm`, in English words (`silhouetteRuleText` words it in
 * the request's language).
 */
export const SILHOUETTE_RULE: string = silhouetteRuleText("en");

/**
 * Document 000's literal choice of `best_algorithm`: among the eligible candidates with a
 * silhouette, the one with the highest silhouette; ties go to the lowest Davies-Bouldin, then to
 * the earlier candidate. Null when no eligible candidate has a silhouette.
 *
 * @example
 * ```ts
 * import { silhouetteChoice } from "./purchasing.ts";
 * const c = (silhouette: number, daviesBouldin: number) =>
 *   ({ silhouette, daviesBouldin, eligible: true }) as Parameters<typeof silhouetteChoice>[0][0];
 * const best = silhouetteChoice([c(0.5, 0.9), c(0.6, 0.8), c(0.6, 0.7)]);
 * console.assert(best?.daviesBouldin === 0.7);
 * ```
 */
export function silhouetteChoice(candidates: readonly Candidate[]): Candidate | null {
  let best: Candidate | null = null;
  for (const c of candidates) {
    if (!c.eligible || c.silhouette === null) continue;
    if (
      best === null || c.silhouette > best.silhouette! ||
      (c.silhouette === best.silhouette &&
        (c.daviesBouldin ?? Infinity) < (best.daviesBouldin ?? Infinity))
    ) {
      best = c;
    }
  }
  return best;
}

/** What the response's `preprocessing` says about skew handling. */
export interface SkewReport {
  skew_handling: "auto" | "off";
  /** Skewness above which a feature is log-scaled. */
  skew_threshold: number;
  log_scaled: Array<{ feature: string; skewness: number; reason: string }>;
  /** Features left out of the clustering (constant ones), still profiled. */
  dropped: PreprocessReport["dropped"];
}

/** The document's algorithm names. */
export const ALGORITHM_NAMES: Record<Algorithm, string> = {
  kmeans: "KMeans",
  gmm: "GaussianMixture",
  ward: "Agglomerative",
  dbscan: "DBSCAN",
};

/** Fewest customers a segmentation needs (k = 2 needs three rows for the metrics). */
export const MIN_CUSTOMERS = 3;

/**
 * Segments `request.data` and builds document 000's response (without `run_id`, which the
 * caller adds once the run is stored).
 *
 * @throws {RangeError} with fewer than `MIN_CUSTOMERS` customers or when no candidate is usable.
 */
export async function purchasingSegmentation(
  request: PurchasingRequest,
  backend: ComputeBackend,
  language: Language,
  onProgress?: (p: ProgressEvent) => void,
) {
  const t0 = performance.now();
  const data = purchasingColumns(request.data);
  const n = data.length;
  if (n < MIN_CUSTOMERS) {
    throw new RangeError(
      `Expected at least ${MIN_CUSTOMERS} customers in data but found ${n}`,
    );
  }
  const skew = request.skew_handling ?? "auto";
  const features = PURCHASING_FEATURES.map((name) => ({
    name,
    values: Float64Array.from(data.features[name]),
  }));
  // Typed by the same rules as any records (a feature of integers stays numeric, and so on).
  const table = columnsFromRecords(
    Array.from(
      { length: n },
      (_, i) => Object.fromEntries(features.map((f) => [f.name, f.values[i]!])),
    ),
  );
  const narrativeOptions: NarrativeOptions = {
    language,
    roles: { product_diversity: "diversity", loyalty_score: "loyalty" },
    revenueFeature: "purchase_total",
  };
  const segmented = await segmentColumns(table, {
    preprocess: { log1p: skew === "off" ? false : "auto" },
    maxClusters: request.max_clusters ?? 10,
    eps: request.dbscan_eps ?? 0.4,
    minSamples: request.dbscan_min_samples ?? 5,
    randomState: request.random_state ?? 0,
    profile: { numeric: features },
    narrative: narrativeOptions,
    ...(onProgress ? { onProgress } : {}),
  }, backend);
  const { auto, pre } = segmented;
  const rule = request.selection ?? "auto";
  const literal = rule === "silhouette" ? silhouetteChoice(auto.candidates) : null;
  const best = literal ?? auto.best;
  let { labels, profiles, narratives } = segmented;
  if (best !== auto.best) {
    // The document's rule chose another candidate: profile and describe its segments instead.
    labels = best.labels;
    profiles = profileClusters({ labels, numeric: features, categorical: [], standardized: pre.x });
    narratives = describeSegments(profiles, narrativeOptions);
  }
  const byId = new Map<number, SegmentNarrative>(narratives.map((s) => [s.cluster_id, s]));
  const r4 = (v: number | null) => (v === null ? null : round(v, 4));
  const threshold = PREPROCESS_DEFAULTS.skewThreshold;
  const preprocessing: SkewReport = {
    skew_handling: skew,
    skew_threshold: threshold,
    log_scaled: pre.report.log1p.map(({ column, skewness }) => ({
      feature: column,
      skewness: round(skewness, 4),
      reason: skewReasonText(skewness, threshold, language),
    })),
    dropped: pre.report.dropped,
  };
  return {
    best_algorithm: ALGORITHM_NAMES[best.algorithm],
    evaluation_metrics: auto.candidates.map((c) => ({
      algorithm: ALGORITHM_NAMES[c.algorithm],
      params: c.algorithm === "dbscan"
        ? { eps: c.params.eps!, min_samples: c.params.min_samples! }
        : { k: c.k },
      silhouette: r4(c.silhouette),
      davies_bouldin: r4(c.daviesBouldin),
      calinski_harabasz: r4(c.calinskiHarabasz),
      n_clusters: c.k,
      ...(c.algorithm === "dbscan" ? { noise_share: r4(c.noiseShare) } : {}),
      eligible: c.eligible,
      ...(c.reason ? { reason: candidateReasonText(c.reason, language) } : {}),
    })),
    feature_names: [...PURCHASING_FEATURES],
    clusters: profiles.clusters.map((c) => {
      const s = byId.get(c.cluster_id)!;
      return {
        cluster_id: c.cluster_id,
        size: c.size,
        centroid: PURCHASING_FEATURES.map((f) => round(c.features[f]!.mean, 4)),
        persona_label: s.persona_label,
        name: s.name,
        persona: s.persona,
        kpis: s.kpis,
        actions: s.actions.map((a) => a.text),
      };
    }),
    customer_labels: data.customer_ids.map((customer_id, i) => ({
      customer_id,
      cluster_id: labels[i]!,
    })),
    noise_customers: profiles.n_noise,
    selection: {
      rule,
      description: rule === "silhouette"
        ? silhouetteRuleText(language)
        : selectionRuleText(language),
      why: rule === "silhouette"
        ? silhouetteWhy(best, literal !== null, auto.candidates, language)
        : selectionWhy(auto.whyReason, language),
      chosen: { algorithm: ALGORITHM_NAMES[best.algorithm], n_clusters: best.k },
      structure: auto.structure,
      note: auto.note === null ? null : selectionNote(
        auto.whyReason.clause === "unstable",
        best.silhouette!,
        best.stability,
        language,
      ),
      silhouette: auto.silhouetteMode,
      silhouette_rows: auto.silhouetteRows,
    },
    preprocessing,
    backend: auto.backend,
    processing_time_ms: Math.round(performance.now() - t0),
  };
}

/**
 * Reference 4.1.7 (docs/documents.md, shape 2 of the same path): customers described by
 * `frequency`, `amount_spent` and `product_types`.
 */
export interface PurchasingCustomerV2 {
  id: string | number;
  frequency: number;
  amount_spent: number;
  product_types: string[];
}

/** The shape-2 request (already validated by the route). */
export interface PurchasingRequestV2 {
  customers: PurchasingCustomerV2[];
  /** Cluster counts to try (each 3–30); default 3..8. The range min..max is searched. */
  k_range?: number[];
  /** "kmeans", "gmm", "agglomerative" / "ward", "dbscan", any case; default all but dbscan. */
  algorithms?: string[];
  random_state?: number;
}

/** The three clustering features of shape 2, in the order of every centroid. */
export const PURCHASING_V2_FEATURES = ["frequency", "amount_spent", "product_types"] as const;

/** Shape 2's default k_range. */
export const DEFAULT_K_RANGE: readonly number[] = [3, 4, 5, 6, 7, 8];

/** Shape 2's default algorithms (DBSCAN only on request). */
export const DEFAULT_V2_ALGORITHMS: readonly Algorithm[] = ["kmeans", "gmm", "ward"];

/** Request names of shape 2's algorithms (lower-cased) → families. */
const V2_ALGORITHMS: Record<string, Algorithm> = {
  kmeans: "kmeans",
  gmm: "gmm",
  agglomerative: "ward",
  ward: "ward",
  dbscan: "dbscan",
};

/** The reference's algorithm names in `benchmark` and `best_model`. */
export const V2_ALGORITHM_NAMES: Record<Algorithm, string> = {
  kmeans: "kmeans",
  gmm: "gmm",
  ward: "agglomerative",
  dbscan: "dbscan",
};

/**
 * Segments reference 4.1.7's customers on frequency, amount spent and number of distinct product
 * types (z-scored) and builds its response (without `run_id`).
 *
 * `k_range` is searched as the whole range min..max (gaps filled); KMeans, GMM and Ward are fitted
 * at every k of it, DBSCAN (when asked for) once with eps 0.4 and min_samples 5, and the best is
 * chosen by `SELECTION_RULE`. `centroids` are the clusters' means in original units, in cluster-id
 * order; DBSCAN's noise customers get label −1 and no centroid.
 *
 * `dendrogram`: a Ward tree built on the k cluster centroids (z-scored units), each weighted by
 * its cluster's size, in scipy's linkage layout: leaves 0..k−1 are the cluster ids of
 * `dendrogram.leaves`, merge i creates node k + i from `[a, b, distance, size]` (size in
 * customers). It is cluster-level whatever the number of customers, so its size stays small.
 *
 * @throws {RangeError} with fewer customers than min(k_range) + 1, or when no candidate is usable.
 */
export async function purchasingSegmentationV2(
  request: PurchasingRequestV2,
  backend: ComputeBackend,
  language: Language = "en",
  onProgress?: (p: ProgressEvent) => void,
) {
  const t0 = performance.now();
  const n = request.customers.length;
  const kRange = [...new Set(request.k_range ?? DEFAULT_K_RANGE)].sort((a, b) => a - b);
  const minK = kRange[0]!;
  const maxK = Math.min(kRange[kRange.length - 1]!, n - 1);
  if (n < minK + 1) {
    throw new RangeError(
      `Expected at least ${minK + 1} customers for k_range starting at ${minK} but found ${n}`,
    );
  }
  const algorithms = request.algorithms?.length
    ? [
      ...new Set(request.algorithms.map((a) => {
        const family = V2_ALGORITHMS[a.toLowerCase()];
        if (!family) throw new RangeError(`Unknown algorithm ${a}`);
        return family;
      })),
    ]
    : DEFAULT_V2_ALGORITHMS;
  const features = [
    { name: "frequency", values: Float64Array.from(request.customers, (c) => c.frequency) },
    { name: "amount_spent", values: Float64Array.from(request.customers, (c) => c.amount_spent) },
    {
      name: "product_types",
      values: Float64Array.from(request.customers, (c) => new Set(c.product_types).size),
    },
  ];
  const table = columnsFromRecords(
    request.customers.map((_, i) =>
      Object.fromEntries(features.map((f) => [f.name, f.values[i]!]))
    ),
  );
  const narrativeOptions: NarrativeOptions = {
    language,
    roles: { frequency: "frequency", amount_spent: "spend", product_types: "diversity" },
    revenueFeature: "amount_spent",
  };
  const { auto, labels, profiles, narratives, pre } = await segmentColumns(table, {
    minClusters: minK,
    maxClusters: maxK,
    algorithms,
    eps: 0.4,
    minSamples: 5,
    randomState: request.random_state ?? 0,
    profile: { numeric: features },
    narrative: narrativeOptions,
    ...(onProgress ? { onProgress } : {}),
  }, backend);
  // `interpretations_en` is English by its name (reference 4.1.7), whatever the language asked.
  const english = language === "en"
    ? narratives
    : describeSegments(profiles, { ...narrativeOptions, language: "en" });
  const best = auto.best;
  const z = pre.x;
  const dz = z.d;
  const clusters = [...profiles.clusters].sort((a, b) => a.cluster_id - b.cluster_id);
  const centroids = clusters.map((c) =>
    PURCHASING_V2_FEATURES.map((f) => round(c.features[f]!.mean, 4))
  );

  // Ward tree on the cluster centroids in the clustering's (standardised) units, weighted by
  // cluster size.
  const zc = new Float32Array(clusters.length * dz);
  const sizes = new Float64Array(clusters.length);
  const index = new Map(clusters.map((c, r) => [c.cluster_id, r]));
  for (let i = 0; i < n; i++) {
    const r = index.get(labels[i]!);
    if (r === undefined) continue;
    sizes[r]!++;
    for (let j = 0; j < dz; j++) zc[r * dz + j]! += z.data[i * dz + j]!;
  }
  for (let r = 0; r < clusters.length; r++) {
    for (let j = 0; j < dz; j++) zc[r * dz + j]! /= sizes[r]!;
  }
  const tree = clusters.length >= 2
    ? wardTree(matrix(zc, clusters.length, dz), { weights: sizes })
    : null;
  const merges = tree
    ? Array.from(
      { length: tree.a.length },
      (_, i) => [tree.a[i]!, tree.b[i]!, round(tree.distance[i]!, 6), tree.size[i]!],
    )
    : [];

  const r4 = (v: number | null) => (v === null ? null : round(v, 4));
  const inRange = new Set(kRange);
  return {
    benchmark: auto.candidates
      .filter((c) => c.algorithm === "dbscan" || inRange.has(c.k))
      .map((c) => ({
        algo: V2_ALGORITHM_NAMES[c.algorithm],
        k: c.k,
        silhouette: r4(c.silhouette),
        davies_bouldin: r4(c.daviesBouldin),
        calinski_harabasz: r4(c.calinskiHarabasz),
        eligible: c.eligible,
        ...(c.reason ? { reason: candidateReasonText(c.reason, language) } : {}),
      })),
    best_model: {
      algo: V2_ALGORITHM_NAMES[best.algorithm],
      k: best.k,
      silhouette: r4(best.silhouette),
      davies_bouldin: r4(best.daviesBouldin),
      n_clusters: clusters.length,
    },
    feature_names: ["frequency", "amount_spent", "avg_product_types"],
    centroids,
    labels: Object.fromEntries(request.customers.map((c, i) => [String(c.id), labels[i]!])),
    interpretations_en: Object.fromEntries(
      english.map((s) => [String(s.cluster_id), s.persona]),
    ),
    segments: narratives.map((s) => ({
      cluster_id: s.cluster_id,
      name: s.name,
      persona_label: s.persona_label,
      size: s.kpis.customers,
    })),
    dendrogram: {
      method: "ward",
      level: "cluster",
      leaves: clusters.map((c) => c.cluster_id),
      merges,
    },
    noise_customers: profiles.n_noise,
    selection: {
      rule: "auto" as const,
      description: selectionRuleText(language),
      why: selectionWhy(auto.whyReason, language),
      structure: auto.structure,
      note: auto.note === null ? null : selectionNote(
        auto.whyReason.clause === "unstable",
        best.silhouette!,
        best.stability,
        language,
      ),
    },
    backend: auto.backend,
    processing_time_ms: Math.round(performance.now() - t0),
  };
}

/** Why document 000's rule chose `best`, in one sentence in `language`. */
function silhouetteWhy(
  best: Candidate,
  literal: boolean,
  candidates: readonly Candidate[],
  language: Language,
): string {
  return silhouetteWhyText({
    chosen: { algorithm: ALGORITHM_NAMES[best.algorithm], k: best.k },
    literal,
    silhouette: best.silhouette,
    daviesBouldin: best.daviesBouldin,
    eligible: candidates.filter((c) => c.eligible && c.silhouette !== null).length,
  }, language);
}
