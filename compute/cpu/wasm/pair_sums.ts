/**
 * The pairwise silhouette sums on the WebAssembly kernel (`assembly/pair_sums.ts`): rows are
 * sorted by cluster, each cluster padded to a multiple of four rows, and stored feature-major in
 * a shared memory; workers take the blocks of the upper triangle of 4 × 4 tiles one at a time from
 * a shared counter, in rounds of growing size.
 */
import type { Matrix } from "../../matrix.ts";
import { allocatePass, passRounds, type WasmCall, type WasmRunner } from "./runtime.ts";

/**
 * For each row i and cluster c, the sum of Euclidean distances from i to the rows labelled c
 * (n × k, row-major, float64); rows labelled −1 are skipped and their own sums are 0. Matches
 * `pairSumsRange` (../kernels.ts) to a relative 1e-6: distances are float32, sums float64.
 */
export async function wasmPairSums(
  x: Matrix,
  labels: Int32Array,
  k: number,
  parts: number,
  run: WasmRunner,
): Promise<Float64Array> {
  const { n, d } = x;
  const sizes = new Int32Array(k);
  for (let i = 0; i < n; i++) {
    const c = labels[i]!;
    if (c >= 0) sizes[c]!++;
  }
  const segs = new Int32Array(k + 1);
  for (let c = 0; c < k; c++) segs[c + 1] = segs[c]! + Math.ceil(sizes[c]! / 4) * 4;
  const m = Math.max(4, segs[k]!);
  segs[k] = m;
  const blocks = m / 4;
  const P = Math.max(1, Math.min(parts, blocks));
  // Its tiering budget is spent after a few thousand tiles: see WARM_TILES.
  const shares = passRounds("pairSums", run, (blocks * (blocks + 1)) / 2, WARM_TILES, ROUNDS);
  const cuts = tileCuts(blocks, shares);
  const layout = [m * d * 4, m * 4, m * 4, (k + 1) * 4, shares.length * 4];
  for (let p = 0; p < P; p++) layout.push(d * 16, m * k * 8, m * k * 8);
  const { mem, at } = allocatePass(layout);
  const [xsAt, maskAt, clusterAt, segsAt, nextAt] = at as [number, number, number, number, number];
  const buf = mem.memory.buffer;
  const xs = new Float32Array(buf, xsAt, m * d);
  const mask = new Int32Array(buf, maskAt, m);
  const cluster = new Int32Array(buf, clusterAt, m).fill(-1);
  new Int32Array(buf, segsAt, k + 1).set(segs);
  new Int32Array(buf, nextAt, shares.length).set(cuts.slice(0, -1));
  const orig = new Int32Array(m).fill(-1);
  const next = segs.slice(0, k);
  const src = x.data;
  for (let i = 0; i < n; i++) {
    const c = labels[i]!;
    if (c < 0) continue;
    const r = next[c]!++;
    orig[r] = i;
    cluster[r] = c;
    mask[r] = -1;
    for (let j = 0; j < d; j++) xs[j * m + r] = src[i * d + j]!;
  }
  const part = (p: number) => at.slice(5 + 3 * p, 8 + 3 * p) as [number, number, number];
  for (let q = 0; q < shares.length; q++) {
    if (cuts[q] === cuts[q + 1]) continue;
    const calls: WasmCall[] = [];
    for (let p = 0; p < P; p++) {
      const [scratchAt, rowAt, colAt] = part(p);
      const args = [xsAt, maskAt, clusterAt, segsAt, m, d, k, nextAt + 4 * q, cuts[q + 1]!];
      calls.push({ fn: "pairSums", args: [...args, scratchAt, rowAt, colAt] });
    }
    await run(mem, calls);
  }
  const sums = new Float64Array(n * k);
  for (let p = 0; p < P; p++) {
    const [, rowAt, colAt] = part(p);
    const rowOut = new Float64Array(buf, rowAt, m * k);
    const colOut = new Float64Array(buf, colAt, m * k);
    for (let r = 0; r < m; r++) {
      const i = orig[r]!;
      if (i < 0) continue;
      for (let c = 0; c < k; c++) sums[i * k + c]! += rowOut[r * k + c]! + colOut[c * m + r]!;
    }
  }
  return sums;
}

/** The cumulative shares of the tiles done after each round of a runner's first pass (`passRounds`). */
const ROUNDS = [0.005, 0.025, 0.08, 0.25, 1];

/** Tiles of a pass whose first round (0.5 %) runs long enough to have the kernel optimised. */
const WARM_TILES = 1_000_000;

/**
 * The first block of each round and `blocks` (`shares.length` + 1 values, non-decreasing), where
 * block b holds blocks − b tiles (itself and every later block), so that round q ends once
 * `shares[q]` of all tiles are done (`shares` increasing, ending with 1).
 */
export function tileCuts(blocks: number, shares: readonly number[] = ROUNDS): number[] {
  const total = (blocks * (blocks + 1)) / 2;
  // Blocks [0, r) hold r·blocks − r(r − 1)/2 tiles; the r that holds `share` of them.
  const at = (share: number) => {
    const b = 2 * blocks + 1;
    const r = Math.round((b - Math.sqrt(Math.max(0, b * b - 8 * share * total))) / 2);
    return Math.min(blocks, Math.max(0, r));
  };
  const cuts = [0, ...shares.map(at)];
  cuts[cuts.length - 1] = blocks;
  for (let i = 1; i < cuts.length; i++) cuts[i] = Math.max(cuts[i]!, cuts[i - 1]!);
  return cuts;
}
