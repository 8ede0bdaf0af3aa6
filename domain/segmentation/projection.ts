/**
 * The 2-D picture of a segmentation that a run stores (`workflow_run.ts`'s `projection`): the
 * customers' standardised features on their first two principal components, and each
 * cluster's centre in the same plane. Computed once with the run, so every figure and report
 * of it draws the same points.
 *
 * @module
 */
import type { Matrix } from "../../compute/matrix.ts";
import { pca, type PcaModel, transformPca } from "../../compute/pca.ts";

/**
 * Projects the (standardised) features `x` onto their first two principal components with
 * `compute/pca.ts`, and the cluster centres into the same space: `centers` (k × d, same
 * standardised space, e.g. KMeans centroids) through the same model when given, else the mean
 * projected point of each label (the same thing for a linear map). With one feature the second
 * coordinate is 0 and its ratio 0.
 *
 * @throws {RangeError} when `labels` or `centers` do not match `x`'s shape, or `x` has fewer
 *   than 2 rows (PCA needs a variance).
 */
export function projectForScatter(
  x: Matrix,
  labels: ArrayLike<number>,
  centers?: Matrix | readonly (readonly number[])[],
): ScatterProjection {
  if (labels.length !== x.n) {
    throw new RangeError(`Expected ${x.n} labels (one per row) but found ${labels.length}`);
  }
  const model = pca(x, { nComponents: Math.min(2, x.n, x.d) });
  const points = toPlane(transformPca(model, x));

  let centroids: [number, number][];
  if (centers !== undefined) {
    const m = Array.isArray(centers) ? rowsToMatrix(centers, x.d) : centers as Matrix;
    if (m.d !== x.d) {
      throw new RangeError(`Expected centers with ${x.d} columns but found ${m.d}`);
    }
    const c = m.n === 0 ? new Float64Array(0) : toPlane(transformPca(model, m));
    centroids = Array.from({ length: m.n }, (_, i) => [c[2 * i]!, c[2 * i + 1]!]);
  } else {
    let k = 0;
    for (let i = 0; i < labels.length; i++) k = Math.max(k, labels[i]! + 1);
    const sums = new Float64Array(2 * k);
    const counts = new Float64Array(k);
    for (let i = 0; i < labels.length; i++) {
      const label = labels[i]!;
      if (label < 0) continue;
      sums[2 * label]! += points[2 * i]!;
      sums[2 * label + 1]! += points[2 * i + 1]!;
      counts[label]! += 1;
    }
    centroids = Array.from({ length: k }, (_, c) => [
      sums[2 * c]! / counts[c]!, // 0 / 0 = NaN marks an empty cluster
      sums[2 * c + 1]! / counts[c]!,
    ]);
  }
  const ratio = model.explainedVarianceRatio;
  return { points, centroids, explainedVarianceRatio: [ratio[0] ?? 0, ratio[1] ?? 0], model };
}

/** The result of `projectForScatter`. */
export interface ScatterProjection {
  /** n × 2 interleaved: customer i at `[2i, 2i + 1]`. */
  points: Float64Array;
  /** One `[x, y]` per cluster id; `[NaN, NaN]` for an empty cluster without given centres. */
  centroids: [number, number][];
  /** Shares of the total variance along PC1 and PC2 (0 for a missing second component). */
  explainedVarianceRatio: [number, number];
  /** The fitted PCA, to project more rows the same way. */
  model: PcaModel;
}

function toPlane(y: Matrix): Float64Array {
  const out = new Float64Array(2 * y.n);
  for (let i = 0; i < y.n; i++) {
    out[2 * i] = y.data[i * y.d]!;
    out[2 * i + 1] = y.d > 1 ? y.data[i * y.d + 1]! : 0;
  }
  return out;
}

function rowsToMatrix(rows: readonly (readonly number[])[], d: number): Matrix {
  const data = new Float32Array(rows.length * d);
  rows.forEach((row, i) => {
    if (row.length !== d) {
      throw new RangeError(`Expected center ${i} to have ${d} values but found ${row.length}`);
    }
    for (let j = 0; j < d; j++) data[i * d + j] = row[j]!;
  });
  return { data, n: rows.length, d };
}
