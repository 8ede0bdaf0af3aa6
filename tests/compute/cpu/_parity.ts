/** Helpers of the WebAssembly parity tests. */
import assert from "node:assert/strict";

/**
 * Fails unless every `got[i]` is within `rel` of `want[i]` relatively (or within `abs` for
 * values near zero), naming the first index that is not.
 */
export function assertClose(
  got: ArrayLike<number>,
  want: ArrayLike<number>,
  rel: number,
  what: string,
  abs = 0,
): void {
  assert.equal(got.length, want.length, `${what}: lengths`);
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!;
    const w = want[i]!;
    const tol = Math.max(abs, rel * Math.abs(w));
    if (!(Math.abs(g - w) <= tol)) {
      assert.fail(`${what}[${i}]: got ${g}, want ${w} (tolerance ${tol})`);
    }
  }
}
