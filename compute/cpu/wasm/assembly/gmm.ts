/**
 * One Gaussian Mixture E-step with the M-step's sums (AssemblyScript source), as `eStepRange`
 * and `accumulateRange` in ../../../gmm.ts compute them, two rows per f64x2.
 *
 * Rows are in blocks of two, feature-major inside a block (`xs + (b·d + j)·16`, lane l is row
 * 2b + l; an odd n leaves the last block's second lane as padding, which adds nothing). The
 * Mahalanobis terms are the same float64 operations in the same order as the TypeScript kernel
 * (no fused multiply-add in WebAssembly), so the weighted log-densities, and so the labels, are
 * identical; the exponential and logarithm are
 * fdlibm's (below), as V8's are.
 */

/**
 * Over the blocks [b0, b1): adds to `result` (f64) the sum of every row's log-sum-exp, and
 * writes to `sums` (k × (1 + d + d(d+1)/2) f64x2, zeroed here, one sum per lane) Σ r, Σ r·t and
 * the packed lower triangle of Σ r·t·tᵀ per component, t = x − μ_c (not when `sums` is 0), and
 * when `labels` is not 0 each row's label (i32, the first largest weighted log-density, as
 * numpy's argmax) at `labels + i·4`. `means` (k × d),
 * `prec` (k packed lower triangles of L⁻¹) and `logc` (k) are f64. `scratch` holds
 * d·16 + 2·k·16 bytes of this call's own.
 */
export function gmmEStep(
  xs: usize,
  n: i32,
  d: i32,
  k: i32,
  means: usize,
  prec: usize,
  logc: usize,
  b0: i32,
  b1: i32,
  scratch: usize,
  sums: usize,
  result: usize,
  labels: usize,
): void {
  const tri = (d * (d + 1)) >> 1;
  const W = 1 + d + tri;
  if (sums) memory.fill(sums, 0, <usize> (k * W) << 4);
  const tb = scratch;
  const vb = scratch + (<usize> d << 4);
  const rb = vb + (<usize> k << 4);
  const dBytes = <usize> d << 4;
  const half = f64x2.splat(0.5);
  let total: f64 = 0;
  for (let blk = b0; blk < b1; blk++) {
    const xb = xs + <usize> blk * dBytes;
    for (let c = 0; c < k; c++) {
      const po = prec + (<usize> (c * tri) << 3);
      const mo = means + (<usize> (c * d) << 3);
      let q: v128;
      switch (d) {
        case 1:
          q = Inl.quadSmall(xb, mo, po, 1);
          break;
        case 2:
          q = Inl.quadSmall(xb, mo, po, 2);
          break;
        case 3:
          q = Inl.quadSmall(xb, mo, po, 3);
          break;
        case 4:
          q = Inl.quadSmall(xb, mo, po, 4);
          break;
        case 5:
          q = Inl.quadSmall(xb, mo, po, 5);
          break;
        case 6:
          q = Inl.quadSmall(xb, mo, po, 6);
          break;
        case 7:
          q = Inl.quadSmall(xb, mo, po, 7);
          break;
        case 8:
          q = Inl.quadSmall(xb, mo, po, 8);
          break;
        default:
          q = quadAny(xb, mo, po, d, tb);
      }
      const v = f64x2.sub(f64x2.splat(load<f64>(logc + (<usize> c << 3))), f64x2.mul(half, q));
      v128.store(vb + (<usize> c << 4), v);
    }
    // Both rows of the block at once: the largest weighted log-density (the first on ties),
    // the exponentials (`expf64x2`, fdlibm's `exp` bit for bit) and their sum, in the
    // reference's order of components, so every lane equals the scalar reference.
    let max = f64x2.splat(-Infinity);
    let arg = i64x2.splat(0);
    for (let c = 0; c < k; c++) {
      const v = v128.load(vb + (<usize> c << 4));
      const up = f64x2.lt(max, v);
      arg = v128.bitselect(i64x2.splat(c), arg, up);
      max = v128.bitselect(v, max, up);
    }
    let acc = f64x2.splat(0);
    for (let c = 0; c < k; c++) {
      const e = Inl.expf64x2(f64x2.sub(v128.load(vb + (<usize> c << 4)), max));
      v128.store(rb + (<usize> c << 4), e);
      acc = f64x2.add(acc, e);
    }
    let inv = f64x2.div(f64x2.splat(1), acc);
    total += f64x2.extract_lane(max, 0) + logf64(f64x2.extract_lane(acc, 0));
    if (labels) store<i32>(labels + (<usize> (2 * blk) << 2), <i32> i64x2.extract_lane(arg, 0));
    if (2 * blk + 1 < n) {
      total += f64x2.extract_lane(max, 1) + logf64(f64x2.extract_lane(acc, 1));
      if (labels) {
        store<i32>(labels + (<usize> (2 * blk + 1) << 2), <i32> i64x2.extract_lane(arg, 1));
      }
    } else {
      // The padding lane: responsibilities 0, so it adds nothing to the sums.
      inv = f64x2.replace_lane(inv, 1, 0);
    }
    for (let c = 0; c < k; c++) {
      const p = rb + (<usize> c << 4);
      v128.store(p, f64x2.mul(v128.load(p), inv));
    }
    if (!sums) continue;
    for (let c = 0; c < k; c++) {
      const r = v128.load(rb + (<usize> c << 4));
      const mo = means + (<usize> (c * d) << 3);
      const sR = sums + (<usize> (c * W) << 4);
      switch (d) {
        case 1:
          Inl.sumsSmall(xb, mo, r, sR, 1);
          break;
        case 2:
          Inl.sumsSmall(xb, mo, r, sR, 2);
          break;
        case 3:
          Inl.sumsSmall(xb, mo, r, sR, 3);
          break;
        case 4:
          Inl.sumsSmall(xb, mo, r, sR, 4);
          break;
        case 5:
          Inl.sumsSmall(xb, mo, r, sR, 5);
          break;
        case 6:
          Inl.sumsSmall(xb, mo, r, sR, 6);
          break;
        case 7:
          Inl.sumsSmall(xb, mo, r, sR, 7);
          break;
        case 8:
          Inl.sumsSmall(xb, mo, r, sR, 8);
          break;
        default:
          sumsAny(xb, mo, r, sR, d, tb);
      }
    }
  }
  store<f64>(result, total);
}

