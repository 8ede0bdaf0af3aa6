/**
 * The pairwise silhouette sums of many labellings of the same rows in one pass (AssemblyScript
 * source), as `pairSumsManyRange` in ../kernels.ts computes them.
 *
 * Rows are feature-major (`xs + (j·m + r)·4`, m rows padded to a multiple of four). Every
 * ordered pair (i, j) is visited: the f32x4 distance from row i to four rows j is added, for each
 * labelling, to the accumulator row of i's label column, `acc + (col·m + j)·8`, so each add is
 * one contiguous float64 store of four rows, with no scatter. Each call owns a range of blocks
 * of j, walked in tiles whose accumulators stay in cache while all rows i stream past. The
 * distances are computed as `pairSums` computes them (same operations, same order), so one
 * labelling's sums here equal that kernel's up to float64 summation order.
 */

/**
 * Adds, for every row i < n and every block of four rows j in [b0, b1), the distances |x_i − x_j|
 * to `acc[(cols[i·L + l]·m + j)]` for each labelling l. `acc` is width × m f64; its columns of
 * blocks [b0, b1) are zeroed here. `scratch` is d × 16 + L × 4 bytes of this call's own.
 */
export function pairSumsMany(
  xs: usize,
  m: i32,
  n: i32,
  d: i32,
  cols: usize,
  L: i32,
  width: i32,
  b0: i32,
  b1: i32,
  tile: i32,
  scratch: usize,
  acc: usize,
): void {
  const rowBytes = <usize> m << 3;
  for (let w = 0; w < width; w++) {
    memory.fill(acc + <usize> w * rowBytes + (<usize> b0 << 5), 0, <usize> (b1 - b0) << 5);
  }
  const colBytes = <usize> m << 2;
  const dBytes = <usize> d << 4;
  const ptrs = scratch + dBytes;
  for (let t0 = b0; t0 < b1; t0 += tile) {
    const t1 = min(t0 + tile, b1);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) {
        v128.store(
          scratch + (<usize> j << 4),
          v128.load32_splat(xs + <usize> j * colBytes + (<usize> i << 2)),
        );
      }
      const ci = cols + (<usize> (i * L) << 2);
      for (let l = 0; l < L; l++) {
        store<usize>(
          ptrs + (<usize> l << 2),
          acc + <usize> load<i32>(ci + (<usize> l << 2)) * rowBytes,
        );
      }
      for (let blk = t0; blk < t1; blk++) {
        const off = <usize> blk << 4;
        let s = f32x4.splat(0);
        let p = xs + off;
        for (let j: usize = 0; j < dBytes; j += 16) {
          const t = f32x4.sub(v128.load(p), v128.load(scratch + j));
          s = f32x4.add(s, f32x4.mul(t, t));
          p += colBytes;
        }
        const dist = f32x4.sqrt(s);
        const dlo = f64x2.promote_low_f32x4(dist);
        const dhi = f64x2.promote_low_f32x4(v128.shuffle<f32>(dist, dist, 2, 3, 0, 1));
        const jOff = <usize> blk << 5;
        for (let l = 0; l < L; l++) {
          const q = load<usize>(ptrs + (<usize> l << 2)) + jOff;
          v128.store(q, f64x2.add(v128.load(q), dlo));
          v128.store(q, f64x2.add(v128.load(q, 16), dhi), 16);
        }
      }
    }
  }
}

/**
 * `pairSumsMany` for rows i taken in groups whose label columns are equal in every labelling
 * (automatic-job candidates mostly agree, so the groups are far fewer than the rows): for each
 * block of four rows j, the distances to a group's rows are summed in registers (float64), and
 * the sum is added once to each of the group's L accumulator rows, instead of once per row i.
 * `xi` holds the rows i row-major in group order; group g is rows [gstart[g], gstart[g + 1])
 * with columns `gcols[g·L + l]`. The distances are the same float32 operations as in
 * `pairSumsMany`; only the order of the float64 additions differs.
 */
export function pairSumsGrouped(
  xs: usize,
  m: i32,
  d: i32,
  xi: usize,
  gstart: usize,
  G: i32,
  gcols: usize,
  L: i32,
  width: i32,
  b0: i32,
  b1: i32,
  tile: i32,
  acc: usize,
): void {
  const rowBytes = <usize> m << 3;
  for (let w = 0; w < width; w++) {
    memory.fill(acc + <usize> w * rowBytes + (<usize> b0 << 5), 0, <usize> (b1 - b0) << 5);
  }
  const colBytes = <usize> m << 2;
  const rowI = <usize> d << 2;
  for (let t0 = b0; t0 < b1; t0 += tile) {
    const t1 = min(t0 + tile, b1);
    for (let g = 0; g < G; g++) {
      const i0 = load<i32>(gstart + (<usize> g << 2));
      const i1 = load<i32>(gstart + (<usize> (g + 1) << 2));
      const gc = gcols + (<usize> (g * L) << 2);
      const first = xi + <usize> i0 * rowI;
      for (let blk = t0; blk < t1; blk++) {
        const off = xs + (<usize> blk << 4);
        let lo = f64x2.splat(0);
        let hi = f64x2.splat(0);
        let pi = first;
        for (let i = i0; i < i1; i++) {
          let s = f32x4.splat(0);
          let p = off;
          for (let j: usize = 0; j < rowI; j += 4) {
            const t = f32x4.sub(v128.load(p), v128.load32_splat(pi + j));
            s = f32x4.add(s, f32x4.mul(t, t));
            p += colBytes;
          }
          pi += rowI;
          const dist = f32x4.sqrt(s);
          lo = f64x2.add(lo, f64x2.promote_low_f32x4(dist));
          hi = f64x2.add(hi, f64x2.promote_low_f32x4(v128.shuffle<f32>(dist, dist, 2, 3, 0, 1)));
        }
        const jOff = <usize> blk << 5;
        for (let l = 0; l < L; l++) {
          const q = acc + <usize> load<i32>(gc + (<usize> l << 2)) * rowBytes + jOff;
          v128.store(q, f64x2.add(v128.load(q), lo));
          v128.store(q, f64x2.add(v128.load(q, 16), hi), 16);
        }
      }
    }
  }
}
