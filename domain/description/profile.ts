/**
 * Cluster profiles (document 001, "segment cluster profiles"): for every cluster, descriptive
 * statistics of each feature in its original units, size and share, spread and density, the
 * distribution of each categorical field, its most distinctive categories (TF-IDF, as the
 * EchoIntel backend's `top_categories`), the features that differentiate it from the rest of the
 * customers, how it compares with the whole population, and its nearest other cluster.
 *
 * Definitions (the contract of every number in the output):
 *
 * - **Noise** (label −1, DBSCAN) is profiled as its own group, returned in `noise` (null when no
 *   row is noise) and never in `clusters`. It is part of the population (every row passed in),
 *   of "the rest" in effect sizes, and of the TF-IDF corpus, but never another cluster's
 *   nearest cluster. Shares are over all rows, so the clusters' shares sum to 1 − noise share.
 * - **std** is the population standard deviation (ddof = 0, as numpy's `std` and scikit-learn's
 *   `StandardScaler`); a singleton or constant group has std 0.
 * - **Quantiles** are exact order statistics (found by selection in O(n), not estimated), and
 *   q1/q3 use numpy's default `method="linear"` (R type 7, pandas `describe`) bit for bit;
 *   `median` is numpy's `median` (the mean of the two middle values for an even count).
 * - **spread** is the mean Euclidean distance from the cluster's rows to its centroid in
 *   standardised units (the `standardized` matrix when given, else the numeric columns z-scored
 *   with the population std).
 * - **density** is 1 / r, r being the root-mean-square distance between two members of the
 *   cluster in standardised units, computed exactly in O(n·d) from the identity
 *   Σ_{i<j} ‖xᵢ − xⱼ‖² = n Σᵢ ‖xᵢ − c‖². `relative_density` is r_population / r_cluster: above
 *   1 the cluster is tighter than the population as a whole. Both are null where r is undefined
 *   or zero (a singleton, or members that all coincide): no pairs, or infinitely dense.
 * - **effect_size** is Cohen's d of the cluster against the rest (every other row, noise
 *   included), with the pooled standard deviation √((SS_cluster + SS_rest) / (n − 2)); 0 where
 *   the pooled std is zero (also when both sides are constant but differ: d is undefined there).
 *   `direction` says whether the cluster mean is higher or lower than the rest's.
 * - **vs_population**: `z_diff` = (cluster mean − population mean) / population std (0 for a
 *   constant feature); `ratio` = cluster mean / population mean (null where that mean is 0).
 * - **nearest_cluster**: the other cluster whose centroid is closest in standardised units (ties
 *   to the lower id), and the features with the largest |Cohen's d| between the two clusters.
 * - **Categorical fields**: a value may be one level (gender, region) or a list of levels
 *   (product types). `count` is the number of members having the level (a level listed twice
 *   by one customer counts once) and `share` = count / size; for list-valued fields the shares
 *   can add up to more than 1. Each distribution keeps the `topLevels` most frequent levels
 *   (ties by level, code-unit order). Level keys that look like integers are ordered by
 *   JavaScript before the others, so read the order from `count`, not from the keys.
 * - **top_categories**: each group (noise included) is a document whose terms are its levels,
 *   with term frequency = count; scores are scikit-learn's `TfidfVectorizer` defaults (smooth
 *   idf = ln((1 + G) / (1 + df)) + 1, rows L2-normalised). The top `topCategories` per field,
 *   ties by count then level.
 */
import type { Matrix } from "../../compute/matrix.ts";

/** A numeric feature in original units, one value per row. */
export interface NumericColumn {
  readonly name: string;
  readonly values: ArrayLike<number>;
}

/** A categorical field, one level (or a list of levels) per row. */
export interface CategoricalColumn {
  readonly name: string;
  readonly values: readonly (string | readonly string[])[];
}

/** What `profileClusters` reads. */
export interface ProfileInput {
  /** Cluster of every row: a non-negative id, or −1 for noise. */
  readonly labels: ArrayLike<number>;
  readonly numeric: readonly NumericColumn[];
  readonly categorical?: readonly CategoricalColumn[];
  /**
   * The matrix the clustering ran on (n rows, any columns), for spread, density and centroid
   * distances. Without it the numeric columns are z-scored here.
   */
  readonly standardized?: Matrix;
}

