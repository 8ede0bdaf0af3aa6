/**
 * The Lloyd step with Hamerly's bounds (AssemblyScript source), for a whole fit on one session.
 *
 * Every row keeps an upper bound on its distance to its own centre and a lower bound on its
 * distance to every other centre (Euclidean, float32). When the centres move by `drift`, the
 * upper bound grows by its centre's drift and the lower bound shrinks by the largest drift; a
 * block of four rows whose upper bounds all stay below their lower bounds (with a slack for the
 * float32 rounding) cannot change label, and is skipped without reading its rows. Other blocks
 * are assigned exactly as `lloyd` does (same float32 distances, the same float64 decision of
 * near ties), so labels equal a plain Lloyd step's. Sums and counts are kept from step to step:
 * only the rows that change cluster move their features from one sum to the other.
 */
import { exactNearest, gExactDist, Small } from "./lloyd";

const TIE: f32 = <f32> 5.9604645e-8;

/**
 * One step over the blocks [b0, b1) (rows in blocks of four, feature-major, as `lloyd` takes
 * them). With `force` every block is assigned and `sums` (k × d f64) and `counts` (k f64) are
 * made from scratch, `dist2` (squared distance to the own centre) written and [inertia, changed]
 * stored at `result`; without it only blocks the bounds cannot settle are assigned, the sums and
 * counts are updated for the rows that move, and result holds [NaN, changed]. `upper` and `lower`
 * (n f32 each) are read and written; `drift` holds k f32 (each centre's move since the last step,
 * rounded up) and `maxDrift` their largest.
 */
