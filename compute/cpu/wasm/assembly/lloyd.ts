/**
 * The Lloyd assign-and-reduce step in WebAssembly SIMD (AssemblyScript source).
 *
 * Rows are stored in blocks of four, feature-major inside a block (block b, feature j: the four
 * floats at `x + (b·d + j)·16`), so one f32x4 holds one feature of four rows and the nearest
 * centre is found for four rows at once with vertical min/compare, no horizontal reductions.
 * Centres come twice: `splat` (k × d f32x4, each value in all four lanes) for the SIMD pass and
 * `centers` (k × d f32) for the exact pass below.
 *
 * Float32 distances can rank two nearly equidistant centres differently from the float64
 * reference (`lloydRange` in ../kernels.ts), so the pass also tracks the second-best distance:
 * where the two are closer than a bound on the float32 error, the row is recomputed in float64
 * exactly as the reference does, which makes labels identical to it.
 */

let gD: i32 = 0;
let gK: i32 = 0;
let gN: i32 = 0;
let gCenters: usize = 0;
let gLabels: usize = 0;
let gDist2: usize = 0;
let gSums: usize = 0;
let gCounts: usize = 0;
let gMargin: f32 = 0;
let gInertia: f64 = 0;
let gChanged: i32 = 0;

/**
 * Assigns the rows of blocks [b0, b1) to their nearest centre, writes `labels` (i32) and `dist2`
 * (f32) for rows below `n`, and adds their per-cluster sums (k × d f64) and counts (k f64) to
 * `sums` and `counts`, zeroed here. Writes [inertia, changed] as two f64 at `result`.
 * Matches `lloydRange`: ties go to the lower cluster index; labels are exact.
 */
export function lloyd(
  x: usize,
  n: i32,
  d: i32,
  splat: usize,
  centers: usize,
  k: i32,
  b0: i32,
  b1: i32,
  labels: usize,
  dist2: usize,
  sums: usize,
  counts: usize,
  result: usize,
): void {
  gD = d;
  gK = k;
  gN = n;
  gCenters = centers;
  gLabels = labels;
  gDist2 = dist2;
  gSums = sums;
  gCounts = counts;
  // A sum of d squared float32 differences is within (d + 2)·2⁻²⁴ of the exact one, relatively;
  // four times that leaves room for the comparison itself.
  gMargin = <f32> (d + 2) * <f32> 4 * <f32> 5.9604645e-8;
  gInertia = 0;
  gChanged = 0;
  memory.fill(sums, 0, <usize> (k * d) << 3);
  memory.fill(counts, 0, <usize> k << 3);
  switch (d) {
    case 1:
      Small.smallD(1, x, splat, k, b0, b1);
      break;
    case 2:
      Small.smallD(2, x, splat, k, b0, b1);
      break;
    case 3:
      Small.smallD(3, x, splat, k, b0, b1);
      break;
    case 4:
      Small.smallD(4, x, splat, k, b0, b1);
      break;
    case 5:
      Small.smallD(5, x, splat, k, b0, b1);
      break;
    case 6:
      Small.smallD(6, x, splat, k, b0, b1);
      break;
    case 7:
      Small.smallD(7, x, splat, k, b0, b1);
      break;
    case 8:
      Small.smallD(8, x, splat, k, b0, b1);
      break;
    case 9:
      Small.smallD(9, x, splat, k, b0, b1);
      break;
    case 10:
      Small.smallD(10, x, splat, k, b0, b1);
      break;
    case 11:
      Small.smallD(11, x, splat, k, b0, b1);
      break;
    case 12:
      Small.smallD(12, x, splat, k, b0, b1);
      break;
    case 13:
      Small.smallD(13, x, splat, k, b0, b1);
      break;
    case 14:
      Small.smallD(14, x, splat, k, b0, b1);
      break;
    case 15:
      Small.smallD(15, x, splat, k, b0, b1);
      break;
    case 16:
      Small.smallD(16, x, splat, k, b0, b1);
      break;
    default:
      anyD(x, d, splat, k, b0, b1);
  }
  store<f64>(result, gInertia);
  store<f64>(result, <f64> gChanged, 8);
}

