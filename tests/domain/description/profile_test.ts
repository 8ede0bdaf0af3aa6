import assert from "node:assert/strict";
import { fromRows } from "../../../compute/matrix.ts";
import { createRandom } from "../../../compute/random.ts";
import {
  type ClusterProfiles,
  profileClusters,
  quantileSorted,
} from "../../../domain/description/profile.ts";

// Rows interleaved across clusters: 0 = {1, 2, 4, 7}, 1 = {10, 20, 40}, noise = {100}.
const LABELS = new Int32Array([1, 0, -1, 0, 1, 0, 0, 1]);
const SPEND = new Float64Array([10, 4, 100, 1, 40, 7, 2, 20]);
const AGE = new Float64Array([20, 30, 50, 30, 60, 30, 30, 40]);
const GENDER = ["F", "M", "F", "M", "F", "F", "M", "F"];
const PRODUCTS = [["a", "b"], ["a"], ["c"], ["a", "a"], ["b"], ["d"], ["a"], ["b", "c"]];

function small(): ClusterProfiles {
  return profileClusters({
    labels: LABELS,
    numeric: [{ name: "spend", values: SPEND }, { name: "age", values: AGE }],
    categorical: [
      { name: "gender", values: GENDER },
      { name: "product_types", values: PRODUCTS },
    ],
  });
}

function close(actual: number, expected: number, tol = 1e-12): void {
  assert.ok(
    Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)),
    `expected ${expected} but found ${actual}`,
  );
}

/** Every number in `value` is finite (JSON would turn NaN and ±Infinity into null). */
function assertAllFinite(value: unknown, path = "$"): void {
  if (typeof value === "number") assert.ok(Number.isFinite(value), `${path} is ${value}`);
  else if (Array.isArray(value)) value.forEach((v, i) => assertAllFinite(v, `${path}[${i}]`));
  else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) assertAllFinite(v, `${path}.${k}`);
  }
}

Deno.test("quantileSorted matches numpy's linear method, including its upper-side rule", () => {
  // np.quantile([1, 2, 4, 7], [0.25, 0.5, 0.75]) = [1.75, 3.0, 4.75]
  assert.equal(quantileSorted([1, 2, 4, 7], 0.25), 1.75);
  assert.equal(quantileSorted([1, 2, 4, 7], 0.5), 3);
  assert.equal(quantileSorted([1, 2, 4, 7], 0.75), 4.75);
  // np.quantile([10, 20, 40], [0.25, 0.75]) = [15.0, 30.0]
  assert.equal(quantileSorted([10, 20, 40], 0.25), 15);
  assert.equal(quantileSorted([10, 20, 40], 0.75), 30);
  assert.equal(quantileSorted([5], 0.75), 5);
  // np.quantile([0.652, 1.441], 0.75) = 1.2437500000000001, where a + (b − a)·0.75 = 1.24375.
  assert.equal(quantileSorted([0.652, 1.441], 0.75), 1.2437500000000001);
});

Deno.test("profileClusters computes per-cluster statistics in original units", () => {
  const p = small();
  assert.equal(p.n_rows, 8);
  assert.equal(p.n_clusters, 2);
  assert.equal(p.n_noise, 1);
  assert.deepEqual(p.clusters.map((c) => c.cluster_id), [0, 1]);
  const [c0, c1] = p.clusters as [typeof p.clusters[0], typeof p.clusters[0]];
  assert.equal(c0.size, 4);
  assert.equal(c0.share, 0.5);
  assert.equal(c1.share, 3 / 8);
  const s0 = c0.features.spend!;
  assert.deepEqual(
    { ...s0, std: 0 },
    { mean: 3.5, median: 3, std: 0, min: 1, max: 7, q1: 1.75, q3: 4.75 },
  );
  close(s0.std, Math.sqrt(21 / 4)); // np.std([1, 2, 4, 7]) (ddof = 0)
  const s1 = c1.features.spend!;
  close(s1.mean, 70 / 3);
  assert.deepEqual([s1.median, s1.min, s1.max, s1.q1, s1.q3], [20, 10, 40, 15, 30]);
  assert.deepEqual(c0.features.age, {
    mean: 30,
    median: 30,
    std: 0,
    min: 30,
    max: 30,
    q1: 30,
    q3: 30,
  });
  // The population is every row, noise included: np.quantile(spend, [.25, .5, .75]).
  const pop = p.population.features.spend!;
  assert.deepEqual([pop.min, pop.q1, pop.median, pop.q3, pop.max], [1, 3.5, 8.5, 25, 100]);
  close(pop.mean, 184 / 8);
  assert.equal(p.population.size, 8);
});