/** `quadSmall` for any d, the differences through `tb` (d × 16 bytes). */
function quadAny(xb: usize, mo: usize, po: usize, d: i32, tb: usize): v128 {
  let q = f64x2.splat(0);
  for (let j = 0; j < d; j++) {
    const t = f64x2.sub(
      v128.load(xb + (<usize> j << 4)),
      f64x2.splat(load<f64>(mo + (<usize> j << 3))),
    );
    v128.store(tb + (<usize> j << 4), t);
    let y = f64x2.mul(f64x2.splat(load<f64>(po)), v128.load(tb));
    po += 8;
    for (let l = 1; l <= j; l++) {
      y = f64x2.add(y, f64x2.mul(f64x2.splat(load<f64>(po)), v128.load(tb + (<usize> l << 4))));
      po += 8;
    }
    q = j === 0 ? f64x2.mul(y, y) : f64x2.add(q, f64x2.mul(y, y));
  }
  return q;
}

/** `sumsSmall` for any d, the differences through `tb` (d × 16 bytes). */
function sumsAny(xb: usize, mo: usize, r: v128, sR: usize, d: i32, tb: usize): void {
  const s1 = sR + 16;
  let s2 = s1 + (<usize> d << 4);
  v128.store(sR, f64x2.add(v128.load(sR), r));
  for (let j = 0; j < d; j++) {
    const t = f64x2.sub(
      v128.load(xb + (<usize> j << 4)),
      f64x2.splat(load<f64>(mo + (<usize> j << 3))),
    );
    v128.store(tb + (<usize> j << 4), t);
    const u = f64x2.mul(r, t);
    const a = s1 + (<usize> j << 4);
    v128.store(a, f64x2.add(v128.load(a), u));
    for (let l = 0; l <= j; l++) {
      v128.store(s2, f64x2.add(v128.load(s2), f64x2.mul(u, v128.load(tb + (<usize> l << 4)))));
      s2 += 16;
    }
  }
}

