/**
 * Parity of the WebGPU backend with the CPU reference, on small generated data: n not a
 * multiple of the workgroup size, matrices forced into several row chunks, dispatches split,
 * duplicate rows, all-noise DBSCAN, k = 2 and k = 7. Skipped, with a message, where no WebGPU
 * adapter is found (on a machine with only Mesa llvmpipe they run, slowly, on the CPU).
 */
import assert from "node:assert/strict";
import type { ComputeBackend, LloydStep } from "../../compute/backend.ts";
import { createCpuBackend } from "../../compute/cpu/backend.ts";
import { createGpuBackend, type GpuBackendOptions, GpuError } from "../../compute/gpu/backend.ts";
import { GpuTimeoutError, withTimeout } from "../../compute/gpu/device.ts";
import { bake } from "../../compute/gpu/pipelines.ts";
import type { Matrix } from "../../compute/matrix.ts";
import { kmeans, type KMeansOptions, type KMeansResult } from "../../compute/kmeans.ts";
import { adjustedRandIndex } from "../../compute/ari.ts";
import { createRandom } from "../../compute/random.ts";
import { withCpuFallback } from "../../compute/select.ts";

// Probe once: without an adapter every test is reported as ignored, never as passed.
const skipReason = await createGpuBackend().then(
  async (backend) => {
    await backend.dispose();
    return undefined;
  },
  (error: unknown) => {
    if (!(error instanceof GpuError)) throw error;
    return error.message;
  },
);
if (skipReason !== undefined) console.warn(`GPU backend tests skipped: ${skipReason}`);
const ignore = skipReason !== undefined;

const N = 1003; // not a multiple of 64 or 256

/** Options that split an n × d matrix into chunks of `chunkRows` rows and small dispatches. */
function tinyLimits(d: number, chunkRows: number, n = N): GpuBackendOptions {
  const rowBytes = Math.ceil(d / 4) * 16;
  assert.ok(Math.ceil(n / chunkRows) >= 3, "the test data must span at least 3 chunks");
  return {
    maxBindingBytes: rowBytes * chunkRows,
    maxRowsPerDispatch: 150,
    // Short enough that a 150-row i-range meets j-ranges of 250 rows: chunks split on both sides.
    maxPairsPerDispatch: 150 * 250 * Math.ceil(d / 4),
  };
}

/** Runs `fn` with a GPU backend (`options`) and the single-threaded CPU one, then disposes both. */
async function withBackends(
  options: GpuBackendOptions,
  fn: (gpu: ComputeBackend, cpu: ComputeBackend) => Promise<void>,
): Promise<void> {
  const cpu = createCpuBackend({ threads: 1 });
  let gpu: ComputeBackend | undefined;
  try {
    gpu = await createGpuBackend(options);
    await fn(gpu, cpu);
  } finally {
    await gpu?.dispose();
    await cpu.dispose();
  }
}

/** `k` well-separated Gaussian blobs (σ = 1, centres 20 apart), every 10th row a duplicate. */
function blobs(
  seed: number,
  n: number,
  d: number,
  k: number,
): { x: Matrix; centers: Float32Array } {
  const rng = createRandom(seed);
  const centers = new Float32Array(k * d);
  for (let c = 0; c < k; c++) {
    for (let j = 0; j < d; j++) centers[c * d + j] = 20 * c + (j % 2 === 0 ? 0 : -10 * c);
  }
  const data = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    if (i % 10 === 9) {
      data.copyWithin(i * d, (i - 1) * d, i * d);
      continue;
    }
    const c = rng.nextInt(k);
    for (let j = 0; j < d; j++) data[i * d + j] = centers[c * d + j]! + rng.nextNormal();
  }
  return { x: { data, n, d }, centers };
}

/**
 * Points on an integer lattice (squared distances are exact in float32 and float64 alike, so
 * ε = 2 puts some pairs exactly on the inclusive boundary): dense square patches plus sparse
 * stragglers, with duplicates.
 */
function lattice(seed: number, n: number, d: number): Matrix {
  const rng = createRandom(seed);
  const data = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    if (i % 7 === 6) {
      data.copyWithin(i * d, (i - 1) * d, i * d);
      continue;
    }
    const sparse = rng.nextInt(5) === 0;
    const patch = rng.nextInt(6);
    for (let j = 0; j < d; j++) {
      data[i * d + j] = sparse ? rng.nextInt(200) : 40 * patch + rng.nextInt(j === 0 ? 12 : 6);
    }
  }
  return { data, n, d };
}

