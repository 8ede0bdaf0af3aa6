/**
 * The one way a worker writes a job it holds: a compare-and-set on the entry that is refused
 * with `LeaseLostError` once the lease is no longer the caller's, and, when the write makes the
 * job final, the deletions that go with the outcome in the same atomic operation.
 *
 * @module
 */
import { atomic, type BlobManifest, type GuardedAtomic, keys } from "../../storage/mod.ts";
import {
  type BlobRef,
  isFinal,
  JOB_RESULT_KIND,
  type JobLease,
  type JobRecord,
  LeaseLostError,
  MAX_CAS_TRIES,
} from "./job_record.ts";

/**
 * Read-modify-write of a job the caller holds: compare-and-set on the versionstamp, retried
 * while the job is still leased to the same claim (one worker's own renewals and progress
 * writes may race each other), refused with `LeaseLostError` once it is not.
 */
export async function updateOwned<I>(
  kv: Deno.Kv,
  lease: JobLease<I>,
  change: (job: JobRecord<I>) => JobRecord<I>,
  extra?: (op: GuardedAtomic, next: JobRecord<I>) => void,
): Promise<{ job: JobRecord<I>; versionstamp: string }> {
  // The first try trusts the lease's copy: the common case costs no read.
  let current: Deno.KvEntryMaybe<JobRecord<I>> = {
    key: keys.job(lease.tenantId, lease.jobId),
    value: lease.job,
    versionstamp: lease.versionstamp,
  };
  for (let tries = 0; tries < MAX_CAS_TRIES; tries++) {
    if (tries > 0) current = await readOwned(kv, lease);
    const next = change(current.value!);
    const op = atomic(kv).check(current).set(current.key, next);
    extra?.(op, next);
    await addFinalWrites(kv, op, next);
    const res = await op.commit();
    if (res.ok) return { job: next, versionstamp: res.versionstamp };
  }
  throw new Error(
    `Could not update job ${lease.jobId}: ${MAX_CAS_TRIES} commits in a row lost a race`,
  );
}

/** The job's entry, if it is still leased to `lease`'s claim. */
export async function readOwned<I>(
  kv: Deno.Kv,
  lease: JobLease<I>,
): Promise<Deno.KvEntry<JobRecord<I>>> {
  const entry = await kv.get<JobRecord<I>>(keys.job(lease.tenantId, lease.jobId));
  const job = entry.value;
  if (!job || job.state !== "processing" || job.lease?.token !== lease.token) {
    const found = !job
      ? "no job"
      : job.state === "processing"
      ? `it leased to ${job.lease?.owner} (attempt ${job.attempt})`
      : `it ${job.state}`;
    throw new LeaseLostError(
      lease.jobId,
      `Expected job ${lease.jobId} to be leased to worker ${lease.workerId} (attempt ${lease.attempt}) but found ${found}`,
    );
  }
  return entry as Deno.KvEntry<JobRecord<I>>;
}

/**
 * Adds to `op` what making `next` final takes, when it is: the job leaves the worker index and
 * frees its tenant slot, and the objects that die with it (its stored input; its result object
 * unless it succeeded: an attempt may have published one and died before the flip) are
 * unpublished in the same operation, each manifest checked, their chunks handed to
 * `sweepOrphanChunks` with a `["gc", generation]` marker. So a job's input exists exactly until
 * its outcome is stored, and no reader sees the result of a job that did not succeed.
 */
export async function addFinalWrites(
  kv: Deno.Kv,
  op: GuardedAtomic,
  next: JobRecord,
): Promise<void> {
  if (!isFinal(next.state)) return;
  op.delete(keys.jobQueue(next.id));
  if (next.slot !== undefined && next.slot !== null) {
    op.delete(keys.jobSlot(next.tenantId, next.slot));
  }
  const doomed: BlobRef[] = [...(next.ownedBlobs ?? [])];
  if (next.state !== "succeeded") doomed.push({ kind: JOB_RESULT_KIND, id: next.id });
  await addUnpublish(kv, op, next.tenantId, doomed);
}

/**
 * Adds to `op` the unpublishing of `blobs` of `tenantId` that exist: each manifest checked and
 * deleted, its chunks handed to `sweepOrphanChunks` with a `["gc", generation]` marker (so the
 * operation stays small whatever the objects' sizes).
 */
export async function addUnpublish(
  kv: Deno.Kv,
  op: GuardedAtomic,
  tenantId: string,
  blobs: readonly BlobRef[],
): Promise<void> {
  if (blobs.length === 0) return;
  const manifests = await kv.getMany<BlobManifest[]>(
    blobs.map((b) => keys.blob(tenantId, b.kind, b.id)),
  );
  for (const entry of manifests) {
    const m = entry.value;
    if (!m) continue;
    op.check(entry).delete(entry.key).set(keys.gc(m.generation), {
      tenantId,
      kind: m.kind,
      id: m.id,
      generation: m.generation,
      // Unpublished now: the next sweep may take the chunks, whatever its grace period.
      since: 0,
    });
  }
}
