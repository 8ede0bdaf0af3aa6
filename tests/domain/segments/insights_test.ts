import assert from "node:assert/strict";
import { dataset } from "../_datasets.ts";
import { customerInsights, gini, insightsFor } from "../../../domain/segments/insights.ts";
import { segmentDataset } from "../../../domain/segments/rules.ts";

function close(actual: number | null | undefined, expected: number, tol = 1e-12): void {
  assert.ok(
    typeof actual === "number" && Math.abs(actual - expected) <= tol,
    `expected ${expected} but found ${actual}`,
  );
}

Deno.test("gini is 0 when everyone holds the same", () => {
  assert.equal(gini([5, 5, 5, 5]), 0);
  assert.equal(gini([0, 0, 0]), 0);
  assert.equal(gini([]), 0);
});

Deno.test("gini is 1 − 1/n when one holder has everything", () => {
  for (const n of [2, 5, 100]) {
    const values = new Array(n).fill(0);
    values[n - 1] = 42;
    close(gini(values), 1 - 1 / n);
  }
});

Deno.test("gini matches the mean absolute difference definition and ignores NaN", () => {
  // Σ|xi − xj| over ordered pairs = 20; 20 / (2 · 4² · 2.5) = 0.25.
  close(gini([4, 1, 3, 2]), 0.25);
  close(gini([4, NaN, 1, 3, 2]), 0.25);
  assert.throws(() => gini([1, -1]), RangeError);
});

Deno.test("customerInsights churn_risk compares recency with the customer's purchase interval", () => {
  // 12 purchases a year: one expected every 30.4 days.
  const ds = dataset(
    { Recency: [20, 45, 90, 10, 30, null], Freq: [12, 12, 12, 0, null, 12] },
    { recency: "Recency", purchase_frequency: "Freq" },
  );
  const risk = [0, 1, 2, 3, 4, 5].map((i) => customerInsights(ds, i).churn_risk);
  assert.deepEqual(risk, ["Low", "Medium", "High", "High", "Low", null]);
  const c = customerInsights(ds, 1);
  assert.equal(c.churn_basis, "cadence");
  // Rounded to two decimals, as the responses show them.
  close(c.churn_detail.expected_interval_days, 30.42);
  close(c.churn_detail.overdue_ratio, 1.48);
  assert.equal(customerInsights(ds, 4).churn_basis, "recency");
});

Deno.test("customerInsights churn_risk falls back to days since the last purchase", () => {
  const ds = dataset({ Recency: [90, 91, 180, 181] }, { recency: "Recency" });
  const risk = [0, 1, 2, 3].map((i) => customerInsights(ds, i).churn_risk);
  assert.deepEqual(risk, ["Low", "Medium", "Medium", "High"]);
  const strict = customerInsights(ds, 0, { churnMediumDays: 30 });
  assert.equal(strict.churn_risk, "Medium");
});

Deno.test("customerInsights value_score is the mid-rank percentile of CLV, else of spend", () => {
  const withClv = dataset(
    { Amount: [10, 20, 30, 40], Freq: [4, 1, 1, 1] },
    { purchase_amount: "Amount", purchase_frequency: "Freq" },
  );
  // CLVs 120, 60, 90, 120: the first ties for the top.
  assert.equal(customerInsights(withClv, 0).value_score, 75);
  assert.equal(customerInsights(withClv, 0).value_basis, "clv");
  assert.equal(customerInsights(withClv, 1).value_score, 13);
  const spendOnly = dataset({ Amount: [10, 20, 30, 40] }, { purchase_amount: "Amount" });
  assert.equal(customerInsights(spendOnly, 3).value_score, 88);
  assert.equal(customerInsights(spendOnly, 3).value_basis, "purchase_amount");
  const none = dataset({ Age: [30] }, { age: "Age" });
  assert.equal(customerInsights(none, 0).value_score, null);
});

Deno.test("customerInsights product_affinity lists the products the customer favours most", () => {
  const ds = dataset(
    { Wines: [100, 100, 100], Fruits: [0, 10, 10], Meat: [100, 0, 100] },
    { products: ["Wines", "Fruits", "Meat"] },
  );
  // Customer 2 spends 10 of 110 on fruit (9 %) against the population's 20 of 520 (3.8 %).
  const c = customerInsights(ds, 1);
  assert.deepEqual(c.product_affinity, ["Fruits", "Wines"]);
  const fruit = c.product_affinity_detail![0]!;
  close(fruit.index, 2.36); // (10 / 110) / (20 / 520), to two decimals
  close(fruit.customer_share, 0.0909); // to four decimals
  const none = dataset({ Age: [30] }, { age: "Age" });
  assert.equal("product_affinity" in customerInsights(none, 0), false);
  const zero = dataset({ Wines: [0, 5] }, { products: ["Wines"] });
  assert.deepEqual(customerInsights(zero, 0).product_affinity, []);
});

Deno.test("customerInsights refuses a row outside the dataset", () => {
  const ds = dataset({ Age: [30] }, { age: "Age" });
  assert.throws(() => customerInsights(ds, 3), RangeError);
});

