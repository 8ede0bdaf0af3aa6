/**
 * The pairwise silhouette sums in WebAssembly SIMD (AssemblyScript source): for every row i and
 * cluster c, the sum of Euclidean distances from i to the rows of c, as `pairSumsRange` in
 * ../kernels.ts computes them.
 *
 * The caller sorts the rows by cluster and pads each cluster to a multiple of four rows, and
 * stores them feature-major (`xs + (j·m + r)·4`, m padded rows). Every block of four rows then
 * lies in one cluster, and the rows after a block in cluster c are whole blocks. A full block of
 * four rows i is compared with each later block of four rows j as one 4 × 4 tile (register
 * blocking): each loaded f32x4 of rows j serves four rows i, whose features are splatted from
 * memory. A tile's sixteen distances are promoted to float64 and added to the four rows j's sums
 * for i's cluster (one contiguous store, `colOut` being cluster-major) and to the four rows i's
 * sums for j's cluster (registers, written once per cluster). Each unordered pair is computed
 * once. A block holding padding rows (the last one of a cluster) is walked row by row.
 *
 * Distances are float32 and computed as `pairSumsMany` computes them (same operations, same
 * order); every distance is added in float64, like the reference.
 */

/**
 * Blocks of rows (padded, sorted indices / 4) against every later row, the blocks taken one at a
 * time from the shared counter at `next` (i32, advanced atomically by every worker of the round)
 * until it reaches `b1`: adds distances to `rowOut[i·k + c]` (rows after i in cluster c) and
 * `colOut[a·m + j]` (row j, from earlier rows i of cluster a). Both accumulators are m × k f64,
 * this call's worker's own, zero before a pass's first call and added to by every call.
 * `mask` holds, per padded row, all ones for a real row and zero for padding; `cluster` its
 * cluster (−1: padding); `segs` (k + 1 i32) the first padded row of each cluster, `segs[k]` =
 * m. `scratch` is d × 16 bytes of this call's own.
 */
