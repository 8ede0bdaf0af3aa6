/**
 * The k-means++ candidate pass (AssemblyScript source), as `candidateKernel` in ../../kernels.ts
 * computes it, for all of a step's candidates at once, two rows per f64x2.
 *
 * Rows are float64 in blocks of two, feature-major inside a block (`xs + (b·d + j)·16`, as the
 * GMM kernel has them). The squared distances are the same float64 operations in the same order
 * as the TypeScript kernel, so every folded minimum is identical to it.
 */

/**
 * For the blocks [b0, b1) and each candidate t < T (its d f64 coordinates at `cands + t·d·8`):
 * `outs[t·stride + i] = min(closest[i], |x_i − c_t|²)`, and this range's sum of them (lane by
 * lane, so not in the reference's order) at `pots + t·16` as an f64x2. The padding row of an odd
 * n must have `closest` 0, so that it adds nothing.
 */
export function kmeansppFold(
  xs: usize,
  d: i32,
  closest: usize,
  T: i32,
  cands: usize,
  outs: usize,
  stride: i32,
  b0: i32,
  b1: i32,
  pots: usize,
): void {
  const dBytes = <usize> d << 4;
  const outStride = <usize> stride << 3;
  for (let t = 0; t < T; t++) v128.store(pots + (<usize> t << 4), f64x2.splat(0));
  for (let blk = b0; blk < b1; blk++) {
    const xb = xs + <usize> blk * dBytes;
    const at = <usize> blk << 4;
    const m = v128.load(closest + at);
    for (let t = 0; t < T; t++) {
      const c = cands + (<usize> (t * d) << 3);
      let s = f64x2.splat(0);
      for (let j = 0; j < d; j++) {
        const u = f64x2.sub(
          v128.load(xb + (<usize> j << 4)),
          f64x2.splat(load<f64>(c + (<usize> j << 3))),
        );
        s = j === 0 ? f64x2.mul(u, u) : f64x2.add(s, f64x2.mul(u, u));
      }
      const v = v128.bitselect(s, m, f64x2.lt(s, m));
      v128.store(outs + <usize> t * outStride + at, v);
      const p = pots + (<usize> t << 4);
      v128.store(p, f64x2.add(v128.load(p), v));
    }
  }
}
