/**
 * Document 002, `POST /api/analyze` and `POST /api/recommendations`: customer records with any
 * fields are preprocessed (`preprocess.ts`: typing, imputation, log1p, one-hot, scaling, PCA),
 * segmented (automatically by `compute/auto.ts`'s rule, or one algorithm and/or a fixed number
 * of clusters), profiled in original units, named and described (`narrative.ts`, in the
 * request's language), and scored: each original field's share of the between-cluster variance
 * (`featureImportance`) and the cross-validated nearest-centroid accuracy (`accuracy`).
 *
 * The response keeps the document's camelCase names (`clusters[].clusterId`, `customers`,
 * `centroid`, `clusterName`, `characteristics`, `featureImportance`, `accuracy`); what this
 * service adds (`preprocessing`, `selection`, `metrics`, each cluster's `narrative`) is reported
 * as the domain modules produce it.
 */
import {
  type Algorithm,
  type AutoResult,
  autoSegment,
  SELECTION_RULE,
} from "../../compute/auto.ts";
import type { ComputeBackend } from "../../compute/backend.ts";
import { clusterConfidence, featureImportance } from "../description/importance.ts";
import {
  describeSegments,
  type Language,
  recommendationsFor,
  type SegmentNarrative,
  type StrategyLine,
} from "../description/narrative.ts";
import { preprocess, type Preprocessed, type PreprocessReport } from "./preprocess.ts";
import { type ClusterProfiles, profileClusters } from "../description/profile.ts";

/** `auto` (every algorithm, chosen by `SELECTION_RULE`) or one algorithm. */
export type AnalyzeAlgorithm = "auto" | Algorithm;

/** The request (already validated by the route). */
export interface AnalyzeRequest {
  data: readonly Record<string, unknown>[];
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
  /** The ids of its customers (the id field's values, or "1".."n"). */
  customers: string[];
  size: number;
  /** Share of all customers (noise included). */
  share: number;
  /** Mean of every numeric field in original units (dates: days since the report's origin). */
  centroid: Record<string, number>;
  clusterName: string;
  characteristics: string[];
  /** The full narrative (persona, KPIs, actions, priority), snake_case as `narrative.ts`. */
  narrative: SegmentNarrative;
}

