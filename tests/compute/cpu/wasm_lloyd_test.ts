/**
 * The WebAssembly Lloyd kernel (compute/cpu/wasm/) against the TypeScript reference
 * (`lloydRange`): identical labels and changed counts, sums, counts, inertia and distances
 * within a relative 1e-6, on random rows, with workers and inline, for several d and k.
 */
import assert from "node:assert/strict";
import { createCpuBackend } from "../../../compute/cpu/backend.ts";
import { lloydRange } from "../../../compute/cpu/kernels.ts";
import { wasmKernels } from "../../../compute/cpu/wasm/runtime.ts";
import { matrix } from "../../../compute/matrix.ts";
import { createRandom } from "../../../compute/random.ts";
import { assertClose } from "./_parity.ts";

const ignore = wasmKernels() === undefined;

// d = 1..16 each take their own specialised pass (features held in registers), d > 16 the
// general one; n not a multiple of 4 leaves a padded last block.
const CASES: Array<[number, number, number, number]> = [
  [5003, 6, 8, 2],
  [1001, 3, 1, 1],
  [4097, 11, 64, 2],
  [2, 2, 3, 1],
  [777, 1, 5, 1],
  [778, 2, 9, 2],
  [779, 4, 4, 1],
  [780, 5, 7, 2],
  [781, 7, 16, 1],
  [782, 8, 3, 2],
  [783, 9, 6, 1],
  [784, 10, 5, 2],
  [785, 12, 8, 1],
  [786, 13, 2, 2],
  [787, 15, 9, 1],
  [788, 16, 4, 2],
  [789, 17, 7, 1],
];
for (const [n, d, k, threads] of CASES) {
  Deno.test({
    name: `wasm Lloyd steps match lloydRange (n=${n} d=${d} k=${k}, ${threads} thread(s))`,
    ignore,
    async fn() {
      const rng = createRandom(n + d + k);
      const x = matrix(Float32Array.from({ length: n * d }, () => rng.nextNormal()), n, d);
      // Centres on rows, and rows duplicating centres: exact ties must go to the lower index.
      const centers = Float32Array.from({ length: k * d }, () => rng.nextNormal());
      if (k > 1) centers.copyWithin(d, 0, d);
      const backend = createCpuBackend({ threads, parallelThreshold: 0, kernels: "wasm" });
      try {
        assert.match(backend.info.description, /WebAssembly/);
        const session = await backend.lloyd(x, k);
        const labels = new Int32Array(n).fill(-1);
        const dist2 = new Float32Array(n);
        let moved = centers;
        for (let step = 0; step < 3; step++) {
          const sums = new Float64Array(k * d);
          const counts = new Float64Array(k);
          const [inertia, changed] = lloydRange(
            x.data,
            d,
            moved,
            k,
            0,
            n,
            labels,
            dist2,
            sums,
            counts,
          );
          const got = await session.step(moved);
          assert.deepEqual(await session.labels(), labels);
          assert.equal(got.changed, changed);
          assert.deepEqual(Array.from(got.counts), Array.from(counts));
          assertClose(got.sums, sums, 1e-9, "sums");
          assertClose([got.inertia], [inertia], 1e-6, "inertia");
          assertClose(await session.distances(), dist2, 1e-6, "distances", 1e-12);
          // The next step from the means, so that labels change between steps.
          moved = Float32Array.from(sums, (s, i) => s / Math.max(1, counts[Math.floor(i / d)]!));
        }
        session.dispose();
      } finally {
        await backend.dispose();
      }
    },
  });
}

Deno.test("the TypeScript kernels are used when asked for", async () => {
  const backend = createCpuBackend({ threads: 1, kernels: "ts" });
  assert.doesNotMatch(backend.info.description, /WebAssembly/);
  await backend.dispose();
});
