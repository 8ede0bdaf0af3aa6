/**
 * One segmentation run over a numeric matrix: standardise (optional), fit KMeans, DBSCAN,
 * Gaussian Mixture, Ward, or all of them with an automatic choice, on the chosen backend, score the result, and report it in plain data (snake_case fields, ready
 * to print as JSON). Used by the command line now and by the HTTP endpoints later.
 */
import type { ComputeBackend } from "../compute/backend.ts";
import { dbscan, DBSCAN_DEFAULTS } from "../compute/dbscan.ts";
import { evaluate } from "../compute/evaluate.ts";
import { kmeans, KMEANS_DEFAULTS } from "../compute/kmeans.ts";
import type { Matrix } from "../compute/matrix.ts";
import { type Scaler, standardize, unstandardize } from "../compute/standardize.ts";
import { autoSegment, SELECTION_RULE } from "../compute/auto.ts";
import { gmm, GMM_DEFAULTS } from "../compute/gmm.ts";
import { ward } from "../compute/ward.ts";

/** The algorithms a run can ask for; `auto` tries them all and chooses. */
export type SegmentAlgorithm = "kmeans" | "dbscan" | "gmm" | "ward" | "auto";

/** What to run. Unset parameters take scikit-learn's defaults; k defaults to 8 as there. */
export interface SegmentRequest {
  algorithm: SegmentAlgorithm;
  /** Largest k tried by `auto` (default 10). */
  maxClusters?: number;
  columns: readonly string[];
  k?: number;
  eps?: number;
  minSamples?: number;
  randomState?: number;
  nInit?: number;
  maxIter?: number;
  tol?: number;
  /** z-score the columns first (default true). */
  standardize?: boolean;
}

/** The report of one run; field names are those of the JSON output. */
export interface SegmentReport {
  /** The algorithm that produced the labels (for `auto`: the chosen one). */
  algorithm: "kmeans" | "dbscan" | "gmm" | "ward";
  params: Record<string, number | boolean>;
  backend: { name: string; description: string };
  n: number;
  d: number;
  columns: string[];
  labels: number[];
  n_clusters: number;
  n_noise: number;
  /** Cluster centres (KMeans) or cluster means (DBSCAN, noise left out), k × d. */
  centers: { original: number[][]; standardized: number[][] | null };
  core: boolean[] | null;
  inertia: number | null;
  n_iter: number | null;
  metrics: {
    silhouette: number;
    davies_bouldin: number;
    calinski_harabasz: number;
    silhouette_mode: "exact" | "sampled";
    silhouette_rows: number;
  } | null;
  /** Why `metrics` is null (e.g. a single cluster). */
  metrics_error?: string;
  /** Gaussian Mixture only. */
  mean_log_likelihood?: number;
  bic?: number;
  /** `auto` only: every candidate with its metrics, and the choice. */
  selection?: {
    rule: string;
    why: string;
    silhouette_mode: "exact" | "sampled";
    silhouette_rows: number;
    candidates: Array<{
      algorithm: string;
      n_clusters: number;
      params: Record<string, number>;
      silhouette: number | null;
      davies_bouldin: number | null;
      calinski_harabasz: number | null;
      noise_share: number;
      mean_rank: number | null;
      stability: number | null;
      eligible: boolean;
      reason: string | null;
      chosen: boolean;
      fit_ms: number;
    }>;
  };
  timings_ms: Record<string, number>;
}

/**
 * Runs `request` over the raw rows `raw` on `backend`.
 *
 * @throws {RangeError} when a parameter is out of range (k, eps, min_samples, …).
 */
