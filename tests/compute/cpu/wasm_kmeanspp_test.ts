/**
 * The WebAssembly k-means++ candidate passes (compute/cpu/wasm/kmeanspp.ts) against the
 * TypeScript reference (`kmeansPlusPlus`): the same centres bit for bit from the same seed, with
 * workers and inline, odd and even n, several d and k, rows with duplicates; the same refusal
 * when there are fewer than k distinct rows.
 */
import assert from "node:assert/strict";
import { createCpuBackend } from "../../../compute/cpu/backend.ts";
import { wasmKernels } from "../../../compute/cpu/wasm/runtime.ts";
import { kmeansPlusPlus, kmeansPlusPlusOn } from "../../../compute/kmeans.ts";
import { matrix } from "../../../compute/matrix.ts";
import { createRandom } from "../../../compute/random.ts";

const ignore = wasmKernels() === undefined;

const CASES: Array<[number, number, number[], number]> = [
  [5003, 6, [2, 8, 10], 2],
  [1000, 3, [1, 5, 64], 1],
  [777, 11, [7], 2],
];
for (const [n, d, ks, threads] of CASES) {
  Deno.test({
    name: `wasm k-means++ equals kmeansPlusPlus (n=${n} d=${d} ks=${ks}, ${threads} thread(s))`,
    ignore,
    async fn() {
      const rng = createRandom(n + d);
      const x = matrix(Float32Array.from({ length: n * d }, () => rng.nextNormal()), n, d);
      x.data.copyWithin(0, d * 10, d * 30); // duplicated rows
      const backend = createCpuBackend({ threads, parallelThreshold: 0, kernels: "wasm" });
      try {
        for (const k of ks) {
          for (const seed of [0, 1, 2]) {
            const want = kmeansPlusPlus(x, k, createRandom(seed));
            const got = await kmeansPlusPlusOn(x, k, createRandom(seed), backend);
            assert.deepEqual(got, want, `k=${k} seed=${seed}`);
          }
        }
      } finally {
        await backend.dispose();
      }
    },
  });
}

Deno.test({
  name: "wasm k-means++ refuses fewer than k distinct rows as kmeansPlusPlus does",
  ignore,
  async fn() {
    const x = matrix(Float32Array.from({ length: 301 * 2 }, (_, i) => (i >> 1) % 3), 301, 2);
    const backend = createCpuBackend({ threads: 2, parallelThreshold: 0, kernels: "wasm" });
    try {
      assert.throws(() => kmeansPlusPlus(x, 4, createRandom(0)), /at least 4 distinct rows/);
      await assert.rejects(
        () => kmeansPlusPlusOn(x, 4, createRandom(0), backend),
        /at least 4 distinct rows but found 3/,
      );
    } finally {
      await backend.dispose();
    }
  },
});
