import assert from "node:assert/strict";
import { round } from "../../compute/numbers.ts";

Deno.test("round rounds half away from zero on the written decimal", () => {
  assert.equal(round(1.005, 2), 1.01);
  assert.equal(round(-1.005, 2), -1.01);
  assert.equal(round(2.5, 0), 3);
  assert.equal(round(-2.5, 0), -3);
  assert.equal(round(0.125, 2), 0.13);
});

Deno.test("round leaves no binary noise and no negative zero", () => {
  assert.equal(round(2289.6000000000004, 2), 2289.6);
  assert.equal(round(87.80000000000001, 2), 87.8);
  assert.equal(Object.is(round(-0.0001, 2), 0), true);
  assert.equal(round(123456789.123456, 3), 123456789.123);
});

Deno.test("round passes non-finite values through", () => {
  assert.equal(round(Infinity, 2), Infinity);
  assert.equal(Number.isNaN(round(NaN, 2)), true);
});