/** Blocks [b0, b1) for any d: the block's features are read from memory for every centre. */
function anyD(x: usize, d: i32, splat: usize, k: i32, b0: i32, b1: i32): void {
  const blockBytes = <usize> d << 4;
  const inf = f32x4.splat(Infinity);
  const one = i32x4.splat(1);
  for (let b = b0; b < b1; b++) {
    const xb = x + <usize> b * blockBytes;
    let best = inf;
    let second = inf;
    let bestI = i32x4.splat(0);
    let ci = i32x4.splat(0);
    let cc = splat;
    for (let c = 0; c < k; c++) {
      let s = f32x4.splat(0);
      for (let j: usize = 0; j < blockBytes; j += 16) {
        const t = f32x4.sub(v128.load(xb + j), v128.load(cc + j));
        s = f32x4.add(s, f32x4.mul(t, t));
      }
      cc += blockBytes;
      const lt = f32x4.lt(s, best);
      second = f32x4.pmin(second, f32x4.pmax(best, s));
      best = f32x4.pmin(best, s);
      bestI = v128.bitselect(ci, bestI, lt);
      ci = i32x4.add(ci, one);
    }
    const row = b << 2;
    finishRow(
      row,
      xb,
      i32x4.extract_lane(bestI, 0),
      f32x4.extract_lane(best, 0),
      f32x4.extract_lane(second, 0),
    );
    finishRow(
      row + 1,
      xb + 4,
      i32x4.extract_lane(bestI, 1),
      f32x4.extract_lane(best, 1),
      f32x4.extract_lane(second, 1),
    );
    finishRow(
      row + 2,
      xb + 8,
      i32x4.extract_lane(bestI, 2),
      f32x4.extract_lane(best, 2),
      f32x4.extract_lane(second, 2),
    );
    finishRow(
      row + 3,
      xb + 12,
      i32x4.extract_lane(bestI, 3),
      f32x4.extract_lane(best, 3),
      f32x4.extract_lane(second, 3),
    );
  }
}

/** The float64 squared distance of `exactNearest`'s answer. */
export let gExactDist: f64 = 0;

/**
 * The nearest of the k centres (k × d f32 at `centers`) to the row whose first feature is at
 * `xr` (features 16 bytes apart, as in a block), decided as the float64 reference (`lloydRange`)
 * decides it, in its order of operations; its squared distance goes to `gExactDist`. For the
 * rows whose best and second float32 distances are too close to trust.
 */
export function exactNearest(xr: usize, centers: usize, k: i32, d: i32): i32 {
  let bestF: f64 = Infinity;
  let bestC = 0;
  for (let c = 0; c < k; c++) {
    const cp = centers + (<usize> (c * d) << 2);
    let s: f64 = 0;
    for (let j = 0; j < d; j++) {
      const t = <f64> load<f32>(xr + (<usize> j << 4)) - <f64> load<f32>(cp + (<usize> j << 2));
      s += t * t;
    }
    if (s < bestF) {
      bestF = s;
      bestC = c;
    }
  }
  gExactDist = bestF;
  return bestC;
}

/** Stores one row's outcome and adds it to the reductions; `xr` is its first feature. */
function finishRow(row: i32, xr: usize, label: i32, bestD: f32, secondD: f32): void {
  if (row >= gN) return; // padding of the last block
  const d = gD;
  let dist: f64 = <f64> bestD;
  if (gK > 1 && secondD - bestD <= secondD * gMargin) {
    label = exactNearest(xr, gCenters, gK, d);
    dist = gExactDist;
  }
  const lp = gLabels + (<usize> row << 2);
  if (load<i32>(lp) != label) {
    gChanged++;
    store<i32>(lp, label);
  }
  store<f32>(gDist2 + (<usize> row << 2), <f32> dist);
  gInertia += dist;
  const cnt = gCounts + (<usize> label << 3);
  store<f64>(cnt, load<f64>(cnt) + 1);
  const sp = gSums + (<usize> (label * d) << 3);
  for (let j = 0; j < d; j++) {
    const p = sp + (<usize> j << 3);
    store<f64>(p, load<f64>(p) + <f64> load<f32>(xr + (<usize> j << 4)));
  }
}

/**
 * The passes for d ≤ 16, inlined once per D (a constant after inlining), so that the block's D
 * features stay in registers across the k centres and sums are added two features per f64x2.
 * Static methods, not functions: `deno fmt` drops a decorator on a plain function (TypeScript has
 * none there) but keeps it on a method.
 */
