/**
 * Document 004's analyst workflow on a stored dataset: `clusterWorkflow` segments the dataset's
 * typed columns (document 002's options of the one pipeline, `analyze.segmentTable`, with the
 * algorithm or k the analyst asks for, or automatic selection) and returns a `WorkflowRun`, the plain-data record
 * that is stored as the run and that every later step reads (cluster data, visualizations,
 * segments of type `cluster`, exports); `workflowResponse` shapes it as `POST /api/cluster`
 * answers; `optimalClusters` is `GET /api/optimal-clusters` (KMeans silhouette for k = 2..10).
 *
 * @module
 */
import type { ProgressEvent, SelectionReason } from "../../compute/auto.ts";
import type { ComputeBackend } from "../../compute/backend.ts";
import { evaluate, SILHOUETTE_EXACT_MAX_ROWS } from "../../compute/evaluate.ts";
import { kmeans } from "../../compute/kmeans.ts";
import { takeRows } from "../../compute/matrix.ts";
import { createRandom, sampleWithoutReplacement } from "../../compute/random.ts";
import { round } from "../../compute/numbers.ts";
import { fromPlainTable, type PlainTable } from "../datasets/plain_table.ts";
import type { ColumnTable } from "../datasets/types.ts";
import {
  type AnalyzeParams,
  recordsTable,
  type RunMetrics,
  segmentTable,
  type Selection,
  selectionReport,
} from "./analyze.ts";
import { projectForScatter } from "./projection.ts";
import type { Language, SegmentNarrative } from "../description/narrative.ts";
import { candidateReasonText } from "../description/selection_text.ts";
import { preprocess, type PreprocessReport } from "./preprocess.ts";
import type { ClusterProfiles, FeatureStats } from "../description/profile.ts";

/**
 * The customers of a workflow request: a stored dataset's typed columns as plain data
 * (`table`, see `datasets/plain_table.ts`: nothing is typed again), or records (`data`), typed
 * as document 002's are.
 */
export type WorkflowInput =
  | { table: PlainTable; data?: undefined }
  | { data: readonly Record<string, unknown>[]; table?: undefined };

/** A request of `clusterWorkflow`: the customers and document 002's parameters. */
export type WorkflowRequest = AnalyzeParams & WorkflowInput;

/** The rows of a workflow request, before anything is typed. */
export function workflowRows(input: WorkflowInput): number {
  return input.table ? input.table.rowCount : input.data.length;
}

/** The fields per customer of a workflow request (the first record's, for records). */
export function workflowFields(input: WorkflowInput): number {
  return input.table ? input.table.columns.length : Object.keys(input.data[0] ?? {}).length;
}

/** One candidate model of the run, as the candidates table shows it. */
export interface WorkflowCandidate {
  algorithm: string;
  k: number;
  params: Record<string, number>;
  silhouette: number | null;
  davies_bouldin: number | null;
  calinski_harabasz: number | null;
  noise_share: number;
  eligible: boolean;
  reason: string | null;
  mean_rank: number | null;
  stability: number | null;
  chosen: boolean;
}

/** A clustering of a dataset, as stored (plain data, JSON-safe). */
export interface WorkflowRun {
  algorithm: string;
  n_clusters: number;
  /** Customer ids in row order (the dataset's id column, else "1".."n"). */
  ids: string[];
  /** Cluster of every row, −1 for DBSCAN's noise. */
  labels: number[];
  metrics: RunMetrics & {
    silhouette_mode: "exact" | "sampled";
    silhouette_rows: number;
  };
  /** `reason`: `why`'s clause and figures, to word it in another language (runs since then). */
  selection: Selection & { reason?: SelectionReason };
  candidates: WorkflowCandidate[];
  /** The numeric fields profiled, in column order. */
  features: string[];
  profiles: ClusterProfiles;
  segments: SegmentNarrative[];
  /** Field → share of the between-cluster variance, summing to 1. */
  feature_importance: Record<string, number>;
  /** Cross-validated nearest-centroid accuracy, in [0, 1]. */
  accuracy: number;
  /** First two principal components of the model's features, and each cluster's centre there. */
  projection: {
    points: number[];
    centroids: [number, number][];
    explained_variance_ratio: [number, number];
  };
  preprocessing: PreprocessReport;
  language: Language;
  /** Seconds. */
  clustering_time: number;
}

/**
 * Segments a dataset's customers on `backend`: automatic selection over every algorithm, or the
 * algorithm and/or number of clusters asked.
 *
 * @throws {AnalyzeInputError} as `analyze` (too few records, no usable feature, k out of range).
 */