// fdlibm's exp and log (via musl, as AssemblyScript's std has them for --shrinkLevel ≥ 1), copied
// here because the std's default versions read lookup tables from a data segment, and the pass's
// arrays start at address 0 of the imported memory (the module must keep nothing in it).
// `_expf64` is not called: it is the scalar text `Inl.expf64x2` follows lane by lane.

function _expf64(x: f64): f64 {
  const ln2hi = reinterpret<f64>(0x3FE62E42FEE00000);
  const ln2lo = reinterpret<f64>(0x3DEA39EF35793C76);
  const invln2 = reinterpret<f64>(0x3FF71547652B82FE);
  const P1 = reinterpret<f64>(0x3FC555555555553E);
  const P2 = reinterpret<f64>(0xBF66C16C16BEBD93);
  const P3 = reinterpret<f64>(0x3F11566AAF25DE2C);
  const P4 = reinterpret<f64>(0xBEBBBD41C5D26BF1);
  const P5 = reinterpret<f64>(0x3E66376972BEA4D0);
  const overflow = reinterpret<f64>(0x40862E42FEFA39EF);
  const underflow = reinterpret<f64>(0xC0874910D52D3051);
  const Ox1p1023 = reinterpret<f64>(0x7FE0000000000000);
  let hx = u32(reinterpret<u64>(x) >> 32);
  const sign = hx >> 31;
  hx &= 0x7FFFFFFF;
  if (hx >= 0x4086232B) {
    if (isNaN(x)) return x;
    if (x > overflow) return x * Ox1p1023;
    if (x < underflow) return 0;
  }
  let hi: f64 = 0;
  let lo: f64 = 0;
  let k = 0;
  if (hx > 0x3FD62E42) {
    if (hx >= 0x3FF0A2B2) {
      k = i32(invln2 * x + copysign<f64>(0.5, x));
    } else {
      k = 1 - (sign << 1);
    }
    hi = x - k * ln2hi;
    lo = k * ln2lo;
    x = hi - lo;
  } else if (hx > 0x3E300000) {
    hi = x;
  } else return 1.0 + x;
  const xs = x * x;
  const xq = xs * xs;
  const c = x - (xs * P1 + xq * ((P2 + xs * P3) + xq * (P4 + xs * P5)));
  const y = 1.0 + (x * c / (2 - c) - lo + hi);
  return k == 0 ? y : scalbnf64(y, k);
}

function scalbnf64(x: f64, n: i32): f64 {
  const Ox1p53 = reinterpret<f64>(0x4340000000000000);
  const Ox1p1023 = reinterpret<f64>(0x7FE0000000000000);
  const Ox1p_1022 = reinterpret<f64>(0x0010000000000000);
  let y = x;
  if (n > 1023) {
    y *= Ox1p1023;
    n -= 1023;
    if (n > 1023) {
      y *= Ox1p1023;
      n = min<i32>(n - 1023, 1023);
    }
  } else if (n < -1022) {
    y *= Ox1p_1022 * Ox1p53;
    n += 1022 - 53;
    if (n < -1022) {
      y *= Ox1p_1022 * Ox1p53;
      n = max<i32>(n + 1022 - 53, -1022);
    }
  }
  return y * reinterpret<f64>(<u64> (0x3FF + n) << 52);
}