/** Options of `profileClusters`. */
export interface ProfileOptions {
  /** Entries of `differentiating` and of `nearest_cluster.separating`. */
  topFeatures?: number;
  /** Levels kept in each categorical distribution. */
  topLevels?: number;
  /** Levels in each field's `top_categories` (the EchoIntel reference uses 5). */
  topCategories?: number;
}

/** The defaults of `ProfileOptions`. */
export const PROFILE_DEFAULTS: Required<ProfileOptions> = {
  topFeatures: 5,
  topLevels: 10,
  topCategories: 5,
};

/** Descriptive statistics of one feature over one group, original units. */
export interface FeatureStats {
  mean: number;
  median: number;
  /** Population standard deviation (ddof = 0). */
  std: number;
  min: number;
  max: number;
  /** 25th percentile, numpy's linear interpolation. */
  q1: number;
  /** 75th percentile, numpy's linear interpolation. */
  q3: number;
}

/** How many members of a group have a level, and which share of the group that is. */
export interface LevelCount {
  count: number;
  share: number;
}

/** A distinctive level of a group and its TF-IDF score. */
export interface TopCategory {
  level: string;
  tfidf: number;
  count: number;
}

/** A feature that sets a cluster apart from the rest of the customers. */
export interface Differentiator {
  feature: string;
  /** Cohen's d, cluster against the rest (pooled std). */
  effect_size: number;
  direction: "higher" | "lower";
  cluster_mean: number;
  rest_mean: number;
}

/** A feature that sets a cluster apart from its nearest cluster. */
export interface Separator {
  feature: string;
  /** Cohen's d, this cluster against the nearest one (pooled std). */
  effect_size: number;
  direction: "higher" | "lower";
  cluster_mean: number;
  other_mean: number;
}

/** A cluster's mean against the population's, for one feature. */
export interface PopulationComparison {
  z_diff: number;
  ratio: number | null;
}

/** The closest other cluster and what separates the two. */
export interface NearestCluster {
  cluster_id: number;
  /** Euclidean distance between the centroids, standardised units. */
  distance: number;
  separating: Separator[];
}

/** The profile of one cluster (or of the noise group, `cluster_id` −1). */
export interface ClusterProfile {
  cluster_id: number;
  size: number;
  /** size / all rows (noise included). */
  share: number;
  features: Record<string, FeatureStats>;
  spread: number;
  density: number | null;
  relative_density: number | null;
  categorical: Record<string, Record<string, LevelCount>>;
  top_categories: Record<string, TopCategory[]>;
  differentiating: Differentiator[];
  vs_population: Record<string, PopulationComparison>;
  /** Null when there is no other cluster. */
  nearest_cluster: NearestCluster | null;
}

/** The statistics of every row together. */
export interface PopulationProfile {
  size: number;
  features: Record<string, FeatureStats>;
  spread: number;
  density: number | null;
  categorical: Record<string, Record<string, LevelCount>>;
}

/** The output of `profileClusters`: plain data, snake_case, ready for JSON. */
export interface ClusterProfiles {
  n_rows: number;
  n_clusters: number;
  n_noise: number;
  population: PopulationProfile;
  /** Ordered by cluster id. */
  clusters: ClusterProfile[];
  /** The rows labelled −1 as one group; null when there are none. */
  noise: ClusterProfile | null;
}

/**
 * Profiles every cluster of `input.labels` (see the module comment for each definition). All
 * arrays must have one entry per row; feature names must be unique within numeric and within
 * categorical fields. Deterministic: the same input gives the same output.
 *
 * @throws {RangeError} on an empty input, a length mismatch, a label below −1 or not an
 *   integer, a duplicate name, or a negative or non-integer option.
 * @throws {TypeError} on a non-finite numeric value (naming the feature and row).
 *
 * @example
 * ```ts
 * import { profileClusters } from "./profile.ts";
 * const p = profileClusters({
 *   labels: new Int32Array([0, 0, 1, 1]),
 *   numeric: [{ name: "spend", values: new Float64Array([10, 20, 300, 500]) }],
 * });
 * if (p.clusters[1]!.features.spend!.median !== 400) throw new Error();
 * if (p.clusters[0]!.differentiating[0]!.direction !== "lower") throw new Error();
 * ```
 */
