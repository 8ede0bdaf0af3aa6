/**
 * Issue 11, defect 9: the retention sweep deletes runs and datasets stored before the period,
 * keeps newer ones, clears the pointers that named what it deleted, and keeps everything when
 * retention is off.
 */
import assert from "node:assert/strict";
import {
  DEFAULT_RETENTION_DAYS,
  retentionMs,
  sweepExpired,
} from "../../../domain/workflow/retention.ts";
import { createTenant } from "../../../domain/auth/tenants.ts";
import { datasetFromRecords } from "../../../domain/datasets/records.ts";
import {
  getCurrentDatasetId,
  getDataset,
  listDatasets,
  saveDataset,
  setCurrentDataset,
} from "../../../domain/datasets/store.ts";
import { getRun, latestRunId, saveRun } from "../../../domain/segmentation/runs.ts";
import { openStore } from "../../../storage/mod.ts";

const DAY = 86_400_000;
const NOW = 1_800_000_000_000;

function dataset(id: string, now: number) {
  return datasetFromRecords([{ a: 1 }, { a: 2 }, { a: 3 }], { name: id, now, id });
}

Deno.test("the sweep deletes runs and datasets older than the retention period only", async () => {
  await using kv = await openStore(":memory:");
  const { tenantId } = await createTenant(kv, { name: "acme" }, { now: () => NOW });
  const old = NOW - 31 * DAY;
  await saveRun(kv, tenantId, "run_old", "test", {}, old);
  await saveRun(kv, tenantId, "run_new", "test", {}, NOW - DAY);
  await saveDataset(kv, tenantId, dataset("ds_new", NOW - DAY), NOW - DAY);
  await saveDataset(kv, tenantId, dataset("ds_old", old), old);
  await saveRun(kv, tenantId, "run_last", "test", {}, old);
  assert.ok(await setCurrentDataset(kv, tenantId, "alice", "ds_old"));
  assert.ok(await setCurrentDataset(kv, tenantId, "bob", "ds_new"));

  const report = await sweepExpired(kv, NOW, retentionMs(DEFAULT_RETENTION_DAYS));
  assert.deepEqual(report, { runs: 2, datasets: 1 });
  assert.equal(await getRun(kv, tenantId, "run_old"), null);
  assert.equal(await getRun(kv, tenantId, "run_last"), null);
  assert.notEqual(await getRun(kv, tenantId, "run_new"), null);
  assert.equal(await latestRunId(kv, tenantId), null, "the pointer to a swept run is cleared");
  assert.equal(await getDataset(kv, tenantId, "ds_old"), null);
  assert.deepEqual((await listDatasets(kv, tenantId)).map((d) => d.id), ["ds_new"]);
  assert.equal(await getCurrentDatasetId(kv, tenantId, "alice"), null);
  assert.equal(await getCurrentDatasetId(kv, tenantId, "bob"), "ds_new");
});

Deno.test("retention 0 keeps everything", async () => {
  await using kv = await openStore(":memory:");
  const { tenantId } = await createTenant(kv, { name: "acme" }, { now: () => NOW });
  await saveRun(kv, tenantId, "run_old", "test", {}, NOW - 3650 * DAY);
  assert.deepEqual(await sweepExpired(kv, NOW, retentionMs(0)), { runs: 0, datasets: 0 });
  assert.notEqual(await getRun(kv, tenantId, "run_old"), null);
});