function logf64(x: f64): f64 {
  const ln2_hi = reinterpret<f64>(0x3FE62E42FEE00000);
  const ln2_lo = reinterpret<f64>(0x3DEA39EF35793C76);
  const Lg1 = reinterpret<f64>(0x3FE5555555555593);
  const Lg2 = reinterpret<f64>(0x3FD999999997FA04);
  const Lg3 = reinterpret<f64>(0x3FD2492494229359);
  const Lg4 = reinterpret<f64>(0x3FCC71C51D8E78AF);
  const Lg5 = reinterpret<f64>(0x3FC7466496CB03DE);
  const Lg6 = reinterpret<f64>(0x3FC39A09D078C69F);
  const Lg7 = reinterpret<f64>(0x3FC2F112DF3E5244);
  const Ox1p54 = reinterpret<f64>(0x4350000000000000);
  let u = reinterpret<u64>(x);
  let hx = u32(u >> 32);
  let k = 0;
  const sign = hx >> 31;
  if (sign || hx < 0x00100000) {
    if (u << 1 == 0) return -1 / (x * x);
    if (sign) return (x - x) / 0.0;
    k -= 54;
    x *= Ox1p54;
    u = reinterpret<u64>(x);
    hx = u32(u >> 32);
  } else if (hx >= 0x7FF00000) {
    return x;
  } else if (hx == 0x3FF00000 && u << 32 == 0) {
    return 0;
  }
  hx += 0x3FF00000 - 0x3FE6A09E;
  k += (<i32> hx >> 20) - 0x3FF;
  hx = (hx & 0x000FFFFF) + 0x3FE6A09E;
  u = <u64> hx << 32 | (u & 0xFFFFFFFF);
  x = reinterpret<f64>(u);
  const f = x - 1.0;
  const hfsq = 0.5 * f * f;
  const s = f / (2.0 + f);
  const z = s * s;
  const w = z * z;
  const t1 = w * (Lg2 + w * (Lg4 + w * Lg6));
  const t2 = z * (Lg1 + w * (Lg3 + w * (Lg5 + w * Lg7)));
  const r = t2 + t1;
  const dk = <f64> k;
  return s * (hfsq + r) + dk * ln2_lo - hfsq + f + dk * ln2_hi;
}

/**
 * The passes inlined where they are called (with a constant D for the d ≤ 8 ones, which the optimiser then unrolls).
 * Static methods, not functions: `deno fmt` drops a decorator on a plain function (TypeScript has
 * none there) but keeps it on a method.
 */