Deno.test("insightsFor clv counts customers one purchase a year below the next tier", () => {
  const ds = dataset(
    { Amount: [1, 10, 10, 10], Freq: [10, 2, 3, 4] },
    { purchase_amount: "Amount", purchase_frequency: "Freq" },
  );
  // CLVs 30, 60, 90, 120 (3 years); cut points 52.5, 75, 97.5. One more purchase a year adds
  // amount × 3: Gold 90 + 30 > 97.5, Silver 60 + 30 > 75, Bronze 30 + 3 < 52.5.
  const s = segmentDataset(ds, "clv");
  const out = insightsFor(ds, "clv", s);
  const titles = out.insights.map((i) => i.title);
  assert.ok(titles.includes("Gold-to-Platinum Migration Opportunity"));
  assert.ok(titles.includes("Silver-to-Gold Migration Opportunity"));
  assert.ok(!titles.includes("Bronze-to-Silver Migration Opportunity"));
  const silver = out.insights.find((i) => i.title === "Silver-to-Gold Migration Opportunity")!;
  assert.deepEqual(silver.metric, { name: "customers_near_next_tier", value: 1 });
  assert.equal(out.key_metrics.avg_clv, 75);
  assert.equal(out.key_metrics.total_customers, 4);
});

Deno.test("insightsFor reports revenue concentration with the Gini coefficient of spend", () => {
  const ds = dataset(
    { Spend: [0, 0, 0, 0, 5000], Gender: ["F", "F", "M", "M", "M"] },
    { purchase_amount: "Spend", gender: "Gender" },
  );
  const out = insightsFor(ds, "gender", segmentDataset(ds, "gender"));
  close(out.key_metrics.gini_coefficient, 0.8);
  assert.equal(out.key_metrics.revenue_concentration, "Gini coefficient: 0.80");
  assert.equal(out.key_metrics.top_20_percent_revenue_share, 1);
  assert.equal(out.key_metrics.total_revenue, 5000);
  assert.equal(out.key_metrics.top_segment, "M");
  const concentration = out.insights.find((i) => i.title === "Revenue Concentration")!;
  assert.equal(concentration.severity, "high");
  // M: 100 % of revenue from 60 % of customers.
  const dominance = out.insights.find((i) => i.title === "M Dominance")!;
  assert.equal(dominance.severity, "medium");
  assert.match(dominance.description, /generate 100% of total revenue/);
});

Deno.test("insightsFor rfm measures the revenue held by At Risk and Can't Lose Them", () => {
  const ds = dataset(
    { Recency: [1, 2, 3, 4, 5], Freq: [1, 2, 3, 4, 5], Amount: [100, 200, 300, 400, 500] },
    { recency: "Recency", purchase_frequency: "Freq", purchase_amount: "Amount" },
  );
  const out = insightsFor(ds, "rfm", segmentDataset(ds, "rfm"));
  const risk = out.insights.find((i) => i.title === "Revenue At Risk")!;
  close(risk.metric!.value, 900 / 1500);
  assert.equal(risk.severity, "high");
  assert.ok(!out.insights.some((i) => i.title === "Dormant Customers"));
});

Deno.test("insightsFor purchase_tier counts customers within 10% below the next tier", () => {
  const ds = dataset({ Spend: [850, 950, 999, 2700, 2750, 3500] }, { purchase_amount: "Spend" });
  const out = insightsFor(ds, "purchase_tier", segmentDataset(ds, "purchase_tier"));
  const near = (title: string) => out.insights.find((i) => i.title === title)?.metric?.value;
  assert.equal(near("Low-to-Medium Migration Opportunity"), 2);
  assert.equal(near("Medium-to-High Migration Opportunity"), 2);
  const wider = insightsFor(ds, "purchase_tier", segmentDataset(ds, "purchase_tier"), {
    nearTierMargin: 0.2,
  });
  assert.equal(
    wider.insights.find((i) => i.title === "Low-to-Medium Migration Opportunity")?.metric?.value,
    3,
  );
});

Deno.test("insightsFor lists high severity first and reports customers without data", () => {
  const ds = dataset({ Age: [null, null, 30, 40] }, { age: "Age" });
  const out = insightsFor(ds, "age_group", segmentDataset(ds, "age_group"));
  assert.equal(out.insights[0]!.title, "Customers Without Data");
  assert.equal(out.insights[0]!.severity, "high");
  assert.equal(out.key_metrics.unknown_customers, 2);
  assert.equal(out.key_metrics.gini_coefficient, null);
  const rank = { high: 0, medium: 1, low: 2 };
  const ranks = out.insights.map((i) => rank[i.severity]);
  assert.deepEqual(ranks, [...ranks].sort((a, b) => a - b));
});

Deno.test("insightsFor counts dormant customers by recency outside RFM", () => {
  const ds = dataset(
    { Recency: [10, 200, 400, 30], Gender: ["F", "M", "F", "M"] },
    { recency: "Recency", gender: "Gender" },
  );
  const out = insightsFor(ds, "gender", segmentDataset(ds, "gender"));
  const dormant = out.insights.find((i) => i.title === "Dormant Customers")!;
  assert.equal(dormant.metric!.value, 0.5);
  assert.equal(dormant.severity, "high");
});

Deno.test("insightsFor refuses a segmentation of another type", () => {
  const ds = dataset({ Age: [30], Gender: ["F"] }, { age: "Age", gender: "Gender" });
  assert.throws(() => insightsFor(ds, "gender", segmentDataset(ds, "age_group")), RangeError);
});
