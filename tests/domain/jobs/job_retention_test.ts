/**
 * Issue 11: finished jobs and their `job_result` objects expire with RETENTION_DAYS like runs
 * and datasets; a job's result goes with its job, unfinished jobs stay.
 */
import assert from "node:assert/strict";
import { claimNextJob } from "../../../domain/jobs/claims.ts";
import { enqueueJob } from "../../../domain/jobs/enqueue.ts";
import { sweepExpiredJobs } from "../../../domain/jobs/job_retention.ts";
import { getJob } from "../../../domain/jobs/job_reads.ts";
import { JOB_RESULT_KIND } from "../../../domain/jobs/job_record.ts";
import { cancelOrDeleteJob, failJob, finishJob } from "../../../domain/jobs/outcomes.ts";
import { getJobResult } from "../../../domain/jobs/job_reads.ts";
import { createTenant } from "../../../domain/auth/tenants.ts";
import { retentionMs } from "../../../domain/workflow/retention.ts";
import {
  CHUNK_BYTES,
  getBlobManifest,
  keys,
  openStore,
  putBlob,
  sweepOrphanChunks,
} from "../../../storage/mod.ts";

const DAY = 86_400_000;
const NOW = 1_800_000_000_000;

async function finished(kv: Deno.Kv, tenantId: string, at: number, key: string) {
  const { job } = await enqueueJob(
    kv,
    { tenantId, type: "t", input: { key }, idempotencyKey: key },
    at,
  );
  const lease = await claimNextJob(kv, "w", at, 30_000);
  assert.equal(lease?.jobId, job.id);
  await finishJob(kv, lease!, { bytes: new Uint8Array(3 * CHUNK_BYTES).fill(7) }, at);
  return job.id;
}

async function count(kv: Deno.Kv, prefix: Deno.KvKey): Promise<number> {
  let n = 0;
  for await (const _ of kv.list({ prefix })) n++;
  return n;
}

Deno.test("the retention sweep deletes jobs finished before the period with their results", async () => {
  await using kv = await openStore(":memory:");
  const { tenantId } = await createTenant(kv, { name: "acme" }, { now: () => NOW });
  const old = NOW - 31 * DAY;
  const oldDone = await finished(kv, tenantId, old, "k-old");
  const newDone = await finished(kv, tenantId, NOW - DAY, "k-new");
  // Failed long ago: goes too, with nothing to unpublish.
  const { job: failing } = await enqueueJob(kv, { tenantId, type: "t", input: 1 }, old);
  await failJob(kv, (await claimNextJob(kv, "w", old, 30_000))!, new Error("x"), old, {
    retry: false,
  });
  // Queued long ago and never run: not final, kept.
  const { job: waiting } = await enqueueJob(kv, { tenantId, type: "other", input: 2 }, old);
  // A result whose job is gone.
  await putBlob(kv, tenantId, JOB_RESULT_KIND, "gone", new Uint8Array(10), { now: old });

  const report = await sweepExpiredJobs(kv, NOW, retentionMs(30));
  assert.deepEqual(report, { jobs: 2, strayResults: 1 });
  assert.equal(await getJob(kv, tenantId, oldDone), null);
  assert.equal(await getJob(kv, tenantId, failing.id), null);
  assert.equal((await getJob(kv, tenantId, newDone))?.state, "succeeded");
  assert.equal((await getJob(kv, tenantId, waiting.id))?.state, "queued");
  assert.equal(await getBlobManifest(kv, tenantId, JOB_RESULT_KIND, oldDone), null);
  assert.ok(await getBlobManifest(kv, tenantId, JOB_RESULT_KIND, newDone));
  assert.equal((await kv.get(keys.jobIdempotency(tenantId, "k-old"))).value, null);
  assert.ok((await kv.get(keys.jobIdempotency(tenantId, "k-new"))).value);
  // The unpublished result's chunks go with the next orphan sweep.
  await sweepOrphanChunks(kv, 3_600_000, NOW);
  const chunks = keys.chunkPrefix(tenantId, JOB_RESULT_KIND, oldDone, "").slice(0, -1);
  assert.equal(await count(kv, chunks), 0);
  assert.equal(
    await count(kv, keys.chunkPrefix(tenantId, JOB_RESULT_KIND, "gone", "").slice(0, -1)),
    0,
  );
  assert.ok(
    await count(kv, keys.chunkPrefix(tenantId, JOB_RESULT_KIND, newDone, "").slice(0, -1)) > 0,
  );
});

