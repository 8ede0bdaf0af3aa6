/**
 * Which features make the segments, and how firmly the segments hold (document 002:
 * `featureImportance` and `accuracy`).
 *
 * - **Importance** of a feature is its share of the between-cluster sum of squares of the
 *   standardised matrix: column j contributes BSS_j = Σ_c n_c (mean_cj − mean_j)², one-hot (or
 *   any encoded) columns are summed into their original field, and the fields are normalised to
 *   sum to 1. On z-scored columns BSS_j = n·η²_j, so this is also each field's share of the
 *   variance explained by the clustering (η², the R² of a one-way ANOVA).
 * - **Accuracy** (`clusterConfidence`) is the k-fold cross-validated accuracy of a
 *   nearest-centroid classifier that predicts a customer's cluster from the same standardised
 *   features: the centroids are recomputed without the held-out fold, each held-out customer is
 *   assigned to the nearest one, and the accuracy is the share assigned back to their own
 *   cluster. It is **not** a ground-truth accuracy (there are no true segments): it says how
 *   separable and reproducible the segments are. Near 1, every customer sits clearly inside its
 *   segment; near `baseline` (the largest cluster's share, what always guessing that cluster
 *   scores), the segments are no better than chance. For k-means it is close to 1 by
 *   construction (k-means cells are nearest-centroid cells) and measures stability under
 *   resampling; for DBSCAN, Ward or GMM it also tells whether the segments are compact blobs.
 *   Noise rows (−1) are left out.
 */
import type { Matrix } from "../../compute/matrix.ts";
import { createRandom } from "../../compute/random.ts";

/** One original field and its share of the between-cluster variance. */
export interface FeatureImportance {
  name: string;
  importance: number;
}

/**
 * Each original field's share of the between-cluster sum of squares of `standardized` (see the
 * module comment), sorted by importance, descending (ties in field order). Noise rows (−1) are
 * left out. Column j belongs to field `originalFeatureOf[j]` (default: its own field j); field
 * f is named `originalNames[f]` (default `feature_f`). A field with no column scores 0. With a
 * single cluster, or when every cluster has the same centroid, nothing separates the clusters
 * and every field gets 1 / fields, so the importances still sum to 1.
 *
 * @throws {RangeError} on a label count that differs from the rows, a label below −1, no
 *   clustered row, or an `originalFeatureOf` of the wrong length or naming a field that
 *   `originalNames` does not have.
 *
 * @example
 * ```ts
 * import { fromRows } from "../../compute/matrix.ts";
 * import { featureImportance } from "./importance.ts";
 * const x = fromRows([[-1, 0.5], [-1, -0.5], [1, 0.5], [1, -0.5]]);
 * const [first] = featureImportance(x, new Int32Array([0, 0, 1, 1]), [0, 1], ["spend", "age"]);
 * if (first!.name !== "spend" || first!.importance !== 1) throw new Error();
 * ```
 */
