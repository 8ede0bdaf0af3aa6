/**
 * The WebAssembly pairwise silhouette sums (compute/cpu/wasm/) against the TypeScript reference
 * (`pairSumsRange`): every row's per-cluster sums within a relative 1e-6, on random rows with
 * noise (−1) rows, empty and singleton clusters, with workers and inline.
 */
import assert from "node:assert/strict";
import { createCpuBackend } from "../../../compute/cpu/backend.ts";
import { pairSumsRange } from "../../../compute/cpu/kernels.ts";
import { wasmKernels } from "../../../compute/cpu/wasm/runtime.ts";
import { matrix } from "../../../compute/matrix.ts";
import { createRandom } from "../../../compute/random.ts";
import { assertClose } from "./_parity.ts";

const ignore = wasmKernels() === undefined;

const CASES: Array<[number, number, number, number]> = [[1503, 6, 8, 2], [257, 3, 5, 1], [
  999,
  13,
  3,
  2,
], [5, 2, 2, 1]];
for (const [n, d, k, threads] of CASES) {
  Deno.test({
    name: `wasm pair sums match pairSumsRange (n=${n} d=${d} k=${k}, ${threads} thread(s))`,
    ignore,
    async fn() {
      const rng = createRandom(7 * n + d);
      const x = matrix(Float32Array.from({ length: n * d }, () => rng.nextNormal()), n, d);
      // Cluster k − 1 left empty when k > 2; cluster 0 holds one row; 10 % noise.
      const labels = Int32Array.from({ length: n }, (_, i) => {
        if (i === 0) return 0;
        if (rng.nextFloat() < 0.1) return -1;
        return 1 + Math.floor(rng.nextFloat() * Math.max(1, k - 2));
      });
      const want = new Float64Array(n * k);
      pairSumsRange(x.data, d, n, labels, k, 0, n, want);
      const backend = createCpuBackend({ threads, parallelThreshold: 0, kernels: "wasm" });
      try {
        const { sums } = await backend.clusterDistanceSums(x, labels, k);
        assertClose(sums, want, 1e-6, "sums", 1e-9);
        for (let i = 0; i < n; i++) {
          if (labels[i] === -1) assert.ok(sums.subarray(i * k, i * k + k).every((v) => v === 0));
        }
      } finally {
        await backend.dispose();
      }
    },
  });
}