function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  rel: number,
  abs: number,
  what: string,
) {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!, e = expected[i]!;
    if (!(Math.abs(a - e) <= abs + rel * Math.abs(e))) {
      assert.fail(`${what}[${i}]: expected ${e} but found ${a}`);
    }
  }
}

function assertStepsMatch(gpu: LloydStep, cpu: LloydStep, what: string) {
  assert.deepEqual(Array.from(gpu.counts), Array.from(cpu.counts), `${what}: counts`);
  assert.equal(gpu.changed, cpu.changed, `${what}: changed`);
  assertClose(gpu.sums, cpu.sums, 1e-5, 1e-3, `${what}: sums`);
  assertClose([gpu.inertia], [cpu.inertia], 1e-5, 1e-3, `${what}: inertia`);
}

/** The next Lloyd centres (empty clusters keep theirs). */
function update(step: LloydStep, old: Float32Array, d: number): Float32Array {
  const next = old.slice();
  step.counts.forEach((count, c) => {
    if (count === 0) return;
    for (let j = 0; j < d; j++) next[c * d + j] = step.sums[c * d + j]! / count;
  });
  return next;
}

Deno.test({
  name: "gpu backend reports the adapter under the gpu name",
  ignore,
  fn: () =>
    withBackends({}, (gpu) => {
      assert.equal(gpu.info.name, "gpu");
      assert.equal(typeof gpu.info.description, "string");
      assert.ok(gpu.info.description.length > 0);
      assert.equal(typeof gpu.info.fallbackAdapter, "boolean");
      return Promise.resolve();
    }),
});

Deno.test({
  name: "gpu assign matches the CPU on rows spanning several buffer chunks",
  ignore,
  fn: () =>
    withBackends(tinyLimits(5, 400), async (gpu, cpu) => {
      const { x, centers } = blobs(1, N, 5, 7);
      const g = await gpu.assign(x, centers, 7);
      const c = await cpu.assign(x, centers, 7);
      assert.equal(g.backend, "gpu");
      assert.deepEqual(Array.from(g.labels), Array.from(c.labels));
      assertClose(g.dist2, c.dist2, 1e-5, 1e-5, "dist2");
    }),
});

Deno.test({
  name: "gpu assign matches the CPU for k=2 with unpadded rows and default limits",
  ignore,
  fn: () =>
    withBackends({}, async (gpu, cpu) => {
      const { x, centers } = blobs(2, N, 8, 2);
      const g = await gpu.assign(x, centers, 2);
      const c = await cpu.assign(x, centers, 2);
      assert.deepEqual(Array.from(g.labels), Array.from(c.labels));
      assertClose(g.dist2, c.dist2, 1e-5, 1e-5, "dist2");
    }),
});

Deno.test({
  name: "gpu assign sends ties to the lower centre like the CPU",
  ignore,
  fn: () =>
    withBackends({}, async (gpu, cpu) => {
      // Every row is equidistant from centres 1 and 2 (and farther from 0).
      const x: Matrix = { data: new Float32Array([0, 0, 0, 1, 0, 5, 0, -1]), n: 4, d: 2 };
      const centers = new Float32Array([100, 100, -1, 0, 1, 0]);
      const g = await gpu.assign(x, centers, 3);
      const c = await cpu.assign(x, centers, 3);
      assert.deepEqual(Array.from(g.labels), Array.from(c.labels));
      assert.deepEqual(Array.from(g.labels), [1, 1, 1, 1]);
    }),
});

