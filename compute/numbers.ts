/**
 * Number helpers shared by every layer that reports figures: one rounding rule, so a figure
 * reads the same in every response, report and export.
 *
 * @module
 */

/**
 * `v` rounded half away from zero to `digits` decimals, without binary noise: the result is
 * the double nearest to the decimal written with `digits` places (`round(1.005, 2)` is 1.01,
 * `round(2289.6000000000004, 2)` is 2289.6), and −0 becomes 0. Non-finite values pass through.
 */
export function round(v: number, digits: number): number {
  if (!Number.isFinite(v)) return v;
  const scaled = Math.abs(v) * 10 ** digits;
  // Scaling by a power of ten is inexact (1.005 × 100 = 100.49999…); a relative nudge of a few
  // ulps puts such values back on the side of the decimal they were written as.
  const r = Math.round(scaled * (1 + 4 * Number.EPSILON)) / 10 ** digits;
  const out = v < 0 ? -r : r;
  return Number(out.toFixed(Math.max(0, Math.min(100, digits)))) + 0;
}
