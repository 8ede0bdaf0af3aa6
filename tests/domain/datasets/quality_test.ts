import assert from "node:assert/strict";
import { dataQuality, describeColumn, describeDataset } from "../../../domain/datasets/quality.ts";
import { parseCsvStream } from "../../../domain/datasets/csv_stream.ts";
import { datasetFromRecords } from "../../../domain/datasets/records.ts";

const OPTS = { name: "t", now: 0, id: "ds_t" };

Deno.test("dataQuality counts kinds, duplicates and missing values of a small table", () => {
  const ds = datasetFromRecords([
    { id: 1, gender: "F", age: 30, income: 50 },
    { id: 2, gender: "M", age: null, income: 60 },
    { id: 3, gender: "F", age: 30, income: 50 },
    { id: 4, gender: null, age: null, income: 60 },
    { id: 5, gender: "M", age: null, income: 60 },
  ], OPTS);
  const q = dataQuality(ds);
  assert.equal(q.total_rows, 5);
  assert.equal(q.total_columns, 4);
  assert.equal(q.numeric_columns, 2);
  assert.equal(q.categorical_columns, 2, "id counts with the non-numeric columns");
  assert.deepEqual(q.column_types, {
    id: "id",
    gender: "categorical",
    age: "numeric",
    income: "numeric",
  });
  // Row 3 repeats row 1 and row 5 repeats row 2 once the (unique) id is left out.
  assert.equal(q.duplicate_rows, 2);
  assert.deepEqual(q.missing_values, { id: 0, gender: 1, age: 3, income: 0 });
  assert.deepEqual(q.missing_percentage, { id: 0, gender: 20, age: 60, income: 0 });
  // 128 + 4 columns × 8 × 5 + id text 5 × (49 + 1) + gender 4 × (49 + 1) + 16.
  assert.equal(q.memory_usage_mb, Math.round(((128 + 160 + 250 + 200 + 16) / 2 ** 20) * 1e4) / 1e4);
});

Deno.test("describeDataset gives the upload's shape, pandas describe statistics and features", async () => {
  const f = await Deno.open(new URL("../../data/mall_customers.csv", import.meta.url));
  const ds = await parseCsvStream(f.readable, OPTS);
  const d = describeDataset(ds);
  assert.deepEqual(d.shape, [200, 5]);
  assert.deepEqual(d.features, ["Age", "Annual Income (k$)", "Spending Score (1-100)"]);
  const age = d.statistics["Age"]!;
  assert.equal(age.count, 200);
  assert.ok(Math.abs(age.mean! - 38.85) < 1e-12);
  assert.ok(Math.abs(age.std! - 13.96900733155888) < 1e-9);
  assert.deepEqual([age.min, age["25%"], age["50%"], age["75%"], age.max], [18, 28.75, 36, 49, 70]);
  assert.deepEqual(Object.keys(d.statistics), d.features);
});

Deno.test("describeColumn skips missing values and answers null where undefined", () => {
  const s = describeColumn(Float64Array.from([4, NaN, 1, 3, 2]));
  assert.deepEqual(s, {
    count: 4,
    mean: 2.5,
    std: Math.sqrt(5 / 3),
    min: 1,
    "25%": 1.75,
    "50%": 2.5,
    "75%": 3.25,
    max: 4,
  });
  assert.equal(describeColumn(Float64Array.from([7])).std, null);
  assert.equal(describeColumn(Float64Array.from([NaN])).mean, null);
});
