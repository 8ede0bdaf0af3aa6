/** The analyst's session: the session's run is bound to its dataset. */
import assert from "node:assert/strict";
import { datasetFromRecords } from "../../../domain/datasets/records.ts";
import { saveDataset, setCurrentDataset } from "../../../domain/datasets/store.ts";
import { saveRun } from "../../../domain/segmentation/runs.ts";
import {
  sessionDataset,
  sessionRun,
  setSessionRun,
  WORKFLOW_SOURCE,
} from "../../../domain/workflow/session.ts";

Deno.test("the session's run is forgotten once another dataset becomes current", async () => {
  using kv = await Deno.openKv(":memory:");
  const one = datasetFromRecords([{ v: 1 }, { v: 2 }, { v: 3 }], { name: "one", now: 0 });
  const two = datasetFromRecords([{ v: 4 }, { v: 5 }, { v: 6 }], { name: "two", now: 0 });
  await saveDataset(kv, "t1", one, 0);
  await saveDataset(kv, "t1", two, 0);
  await setCurrentDataset(kv, "t1", "user.u1", one.id);
  await saveRun(kv, "t1", "run_a", WORKFLOW_SOURCE, { dataset_id: one.id }, 0);
  await setSessionRun(kv, "t1", "user.u1", "run_a");
  assert.equal((await sessionRun(kv, "t1", "user.u1"))?.run_id, "run_a");
  assert.equal(await sessionRun(kv, "t1", "user.u2"), null);
  assert.equal(await sessionRun(kv, "t2", "user.u1"), null);
  await setCurrentDataset(kv, "t1", "user.u1", two.id);
  assert.equal((await sessionDataset(kv, "t1", "user.u1"))?.name, "two");
  assert.equal(await sessionRun(kv, "t1", "user.u1"), null);
});
