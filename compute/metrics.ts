/**
 * Internal cluster-validity metrics, as scikit-learn 1.2 defines them (Euclidean distance):
 * the silhouette coefficient (exact, or on a seeded sample), the Davies-Bouldin index and the
 * Calinski-Harabasz index. Rows labelled −1 (DBSCAN noise) are left out of every metric, so a
 * DBSCAN result is scored on its clustered rows; callers report the noise share beside it.
 *
 * Every metric needs between 2 and m − 1 clusters, m being the number of scored rows; outside
 * that range it is undefined and a RangeError says so.
 */
import type { BackendName, ComputeBackend } from "./backend.ts";
import type { Matrix } from "./matrix.ts";
import { takeRows } from "./matrix.ts";
import { createRandom, sampleWithoutReplacement } from "./random.ts";

/** Options of `silhouette`. */
export interface SilhouetteOptions {
  /** Score a uniform sample of this many rows (without replacement) instead of all. */
  sampleSize?: number;
  /** Seed of the sample. */
  randomState?: number;
}

/** A silhouette score and how it was computed. */
export interface SilhouetteScore {
  readonly value: number;
  /** True when computed on a sample. */
  readonly sampled: boolean;
  /** Rows scored. */
  readonly rows: number;
  readonly backend: BackendName;
}

/**
 * The mean silhouette coefficient s(i) = (b − a) / max(a, b), where a is the mean distance from
 * i to the other rows of its cluster and b the lowest mean distance to another cluster; rows of
 * a singleton cluster score 0 (scikit-learn's `silhouette_score`). The O(m²) pairwise pass
 * runs on `backend`. With `sampleSize`, the score is that of a uniform sample of rows, as
 * scikit-learn's `sample_size` + `random_state` (the sample itself differs: other generator).
 *
 * @throws {RangeError} when the scored rows hold fewer than 2 or more than m − 1 clusters.
 */
export async function silhouette(
  x: Matrix,
  labels: ArrayLike<number>,
  backend: ComputeBackend,
  options: SilhouetteOptions = {},
): Promise<SilhouetteScore> {
  if (labels.length !== x.n) {
    throw new RangeError(`Expected ${x.n} labels but found ${labels.length}`);
  }
  let kept = keptRows(labels);
  let sampled = false;
  if (options.sampleSize !== undefined && options.sampleSize < kept.length) {
    const size = options.sampleSize;
    if (!Number.isInteger(size) || size < 2) {
      throw new RangeError(`Expected sample_size to be an integer ≥ 2 but found ${size}`);
    }
    const pick = sampleWithoutReplacement(
      createRandom(options.randomState ?? 0),
      kept.length,
      size,
    );
    kept = Int32Array.from(pick, (p) => kept[p]!);
    sampled = true;
  }
  const { codes, k } = encode(labels, kept);
  checkClusterCount(k, kept.length);
  const sub = kept.length === x.n ? x : takeRows(x, kept);
  const { sums, backend: ran } = await backend.clusterDistanceSums(sub, codes, k);
  return { value: meanSilhouette(sums, codes, k), sampled, rows: codes.length, backend: ran };
}

/** One labelling's outcome in `silhouetteMany`: a score, or null and why it is undefined. */
export type SilhouetteOutcome =
  | { readonly score: SilhouetteScore; readonly reason: null }
  | { readonly score: null; readonly reason: string };

/**
 * `silhouette` for several labellings of the same rows, with one pairwise pass for all of them
 * (`backend.clusterDistanceSumsMany`). Rows labelled −1 in a labelling are left out of that
 * labelling only. A labelling whose scored rows hold fewer than 2 or more than m − 1 clusters
 * gets `score: null` and the reason `silhouette` would have thrown, instead of failing the rest.
 *
 * With `sampleSize`, one sample of the rows of `x` (not of each labelling's non-noise rows, as
 * `silhouette` draws) is shared by every labelling; without −1 rows the two draw the same sample.
 *
 * @throws {RangeError} when a labelling's length is not `x.n`, or `sampleSize` is invalid.
 */
