/** The stored 2-D projection of a segmentation: PCA of the features, centres in the same plane. */
import assert from "node:assert/strict";
import { fromRows } from "../../../compute/matrix.ts";
import { projectForScatter } from "../../../domain/segmentation/projection.ts";

Deno.test("projectForScatter projects with PCA and puts the centroids in the same space", () => {
  const rows = [[0, 0, 1], [1, 1, 1], [2, 2, 0], [8, 8, 1], [9, 9, 0], [10, 10, 1]];
  const labels = Int32Array.from([0, 0, 0, 1, 1, 1]);
  const p = projectForScatter(fromRows(rows), labels);
  assert.equal(p.points.length, 12);
  assert.ok(p.explainedVarianceRatio[0] > 0.9);
  assert.ok(p.explainedVarianceRatio[0] >= p.explainedVarianceRatio[1]);
  const centers = [[1, 1, 2 / 3], [9, 9, 2 / 3]];
  const q = projectForScatter(fromRows(rows), labels, centers);
  for (let c = 0; c < 2; c++) {
    for (let a = 0; a < 2; a++) {
      assert.ok(Math.abs(p.centroids[c]![a]! - q.centroids[c]![a]!) < 1e-5);
    }
  }
  // Cluster 0's centre lies left of cluster 1's along PC1.
  assert.ok(p.centroids[0]![0] < p.centroids[1]![0]);

  const one = projectForScatter(fromRows([[1], [2], [3]]), Int32Array.from([0, 0, 1]));
  assert.deepEqual(one.explainedVarianceRatio, [1, 0]);
  assert.deepEqual([one.points[1], one.points[3], one.points[5]], [0, 0, 0]);
  assert.throws(() => projectForScatter(fromRows(rows), Int32Array.from([0])), RangeError);
});