class Inl {
  /**
   * ‖L⁻¹(x − μ)‖² for the block's two rows when d ≤ 8 (`D`, a constant once inlined): the
   * differences taken one feature at a time and every row of L⁻¹x kept in a local, so each
   * difference is loaded once and each factor element once; the additions are in the
   * reference's order (y_j = Σ_l p_jl·t_l by increasing l, then q = Σ_j y_j² by increasing j).
   */
  @inline
  static quadSmall(xb: usize, mo: usize, po: usize, D: i32): v128 {
    let y0 = f64x2.splat(0);
    let y1 = f64x2.splat(0);
    let y2 = f64x2.splat(0);
    let y3 = f64x2.splat(0);
    let y4 = f64x2.splat(0);
    let y5 = f64x2.splat(0);
    let y6 = f64x2.splat(0);
    let y7 = f64x2.splat(0);
    if (D > 0) {
      const t = f64x2.sub(v128.load(xb, 0), f64x2.splat(load<f64>(mo, 0)));
      y0 = f64x2.mul(f64x2.splat(load<f64>(po, 0)), t);
      if (D > 1) y1 = f64x2.mul(f64x2.splat(load<f64>(po, 8)), t);
      if (D > 2) y2 = f64x2.mul(f64x2.splat(load<f64>(po, 24)), t);
      if (D > 3) y3 = f64x2.mul(f64x2.splat(load<f64>(po, 48)), t);
      if (D > 4) y4 = f64x2.mul(f64x2.splat(load<f64>(po, 80)), t);
      if (D > 5) y5 = f64x2.mul(f64x2.splat(load<f64>(po, 120)), t);
      if (D > 6) y6 = f64x2.mul(f64x2.splat(load<f64>(po, 168)), t);
      if (D > 7) y7 = f64x2.mul(f64x2.splat(load<f64>(po, 224)), t);
    }
    if (D > 1) {
      const t = f64x2.sub(v128.load(xb, 16), f64x2.splat(load<f64>(mo, 8)));
      y1 = f64x2.add(y1, f64x2.mul(f64x2.splat(load<f64>(po, 16)), t));
      if (D > 2) y2 = f64x2.add(y2, f64x2.mul(f64x2.splat(load<f64>(po, 32)), t));
      if (D > 3) y3 = f64x2.add(y3, f64x2.mul(f64x2.splat(load<f64>(po, 56)), t));
      if (D > 4) y4 = f64x2.add(y4, f64x2.mul(f64x2.splat(load<f64>(po, 88)), t));
      if (D > 5) y5 = f64x2.add(y5, f64x2.mul(f64x2.splat(load<f64>(po, 128)), t));
      if (D > 6) y6 = f64x2.add(y6, f64x2.mul(f64x2.splat(load<f64>(po, 176)), t));
      if (D > 7) y7 = f64x2.add(y7, f64x2.mul(f64x2.splat(load<f64>(po, 232)), t));
    }
    if (D > 2) {
      const t = f64x2.sub(v128.load(xb, 32), f64x2.splat(load<f64>(mo, 16)));
      y2 = f64x2.add(y2, f64x2.mul(f64x2.splat(load<f64>(po, 40)), t));
      if (D > 3) y3 = f64x2.add(y3, f64x2.mul(f64x2.splat(load<f64>(po, 64)), t));
      if (D > 4) y4 = f64x2.add(y4, f64x2.mul(f64x2.splat(load<f64>(po, 96)), t));
      if (D > 5) y5 = f64x2.add(y5, f64x2.mul(f64x2.splat(load<f64>(po, 136)), t));
      if (D > 6) y6 = f64x2.add(y6, f64x2.mul(f64x2.splat(load<f64>(po, 184)), t));
      if (D > 7) y7 = f64x2.add(y7, f64x2.mul(f64x2.splat(load<f64>(po, 240)), t));
    }
    if (D > 3) {
      const t = f64x2.sub(v128.load(xb, 48), f64x2.splat(load<f64>(mo, 24)));
      y3 = f64x2.add(y3, f64x2.mul(f64x2.splat(load<f64>(po, 72)), t));
      if (D > 4) y4 = f64x2.add(y4, f64x2.mul(f64x2.splat(load<f64>(po, 104)), t));
      if (D > 5) y5 = f64x2.add(y5, f64x2.mul(f64x2.splat(load<f64>(po, 144)), t));
      if (D > 6) y6 = f64x2.add(y6, f64x2.mul(f64x2.splat(load<f64>(po, 192)), t));
      if (D > 7) y7 = f64x2.add(y7, f64x2.mul(f64x2.splat(load<f64>(po, 248)), t));
    }
    if (D > 4) {
      const t = f64x2.sub(v128.load(xb, 64), f64x2.splat(load<f64>(mo, 32)));
      y4 = f64x2.add(y4, f64x2.mul(f64x2.splat(load<f64>(po, 112)), t));
      if (D > 5) y5 = f64x2.add(y5, f64x2.mul(f64x2.splat(load<f64>(po, 152)), t));
      if (D > 6) y6 = f64x2.add(y6, f64x2.mul(f64x2.splat(load<f64>(po, 200)), t));
      if (D > 7) y7 = f64x2.add(y7, f64x2.mul(f64x2.splat(load<f64>(po, 256)), t));
    }
    if (D > 5) {
      const t = f64x2.sub(v128.load(xb, 80), f64x2.splat(load<f64>(mo, 40)));
      y5 = f64x2.add(y5, f64x2.mul(f64x2.splat(load<f64>(po, 160)), t));
      if (D > 6) y6 = f64x2.add(y6, f64x2.mul(f64x2.splat(load<f64>(po, 208)), t));
      if (D > 7) y7 = f64x2.add(y7, f64x2.mul(f64x2.splat(load<f64>(po, 264)), t));
    }
    if (D > 6) {
      const t = f64x2.sub(v128.load(xb, 96), f64x2.splat(load<f64>(mo, 48)));
      y6 = f64x2.add(y6, f64x2.mul(f64x2.splat(load<f64>(po, 216)), t));
      if (D > 7) y7 = f64x2.add(y7, f64x2.mul(f64x2.splat(load<f64>(po, 272)), t));
    }
    if (D > 7) {
      const t = f64x2.sub(v128.load(xb, 112), f64x2.splat(load<f64>(mo, 56)));
      y7 = f64x2.add(y7, f64x2.mul(f64x2.splat(load<f64>(po, 280)), t));
    }
    let q = f64x2.mul(y0, y0);
    if (D > 1) q = f64x2.add(q, f64x2.mul(y1, y1));
    if (D > 2) q = f64x2.add(q, f64x2.mul(y2, y2));
    if (D > 3) q = f64x2.add(q, f64x2.mul(y3, y3));
    if (D > 4) q = f64x2.add(q, f64x2.mul(y4, y4));
    if (D > 5) q = f64x2.add(q, f64x2.mul(y5, y5));
    if (D > 6) q = f64x2.add(q, f64x2.mul(y6, y6));
    if (D > 7) q = f64x2.add(q, f64x2.mul(y7, y7));
    return q;
  }

