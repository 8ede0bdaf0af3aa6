/**
 * Document 002, `POST /api/analyze` and `POST /api/recommendations`: customer records with any
 * fields are typed into columns (`datasets/records.ts`) and run through the one pipeline
 * (`segment_columns.ts`: preprocessing, automatic selection or the algorithm and/or number of
 * clusters the request fixes, profiles, names and personas in the request's language), with
 * its explanations: each original field's share of the between-cluster variance
 * (`featureImportance`) and the cross-validated nearest-centroid accuracy (`accuracy`).
 *
 * The response keeps the document's camelCase names (`clusters[].clusterId`, `customers`,
 * `centroid`, `clusterName`, `characteristics`, `featureImportance`, `accuracy`); a cluster's
 * `customers` are the request's own records (the document's "customer objects"), and its
 * `customer_ids` their ids with the type they were sent in. What this service adds
 * (`customer_ids`, `preprocessing`, `selection`, `metrics`, each cluster's `narrative`) is
 * reported as the domain modules produce it.
 */
import type { Algorithm, AutoResult, ProgressEvent } from "../../compute/auto.ts";
import type { ComputeBackend } from "../../compute/backend.ts";
import { round } from "../../compute/numbers.ts";
import { columnsFromRecords } from "../datasets/records.ts";
import type { ColumnTable } from "../datasets/types.ts";
import {
  type Language,
  recommendationsFor,
  type SegmentNarrative,
  type StrategyLine,
} from "../description/narrative.ts";
import {
  selectionNote,
  selectionRuleText,
  selectionWarnings,
  selectionWhy,
} from "../description/selection_text.ts";
import type { PreprocessReport } from "./preprocess.ts";
import { type Segmentation, segmentColumns } from "./segment_columns.ts";

/** `auto` (every algorithm, chosen by compute/auto.ts's `SELECTION_RULE`) or one algorithm. */
export type AnalyzeAlgorithm = "auto" | Algorithm;

/** The request (already validated by the route). */
export interface AnalyzeRequest extends AnalyzeParams {
  data: readonly Record<string, unknown>[];
  /**
   * The name the client sent the records under (`customerData`, as document 002 writes it, or
   * the alias `data`; default `data`): errors about the records name it.
   */
  records_parameter?: string;
  /**
   * Whether each cluster lists its customers' records in `customers` (default true, as the
   * document shows); false leaves only their `customer_ids`, for a smaller response.
   */
  include_records?: boolean;
}

/** A customer id as the client sent it: text, or an integer kept an integer. */
export type CustomerId = string | number;

/** The request's parameters: everything but the customers. */
export interface AnalyzeParams {
  /** The field holding the customer id (default: detected, else the row numbers "1".."n"). */
  id_field?: string;
  /** A fixed number of clusters (ignored by DBSCAN, which finds its own). */
  n_clusters?: number;
  /** Upper k of the automatic search (default 10). */
  max_clusters?: number;
  algorithm?: AnalyzeAlgorithm;
  random_state?: number;
  /** DBSCAN's radius on the standardised features (default 0.4, as document 000). */
  eps?: number;
  /** DBSCAN's core-point threshold, the point itself included (default 5). */
  min_samples?: number;
}

/** Fewest records a segmentation needs (two clusters and the metrics need three rows). */
export const MIN_RECORDS = 3;

