/**
 * Retention of finished jobs: a job that reached a final state more than the retention period
 * (`RETENTION_DAYS`, the same rule as runs and datasets, `domain/workflow/retention.ts`) ago is
 * deleted with its result object and its idempotency key. `main.ts` runs it beside the runs and
 * datasets sweep. Unfinished jobs are never touched: their life is the lease sweeper's.
 *
 * @module
 */
import {
  atomic,
  type BlobManifest,
  deleteBlob,
  type GuardedAtomic,
  keys,
} from "../../storage/mod.ts";
import { isFinal, JOB_RESULT_KIND, type JobRecord, MAX_CAS_TRIES } from "./job_record.ts";
import { addUnpublish } from "./owned_writes.ts";

/** What one sweep deleted. */
export interface JobRetentionReport {
  /** Final jobs deleted (with their results). */
  jobs: number;
  /** Result objects whose job was already gone, deleted. */
  strayResults: number;
}

/**
 * Deletes every job of every tenant that became final before `now − retentionMs`, and in the
 * same atomic operation its result object (manifest unpublished, chunks left to
 * `sweepOrphanChunks` with a `["gc", …]` marker) and the idempotency key that names it; then
 * result objects stored before the cutoff whose job no longer exists. A `retentionMs` of 0 or
 * less keeps everything. Safe on several instances at once: each delete is checked.
 */
export async function sweepExpiredJobs(
  kv: Deno.Kv,
  now: number,
  retentionMs: number,
): Promise<JobRetentionReport> {
  const report: JobRetentionReport = { jobs: 0, strayResults: 0 };
  if (!(retentionMs > 0)) return report;
  const cutoff = now - retentionMs;
  for await (const tenant of kv.list({ prefix: keys.tenant("").slice(0, -1) })) {
    const tenantId = tenant.key.at(-1);
    if (typeof tenantId !== "string") continue;
    for await (const entry of kv.list<JobRecord>({ prefix: keys.jobPrefix(tenantId) })) {
      if (expired(entry.value, cutoff) && await deleteJob(kv, entry, cutoff)) report.jobs++;
    }
    report.strayResults += await sweepStrayResults(kv, tenantId, cutoff);
  }
  return report;
}

function expired(job: JobRecord | null, cutoff: number): job is JobRecord {
  return job !== null && isFinal(job.state) && (job.finishedAt ?? job.updatedAt) < cutoff;
}

async function deleteJob(
  kv: Deno.Kv,
  first: Deno.KvEntryMaybe<JobRecord>,
  cutoff: number,
): Promise<boolean> {
  let entry = first;
  for (let tries = 0; tries < MAX_CAS_TRIES; tries++) {
    if (tries > 0) entry = await kv.get<JobRecord>(entry.key);
    if (!expired(entry.value, cutoff)) return false;
    const op = atomic(kv);
    await addJobDeletion(kv, op, entry as Deno.KvEntry<JobRecord>);
    if ((await op.commit()).ok) return true;
  }
  return false;
}

/**
 * Adds to `op` the deletion of the final job in `entry`: the job entry (checked), the
 * idempotency key that names it (checked; a key taken over by a later job stays), and its
 * result object, unpublished (manifest checked and deleted, chunks left to `sweepOrphanChunks`
 * with a `["gc", …]` marker). Used by the retention sweep and by the tenant's own delete
 * (`cancelOrDeleteJob`). At most 3 checks, 3 deletes and 1 set.
 */
export async function addJobDeletion(
  kv: Deno.Kv,
  op: GuardedAtomic,
  entry: Deno.KvEntry<JobRecord>,
): Promise<void> {
  const job = entry.value;
  op.check(entry).delete(entry.key);
  if (job.idempotencyKey !== null) {
    const idemKey = keys.jobIdempotency(job.tenantId, job.idempotencyKey);
    const idem = await kv.get<{ jobId: string }>(idemKey);
    // A key taken over by a later job stays that job's.
    if (idem.value?.jobId === job.id) op.check(idem).delete(idemKey);
  }
  await addUnpublish(kv, op, job.tenantId, [{ kind: JOB_RESULT_KIND, id: job.id }]);
}

// A result whose job is gone (a tenant's jobs deleted behind the table's back) has no reader.
async function sweepStrayResults(kv: Deno.Kv, tenantId: string, cutoff: number): Promise<number> {
  let swept = 0;
  const prefix = keys.blobPrefix(tenantId, JOB_RESULT_KIND);
  for await (const entry of kv.list<BlobManifest>({ prefix })) {
    if (entry.value.createdAt >= cutoff) continue;
    const job = await kv.get(keys.job(tenantId, entry.value.id));
    if (job.value === null && await deleteBlob(kv, tenantId, JOB_RESULT_KIND, entry.value.id)) {
      swept++;
    }
  }
  return swept;
}
