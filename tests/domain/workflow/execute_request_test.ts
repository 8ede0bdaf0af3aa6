/**
 * The one path from a request to a stored run: a workflow run is stored with its cluster
 * details and becomes its session's clustering; other runs get neither; hooks run in order.
 */
import assert from "node:assert/strict";
import { createCpuBackend } from "../../../compute/cpu/backend.ts";
import { toPlainTable } from "../../../domain/datasets/plain_table.ts";
import { datasetFromRecords } from "../../../domain/datasets/records.ts";
import { saveDataset, setCurrentDataset } from "../../../domain/datasets/store.ts";
import { inProcessEngine } from "../../../domain/segmentation/engine.ts";
import { executeSegmentation } from "../../../domain/segmentation/execute.ts";
import { getRun } from "../../../domain/segmentation/runs.ts";
import { executeRequest } from "../../../domain/workflow/execute_request.ts";
import { sessionRun } from "../../../domain/workflow/session.ts";
import type { StoredWorkflow } from "../../../domain/workflow/stored_run.ts";

const dataset = datasetFromRecords(
  Array.from({ length: 30 }, (_, i) => ({
    customer_id: `C${i}`,
    age: 20 + (i % 3) * 20 + (i % 2),
    income: 30 + (i % 3) * 40,
  })),
  { name: "d.csv", now: 0 },
);

const workflowRequest = (sessionOwner?: string) => ({
  task: {
    kind: "workflow" as const,
    request: { table: toPlainTable(dataset), id_field: "customer_id", n_clusters: 3 },
    language: "en" as const,
  },
  source: "workflow",
  params: { n_clusters: 3 },
  dataset: { id: dataset.id, name: dataset.name },
  ...(sessionOwner !== undefined ? { sessionOwner } : {}),
});

Deno.test("a workflow run is stored with its cluster details and becomes the session's", async () => {
  using kv = await Deno.openKv(":memory:");
  const engine = inProcessEngine(createCpuBackend({ threads: 1 }));
  try {
    await saveDataset(kv, "t1", dataset, 0);
    await setCurrentDataset(kv, "t1", "user.u1", dataset.id);
    const body = await executeRequest(kv, "t1", engine, workflowRequest("user.u1"), () => 5);
    const run = await getRun<StoredWorkflow>(kv, "t1", body.run_id as string);
    assert.equal(run?.body.cluster_details?.length, 3);
    assert.equal(run?.body.cluster_details?.[0]?.metadata.created_at, new Date(5).toISOString());
    assert.equal((await sessionRun(kv, "t1", "user.u1"))?.run_id, body.run_id);
  } finally {
    await engine.dispose();
  }
});

Deno.test("a run that finishes after another upload does not become the session's clustering", async () => {
  using kv = await Deno.openKv(":memory:");
  const engine = inProcessEngine(createCpuBackend({ threads: 1 }));
  try {
    await saveDataset(kv, "t1", dataset, 0);
    await setCurrentDataset(kv, "t1", "user.u1", dataset.id);
    const first = await executeRequest(kv, "t1", engine, workflowRequest("user.u1"), () => 5);
    // Another dataset becomes current while a second run on the first one is under way.
    const other = datasetFromRecords(
      Array.from({ length: 12 }, (_, i) => ({ customer_id: `D${i}`, spend: i })),
      { name: "other.csv", now: 1 },
    );
    await saveDataset(kv, "t1", other, 1);
    await setCurrentDataset(kv, "t1", "user.u1", other.id);
    const late = await executeRequest(kv, "t1", engine, workflowRequest("user.u1"), () => 6);
    assert.notEqual(late.run_id, first.run_id);
    // The run is stored (its job has a result) but the session keeps no clustering of the
    // new dataset, rather than one made on the old one.
    assert.ok(await getRun(kv, "t1", late.run_id as string));
    assert.equal(await sessionRun(kv, "t1", "user.u1"), null);
    // Back on the first dataset, the session's clustering is still the first run, not the late one.
    await setCurrentDataset(kv, "t1", "user.u1", dataset.id);
    assert.equal((await sessionRun(kv, "t1", "user.u1"))?.run_id, first.run_id);
  } finally {
    await engine.dispose();
  }
});

Deno.test("without its dataset or an owner a workflow run has no details and no session", async () => {
  using kv = await Deno.openKv(":memory:");
  const engine = inProcessEngine(createCpuBackend({ threads: 1 }));
  try {
    await setCurrentDataset(kv, "t1", "user.u1", dataset.id);
    const body = await executeRequest(kv, "t1", engine, workflowRequest(), () => 5);
    const run = await getRun<StoredWorkflow>(kv, "t1", body.run_id as string);
    assert.equal(run?.body.cluster_details, undefined);
    assert.equal(await sessionRun(kv, "t1", "user.u1"), null);
  } finally {
    await engine.dispose();
  }
});

Deno.test("executeSegmentation stores what beforeStore adds, then calls afterStore", async () => {
  using kv = await Deno.openKv(":memory:");
  const engine = inProcessEngine(createCpuBackend({ threads: 1 }));
  const calls: string[] = [];
  try {
    const body = await executeSegmentation(kv, "t1", engine, workflowRequest(), () => 5, {
      beforeStore(record) {
        calls.push(`before ${record.run_id}`);
        return Promise.resolve({ note: "added" });
      },
      async afterStore(record) {
        calls.push(`after ${record.run_id}`);
        assert.equal((await getRun<{ note: string }>(kv, "t1", record.run_id))?.body.note, "added");
      },
    });
    assert.deepEqual(calls, [`before ${body.run_id}`, `after ${body.run_id}`]);
  } finally {
    await engine.dispose();
  }
});
