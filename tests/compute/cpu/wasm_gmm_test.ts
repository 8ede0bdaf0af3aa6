/**
 * The WebAssembly GMM E-step (compute/cpu/wasm/gmm.ts) against the TypeScript reference
 * (`eStepRange` + `accumulateRange`): the log-sum-exp total and the M-step's sums within a
 * relative 1e-12, on random rows and parameters, with workers and inline, odd and even n; and
 * whole `gmm` fits with the WebAssembly kernels against the TypeScript ones: identical labels
 * (the final labelling E-step also on the kernel) and iteration counts, lower bound, score, BIC
 * and parameters within 1e-9.
 */
import assert from "node:assert/strict";
import { cpuWasmOf, createCpuBackend } from "../../../compute/cpu/backend.ts";
import { wasmGmmSession } from "../../../compute/cpu/wasm/gmm.ts";
import { wasmKernels } from "../../../compute/cpu/wasm/runtime.ts";
import { accumulateRange, eStepRange, gmm } from "../../../compute/gmm.ts";
import { matrix } from "../../../compute/matrix.ts";
import { createRandom } from "../../../compute/random.ts";
import { assertClose } from "./_parity.ts";
import { makeBlobs } from "../../../bench/data.ts";

const ignore = wasmKernels() === undefined;

const CASES: Array<[number, number, number, number]> = [
  [5003, 6, 8, 2],
  [1000, 3, 1, 1],
  [777, 11, 5, 2],
  [1, 2, 3, 1],
];
for (const [n, d, k, threads] of CASES) {
  Deno.test({
    name:
      `wasm GMM E-step matches eStepRange + accumulateRange (n=${n} d=${d} k=${k}, ${threads} thread(s))`,
    ignore,
    async fn() {
      const rng = createRandom(n + d + k);
      const x = matrix(Float32Array.from({ length: n * d }, () => rng.nextNormal()), n, d);
      const rows = Float64Array.from(x.data);
      const tri = (d * (d + 1)) / 2;
      const means = Float64Array.from({ length: k * d }, () => rng.nextNormal());
      const precChol = new Float64Array(k * tri);
      for (let c = 0, p = 0; c < k; c++) {
        for (let j = 0; j < d; j++) {
          for (let l = 0; l <= j; l++) {
            precChol[p++] = l === j ? 0.5 + rng.nextFloat() : 0.3 * rng.nextNormal();
          }
        }
      }
      const logConst = Float64Array.from({ length: k }, () => rng.nextNormal());
      const resp = new Float64Array(n * k);
      const want = eStepRange(
        d,
        rows,
        0,
        n,
        k,
        means,
        precChol,
        logConst,
        new Float64Array(2 * k),
        null,
        resp,
      );
      const r = new Float64Array(k);
      const s1 = new Float64Array(k * d);
      const s2 = new Float64Array(k * tri);
      for (let c = 0; c < k; c++) accumulateRange(d, rows, 0, n, k, c, resp, means, r, s1, s2);
      const backend = createCpuBackend({ threads, parallelThreshold: 0, kernels: "wasm" });
      try {
        const cw = cpuWasmOf(backend)!;
        assert.ok(cw);
        const session = wasmGmmSession(x, k, cw.parts, cw.run);
        for (let rep = 0; rep < 2; rep++) {
          const got = await session.step(means, precChol, logConst);
          assertClose([got.total], [want], 1e-12, "total");
          assertClose(got.r, r, 1e-12, "r", 1e-12);
          assertClose(got.s1, s1, 1e-12, "s1", 1e-11);
          assertClose(got.s2, s2, 1e-12, "s2", 1e-11);
        }
        session.dispose();
      } finally {
        await backend.dispose();
      }
    },
  });
}

for (const threads of [1, 2]) {
  Deno.test({
    name: `gmm with the WebAssembly E-step equals the TypeScript one (${threads} thread(s))`,
    ignore,
    async fn() {
      const x = makeBlobs(6001).x;
      const wasm = createCpuBackend({ threads, parallelThreshold: 0, kernels: "wasm" });
      const ts = createCpuBackend({ threads, parallelThreshold: 0, kernels: "ts" });
      try {
        for (const k of [2, 5, 8]) {
          const a = await gmm(x, { k, randomState: 3 }, wasm);
          const b = await gmm(x, { k, randomState: 3 }, ts);
          assert.deepEqual(a.labels, b.labels);
          assert.equal(a.nIter, b.nIter);
          assertClose([a.lowerBound], [b.lowerBound], 1e-9, "lowerBound");
          assertClose([a.meanLogLikelihood], [b.meanLogLikelihood], 1e-9, "meanLogLikelihood");
          assertClose([a.bic], [b.bic], 1e-9, "bic");
          assertClose(a.model.means, b.model.means, 1e-9, "means", 1e-9);
          assertClose(a.model.covariances, b.model.covariances, 1e-9, "covariances", 1e-9);
        }
      } finally {
        await wasm.dispose();
        await ts.dispose();
      }
    },
  });
}