Deno.test("profileClusters profiles noise as its own group, outside clusters", () => {
  const p = small();
  assert.ok(p.noise);
  assert.equal(p.noise.cluster_id, -1);
  assert.equal(p.noise.size, 1);
  assert.equal(p.noise.share, 1 / 8);
  assert.equal(p.noise.features.spend!.std, 0);
  assert.equal(p.noise.density, null); // a singleton has no pairs
  assert.notEqual(p.noise.nearest_cluster, null); // the noise may have a nearest cluster …
  for (const c of p.clusters) assert.notEqual(c.nearest_cluster!.cluster_id, -1); // … not be one
  const none = profileClusters({
    labels: new Int32Array([0, 1]),
    numeric: [{ name: "x", values: new Float64Array([0, 1]) }],
  });
  assert.equal(none.noise, null);
  assert.equal(none.n_noise, 0);
});

Deno.test("profileClusters gives Cohen's d against the rest with its direction", () => {
  const c0 = small().clusters[0]!;
  const spend = c0.differentiating.find((d) => d.feature === "spend")!;
  // rest = {10, 20, 40, 100}: mean 42.5, SS 4875; cluster SS 21; pooled √((21 + 4875) / 6).
  assert.equal(spend.direction, "lower");
  close(spend.cluster_mean, 3.5);
  close(spend.rest_mean, 42.5);
  close(spend.effect_size, (3.5 - 42.5) / Math.sqrt((21 + 4875) / 6));
  const age = c0.differentiating.find((d) => d.feature === "age")!;
  // rest ages {20, 40, 50, 60}: mean 42.5, SS 875; cluster constant at 30.
  assert.equal(age.direction, "lower");
  close(age.effect_size, (30 - 42.5) / Math.sqrt(875 / 6));
  // Sorted by |d|: spend (−1.37) before age (−1.04).
  assert.deepEqual(c0.differentiating.map((d) => d.feature), ["spend", "age"]);
  const c1 = small().clusters[1]!;
  assert.equal(c1.differentiating.find((d) => d.feature === "age")!.direction, "higher");
  assert.equal(
    profileClusters(smallInput(), { topFeatures: 1 }).clusters[0]!.differentiating.length,
    1,
  );
});

function smallInput() {
  return {
    labels: LABELS,
    numeric: [{ name: "spend", values: SPEND }, { name: "age", values: AGE }],
  };
}

Deno.test("profileClusters compares each cluster with the population", () => {
  const p = small();
  const v = p.clusters[0]!.vs_population.spend!;
  const pop = p.population.features.spend!;
  close(v.z_diff, (3.5 - pop.mean) / pop.std);
  close(v.ratio!, 3.5 / pop.mean);
  const zero = profileClusters({
    labels: new Int32Array([0, 0, 1, 1]),
    numeric: [{ name: "x", values: new Float64Array([-1, -3, 1, 3]) }],
  });
  assert.equal(zero.clusters[0]!.vs_population.x!.ratio, null); // population mean 0
  close(zero.clusters[0]!.vs_population.x!.z_diff, -2 / Math.sqrt(5));
});

