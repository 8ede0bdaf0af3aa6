/**
 * The pairwise silhouette sums of many labellings on the WebAssembly kernel
 * (`assembly/pair_sums_many.ts`): rows stored feature-major in a shared memory, each worker
 * owning a range of blocks of rows j and so its own columns of the accumulators.
 */
import type { Matrix } from "../../matrix.ts";
import { allocatePass, passRounds, type WasmCall, type WasmRunner } from "./runtime.ts";

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
  options: { grouped?: boolean } = {},
): Promise<{ acc: Float64Array; m: number }> {
  const { n, d } = x;
  const m = Math.ceil(n / 4) * 4;
  const blocks = m / 4;
  const P = Math.max(1, Math.min(parts, blocks));
  const groups = options.grouped === false ? undefined : groupRows(cols, n, L);
  const layout = [m * d * 4, width * m * 8];
  if (groups) {
    layout.push(n * d * 4, (groups.count + 1) * 4, groups.count * L * 4);
  } else {
    layout.push(n * L * 4);
    for (let p = 0; p < P; p++) layout.push(d * 16 + L * 4);
  }
  const { mem, at } = allocatePass(layout);
  const [xsAt, accAt] = at as [number, number];
  const buf = mem.memory.buffer;
  const xs = new Float32Array(buf, xsAt, m * d);
  const src = x.data;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) xs[j * m + i] = src[i * d + j]!;
  }
  const tile = Math.max(1, Math.floor(TILE_BYTES / (32 * Math.max(1, width))));
  if (groups) {
    const [xiAt, startAt, gcolsAt] = at.slice(2, 5) as [number, number, number];
    const xi = new Float32Array(buf, xiAt, n * d);
    groups.order.forEach((i, r) => xi.set(src.subarray(i * d, i * d + d), r * d));
    new Int32Array(buf, startAt, groups.count + 1).set(groups.start);
    new Int32Array(buf, gcolsAt, groups.count * L).set(groups.cols);
  } else {
    new Int32Array(buf, at[2]!, n * L).set(cols);
  }
  // Each call zeroes and fills the columns of its own blocks, so a pass may run as successive
  // rounds over growing shares of the blocks (see ROUNDS) with the same result.
  const work = m * (groups ? groups.count : n) * L;
  const shares = passRounds("pairSumsMany", run, work, WARM_WORK, ROUNDS);
  let done = 0;
  for (const share of shares) {
    const upto = Math.min(blocks, Math.ceil(blocks * share));
    if (upto <= done) continue;
    const span = upto - done;
    const calls: WasmCall[] = [];
    for (let p = 0; p < P; p++) {
      const b0 = done + Math.floor((span * p) / P);
      const b1 = done + Math.floor((span * (p + 1)) / P);
      if (b0 === b1) continue;
      if (groups) {
        const [xiAt, startAt, gcolsAt] = at.slice(2, 5) as [number, number, number];
        calls.push({
          fn: "pairSumsGrouped",
          args: [xsAt, m, d, xiAt, startAt, groups.count, gcolsAt, L, width, b0, b1, tile, accAt],
        });
      } else {
        calls.push({
          fn: "pairSumsMany",
          args: [xsAt, m, n, d, at[2]!, L, width, b0, b1, tile, at[3 + p]!, accAt],
        });
      }
    }
    await run(mem, calls);
    done = upto;
  }
  return { acc: new Float64Array(buf, accAt, width * m), m };
}

/**
 * The cumulative shares of the blocks done after each round of a runner's first large pass
 * (`passRounds`). The automatic job's one pass over 10,000 sampled rows took 989 ms in one round
 * in a fresh process, and about 190 ms once warm.
 */
const ROUNDS = [0.01, 0.05, 0.2, 1];

/** Rows j × rows (or groups) i × labellings of a pass whose first round warms the kernel. */
const WARM_WORK = 5e7;

/**
 * The rows grouped by their label columns (equal in every labelling), when there are at most
 * half as many groups as rows (below that the grouped kernel saves little): the rows in group
 * order, each group's first position (and n at the end), and each group's L columns.
 */
export function groupRows(
  cols: Int32Array,
  n: number,
  L: number,
): { count: number; order: Int32Array; start: Int32Array; cols: Int32Array } | undefined {
  const ids = new Map<string, number>();
  const groupOf = new Int32Array(n);
  const firstRow: number[] = [];
  for (let i = 0; i < n; i++) {
    const key = cols.subarray(i * L, i * L + L).join(",");
    let g = ids.get(key);
    if (g === undefined) {
      g = ids.size;
      ids.set(key, g);
      firstRow.push(i);
      if (ids.size > n / 2) return undefined;
    }
    groupOf[i] = g;
  }
  const count = ids.size;
  const start = new Int32Array(count + 1);
  for (let i = 0; i < n; i++) start[groupOf[i]! + 1]!++;
  for (let g = 0; g < count; g++) start[g + 1]! += start[g]!;
  const next = start.slice(0, count);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[next[groupOf[i]!]!++] = i;
  const gcols = new Int32Array(count * L);
  firstRow.forEach((i, g) => gcols.set(cols.subarray(i * L, i * L + L), g * L));
  return { count, order, start, cols: gcols };
}
