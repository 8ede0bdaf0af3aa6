/**
 * The CPU backend's WebAssembly SIMD kernels against its TypeScript kernels, same rows, same
 * workers: one Lloyd step at 1M × 6 with k = 8 and k = 64 (from k-means++ centres, after a first
 * step that makes the shared copies), and the exact silhouette sums at 20k × 6, k = 8.
 * Side by side with scikit-learn: `compare_sklearn.py --only kmeans,kmeans64,silhouette`.
 */
import { makeBlobs } from "./data.ts";
import { createCpuBackend } from "../compute/cpu/backend.ts";
import { kmeansPlusPlus } from "../compute/kmeans.ts";
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