Deno.test("profileClusters counts categorical levels once per customer and ranks by TF-IDF", () => {
  const p = small();
  const [c0, c1] = [p.clusters[0]!, p.clusters[1]!];
  assert.deepEqual(c0.categorical.gender, {
    M: { count: 3, share: 0.75 },
    F: { count: 1, share: 0.25 },
  });
  assert.deepEqual(c0.categorical.product_types, {
    a: { count: 3, share: 0.75 },
    d: { count: 1, share: 0.25 },
  });
  assert.deepEqual(Object.keys(c1.categorical.product_types!), ["b", "a", "c"]);
  assert.deepEqual(p.population.categorical.gender, {
    F: { count: 5, share: 5 / 8 },
    M: { count: 3, share: 3 / 8 },
  });
  // Documents: c0 {a:3, d:1}, c1 {a:1, b:3, c:1}, noise {c:1}; smooth idf = ln(4 / (1 + df)) + 1.
  const idf = (df: number) => Math.log(4 / (1 + df)) + 1;
  const top0 = c0.top_categories.product_types!;
  assert.deepEqual(top0.map((t) => t.level), ["a", "d"]);
  const norm0 = Math.hypot(3 * idf(2), idf(1));
  close(top0[0]!.tfidf, (3 * idf(2)) / norm0);
  close(top0[1]!.tfidf, idf(1) / norm0);
  // a and c tie on score and count: the level breaks the tie.
  assert.deepEqual(c1.top_categories.product_types!.map((t) => [t.level, t.count]), [
    ["b", 3],
    ["a", 1],
    ["c", 1],
  ]);
  const limited = profileClusters(
    { ...smallInput(), categorical: [{ name: "product_types", values: PRODUCTS }] },
    { topLevels: 1, topCategories: 1 },
  );
  assert.deepEqual(Object.keys(limited.clusters[1]!.categorical.product_types!), ["b"]);
  assert.equal(limited.clusters[1]!.top_categories.product_types!.length, 1);
});

Deno.test("profileClusters finds the nearest cluster and what separates the two", () => {
  // Three clusters on a line at 0, 1 and 10 (x), y the same everywhere but cluster 2.
  const labels = new Int32Array([0, 0, 1, 1, 2, 2]);
  const x = new Float64Array([-0.5, 0.5, 0.5, 1.5, 9, 11]);
  const y = new Float64Array([0, 0, 0, 0, 5, 7]);
  const p = profileClusters({
    labels,
    numeric: [{ name: "x", values: x }, { name: "y", values: y }],
  });
  assert.equal(p.clusters[0]!.nearest_cluster!.cluster_id, 1);
  assert.equal(p.clusters[1]!.nearest_cluster!.cluster_id, 0);
  const far = p.clusters[2]!.nearest_cluster!;
  assert.equal(far.cluster_id, 1);
  // The centroid distance is in z-scored units (population std, ddof = 0).
  const sx = Math.sqrt(x.reduce((s, v) => s + (v - 22 / 6) ** 2, 0) / 6);
  const sy = Math.sqrt(y.reduce((s, v) => s + (v - 2) ** 2, 0) / 6);
  close(far.distance, Math.hypot((10 - 1) / sx, 6 / sy));
  // x: (10 − 1) / √((2 + 0.5) / 2) ≈ 8.05; y: (6 − 0) / √((2 + 0) / 2) = 6.
  assert.deepEqual(far.separating.map((s) => s.feature), ["x", "y"]);
  close(far.separating[0]!.effect_size, 9 / Math.sqrt(2.5 / 2));
  close(far.separating[1]!.effect_size, 6);
  assert.equal(far.separating[1]!.direction, "higher");
  assert.equal(far.separating[1]!.other_mean, 0);
});

Deno.test("profileClusters takes spread and density from the standardized matrix", () => {
  const p = profileClusters({
    labels: new Int32Array([0, 0, 1, 1, 1]),
    numeric: [{ name: "x", values: new Float64Array([1, 2, 3, 4, 5]) }],
    standardized: fromRows([[0, 0], [2, 0], [10, 0], [10, 3], [10, 6]]),
  });
  const [c0, c1] = [p.clusters[0]!, p.clusters[1]!];
  assert.equal(c0.spread, 1);
  assert.equal(c0.density, 1 / 2); // the two members are 2 apart
  assert.equal(c1.spread, 2); // distances 3, 0, 3 to (10, 3)
  // Pairs of cluster 1: 3, 3, 6 → RMS √18.
  close(c1.density!, 1 / Math.sqrt(18));
  close(c1.nearest_cluster!.distance, Math.hypot(9, 3));
  // Population RMS pairwise distance over the 10 pairs, against each cluster's.
  const rows = [[0, 0], [2, 0], [10, 0], [10, 3], [10, 6]];
  let s = 0;
  for (let i = 0; i < 5; i++) {
    for (let j = i + 1; j < 5; j++) {
      s += (rows[i]![0]! - rows[j]![0]!) ** 2 + (rows[i]![1]! - rows[j]![1]!) ** 2;
    }
  }
  close(p.population.density!, 1 / Math.sqrt(s / 10));
  close(c0.relative_density!, Math.sqrt(s / 10) / 2);
});

