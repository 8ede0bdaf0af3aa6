import assert from "node:assert/strict";
import { dataset } from "../_datasets.ts";
import { RFM_SEGMENT_NAMES } from "../../../domain/segments/rfm.ts";
import {
  computeClv,
  customerSegments,
  DEFAULT_THRESHOLDS,
  MissingColumnsError,
  type RuleSegmentation,
  SEGMENT_TYPES,
  segmentDataset,
  UNKNOWN_SEGMENT,
} from "../../../domain/segments/rules.ts";

/** The segment name of every row. */
function labelsOf(s: RuleSegmentation): string[] {
  const out = new Array<string>(s.total_customers).fill("?");
  for (const segment of s.segments) for (const row of segment.rows) out[row] = segment.name;
  return out;
}

Deno.test("segmentDataset age_group puts each bound in the group it closes", () => {
  const ds = dataset({ Age: [17, 18, 25, 26, 40, 41, 60, 61, null] }, { age: "Age" });
  const s = segmentDataset(ds, "age_group");
  assert.deepEqual(s.segments.map((g) => g.name), [
    "Under 18",
    "18-25",
    "26-40",
    "41-60",
    "60+",
    UNKNOWN_SEGMENT,
  ]);
  assert.deepEqual(labelsOf(s), [
    "Under 18",
    "18-25",
    "18-25",
    "26-40",
    "26-40",
    "41-60",
    "41-60",
    "60+",
    UNKNOWN_SEGMENT,
  ]);
  assert.equal(s.segments[1]!.rule, "18 <= age <= 25");
  assert.equal(s.segments[4]!.rule, "age > 60");
});

Deno.test("segmentDataset lists every bin even when empty, and Unknown only when used", () => {
  const ds = dataset({ Age: [30, 31] }, { age: "Age" });
  const s = segmentDataset(ds, "age_group");
  assert.equal(s.segments.length, 5);
  assert.equal(s.segments[0]!.count, 0);
  assert.equal(s.segments[0]!.avg_age, null);
  assert.equal(s.segments[2]!.count, 2);
  assert.equal(s.segments[2]!.share, 1);
});

Deno.test("segmentDataset income_bracket scales the income column into currency units", () => {
  // Mall Customers' `Annual Income (k$)`: 15 means 15 000.
  const ds = dataset(
    { "Annual Income (k$)": [15, 29.999, 30, 70, 70.001, 137] },
    { income: "Annual Income (k$)" },
    1000,
  );
  const s = segmentDataset(ds, "income_bracket");
  assert.deepEqual(s.segments.map((g) => g.name), [
    "Low Income (<30k)",
    "Middle Income (30k-70k)",
    "High Income (>70k)",
  ]);
  assert.deepEqual(labelsOf(s).map((l) => l.split(" ")[0]), [
    "Low",
    "Low",
    "Middle",
    "Middle",
    "High",
    "High",
  ]);
  assert.ok(Math.abs(s.segments[0]!.avg_income! - (15_000 + 29_999) / 2) < 1e-6);
});

Deno.test("segmentDataset income_bracket reads unscaled income as currency units", () => {
  const s = segmentDataset(
    dataset({ Income: [15, 58_138] }, { income: "Income" }),
    "income_bracket",
  );
  assert.deepEqual(labelsOf(s), ["Low Income (<30k)", "Middle Income (30k-70k)"]);
});

Deno.test("segmentDataset purchase_tier keeps 1k and 3k in the Medium tier", () => {
  const ds = dataset({ Spend: [999, 1000, 3000, 3001] }, { purchase_amount: "Spend" });
  const s = segmentDataset(ds, "purchase_tier");
  assert.deepEqual(labelsOf(s), [
    "Low Spender (<1k)",
    "Medium Spender (1k-3k)",
    "Medium Spender (1k-3k)",
    "High Spender (>3k)",
  ]);
  assert.equal(s.segments[2]!.total_spend, 3001);
  assert.equal(s.segments[2]!.spend_share, 3001 / 8000);
});

Deno.test("segmentDataset takes thresholds from the caller and names bins after them", () => {
  const ds = dataset({ Spend: [400, 600, 2500] }, { purchase_amount: "Spend" });
  const s = segmentDataset(ds, "purchase_tier", { spendLow: 500, spendHigh: 2000 });
  assert.deepEqual(labelsOf(s), [
    "Low Spender (<0.5k)",
    "Medium Spender (0.5k-2k)",
    "High Spender (>2k)",
  ]);
  assert.equal(s.thresholds.spendLow, 500);
  assert.equal(s.thresholds.incomeLow, DEFAULT_THRESHOLDS.incomeLow);
  const a = segmentDataset(dataset({ Age: [30, 50] }, { age: "Age" }), "age_group", {
    ageMin: 21,
    ageUpperBounds: [35],
  });
  assert.deepEqual(a.segments.map((g) => g.name), ["Under 21", "21-35", "35+"]);
});