export function pairSums(
  xs: usize,
  mask: usize,
  cluster: usize,
  segs: usize,
  m: i32,
  d: i32,
  k: i32,
  next: usize,
  b1: i32,
  scratch: usize,
  rowOut: usize,
  colOut: usize,
): void {
  const colBytes = <usize> m << 2;
  const dBytes = <usize> d * colBytes;
  const zero = f64x2.splat(0);
  // Lanes above r: the pairs of the diagonal tile that are not yet counted.
  const tri0 = i32x4(0, -1, -1, -1);
  const tri1 = i32x4(0, 0, -1, -1);
  const tri2 = i32x4(0, 0, 0, -1);
  // Blocks are taken in order, so the last ones taken are the smallest (block b holds m/4 − b
  // tiles) and the workers finish together even when one of them is descheduled.
  for (let b = atomic.add<i32>(next, 1); b < b1; b = atomic.add<i32>(next, 1)) {
    const i0 = b << 2;
    const a = load<i32>(cluster + (<usize> i0 << 2));
    if (a < 0) continue;
    if (load<i32>(mask + (<usize> i0 << 2), 12) == 0) {
      for (let i = i0; i < i0 + 4; i++) {
        if (load<i32>(mask + (<usize> i << 2)) != 0) {
          oneRow(xs, mask, segs, m, d, k, i, a, scratch, rowOut, colOut);
        }
      }
      continue;
    }
    const own = xs + (<usize> i0 << 2);
    const colRow = colOut + (<usize> a * <usize> m << 3);
    for (let c = a; c < k; c++) {
      let blk = load<i32>(segs + (<usize> c << 2)) >> 2;
      const end = load<i32>(segs + (<usize> (c + 1) << 2)) >> 2;
      if (blk < b) blk = b;
      let acc0 = zero;
      let acc1 = zero;
      let acc2 = zero;
      let acc3 = zero;
      for (; blk < end; blk++) {
        const off = <usize> blk << 4;
        let s0 = f32x4.splat(0);
        let s1 = f32x4.splat(0);
        let s2 = f32x4.splat(0);
        let s3 = f32x4.splat(0);
        const p = xs + off;
        for (let f: usize = 0; f < dBytes; f += colBytes) {
          const y = v128.load(p + f);
          const q = own + f;
          const t0 = f32x4.sub(y, v128.load32_splat(q));
          s0 = f32x4.add(s0, f32x4.mul(t0, t0));
          const t1 = f32x4.sub(y, v128.load32_splat(q, 4));
          s1 = f32x4.add(s1, f32x4.mul(t1, t1));
          const t2 = f32x4.sub(y, v128.load32_splat(q, 8));
          s2 = f32x4.add(s2, f32x4.mul(t2, t2));
          const t3 = f32x4.sub(y, v128.load32_splat(q, 12));
          s3 = f32x4.add(s3, f32x4.mul(t3, t3));
        }
        const keep = v128.load(mask + off);
        let d0 = v128.and(f32x4.sqrt(s0), keep);
        let d1 = v128.and(f32x4.sqrt(s1), keep);
        let d2 = v128.and(f32x4.sqrt(s2), keep);
        let d3 = f32x4.sqrt(s3);
        if (blk == b) {
          d0 = v128.and(d0, tri0);
          d1 = v128.and(d1, tri1);
          d2 = v128.and(d2, tri2);
          d3 = zero;
        } else {
          d3 = v128.and(d3, keep);
        }
        const l0 = f64x2.promote_low_f32x4(d0);
        const h0 = f64x2.promote_low_f32x4(v128.shuffle<f32>(d0, d0, 2, 3, 0, 1));
        const l1 = f64x2.promote_low_f32x4(d1);
        const h1 = f64x2.promote_low_f32x4(v128.shuffle<f32>(d1, d1, 2, 3, 0, 1));
        const l2 = f64x2.promote_low_f32x4(d2);
        const h2 = f64x2.promote_low_f32x4(v128.shuffle<f32>(d2, d2, 2, 3, 0, 1));
        const l3 = f64x2.promote_low_f32x4(d3);
        const h3 = f64x2.promote_low_f32x4(v128.shuffle<f32>(d3, d3, 2, 3, 0, 1));
        acc0 = f64x2.add(acc0, f64x2.add(l0, h0));
        acc1 = f64x2.add(acc1, f64x2.add(l1, h1));
        acc2 = f64x2.add(acc2, f64x2.add(l2, h2));
        acc3 = f64x2.add(acc3, f64x2.add(l3, h3));
        const q = colRow + (<usize> blk << 5);
        const lo = f64x2.add(f64x2.add(l0, l1), f64x2.add(l2, l3));
        const hi = f64x2.add(f64x2.add(h0, h1), f64x2.add(h2, h3));
        v128.store(q, f64x2.add(v128.load(q), lo));
        v128.store(q, f64x2.add(v128.load(q, 16), hi), 16);
      }
      const r = rowOut + (<usize> (i0 * k + c) << 3);
      const kBytes = <usize> k << 3;
      addPair(r, acc0);
      addPair(r + kBytes, acc1);
      addPair(r + 2 * kBytes, acc2);
      addPair(r + 3 * kBytes, acc3);
    }
  }
}

// @ts-ignore: decorator
function addPair(r: usize, acc: v128): void {
  store<f64>(r, load<f64>(r) + f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1));
}

/** Row i (of a block with padding rows, cluster a) against every later row, one at a time. */
function oneRow(
  xs: usize,
  mask: usize,
  segs: usize,
  m: i32,
  d: i32,
  k: i32,
  i: i32,
  a: i32,
  scratch: usize,
  rowOut: usize,
  colOut: usize,
): void {
  const colBytes = <usize> m << 2;
  const dBytes = <usize> d << 4;
  const lanes = i32x4(0, 1, 2, 3);
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