export function profileClusters(
  input: ProfileInput,
  options: ProfileOptions = {},
): ClusterProfiles {
  const opts = { ...PROFILE_DEFAULTS, ...options };
  for (const [key, v] of Object.entries(opts)) {
    if (!Number.isInteger(v) || v < 0) {
      throw new RangeError(`Expected ${key} to be a non-negative integer but found ${v}`);
    }
  }
  const groups = groupRows(input.labels);
  const n = groups.n;
  checkInput(input, n);

  const numeric = numericStats(input.numeric, groups);
  const geometry = input.standardized
    ? geometryFromMatrix(input.standardized, groups)
    : geometryFromColumns(input.numeric, numeric, groups);
  const categorical = categoricalStats(input.categorical ?? [], groups);

  const profiles: ClusterProfile[] = [];
  for (let g = 0; g < groups.count; g++) {
    profiles.push(groupProfile(g, groups, numeric, geometry, categorical, input.numeric, opts));
  }
  const hasNoise = groups.count > groups.clusters;
  return {
    n_rows: n,
    n_clusters: groups.clusters,
    n_noise: hasNoise ? groups.size[groups.count - 1]! : 0,
    population: {
      size: n,
      features: Object.fromEntries(
        input.numeric.map((c, j) => [c.name, numeric.population[j]!.stats]),
      ),
      spread: geometry.spread[groups.count]!,
      density: densityOf(geometry.rmsPair[groups.count]!),
      categorical: Object.fromEntries(
        categorical.map((f) => [f.name, distribution(f, groups.count, n, opts.topLevels)]),
      ),
    },
    clusters: profiles.slice(0, groups.clusters),
    noise: hasNoise ? profiles[groups.count - 1]! : null,
  };
}

/** Rows grouped by label: clusters 0..clusters−1 by ascending id, then noise if any. */
interface Groups {
  n: number;
  /** Number of groups, noise included. */
  count: number;
  /** Number of clusters (groups that are not noise). */
  clusters: number;
  ids: number[];
  groupOf: Int32Array;
  size: Int32Array;
  /** Row indices ordered by group; group g is order[start[g]..start[g + 1]). */
  order: Int32Array;
  start: Int32Array;
}

function groupRows(labels: ArrayLike<number>): Groups {
  const n = labels.length;
  if (n === 0) throw new RangeError("Expected at least one row but found none");
  const seen = new Map<number, number>();
  let hasNoise = false;
  for (let i = 0; i < n; i++) {
    const l = labels[i]!;
    if (!Number.isInteger(l) || l < -1) {
      throw new RangeError(
        `Expected labels to be integers ≥ −1 (−1 = noise) but found ${l} at row ${i}`,
      );
    }
    if (l === -1) hasNoise = true;
    else if (!seen.has(l)) seen.set(l, 0);
  }
  const ids = [...seen.keys()].sort((a, b) => a - b);
  ids.forEach((id, g) => seen.set(id, g));
  const clusters = ids.length;
  const count = clusters + (hasNoise ? 1 : 0);
  if (hasNoise) ids.push(-1);
  const groupOf = new Int32Array(n);
  const size = new Int32Array(count);
  for (let i = 0; i < n; i++) {
    const l = labels[i]!;
    const g = l === -1 ? clusters : seen.get(l)!;
    groupOf[i] = g;
    size[g]!++;
  }
  const start = new Int32Array(count + 1);
  for (let g = 0; g < count; g++) start[g + 1] = start[g]! + size[g]!;
  const next = start.slice(0, count);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[next[groupOf[i]!]!++] = i;
  return { n, count, clusters, ids, groupOf, size, order, start };
}