export function featureImportance(
  standardized: Matrix,
  labels: ArrayLike<number>,
  originalFeatureOf?: readonly number[],
  originalNames?: readonly string[],
): FeatureImportance[] {
  const { data, n, d } = standardized;
  const { index, ids, size } = clusterIndex(labels, n);
  const k = ids.length;
  if (k === 0) throw new RangeError("Expected at least one clustered row but found only noise");
  const fieldOf = originalFeatureOf ?? Array.from({ length: d }, (_, j) => j);
  if (fieldOf.length !== d) {
    throw new RangeError(
      `Expected originalFeatureOf to have one entry per column (${d}) but found ${fieldOf.length}`,
    );
  }
  const fields = originalNames?.length ?? fieldOf.reduce((a, f) => Math.max(a, f + 1), 0);
  for (let j = 0; j < d; j++) {
    const f = fieldOf[j]!;
    if (!Number.isInteger(f) || f < 0 || f >= fields) {
      throw new RangeError(
        `Expected originalFeatureOf[${j}] to be a field index in [0, ${fields - 1}] but found ${f}`,
      );
    }
  }

  const sums = new Float64Array(k * d);
  const total = new Float64Array(d);
  let m = 0;
  for (let i = 0; i < n; i++) {
    const c = index[i]!;
    if (c < 0) continue;
    m++;
    const o = i * d, s = c * d;
    for (let j = 0; j < d; j++) {
      const v = data[o + j]!;
      sums[s + j]! += v;
      total[j]! += v;
    }
  }
  const perField = new Float64Array(fields);
  let bss = 0;
  for (let j = 0; j < d; j++) {
    const mean = total[j]! / m;
    let b = 0;
    for (let c = 0; c < k; c++) {
      const t = sums[c * d + j]! / size[c]! - mean;
      b += size[c]! * t * t;
    }
    perField[fieldOf[j]!]! += b;
    bss += b;
  }
  // Below rounding of the column means, a between-cluster sum of squares is no separation.
  const separated = bss > 1e-12 * m;
  return Array.from({ length: fields }, (_, f) => ({
    name: originalNames?.[f] ?? `feature_${f}`,
    importance: separated ? perField[f]! / bss : 1 / fields,
  })).sort((a, b) => b.importance - a.importance);
}

/** Options of `clusterConfidence`. */
export interface ConfidenceOptions {
  /** Number of folds (at most the number of clustered rows are used). */
  folds?: number;
  /** Seed of the shuffle that deals each cluster's rows into folds. */
  randomState?: number;
}

/** The defaults of `ConfidenceOptions`. */
export const CONFIDENCE_DEFAULTS: Required<ConfidenceOptions> = { folds: 5, randomState: 0 };

/** The cross-validated separability of the segments. */
export interface ClusterConfidence {
  /** Share of held-out clustered rows that the nearest centroid assigns to their own cluster. */
  accuracy: number;
  /** Folds used. */
  folds: number;
  method: "nearest_centroid_cv";
  /** The largest cluster's share: the accuracy of always predicting that cluster (chance). */
  baseline: number;
}

/**
 * The stratified k-fold cross-validated accuracy of a nearest-centroid classifier predicting
 * the cluster from `standardized` (see the module comment for what it means). Each cluster's
 * rows are shuffled with `randomState` and dealt in turn into the folds, so every fold holds
 * about the same share of every cluster (scikit-learn's `StratifiedKFold` idea; the split
 * itself differs). A cluster with no row outside the held-out fold cannot be predicted in that
 * fold, so its held-out rows count as misses. Squared Euclidean distance in float64; ties go
 * to the lower cluster id. Deterministic for a given `randomState`.
 *
 * @throws {RangeError} on a label count that differs from the rows, a label below −1, fewer
 *   than 2 clusters, or `folds` not an integer ≥ 2.
 *
 * @example
 * ```ts
 * import { fromRows } from "../../compute/matrix.ts";
 * import { clusterConfidence } from "./importance.ts";
 * const x = fromRows([[0, 0], [0, 1], [1, 0], [10, 10], [10, 11], [11, 10]]);
 * const c = clusterConfidence(x, new Int32Array([0, 0, 0, 1, 1, 1]), { folds: 3 });
 * if (c.accuracy !== 1 || c.baseline !== 0.5) throw new Error();
 * ```
 */