Deno.test("a retention of 0 keeps every job", async () => {
  await using kv = await openStore(":memory:");
  const { tenantId } = await createTenant(kv, { name: "acme" }, { now: () => NOW });
  const id = await finished(kv, tenantId, NOW - 400 * DAY, "k");
  assert.deepEqual(await sweepExpiredJobs(kv, NOW, retentionMs(0)), { jobs: 0, strayResults: 0 });
  assert.equal((await getJob(kv, tenantId, id))?.state, "succeeded");
});

Deno.test("the tenant's delete of a finished job removes it and its result like the sweep", async () => {
  await using kv = await openStore(":memory:");
  const { tenantId } = await createTenant(kv, { name: "acme" }, { now: () => NOW });
  const { tenantId: otherId } = await createTenant(kv, { name: "other" }, { now: () => NOW });
  const done = await finished(kv, tenantId, NOW - DAY, "k-done");
  assert.ok(await getJobResult(kv, tenantId, done));

  // Another tenant's id is no job of theirs: nothing deleted.
  assert.equal(await cancelOrDeleteJob(kv, otherId, done, NOW), null);
  assert.equal((await getJob(kv, tenantId, done))?.state, "succeeded");

  const outcome = await cancelOrDeleteJob(kv, tenantId, done, NOW);
  assert.equal(outcome?.deleted, true);
  assert.equal(outcome?.job.state, "succeeded");
  assert.equal(await getJob(kv, tenantId, done), null);
  assert.equal(await getJobResult(kv, tenantId, done), null);
  assert.equal(await getBlobManifest(kv, tenantId, JOB_RESULT_KIND, done), null);
  assert.equal((await kv.get(keys.jobIdempotency(tenantId, "k-done"))).value, null);
  assert.equal(await cancelOrDeleteJob(kv, tenantId, done, NOW), null, "deleted: 404 after");
  // The result's chunks go with the next orphan sweep.
  await sweepOrphanChunks(kv, 3_600_000, NOW);
  const chunks = keys.chunkPrefix(tenantId, JOB_RESULT_KIND, done, "").slice(0, -1);
  assert.equal(await count(kv, chunks), 0);

  // A failed job is deleted too.
  const { job: failing } = await enqueueJob(kv, { tenantId, type: "t", input: 1 }, NOW);
  await failJob(kv, (await claimNextJob(kv, "w", NOW, 30_000))!, new Error("x"), NOW, {
    retry: false,
  });
  assert.equal((await cancelOrDeleteJob(kv, tenantId, failing.id, NOW))?.deleted, true);
  assert.equal(await getJob(kv, tenantId, failing.id), null);

  // A queued job is cancelled, not deleted; deleting it again removes the cancelled job.
  const { job: waiting } = await enqueueJob(kv, { tenantId, type: "t", input: 2 }, NOW);
  const first = await cancelOrDeleteJob(kv, tenantId, waiting.id, NOW);
  assert.equal(first?.deleted, false);
  assert.equal(first?.job.state, "cancelled");
  assert.equal((await getJob(kv, tenantId, waiting.id))?.state, "cancelled");
  assert.equal((await cancelOrDeleteJob(kv, tenantId, waiting.id, NOW))?.deleted, true);
  assert.equal(await getJob(kv, tenantId, waiting.id), null);

  // A running job is asked to stop, and stays.
  const { job: running } = await enqueueJob(kv, { tenantId, type: "t", input: 3 }, NOW);
  assert.equal((await claimNextJob(kv, "w", NOW, 30_000))?.jobId, running.id);
  const asked = await cancelOrDeleteJob(kv, tenantId, running.id, NOW);
  assert.equal(asked?.deleted, false);
  assert.equal(asked?.job.state, "processing");
  assert.equal(asked?.job.cancelRequested, true);
  assert.equal((await getJob(kv, tenantId, running.id))?.state, "processing");
});
