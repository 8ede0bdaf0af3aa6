/**
 * The CPU backend's WebAssembly SIMD kernels against its TypeScript kernels, same rows, same
 * workers: one Lloyd step at 1M × 6 with k = 8 and k = 64 (from k-means++ centres, after a first
 * step that makes the shared copies), the exact silhouette sums at 20k × 6, k = 8, and the
 * passes of the issue-14 automatic job at 200k: k-means++ (k = 2..10), GMM fits (k = 8) and the
 * many-labelling silhouette pass on 10k rows (28 labellings of KMeans, GMM and nested cuts),
 * grouped and row by row; and the second pass's kernels alone: the silhouette sums with the
 * workers already warm (the first call of a fresh pool is the `silhouette` group above) and one
 * GMM E-step with the M-step's sums at 200k × 6, k = 8, against the TypeScript kernels.
 * Side by side with scikit-learn: `compare_sklearn.py --only kmeans,kmeans64,silhouette`.
 */
import { makeBlobs } from "./data.ts";
import { createCpuBackend } from "../compute/cpu/backend.ts";
import { kmeans, kmeansPlusPlus, kmeansPlusPlusOn } from "../compute/kmeans.ts";
import { accumulateKernel, eStepKernel, gmm } from "../compute/gmm.ts";
import { wasmGmmSession } from "../compute/cpu/wasm/gmm.ts";
import { cpuWasmOf } from "../compute/cpu/backend.ts";
import { wasmPairSumsMany } from "../compute/cpu/wasm/pair_sums_many.ts";
import { createRandom } from "../compute/random.ts";

const big = makeBlobs(1_000_000).x;
for (const k of [8, 64]) {
  const centers = kmeansPlusPlus(big, k, createRandom(0));
  for (const kernels of ["wasm", "ts"] as const) {
    Deno.bench({
      name: `lloyd step n=1000000 d=6 k=${k} [${kernels}]`,
      group: `lloyd k=${k}`,
      baseline: kernels === "ts",
      n: 10,
      warmup: 2,
      async fn(ctx) {
        const backend = createCpuBackend({ kernels });
        const session = await backend.lloyd(big, k);
        await session.step(centers);
        ctx.start();
        await session.step(centers);
        ctx.end();
        session.dispose();
        await backend.dispose();
      },
    });
  }
}

const { x, truth } = makeBlobs(20_000);
for (const kernels of ["wasm", "ts"] as const) {
  Deno.bench({
    name: `silhouette sums n=20000 d=6 k=8 [${kernels}]`,
    group: "silhouette",
    baseline: kernels === "ts",
    n: 3,
    warmup: 1,
    async fn(ctx) {
      const backend = createCpuBackend({ kernels });
      ctx.start();
      await backend.clusterDistanceSums(x, truth, 8);
      ctx.end();
      await backend.dispose();
    },
  });
}

Deno.bench({
  name: "silhouette sums n=20000 d=6 k=8, warm workers [wasm]",
  group: "silhouette warm",
  n: 5,
  warmup: 1,
  async fn(ctx) {
    // Workers started, module compiled and tiered up before the clock: a long-lived service.
    const backend = createCpuBackend({});
    for (let r = 0; r < 2; r++) await backend.clusterDistanceSums(x, truth, 8);
    ctx.start();
    await backend.clusterDistanceSums(x, truth, 8);
    ctx.end();
    await backend.dispose();
  },
});

const job = makeBlobs(200_000).x;
for (const kernels of ["wasm", "ts"] as const) {
  Deno.bench({
    name: `k-means++ k=2..10 n=200000 d=6 [${kernels}]`,
    group: "kmeans++",
    baseline: kernels === "ts",
    n: 5,
    warmup: 1,
    async fn(ctx) {
      // Workers started and the rows copied before the clock starts, as in a long-lived service.
      const backend = createCpuBackend({ kernels });
      await kmeansPlusPlusOn(job, 2, createRandom(1), backend);
      ctx.start();
      for (let k = 2; k <= 10; k++) {
        if (kernels === "ts") kmeansPlusPlus(job, k, createRandom(k));
        else await kmeansPlusPlusOn(job, k, createRandom(k), backend);
      }
      ctx.end();
      await backend.dispose();
    },
  });
  Deno.bench({
    name: `gmm k=8 n=200000 d=6 [${kernels}]`,
    group: "gmm",
    baseline: kernels === "ts",
    n: 3,
    warmup: 1,
    async fn(ctx) {
      const backend = createCpuBackend({ kernels });
      await gmm(job, { k: 2, randomState: 0, maxIter: 1 }, backend);
      ctx.start();
      await gmm(job, { k: 8, randomState: 0 }, backend);
      ctx.end();
      await backend.dispose();
    },
  });
}

