/**
 * The pairwise silhouette sums in WebAssembly SIMD (AssemblyScript source): for every row i and
 * cluster c, the sum of Euclidean distances from i to the rows of c, as `pairSumsRange` in
 * ../kernels.ts computes them.
 *
 * The caller sorts the rows by cluster and pads each cluster to a multiple of four rows, and
 * stores them feature-major (`xs + (j·m + r)·4`, m padded rows). Then the rows j > i of one
 * cluster are contiguous whole blocks of four: one f32x4 of distances adds to i's sum for that
 * cluster (a register, no scatter) and to the four rows' sums for i's cluster (one contiguous
 * store, `colOut` being cluster-major). Each unordered pair is computed once. Distances are
 * float32; they are accumulated in float64, like the reference.
 */

/**
 * Rows [i0, i1) (padded, sorted indices) against every later row: adds distances to
 * `rowOut[i·k + c]` (rows after i in cluster c) and `colOut[a·m + j]` (row j, from earlier rows
 * i of cluster a). Both accumulators are m × k f64 and zeroed here. `mask` holds, per padded
 * row, all ones for a real row and zero for padding; `cluster` its cluster (−1: padding);
 * `segs` (k + 1 i32) the first padded row of each cluster, `segs[k]` = m. `scratch` is d × 16
 * bytes of this call's own.
 */
export function pairSums(
  xs: usize,
  mask: usize,
  cluster: usize,
  segs: usize,
  m: i32,
  d: i32,
  k: i32,
  i0: i32,
  i1: i32,
  scratch: usize,
  rowOut: usize,
  colOut: usize,
): void {
  memory.fill(rowOut, 0, <usize> m * <usize> k << 3);
  memory.fill(colOut, 0, <usize> m * <usize> k << 3);
  const colBytes = <usize> m << 2;
  const dBytes = <usize> d << 4;
  const lanes = i32x4(0, 1, 2, 3);
  for (let i = i0; i < i1; i++) {
    const a = load<i32>(cluster + (<usize> i << 2));
    if (a < 0) continue;
    for (let j = 0; j < d; j++) {
      v128.store(
        scratch + (<usize> j << 4),
        v128.load32_splat(xs + <usize> j * colBytes + (<usize> i << 2)),
      );
    }
    const first = (i + 1) >> 2;
    // Lanes j ≤ i of the first block are pairs already counted (or i itself).
    const tri = i32x4.gt_s(i32x4.add(i32x4.splat(first << 2), lanes), i32x4.splat(i));
    const colRow = colOut + (<usize> a * <usize> m << 3);
    for (let c = a; c < k; c++) {
      let blk = load<i32>(segs + (<usize> c << 2)) >> 2;
      const end = load<i32>(segs + (<usize> (c + 1) << 2)) >> 2;
      if (blk < first) blk = first;
      let lo = f64x2.splat(0);
      let hi = f64x2.splat(0);
      for (; blk < end; blk++) {
        const off = <usize> blk << 4;
        let s = f32x4.splat(0);
        let p = xs + off;
        for (let j: usize = 0; j < dBytes; j += 16) {
          const t = f32x4.sub(v128.load(p), v128.load(scratch + j));
          s = f32x4.add(s, f32x4.mul(t, t));
          p += colBytes;
        }
        let keep = v128.load(mask + off);
        if (blk == first) keep = v128.and(keep, tri);
        const dist = v128.and(f32x4.sqrt(s), keep);
        const dlo = f64x2.promote_low_f32x4(dist);
        const dhi = f64x2.promote_low_f32x4(v128.shuffle<f32>(dist, dist, 2, 3, 0, 1));
        lo = f64x2.add(lo, dlo);
        hi = f64x2.add(hi, dhi);
        const q = colRow + (<usize> blk << 5);
        v128.store(q, f64x2.add(v128.load(q), dlo));
        v128.store(q, f64x2.add(v128.load(q, 16), dhi), 16);
      }
      const acc = f64x2.add(lo, hi);
      const r = rowOut + (<usize> (i * k + c) << 3);
      store<f64>(r, load<f64>(r) + f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1));
    }
  }
}