  /**
   * Adds one block's Σ r, Σ r·t and Σ r·t·tᵀ (packed lower, t = x − μ) to the component's sums at
   * `sR` when d ≤ 8 (`D`, a constant once inlined): the differences in locals, each loaded once.
   */
  @inline
  static sumsSmall(xb: usize, mo: usize, r: v128, sR: usize, D: i32): void {
    v128.store(sR, f64x2.add(v128.load(sR), r));
    let t0 = f64x2.splat(0);
    let t1 = f64x2.splat(0);
    let t2 = f64x2.splat(0);
    let t3 = f64x2.splat(0);
    let t4 = f64x2.splat(0);
    let t5 = f64x2.splat(0);
    let t6 = f64x2.splat(0);
    let t7 = f64x2.splat(0);
    if (D > 0) {
      t0 = f64x2.sub(v128.load(xb, 0), f64x2.splat(load<f64>(mo, 0)));
      const u = f64x2.mul(r, t0);
      const a = sR + 16;
      v128.store(a, f64x2.add(v128.load(a), u));
      const b = sR + 16 * (1 + D + 0);
      v128.store(b, f64x2.add(v128.load(b, 0), f64x2.mul(u, t0)), 0);
    }
    if (D > 1) {
      t1 = f64x2.sub(v128.load(xb, 16), f64x2.splat(load<f64>(mo, 8)));
      const u = f64x2.mul(r, t1);
      const a = sR + 32;
      v128.store(a, f64x2.add(v128.load(a), u));
      const b = sR + 16 * (1 + D + 1);
      v128.store(b, f64x2.add(v128.load(b, 0), f64x2.mul(u, t0)), 0);
      v128.store(b, f64x2.add(v128.load(b, 16), f64x2.mul(u, t1)), 16);
    }
    if (D > 2) {
      t2 = f64x2.sub(v128.load(xb, 32), f64x2.splat(load<f64>(mo, 16)));
      const u = f64x2.mul(r, t2);
      const a = sR + 48;
      v128.store(a, f64x2.add(v128.load(a), u));
      const b = sR + 16 * (1 + D + 3);
      v128.store(b, f64x2.add(v128.load(b, 0), f64x2.mul(u, t0)), 0);
      v128.store(b, f64x2.add(v128.load(b, 16), f64x2.mul(u, t1)), 16);
      v128.store(b, f64x2.add(v128.load(b, 32), f64x2.mul(u, t2)), 32);
    }
    if (D > 3) {
      t3 = f64x2.sub(v128.load(xb, 48), f64x2.splat(load<f64>(mo, 24)));
      const u = f64x2.mul(r, t3);
      const a = sR + 64;
      v128.store(a, f64x2.add(v128.load(a), u));
      const b = sR + 16 * (1 + D + 6);
      v128.store(b, f64x2.add(v128.load(b, 0), f64x2.mul(u, t0)), 0);
      v128.store(b, f64x2.add(v128.load(b, 16), f64x2.mul(u, t1)), 16);
      v128.store(b, f64x2.add(v128.load(b, 32), f64x2.mul(u, t2)), 32);
      v128.store(b, f64x2.add(v128.load(b, 48), f64x2.mul(u, t3)), 48);
    }
    if (D > 4) {
      t4 = f64x2.sub(v128.load(xb, 64), f64x2.splat(load<f64>(mo, 32)));
      const u = f64x2.mul(r, t4);
      const a = sR + 80;
      v128.store(a, f64x2.add(v128.load(a), u));
      const b = sR + 16 * (1 + D + 10);
      v128.store(b, f64x2.add(v128.load(b, 0), f64x2.mul(u, t0)), 0);
      v128.store(b, f64x2.add(v128.load(b, 16), f64x2.mul(u, t1)), 16);
      v128.store(b, f64x2.add(v128.load(b, 32), f64x2.mul(u, t2)), 32);
      v128.store(b, f64x2.add(v128.load(b, 48), f64x2.mul(u, t3)), 48);
      v128.store(b, f64x2.add(v128.load(b, 64), f64x2.mul(u, t4)), 64);
    }
    if (D > 5) {
      t5 = f64x2.sub(v128.load(xb, 80), f64x2.splat(load<f64>(mo, 40)));
      const u = f64x2.mul(r, t5);
      const a = sR + 96;
      v128.store(a, f64x2.add(v128.load(a), u));
      const b = sR + 16 * (1 + D + 15);
      v128.store(b, f64x2.add(v128.load(b, 0), f64x2.mul(u, t0)), 0);
      v128.store(b, f64x2.add(v128.load(b, 16), f64x2.mul(u, t1)), 16);
      v128.store(b, f64x2.add(v128.load(b, 32), f64x2.mul(u, t2)), 32);
      v128.store(b, f64x2.add(v128.load(b, 48), f64x2.mul(u, t3)), 48);
      v128.store(b, f64x2.add(v128.load(b, 64), f64x2.mul(u, t4)), 64);
      v128.store(b, f64x2.add(v128.load(b, 80), f64x2.mul(u, t5)), 80);
    }
    if (D > 6) {
      t6 = f64x2.sub(v128.load(xb, 96), f64x2.splat(load<f64>(mo, 48)));
      const u = f64x2.mul(r, t6);
      const a = sR + 112;
      v128.store(a, f64x2.add(v128.load(a), u));
      const b = sR + 16 * (1 + D + 21);
      v128.store(b, f64x2.add(v128.load(b, 0), f64x2.mul(u, t0)), 0);
      v128.store(b, f64x2.add(v128.load(b, 16), f64x2.mul(u, t1)), 16);
      v128.store(b, f64x2.add(v128.load(b, 32), f64x2.mul(u, t2)), 32);
      v128.store(b, f64x2.add(v128.load(b, 48), f64x2.mul(u, t3)), 48);
      v128.store(b, f64x2.add(v128.load(b, 64), f64x2.mul(u, t4)), 64);
      v128.store(b, f64x2.add(v128.load(b, 80), f64x2.mul(u, t5)), 80);
      v128.store(b, f64x2.add(v128.load(b, 96), f64x2.mul(u, t6)), 96);
    }
    if (D > 7) {
      t7 = f64x2.sub(v128.load(xb, 112), f64x2.splat(load<f64>(mo, 56)));
      const u = f64x2.mul(r, t7);
      const a = sR + 128;
      v128.store(a, f64x2.add(v128.load(a), u));
      const b = sR + 16 * (1 + D + 28);
      v128.store(b, f64x2.add(v128.load(b, 0), f64x2.mul(u, t0)), 0);
      v128.store(b, f64x2.add(v128.load(b, 16), f64x2.mul(u, t1)), 16);
      v128.store(b, f64x2.add(v128.load(b, 32), f64x2.mul(u, t2)), 32);
      v128.store(b, f64x2.add(v128.load(b, 48), f64x2.mul(u, t3)), 48);
      v128.store(b, f64x2.add(v128.load(b, 64), f64x2.mul(u, t4)), 64);
      v128.store(b, f64x2.add(v128.load(b, 80), f64x2.mul(u, t5)), 80);
      v128.store(b, f64x2.add(v128.load(b, 96), f64x2.mul(u, t6)), 96);
      v128.store(b, f64x2.add(v128.load(b, 112), f64x2.mul(u, t7)), 112);
    }
  }

