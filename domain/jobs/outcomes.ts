/**
 * How a job ends: `finishJob` (publish the result, then flip to `succeeded`), adopting a result
 * an earlier attempt published, `failJob` (retry or fail), and cancelling.
 *
 * @module
 */
import {
  atomic,
  type BlobManifest,
  CHUNK_BYTES,
  deleteBlob,
  getBlobManifest,
  keys,
  putBlob,
} from "../../storage/mod.ts";
import { type FaultHook, faultingKv } from "./faults.ts";
import { getJob } from "./job_reads.ts";
import { addJobDeletion } from "./job_retention.ts";
import {
  cancelled,
  errorInfo,
  failed,
  ID_PATTERN,
  isFinal,
  JOB_RESULT_KIND,
  type JobLease,
  type JobOutput,
  type JobRecord,
  type JobResultRef,
  LeaseLostError,
  MAX_CAS_TRIES,
  requeued,
} from "./job_record.ts";
import { addFinalWrites, readOwned, updateOwned } from "./owned_writes.ts";

/**
 * Publishes `output` as the job's result and marks the job `succeeded`.
 *
 * The bytes are written as an immutable object (kind `JOB_RESULT_KIND`, id = job id) that is
 * only created, never replaced: when an earlier attempt already published one (it died before
 * the job flipped), that one is adopted and `output` discarded, so a job has one result. The
 * flip to `succeeded`, with a pointer to the object's generation, comes after the object is
 * whole, in one compare-and-set that also removes the job from the worker index.
 *
 * A job whose tenant asked to cancel it (`cancelJob`) ends `cancelled` instead, with no result.
 *
 * @throws {LeaseLostError} when the job is no longer leased to this claim (the published object
 *   then stays for the attempt that holds the job, or is deleted when the job has failed).
 */
export async function finishJob<I>(
  kv: Deno.Kv,
  lease: JobLease<I>,
  output: JobOutput,
  now: number,
  options: { faults?: FaultHook } = {},
): Promise<JobRecord<I>> {
  // Fail before writing megabytes for a job that is no longer ours, or no longer wanted.
  const current = await readOwned(kv, lease);
  if (current.value.cancelRequested) return await endCancelled(kv, lease, now);
  const { faults } = options;
  const chunkOps = Math.ceil(Math.max(1, Math.ceil(output.bytes.byteLength / CHUNK_BYTES)) / 12);
  const writer = faults ? faultingKv(kv, faults, chunkOps) : kv;
  const manifest =
    await putBlob(writer, lease.tenantId, JOB_RESULT_KIND, lease.jobId, output.bytes, {
      createOnly: true,
      now,
      ...(output.meta ? { meta: output.meta } : {}),
    }) ?? await getBlobManifest(kv, lease.tenantId, JOB_RESULT_KIND, lease.jobId);
  if (!manifest) {
    throw new Error(`The result of job ${lease.jobId} was deleted while it was being published`);
  }
  await faults?.({ step: "flip" });
  return await completeWith(kv, lease, manifest, now);
}

/**
 * Marks the job `succeeded` with the result an earlier attempt published before it died, if
 * there is one: a job whose result exists is not run again.
 *
 * @returns the succeeded job, or null when no result was published yet.
 * @throws {LeaseLostError} when the job is no longer leased to this claim.
 */
export async function adoptPublishedResult<I>(
  kv: Deno.Kv,
  lease: JobLease<I>,
  now: number,
): Promise<JobRecord<I> | null> {
  const manifest = await getBlobManifest(kv, lease.tenantId, JOB_RESULT_KIND, lease.jobId);
  return manifest ? await completeWith(kv, lease, manifest, now) : null;
}

/**
 * Asks to cancel job `jobId` of `tenantId`. A queued job is `cancelled` at once (its input
 * deleted in the same operation); a running one is marked `cancelRequested`, and its worker
 * stops at its next write to the job (a renewal, a progress report, the result) and ends it
 * `cancelled`, or the sweeper does once its lease expires. A final job is returned unchanged.
 *
 * @returns the job after the request, or null when the tenant has no such job.
 */
export async function cancelJob(
  kv: Deno.Kv,
  tenantId: string,
  jobId: string,
  now: number,
): Promise<JobRecord | null> {
  for (let tries = 0; tries < MAX_CAS_TRIES; tries++) {
    if (!ID_PATTERN.test(jobId)) return null;
    const entry = await kv.get<JobRecord>(keys.job(tenantId, jobId));
    if (!entry.value) return null;
    const after = await tryCancel(kv, entry as Deno.KvEntry<JobRecord>, now);
    if (after) return after;
  }
  throw new Error(`Could not cancel job ${jobId}: ${MAX_CAS_TRIES} commits in a row lost a race`);
}

/** What `cancelOrDeleteJob` did. */
export type CancelOrDeleteOutcome =
  /** The job was final (`succeeded`, `failed` or `cancelled`) and is gone, with its result. */
  | { deleted: true; job: JobRecord }
  /** The job was queued or running: `cancelJob`'s answer. */
  | { deleted: false; job: JobRecord };