export async function segment(
  raw: Matrix,
  request: SegmentRequest,
  backend: ComputeBackend,
): Promise<SegmentReport> {
  const timings: Record<string, number> = {};
  let t0 = performance.now();
  const scale = request.standardize ?? true;
  let x = raw;
  let scaler: Scaler | undefined;
  if (scale) ({ z: x, scaler } = standardize(raw));
  timings.standardize = performance.now() - t0;
  const randomState = request.randomState ?? KMEANS_DEFAULTS.randomState;

  let labels: Int32Array;
  let fitted: Pick<SegmentReport, "params" | "core" | "inertia" | "n_iter" | "n_noise"> & {
    centers: Float64Array;
    k: number;
    backend: string;
    algorithm: SegmentReport["algorithm"];
  };
  const extra: Partial<SegmentReport> = {};
  const k = request.k ?? 8;
  if (request.algorithm === "kmeans") {
    const nInit = request.nInit ?? KMEANS_DEFAULTS.nInit;
    const maxIter = request.maxIter ?? KMEANS_DEFAULTS.maxIter;
    const tol = request.tol ?? KMEANS_DEFAULTS.tol;
    const res = await kmeans(x, { k, nInit, maxIter, tol, randomState }, backend);
    labels = res.labels;
    timings.init = res.timings.init;
    timings.fit = res.timings.fit;
    fitted = {
      algorithm: "kmeans",
      params: { k, n_init: nInit, max_iter: maxIter, tol, random_state: randomState },
      centers: Float64Array.from(res.centers),
      k,
      core: null,
      inertia: res.inertia,
      n_iter: res.nIter,
      n_noise: 0,
      backend: res.backend,
    };
  } else if (request.algorithm === "gmm") {
    const maxIter = request.maxIter ?? GMM_DEFAULTS.maxIter;
    const tol = request.tol ?? GMM_DEFAULTS.tol;
    const nInit = request.nInit ?? GMM_DEFAULTS.nInit;
    const res = await gmm(x, { k, maxIter, tol, nInit, randomState }, backend);
    labels = res.labels;
    timings.init = res.timings.init;
    timings.fit = res.timings.fit;
    extra.mean_log_likelihood = res.meanLogLikelihood;
    extra.bic = res.bic;
    fitted = {
      algorithm: "gmm",
      params: { k, n_init: nInit, max_iter: maxIter, tol, random_state: randomState },
      centers: Float64Array.from(res.model.means),
      k,
      core: null,
      inertia: null,
      n_iter: res.nIter,
      n_noise: 0,
      backend: res.backend,
    };
  } else if (request.algorithm === "ward") {
    const res = await ward(x, { k, randomState }, backend);
    labels = res.labels;
    timings.init = res.timings.micro;
    timings.fit = res.timings.tree + res.timings.cut;
    fitted = {
      algorithm: "ward",
      params: { k, exact: res.exact ? 1 : 0 },
      centers: Float64Array.from(res.model.centers),
      k,
      core: null,
      inertia: null,
      n_iter: null,
      n_noise: 0,
      backend: res.backend,
    };
  } else if (request.algorithm === "auto") {
    const t = performance.now();
    const res = await autoSegment(x, {
      maxClusters: request.maxClusters,
      eps: request.eps,
      minSamples: request.minSamples,
      randomState,
      ...(request.nInit ? { nInit: request.nInit } : {}),
    }, backend);
    timings.init = 0;
    timings.fit = performance.now() - t;
    const best = res.best;
    labels = best.labels;
    extra.selection = {
      rule: SELECTION_RULE,
      why: res.why,
      silhouette_mode: res.silhouetteMode,
      silhouette_rows: res.silhouetteRows,
      candidates: res.candidates.map((c) => ({
        algorithm: c.algorithm,
        n_clusters: c.k,
        params: c.params,
        silhouette: c.silhouette,
        davies_bouldin: c.daviesBouldin,
        calinski_harabasz: c.calinskiHarabasz,
        noise_share: c.noiseShare,
        mean_rank: c.meanRank,
        stability: c.stability,
        eligible: c.eligible,
        reason: c.reason,
        chosen: c === best,
        fit_ms: c.fitMs,
      })),
    };
    let noise = 0;
    for (const l of labels) if (l < 0) noise++;
    fitted = {
      algorithm: best.algorithm,
      params: { ...best.params, max_clusters: request.maxClusters ?? 10 },
      centers: clusterMeans(x, labels, best.k),
      k: best.k,
      core: null,
      inertia: null,
      n_iter: null,
      n_noise: noise,
      backend: res.backend,
    };
  } else {
    const eps = request.eps ?? DBSCAN_DEFAULTS.eps;
    const minSamples = request.minSamples ?? DBSCAN_DEFAULTS.minSamples;
    const res = await dbscan(x, { eps, minSamples }, backend);
    labels = res.labels;
    timings.init = 0;
    timings.fit = res.timings.fit;
    fitted = {
      algorithm: "dbscan",
      params: { eps, min_samples: minSamples },
      centers: clusterMeans(x, labels, res.nClusters),
      k: res.nClusters,
      core: Array.from(res.core, Boolean),
      inertia: null,
      n_iter: null,
      n_noise: res.nNoise,
      backend: res.backend,
    };
  }

  t0 = performance.now();
  let metrics: SegmentReport["metrics"] = null;
  let metricsError: string | undefined;
  try {
    const e = await evaluate(x, labels, backend, { randomState });
    metrics = {
      silhouette: e.silhouette,
      davies_bouldin: e.daviesBouldin,
      calinski_harabasz: e.calinskiHarabasz,
      silhouette_mode: e.silhouetteMode,
      silhouette_rows: e.silhouetteRows,
    };
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    metricsError = err.message;
  }
  timings.metrics = performance.now() - t0;

  const { d } = x;
  const standardized = toRows(fitted.centers, d);
  const original = scaler ? toRows(unstandardize(fitted.centers, scaler), d) : standardized;
  return {
    algorithm: fitted.algorithm,
    params: { ...fitted.params, standardize: scale },
    backend: { name: fitted.backend, description: backend.info.description },
    n: x.n,
    d,
    columns: [...request.columns],
    labels: Array.from(labels),
    n_clusters: fitted.k,
    n_noise: fitted.n_noise,
    centers: { original, standardized: scaler ? standardized : null },
    core: fitted.core,
    inertia: fitted.inertia,
    n_iter: fitted.n_iter,
    metrics,
    ...(metricsError ? { metrics_error: metricsError } : {}),
    ...extra,
    timings_ms: timings,
  };
}

function clusterMeans(x: Matrix, labels: Int32Array, k: number): Float64Array {
  const { data, d } = x;
  const sums = new Float64Array(k * d);
  const counts = new Float64Array(k);
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i]!;
    if (c < 0) continue;
    counts[c]!++;
    for (let j = 0; j < d; j++) sums[c * d + j]! += data[i * d + j]!;
  }
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) sums[c * d + j]! /= counts[c]!;
  return sums;
}

function toRows(flat: ArrayLike<number>, d: number): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < flat.length; i += d) {
    rows.push(Array.from({ length: d }, (_, j) => flat[i + j]!));
  }
  return rows;
}
