/** Typed columns as plain JSON-safe data and back, without typing anything again. */
import assert from "node:assert/strict";
import { fromPlainTable, toPlainTable } from "../../../domain/datasets/plain_table.ts";
import { datasetFromRecords } from "../../../domain/datasets/records.ts";

const dataset = datasetFromRecords(
  [
    { customer_id: "a", spend: 1.5, region: "north", code: "0x1" },
    { customer_id: "b", spend: null, region: null, code: "0x2" },
  ],
  { name: "t", now: 0 },
);

Deno.test("toPlainTable keeps kinds, turns NaN into null and survives JSON", () => {
  const plain = JSON.parse(JSON.stringify(toPlainTable(dataset)));
  assert.equal(plain.rowCount, 2);
  const spend = plain.columns.find((c: { name: string }) => c.name === "spend");
  assert.deepEqual(spend, { name: "spend", kind: "numeric", values: [1.5, null] });
  const back = fromPlainTable(plain);
  assert.deepEqual(
    back.columns.map((c) => [c.name, c.kind, c.missing]),
    dataset.columns.map((c) => [c.name, c.kind, c.missing]),
  );
});

Deno.test("toPlainTable with columns keeps those named, in the order named, once", () => {
  const plain = toPlainTable(dataset, ["region", "customer_id", "region", "shoe_size"]);
  assert.deepEqual(plain.columns.map((c) => c.name), ["region", "customer_id"]);
});

Deno.test("fromPlainTable refuses a column of the wrong length or values of the wrong kind", () => {
  assert.throws(
    () => fromPlainTable({ rowCount: 2, columns: [{ name: "v", kind: "numeric", values: [1] }] }),
    RangeError,
  );
  assert.throws(
    () => fromPlainTable({ rowCount: 1, columns: [{ name: "v", kind: "numeric", values: ["1"] }] }),
    RangeError,
  );
});