function checkInput(input: ProfileInput, n: number): void {
  const names = new Set<string>();
  for (const c of input.numeric) {
    if (names.has(c.name)) throw new RangeError(`Duplicate numeric feature "${c.name}"`);
    names.add(c.name);
    if (c.values.length !== n) {
      throw new RangeError(
        `Expected ${n} values of feature "${c.name}" (one per label) but found ${c.values.length}`,
      );
    }
    // v − v is 0 for a finite v and NaN otherwise: one branch-free sum checks the column.
    let probe = 0;
    for (let i = 0; i < n; i++) probe += c.values[i]! - c.values[i]!;
    if (probe !== 0) {
      const i = Array.prototype.findIndex.call(c.values, (v: number) => !Number.isFinite(v));
      throw new TypeError(
        `Expected finite numbers but found ${c.values[i]} in feature "${c.name}" at row ${i}`,
      );
    }
  }
  names.clear();
  for (const c of input.categorical ?? []) {
    if (names.has(c.name)) throw new RangeError(`Duplicate categorical field "${c.name}"`);
    names.add(c.name);
    if (c.values.length !== n) {
      throw new RangeError(
        `Expected ${n} values of field "${c.name}" (one per label) but found ${c.values.length}`,
      );
    }
  }
  const m = input.standardized;
  if (m && m.n !== n) {
    throw new RangeError(`Expected the standardized matrix to have ${n} rows but found ${m.n}`);
  }
}

/** Per-group moments of one feature; `ss` is the sum of squared deviations from the mean. */
interface Moments {
  stats: FeatureStats;
  sum: number;
  ss: number;
}

interface NumericStats {
  /** [feature][group] */
  groups: Moments[][];
  population: Moments[];
  /** Population std with constant columns mapped to 0 (the z-score divisor). */
  zStd: Float64Array;
}

function numericStats(columns: readonly NumericColumn[], groups: Groups): NumericStats {
  const { n, count, order, start } = groups;
  const scratch = new Float64Array(n);
  const out: Moments[][] = [];
  const population: Moments[] = [];
  const zStd = new Float64Array(columns.length);
  for (let j = 0; j < columns.length; j++) {
    const values = columns[j]!.values;
    for (let p = 0; p < n; p++) scratch[p] = values[order[p]!]!;
    const perGroup: Moments[] = [];
    for (let g = 0; g < count; g++) perGroup.push(moments(scratch, start[g]!, start[g + 1]!));
    out.push(perGroup);
    // Selection only permutes within each group's run, so the scratch column still holds every
    // value once: the population's statistics come from it without another copy.
    const pop = moments(scratch, 0, n);
    population.push(pop);
    zStd[j] = isConstant(pop.stats.std, pop.stats) ? 0 : pop.stats.std;
  }
  return { groups: out, population, zStd };
}

/**
 * The statistics of `x[s..e)` (two-pass sum of squares, so raw magnitudes stay exact). The
 * quartiles come from selection, which reorders the range.
 */
function moments(x: Float64Array, s: number, e: number): Moments {
  const m = e - s;
  let min = x[s]!, max = min, sum = 0;
  for (let i = s; i < e; i++) {
    const v = x[i]!;
    sum += v;
    if (v < min) min = v;
    else if (v > max) max = v;
  }
  if (min === max) {
    // A constant run: report its value and std 0 exactly, not the rounding of sum / m.
    return {
      stats: { mean: min, median: min, std: 0, min, max, q1: min, q3: min },
      sum: min * m,
      ss: 0,
    };
  }
  const mean = Math.min(max, Math.max(min, sum / m));
  let ss = 0;
  for (let i = s; i < e; i++) {
    const t = x[i]! - mean;
    ss += t * t;
  }
  const [q1, median, q3] = quartiles(x, s, e);
  return { stats: { mean, median, std: Math.sqrt(ss / m), min, max, q1, q3 }, sum, ss };
}

