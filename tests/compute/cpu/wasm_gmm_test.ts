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
