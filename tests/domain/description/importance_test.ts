import assert from "node:assert/strict";
import { fromRows, matrix } from "../../../compute/matrix.ts";
import { createRandom } from "../../../compute/random.ts";
import { standardize } from "../../../compute/standardize.ts";
import { clusterConfidence, featureImportance } from "../../../domain/description/importance.ts";

/** `k` blobs `gap` apart along feature 0; the other features are pure noise. */
function blobs(n: number, d: number, k: number, gap: number, seed = 1) {
  const rng = createRandom(seed);
  const labels = new Int32Array(n);
  const raw = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const c = i % k;
    labels[i] = c;
    for (let j = 0; j < d; j++) raw[i * d + j] = rng.nextNormal() + (j === 0 ? gap * c : 0);
  }
  return { x: standardize(matrix(raw, n, d)).z, labels };
}

function close(actual: number, expected: number, tol = 1e-9): void {
  assert.ok(Math.abs(actual - expected) <= tol, `expected ${expected} but found ${actual}`);
}

Deno.test("featureImportance ranks the separating feature first and sums to 1", () => {
  const { x, labels } = blobs(600, 4, 3, 6);
  const imp = featureImportance(x, labels, undefined, ["spend", "a", "b", "c"]);
  assert.equal(imp[0]!.name, "spend");
  assert.ok(imp[0]!.importance > 0.95);
  close(imp.reduce((s, f) => s + f.importance, 0), 1);
  for (let i = 1; i < imp.length; i++) assert.ok(imp[i - 1]!.importance >= imp[i]!.importance);
  assert.deepEqual(featureImportance(x, labels).map((f) => f.name).slice(0, 1), ["feature_0"]);
});

Deno.test("featureImportance sums encoded columns into their original field", () => {
  // Columns: age, region=north, region=south. Cluster means (n = 2 each):
  // age 0 | 1 → BSS 2·0.25·2 = 1; north 1 | 0 and south 0 | 1 → BSS 1 each.
  const x = fromRows([[0, 1, 0], [0, 1, 0], [1, 0, 1], [1, 0, 1]]);
  const labels = new Int32Array([0, 0, 1, 1]);
  const imp = featureImportance(x, labels, [0, 1, 1], ["age", "region"]);
  assert.deepEqual(imp, [{ name: "region", importance: 2 / 3 }, {
    name: "age",
    importance: 1 / 3,
  }]);
  // A named field without columns scores 0; noise rows are left out.
  const withNoise = featureImportance(
    fromRows([[0, 1, 0], [0, 1, 0], [1, 0, 1], [1, 0, 1], [50, 50, 50]]),
    new Int32Array([0, 0, 1, 1, -1]),
    [0, 1, 1],
    ["age", "region", "unused"],
  );
  assert.deepEqual(withNoise.map((f) => [f.name, f.importance]), [
    ["region", 2 / 3],
    ["age", 1 / 3],
    ["unused", 0],
  ]);
});

Deno.test("featureImportance shares equally when nothing separates the clusters", () => {
  const x = fromRows([[1, 2], [1, 2], [3, 4]]);
  assert.deepEqual(featureImportance(x, new Int32Array([5, 5, 5])).map((f) => f.importance), [
    0.5,
    0.5,
  ]);
  assert.throws(() => featureImportance(x, new Int32Array([-1, -1, -1])), /only noise/);
  assert.throws(() => featureImportance(x, new Int32Array([0, 1])), /Expected 3 labels/);
  assert.throws(() => featureImportance(x, new Int32Array([0, 1, 1]), [0]), /one entry per column/);
  assert.throws(
    () => featureImportance(x, new Int32Array([0, 1, 1]), [0, 2], ["a", "b"]),
    /originalFeatureOf\[1\] .* \[0, 1\] but found 2/,
  );
});

Deno.test("clusterConfidence is 1 on well-separated blobs", () => {
  const { x, labels } = blobs(900, 5, 3, 20);
  const c = clusterConfidence(x, labels);
  assert.deepEqual(c, { accuracy: 1, folds: 5, method: "nearest_centroid_cv", baseline: 1 / 3 });
});

Deno.test("clusterConfidence is near chance on random labels", () => {
  const rng = createRandom(3);
  const { x } = blobs(2000, 4, 1, 0, 9);
  const labels = new Int32Array(2000).map(() => rng.nextInt(4));
  const c = clusterConfidence(x, labels, { folds: 5, randomState: 1 });
  assert.ok(c.accuracy < c.baseline + 0.06, `accuracy ${c.accuracy}, chance ${c.baseline}`);
  assert.ok(c.baseline < 0.28);
});

Deno.test("clusterConfidence drops noise, caps folds and counts unpredictable clusters", () => {
  // Cluster 7 has one row: held out, it has no training centroid and counts as a miss.
  const x = fromRows([[0], [0.1], [0.2], [0.3], [10], [99]]);
  const c = clusterConfidence(x, new Int32Array([3, 3, 3, 3, 7, -1]), { folds: 10 });
  assert.equal(c.folds, 5);
  assert.equal(c.accuracy, 4 / 5);
  assert.equal(c.baseline, 4 / 5);
  assert.throws(() => clusterConfidence(x, new Int32Array(6)), /at least 2 clusters/);
  assert.throws(
    () => clusterConfidence(x, new Int32Array([0, 1, 0, 1, 0, 1]), { folds: 1 }),
    /folds to be an integer ≥ 2/,
  );
});

Deno.test("clusterConfidence is deterministic for a seed", () => {
  const { x, labels } = blobs(500, 3, 4, 1.5, 4);
  const a = clusterConfidence(x, labels, { randomState: 11 });
  assert.deepEqual(clusterConfidence(x, labels, { randomState: 11 }), a);
  assert.ok(a.accuracy > a.baseline && a.accuracy < 1);
});