/**
 * The tenant's delete of job `jobId`: a final job (`succeeded`, `failed` or `cancelled`) is
 * deleted, in one atomic operation with its result object (manifest unpublished, chunks left to
 * `sweepOrphanChunks`) and its idempotency key, exactly as the retention sweep deletes it
 * (`addJobDeletion`); a queued or running job is cancelled as by `cancelJob` (and deleted by a
 * second call once it is `cancelled`).
 *
 * @returns what was done, or null when the tenant has no such job.
 */
export async function cancelOrDeleteJob(
  kv: Deno.Kv,
  tenantId: string,
  jobId: string,
  now: number,
): Promise<CancelOrDeleteOutcome | null> {
  for (let tries = 0; tries < MAX_CAS_TRIES; tries++) {
    if (!ID_PATTERN.test(jobId)) return null;
    const entry = await kv.get<JobRecord>(keys.job(tenantId, jobId));
    if (!entry.value) return null;
    const found = entry as Deno.KvEntry<JobRecord>;
    if (isFinal(found.value.state)) {
      const op = atomic(kv);
      await addJobDeletion(kv, op, found);
      if ((await op.commit()).ok) return { deleted: true, job: found.value };
      continue;
    }
    const after = await tryCancel(kv, found, now);
    if (after) return { deleted: false, job: after };
  }
  throw new Error(`Could not delete job ${jobId}: ${MAX_CAS_TRIES} commits in a row lost a race`);
}

// One try at cancelling the job in `entry`: the job after it (unchanged when it is final or
// already asked to stop), or null when the commit lost a race.
async function tryCancel(
  kv: Deno.Kv,
  entry: Deno.KvEntry<JobRecord>,
  now: number,
): Promise<JobRecord | null> {
  const job = entry.value;
  if (isFinal(job.state) || job.cancelRequested) return job;
  const next: JobRecord = job.state === "queued"
    ? cancelled(job, now)
    : { ...job, cancelRequested: true, updatedAt: now };
  const op = atomic(kv).check(entry).set(entry.key, next);
  await addFinalWrites(kv, op, next);
  return (await op.commit()).ok ? next : null;
}

/**
 * Ends a job whose cancel its worker has seen: `cancelled`, its input and any result deleted.
 *
 * @throws {LeaseLostError} when the job is no longer leased to this claim.
 */
export async function endCancelled<I>(
  kv: Deno.Kv,
  lease: JobLease<I>,
  now: number,
): Promise<JobRecord<I>> {
  return (await updateOwned(kv, lease, (j) => cancelled(j, now))).job;
}

/** Options of `failJob`. */
export interface FailJobOptions {
  /** False for an error that another attempt cannot fix (bad input): fail now. Default true. */
  retry?: boolean;
  /** Back-off before the retry can be claimed. Default 0. */
  retryDelayMs?: number;
}

/**
 * Ends the current attempt with `error`: the job goes back to `queued` (claimable after
 * `retryDelayMs`) while attempts remain and `retry` is not false, and is `failed` otherwise,
 * keeping the error.
 *
 * @throws {LeaseLostError} when the job is no longer leased to this claim.
 */
export async function failJob<I>(
  kv: Deno.Kv,
  lease: JobLease<I>,
  error: unknown,
  now: number,
  options: FailJobOptions = {},
): Promise<JobRecord<I>> {
  const retry = options.retry ?? true;
  const delay = options.retryDelayMs ?? 0;
  const { job } = await updateOwned(kv, lease, (j) => {
    const info = errorInfo(error, j.attempt, now);
    return retry && j.attempt < j.maxAttempts
      ? requeued(j, info, now + delay, now)
      : failed(j, info, now);
  });
  return job;
}

async function completeWith<I>(
  kv: Deno.Kv,
  lease: JobLease<I>,
  manifest: BlobManifest,
  now: number,
): Promise<JobRecord<I>> {
  const result: JobResultRef = {
    kind: manifest.kind,
    id: manifest.id,
    generation: manifest.generation,
    size: manifest.size,
    chunks: manifest.chunks,
  };
  try {
    // A cancel asked while the result was being written wins: the tenant no longer wants it.
    const { job } = await updateOwned(kv, lease, (j) =>
      j.cancelRequested ? cancelled(j, now) : {
        ...j,
        state: "succeeded",
        progress: 1,
        lease: null,
        error: null,
        result,
        updatedAt: now,
        finishedAt: now,
      });
    return job;
  } catch (error) {
    if (error instanceof LeaseLostError) {
      const job = await getJob(kv, lease.tenantId, lease.jobId);
      if (job && job.state !== "succeeded" && isFinal(job.state)) {
        // Published after the job ended without it (a late worker): not the job's result.
        await deleteBlob(kv, job.tenantId, JOB_RESULT_KIND, job.id);
      }
    }
    throw error;
  }
}