for (
  const [k, lloydReduce] of [[2, "auto"], [7, "auto"], [7, "rows"], [7, "entries"]] as const
) {
  Deno.test({
    name:
      `gpu lloyd steps match the CPU in sums, counts, inertia and changes for k=${k} over chunks (${lloydReduce} reduce)`,
    ignore,
    fn: () =>
      withBackends({ ...tinyLimits(5, 400), lloydReduce }, async (gpu, cpu) => {
        const { x } = blobs(10 + k, N, 5, k);
        // Start from rows of the data, as k-means++ would, so that labels move between steps.
        let centers: Float32Array = new Float32Array(k * 5);
        for (let c = 0; c < k; c++) centers.set(x.data.subarray(c * 50 * 5, c * 50 * 5 + 5), c * 5);
        const g = await gpu.lloyd(x, k);
        const c = await cpu.lloyd(x, k);
        try {
          assert.equal(g.backend, "gpu");
          for (let it = 0; it < 4; it++) {
            const gs = await g.step(centers);
            const cs = await c.step(centers);
            if (it === 0) assert.equal(gs.changed, N, "the first step changes every row");
            assertStepsMatch(gs, cs, `step ${it}`);
            centers = update(cs, centers, 5);
          }
          assert.deepEqual(Array.from(await g.labels()), Array.from(await c.labels()));
          assertClose(await g.distances(), await c.distances(), 1e-5, 1e-5, "distances");
        } finally {
          g.dispose();
          c.dispose();
        }
      }),
  });
}

Deno.test({
  name: "gpu lloyd matches the CPU with default limits and rows of 3 features",
  ignore,
  fn: () =>
    withBackends({}, async (gpu, cpu) => {
      const { x, centers } = blobs(3, N, 3, 7);
      const g = await gpu.lloyd(x, 7);
      const c = await cpu.lloyd(x, 7);
      try {
        const gs = await g.step(centers);
        assertStepsMatch(gs, await c.step(centers), "step 0");
        const next = update(gs, centers, 3);
        const again = await g.step(next);
        assertStepsMatch(again, await c.step(next), "step 1");
        assert.equal(again.changed, 0, "well-separated blobs settle at once");
      } finally {
        g.dispose();
        c.dispose();
      }
    }),
});

Deno.test({
  name: "gpu dbscanGraph matches the CPU across chunks, with pairs exactly eps apart",
  ignore,
  fn: () =>
    withBackends(tinyLimits(3, 400), async (gpu, cpu) => {
      const x = lattice(4, N, 3);
      for (const [eps, minSamples] of [[2, 5], [1, 3], [3.5, 12]] as const) {
        const g = await gpu.dbscanGraph(x, eps, minSamples);
        const c = await cpu.dbscanGraph(x, eps, minSamples);
        assert.equal(g.backend, "gpu");
        assert.deepEqual(Array.from(g.core), Array.from(c.core), `core, eps ${eps}`);
        assert.deepEqual(Array.from(g.root), Array.from(c.root), `root, eps ${eps}`);
        const cores = c.core.reduce((s, v) => s + v, 0);
        assert.ok(cores > 0 && cores < N, `eps ${eps} should give core and non-core rows`);
      }
    }),
});

Deno.test({
  name: "gpu dbscanGraph matches the CPU on Gaussian blobs with default limits",
  ignore,
  fn: () =>
    withBackends({}, async (gpu, cpu) => {
      const { x } = blobs(5, N, 6, 7);
      const g = await gpu.dbscanGraph(x, 1.6, 6);
      const c = await cpu.dbscanGraph(x, 1.6, 6);
      assert.deepEqual(Array.from(g.core), Array.from(c.core));
      assert.deepEqual(Array.from(g.root), Array.from(c.root));
    }),
});

Deno.test({
  name: "gpu dbscanGraph marks every row as noise when no row is core",
  ignore,
  fn: () =>
    withBackends(tinyLimits(2, 300), async (gpu, cpu) => {
      // A 32 × 32 grid of spacing 10, with ε = 1: every row has only itself within ε.
      const n = 1000;
      const data = new Float32Array(n * 2);
      for (let i = 0; i < n; i++) {
        data[2 * i] = 10 * (i % 32);
        data[2 * i + 1] = 10 * Math.floor(i / 32);
      }
      const x: Matrix = { data, n, d: 2 };
      const g = await gpu.dbscanGraph(x, 1, 2);
      const c = await cpu.dbscanGraph(x, 1, 2);
      assert.deepEqual(Array.from(g.core), new Array(n).fill(0));
      assert.deepEqual(Array.from(g.root), new Array(n).fill(-1));
      assert.deepEqual(Array.from(g.root), Array.from(c.root));
    }),
});