/** The response of `POST /api/analyze`, without `run_id` (added once the run is stored). */
export interface AnalyzeResult {
  clusters: AnalyzeCluster[];
  /** Customers DBSCAN left unassigned; null when there are none. */
  noise: { customers: string[]; size: number; share: number } | null;
  /** Original field → share of the between-cluster variance; sums to 1. */
  featureImportance: Record<string, number>;
  /** Cross-validated nearest-centroid accuracy of the segments, in [0, 1]. */
  accuracy: number;
  confidence: { method: string; folds: number; baseline: number };
  algorithm: Algorithm;
  n_clusters: number;
  selection: { mode: "auto" | "fixed"; rule: string; why: string };
  metrics: {
    silhouette: number | null;
    davies_bouldin: number | null;
    calinski_harabasz: number | null;
    noise_share: number;
    stability: number | null;
    params: Record<string, number>;
  };
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
): Promise<AnalyzeResult> {
  const { pre, auto, labels, profiles, narratives, importance, confidence, fixed } =
    await segmentRecords(request, backend, language);
  const n = labels.length;
  const best = auto.best;
  const byId = new Map(narratives.map((s) => [s.cluster_id, s]));

  const members = new Map<number, string[]>();
  for (let i = 0; i < n; i++) {
    const l = labels[i]!;
    let list = members.get(l);
    if (!list) members.set(l, list = []);
    list.push(pre.ids[i]!);
  }
  const noise = members.get(-1);

  return {
    clusters: profiles.clusters.map((c) => {
      const s = byId.get(c.cluster_id)!;
      return {
        clusterId: c.cluster_id,
        customers: members.get(c.cluster_id) ?? [],
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
      ? { customers: noise, size: noise.length, share: round(noise.length / n, 6) }
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
    selection: { mode: fixed ? "fixed" : "auto", rule: SELECTION_RULE, why: auto.why },
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

/** What `segmentRecords` computed: every intermediate a response shape may need. */
export interface SegmentedRecords {
  pre: Preprocessed;
  auto: AutoResult;
  labels: Int32Array;
  profiles: ClusterProfiles;
  narratives: SegmentNarrative[];
  importance: ReturnType<typeof featureImportance>;
  confidence: ReturnType<typeof clusterConfidence>;
  /** True when the client fixed the algorithm or the number of clusters. */
  fixed: boolean;
}

/**
 * Preprocesses `request.data`, segments it (automatic selection, or the algorithm and/or k the
 * request fixes), and profiles, names, scores and explains the segments: the computation of
 * document 002, shared with document 004's workflow, before either response shape.
 *
 * @throws {AnalyzeInputError} as `analyze`.
 */
export async function segmentRecords(
  request: AnalyzeRequest,
  backend: ComputeBackend,
  language: Language,
): Promise<SegmentedRecords> {
  const records = request.data;
  const n = records.length;
  if (n < MIN_RECORDS) {
    throw new AnalyzeInputError(
      `Expected at least ${MIN_RECORDS} records in data (two clusters need three) but found ${n}`,
      "data",
    );
  }
  const idField = request.id_field;
  const pre = asInputError(
    () => preprocess(records, idField === undefined ? {} : { idField }),
    (err) =>
      idField !== undefined && /idField|id field|\bids?\b/i.test(err.message) ? "id_field" : "data",
  );
  // Importance is summed per original field, so it needs the encoded columns before any PCA.
  const encoded = pre.pca
    ? preprocess(records, { ...(idField === undefined ? {} : { idField }), pca: false }).x
    : pre.x;

  const algorithm = request.algorithm ?? "auto";
  const fixedK = request.n_clusters;
  const fixed = algorithm !== "auto" || fixedK !== undefined;
  if (fixedK !== undefined && fixedK > n - 1) {
    throw new AnalyzeInputError(
      `Expected n_clusters to be at most ${n - 1} (one less than the records) but found ${fixedK}`,
      "n_clusters",
    );
  }
  const maxClusters = Math.min(fixedK ?? request.max_clusters ?? 10, n - 1);
  const auto = await asInputErrorAsync(
    () =>
      autoSegment(pre.x, {
        minClusters: fixedK ?? 2,
        maxClusters,
        algorithms: algorithm === "auto" ? undefined : [algorithm],
        randomState: request.random_state ?? 0,
        ...(request.eps !== undefined ? { eps: request.eps } : {}),
        ...(request.min_samples !== undefined ? { minSamples: request.min_samples } : {}),
        // A choice the client made is not second-guessed for small segments or noise.
        ...(fixed ? { minSegmentShare: 0, maxNoiseShare: 1 } : {}),
      }, backend),
    () => fixedK !== undefined ? "n_clusters" : algorithm !== "auto" ? "algorithm" : "data",
  );
  const best = auto.best;
  const labels = best.labels;

  const profiles = profileClusters({
    labels,
    numeric: Object.entries(pre.raw.numeric).map(([name, values]) => ({ name, values })),
    categorical: Object.entries(pre.raw.categorical).map(([name, values]) => ({ name, values })),
    standardized: pre.x,
  });
  const narratives = describeSegments(profiles, { language });
  const importance = featureImportance(encoded, labels, pre.originalFeatureOf, pre.fields);
  const confidence = clusterConfidence(pre.x, labels, { randomState: request.random_state ?? 0 });
  return { pre, auto, labels, profiles, narratives, importance, confidence, fixed };
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
    clusters: clusters.map(({ customers: _, narrative: __, ...c }) => c),
    noise: noise ? { size: noise.size, share: noise.share } : null,
    narratives: clusters.map((c) => c.narrative),
  };
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

function asInputError<T>(fn: () => T, parameter: (err: Error) => string): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof RangeError || err instanceof TypeError) {
      throw new AnalyzeInputError(err.message, parameter(err), { cause: err });
    }
    throw err;
  }
}

async function asInputErrorAsync<T>(
  fn: () => Promise<T>,
  parameter: (err: Error) => string,
): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    // autoSegment's RangeErrors are about the range of k or degenerate data, never a bug.
    if (err instanceof RangeError) {
      throw new AnalyzeInputError(err.message, parameter(err), { cause: err });
    }
    throw err;
  }
}
