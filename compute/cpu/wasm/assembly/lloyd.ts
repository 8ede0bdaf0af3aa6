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
  store<f64>(result, gInertia);
  store<f64>(result, <f64> gChanged, 8);
}

/** Stores one row's outcome and adds it to the reductions; `xr` is its first feature. */
function finishRow(row: i32, xr: usize, label: i32, bestD: f32, secondD: f32): void {
  if (row >= gN) return; // padding of the last block
  const d = gD;
  let dist: f64 = <f64> bestD;
  if (gK > 1 && secondD - bestD <= secondD * gMargin) {
    // A near tie: decide it as the float64 reference does, in its order of operations.
    let bestF: f64 = Infinity;
    let bestC = 0;
    for (let c = 0; c < gK; c++) {
      const cp = gCenters + (<usize> (c * d) << 2);
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
    label = bestC;
    dist = bestF;
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