export function clusterConfidence(
  standardized: Matrix,
  labels: ArrayLike<number>,
  options: ConfidenceOptions = {},
): ClusterConfidence {
  const { folds: wanted, randomState } = { ...CONFIDENCE_DEFAULTS, ...options };
  if (!Number.isInteger(wanted) || wanted < 2) {
    throw new RangeError(`Expected folds to be an integer ≥ 2 but found ${wanted}`);
  }
  const { data, n, d } = standardized;
  const { index, ids, size } = clusterIndex(labels, n);
  const k = ids.length;
  if (k < 2) {
    throw new RangeError(`Expected at least 2 clusters to tell apart but found ${k}`);
  }
  let m = 0, largest = 0;
  for (let c = 0; c < k; c++) {
    m += size[c]!;
    largest = Math.max(largest, size[c]!);
  }
  const folds = Math.min(wanted, m);

  // Deal each cluster's shuffled rows into folds round-robin, continuing from where the previous
  // cluster stopped, so the folds end up with equal sizes too.
  const rng = createRandom(randomState);
  const members: number[][] = Array.from({ length: k }, () => []);
  for (let i = 0; i < n; i++) if (index[i]! >= 0) members[index[i]!]!.push(i);
  const foldOf = new Int32Array(n).fill(-1);
  let next = 0;
  for (const rows of members) {
    for (let r = rows.length - 1; r > 0; r--) {
      const t = rng.nextInt(r + 1);
      [rows[r], rows[t]] = [rows[t]!, rows[r]!];
    }
    for (const i of rows) {
      foldOf[i] = next;
      next = (next + 1) % folds;
    }
  }

  // Per (fold, cluster) sums once; a fold's training centroid is the total minus its own part.
  const sums = new Float64Array(folds * k * d);
  const counts = new Int32Array(folds * k);
  const totals = new Float64Array(k * d);
  for (let i = 0; i < n; i++) {
    const c = index[i]!;
    if (c < 0) continue;
    const f = foldOf[i]!, o = i * d, s = (f * k + c) * d;
    counts[f * k + c]!++;
    for (let j = 0; j < d; j++) {
      sums[s + j]! += data[o + j]!;
      totals[c * d + j]! += data[o + j]!;
    }
  }
  const centroids = new Float64Array(folds * k * d);
  const usable = new Uint8Array(folds * k);
  for (let f = 0; f < folds; f++) {
    for (let c = 0; c < k; c++) {
      const train = size[c]! - counts[f * k + c]!;
      if (train === 0) continue;
      usable[f * k + c] = 1;
      const s = (f * k + c) * d;
      for (let j = 0; j < d; j++) {
        centroids[s + j] = (totals[c * d + j]! - sums[s + j]!) / train;
      }
    }
  }

  let correct = 0;
  for (let i = 0; i < n; i++) {
    const c = index[i]!;
    if (c < 0) continue;
    const f = foldOf[i]!, o = i * d;
    let best = -1, bestD = Infinity;
    for (let h = 0; h < k; h++) {
      if (!usable[f * k + h]) continue;
      const s = (f * k + h) * d;
      let dist = 0;
      for (let j = 0; j < d; j++) {
        const t = data[o + j]! - centroids[s + j]!;
        dist += t * t;
      }
      if (dist < bestD) {
        bestD = dist;
        best = h;
      }
    }
    if (best === c) correct++;
  }
  return { accuracy: correct / m, folds, method: "nearest_centroid_cv", baseline: largest / m };
}

/** Clusters numbered 0..k−1 by ascending id; −1 for noise. */
function clusterIndex(labels: ArrayLike<number>, n: number) {
  if (labels.length !== n) {
    throw new RangeError(`Expected ${n} labels (one per row) but found ${labels.length}`);
  }
  const seen = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const l = labels[i]!;
    if (!Number.isInteger(l) || l < -1) {
      throw new RangeError(
        `Expected labels to be integers ≥ −1 (−1 = noise) but found ${l} at row ${i}`,
      );
    }
    if (l >= 0) seen.set(l, 0);
  }
  const ids = [...seen.keys()].sort((a, b) => a - b);
  ids.forEach((id, c) => seen.set(id, c));
  const index = new Int32Array(n);
  const size = new Int32Array(ids.length);
  for (let i = 0; i < n; i++) {
    const l = labels[i]!;
    const c = l === -1 ? -1 : seen.get(l)!;
    index[i] = c;
    if (c >= 0) size[c]!++;
  }
  return { index, ids, size };
}