Deno.test({
  name: "gpu dbscanGraph puts duplicate rows in one component rooted at the first",
  ignore,
  fn: () =>
    withBackends(tinyLimits(3, 100, 300), async (gpu, cpu) => {
      // 300 copies of one point, then 3 far-away copies of another (core at minSamples = 3).
      const n = 303;
      const data = new Float32Array(n * 3).fill(1.25);
      data.fill(-7, 300 * 3);
      const x: Matrix = { data, n, d: 3 };
      const g = await gpu.dbscanGraph(x, 0.5, 3);
      const c = await cpu.dbscanGraph(x, 0.5, 3);
      assert.deepEqual(Array.from(g.core), new Array(n).fill(1));
      assert.deepEqual(Array.from(g.root), [...new Array(300).fill(0), 300, 300, 300]);
      assert.deepEqual(Array.from(g.root), Array.from(c.root));
    }),
});

Deno.test({
  name: "gpu dbscanGraph gives a border row within eps of two components the smaller root",
  ignore,
  fn: () =>
    withBackends({}, async (gpu, cpu) => {
      // On a line, ε = 1, minSamples = 12: row 0 at 1 sees 5 + 5 + itself = 11 rows (border);
      // rows 1–15 (5 at 2, 10 at 3) and rows 16–30 (5 at 0, 10 at −1) are core components.
      const positions = [1, ...new Array(5).fill(2), ...new Array(10).fill(3)];
      positions.push(...new Array(5).fill(0), ...new Array(10).fill(-1));
      const x: Matrix = { data: Float32Array.from(positions), n: positions.length, d: 1 };
      const g = await gpu.dbscanGraph(x, 1, 12);
      const c = await cpu.dbscanGraph(x, 1, 12);
      assert.deepEqual(Array.from(g.core), [0, ...new Array(30).fill(1)]);
      assert.deepEqual(Array.from(g.root), [
        1,
        ...new Array(15).fill(1),
        ...new Array(15).fill(16),
      ]);
      assert.deepEqual(Array.from(g.root), Array.from(c.root));
    }),
});

for (const k of [2, 7]) {
  Deno.test({
    name: `gpu clusterDistanceSums matches the CPU for k=${k} with noise rows over chunks`,
    ignore,
    fn: () =>
      withBackends(tinyLimits(5, 400), async (gpu, cpu) => {
        const { x, centers } = blobs(20 + k, N, 5, k);
        const { labels } = await cpu.assign(x, centers, k);
        for (let i = 0; i < N; i += 13) labels[i] = -1;
        const g = await gpu.clusterDistanceSums(x, labels, k);
        const c = await cpu.clusterDistanceSums(x, labels, k);
        assert.equal(g.backend, "gpu");
        assertClose(g.sums, c.sums, 1e-4, 1e-6, "sums");
        for (let i = 0; i < N; i += 13) {
          assert.deepEqual(Array.from(g.sums.subarray(i * k, i * k + k)), new Array(k).fill(0));
        }
      }),
  });
}

Deno.test({
  name: "gpu clusterDistanceSums matches the CPU with default limits and duplicate rows",
  ignore,
  fn: () =>
    withBackends({}, async (gpu, cpu) => {
      const { x, centers } = blobs(6, N, 4, 7);
      const { labels } = await cpu.assign(x, centers, 7);
      const g = await gpu.clusterDistanceSums(x, labels, 7);
      const c = await cpu.clusterDistanceSums(x, labels, 7);
      assertClose(g.sums, c.sums, 1e-4, 1e-6, "sums");
    }),
});

Deno.test({
  name: "gpu clusterDistanceSums rejects labels outside [-1, k)",
  ignore,
  fn: () =>
    withBackends({}, async (gpu) => {
      const { x } = blobs(7, 10, 2, 2);
      const labels = new Int32Array(10).fill(0);
      labels[4] = 2;
      await assert.rejects(gpu.clusterDistanceSums(x, labels, 2), RangeError);
    }),
});

Deno.test({
  name: "gpu backend rejects calls after dispose with a GpuError",
  ignore,
  fn: async () => {
    const gpu = await createGpuBackend();
    const { x, centers } = blobs(8, 100, 2, 2);
    const session = await gpu.lloyd(x, 2);
    await gpu.dispose();
    await assert.rejects(gpu.assign(x, centers, 2), GpuError);
    await assert.rejects(session.step(centers), GpuError);
    session.dispose();
    await gpu.dispose(); // idempotent
  },
});

// These two need no adapter: they run everywhere.