Deno.test("segmentDataset refuses thresholds out of order or not finite", () => {
  const ds = dataset({ Spend: [1] }, { purchase_amount: "Spend" });
  assert.throws(() => segmentDataset(ds, "purchase_tier", { spendLow: 5000 }), RangeError);
  assert.throws(() => segmentDataset(ds, "purchase_tier", { incomeHigh: NaN }), RangeError);
  assert.throws(
    () => segmentDataset(ds, "purchase_tier", { ageUpperBounds: [40, 30] }),
    RangeError,
  );
  assert.throws(() => segmentDataset(ds, "purchase_tier", { ageUpperBounds: [] }), RangeError);
});

Deno.test("segmentDataset gender segments by value, largest first, ties by name, Unknown last", () => {
  const ds = dataset(
    { Gender: ["Male", "Female", null, "Female", "Male", "Other", ""] },
    { gender: "Gender" },
  );
  const s = segmentDataset(ds, "gender");
  assert.deepEqual(s.segments.map((g) => [g.name, g.count]), [
    ["Female", 2],
    ["Male", 2],
    ["Other", 1],
    [UNKNOWN_SEGMENT, 2],
  ]);
  assert.deepEqual(s.segments[0]!.rows, [1, 3]);
  assert.deepEqual(s.segments[3]!.rows, [2, 6]);
  const shares = s.segments.reduce((a, g) => a + g.share, 0);
  assert.ok(Math.abs(shares - 1) < 1e-12);
});

Deno.test("segmentDataset region reads a numeric region code as text", () => {
  const ds = dataset({ Region: [3, 1, 3] }, { region: "Region" });
  const s = segmentDataset(ds, "region");
  assert.deepEqual(s.segments.map((g) => [g.name, g.count]), [["3", 2], ["1", 1]]);
});

Deno.test("segmentDataset averages each segment's columns, null where the dataset has none", () => {
  const ds = dataset(
    {
      Gender: ["F", "F", "M"],
      Age: [20, null, 40],
      Income: [10, 20, 30],
      Spend: [100, 300, 50],
      Freq: [2, 4, 1],
    },
    {
      gender: "Gender",
      age: "Age",
      income: "Income",
      purchase_amount: "Spend",
      purchase_frequency: "Freq",
    },
    1000,
  );
  const f = segmentDataset(ds, "gender").segments[0]!;
  assert.equal(f.name, "F");
  assert.equal(f.avg_age, 20);
  assert.equal(f.avg_income, 15_000);
  assert.equal(f.avg_purchase_amount, 200);
  assert.equal(f.avg_frequency, 3);
  // CLV with the default lifespan of 3 years: (100·2·3 + 300·4·3) / 2.
  assert.equal(f.avg_clv, (600 + 3600) / 2);
  assert.equal(f.avg_lifespan_years, null);
  assert.equal(f.avg_recency_days, null);
  assert.equal(f.avg_spending_score, null);
  assert.equal(f.spend_share, 400 / 450);
});

Deno.test("segmentDataset clv multiplies amount, frequency and lifespan and tiers by quartile", () => {
  const ds = dataset(
    {
      Amount: [10, 10, 10, 10, 10, null],
      Freq: [1, 2, 3, 4, 1, 1],
      Life: [1, 1, 1, 1, null, 1],
    },
    { purchase_amount: "Amount", purchase_frequency: "Freq", lifespan: "Life" },
  );
  const { clv } = computeClv(ds, { defaultLifespanYears: 5 });
  // Row 4 has no lifespan: the default (5 years) applies; row 5 has no amount.
  assert.deepEqual([...clv.slice(0, 5)], [10, 20, 30, 40, 50]);
  assert.ok(Number.isNaN(clv[5]!));
  const s = segmentDataset(ds, "clv", { defaultLifespanYears: 5 });
  // np.quantile([10, 20, 30, 40, 50], [.25, .5, .75]) = [20, 30, 40]; right-closed bins.
  assert.deepEqual(s.cutoffs.clv, [20, 30, 40]);
  assert.deepEqual(labelsOf(s), [
    "Bronze",
    "Bronze",
    "Silver",
    "Gold",
    "Platinum",
    UNKNOWN_SEGMENT,
  ]);
  assert.deepEqual(s.segments.map((g) => g.name), [
    "Platinum",
    "Gold",
    "Silver",
    "Bronze",
    UNKNOWN_SEGMENT,
  ]);
  assert.equal(s.segments[3]!.avg_clv, 15);
  assert.equal(s.notes.length, 1);
  assert.match(s.notes[0]!, /default of 5 years/);
});

Deno.test("segmentDataset clv uses the default lifespan when the dataset has no lifespan column", () => {
  const ds = dataset({ Amount: [100, 100], Freq: [2, 2] }, {
    purchase_amount: "Amount",
    purchase_frequency: "Freq",
  });
  const s = segmentDataset(ds, "clv");
  assert.equal(s.segments[3]!.avg_clv, 100 * 2 * DEFAULT_THRESHOLDS.defaultLifespanYears);
  // Equal CLVs share one tier.
  assert.equal(s.segments[3]!.count, 2);
  assert.match(s.notes[0]!, /No lifespan column/);
  assert.equal(s.columns.lifespan, undefined);
});