export class Small {
  /**
   * Blocks [b0, b1) for d = D ≤ 16, bit for bit `anyD`'s: the same float32 operations in the same
   * order for the distances, and the same float64 additions in row order for every sum.
   */
  @inline
  static smallD(D: i32, x: usize, splat: usize, k: i32, b0: i32, b1: i32): void {
    const blockBytes = <usize> D << 4;
    const inf = f32x4.splat(Infinity);
    const one = i32x4.splat(1);
    const zero = f32x4.splat(0);
    for (let b = b0; b < b1; b++) {
      const xb = x + <usize> b * blockBytes;
      const x0 = v128.load(xb);
      const x1 = D > 1 ? v128.load(xb, 16) : zero;
      const x2 = D > 2 ? v128.load(xb, 32) : zero;
      const x3 = D > 3 ? v128.load(xb, 48) : zero;
      const x4 = D > 4 ? v128.load(xb, 64) : zero;
      const x5 = D > 5 ? v128.load(xb, 80) : zero;
      const x6 = D > 6 ? v128.load(xb, 96) : zero;
      const x7 = D > 7 ? v128.load(xb, 112) : zero;
      const x8 = D > 8 ? v128.load(xb, 128) : zero;
      const x9 = D > 9 ? v128.load(xb, 144) : zero;
      const x10 = D > 10 ? v128.load(xb, 160) : zero;
      const x11 = D > 11 ? v128.load(xb, 176) : zero;
      const x12 = D > 12 ? v128.load(xb, 192) : zero;
      const x13 = D > 13 ? v128.load(xb, 208) : zero;
      const x14 = D > 14 ? v128.load(xb, 224) : zero;
      const x15 = D > 15 ? v128.load(xb, 240) : zero;
      let best = inf;
      let second = inf;
      let bestI = i32x4.splat(0);
      let ci = i32x4.splat(0);
      let cc = splat;
      for (let c = 0; c < k; c++) {
        let t = f32x4.sub(x0, v128.load(cc));
        let s = f32x4.mul(t, t);
        if (D > 1) {
          t = f32x4.sub(x1, v128.load(cc, 16));
          s = f32x4.add(s, f32x4.mul(t, t));
        }
        if (D > 2) {
          t = f32x4.sub(x2, v128.load(cc, 32));
          s = f32x4.add(s, f32x4.mul(t, t));
        }
        if (D > 3) {
          t = f32x4.sub(x3, v128.load(cc, 48));
          s = f32x4.add(s, f32x4.mul(t, t));
        }
        if (D > 4) {
          t = f32x4.sub(x4, v128.load(cc, 64));
          s = f32x4.add(s, f32x4.mul(t, t));
        }
        if (D > 5) {
          t = f32x4.sub(x5, v128.load(cc, 80));
          s = f32x4.add(s, f32x4.mul(t, t));
        }
        if (D > 6) {
          t = f32x4.sub(x6, v128.load(cc, 96));
          s = f32x4.add(s, f32x4.mul(t, t));
        }
        if (D > 7) {
          t = f32x4.sub(x7, v128.load(cc, 112));
          s = f32x4.add(s, f32x4.mul(t, t));
        }
        if (D > 8) {
          t = f32x4.sub(x8, v128.load(cc, 128));
          s = f32x4.add(s, f32x4.mul(t, t));
        }
        if (D > 9) {
          t = f32x4.sub(x9, v128.load(cc, 144));
          s = f32x4.add(s, f32x4.mul(t, t));
        }
        if (D > 10) {
          t = f32x4.sub(x10, v128.load(cc, 160));
          s = f32x4.add(s, f32x4.mul(t, t));
        }
        if (D > 11) {
          t = f32x4.sub(x11, v128.load(cc, 176));
          s = f32x4.add(s, f32x4.mul(t, t));
        }
        if (D > 12) {
          t = f32x4.sub(x12, v128.load(cc, 192));
          s = f32x4.add(s, f32x4.mul(t, t));
        }
        if (D > 13) {
          t = f32x4.sub(x13, v128.load(cc, 208));
          s = f32x4.add(s, f32x4.mul(t, t));
        }
        if (D > 14) {
          t = f32x4.sub(x14, v128.load(cc, 224));
          s = f32x4.add(s, f32x4.mul(t, t));
        }
        if (D > 15) {
          t = f32x4.sub(x15, v128.load(cc, 240));
          s = f32x4.add(s, f32x4.mul(t, t));
        }
        cc += blockBytes;
        const lt = f32x4.lt(s, best);
        second = f32x4.pmin(second, f32x4.pmax(best, s));
        best = f32x4.pmin(best, s);
        bestI = v128.bitselect(ci, bestI, lt);
        ci = i32x4.add(ci, one);
      }
      const row = b << 2;
      Small.smallRow(
        D,
        0,
        row,
        xb,
        bestI,
        best,
        second,
        x0,
        x1,
        x2,
        x3,
        x4,
        x5,
        x6,
        x7,
        x8,
        x9,
        x10,
        x11,
        x12,
        x13,
        x14,
        x15,
      );
      Small.smallRow(
        D,
        1,
        row + 1,
        xb + 4,
        bestI,
        best,
        second,
        x0,
        x1,
        x2,
        x3,
        x4,
        x5,
        x6,
        x7,
        x8,
        x9,
        x10,
        x11,
        x12,
        x13,
        x14,
        x15,
      );
      Small.smallRow(
        D,
        2,
        row + 2,
        xb + 8,
        bestI,
        best,
        second,
        x0,
        x1,
        x2,
        x3,
        x4,
        x5,
        x6,
        x7,
        x8,
        x9,
        x10,
        x11,
        x12,
        x13,
        x14,
        x15,
      );
      Small.smallRow(
        D,
        3,
        row + 3,
        xb + 12,
        bestI,
        best,
        second,
        x0,
        x1,
        x2,
        x3,
        x4,
        x5,
        x6,
        x7,
        x8,
        x9,
        x10,
        x11,
        x12,
        x13,
        x14,
        x15,
      );
    }
  }