export async function clusterWorkflow(
  request: WorkflowRequest,
  backend: ComputeBackend,
  language: Language,
  onProgress?: (p: ProgressEvent) => void,
): Promise<WorkflowRun> {
  const t0 = performance.now();
  const seg = await segmentTable(inputTable(request), request, backend, language, onProgress);
  const { pre, auto, labels, profiles } = seg;
  const best = auto.best;
  const projection = projectForScatter(pre.x, labels);
  const features = Object.keys(pre.raw.numeric);
  return {
    algorithm: best.algorithm,
    n_clusters: best.k,
    ids: [...pre.ids],
    labels: Array.from(labels),
    metrics: {
      silhouette: best.silhouette,
      davies_bouldin: best.daviesBouldin,
      calinski_harabasz: best.calinskiHarabasz,
      noise_share: best.noiseShare,
      stability: best.stability,
      params: best.params,
      silhouette_mode: auto.silhouetteMode,
      silhouette_rows: auto.silhouetteRows,
    },
    selection: { ...selectionReport(auto, seg.fixed, language), reason: auto.whyReason },
    candidates: auto.candidates.map((c) => ({
      algorithm: c.algorithm,
      k: c.k,
      params: c.params,
      silhouette: c.silhouette,
      davies_bouldin: c.daviesBouldin,
      calinski_harabasz: c.calinskiHarabasz,
      noise_share: c.noiseShare,
      eligible: c.eligible,
      reason: c.reason,
      mean_rank: c.meanRank,
      stability: c.stability,
      chosen: c === best,
    })),
    features,
    profiles,
    segments: seg.narratives,
    feature_importance: Object.fromEntries(seg.importance.map((f) => [f.name, f.importance])),
    accuracy: seg.confidence.accuracy,
    projection: {
      points: Array.from(projection.points, (v) => round(v, 5)),
      centroids: projection.centroids.map(([x, y]) => [round(x, 5), round(y, 5)]),
      explained_variance_ratio: projection.explainedVarianceRatio,
    },
    preprocessing: pre.report,
    language,
    clustering_time: round((performance.now() - t0) / 1000, 3),
  };
}

/** The silhouette of KMeans for every k, and the best k (document 004's optimal-clusters). */
export interface OptimalClusters {
  silhouette_scores: Record<string, number>;
  /** Within-cluster sum of squares per k (the elbow curve). */
  inertia: Record<string, number>;
  optimal_k: number;
  chart_data: { x: number[]; y: number[] };
  /** `sampled` when the fits or the silhouettes used a seeded sample of the rows. */
  silhouette_mode: "exact" | "sampled";
  /** Rows the curve was computed on (all, or `OPTIMAL_K_MAX_ROWS`). */
  rows_used: number;
  /** Seconds. */
  analysis_time: number;
}

/** Rows above which `optimalClusters` works on a seeded sample (the exact-silhouette size). */
export const OPTIMAL_K_MAX_ROWS = SILHOUETTE_EXACT_MAX_ROWS;

/** Options of `optimalClusters`. */
export type OptimalClustersRequest = WorkflowInput & {
  id_field?: string;
  /** Largest k tried (default 10, capped at n − 1). */
  max_k?: number;
  random_state?: number;
};

/**
 * KMeans (k-means++, 10 initialisations, scikit-learn's defaults) on the preprocessed records
 * for k = 2..max_k, each scored by its exact silhouette; above `OPTIMAL_K_MAX_ROWS` records, fits
 * and scores use a seeded sample of that many rows. The optimal k has the highest silhouette
 * (the smaller k on a tie).
 *
 * @throws {RangeError} with fewer than 3 records or no usable feature.
 */
export async function optimalClusters(
  request: OptimalClustersRequest,
  backend: ComputeBackend,
): Promise<OptimalClusters> {
  const t0 = performance.now();
  const n = workflowRows(request);
  if (n < 3) {
    throw new RangeError(`Expected at least 3 records to compare cluster counts but found ${n}`);
  }
  const pre = preprocess(
    inputTable(request),
    request.id_field === undefined ? {} : { idField: request.id_field },
  );
  const maxK = Math.min(request.max_k ?? 10, n - 1);
  const randomState = request.random_state ?? 0;
  // Nine KMeans fits of ten initialisations each on a million rows would outlast the request:
  // above the exact-silhouette size the curve is drawn on a seeded sample of that many rows.
  const sampled = n > OPTIMAL_K_MAX_ROWS;
  const x = sampled
    ? takeRows(
      pre.x,
      sampleWithoutReplacement(createRandom(randomState), n, OPTIMAL_K_MAX_ROWS).sort(),
    )
    : pre.x;
  const scores: Record<string, number> = {};
  const inertia: Record<string, number> = {};
  const ks: number[] = [];
  const y: number[] = [];
  let best = -Infinity;
  let bestK = 2;
  let mode: "exact" | "sampled" = sampled ? "sampled" : "exact";
  for (let k = 2; k <= maxK; k++) {
    const fit = await kmeans(x, { k, randomState }, backend);
    let s: number;
    try {
      const e = await evaluate(x, fit.labels, backend, { randomState });
      s = e.silhouette;
      if (e.silhouetteMode === "sampled") mode = "sampled";
    } catch (err) {
      // Fewer distinct points than k: the metrics are undefined from here on.
      if (err instanceof RangeError) break;
      throw err;
    }
    scores[String(k)] = round(s, 4);
    inertia[String(k)] = round(fit.inertia, 4);
    ks.push(k);
    y.push(round(s, 4));
    if (s > best) {
      best = s;
      bestK = k;
    }
  }
  if (ks.length === 0) {
    throw new RangeError("Expected at least two distinct customers to compare cluster counts");
  }
  return {
    silhouette_scores: scores,
    inertia,
    optimal_k: bestK,
    chart_data: { x: ks, y },
    silhouette_mode: mode,
    rows_used: x.n,
    analysis_time: round((performance.now() - t0) / 1000, 3),
  };
}

