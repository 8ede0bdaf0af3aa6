/**
 * `domain/workflow/stored_exports.ts` (stored exports: per tenant, expiry as a field) and
 * `export_tables.ts` (the export tables).
 */
import assert from "node:assert/strict";
import { getBlobManifest } from "../../../storage/mod.ts";
import type { Dataset } from "../../../domain/datasets/types.ts";
import {
  EXPORT_KIND,
  getExport,
  isExpired,
  saveExport,
  sweepExpiredExports,
} from "../../../domain/workflow/stored_exports.ts";
import {
  datasetSubset,
  segmentationCsv,
  segmentationTable,
} from "../../../domain/workflow/export_tables.ts";
import { segmentDataset } from "../../../domain/segments/rules.ts";

const DATASET: Dataset = {
  id: "d",
  name: "d",
  createdAt: 0,
  rowCount: 3,
  ids: ["a", "b", "c"],
  incomeScale: 1000,
  columnMap: { customer_id: "id", gender: "g", income: "inc" },
  columns: [
    { name: "id", kind: "id", values: ["a", "b", "c"], missing: 0 },
    { name: "g", kind: "categorical", values: ["F", "=1+1", "F"], missing: 0 },
    { name: "inc", kind: "numeric", values: new Float64Array([20, 50, NaN]), missing: 1 },
  ],
};

Deno.test("saveExport stores an export that only its tenant reads, expiring at its field", async () => {
  await using kv = await Deno.openKv(":memory:");
  const file = { type: "gender", format: "csv" as const, filename: "g.csv", content: "x\r\n" };
  const info = await saveExport(kv, "t1", file, { now: 1_000, ttlMs: 500 });
  assert.equal(info.expires_at, 1_500);
  assert.equal(info.content_type, "text/csv; charset=utf-8");
  const found = await getExport(kv, "t1", info.export_id);
  assert.equal(new TextDecoder().decode(found!.bytes!), "x\r\n");
  assert.equal(await getExport(kv, "t2", info.export_id), null);
  assert.equal(await getExport(kv, "t1", "not-an-id"), null);
  assert.equal(isExpired(found!.info, 1_499), false);
  assert.equal(isExpired(found!.info, 1_500), true);
  await assert.rejects(() => saveExport(kv, "t1", file, { now: 0, ttlMs: 0 }), RangeError);
});

Deno.test("segmentationTable writes one row per customer with its segment and key columns", () => {
  const segmentation = segmentDataset(DATASET, "gender");
  const table = segmentationTable(DATASET, segmentation);
  assert.deepEqual(table.header, ["customer_id", "segment_name", "gender", "income"]);
  assert.deepEqual(table.rows[0], ["a", "F", "F", 20_000]);
  assert.ok(Number.isNaN(table.rows[2]![3] as number));
  const csv = segmentationCsv(DATASET, segmentation, { minCustomers: 2 });
  assert.equal(csv, "customer_id,segment_name,gender,income\r\na,F,F,20000\r\nc,F,F,\r\n");
  assert.match(segmentationCsv(DATASET, segmentation), /'=1\+1,'=1\+1/);
  assert.throws(() => segmentationTable(DATASET, segmentation, { columns: ["zip"] }), RangeError);
  assert.throws(() => segmentationTable(DATASET, segmentation, { minCustomers: -1 }), RangeError);
});

Deno.test("datasetSubset keeps the rows and columns asked, recounting missing values", () => {
  const sub = datasetSubset(DATASET, [2, 0], [DATASET.columns[2]!]);
  assert.equal(sub.rowCount, 2);
  assert.deepEqual(sub.ids, ["c", "a"]);
  assert.equal(sub.columns.length, 1);
  assert.equal(sub.columns[0]!.missing, 1);
});

Deno.test("sweepExpiredExports deletes expired exports' bytes and keeps their record for a 410", async () => {
  using kv = await Deno.openKv(":memory:");
  const file = { type: "gender", format: "csv", filename: "g.csv", content: "a\r\n" } as const;
  const old = await saveExport(kv, "t1", file, { now: 1_000, ttlMs: 1_000 });
  const fresh = await saveExport(kv, "t1", file, { now: 1_000, ttlMs: 60_000 });
  const other = await saveExport(kv, "t2", file, { now: 1_000, ttlMs: 1_000 });
  assert.equal(await sweepExpiredExports(kv, 1_500), 0);
  assert.equal(await sweepExpiredExports(kv, 5_000), 2);
  assert.equal(await getBlobManifest(kv, "t1", EXPORT_KIND, old.export_id), null);
  const gone = await getExport(kv, "t1", old.export_id);
  assert.equal(gone?.bytes, null);
  assert.equal(gone?.info.expires_at, 2_000);
  // Another tenant's swept export stays invisible; the fresh one is untouched.
  assert.equal(await getExport(kv, "t1", other.export_id), null);
  assert.ok((await getExport(kv, "t1", fresh.export_id))?.bytes);
  // A second sweep finds nothing more to do.
  assert.equal(await sweepExpiredExports(kv, 5_000), 0);
});
