/**
 * The WebAssembly many-labelling pairwise sums (compute/cpu/wasm/) against the TypeScript
 * reference (`pairSumsRange`, one labelling at a time) within a relative 1e-6, and against the
 * WebAssembly one-labelling pass within 1e-9 (same float32 distances): noise (−1) rows, an
 * empty cluster and a singleton, with workers and inline; and the grouped kernel (rows whose
 * labels agree in every labelling summed together) against the row-by-row one within 1e-12.
 */
import assert from "node:assert/strict";
import { cpuWasmOf, createCpuBackend } from "../../../compute/cpu/backend.ts";
import { groupRows, wasmPairSumsMany } from "../../../compute/cpu/wasm/pair_sums_many.ts";
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

// Candidates of one job mostly agree: labellings that are functions of a few base groups make
// the grouped kernel run (groups far fewer than rows), and it must equal the row-by-row one.
for (const [n, d, threads] of [[1203, 6, 2], [401, 3, 1], [9, 5, 2]] as const) {
  Deno.test({
    name:
      `wasm grouped many-labelling sums match the row-by-row kernel (n=${n} d=${d}, ${threads} thread(s))`,
    ignore,
    async fn() {
      const rng = createRandom(n + 7 * d);
      const x = matrix(Float32Array.from({ length: n * d }, () => rng.nextNormal()), n, d);
      const base = Int32Array.from({ length: n }, () => Math.floor(rng.nextFloat() * 12));
      const ks = [2, 3, 5, 8, 10, 4];
      // Labelling l: base group g ↦ (g · (l + 1)) mod k, and −1 for base group 11 in the last.
      const labelSets = ks.map((k, l) =>
        Int32Array.from(base, (g) => (l === ks.length - 1 && g === 11 ? -1 : (g * (l + 1)) % k))
      );
      const backend = createCpuBackend({ threads, parallelThreshold: 0, kernels: "wasm" });
      try {
        const cw = cpuWasmOf(backend)!;
        const L = ks.length;
        const cols = new Int32Array(n * L);
        let width = 0;
        ks.forEach((k, l) => {
          for (let i = 0; i < n; i++) {
            const c = labelSets[l]![i]!;
            cols[i * L + l] = width + (c < 0 ? k : c);
          }
          width += k + 1;
        });
        assert.ok(groupRows(cols, n, L) !== undefined || n < 24, "grouped path taken");
        const a = await wasmPairSumsMany(x, cols, L, width, cw.parts, cw.run);
        const b = await wasmPairSumsMany(x, cols, L, width, cw.parts, cw.run, { grouped: false });
        assertClose(a.acc, b.acc, 1e-12, "grouped vs row by row", 1e-12);
        const { sums } = await backend.clusterDistanceSumsMany(x, labelSets, ks);
        for (let l = 0; l < L; l++) {
          const one = await backend.clusterDistanceSums(x, labelSets[l]!, ks[l]!);
          assertClose(sums[l]!, one.sums, 1e-9, `sums[${l}] vs one labelling`, 1e-12);
        }
      } finally {
        await backend.dispose();
      }
    },
  });
}
