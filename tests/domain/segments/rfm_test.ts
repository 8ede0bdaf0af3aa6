import assert from "node:assert/strict";
import {
  RFM_GRID,
  RFM_SEGMENT_NAMES,
  RFM_SEGMENT_TABLE,
  rfmCode,
  rfmSegmentName,
  scoreRfm,
} from "../../../domain/segments/rfm.ts";

Deno.test("RFM_SEGMENT_TABLE maps each of the 125 codes to exactly one of the 11 names", () => {
  const codes = Object.keys(RFM_SEGMENT_TABLE);
  assert.equal(codes.length, 125);
  assert.equal(new Set(codes).size, 125);
  for (let r = 1; r <= 5; r++) {
    for (let f = 1; f <= 5; f++) {
      for (let m = 1; m <= 5; m++) {
        const name = RFM_SEGMENT_TABLE[`${r}${f}${m}`];
        assert.ok(name !== undefined, `code ${r}${f}${m} is unmapped`);
        assert.equal(RFM_SEGMENT_NAMES.filter((n) => n === name).length, 1);
      }
    }
  }
  assert.deepEqual(
    new Set(Object.values(RFM_SEGMENT_TABLE)),
    new Set(RFM_SEGMENT_NAMES),
    "every one of the 11 names has at least one code",
  );
});

Deno.test("RFM_GRID has one name per R score and FM band", () => {
  for (const r of [1, 2, 3, 4, 5] as const) assert.equal(RFM_GRID[r].length, 4);
});

Deno.test("rfmSegmentName reads the R × mean(F, M) grid", () => {
  const cases: [string, string][] = [
    ["555", "Champions"],
    ["445", "Champions"],
    ["533", "Loyal Customers"],
    ["355", "Loyal Customers"],
    ["522", "Potential Loyalist"],
    ["423", "Potential Loyalist"],
    ["511", "New Customers"],
    ["512", "New Customers"],
    ["411", "Promising"],
    ["322", "Need Attention"],
    ["222", "Need Attention"],
    ["311", "About To Sleep"],
    ["233", "At Risk"],
    ["255", "At Risk"],
    ["133", "At Risk"],
    ["155", "Can't Lose Them"],
    ["145", "Can't Lose Them"],
    ["211", "Hibernating"],
    ["122", "Hibernating"],
    ["111", "Lost"],
    ["112", "Lost"],
  ];
  for (const [code, name] of cases) {
    const [r, f, m] = [...code].map(Number) as [number, number, number];
    assert.equal(rfmSegmentName(r, f, m), name, code);
    assert.equal(RFM_SEGMENT_TABLE[code], name, code);
  }
});

Deno.test("rfmSegmentName refuses scores outside 1–5", () => {
  assert.throws(() => rfmSegmentName(0, 3, 3), RangeError);
  assert.throws(() => rfmSegmentName(3, 6, 3), RangeError);
  assert.throws(() => rfmSegmentName(3, 3, 2.5), /M score/);
});

Deno.test("scoreRfm scores ten distinct values two per quintile, as pandas.qcut", () => {
  const values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const s = scoreRfm(values, values, values);
  assert.deepEqual([...s.m], [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
  assert.deepEqual([...s.f], [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
  // np.quantile(1..10, [.2, .4, .6, .8]) = [2.8, 4.6, 6.4, 8.2]
  assert.deepEqual(s.cutoffs.monetary.map((v) => Number(v.toFixed(10))), [2.8, 4.6, 6.4, 8.2]);
});

Deno.test("scoreRfm gives the fewest days since the last purchase a recency of 5", () => {
  const s = scoreRfm([1, 2, 3, 4, 5], [1, 1, 1, 1, 1], [1, 1, 1, 1, 1]);
  assert.deepEqual([...s.r], [5, 4, 3, 2, 1]);
});

Deno.test("scoreRfm ranks frequency first so heavy ties still fill five balanced bins", () => {
  // Ten one-purchase customers: ranked in row order, two per quintile.
  const ones = new Array(10).fill(1);
  const s = scoreRfm(ones, ones, ones);
  assert.deepEqual([...s.f], [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
  // Ties in monetary (and recency) share one score instead.
  assert.deepEqual([...s.m], new Array(10).fill(1));
  assert.deepEqual([...s.r], new Array(10).fill(5));
});

Deno.test("scoreRfm ranks tied frequencies by value first, then by row order", () => {
  const s = scoreRfm(
    [1, 1, 1, 1, 1],
    [3, 1, 3, 1, 2],
    [1, 1, 1, 1, 1],
  );
  // Ranks: row1 = 1, row3 = 2, row4 = 3, row0 = 4, row2 = 5.
  assert.deepEqual([...s.f], [4, 1, 5, 2, 3]);
});

Deno.test("scoreRfm gives tied monetary values one score and may skip levels", () => {
  const s = scoreRfm(
    new Array(10).fill(1),
    new Array(10).fill(1),
    [0, 0, 0, 0, 0, 0, 10, 20, 30, 40],
  );
  // Edges [0, 0, 4, 22]: the zeros all score 1, and scores 2 and 3 stay empty.
  assert.deepEqual(s.cutoffs.monetary.map((v) => Number(v.toFixed(10))), [0, 0, 4, 22]);
  assert.deepEqual([...s.m], [1, 1, 1, 1, 1, 1, 4, 4, 5, 5]);
});

Deno.test("scoreRfm scores a missing value 0 and leaves it out of the quantiles", () => {
  const s = scoreRfm([1, NaN, 3], [1, 2, NaN], [5, 6, 7]);
  assert.equal(s.r[1], 0);
  assert.equal(s.f[2], 0);
  assert.equal(rfmCode(s.r[1]!, s.f[1]!, s.m[1]!), null);
  assert.equal(rfmCode(s.r[0]!, s.f[0]!, s.m[0]!), `${s.r[0]}${s.f[0]}${s.m[0]}`);
  assert.equal(s.r[0], 5);
  assert.equal(s.r[2], 1);
});

Deno.test("scoreRfm refuses inputs of different lengths", () => {
  assert.throws(() => scoreRfm([1, 2], [1], [1, 2]), RangeError);
});