/**
 * The q-quantile of an ascending array with numpy's default `method="linear"`, including its
 * interpolation rule (from the upper value when the fraction is ≥ 0.5), so results match numpy
 * to the last bit.
 *
 * @throws {RangeError} on an empty array.
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const m = sorted.length;
  if (m === 0) throw new RangeError("Expected at least one value but found none");
  const h = q * (m - 1);
  const lo = Math.floor(h);
  const a = sorted[lo]!;
  return lo + 1 >= m ? a : lerp(a, sorted[lo + 1]!, h - lo);
}

/** numpy's `_lerp`: from the upper end when t ≥ 0.5, which keeps the result monotone in t. */
function lerp(a: number, b: number, t: number): number {
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/**
 * [q1, median, q3] of `x[s..e)` (m ≥ 2 values), as `quantileSorted` and numpy's `median` on
 * the sorted range would give, in O(m) expected time: the median's rank is selected first, then
 * each quartile's rank within the half that must hold it, and the next order statistic (for the
 * interpolation) is the minimum of what lies above.
 */
function quartiles(x: Float64Array, s: number, e: number): [number, number, number] {
  const m = e - s, last = e - 1;
  const k2 = s + ((m - 1) >> 1);
  select(x, s, last, k2);
  const mid = x[k2]!;
  const above = minOf(x, k2 + 1, e); // the order statistic after the median's rank
  const median = m % 2 === 1 ? mid : (mid + above) / 2;

  const h1 = 0.25 * (m - 1), k1 = s + Math.floor(h1);
  let a1 = mid, b1 = above;
  if (k1 < k2) {
    select(x, s, k2 - 1, k1);
    a1 = x[k1]!;
    b1 = k1 + 1 === k2 ? mid : minOf(x, k1 + 1, k2);
  }
  const h3 = 0.75 * (m - 1), k3 = s + Math.floor(h3);
  let a3 = mid, b3 = above;
  if (k3 > k2) {
    select(x, k2 + 1, last, k3);
    a3 = x[k3]!;
    b3 = k3 === last ? a3 : minOf(x, k3 + 1, e);
  }
  const t1 = h1 - Math.floor(h1), t3 = h3 - Math.floor(h3);
  return [t1 === 0 ? a1 : lerp(a1, b1, t1), median, t3 === 0 ? a3 : lerp(a3, b3, t3)];
}

function minOf(x: Float64Array, s: number, e: number): number {
  let v = x[s]!;
  for (let i = s + 1; i < e; i++) if (x[i]! < v) v = x[i]!;
  return v;
}

/**
 * Selection on `x[lo..hi]` (inclusive): afterwards `x[k]` holds the value a sort would put
 * there, with nothing greater before it and nothing smaller after. Median-of-three pivots and a
 * branch-free Lomuto partition: comparisons against a pivot near the median are coin flips, and
 * on V8 avoiding the mispredicted branch is about 3× faster than Hoare's partition. Equal keys
 * are split off only when a round makes no progress, so runs of ties stay linear. After more
 * rounds than a balanced run needs (an adversarial order) the range is sorted instead, so the
 * worst case stays O(m log m).
 */
function select(x: Float64Array, lo: number, hi: number, k: number): void {
  let budget = 2 * (32 - Math.clz32(hi - lo + 1)) + 4;
  while (hi - lo > 16) {
    if (budget-- === 0) {
      x.subarray(lo, hi + 1).sort();
      return;
    }
    const a = x[lo]!, b = x[(lo + hi) >>> 1]!, c = x[hi]!;
    const p = a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);
    let s = lo;
    for (let i = lo; i <= hi; i++) {
      const v = x[i]!;
      x[i] = x[s]!;
      x[s] = v;
      s += +(v < p);
    }
    // x[lo..s) < p ≤ x[s..hi]; p itself is on the right, so both moves below make progress.
    if (k < s) {
      hi = s - 1;
      continue;
    }
    if (s > lo) {
      lo = s;
      continue;
    }
    let e = s;
    for (let i = s; i <= hi; i++) {
      const v = x[i]!;
      x[i] = x[e]!;
      x[e] = v;
      e += +(v <= p);
    }
    if (k < e) return; // x[s..e) all equal p
    lo = e;
  }
  for (let i = lo + 1; i <= hi; i++) {
    const v = x[i]!;
    let j = i - 1;
    while (j >= lo && x[j]! > v) {
      x[j + 1] = x[j]!;
      j--;
    }
    x[j + 1] = v;
  }
}

function isConstant(std: number, stats: FeatureStats): boolean {
  return std <= 1e-12 * Math.max(Math.abs(stats.min), Math.abs(stats.max));
}

/** Spread and pairwise scale per group, the population last; centroids for nearest clusters. */
interface Geometry {
  /** [group * dims + c], groups then the population. */
  centroids: Float64Array;
  dims: number;
  /** Mean distance to the centroid, per group then the population. */
  spread: Float64Array;
  /** RMS distance between two members (0 when undefined), per group then the population. */
  rmsPair: Float64Array;
}

