/**
 * A Lloyd session on the WebAssembly kernel (`assembly/lloyd.ts`): the rows are copied once
 * into a shared memory in blocks of four (feature-major inside a block), and each step writes
 * only the centres and runs one call per worker over a range of blocks.
 */
import type { LloydSession, LloydStep } from "../../backend.ts";
import type { Matrix } from "../../matrix.ts";
import { allocatePass, rowsMemory, type WasmCall, type WasmRunner } from "./runtime.ts";

/**
 * Starts a KMeans session over `x` with `k` clusters, split into `parts` calls per step. Labels
 * equal `lloydRange`'s (../kernels.ts); sums and counts equal them up to float64 rounding;
 * distances and inertia are float32 distances (relative difference below 1e-6).
 */
export function wasmLloydSession(
  x: Matrix,
  k: number,
  parts: number,
  run: WasmRunner,
): LloydSession {
  const { n, d } = x;
  const blocks = Math.ceil(n / 4);
  const P = Math.max(1, Math.min(parts, blocks));
  const rows = rowsMemory(x.data, `blocks4:${d}`, blocks * d * 16, (buf) => {
    const xs = new Float32Array(buf, 0, blocks * d * 4);
    const src = x.data;
    for (let b = 0, i = 0; b < blocks; b++) {
      const last = Math.min(4, n - 4 * b);
      for (let l = 0; l < last; l++, i++) {
        for (let j = 0, o = b * d * 4 + l; j < d; j++, o += 4) xs[o] = src[i * d + j]!;
      }
    }
  });
  const xAt = 0;
  const sizes = [n * 4, n * 4, k * d * 16, k * d * 4];
  for (let p = 0; p < P; p++) sizes.push(k * d * 8, k * 8, 16);
  const { mem, at } = allocatePass(sizes, rows.mem, rows.end);
  const [labelsAt, distAt, splatAt, centersAt] = at as [number, number, number, number];
  const buf = mem.memory.buffer;
  new Int32Array(buf, labelsAt, n).fill(-1);
  const splat = new Float32Array(buf, splatAt, k * d * 4);
  const centersMem = new Float32Array(buf, centersAt, k * d);
  const ranges: Array<[number, number]> = [];
  for (let p = 0; p < P; p++) {
    ranges.push([Math.floor((blocks * p) / P), Math.floor((blocks * (p + 1)) / P)]);
  }
  const part = (p: number) => at.slice(4 + 3 * p, 7 + 3 * p) as [number, number, number];

  return {
    backend: "cpu",
    async step(centers: Float32Array): Promise<LloydStep> {
      centersMem.set(centers.subarray(0, k * d));
      for (let v = 0; v < k * d; v++) splat.fill(centers[v]!, v * 4, v * 4 + 4);
      const calls = ranges.map(([b0, b1], p): WasmCall => {
        const [sumsAt, countsAt, resultAt] = part(p);
        return {
          fn: "lloyd",
          args: [
            xAt,
            n,
            d,
            splatAt,
            centersAt,
            k,
            b0,
            b1,
            labelsAt,
            distAt,
            sumsAt,
            countsAt,
            resultAt,
          ],
        };
      });
      await run(mem, calls);
      const sums = new Float64Array(k * d);
      const counts = new Float64Array(k);
      let inertia = 0;
      let changed = 0;
      for (let p = 0; p < P; p++) {
        const [sumsAt, countsAt, resultAt] = part(p);
        const s = new Float64Array(buf, sumsAt, k * d);
        const c = new Float64Array(buf, countsAt, k);
        for (let i = 0; i < k * d; i++) sums[i]! += s[i]!;
        for (let i = 0; i < k; i++) counts[i]! += c[i]!;
        const r = new Float64Array(buf, resultAt, 2);
        inertia += r[0]!;
        changed += r[1]!;
      }
      return { sums, counts, inertia, changed };
    },
    labels: () => Promise.resolve(new Int32Array(buf, labelsAt, n).slice()),
    distances: () => Promise.resolve(new Float32Array(buf, distAt, n).slice()),
    dispose: rows.release,
  };
}