/** Document 004's `POST /api/cluster` fields (and `GET /api/cluster-data`'s), from a run. */
export function workflowResponse(run: WorkflowRun) {
  const clusters = run.profiles.clusters;
  const byId = new Map(run.segments.map((s) => [s.cluster_id, s]));
  const perCluster = <T>(f: (c: (typeof clusters)[number]) => T) =>
    Object.fromEntries(clusters.map((c) => [String(c.cluster_id), f(c)]));
  const stat = (c: (typeof clusters)[number], key: keyof FeatureStats) =>
    Object.fromEntries(
      Object.entries(c.features).map(([name, s]) => [name, round(s[key], 4)]),
    );
  const population = run.profiles.population.features;
  const percent = (share: number) => round(share * 100, 1);
  return {
    success: true as const,
    metrics: {
      silhouette_score: nullableRound(run.metrics.silhouette),
      davies_bouldin_score: nullableRound(run.metrics.davies_bouldin),
      calinski_harabasz_score: nullableRound(run.metrics.calinski_harabasz),
      noise_share: run.metrics.noise_share,
      silhouette_mode: run.metrics.silhouette_mode,
    },
    cluster_analysis: perCluster((c) => ({
      size: c.size,
      percentage: percent(c.share),
      // Rounded like every other figure of the answer (four decimals), never binary noise.
      statistics: Object.fromEntries(
        Object.entries(c.features).map(([name, s]) => [
          name,
          Object.fromEntries(Object.entries(s).map(([k, v]) => [k, round(v as number, 4)])),
        ]),
      ),
    })),
    recommendations: perCluster((c) => {
      const s = byId.get(c.cluster_id)!;
      const share = decimalText(percent(c.share), run.language);
      return `${SEGMENT_WORD[run.language] ?? "Segment"} ${c.cluster_id} (${s.name} - ${share}%): ${
        s.actions.map((a) => a.text).join(" ")
      }`;
    }),
    cluster_profiles: perCluster((c) => ({
      count: c.size,
      percentage: percent(c.share),
      mean_values: stat(c, "mean"),
      median_values: stat(c, "median"),
      std_values: stat(c, "std"),
      min_values: stat(c, "min"),
      max_values: stat(c, "max"),
    })),
    // z-scores of each cluster's mean against the population: one scale for every feature.
    centroids: perCluster((c) =>
      Object.fromEntries(
        Object.entries(c.features).map(([name, s]) => {
          const p = population[name]!;
          return [name, p.std > 0 ? round((s.mean - p.mean) / p.std, 4) : 0];
        }),
      )
    ),
    feature_importance: Object.fromEntries(
      Object.entries(run.feature_importance).map(([name, v]) => [name, round(v * 100, 2)]),
    ),
    top_features: perCluster((c) =>
      c.differentiating.slice(0, 3).map((d) => ({
        feature: d.feature,
        mean: round(d.cluster_mean, 4),
        std: round(c.features[d.feature]?.std ?? 0, 4),
        effect_size: round(d.effect_size, 3),
        direction: d.direction,
      }))
    ),
    cluster_summaries: perCluster((c) => byId.get(c.cluster_id)!.persona),
    segments: run.segments,
    n_clusters: run.n_clusters,
    algorithm: run.algorithm,
    selection: run.selection,
    candidates: run.language === "en" ? run.candidates : run.candidates.map((c) => ({
      ...c,
      reason: c.reason === null ? null : candidateReasonText(c.reason, run.language),
    })),
    accuracy: run.accuracy,
    clustering_time: run.clustering_time,
  };
}

/** The word before a segment's number in the texts of a run, by its language. */
const SEGMENT_WORD: Record<string, string> = { en: "Segment", es: "Segmento", pt: "Segmento" };

/** A number as a person of `language` writes it: a decimal comma in es and pt. */
function decimalText(v: number, language: Language): string {
  return language === "en" ? String(v) : String(v).replace(".", ",");
}

function nullableRound(v: number | null): number | null {
  return v === null ? null : round(v, 4);
}

/** The segments' names by cluster id (ids are 0..k−1). */
export function clusterNames(run: WorkflowRun): string[] {
  const word = SEGMENT_WORD[run.language] ?? "Segment";
  const names = Array.from({ length: run.n_clusters }, (_, c) => `${word} ${c}`);
  for (const s of run.segments) if (s.cluster_id >= 0) names[s.cluster_id] = s.name;
  return names;
}

// The typed columns of a request: the dataset's own, or its records typed as document 002's.
function inputTable(input: WorkflowInput): ColumnTable {
  return input.table ? fromPlainTable(input.table) : recordsTable(input.data);
}