function geometryFromMatrix(m: Matrix, groups: Groups): Geometry {
  const { data, d } = m;
  const { n, count, groupOf, size } = groups;
  const centroids = new Float64Array((count + 1) * d);
  const pop = count * d;
  for (let i = 0; i < n; i++) {
    const o = i * d, c = groupOf[i]! * d;
    for (let j = 0; j < d; j++) {
      const v = data[o + j]!;
      centroids[c + j]! += v;
      centroids[pop + j]! += v;
    }
  }
  for (let g = 0; g <= count; g++) {
    const inv = 1 / (g === count ? n : size[g]!);
    for (let j = 0; j < d; j++) centroids[g * d + j]! *= inv;
  }
  const sumD = new Float64Array(count + 1), sumD2 = new Float64Array(count + 1);
  for (let i = 0; i < n; i++) {
    const o = i * d, g = groupOf[i]!, c = g * d;
    let s = 0, p = 0;
    for (let j = 0; j < d; j++) {
      const v = data[o + j]!;
      const t = v - centroids[c + j]!, u = v - centroids[pop + j]!;
      s += t * t;
      p += u * u;
    }
    sumD[g]! += Math.sqrt(s);
    sumD2[g]! += s;
    sumD[count]! += Math.sqrt(p);
    sumD2[count]! += p;
  }
  return finishGeometry(centroids, d, sumD, sumD2, groups);
}

/** The same as `geometryFromMatrix` over the numeric columns z-scored (population std). */
function geometryFromColumns(
  columns: readonly NumericColumn[],
  stats: NumericStats,
  groups: Groups,
): Geometry {
  const { n, count, groupOf } = groups;
  const d = columns.length;
  const centroids = new Float64Array((count + 1) * d);
  const d2 = new Float64Array(n), p2 = new Float64Array(n);
  const mean = new Float64Array(count);
  for (let j = 0; j < d; j++) {
    const s = stats.zStd[j]!;
    if (s === 0) continue; // a constant column is all zeros once z-scored
    const inv = 1 / s;
    const mu = stats.population[j]!.stats.mean;
    for (let g = 0; g < count; g++) {
      mean[g] = stats.groups[j]![g]!.stats.mean;
      centroids[g * d + j] = (mean[g]! - mu) * inv;
    }
    const values = columns[j]!.values;
    // Column by column: the values are columns, so rows accumulate their squared distances.
    for (let i = 0; i < n; i++) {
      const v = values[i]!;
      const t = (v - mean[groupOf[i]!]!) * inv, u = (v - mu) * inv;
      d2[i]! += t * t;
      p2[i]! += u * u;
    }
  }
  const sumD = new Float64Array(count + 1), sumD2 = new Float64Array(count + 1);
  for (let i = 0; i < n; i++) {
    const g = groupOf[i]!;
    sumD[g]! += Math.sqrt(d2[i]!);
    sumD2[g]! += d2[i]!;
    sumD[count]! += Math.sqrt(p2[i]!);
    sumD2[count]! += p2[i]!;
  }
  return finishGeometry(centroids, d, sumD, sumD2, groups);
}

function finishGeometry(
  centroids: Float64Array,
  dims: number,
  sumD: Float64Array,
  sumD2: Float64Array,
  groups: Groups,
): Geometry {
  const { count, size, n } = groups;
  const spread = new Float64Array(count + 1), rmsPair = new Float64Array(count + 1);
  for (let g = 0; g <= count; g++) {
    const m = g === count ? n : size[g]!;
    spread[g] = sumD[g]! / m;
    // Σ_{i<j} ‖xi − xj‖² = m Σ ‖xi − c‖², over m(m − 1)/2 pairs.
    rmsPair[g] = m < 2 ? 0 : Math.sqrt((2 * sumD2[g]!) / (m - 1));
  }
  return { centroids, dims, spread, rmsPair };
}

/** Below this RMS pairwise distance (standardised units) members are taken to coincide. */
const ZERO_SPREAD = 1e-9;

function densityOf(rms: number): number | null {
  return rms > ZERO_SPREAD ? 1 / rms : null;
}

/** Member counts of each level per group (noise included), and the population's. */
interface CategoricalStats {
  name: string;
  levels: string[];
  /** [group * levels + level], the population last. */
  counts: Int32Array;
}