export async function silhouetteMany(
  x: Matrix,
  labelSets: readonly ArrayLike<number>[],
  backend: ComputeBackend,
  options: SilhouetteOptions = {},
): Promise<SilhouetteOutcome[]> {
  for (const labels of labelSets) {
    if (labels.length !== x.n) {
      throw new RangeError(`Expected ${x.n} labels but found ${labels.length}`);
    }
  }
  let rows: Int32Array | undefined;
  if (options.sampleSize !== undefined && options.sampleSize < x.n) {
    const size = options.sampleSize;
    if (!Number.isInteger(size) || size < 2) {
      throw new RangeError(`Expected sample_size to be an integer ≥ 2 but found ${size}`);
    }
    rows = Int32Array.from(
      sampleWithoutReplacement(createRandom(options.randomState ?? 0), x.n, size),
    );
  }
  const sampled = rows !== undefined;
  const sub = rows ? takeRows(x, rows) : x;
  const all = rows ?? Int32Array.from({ length: x.n }, (_, i) => i);
  const outcomes: Array<SilhouetteOutcome | undefined> = [];
  const passes: Array<{ at: number; codes: Int32Array; k: number; m: number }> = [];
  for (const labels of labelSets) {
    // Codes over every row of `sub`, −1 kept in place: the pass skips those rows.
    const picked = Int32Array.from(all, (i) => labels[i]!);
    const kept = keptRows(picked);
    const { codes: keptCodes, k } = encode(picked, kept);
    try {
      checkClusterCount(k, kept.length);
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
      outcomes.push({ score: null, reason: err.message });
      continue;
    }
    const codes = new Int32Array(sub.n).fill(-1);
    for (let r = 0; r < kept.length; r++) codes[kept[r]!] = keptCodes[r]!;
    passes.push({ at: outcomes.length, codes, k, m: kept.length });
    outcomes.push(undefined); // filled in after the pass
  }
  if (passes.length > 0) {
    const { sums, backend: ran } = await backend.clusterDistanceSumsMany(
      sub,
      passes.map((p) => p.codes),
      passes.map((p) => p.k),
    );
    passes.forEach((p, l) => {
      const value = meanSilhouette(sums[l]!, p.codes, p.k);
      outcomes[p.at] = { score: { value, sampled, rows: p.m, backend: ran }, reason: null };
    });
  }
  return outcomes as SilhouetteOutcome[];
}

/**
 * The mean of s(i) over the rows whose code is not −1, from the n × k distance sums of a
 * pairwise pass; rows of a singleton cluster score 0.
 */
function meanSilhouette(sums: Float64Array, codes: Int32Array, k: number): number {
  const sizes = new Float64Array(k);
  let scored = 0;
  for (let i = 0; i < codes.length; i++) {
    if (codes[i]! < 0) continue;
    sizes[codes[i]!]!++;
    scored++;
  }
  let total = 0;
  for (let i = 0; i < codes.length; i++) {
    const own = codes[i]!;
    if (own < 0) continue; // left out (noise)
    if (sizes[own] === 1) continue; // s(i) = 0 for a singleton cluster
    const a = sums[i * k + own]! / (sizes[own]! - 1);
    let b = Infinity;
    for (let c = 0; c < k; c++) {
      if (c !== own) b = Math.min(b, sums[i * k + c]! / sizes[c]!);
    }
    const m = Math.max(a, b);
    total += m > 0 ? (b - a) / m : 0;
  }
  return total / scored;
}

/**
 * The Davies-Bouldin index: the mean over clusters of the worst ratio (S_i + S_j) / M_ij, S the
 * mean distance of a cluster's rows to its centroid and M the distance between centroids
 * (scikit-learn's `davies_bouldin_score`; lower is better, 0 at best).
 *
 * @throws {RangeError} when the scored rows hold fewer than 2 or more than m − 1 clusters.
 */
export function daviesBouldin(x: Matrix, labels: ArrayLike<number>): number {
  return separationScores(x, labels).daviesBouldin;
}

/**
 * The Calinski-Harabasz index: between-cluster dispersion over within-cluster dispersion, each
 * divided by its degrees of freedom (scikit-learn's `calinski_harabasz_score`; higher is better).
 *
 * @throws {RangeError} when the scored rows hold fewer than 2 or more than m − 1 clusters.
 */
export function calinskiHarabasz(x: Matrix, labels: ArrayLike<number>): number {
  return separationScores(x, labels).calinskiHarabasz;
}

/**
 * Both indices from one pass for the centroids and one for the distances to them: the values
 * `daviesBouldin` and `calinskiHarabasz` return, bit for bit (every sum in row order, as they
 * always were). Noise rows (label −1) are left out.
 *
 * @throws {RangeError} when the scored rows hold fewer than 2 or more than m − 1 clusters.
 */
export function separationScores(
  x: Matrix,
  labels: ArrayLike<number>,
): { daviesBouldin: number; calinskiHarabasz: number } {
  if (labels.length !== x.n) {
    throw new RangeError(`Expected ${x.n} labels but found ${labels.length}`);
  }
  const { data, n, d } = x;
  const { codes, k } = encodeAll(labels);
  let m = 0;
  const sizes = new Float64Array(Math.max(k, 1));
  const centroids = new Float64Array(Math.max(k, 1) * d);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const c = codes[i]!;
    if (c < 0) continue;
    m++;
    sizes[c]!++;
    const o = i * d;
    const co = c * d;
    for (let j = 0; j < d; j++) {
      const v = data[o + j]!;
      centroids[co + j]! += v;
      mean[j]! += v;
    }
  }
  checkClusterCount(k, m);
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) centroids[c * d + j]! /= sizes[c]!;
  for (let j = 0; j < d; j++) mean[j]! /= m;

  const spread = new Float64Array(k);
  let intra = 0;
  for (let i = 0; i < n; i++) {
    const c = codes[i]!;
    if (c < 0) continue;
    const o = i * d;
    const co = c * d;
    let s = 0;
    for (let j = 0; j < d; j++) {
      const t = data[o + j]! - centroids[co + j]!;
      const t2 = t * t;
      s += t2;
      intra += t2;
    }
    spread[c]! += Math.sqrt(s);
  }
  for (let c = 0; c < k; c++) spread[c]! /= sizes[c]!;
  return {
    daviesBouldin: daviesBouldinOf(spread, centroids, k, d),
    calinskiHarabasz: calinskiHarabaszOf(centroids, sizes, mean, intra, k, d, m),
  };
}

