/**
 * The selection rule's decisions (`choose` in compute/auto.ts) on hand-made candidate lists, so
 * each clause is checked apart from the fitting: the plateau of silhouettes, the margin two
 * segments need, the stability pool, DBSCAN's coverage, and the weak-structure fallback.
 */
import assert from "node:assert/strict";
import {
  type Algorithm,
  type Candidate,
  choose,
  K_SILHOUETTE_SHARE,
  TWO_SEGMENT_MARGIN,
} from "../../compute/auto.ts";

function candidate(
  algorithm: Algorithm,
  k: number,
  silhouette: number,
  stability: number,
  noiseShare = 0,
): Candidate {
  return {
    algorithm,
    k,
    params: algorithm === "dbscan" ? { eps: 0.4, min_samples: 5 } : { k },
    labels: new Int32Array(0),
    silhouette,
    daviesBouldin: 1,
    calinskiHarabasz: 100,
    noiseShare,
    smallestShare: 0.1,
    eligible: true,
    reason: null,
    meanRank: 10 - silhouette,
    stability,
    fitMs: 0,
    extra: {},
  };
}

Deno.test("the largest k on the silhouette plateau wins, not the peak", () => {
  const cs = [
    candidate("kmeans", 3, 0.40, 0.99),
    candidate("kmeans", 4, 0.42, 0.98),
    candidate("kmeans", 5, 0.40, 0.95), // 95 % of the peak: on the plateau
    candidate("kmeans", 6, 0.30, 0.95), // 71 %: off it
  ];
  const c = choose(cs);
  assert.equal(c.best.k, 5);
  assert.match(c.why, /most segments whose silhouette \(0\.40\) is within 90 %/);
  assert.equal(c.structure, "clear");
  assert.ok(0.40 >= K_SILHOUETTE_SHARE * 0.42);
});

Deno.test("an unstable k is not on the plateau however good its silhouette", () => {
  const cs = [
    candidate("kmeans", 3, 0.40, 0.99),
    candidate("kmeans", 4, 0.41, 0.97),
    candidate("kmeans", 7, 0.40, 0.70), // below 0.9 while others reach it
  ];
  assert.equal(choose(cs).best.k, 4);
});

Deno.test("two segments win only with a clear margin over three or more", () => {
  const close = [candidate("ward", 2, 0.50, 0.99), candidate("ward", 4, 0.40, 0.95)];
  assert.equal(choose(close).best.k, 4);
  const far = [
    candidate("ward", 2, TWO_SEGMENT_MARGIN * 0.30 + 0.01, 0.99),
    candidate("ward", 4, 0.30, 0.95),
  ];
  const c = choose(far);
  assert.equal(c.best.k, 2);
  assert.match(c.why, /separates customers far better/);
});

Deno.test("at the chosen k the family with the highest silhouette wins", () => {
  const cs = [
    candidate("kmeans", 5, 0.38, 0.95),
    candidate("gmm", 5, 0.36, 0.95),
    candidate("ward", 5, 0.39, 0.93),
    candidate("kmeans", 4, 0.40, 0.99),
  ];
  assert.equal(choose(cs).best.algorithm, "ward");
});

Deno.test("DBSCAN wins only when its silhouette scaled by coverage is higher", () => {
  const base = [candidate("kmeans", 4, 0.40, 0.95)];
  const noisy = choose([...base, candidate("dbscan", 3, 0.60, 0.95, 0.4)]); // 0.36 scaled
  assert.equal(noisy.best.algorithm, "kmeans");
  const dense = choose([...base, candidate("dbscan", 3, 0.60, 0.95, 0.1)]); // 0.54 scaled
  assert.equal(dense.best.algorithm, "dbscan");
  assert.match(dense.why, /scaled by the customers it assigns/);
});

Deno.test("with nothing at 0.9 the pool is the candidates at 0.6 or more", () => {
  const cs = [candidate("kmeans", 3, 0.35, 0.7), candidate("kmeans", 5, 0.34, 0.65)];
  const c = choose(cs);
  assert.equal(c.best.k, 5);
  assert.equal(c.structure, "clear");
});

Deno.test("with no stable candidate the answer is still given, flagged weak", () => {
  const cs = [candidate("kmeans", 3, 0.30, 0.3), candidate("gmm", 4, 0.20, 0.2)];
  const c = choose(cs);
  assert.equal(c.best.k, 3);
  assert.equal(c.structure, "weak");
  assert.match(c.note!, /no clear groups/);
});
