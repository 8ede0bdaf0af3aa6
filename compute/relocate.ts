/**
 * scikit-learn's `_relocate_empty_clusters_dense`, shared by the Lloyd loops (kmeans.ts's and the
 * CPU backend's bounded one): each empty cluster takes one of the rows farthest from their
 * centres, which leaves its old cluster.
 */
import type { Matrix } from "./matrix.ts";

/**
 * Moves, in `sums` (k × d) and `counts` (k), one of the farthest rows (by `dist2`, ties to the
 * lower row) into each empty cluster, in cluster order.
 */
export function relocateEmptyClusters(
  x: Matrix,
  dist2: Float32Array,
  labels: Int32Array,
  sums: Float64Array,
  counts: Float64Array,
): void {
  const { data, d } = x;
  const empty: number[] = [];
  counts.forEach((c, i) => c === 0 && empty.push(i));
  const order = Array.from(dist2.keys()).sort((a, b) => dist2[b]! - dist2[a]! || a - b);
  for (let e = 0; e < empty.length && e < order.length; e++) {
    const far = order[e]!;
    const from = labels[far]!;
    const to = empty[e]!;
    for (let j = 0; j < d; j++) {
      const v = data[far * d + j]!;
      sums[from * d + j]! -= v;
      sums[to * d + j] = v;
    }
    counts[from]!--;
    counts[to] = 1;
  }
}