Deno.test("gpu withTimeout rejects a wait that never settles with a GpuTimeoutError", async () => {
  const never = new Promise<void>(() => {});
  await assert.rejects(withTimeout(never, 10, "mapAsync"), (e: unknown) => {
    assert.ok(e instanceof GpuTimeoutError && e instanceof GpuError);
    assert.match(e.message, /mapAsync: no answer from the GPU within 10 ms/);
    return true;
  });
  await assert.rejects(withTimeout(Promise.reject(new Error("lost")), 1000, "queue"), GpuError);
  assert.equal(await withTimeout(Promise.resolve(7), 1000, "queue"), 7);
});

Deno.test("gpu shader baking replaces the marked constant and rejects unknown names", () => {
  const src = "override D4: u32;\nconst K: u32 = 8u; // @baked\nvar<private> a: array<f32, K>;\n";
  assert.equal(bake(src, { K: 3 }), src.replace("8u", "3u"));
  assert.throws(() => bake(src, { D4: 2 }), GpuError);
  assert.throws(() => bake(src, { K: -1 }), GpuError);
});

/** Overlapping Gaussian clusters (centres 2 apart, σ = 1), so that Lloyd takes many iterations. */
function overlapping(seed: number, n: number, d: number, groups: number): Matrix {
  const rng = createRandom(seed);
  const data = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const g = rng.nextInt(groups);
    for (let j = 0; j < d; j++) data[i * d + j] = 2 * ((g + j) % groups) + rng.nextNormal();
  }
  return { data, n, d };
}

/** Rows `ids` of `x` as starting centres. */
function rowsOf(x: Matrix, ids: number[]): Float32Array {
  const out = new Float32Array(ids.length * x.d);
  ids.forEach((id, c) => out.set(x.data.subarray(id * x.d, id * x.d + x.d), c * x.d));
  return out;
}

/**
 * The chained fit (`lloydBatch` iterations per submission) against the per-iteration GPU path
 * and the CPU: labels, centres, inertia, iterations and convergence.
 */
async function assertChainedMatches(
  x: Matrix,
  options: KMeansOptions,
  limits: GpuBackendOptions,
  what: string,
): Promise<KMeansResult> {
  const cpu = createCpuBackend({ threads: 1 });
  const chained = await createGpuBackend(limits);
  const perStep = await createGpuBackend({ ...limits, lloydBatch: 0 });
  try {
    const session = await chained.lloyd(x, options.k);
    assert.equal(typeof session.fit, "function", `${what}: the chained session has fit`);
    session.dispose();
    const c = await kmeans(x, options, chained);
    const s = await kmeans(x, options, perStep);
    const r = await kmeans(x, options, cpu);
    for (const [other, name] of [[s, "per-iteration GPU"], [r, "CPU"]] as const) {
      const label = `${what}, chained vs ${name}`;
      assert.equal(c.nIter, other.nIter, `${label}: iterations`);
      assert.equal(c.converged, other.converged, `${label}: converged`);
      assert.ok(adjustedRandIndex(c.labels, other.labels) >= 0.999, `${label}: ARI`);
      assertClose([c.inertia], [other.inertia], 1e-4, 0, `${label}: inertia`);
      assertClose(c.centers, other.centers, 1e-4, 1e-4, `${label}: centres`);
    }
    assert.equal(c.backend, "gpu");
    return c;
  } finally {
    await chained.dispose();
    await perStep.dispose();
    await cpu.dispose();
  }
}

for (
  const [lloydBatch, lloydReduce] of [[1, "auto"], [3, "rows"], [3, "entries"], [
    16,
    "auto",
  ]] as const
) {
  Deno.test({
    name:
      `gpu chained Lloyd fit (${lloydBatch} per submission, ${lloydReduce} reduce) matches the per-iteration path and the CPU over chunks`,
    ignore,
    fn: async () => {
      const x = overlapping(21, N, 5, 4);
      const init = rowsOf(x, [0, 1, 2, 3, 4, 5, 6]);
      const limits = { ...tinyLimits(5, 400), lloydBatch, lloydReduce };
      const res = await assertChainedMatches(
        x,
        { k: 7, init, maxIter: 300, tol: 0 },
        limits,
        "tol 0",
      );
      assert.ok(res.nIter > lloydBatch + 1, `several batches (${res.nIter} iterations)`);
      await assertChainedMatches(x, { k: 7, init, maxIter: 300, tol: 1e-3 }, limits, "tol 1e-3");
    },
  });
}

