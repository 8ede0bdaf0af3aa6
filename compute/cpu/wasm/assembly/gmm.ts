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
      let po = prec + (<usize> (c * tri) << 3);
      const mo = means + (<usize> (c * d) << 3);
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
      const v = f64x2.sub(f64x2.splat(load<f64>(logc + (<usize> c << 3))), f64x2.mul(half, q));
      v128.store(vb + (<usize> c << 4), v);
    }
    const lanes = min(2, n - 2 * blk);
    for (let l = 0; l < 2; l++) {
      const lo = <usize> l << 3;
      if (l >= lanes) {
        for (let c = 0; c < k; c++) store<f64>(rb + (<usize> c << 4) + lo, 0);
        continue;
      }
      let max = -Infinity;
      let arg = 0;
      for (let c = 0; c < k; c++) {
        const v = load<f64>(vb + (<usize> c << 4) + lo);
        if (v > max) {
          max = v;
          arg = c;
        }
      }
      if (labels) store<i32>(labels + (<usize> (2 * blk + l) << 2), arg);
      let acc: f64 = 0;
      for (let c = 0; c < k; c++) {
        const e = expf64(load<f64>(vb + (<usize> c << 4) + lo) - max);
        store<f64>(rb + (<usize> c << 4) + lo, e);
        acc += e;
      }
      total += max + logf64(acc);
      const inv = 1 / acc;
      for (let c = 0; c < k; c++) {
        const p = rb + (<usize> c << 4) + lo;
        store<f64>(p, load<f64>(p) * inv);
      }
    }
    if (!sums) continue;
    for (let c = 0; c < k; c++) {
      const r = v128.load(rb + (<usize> c << 4));
      const mo = means + (<usize> (c * d) << 3);
      const sR = sums + (<usize> (c * W) << 4);
      const s1 = sR + 16;
      let s2 = s1 + dBytes;
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
  }
  store<f64>(result, total);
}

// fdlibm's exp and log (via musl, as AssemblyScript's std has them for --shrinkLevel ≥ 1), copied
// here because the std's default versions read lookup tables from a data segment, and the pass's
// arrays start at address 0 of the imported memory (the module must keep nothing in it).

function expf64(x: f64): f64 {
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