function categoricalStats(
  columns: readonly CategoricalColumn[],
  groups: Groups,
): CategoricalStats[] {
  const { n, count, groupOf } = groups;
  return columns.map(({ name, values }) => {
    const index = new Map<string, number>();
    const levels: string[] = [];
    const levelOf = (s: string): number => {
      let l = index.get(s);
      if (l === undefined) {
        l = levels.length;
        index.set(s, l);
        levels.push(s);
      }
      return l;
    };
    // (row, level) pairs, each level once per row.
    const pairs: number[] = [];
    const lastRow: number[] = [];
    for (let i = 0; i < n; i++) {
      const v = values[i]!;
      if (typeof v === "string") {
        pairs.push(i, levelOf(v));
        continue;
      }
      if (!Array.isArray(v)) {
        throw new TypeError(
          `Expected field "${name}" to hold a string or a list of strings at row ${i} but found ${typeof v}`,
        );
      }
      for (const s of v) {
        if (typeof s !== "string") {
          throw new TypeError(
            `Expected the levels of field "${name}" to be strings but found ${typeof s} at row ${i}`,
          );
        }
        const l = levelOf(s);
        if (lastRow[l] === i) continue;
        lastRow[l] = i;
        pairs.push(i, l);
      }
    }
    const L = levels.length;
    const counts = new Int32Array((count + 1) * L);
    for (let p = 0; p < pairs.length; p += 2) {
      const l = pairs[p + 1]!;
      counts[groupOf[pairs[p]!]! * L + l]!++;
      counts[count * L + l]!++;
    }
    return { name, levels, counts };
  });
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function distribution(
  f: CategoricalStats,
  g: number,
  size: number,
  top: number,
): Record<string, LevelCount> {
  const L = f.levels.length;
  const o = g * L;
  const present: number[] = [];
  for (let l = 0; l < L; l++) if (f.counts[o + l]! > 0) present.push(l);
  present.sort((a, b) =>
    f.counts[o + b]! - f.counts[o + a]! || compareStrings(f.levels[a]!, f.levels[b]!)
  );
  return Object.fromEntries(
    present.slice(0, top).map((l) => {
      const c = f.counts[o + l]!;
      return [f.levels[l]!, { count: c, share: c / size }];
    }),
  );
}

function topCategories(f: CategoricalStats, g: number, groupCount: number, top: number) {
  const L = f.levels.length;
  const o = g * L;
  const scores: { l: number; raw: number }[] = [];
  let norm = 0;
  for (let l = 0; l < L; l++) {
    const c = f.counts[o + l]!;
    if (c === 0) continue;
    let df = 0;
    for (let h = 0; h < groupCount; h++) if (f.counts[h * L + l]! > 0) df++;
    const raw = c * (Math.log((1 + groupCount) / (1 + df)) + 1);
    norm += raw * raw;
    scores.push({ l, raw });
  }
  norm = Math.sqrt(norm);
  scores.sort((a, b) =>
    b.raw - a.raw || f.counts[o + b.l]! - f.counts[o + a.l]! ||
    compareStrings(f.levels[a.l]!, f.levels[b.l]!)
  );
  return scores.slice(0, top).map(({ l, raw }): TopCategory => ({
    level: f.levels[l]!,
    tfidf: raw / norm,
    count: f.counts[o + l]!,
  }));
}

/**
 * Cohen's d of group a (mean, ss, size) against b, pooled std √((ss_a + ss_b) / (n_a + n_b − 2));
 * 0 where the pooled std is zero or within rounding of zero relative to the feature's scale.
 */
function cohenD(
  meanA: number,
  ssA: number,
  nA: number,
  meanB: number,
  ssB: number,
  nB: number,
  scale: number,
): number {
  const dof = nA + nB - 2;
  if (dof <= 0) return 0;
  const pooled = Math.sqrt((ssA + ssB) / dof);
  if (!(pooled > 1e-12 * scale)) return 0;
  return (meanA - meanB) / pooled;
}

function byMagnitude<T extends { effect_size: number; index: number }>(a: T, b: T): number {
  return Math.abs(b.effect_size) - Math.abs(a.effect_size) || a.index - b.index;
}

function groupProfile(
  g: number,
  groups: Groups,
  numeric: NumericStats,
  geometry: Geometry,
  categorical: CategoricalStats[],
  columns: readonly NumericColumn[],
  opts: Required<ProfileOptions>,
): ClusterProfile {
  const { n, count, clusters, size, ids } = groups;
  const m = size[g]!;
  const rest = n - m;
  const features: [string, FeatureStats][] = [];
  const vsPopulation: [string, PopulationComparison][] = [];
  const diff: (Differentiator & { index: number })[] = [];
  for (let j = 0; j < columns.length; j++) {
    const name = columns[j]!.name;
    const mom = numeric.groups[j]![g]!;
    const pop = numeric.population[j]!;
    const mean = mom.stats.mean, popMean = pop.stats.mean;
    features.push([name, mom.stats]);
    const s = numeric.zStd[j]!;
    vsPopulation.push([name, {
      z_diff: s === 0 ? 0 : (mean - popMean) / s,
      ratio: popMean === 0 ? null : mean / popMean,
    }]);
    if (rest === 0) continue;
    const restMean = (pop.sum - mom.sum) / rest;
    // Chan et al.: SS_total = SS_g + SS_rest + m·rest/n·(mean − restMean)².
    const delta = mean - restMean;
    const restSs = s === 0 ? 0 : Math.max(0, pop.ss - mom.ss - (m * rest / n) * delta * delta);
    const scale = Math.max(Math.abs(pop.stats.min), Math.abs(pop.stats.max));
    const d = s === 0 ? 0 : cohenD(mean, mom.ss, m, restMean, restSs, rest, scale);
    diff.push({
      feature: name,
      effect_size: d,
      direction: d > 0 || (d === 0 && delta >= 0) ? "higher" : "lower",
      cluster_mean: mean,
      rest_mean: s === 0 ? mean : restMean,
      index: j,
    });
  }
  diff.sort(byMagnitude);

  return {
    cluster_id: ids[g]!,
    size: m,
    share: m / n,
    features: Object.fromEntries(features),
    spread: geometry.spread[g]!,
    density: densityOf(geometry.rmsPair[g]!),
    relative_density: relativeDensity(geometry.rmsPair[g]!, geometry.rmsPair[count]!),
    categorical: Object.fromEntries(
      categorical.map((f) => [f.name, distribution(f, g, m, opts.topLevels)]),
    ),
    top_categories: Object.fromEntries(
      categorical.map((f) => [f.name, topCategories(f, g, count, opts.topCategories)]),
    ),
    differentiating: diff.slice(0, opts.topFeatures).map(({ index: _, ...rest }) => rest),
    vs_population: Object.fromEntries(vsPopulation),
    nearest_cluster: nearest(g, groups, numeric, geometry, columns, opts.topFeatures, clusters),
  };
}

function relativeDensity(rms: number, popRms: number): number | null {
  return rms > ZERO_SPREAD && popRms > ZERO_SPREAD ? popRms / rms : null;
}

function nearest(
  g: number,
  groups: Groups,
  numeric: NumericStats,
  geometry: Geometry,
  columns: readonly NumericColumn[],
  top: number,
  clusters: number,
): NearestCluster | null {
  const { centroids, dims } = geometry;
  let best = -1, bestD2 = Infinity;
  for (let h = 0; h < clusters; h++) {
    if (h === g) continue;
    let s = 0;
    for (let c = 0; c < dims; c++) {
      const t = centroids[g * dims + c]! - centroids[h * dims + c]!;
      s += t * t;
    }
    if (s < bestD2) {
      bestD2 = s;
      best = h;
    }
  }
  if (best < 0) return null;
  const { size } = groups;
  const separating: (Separator & { index: number })[] = [];
  for (let j = 0; j < columns.length; j++) {
    const a = numeric.groups[j]![g]!, b = numeric.groups[j]![best]!;
    const pop = numeric.population[j]!.stats;
    const scale = Math.max(Math.abs(pop.min), Math.abs(pop.max));
    const d = cohenD(a.stats.mean, a.ss, size[g]!, b.stats.mean, b.ss, size[best]!, scale);
    separating.push({
      feature: columns[j]!.name,
      effect_size: d,
      direction: d > 0 || (d === 0 && a.stats.mean >= b.stats.mean) ? "higher" : "lower",
      cluster_mean: a.stats.mean,
      other_mean: b.stats.mean,
      index: j,
    });
  }
  separating.sort(byMagnitude);
  return {
    cluster_id: groups.ids[best]!,
    distance: Math.sqrt(bestD2),
    separating: separating.slice(0, top).map(({ index: _, ...rest }) => rest),
  };
}
