/** The session's prerequisites: a current dataset, then a clustering that fits it. */
import assert from "node:assert/strict";
import {
  datasetFromRecords,
  saveDataset,
  setCurrentDataset,
} from "../../../domain/datasets/mod.ts";
import { saveRun } from "../../../domain/segmentation/mod.ts";
import {
  latestClustering,
  NO_CLUSTERING,
  NO_DATA,
  requireClustering,
  requireDataset,
  requireSessionRun,
  sessionOwner,
  SessionPrerequisiteError,
  WORKFLOW_SOURCE,
} from "../../../domain/workflow/mod.ts";
import { setSessionRun } from "../../../domain/workflow/session.ts";

const missing = (code: string, message: string) => (e: unknown) =>
  e instanceof SessionPrerequisiteError && e.code === code && e.message === message;

/** A run body that fits a dataset of `rows` rows (only what the rules read). */
function runBody(datasetId: string, rows: number) {
  return { dataset_id: datasetId, run: { labels: Array.from({ length: rows }, () => 0) } };
}

async function session() {
  const kv = await Deno.openKv(":memory:");
  const dataset = datasetFromRecords([{ v: 1 }, { v: 2 }, { v: 3 }], { name: "d", now: 0 });
  await saveDataset(kv, "t1", dataset, 0);
  return { kv, dataset, [Symbol.dispose]: () => kv.close() };
}

Deno.test("a principal's session owner is its kind and id", () => {
  assert.equal(sessionOwner({ kind: "user", id: "u1" }), "user.u1");
  assert.notEqual(
    sessionOwner({ kind: "apikey", id: "u1" }),
    sessionOwner({ kind: "user", id: "u1" }),
  );
});

Deno.test("without a current dataset every requirement says no_data, or no_clustering for the session run", async () => {
  using s = await session();
  await assert.rejects(requireDataset(s.kv, "t1", "user.u1"), missing("no_data", NO_DATA));
  await assert.rejects(requireClustering(s.kv, "t1", "user.u1"), missing("no_data", NO_DATA));
  await assert.rejects(
    requireSessionRun(s.kv, "t1", "user.u1"),
    missing("no_clustering", NO_CLUSTERING),
  );
});

Deno.test("a dataset without a clustering says no_clustering", async () => {
  using s = await session();
  await setCurrentDataset(s.kv, "t1", "user.u1", s.dataset.id);
  assert.equal((await requireDataset(s.kv, "t1", "user.u1")).id, s.dataset.id);
  await assert.rejects(
    requireClustering(s.kv, "t1", "user.u1"),
    missing("no_clustering", NO_CLUSTERING),
  );
});

Deno.test("another user's clustering of the same dataset serves document 003, not the session run", async () => {
  using s = await session();
  await setCurrentDataset(s.kv, "t1", "user.u1", s.dataset.id);
  await saveRun(s.kv, "t1", "run_b", WORKFLOW_SOURCE, runBody(s.dataset.id, 3), 0);
  const { run } = await requireClustering(s.kv, "t1", "user.u1");
  assert.equal(run.run_id, "run_b");
  await assert.rejects(
    requireSessionRun(s.kv, "t1", "user.u1"),
    missing("no_clustering", NO_CLUSTERING),
  );
  await setSessionRun(s.kv, "t1", "user.u1", "run_b");
  assert.equal((await requireSessionRun(s.kv, "t1", "user.u1")).run_id, "run_b");
});

Deno.test("a clustering whose labels do not fit the dataset's rows is not used", async () => {
  using s = await session();
  await setCurrentDataset(s.kv, "t1", "user.u1", s.dataset.id);
  await saveRun(s.kv, "t1", "run_c", WORKFLOW_SOURCE, runBody(s.dataset.id, 2), 0);
  assert.equal(await latestClustering(s.kv, "t1", "user.u1", s.dataset), null);
  await saveRun(s.kv, "t1", "run_d", "analyze", runBody(s.dataset.id, 3), 0);
  assert.equal(await latestClustering(s.kv, "t1", "user.u1", s.dataset), null);
});