Deno.test("profileClusters has no NaN with singletons, constant features and one cluster", () => {
  const p = profileClusters({
    labels: new Int32Array([0, 1, 1, 2, 2, 2, -1]),
    numeric: [
      { name: "constant", values: new Float64Array(7).fill(0.1) },
      { name: "x", values: new Float64Array([1, 2, 2, 3, 4, 5, 6]) },
      { name: "zero", values: new Float64Array(7) },
    ],
    categorical: [{ name: "g", values: ["a", "a", "a", "b", "b", "b", "a"] }],
  });
  assertAllFinite(p);
  const single = p.clusters[0]!;
  assert.equal(single.features.x!.std, 0);
  assert.equal(single.density, null);
  assert.equal(single.relative_density, null);
  assert.equal(p.clusters[1]!.density, null); // two identical rows: infinitely dense
  for (const c of p.clusters) {
    const constant = c.differentiating.find((d) => d.feature === "constant")!;
    assert.equal(constant.effect_size, 0);
    assert.equal(c.features.constant!.mean, 0.1);
    assert.equal(c.features.constant!.std, 0);
    assert.equal(c.vs_population.constant!.z_diff, 0);
    assert.equal(c.vs_population.zero!.ratio, null);
  }
  const one = profileClusters({
    labels: new Int32Array([4, 4, 4]),
    numeric: [{ name: "x", values: new Float64Array([1, 2, 3]) }],
  });
  assertAllFinite(one);
  assert.equal(one.clusters[0]!.cluster_id, 4);
  assert.deepEqual(one.clusters[0]!.differentiating, []);
  assert.equal(one.clusters[0]!.nearest_cluster, null);
  const noiseOnly = profileClusters({
    labels: new Int32Array([-1, -1]),
    numeric: [{ name: "x", values: new Float64Array([1, 2]) }],
  });
  assert.deepEqual(noiseOnly.clusters, []);
  assert.equal(noiseOnly.noise!.size, 2);
  assertAllFinite(noiseOnly);
});

Deno.test("profileClusters matches a direct computation on random data, deterministically", () => {
  const rng = createRandom(7);
  const n = 503, k = 6;
  const labels = new Int32Array(n).map(() => rng.nextInt(k + 1) - 1);
  const numeric = ["a", "b", "c"].map((name, j) => ({
    name,
    values: new Float64Array(n).map(() => Math.round(rng.nextNormal() * 10 ** (j + 1)) / 7),
  }));
  const p = profileClusters({ labels, numeric });
  assert.deepEqual(profileClusters({ labels, numeric }), p);
  for (const c of [...p.clusters, p.noise!]) {
    for (const { name, values } of numeric) {
      const v = Array.from(values).filter((_, i) => labels[i] === c.cluster_id).sort((a, b) =>
        a - b
      );
      const m = v.length;
      const mean = v.reduce((s, x) => s + x, 0) / m;
      const std = Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / m);
      const q = (p: number) => {
        const h = p * (m - 1), lo = Math.floor(h);
        return lo + 1 < m ? v[lo]! + (h - lo) * (v[lo + 1]! - v[lo]!) : v[lo]!;
      };
      const f = c.features[name]!;
      close(f.mean, mean, 1e-12);
      close(f.std, std, 1e-10);
      close(f.median, q(0.5), 1e-14);
      close(f.q1, q(0.25), 1e-14);
      close(f.q3, q(0.75), 1e-14);
      assert.equal(f.min, v[0]);
      assert.equal(f.max, v[m - 1]);
      // Cohen's d against the rest, straight from the definition.
      const r = Array.from(values).filter((_, i) => labels[i] !== c.cluster_id);
      const rm = r.reduce((s, x) => s + x, 0) / r.length;
      const ss = v.reduce((s, x) => s + (x - mean) ** 2, 0) +
        r.reduce((s, x) => s + (x - rm) ** 2, 0);
      const d = c.differentiating.find((x) => x.feature === name)!;
      close(d.effect_size, (mean - rm) / Math.sqrt(ss / (n - 2)), 1e-9);
      close(d.rest_mean, rm, 1e-12);
    }
  }
  assert.equal(p.clusters.reduce((s, c) => s + c.share, 0) + p.noise!.share, 1);
});

