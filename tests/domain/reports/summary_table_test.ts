/**
 * Segment-level export tables (document 003 §1.6): one row per segment, the columns asked for,
 * the segments with at least `min_customers`, nested figures lifted, and which level a request
 * asks for.
 */
import assert from "node:assert/strict";
import {
  exportLevel,
  flattenScalars,
  summaryFields,
  summaryTable,
} from "../../../domain/reports/summary_table.ts";

const SEGMENTS = [
  { segment_name: "Platinum", total_customers: 45, avg_purchase_amount: 5200.5, rule: "CLV > 9" },
  { segment_name: "Gold", total_customers: 120, avg_purchase_amount: 3800.25, rule: "CLV > 5" },
  { segment_name: "Bronze", total_customers: 4, avg_purchase_amount: null, rule: "CLV <= 1" },
];

Deno.test("summaryTable keeps the named columns in their order, one row per segment", () => {
  const t = summaryTable(SEGMENTS, {
    columns: ["segment_name", "total_customers", "avg_purchase_amount"],
  });
  assert.deepEqual(t.header, ["segment_name", "total_customers", "avg_purchase_amount"]);
  assert.deepEqual(t.rows, [["Platinum", 45, 5200.5], ["Gold", 120, 3800.25], [
    "Bronze",
    4,
    null,
  ]]);
});

Deno.test("summaryTable keeps segments with at least min_customers customers", () => {
  const t = summaryTable(SEGMENTS, { columns: ["segment_name"], minCustomers: 10 });
  assert.deepEqual(t.rows, [["Platinum"], ["Gold"]]);
  assert.deepEqual(summaryTable(SEGMENTS, { minCustomers: 0 }).rows.length, 3);
});

Deno.test("summaryTable without columns has every scalar field of the segments", () => {
  const t = summaryTable([{ a: 1, list: [1], nested: { b: 2 } }, { c: true }]);
  assert.deepEqual(t.header, ["a", "c"]);
  assert.deepEqual(t.rows, [[1, null], [null, "true"]]);
});

Deno.test("summaryTable refuses an unknown column and a negative min_customers", () => {
  assert.throws(
    () => summaryTable(SEGMENTS, { columns: ["segment_name", "customer_id"] }),
    (e: unknown) => e instanceof RangeError && /"customer_id"/.test(e.message),
  );
  assert.throws(
    () => summaryTable(SEGMENTS, { minCustomers: -1 }),
    (e: unknown) => e instanceof RangeError && /min_customers/.test(e.message),
  );
});

Deno.test("flattenScalars lifts one level of nested figures, the record's own fields first", () => {
  const flat = flattenScalars({
    cluster_id: 1,
    demographics: { avg_age: 42, cluster_id: 9, gender_distribution: { Male: 3 } },
    regions: ["North"],
  });
  assert.deepEqual(flat, { cluster_id: 1, avg_age: 42 });
  assert.deepEqual(summaryFields([flat]), ["cluster_id", "avg_age"]);
});

Deno.test("exportLevel: segments when the columns name segment figures, else customers", () => {
  const segment = ["segment_name", "total_customers", "avg_purchase_amount"];
  const customer = ["customer_id", "segment_name", "age"];
  assert.equal(exportLevel(undefined, undefined, segment, customer), "customers");
  assert.equal(exportLevel(undefined, segment, segment, customer), "segments");
  assert.equal(exportLevel(undefined, ["segment_name"], segment, customer), "customers");
  assert.equal(
    exportLevel(undefined, ["customer_id", "total_customers"], segment, customer),
    "customers",
  );
  assert.equal(exportLevel("segments", undefined, segment, customer), "segments");
});