Deno.test({
  name: "gpu chained Lloyd fit matches with either reduce past the row reduce's register size",
  ignore,
  fn: async () => {
    // k × (⌈d/4⌉ + 1) = 36 > 32: `auto` takes the entry reduce, `rows` spills but must agree.
    const x = overlapping(26, 1500, 8, 6);
    const init = rowsOf(x, Array.from({ length: 12 }, (_, i) => i * 100));
    for (const lloydReduce of ["auto", "rows"] as const) {
      await assertChainedMatches(
        x,
        { k: 12, init, maxIter: 300, tol: 0 },
        { lloydReduce, lloydBatch: 8 },
        `k=12, d=8, ${lloydReduce} reduce`,
      );
    }
  },
});

Deno.test({
  name: "gpu chained Lloyd fit stops at max_iter exactly, within a batch and at its end",
  ignore,
  fn: async () => {
    const x = overlapping(22, 2000, 8, 5);
    const init = rowsOf(x, [3, 30, 300, 1000, 1500, 1999]);
    for (const maxIter of [1, 2, 3, 4, 5, 8, 9]) {
      const res = await assertChainedMatches(
        x,
        { k: 6, init, maxIter, tol: 0 },
        { lloydBatch: 4 },
        `max_iter ${maxIter}`,
      );
      assert.equal(res.nIter, maxIter);
      assert.equal(res.converged, false);
    }
  },
});

Deno.test({
  name: "gpu chained Lloyd fit relocates empty clusters on the host like the CPU",
  ignore,
  fn: async () => {
    const x = overlapping(23, N, 3, 3);
    // Two centres far from every row: both are empty after the first assignment, and one row
    // duplicated as two centres leaves the second of them empty (ties go to the lower index).
    const init = rowsOf(x, [0, 1, 2, 2]);
    const far = new Float32Array(2 * 3).fill(1e3);
    far[3] = -1e3;
    const centers = new Float32Array([...init, ...far]);
    for (const [lloydBatch, lloydReduce] of [[1, "entries"], [4, "rows"]] as const) {
      const res = await assertChainedMatches(
        x,
        { k: 6, init: centers, maxIter: 300, tol: 0 },
        { lloydBatch, lloydReduce },
        `empty clusters, ${lloydBatch} per submission, ${lloydReduce} reduce`,
      );
      assert.ok(res.converged);
      const counts = new Array<number>(6).fill(0);
      for (const l of res.labels) counts[l]!++;
      assert.ok(counts.every((c) => c > 0), `no cluster stays empty: ${counts}`);
    }
  },
});

Deno.test({
  name: "gpu chained Lloyd fit keeps k-means++ restarts equal to the CPU's, rows of 3 features",
  ignore,
  fn: async () => {
    const x = overlapping(24, 3000, 3, 6);
    await assertChainedMatches(x, { k: 5, nInit: 3, randomState: 7 }, {}, "nInit 3");
  },
});

Deno.test("withCpuFallback reruns a failed chained GPU fit on the CPU from its start", async () => {
  const reference = createCpuBackend({ threads: 1 });
  const cpu = createCpuBackend({ threads: 1 });
  let fits = 0;
  const flaky: ComputeBackend = {
    ...reference,
    info: { name: "gpu", description: "flaky test adapter" },
    async lloyd(x, k) {
      const inner = await reference.lloyd(x, k);
      return {
        ...inner,
        backend: "gpu",
        fit:
          () => (++fits === 2 ? Promise.reject(new Error("timeout")) : Promise.resolve(undefined)),
      };
    },
    dispose: () => Promise.resolve(),
  };
  const lines: string[] = [];
  const backend = withCpuFallback(flaky, cpu, (l) => lines.push(l));
  const x = overlapping(25, 500, 4, 4);
  const options = { k: 4, nInit: 3, randomState: 5 };
  const res = await kmeans(x, options, backend);
  const expected = await kmeans(x, options, reference);
  assert.equal(fits, 2, "the CPU session has no fit: later restarts run kmeans.ts's loop");
  assert.equal(res.backend, "cpu");
  assert.deepEqual(res.labels, expected.labels);
  assert.equal(res.nIter, expected.nIter);
  assert.match(lines.join("\n"), /continuing this fit on the CPU/);
  await backend.dispose();
  await reference.dispose();
});
