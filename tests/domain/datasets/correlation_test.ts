import assert from "node:assert/strict";
import { correlationMatrix } from "../../../domain/datasets/correlation.ts";
import { parseCsvStream } from "../../../domain/datasets/csv_stream.ts";
import { datasetFromRecords } from "../../../domain/datasets/records.ts";

const OPTS = { name: "t", now: 0, id: "ds_t" };

Deno.test("correlationMatrix matches a hand-computed Pearson r", () => {
  // x̄ = 2.5, ȳ = 3.75; Sxy = 3.5, Sxx = 5, Syy = 4.75 → r = 3.5 / √23.75.
  const ds = datasetFromRecords([
    { id: 1, x: 1, y: 2, label: "a" },
    { id: 2, x: 2, y: 4, label: "b" },
    { id: 3, x: 3, y: 5, label: "a" },
    { id: 4, x: 4, y: 4, label: "b" },
  ], OPTS);
  const c = correlationMatrix(ds);
  assert.deepEqual(c.columns, ["x", "y"], "id and categorical columns are left out");
  const r = 3.5 / Math.sqrt(23.75);
  assert.ok(Math.abs(c.matrix[0]![1]! - r) < 1e-12);
  assert.ok(Math.abs(r - 0.718184846) < 1e-9);
  assert.equal(c.matrix[1]![0], c.matrix[0]![1]);
  assert.equal(c.matrix[0]![0], 1);
});

Deno.test("correlationMatrix uses pairwise complete rows and null where undefined", () => {
  const ds = datasetFromRecords([
    { x: 1, y: 2, z: 7, w: null },
    { x: 2, y: 4, z: 7, w: 1 },
    { x: 3, y: 5, z: 7, w: null },
    { x: 4, y: 4, z: 7, w: null },
    { x: 5, y: null, z: 7, w: null },
  ], OPTS);
  const c = correlationMatrix(ds);
  assert.deepEqual(c.columns, ["x", "y", "z", "w"]);
  // x–y over rows 1–4 only: the hand-computed value above.
  assert.ok(Math.abs(c.matrix[0]![1]! - 3.5 / Math.sqrt(23.75)) < 1e-12);
  assert.deepEqual(c.matrix[2], [null, null, null, null], "a constant column");
  assert.deepEqual(c.matrix[3], [null, null, null, null], "one value in common");
  assert.equal(c.matrix[0]![0], 1);
});

Deno.test("correlationMatrix of the mall customers matches pandas' values", async () => {
  const f = await Deno.open(new URL("../../data/mall_customers.csv", import.meta.url));
  const ds = await parseCsvStream(f.readable, OPTS);
  const c = correlationMatrix(ds);
  assert.deepEqual(c.columns, ["Age", "Annual Income (k$)", "Spending Score (1-100)"]);
  // Python statistics.correlation on the same columns.
  assert.ok(Math.abs(c.matrix[0]![2]! - -0.32722684603909) < 1e-12);
  assert.ok(Math.abs(c.matrix[1]![2]! - 0.009902848094037613) < 1e-12);
});
