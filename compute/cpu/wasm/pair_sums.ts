/**
 * The pairwise silhouette sums on the WebAssembly kernel (`assembly/pair_sums.ts`): rows are
 * sorted by cluster, each cluster padded to a multiple of four rows, and stored feature-major in
 * a shared memory; workers take balanced ranges of the upper triangle.
 */
import type { Matrix } from "../../matrix.ts";
import { triangleRanges } from "../kernels.ts";
import { allocatePass, type WasmCall, type WasmRunner } from "./runtime.ts";

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
  const P = Math.max(1, Math.min(parts, m));
  const ranges = triangleRanges(m, P);
  const layout = [m * d * 4, m * 4, m * 4, (k + 1) * 4];
  for (let p = 0; p < P; p++) layout.push(d * 16, m * k * 8, m * k * 8);
  const { mem, at } = allocatePass(layout);
  const [xsAt, maskAt, clusterAt, segsAt] = at as [number, number, number, number];
  const buf = mem.memory.buffer;
  const xs = new Float32Array(buf, xsAt, m * d);
  const mask = new Int32Array(buf, maskAt, m);
  const cluster = new Int32Array(buf, clusterAt, m).fill(-1);
  new Int32Array(buf, segsAt, k + 1).set(segs);
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
  const part = (p: number) => at.slice(4 + 3 * p, 7 + 3 * p) as [number, number, number];
  const calls = ranges.map(([i0, i1], p): WasmCall => {
    const [scratchAt, rowAt, colAt] = part(p);
    return {
      fn: "pairSums",
      args: [xsAt, maskAt, clusterAt, segsAt, m, d, k, i0, i1, scratchAt, rowAt, colAt],
    };
  });
  await run(mem, calls);
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