// Every d the kernel specialises (1..8, factor and differences in locals) and one it does not
// (9), with log-densities spread so that exp(v − max) meets every branch of fdlibm's exp: 1 + x
// near 0, k = ±1, the polynomial range, results below 2^−1022 (subnormal) and underflow to 0.
// The vector exp is fdlibm's bit for bit and the Mahalanobis terms are the reference's
// operations in its order, so the labels are identical and every row's log-sum-exp equal.
for (let d = 1; d <= 9; d++) {
  Deno.test({
    name: `wasm GMM E-step, d=${d}: labels identical, exp over its whole range`,
    ignore,
    async fn() {
      const rng = createRandom(4400 + d);
      const n = 601 + 2 * d;
      const k = 4 + (d % 4);
      const x = matrix(Float32Array.from({ length: n * d }, () => 3 * rng.nextNormal()), n, d);
      const rows = Float64Array.from(x.data);
      const tri = (d * (d + 1)) / 2;
      const means = Float64Array.from({ length: k * d }, () => 2 * rng.nextNormal());
      const precChol = new Float64Array(k * tri);
      for (let c = 0, p = 0; c < k; c++) {
        // Component c's scale from 0.1 to 30: its Mahalanobis terms from ~0 to ~10⁵.
        const scale = 0.1 * Math.pow(300, c / Math.max(1, k - 1));
        for (let j = 0; j < d; j++) {
          for (let l = 0; l <= j; l++) {
            precChol[p++] = scale * (l === j ? 0.5 + rng.nextFloat() : 0.3 * rng.nextNormal());
          }
        }
      }
      const logConst = Float64Array.from({ length: k }, () => 700 * rng.nextFloat());
      const labels = new Int32Array(n);
      const resp = new Float64Array(n * k);
      const scratch = new Float64Array(2 * k);
      const want = eStepRange(d, rows, 0, n, k, means, precChol, logConst, scratch, labels, resp);
      const r = new Float64Array(k);
      const s1 = new Float64Array(k * d);
      const s2 = new Float64Array(k * tri);
      for (let c = 0; c < k; c++) accumulateRange(d, rows, 0, n, k, c, resp, means, r, s1, s2);
      let tiny = 0;
      for (const v of resp) if (v > 0 && v < 2.2250738585072014e-308) tiny++;
      // (These rows give none at d = 9; the exp is the same code for every d.)
      assert.ok(tiny > 0 || d === 9, "some responsibilities are subnormal");
      const backend = createCpuBackend({ threads: 1 + (d % 2), parallelThreshold: 0 });
      try {
        const cw = cpuWasmOf(backend)!;
        const session = wasmGmmSession(x, k, cw.parts, cw.run);
        const got = await session.step(means, precChol, logConst);
        assertClose([got.total], [want], 1e-12, "total");
        assertClose(got.r, r, 1e-12, "r", 1e-12);
        assertClose(got.s1, s1, 1e-12, "s1", 1e-11);
        assertClose(got.s2, s2, 1e-12, "s2", 1e-11);
        const lab = await session.labels(means, precChol, logConst);
        assert.deepEqual(lab.labels, labels);
        session.dispose();
        // Row by row, the log-sum-exp is the reference's exactly (one row per call).
        for (let i = 0; i < Math.min(n, 40); i++) {
          const one = matrix(x.data.slice(i * d, i * d + d), 1, d);
          const s = wasmGmmSession(one, k, 1, cw.run);
          const out = await s.labels(means, precChol, logConst);
          const ref = eStepRange(
            d,
            rows,
            i,
            i + 1,
            k,
            means,
            precChol,
            logConst,
            scratch,
            null,
            null,
          );
          assert.equal(out.total, ref, `row ${i}`);
          s.dispose();
        }
      } finally {
        await backend.dispose();
      }
    },
  });
}