{
  // One E-step with the M-step's sums, k = 8: the first rows as means, unit factors.
  const k = 8;
  const d = job.d;
  const tri = (d * (d + 1)) / 2;
  const means = Float64Array.from(job.data.subarray(0, k * d));
  const prec = new Float64Array(k * tri);
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) prec[c * tri + (j * (j + 3)) / 2] = 1;
  const logc = new Float64Array(k);
  const rows = Float64Array.from(job.data);
  for (const kernels of ["wasm", "ts"] as const) {
    Deno.bench({
      name: `gmm E-step + sums n=200000 d=6 k=8 [${kernels === "ts" ? "ts, one thread" : kernels}]`,
      group: "gmm E-step",
      baseline: kernels === "ts",
      n: 10,
      warmup: 2,
      async fn(ctx) {
        if (kernels === "ts") {
          const estep = eStepKernel(d);
          const accumulate = accumulateKernel(d);
          const resp = new Float64Array(4096 * k);
          const scratch = new Float64Array(2 * k);
          const [r, s1, s2] = [
            new Float64Array(k),
            new Float64Array(k * d),
            new Float64Array(k * tri),
          ];
          ctx.start();
          for (let start = 0; start < job.n; start += 4096) {
            const end = Math.min(job.n, start + 4096);
            estep(rows, start, end, k, means, prec, logc, scratch, null, resp);
            for (let c = 0; c < k; c++) accumulate(rows, start, end, k, c, resp, means, r, s1, s2);
          }
          ctx.end();
          return;
        }
        const backend = createCpuBackend({});
        const cw = cpuWasmOf(backend)!;
        const session = wasmGmmSession(job, k, cw.parts, cw.run);
        for (let w = 0; w < 3; w++) await session.step(means, prec, logc);
        ctx.start();
        await session.step(means, prec, logc);
        ctx.end();
        session.dispose();
        await backend.dispose();
      },
    });
  }
}

// 28 labellings of a 10k sample, as the automatic job scores them.
const sample = makeBlobs(10_000, 7).x;
const many: Int32Array[] = [];
const ks: number[] = [];
{
  const backend = createCpuBackend({});
  for (let k = 2; k <= 10; k++) {
    many.push((await kmeans(sample, { k, nInit: 1 }, backend)).labels);
    many.push((await gmm(sample, { k }, backend)).labels);
    ks.push(k, k);
  }
  for (let k = 2; k <= 11; k++) {
    many.push(Int32Array.from(many[16]!, (c, i) => (c + (i % 97 < 3 ? 1 : 0)) % k));
    ks.push(k);
  }
  await backend.dispose();
}
for (const grouped of [true, false]) {
  Deno.bench({
    name: `silhouette sums, 28 labellings, n=10000 [wasm, ${grouped ? "grouped" : "row by row"}]`,
    group: "many",
    baseline: !grouped,
    n: 3,
    warmup: 1,
    async fn(ctx) {
      const backend = createCpuBackend({});
      const cw = cpuWasmOf(backend)!;
      const n = sample.n;
      const L = many.length;
      const cols = new Int32Array(n * L);
      let width = 0;
      ks.forEach((k, l) => {
        for (let i = 0; i < n; i++) cols[i * L + l] = width + many[l]![i]!;
        width += k + 1;
      });
      ctx.start();
      await wasmPairSumsMany(sample, cols, L, width, cw.parts, cw.run, { grouped });
      ctx.end();
      await backend.dispose();
    },
  });
}