  /**
   * `_expf64` on both lanes without branches, bit for bit: the same range reduction (k chosen as
   * fdlibm chooses it from the high word), the same rational approximation and scaling by 2^k
   * (in two steps below 2^−1022, the first exact, as `scalbnf64`), and the same special cases
   * (0 below the underflow threshold, 1 + x for |x| ≤ 2^−28, NaN kept).
   */
  @inline
  static expf64x2(x: v128): v128 {
    const signBit = i64x2.splat(0x8000000000000000);
    const ax = v128.andnot(x, signBit);
    // |x| > 0.5·ln 2: k = (i32) (x / ln 2 ± 0.5), which is ±1 below 1.5·ln 2 as fdlibm sets it.
    const half = v128.or(v128.and(x, signBit), f64x2.splat(0.5));
    const invln2 = f64x2.splat(reinterpret<f64>(0x3FF71547652B82FE));
    const kt = f64x2.trunc(f64x2.add(f64x2.mul(invln2, x), half));
    const k = v128.and(kt, i64x2.gt_s(ax, i64x2.splat(0x3FD62E42FFFFFFFF)));
    const hi = f64x2.sub(x, f64x2.mul(k, f64x2.splat(reinterpret<f64>(0x3FE62E42FEE00000))));
    const lo = f64x2.mul(k, f64x2.splat(reinterpret<f64>(0x3DEA39EF35793C76)));
    const r = f64x2.sub(hi, lo);
    const xs = f64x2.mul(r, r);
    const xq = f64x2.mul(xs, xs);
    const P1 = f64x2.splat(reinterpret<f64>(0x3FC555555555553E));
    const P2 = f64x2.splat(reinterpret<f64>(0xBF66C16C16BEBD93));
    const P3 = f64x2.splat(reinterpret<f64>(0x3F11566AAF25DE2C));
    const P4 = f64x2.splat(reinterpret<f64>(0xBEBBBD41C5D26BF1));
    const P5 = f64x2.splat(reinterpret<f64>(0x3E66376972BEA4D0));
    const inner = f64x2.add(
      f64x2.add(P2, f64x2.mul(xs, P3)),
      f64x2.mul(xq, f64x2.add(P4, f64x2.mul(xs, P5))),
    );
    const c = f64x2.sub(r, f64x2.add(f64x2.mul(xs, P1), f64x2.mul(xq, inner)));
    const frac = f64x2.div(f64x2.mul(r, c), f64x2.sub(f64x2.splat(2), c));
    const y = f64x2.add(f64x2.splat(1), f64x2.add(f64x2.sub(frac, lo), hi));
    const low = f64x2.lt(k, f64x2.splat(-1022));
    const y1 = v128.bitselect(
      f64x2.mul(y, f64x2.splat(reinterpret<f64>(0x0360000000000000))),
      y,
      low,
    );
    const n = v128.bitselect(f64x2.add(k, f64x2.splat(969)), k, low);
    const e = i64x2.extend_low_i32x4_s(i32x4.trunc_sat_f64x2_s_zero(n));
    let out = f64x2.mul(y1, i64x2.shl(i64x2.add(e, i64x2.splat(0x3FF)), 52));
    const overflow = f64x2.splat(reinterpret<f64>(0x40862E42FEFA39EF));
    const huge = f64x2.mul(x, f64x2.splat(reinterpret<f64>(0x7FE0000000000000)));
    out = v128.bitselect(huge, out, f64x2.gt(x, overflow));
    out = v128.andnot(out, f64x2.lt(x, f64x2.splat(reinterpret<f64>(0xC0874910D52D3051))));
    const tiny = i64x2.le_s(ax, i64x2.splat(0x3E300000FFFFFFFF));
    out = v128.bitselect(f64x2.add(f64x2.splat(1), x), out, tiny);
    return v128.bitselect(x, out, f64x2.ne(x, x));
  }
}
