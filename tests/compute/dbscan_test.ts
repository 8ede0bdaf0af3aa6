import assert from "node:assert/strict";
import { dbscan } from "../../compute/dbscan.ts";
import { fromRows, matrix } from "../../compute/matrix.ts";
import { createRandom } from "../../compute/random.ts";
import {
  FIXTURE_NAMES,
  fixtureZ,
  loadFixture,
  sameUpToRelabelling,
  testOnBackends,
} from "./_helpers.ts";
import { bruteForceDbscan } from "./_dbscan_reference.ts";

for (const name of FIXTURE_NAMES) {
  const f = await loadFixture(name);
  const z = fixtureZ(f);
  testOnBackends(`dbscan matches scikit-learn's core flags and labels on ${name}`, async (b) => {
    for (const ref of f.dbscan) {
      const res = await dbscan(z, { eps: ref.eps, minSamples: ref.min_samples }, b);
      const what = `eps=${ref.eps} min_samples=${ref.min_samples}`;
      assert.deepEqual(Array.from(res.core, Boolean), ref.core, `core flags, ${what}`);
      assert.ok(sameUpToRelabelling(res.labels, ref.labels), `labels, ${what}`);
      assert.equal(res.nNoise, ref.labels.filter((l) => l === -1).length);
      assert.equal(res.backend, b.info.name);
    }
  });
}

testOnBackends("dbscan counts eps inclusively and the point itself in min_samples", async (b) => {
  // Three points 1 apart on a line: with eps = 1 the middle one has 3 neighbours (itself too).
  const x = fromRows([[0, 0], [1, 0], [2, 0], [10, 0]]);
  const res = await dbscan(x, { eps: 1, minSamples: 3 }, b);
  assert.deepEqual(Array.from(res.core), [0, 1, 0, 0]);
  assert.deepEqual(Array.from(res.labels), [0, 0, 0, -1]);
  const lone = await dbscan(x, { eps: 1, minSamples: 1 }, b);
  assert.deepEqual(Array.from(lone.labels), [0, 0, 0, 1]);
});

testOnBackends("dbscan labels everything noise when no point is core", async (b) => {
  const x = fromRows([[0, 0], [5, 5], [10, 10]]);
  const res = await dbscan(x, { eps: 0.5, minSamples: 2 }, b);
  assert.deepEqual(Array.from(res.labels), [-1, -1, -1]);
  assert.equal(res.nClusters, 0);
  assert.equal(res.nNoise, 3);
});

testOnBackends("dbscan gives a border point to the cluster found first", async (b) => {
  // Row 0 is within eps of one core point of each group (and of nothing else), so it is a
  // border point of both; the group starting at row 1 is discovered first and takes it.
  const rows = [
    [1, 0],
    [2, 0],
    [2, 0.5],
    [2, -0.5],
    [2.5, 0],
    [0, 0],
    [0, 0.5],
    [0, -0.5],
    [-0.5, 0],
  ];
  const res = await dbscan(fromRows(rows), { eps: 1, minSamples: 4 }, b);
  assert.deepEqual(Array.from(res.labels), [0, 0, 0, 0, 0, 1, 1, 1, 1]);
  assert.equal(res.core[0], 0);
});

testOnBackends("dbscan treats duplicate points as neighbours of each other", async (b) => {
  const x = fromRows([[1, 1], [1, 1], [1, 1], [9, 9]]);
  const res = await dbscan(x, { eps: 0.1, minSamples: 3 }, b);
  assert.deepEqual(Array.from(res.labels), [0, 0, 0, -1]);
});

testOnBackends("dbscan matches the brute-force definition on random data", async (b) => {
  const rng = createRandom(5);
  const n = 1003, d = 3;
  const data = new Float32Array(n * d);
  for (let i = 0; i < data.length; i++) data[i] = rng.nextNormal() + (i % 7 === 0 ? 4 : 0);
  const x = matrix(data, n, d);
  const eps = 0.35, minSamples = 4;
  const res = await dbscan(x, { eps, minSamples }, b);
  const { core, labels } = bruteForceDbscan(data, n, d, eps, minSamples);
  assert.deepEqual(Array.from(res.core), Array.from(core));
  assert.deepEqual(Array.from(res.labels), Array.from(labels));
});

testOnBackends("dbscan refuses a non-positive eps and a min_samples below 1", async (b) => {
  const x = fromRows([[0, 0], [1, 1]]);
  await assert.rejects(dbscan(x, { eps: 0 }, b), /eps to be a finite number > 0 but found 0/);
  await assert.rejects(dbscan(x, { minSamples: 0 }, b), /min_samples to be an integer/);
});
