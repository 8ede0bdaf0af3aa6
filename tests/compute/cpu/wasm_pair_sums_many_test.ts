/**
 * The WebAssembly many-labelling pairwise sums (compute/cpu/wasm/) against the TypeScript
 * reference (`pairSumsRange`, one labelling at a time) within a relative 1e-6, and against the
 * WebAssembly one-labelling pass within 1e-9 (same float32 distances): noise (−1) rows, an
 * empty cluster and a singleton, with workers and inline.
 */
import assert from "node:assert/strict";
import { createCpuBackend } from "../../../compute/cpu/backend.ts";
import { pairSumsRange } from "../../../compute/cpu/kernels.ts";
import { wasmKernels } from "../../../compute/cpu/wasm/runtime.ts";
import { matrix } from "../../../compute/matrix.ts";
import { createRandom } from "../../../compute/random.ts";
import { assertClose } from "./_parity.ts";

const ignore = wasmKernels() === undefined;

const CASES: Array<[number, number, number[], number]> = [
  [1201, 6, [2, 3, 5, 8, 10], 2],
  [301, 4, [4, 2], 1],
  [7, 13, [3], 2],
];
for (const [n, d, ks, threads] of CASES) {
  Deno.test({
    name:
      `wasm many-labelling sums match pairSumsRange (n=${n} d=${d} ks=${ks}, ${threads} thread(s))`,
    ignore,
    async fn() {
      const rng = createRandom(n * 3 + d);
      const x = matrix(Float32Array.from({ length: n * d }, () => rng.nextNormal()), n, d);
      const labelSets = ks.map((k) =>
        Int32Array.from({ length: n }, (_, i) => {
          if (i === 0) return 0;
          if (rng.nextFloat() < 0.1) return -1;
          return 1 + Math.floor(rng.nextFloat() * Math.max(1, k - 2));
        })
      );
      const backend = createCpuBackend({ threads, parallelThreshold: 0, kernels: "wasm" });
      try {
        const { sums } = await backend.clusterDistanceSumsMany(x, labelSets, ks);
        for (let l = 0; l < ks.length; l++) {
          const k = ks[l]!;
          const want = new Float64Array(n * k);
          pairSumsRange(x.data, d, n, labelSets[l]!, k, 0, n, want);
          assertClose(sums[l]!, want, 1e-6, `sums[${l}]`, 1e-9);
          const one = await backend.clusterDistanceSums(x, labelSets[l]!, k);
          assertClose(sums[l]!, one.sums, 1e-9, `sums[${l}] vs one labelling`, 1e-12);
          for (let i = 0; i < n; i++) {
            if (labelSets[l]![i] !== -1) continue;
            assert.ok(sums[l]!.subarray(i * k, i * k + k).every((v) => v === 0));
          }
        }
      } finally {
        await backend.dispose();
      }
    },
  });
}