export function lloydBounded(
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
  upper: usize,
  lower: usize,
  drift: usize,
  maxDrift: f32,
  force: i32,
  sums: usize,
  counts: usize,
  result: usize,
): void {
  const margin = <f32> (d + 2) * <f32> 4 * TIE;
  // The bounds' own rounding: each is a float32 square root of a float32 sum (within margin),
  // moved by float32 additions; twice the tie margin plus 1e-6 per step leaves room for both.
  const slack = <f32> 2 * margin + <f32> 1e-6;
  let inertia: f64 = 0;
  let changed = 0;
  if (force) {
    memory.fill(sums, 0, <usize> (k * d) << 3);
    memory.fill(counts, 0, <usize> k << 3);
  }
  gInertia = 0;
  gChanged = 0;
  switch (d) {
    case 1:
      B.pass(
        1,
        x,
        n,
        splat,
        centers,
        k,
        b0,
        b1,
        labels,
        dist2,
        upper,
        lower,
        drift,
        maxDrift,
        force,
        sums,
        counts,
        margin,
        slack,
      );
      break;
    case 2:
      B.pass(
        2,
        x,
        n,
        splat,
        centers,
        k,
        b0,
        b1,
        labels,
        dist2,
        upper,
        lower,
        drift,
        maxDrift,
        force,
        sums,
        counts,
        margin,
        slack,
      );
      break;
    case 3:
      B.pass(
        3,
        x,
        n,
        splat,
        centers,
        k,
        b0,
        b1,
        labels,
        dist2,
        upper,
        lower,
        drift,
        maxDrift,
        force,
        sums,
        counts,
        margin,
        slack,
      );
      break;
    case 4:
      B.pass(
        4,
        x,
        n,
        splat,
        centers,
        k,
        b0,
        b1,
        labels,
        dist2,
        upper,
        lower,
        drift,
        maxDrift,
        force,
        sums,
        counts,
        margin,
        slack,
      );
      break;
    case 5:
      B.pass(
        5,
        x,
        n,
        splat,
        centers,
        k,
        b0,
        b1,
        labels,
        dist2,
        upper,
        lower,
        drift,
        maxDrift,
        force,
        sums,
        counts,
        margin,
        slack,
      );
      break;
    case 6:
      B.pass(
        6,
        x,
        n,
        splat,
        centers,
        k,
        b0,
        b1,
        labels,
        dist2,
        upper,
        lower,
        drift,
        maxDrift,
        force,
        sums,
        counts,
        margin,
        slack,
      );
      break;
    case 7:
      B.pass(
        7,
        x,
        n,
        splat,
        centers,
        k,
        b0,
        b1,
        labels,
        dist2,
        upper,
        lower,
        drift,
        maxDrift,
        force,
        sums,
        counts,
        margin,
        slack,
      );
      break;
    case 8:
      B.pass(
        8,
        x,
        n,
        splat,
        centers,
        k,
        b0,
        b1,
        labels,
        dist2,
        upper,
        lower,
        drift,
        maxDrift,
        force,
        sums,
        counts,
        margin,
        slack,
      );
      break;
    case 9:
      B.pass(
        9,
        x,
        n,
        splat,
        centers,
        k,
        b0,
        b1,
        labels,
        dist2,
        upper,
        lower,
        drift,
        maxDrift,
        force,
        sums,
        counts,
        margin,
        slack,
      );
      break;
    case 10:
      B.pass(
        10,
        x,
        n,
        splat,
        centers,
        k,
        b0,
        b1,
        labels,
        dist2,
        upper,
        lower,
        drift,
        maxDrift,
        force,
        sums,
        counts,
        margin,
        slack,
      );
      break;
    case 11:
      B.pass(
        11,
        x,
        n,
        splat,
        centers,
        k,
        b0,
        b1,
        labels,
        dist2,
        upper,
        lower,
        drift,
        maxDrift,
        force,
        sums,
        counts,
        margin,
        slack,
      );
      break;
    case 12:
      B.pass(
        12,
        x,
        n,
        splat,
        centers,
        k,
        b0,
        b1,
        labels,
        dist2,
        upper,
        lower,
        drift,
        maxDrift,
        force,
        sums,
        counts,
        margin,
        slack,
      );
      break;
    case 13:
      B.pass(
        13,
        x,
        n,
        splat,
        centers,
        k,
        b0,
        b1,
        labels,
        dist2,
        upper,
        lower,
        drift,
        maxDrift,
        force,
        sums,
        counts,
        margin,
        slack,
      );
      break;
    case 14:
      B.pass(
        14,
        x,
        n,
        splat,
        centers,
        k,
        b0,
        b1,
        labels,
        dist2,
        upper,
        lower,
        drift,
        maxDrift,
        force,
        sums,
        counts,
        margin,
        slack,
      );
      break;
    case 15:
      B.pass(
        15,
        x,
        n,
        splat,
        centers,
        k,
        b0,
        b1,
        labels,
        dist2,
        upper,
        lower,
        drift,
        maxDrift,
        force,
        sums,
        counts,
        margin,
        slack,
      );
      break;
    case 16:
      B.pass(
        16,
        x,
        n,
        splat,
        centers,
        k,
        b0,
        b1,
        labels,
        dist2,
        upper,
        lower,
        drift,
        maxDrift,
        force,
        sums,
        counts,
        margin,
        slack,
      );
      break;
    default:
      B.pass(
        d,
        x,
        n,
        splat,
        centers,
        k,
        b0,
        b1,
        labels,
        dist2,
        upper,
        lower,
        drift,
        maxDrift,
        force,
        sums,
        counts,
        margin,
        slack,
      );
  }
  inertia = gInertia;
  changed = gChanged;
  store<f64>(result, force ? inertia : NaN);
  store<f64>(result, <f64> changed, 8);
}

/** Adds (sign 1) or takes away (−1) the row at `xr` to or from cluster `c`'s sums and count. */
function add(sums: usize, counts: usize, d: i32, c: i32, xr: usize, sign: f64): void {
  const cnt = counts + (<usize> c << 3);
  store<f64>(cnt, load<f64>(cnt) + sign);
  const sp = sums + (<usize> (c * d) << 3);
  for (let j = 0; j < d; j++) {
    const p = sp + (<usize> j << 3);
    store<f64>(p, load<f64>(p) + sign * <f64> load<f32>(xr + (<usize> j << 4)));
  }
}

let gInertia: f64 = 0;
let gChanged = 0;

/**
 * The block loop, inlined once per d ≤ 16 (`D`, a constant there) so that a block's features are
 * loaded once per block into locals, as `lloyd`'s passes do; any larger d loops over them.
 * Static methods, not functions: `deno fmt` drops a decorator on a plain function.
 */
