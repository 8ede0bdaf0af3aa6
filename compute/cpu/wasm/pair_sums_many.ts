/**
 * The pairwise silhouette sums of many labellings on the WebAssembly kernel
 * (`assembly/pair_sums_many.ts`): rows stored feature-major in a shared memory, each worker
 * owning a range of blocks of rows j and so its own columns of the accumulators.
 */
import type { Matrix } from "../../matrix.ts";
import { allocatePass, type WasmCall, type WasmRunner } from "./runtime.ts";

// Rows j per tile: the tile's accumulators (width × 4·TILE_BLOCKS f64) stay in L2.
const TILE_BYTES = 384 * 1024;

/**
 * For the label columns `cols` (n × L, as `pairSumsManyRange` in ../kernels.ts takes them), the
 * sums of distances from every row j to the rows i of each column: `(col, j) ↦ acc[col·m + j]`
 * (width × m, m = n rounded up to four). Distances are float32 as in `wasmPairSums`; sums are
 * float64.
 */
export async function wasmPairSumsMany(
  x: Matrix,
  cols: Int32Array,
  L: number,
  width: number,
  parts: number,
  run: WasmRunner,
): Promise<{ acc: Float64Array; m: number }> {
  const { n, d } = x;
  const m = Math.ceil(n / 4) * 4;
  const blocks = m / 4;
  const P = Math.max(1, Math.min(parts, blocks));
  const layout = [m * d * 4, n * L * 4, width * m * 8];
  for (let p = 0; p < P; p++) layout.push(d * 16 + L * 4);
  const { mem, at } = allocatePass(layout);
  const [xsAt, colsAt, accAt] = at as [number, number, number];
  const buf = mem.memory.buffer;
  const xs = new Float32Array(buf, xsAt, m * d);
  const src = x.data;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) xs[j * m + i] = src[i * d + j]!;
  }
  new Int32Array(buf, colsAt, n * L).set(cols);
  const tile = Math.max(1, Math.floor(TILE_BYTES / (32 * Math.max(1, width))));
  const calls: WasmCall[] = [];
  for (let p = 0; p < P; p++) {
    const b0 = Math.floor((blocks * p) / P);
    const b1 = Math.floor((blocks * (p + 1)) / P);
    calls.push({
      fn: "pairSumsMany",
      args: [xsAt, m, n, d, colsAt, L, width, b0, b1, tile, at[3 + p]!, accAt],
    });
  }
  await run(mem, calls);
  return { acc: new Float64Array(buf, accAt, width * m), m };
}