Deno.test("segmentDataset rfm reports the 11 named segments in order, Unknown after them", () => {
  const ds = dataset(
    {
      Recency: [1, 2, 3, 4, 5, null],
      Freq: [1, 2, 3, 4, 5, 1],
      Amount: [100, 200, 300, 400, 500, 10],
    },
    { recency: "Recency", purchase_frequency: "Freq", purchase_amount: "Amount" },
  );
  const s = segmentDataset(ds, "rfm");
  assert.deepEqual(s.segments.map((g) => g.name), [...RFM_SEGMENT_NAMES, UNKNOWN_SEGMENT]);
  // R = 5..1 with F = M = 1..5: codes 511, 422, 333, 244, 155.
  assert.deepEqual(labelsOf(s), [
    "New Customers",
    "Potential Loyalist",
    "Loyal Customers",
    "At Risk",
    "Can't Lose Them",
    UNKNOWN_SEGMENT,
  ]);
  assert.equal(s.cutoffs.recency!.length, 4);
});

Deno.test("segmentDataset names the missing roles when the dataset lacks a rule's columns", () => {
  const ds = dataset({ Amount: [1, 2], Age: ["young", "old"] }, {
    purchase_amount: "Amount",
    age: "Age",
  });
  assert.throws(
    () => segmentDataset(ds, "rfm"),
    (e: unknown) => {
      assert.ok(e instanceof MissingColumnsError);
      assert.equal(e.type, "rfm");
      assert.deepEqual(e.missing, ["recency", "purchase_frequency"]);
      assert.match(e.message, /recency, purchase_frequency/);
      return true;
    },
  );
  // A categorical column mapped to a numeric role counts as missing.
  assert.throws(
    () => segmentDataset(ds, "age_group"),
    (e: unknown) => e instanceof MissingColumnsError && e.missing.join() === "age",
  );
  assert.throws(
    () => segmentDataset(ds, "region"),
    (e: unknown) => e instanceof MissingColumnsError && e.missing.join() === "region",
  );
});

Deno.test("segmentDataset refuses an unknown type", () => {
  const ds = dataset({ Age: [1] }, { age: "Age" });
  assert.throws(() => segmentDataset(ds, "cluster" as never), RangeError);
});

Deno.test("segmentDataset gives the same output for the same input", () => {
  const ds = dataset(
    { Gender: ["b", "a", "b", "a"], Amount: [5, 1, 5, 1] },
    { gender: "Gender", purchase_amount: "Amount" },
  );
  assert.deepEqual(segmentDataset(ds, "gender"), segmentDataset(ds, "gender"));
  assert.deepEqual(segmentDataset(ds, "gender").segments.map((g) => g.name), ["a", "b"]);
});

Deno.test("customerSegments gives every applicable segmentation and skips the others", () => {
  const ds = dataset(
    {
      Gender: ["Male", "Female", "Male", "Female"],
      Age: [30, 61, 18, null],
      Amount: [3500, 100, 1000, 2000],
      Freq: [10, 1, 2, 4],
    },
    { gender: "Gender", age: "Age", purchase_amount: "Amount", purchase_frequency: "Freq" },
  );
  const c = customerSegments(ds, 0);
  assert.equal(c.customer_id, "c1");
  assert.deepEqual(c.segments, {
    gender: "Male",
    age_group: "26-40",
    purchase_tier: "High Spender (>3k)",
    clv_tier: "Platinum",
    calculated_clv: 3500 * 10 * 3,
  });
  assert.deepEqual(c.skipped, [
    { type: "region", missing: ["region"] },
    { type: "income_bracket", missing: ["income"] },
    { type: "rfm", missing: ["recency"] },
  ]);
  assert.equal(customerSegments(ds, 3).segments.age_group, UNKNOWN_SEGMENT);
  assert.equal(customerSegments(ds, 1).segments.age_group, "60+");
  assert.equal(SEGMENT_TYPES.length, 7);
});

Deno.test("customerSegments gives the RFM score and segment relative to the dataset", () => {
  const ds = dataset(
    { Recency: [1, 2, 3, 4, 5], Freq: [1, 2, 3, 4, 5], Amount: [1, 2, 3, 4, 5] },
    { recency: "Recency", purchase_frequency: "Freq", purchase_amount: "Amount" },
  );
  const c = customerSegments(ds, 4);
  assert.equal(c.segments.rfm_score, "155");
  assert.equal(c.segments.rfm_segment, "Can't Lose Them");
});

Deno.test("customerSegments refuses a row outside the dataset", () => {
  const ds = dataset({ Age: [30] }, { age: "Age" });
  assert.throws(() => customerSegments(ds, 1), RangeError);
  assert.throws(() => customerSegments(ds, -1), RangeError);
  assert.throws(() => customerSegments(ds, 0.5), RangeError);
});