class B {
  @inline
  static pass(
    D: i32,
    x: usize,
    n: i32,
    splat: usize,
    centers: usize,
    k: i32,
    b0: i32,
    b1: i32,
    labels: usize,
    dist2: usize,
    upper: usize,
    lower: usize,
    drift: usize,
    maxDrift: f32,
    force: i32,
    sums: usize,
    counts: usize,
    margin: f32,
    slack: f32,
  ): void {
    const zero = f32x4.splat(0);
    const blockBytes = <usize> D << 4;
    const inf = f32x4.splat(Infinity);
    const one = i32x4.splat(1);
    const md = f32x4.splat(maxDrift);
    const sl = f32x4.splat(slack);
    for (let b = b0; b < b1; b++) {
      const row = b << 2;
      const xb = x + <usize> b * blockBytes;
      const lp = labels + (<usize> row << 2);
      if (!force) {
        const lab = v128.load(lp);
        let du = f32x4.splat(0);
        du = f32x4.replace_lane(
          du,
          0,
          load<f32>(drift + (<usize> i32x4.extract_lane(lab, 0) << 2)),
        );
        du = f32x4.replace_lane(
          du,
          1,
          load<f32>(drift + (<usize> i32x4.extract_lane(lab, 1) << 2)),
        );
        du = f32x4.replace_lane(
          du,
          2,
          load<f32>(drift + (<usize> i32x4.extract_lane(lab, 2) << 2)),
        );
        du = f32x4.replace_lane(
          du,
          3,
          load<f32>(drift + (<usize> i32x4.extract_lane(lab, 3) << 2)),
        );
        const u = f32x4.add(v128.load(upper + (<usize> row << 2)), du);
        const l = f32x4.sub(v128.load(lower + (<usize> row << 2)), md);
        v128.store(upper + (<usize> row << 2), u);
        v128.store(lower + (<usize> row << 2), l);
        // u + slack·(u + l) < l on every lane: no row of the block can change centre.
        const safe = f32x4.lt(f32x4.add(u, f32x4.mul(sl, f32x4.add(u, l))), l);
        if (i32x4.all_true(safe)) continue;
      }
      let best = inf;
      let second = inf;
      let bestI = i32x4.splat(0);
      let ci = i32x4.splat(0);
      let cc = splat;
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
      for (let c = 0; c < k; c++) {
        let s = f32x4.splat(0);
        if (D > 16) {
          for (let j: usize = 0; j < blockBytes; j += 16) {
            const t = f32x4.sub(v128.load(xb + j), v128.load(cc + j));
            s = f32x4.add(s, f32x4.mul(t, t));
          }
        } else {
          let t = f32x4.sub(x0, v128.load(cc));
          s = f32x4.mul(t, t);
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
        }
        cc += blockBytes;
        const lt = f32x4.lt(s, best);
        second = f32x4.pmin(second, f32x4.pmax(best, s));
        best = f32x4.pmin(best, s);
        bestI = v128.bitselect(ci, bestI, lt);
        ci = i32x4.add(ci, one);
      }
      for (let lane = 0; lane < 4; lane++) {
        const r = row + lane;
        if (r >= n) break;
        let label = Small.laneI32(bestI, lane);
        const bestD = Small.laneF32(best, lane);
        const secondD = Small.laneF32(second, lane);
        let dist: f64 = <f64> bestD;
        const xr = xb + (<usize> lane << 2);
        const tie = k > 1 && secondD - bestD <= secondD * margin;
        if (tie) {
          label = exactNearest(xr, centers, k, D);
          dist = gExactDist;
        }
        const rp = <usize> r << 2;
        store<f32>(dist2 + rp, <f32> dist);
        const u = Mathf.sqrt(<f32> dist);
        store<f32>(upper + rp, u);
        // A near tie leaves no gap to trust: the next step assigns the row again.
        store<f32>(lower + rp, tie ? u : Mathf.sqrt(secondD));
        gInertia += dist;
        const old = load<i32>(lp + (<usize> lane << 2));
        if (force) {
          add(sums, counts, D, label, xr, 1);
          if (old != label) gChanged++;
        } else if (old != label) {
          add(sums, counts, D, old, xr, -1);
          add(sums, counts, D, label, xr, 1);
          gChanged++;
        }
        store<i32>(lp + (<usize> lane << 2), label);
      }
    }
  }
}