function daviesBouldinOf(spread: Float64Array, centroids: Float64Array, k: number, d: number) {
  const between = new Float64Array(k * k);
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < k; b++) {
      let s = 0;
      for (let j = 0; j < d; j++) {
        const t = centroids[a * d + j]! - centroids[b * d + j]!;
        s += t * t;
      }
      between[a * k + b] = Math.sqrt(s);
    }
  }
  if (allClose0(spread) || allClose0(between)) return 0;
  let total = 0;
  for (let a = 0; a < k; a++) {
    let worst = 0;
    for (let b = 0; b < k; b++) {
      if (a === b) continue;
      const m = between[a * k + b]!;
      const r = m === 0 ? 0 : (spread[a]! + spread[b]!) / m;
      if (r > worst) worst = r;
    }
    total += worst;
  }
  return total / k;
}

function calinskiHarabaszOf(
  centroids: Float64Array,
  sizes: Float64Array,
  mean: Float64Array,
  intra: number,
  k: number,
  d: number,
  m: number,
): number {
  let extra = 0;
  for (let c = 0; c < k; c++) {
    let s = 0;
    for (let j = 0; j < d; j++) {
      const t = centroids[c * d + j]! - mean[j]!;
      s += t * t;
    }
    extra += sizes[c]! * s;
  }
  if (intra === 0) return 1;
  return (extra * (m - k)) / (intra * (k - 1));
}

/**
 * Every row's label recoded to 0..k−1 in order of first appearance, −1 for noise. Small
 * non-negative labels (the usual case) go through a table instead of a Map.
 */
function encodeAll(labels: ArrayLike<number>): { codes: Int32Array; k: number } {
  const n = labels.length;
  const codes = new Int32Array(n);
  let max = -1;
  let small = true;
  for (let i = 0; i < n; i++) {
    const l = labels[i]!;
    if (l === -1) continue;
    if (!(Number.isInteger(l) && l >= 0 && l < 65536)) {
      small = false;
      break;
    }
    if (l > max) max = l;
  }
  let k = 0;
  if (small) {
    const table = new Int32Array(max + 1).fill(-1);
    for (let i = 0; i < n; i++) {
      const l = labels[i]!;
      if (l === -1) {
        codes[i] = -1;
        continue;
      }
      let c = table[l]!;
      if (c < 0) table[l] = c = k++;
      codes[i] = c;
    }
    return { codes, k };
  }
  const ids = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const l = labels[i]!;
    if (l === -1) {
      codes[i] = -1;
      continue;
    }
    let c = ids.get(l);
    if (c === undefined) ids.set(l, c = ids.size);
    codes[i] = c;
  }
  return { codes, k: ids.size };
}

function keptRows(labels: ArrayLike<number>): Int32Array {
  let m = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] !== -1) m++;
  const kept = new Int32Array(m);
  for (let i = 0, r = 0; i < labels.length; i++) if (labels[i] !== -1) kept[r++] = i;
  return kept;
}

/** Labels of the kept rows recoded to 0..k−1 in order of first appearance. */
function encode(labels: ArrayLike<number>, kept: Int32Array): { codes: Int32Array; k: number } {
  const ids = new Map<number, number>();
  const codes = new Int32Array(kept.length);
  for (let r = 0; r < kept.length; r++) {
    const l = labels[kept[r]!]!;
    let c = ids.get(l);
    if (c === undefined) ids.set(l, c = ids.size);
    codes[r] = c;
  }
  return { codes, k: ids.size };
}

function checkClusterCount(k: number, m: number): void {
  if (k < 2 || k > m - 1) {
    throw new RangeError(
      `Expected between 2 and ${m - 1} clusters (rows scored − 1) but found ${k}: ` +
        "the metric is undefined for a single cluster or one cluster per row",
    );
  }
}

function allClose0(a: Float64Array): boolean {
  // numpy.allclose(a, 0): |a| ≤ atol (1e-8) everywhere.
  return a.every((v) => Math.abs(v) <= 1e-8);
}
