/** Features named by column or by role, and the table a clustering on them reads. */
import assert from "node:assert/strict";
import { featureTable, resolveFeatures } from "../../../domain/datasets/feature_columns.ts";
import { datasetFromRecords } from "../../../domain/datasets/records.ts";

const dataset = datasetFromRecords(
  [
    { customer_id: "a", Age: 30, "Annual Income (k$)": 40, visits: 3 },
    { customer_id: "b", Age: 50, "Annual Income (k$)": 90, visits: 1 },
  ],
  { name: "t", now: 0 },
);

Deno.test("features resolve by column name or mapped role, once each, in the order named", () => {
  assert.equal(dataset.columnMap.income, "Annual Income (k$)");
  assert.deepEqual(resolveFeatures(dataset, ["income", "visits", "Annual Income (k$)", "age"]), {
    columns: ["Annual Income (k$)", "visits", "Age"],
    unknown: [],
  });
});

Deno.test("names that are neither a column nor a mapped role come back as unknown", () => {
  const { unknown } = resolveFeatures(dataset, ["visits", "shoe_size", "region"]);
  assert.deepEqual(unknown, ["shoe_size", "region"]);
});

Deno.test("the feature table keeps the id column first, then the features in their order", () => {
  const all = featureTable(dataset);
  assert.deepEqual(all.columns.map((c) => c.name), dataset.columns.map((c) => c.name));
  const some = featureTable(dataset, ["visits", "Age"]);
  assert.deepEqual(some.columns.map((c) => c.name), ["customer_id", "visits", "Age"]);
  assert.equal(some.rowCount, 2);
});
