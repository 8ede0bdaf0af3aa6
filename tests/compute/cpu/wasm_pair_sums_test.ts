/**
 * The WebAssembly pairwise silhouette sums (compute/cpu/wasm/) against the TypeScript reference
 * (`pairSumsRange`): every row's per-cluster sums within a relative 1e-6, on random rows with
 * noise (−1) rows, empty and singleton clusters, with workers and inline, and on random shapes
 * (clusters with and without padding rows, d = 1..11); the rounds of tile ranges.
 */
import assert from "node:assert/strict";
import { createCpuBackend } from "../../../compute/cpu/backend.ts";
import { pairSumsRange } from "../../../compute/cpu/kernels.ts";
import { tileCuts } from "../../../compute/cpu/wasm/pair_sums.ts";
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

// Random shapes for the 4 × 4 tile kernel: clusters whose sizes are and are not multiples of
// four (full blocks and blocks with padding), d from 1 to 11, noise, one and two threads.
for (let t = 0; t < 6; t++) {
  const rng = createRandom(9100 + t);
  const n = 8 + Math.floor(rng.nextFloat() * 700);
  const d = 1 + Math.floor(rng.nextFloat() * 11);
  const k = 2 + Math.floor(rng.nextFloat() * 9);
  const threads = 1 + (t % 2);
  Deno.test({
    name: `wasm pair sums, random shape ${t} (n=${n} d=${d} k=${k}, ${threads} thread(s))`,
    ignore,
    async fn() {
      const x = matrix(Float32Array.from({ length: n * d }, () => rng.nextNormal()), n, d);
      // Half the shapes make every cluster a multiple of four rows: no padding anywhere.
      const whole = t % 3 === 0;
      const labels = Int32Array.from({ length: n }, (_, i) => {
        if (whole) return Math.floor(i / 4) % k;
        return rng.nextFloat() < 0.05 ? -1 : Math.floor(rng.nextFloat() * k);
      });
      const want = new Float64Array(n * k);
      pairSumsRange(x.data, d, n, labels, k, 0, n, want);
      const backend = createCpuBackend({ threads, parallelThreshold: 0, kernels: "wasm" });
      try {
        const { sums } = await backend.clusterDistanceSums(x, labels, k);
        assertClose(sums, want, 1e-6, "sums", 1e-9);
      } finally {
        await backend.dispose();
      }
    },
  });
}

Deno.test("tileCuts: rounds cover every block once, in order, ending at the planned shares", () => {
  for (const blocks of [1, 3, 10, 1250, 5000]) {
    const cuts = tileCuts(blocks);
    assert.equal(cuts[0], 0);
    assert.equal(cuts.at(-1), blocks);
    for (let i = 1; i < cuts.length; i++) assert.ok(cuts[i]! >= cuts[i - 1]!);
    if (blocks < 1000) continue;
    assert.deepEqual(tileCuts(blocks, [1]), [0, blocks]);
    // The first round holds 0.5 % of the tiles, the first four a quarter (within 0.1 %).
    const tiles = (b1: number) => b1 * blocks - (b1 * (b1 - 1)) / 2;
    const total = tiles(blocks);
    assert.ok(Math.abs(tiles(cuts[1]!) / total - 0.005) < 0.001, `${cuts}`);
    assert.ok(Math.abs(tiles(cuts[4]!) / total - 0.25) < 0.001, `${cuts}`);
  }
});