  /**
   * `finishRow` for lane L of a block held in registers: the common case (no near tie) adds the
   * row's features to its cluster's float64 sums two at a time.
   */
  @inline
  static smallRow(
    D: i32,
    L: i32,
    row: i32,
    xr: usize,
    bestI: v128,
    best: v128,
    second: v128,
    x0: v128,
    x1: v128,
    x2: v128,
    x3: v128,
    x4: v128,
    x5: v128,
    x6: v128,
    x7: v128,
    x8: v128,
    x9: v128,
    x10: v128,
    x11: v128,
    x12: v128,
    x13: v128,
    x14: v128,
    x15: v128,
  ): void {
    const label = Small.laneI32(bestI, L);
    const bestD = Small.laneF32(best, L);
    const secondD = Small.laneF32(second, L);
    if (row >= gN) return;
    if (gK > 1 && secondD - bestD <= secondD * gMargin) {
      finishRow(row, xr, label, bestD, secondD);
      return;
    }
    const lp = gLabels + (<usize> row << 2);
    if (load<i32>(lp) != label) {
      gChanged++;
      store<i32>(lp, label);
    }
    store<f32>(gDist2 + (<usize> row << 2), bestD);
    gInertia += <f64> bestD;
    const cnt = gCounts + (<usize> label << 3);
    store<f64>(cnt, load<f64>(cnt) + 1);
    const sp = gSums + (<usize> (label * D) << 3);
    if (D > 1) Small.addPair(sp, x0, x1, L);
    else Small.addOne(sp, x0, L);
    if (D > 3) Small.addPair(sp + 16, x2, x3, L);
    else if (D > 2) Small.addOne(sp + 16, x2, L);
    if (D > 5) Small.addPair(sp + 32, x4, x5, L);
    else if (D > 4) Small.addOne(sp + 32, x4, L);
    if (D > 7) Small.addPair(sp + 48, x6, x7, L);
    else if (D > 6) Small.addOne(sp + 48, x6, L);
    if (D > 9) Small.addPair(sp + 64, x8, x9, L);
    else if (D > 8) Small.addOne(sp + 64, x8, L);
    if (D > 11) Small.addPair(sp + 80, x10, x11, L);
    else if (D > 10) Small.addOne(sp + 80, x10, L);
    if (D > 13) Small.addPair(sp + 96, x12, x13, L);
    else if (D > 12) Small.addOne(sp + 96, x12, L);
    if (D > 15) Small.addPair(sp + 112, x14, x15, L);
    else if (D > 14) Small.addOne(sp + 112, x14, L);
  }

  /** Adds lane L of `a` and of `b`, widened to float64, to the two sums at `p`. */
  @inline
  static addPair(p: usize, a: v128, b: v128, L: i32): void {
    let ab: v128;
    if (L == 0) ab = i8x16.shuffle(a, b, 0, 1, 2, 3, 16, 17, 18, 19, 0, 0, 0, 0, 0, 0, 0, 0);
    else if (L == 1) ab = i8x16.shuffle(a, b, 4, 5, 6, 7, 20, 21, 22, 23, 0, 0, 0, 0, 0, 0, 0, 0);
    else if (L == 2) ab = i8x16.shuffle(a, b, 8, 9, 10, 11, 24, 25, 26, 27, 0, 0, 0, 0, 0, 0, 0, 0);
    else ab = i8x16.shuffle(a, b, 12, 13, 14, 15, 28, 29, 30, 31, 0, 0, 0, 0, 0, 0, 0, 0);
    v128.store(p, f64x2.add(v128.load(p), f64x2.promote_low_f32x4(ab)));
  }

  /** Adds lane L of `a`, widened to float64, to the sum at `p`. */
  @inline
  static addOne(p: usize, a: v128, L: i32): void {
    store<f64>(p, load<f64>(p) + <f64> Small.laneF32(a, L));
  }

  // Lane indexes must be constants where the source is compiled; these fold away once inlined.
  @inline
  static laneI32(v: v128, L: i32): i32 {
    if (L == 0) return i32x4.extract_lane(v, 0);
    if (L == 1) return i32x4.extract_lane(v, 1);
    if (L == 2) return i32x4.extract_lane(v, 2);
    return i32x4.extract_lane(v, 3);
  }

  @inline
  static laneF32(v: v128, L: i32): f32 {
    if (L == 0) return f32x4.extract_lane(v, 0);
    if (L == 1) return f32x4.extract_lane(v, 1);
    if (L == 2) return f32x4.extract_lane(v, 2);
    return f32x4.extract_lane(v, 3);
  }
}