Deno.test("profileClusters refuses mismatched lengths, bad labels and non-finite values", () => {
  const x = { name: "x", values: new Float64Array([1, 2]) };
  assert.throws(
    () => profileClusters({ labels: new Int32Array([0, 1, 1]), numeric: [x] }),
    /Expected 3 values of feature "x"/,
  );
  assert.throws(
    () => profileClusters({ labels: new Int32Array([0, -2]), numeric: [x] }),
    /integers ≥ −1 .* found -2 at row 1/,
  );
  assert.throws(
    () =>
      profileClusters({
        labels: new Int32Array([0, 1]),
        numeric: [{ name: "y", values: new Float64Array([1, NaN]) }],
      }),
    (e) => e instanceof TypeError && /NaN in feature "y" at row 1/.test(e.message),
  );
  assert.throws(
    () => profileClusters({ labels: new Int32Array([0, 1]), numeric: [x, x] }),
    /Duplicate numeric feature "x"/,
  );
  assert.throws(() => profileClusters({ labels: new Int32Array(0), numeric: [] }), /at least one/);
  assert.throws(
    () => profileClusters({ labels: new Int32Array([0, 1]), numeric: [x] }, { topFeatures: -1 }),
    /topFeatures/,
  );
  assert.throws(
    () =>
      profileClusters({
        labels: new Int32Array([0, 1]),
        numeric: [x],
        standardized: fromRows([[1]]),
      }),
    /standardized matrix to have 2 rows/,
  );
});

Deno.test("profileClusters keeps data keys such as __proto__ as plain properties", () => {
  const p = profileClusters({
    labels: new Int32Array([0, 1]),
    numeric: [{ name: "__proto__", values: new Float64Array([1, 2]) }],
    categorical: [{ name: "g", values: ["__proto__", "constructor"] }],
  });
  assert.ok(Object.hasOwn(p.clusters[0]!.features, "__proto__"));
  assert.ok(Object.hasOwn(p.clusters[0]!.categorical.g!, "__proto__"));
  assert.match(JSON.stringify(p), /"__proto__":\{"mean":1/);
});

Deno.test("profileClusters quartiles are exact on ties, sorted, reversed and organ-pipe runs", () => {
  const rng = createRandom(11);
  const shapes: Record<string, (i: number, m: number) => number> = {
    ties: () => rng.nextInt(4),
    sorted: (i) => i * 0.5,
    reversed: (i, m) => m - i,
    organPipe: (i, m) => Math.min(i, m - i),
    oneOutlier: (i) => (i === 7 ? 1e9 : 3),
    normal: () => rng.nextNormal(),
  };
  for (const [shape, f] of Object.entries(shapes)) {
    for (const m of [1, 2, 3, 4, 5, 16, 17, 18, 33, 100, 1001]) {
      const values = Float64Array.from({ length: 2 * m }, (_, i) => f(i % m, m));
      const labels = new Int32Array(2 * m).map((_, i) => (i < m ? 0 : 1));
      const p = profileClusters({ labels, numeric: [{ name: "v", values }] });
      const sorted = values.slice(0, m).sort();
      const s = p.clusters[0]!.features.v!;
      const where = `${shape}, m = ${m}`;
      assert.equal(s.q1, quantileSorted(sorted, 0.25), where);
      assert.equal(s.q3, quantileSorted(sorted, 0.75), where);
      const half = m >> 1;
      assert.equal(s.median, m % 2 ? sorted[half] : (sorted[half - 1]! + sorted[half]!) / 2, where);
      const all = values.slice().sort();
      assert.equal(p.population.features.v!.q3, quantileSorted(all, 0.75), where);
    }
  }
});

Deno.test("profileClusters refuses a categorical value that is neither a level nor a list", () => {
  assert.throws(
    () =>
      profileClusters({
        labels: new Int32Array([0, 1]),
        numeric: [],
        categorical: [{ name: "g", values: ["a", 3 as unknown as string] }],
      }),
    (e) =>
      e instanceof TypeError && /"g" to hold a string .* row 1 but found number/.test(e.message),
  );
});