/** A request that cannot be served as asked; `parameter` names the field at fault. */
export class AnalyzeInputError extends Error {
  override readonly name = "AnalyzeInputError";
  constructor(message: string, readonly parameter: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** One cluster of the response. */
export interface AnalyzeCluster {
  clusterId: number;
  /**
   * Its customers: the request's records, unchanged, in request order (absent when the request
   * set `include_records: false`).
   */
  customers?: Record<string, unknown>[];
  /**
   * The ids of its customers as the records hold them (`1` stays a number, `"C1"` text), or the
   * 1-based record numbers when the records have no id field.
   */
  customer_ids: CustomerId[];
  size: number;
  /** Share of all customers (noise included). */
  share: number;
  /** Mean of every numeric field in original units (dates: days since the report's origin). */
  centroid: Record<string, number>;
  clusterName: string;
  characteristics: string[];
  /**
   * The full narrative (persona, KPIs, actions, priority), snake_case as
   * `domain/description/narrative.ts` writes it.
   */
  narrative: SegmentNarrative;
}

/** The customers no cluster holds (DBSCAN's noise), listed as a cluster lists its own. */
export interface AnalyzeNoise {
  customers?: Record<string, unknown>[];
  customer_ids: CustomerId[];
  size: number;
  share: number;
}

/**
 * How the segmentation was chosen, as documents 002 and 004 report it: automatic or fixed, why,
 * whether the data shows clear groups (`weak`: none, with a plain-language `note`), and the
 * filters a fixed choice was let through (`warnings`).
 */
export interface Selection {
  mode: "auto" | "fixed";
  why: string;
  structure: "clear" | "weak";
  note: string | null;
  warnings: string[];
}

/** The `selection` report of a pipeline outcome, its sentences in `language`. */
export function selectionReport(
  auto: AutoResult,
  fixed: boolean,
  language: Language = "en",
): Selection {
  return {
    mode: fixed ? "fixed" : "auto",
    why: selectionWhy(auto.whyReason, language),
    structure: auto.structure,
    ...(language === "en" ? { note: auto.note, warnings: auto.warnings } : {
      note: auto.note === null ? null : selectionNote(
        auto.whyReason.clause === "unstable",
        auto.best.silhouette!,
        auto.best.stability,
        language,
      ),
      warnings: auto.warnings.length === 0 ? [] : selectionWarnings(auto.best, language),
    }),
  };
}

/** The chosen segmentation's quality figures, as every entry point reports them. */
export interface RunMetrics {
  silhouette: number | null;
  davies_bouldin: number | null;
  calinski_harabasz: number | null;
  noise_share: number;
  stability: number | null;
  params: Record<string, number>;
}

/** The response of `POST /api/analyze`, without `run_id` (added once the run is stored). */
export interface AnalyzeResult {
  clusters: AnalyzeCluster[];
  /** Customers DBSCAN left unassigned (as a cluster lists them); null when there are none. */
  noise: AnalyzeNoise | null;
  /** Original field → share of the between-cluster variance; sums to 1. */
  featureImportance: Record<string, number>;
  /** Cross-validated nearest-centroid accuracy of the segments, in [0, 1]. */
  accuracy: number;
  confidence: { method: string; folds: number; baseline: number };
  algorithm: Algorithm;
  n_clusters: number;
  selection: Selection & { rule: string };
  metrics: RunMetrics;
  preprocessing: PreprocessReport;
  language: Language;
}

/**
 * Runs document 002's analysis on `request.data`.
 *
 * @throws {AnalyzeInputError} when the records or the parameters cannot be segmented (too few
 *   records, a non-finite or malformed value, an unknown or duplicated id, no usable feature, a
 *   number of clusters out of range, or no segmentation that is not degenerate), naming the
 *   parameter at fault; the message of a record's problem names its 0-based index.
 */
export async function analyze(
  request: AnalyzeRequest,
  backend: ComputeBackend,
  language: Language,
  onProgress?: (p: ProgressEvent) => void,
): Promise<AnalyzeResult> {
  const parameter = request.records_parameter ?? "data";
  const { pre, auto, labels, profiles, narratives, importance, confidence, fixed } =
    await segmentTable(
      recordsTable(request.data, parameter),
      request,
      backend,
      language,
      onProgress,
    )
      .catch((err) => {
        throw renamedRecordsParameter(err, parameter);
      });
  const n = labels.length;
  const best = auto.best;
  const byId = new Map(narratives.map((s) => [s.cluster_id, s]));
  const ids = typedIds(request.data, pre.report.idField);
  const withRecords = request.include_records !== false;

  const members = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const l = labels[i]!;
    let list = members.get(l);
    if (!list) members.set(l, list = []);
    list.push(i);
  }
  const listed = (rows: readonly number[]) => ({
    ...(withRecords ? { customers: rows.map((i) => request.data[i]!) } : {}),
    customer_ids: rows.map((i) => ids[i]!),
  });
  const noise = members.get(-1);

  return {
    clusters: profiles.clusters.map((c) => {
      const s = byId.get(c.cluster_id)!;
      return {
        clusterId: c.cluster_id,
        ...listed(members.get(c.cluster_id) ?? []),
        size: c.size,
        share: round(c.share, 6),
        centroid: Object.fromEntries(
          Object.entries(c.features).map(([name, stats]) => [name, round(stats.mean, 4)]),
        ),
        clusterName: s.name,
        characteristics: s.characteristics,
        narrative: s,
      };
    }),
    noise: noise
      ? { ...listed(noise), size: noise.length, share: round(noise.length / n, 6) }
      : null,
    featureImportance: Object.fromEntries(importance.map((f) => [f.name, f.importance])),
    accuracy: confidence.accuracy,
    confidence: {
      method: confidence.method,
      folds: confidence.folds,
      baseline: confidence.baseline,
    },
    algorithm: best.algorithm,
    n_clusters: best.k,
    selection: { ...selectionReport(auto, fixed, language), rule: selectionRuleText(language) },
    metrics: {
      silhouette: best.silhouette,
      davies_bouldin: best.daviesBouldin,
      calinski_harabasz: best.calinskiHarabasz,
      noise_share: best.noiseShare,
      stability: best.stability,
      params: best.params,
    },
    preprocessing: pre.report,
    language,
  };
}

/**
 * Each record's customer id as the record holds it: the value of `idField` when it is a string
 * or a finite number (an integer stays a number), else its text; the 1-based record number when
 * there is no id field.
 */
export function typedIds(
  records: readonly Record<string, unknown>[],
  idField: string | null,
): CustomerId[] {
  return records.map((record, i) => {
    if (idField === null) return i + 1;
    const value = Object.hasOwn(record, idField) ? record[idField] : undefined;
    if (typeof value === "string") return value;
    if (typeof value === "number" && Number.isFinite(value)) return value;
    return value === undefined || value === null ? i + 1 : String(value);
  });
}

/** An `AnalyzeInputError` about the records, naming them as the client did. */
function renamedRecordsParameter(err: unknown, parameter: string): unknown {
  if (!(err instanceof AnalyzeInputError) || err.parameter !== "data" || parameter === "data") {
    return err;
  }
  return new AnalyzeInputError(err.message, parameter, { cause: err.cause ?? err });
}

/** What `segmentTable` computed: the pipeline's outcome, with its explanations. */
export interface SegmentedTable extends Segmentation {
  importance: NonNullable<Segmentation["importance"]>;
  confidence: NonNullable<Segmentation["confidence"]>;
  /** True when the client fixed the algorithm or the number of clusters. */
  fixed: boolean;
}

/**
 * The typed columns of document 002's records, sent as `parameter` (default `data`).
 *
 * @throws {AnalyzeInputError} (`parameter`) with fewer than `MIN_RECORDS` records, or a record
 *   or value that cannot be typed (naming the field and the 0-based record).
 */
export function recordsTable(
  data: readonly Record<string, unknown>[],
  parameter = "data",
): ColumnTable {
  const n = Array.isArray(data) ? data.length : 0;
  if (n < MIN_RECORDS) {
    throw new AnalyzeInputError(
      `Expected at least ${MIN_RECORDS} records in ${parameter} (two clusters need three) but ` +
        `found ${n}`,
      parameter,
    );
  }
  try {
    return columnsFromRecords(data);
  } catch (err) {
    if (err instanceof Error && err.name === "DatasetError") {
      throw new AnalyzeInputError(err.message, parameter, { cause: err });
    }
    throw err;
  }
}

// The families that honour a requested k.
const FIXED_K_ALGORITHMS: readonly Algorithm[] = ["kmeans", "gmm", "ward"];

/**
 * Runs the pipeline (`segmentColumns`) on `table` with document 002's options: the request's
 * id field, automatic selection or the algorithm and/or k it fixes, DBSCAN's parameters, the
 * request's language, and the explanations. Document 004's workflow shares it.
 *
 * @throws {AnalyzeInputError} as `analyze`.
 */
export async function segmentTable(
  table: ColumnTable,
  params: AnalyzeParams,
  backend: ComputeBackend,
  language: Language,
  onProgress?: (p: ProgressEvent) => void,
): Promise<SegmentedTable> {
  const n = table.rowCount;
  if (n < MIN_RECORDS) {
    throw new AnalyzeInputError(
      `Expected at least ${MIN_RECORDS} records in data (two clusters need three) but found ${n}`,
      "data",
    );
  }
  const idField = params.id_field;
  const algorithm = params.algorithm ?? "auto";
  const fixedK = params.n_clusters;
  const fixed = algorithm !== "auto" || fixedK !== undefined;
  if (fixedK !== undefined && fixedK > n - 1) {
    throw new AnalyzeInputError(
      `Expected n_clusters to be at most ${n - 1} (one less than the records) but found ${fixedK}`,
      "n_clusters",
    );
  }
  const seg = await segmentColumns(table, {
    preprocess: idField === undefined ? {} : { idField },
    minClusters: fixedK ?? 2,
    maxClusters: fixedK ?? params.max_clusters ?? 10,
    // A fixed k rules DBSCAN out of an automatic choice: it finds its own number of clusters.
    algorithms: algorithm !== "auto"
      ? [algorithm]
      : fixedK !== undefined
      ? FIXED_K_ALGORITHMS
      : undefined,
    randomState: params.random_state ?? 0,
    eps: params.eps,
    minSamples: params.min_samples,
    fixed,
    narrative: { language },
    explain: true,
    ...(onProgress ? { onProgress } : {}),
    inputError: (err, stage) =>
      new AnalyzeInputError(
        err.message,
        stage === "preprocess"
          ? idField !== undefined && /idField|id field|\bids?\b/i.test(err.message)
            ? "id_field"
            : "data"
          : fixedK !== undefined
          ? "n_clusters"
          : algorithm !== "auto"
          ? "algorithm"
          : "data",
        { cause: err },
      ),
  }, backend);
  return { ...seg, importance: seg.importance!, confidence: seg.confidence!, fixed };
}

/**
 * The strategy lines of `recommendationsFor`, and each as one sentence for document 002's
 * `recommendations` (a list of strings): `“<segment>”: <action>`.
 */
export function recommendationLines(
  narratives: readonly SegmentNarrative[],
  language: Language,
): { recommendations: string[]; strategies: StrategyLine[] } {
  const strategies = recommendationsFor(narratives, language);
  return {
    recommendations: strategies.map((s) => `“${s.segment}”: ${s.action}`),
    strategies,
  };
}

/** The part of a result worth storing with the run: no customer lists, no raw records. */
export function storedSummary(result: AnalyzeResult) {
  const { clusters, noise, ...rest } = result;
  return {
    ...rest,
    clusters: clusters.map(({ customers: _, customer_ids: __, narrative: ___, ...c }) => c),
    noise: noise ? { size: noise.size, share: noise.share } : null,
    narratives: clusters.map((c) => c.narrative),
  };
}
