/**
 * The CPU backend's bounded Lloyd fit (`LloydSession.fit` on the WebAssembly kernel, Hamerly's
 * bounds) against kmeans.ts's own loop over the TypeScript reference steps: the same iterations,
 * labels and convergence, centres and inertia within a relative 1e-6 — on clustered and
 * structureless rows, with restarts, a tolerance of 0, an iteration cap and empty clusters.
 */
import assert from "node:assert/strict";
import type { ComputeBackend } from "../../../compute/backend.ts";
import { createCpuBackend } from "../../../compute/cpu/backend.ts";
import { wasmKernels } from "../../../compute/cpu/wasm/runtime.ts";
import { kmeans } from "../../../compute/kmeans.ts";
import { matrix } from "../../../compute/matrix.ts";
import { createRandom } from "../../../compute/random.ts";

const ignore = wasmKernels() === undefined;

function rows(n: number, d: number, groups: number, seed: number) {
  const rng = createRandom(seed);
  const centres = Array.from({ length: groups * d }, () => rng.nextNormal() * 4);
  const data = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const g = rng.nextInt(groups);
    for (let j = 0; j < d; j++) data[i * d + j] = centres[g * d + j]! + rng.nextNormal();
  }
  return matrix(data, n, d);
}

const CASES = [
  { n: 5003, d: 6, k: 8, groups: 8, nInit: 1, tol: 1e-4, maxIter: 300 },
  { n: 4001, d: 3, k: 5, groups: 1, nInit: 2, tol: 0, maxIter: 300 },
  { n: 3002, d: 11, k: 12, groups: 4, nInit: 3, tol: 1e-4, maxIter: 300 },
  { n: 2001, d: 2, k: 6, groups: 3, nInit: 1, tol: 0, maxIter: 4 },
  { n: 6007, d: 16, k: 9, groups: 9, nInit: 1, tol: 1e-3, maxIter: 300 },
];

for (const c of CASES) {
  Deno.test({
    name:
      `bounded Lloyd fit equals the plain loop (n=${c.n} d=${c.d} k=${c.k}, ${c.groups} groups)`,
    ignore,
    async fn() {
      const x = rows(c.n, c.d, c.groups, c.n + c.d);
      const wasm = createCpuBackend({ threads: 2, parallelThreshold: 0, kernels: "wasm" });
      const ts = createCpuBackend({ threads: 1, kernels: "ts" });
      try {
        const opts = { k: c.k, nInit: c.nInit, tol: c.tol, maxIter: c.maxIter, randomState: 3 };
        const a = await kmeans(x, opts, wasm);
        const b = await kmeans(x, opts, ts);
        assert.equal(a.nIter, b.nIter);
        assert.equal(a.converged, b.converged);
        assert.deepEqual(Array.from(a.labels), Array.from(b.labels));
        assert.ok(Math.abs(a.inertia - b.inertia) <= 1e-6 * b.inertia, `${a.inertia} ${b.inertia}`);
        for (let i = 0; i < a.centers.length; i++) {
          const t = Math.abs(a.centers[i]! - b.centers[i]!);
          assert.ok(t <= 1e-5 * (1 + Math.abs(b.centers[i]!)), `centre value ${i}`);
        }
      } finally {
        await wasm.dispose();
        await ts.dispose();
      }
    },
  });
}

Deno.test({
  name: "bounded Lloyd fit relocates empty clusters as the plain loop does",
  ignore,
  async fn() {
    // Duplicated rows and far-off initial centres leave clusters empty in the first steps.
    const base = rows(400, 4, 2, 9);
    const data = new Float32Array(4000 * 4);
    for (let r = 0; r < 10; r++) data.set(base.data, r * 400 * 4);
    const x = matrix(data, 4000, 4);
    const init = new Float32Array(6 * 4);
    for (let c = 0; c < 6; c++) for (let j = 0; j < 4; j++) init[c * 4 + j] = 50 + c * 10 + j;
    init.set(base.data.subarray(0, 4), 0);
    const wasm = createCpuBackend({ threads: 2, parallelThreshold: 0, kernels: "wasm" });
    // The same WebAssembly steps without the bounded fit: relocation orders rows by their float32
    // distances, which the TypeScript reference rounds differently, so it is the peer here.
    const ts: ComputeBackend = {
      ...wasm,
      lloyd: async (m, k) => ({ ...(await wasm.lloyd(m, k)), fit: undefined }),
      dispose: () => Promise.resolve(),
    };
    try {
      const a = await kmeans(x, { k: 6, init, nInit: 1 }, wasm);
      const b = await kmeans(x, { k: 6, init, nInit: 1 }, ts);
      assert.equal(a.nIter, b.nIter);
      assert.deepEqual(Array.from(a.labels), Array.from(b.labels));
      assert.ok(Math.abs(a.inertia - b.inertia) <= 1e-6 * b.inertia);
    } finally {
      await wasm.dispose();
      await ts.dispose();
    }
  },
});
