/**
 * The sweeper: takes back jobs whose worker died or stalled (lease expired) and drops index
 * entries of jobs that are gone.
 *
 * @module
 */
import { atomic } from "../../storage/mod.ts";
import { activeJobs } from "./job_reads.ts";
import {
  cancelled,
  failed,
  type JobError,
  type JobRecord,
  MAX_CAS_TRIES,
  requeued,
} from "./job_record.ts";
import { addFinalWrites } from "./owned_writes.ts";

/** What one sweep did. */
export interface SweepReport {
  /** Jobs whose lease had expired, queued again. */
  readonly requeued: string[];
  /** Jobs whose lease had expired on their last attempt, now failed. */
  readonly failed: string[];
  /** Jobs whose lease had expired after a cancel was asked, now cancelled. */
  readonly cancelled: string[];
  /** Index entries of finished or missing jobs removed. */
  readonly cleaned: number;
}

/**
 * Takes back every `processing` job whose lease expired before `now` (its worker died or
 * stalled): `queued` again while attempts remain, `failed` (error `LeaseExpired`) after the
 * last one. Safe to run on many instances at once: each change is a compare-and-set, and a
 * worker that was only slow finds its lease gone at its next write.
 */
export async function sweepExpiredLeases(kv: Deno.Kv, now: number): Promise<SweepReport> {
  const report = {
    requeued: [] as string[],
    failed: [] as string[],
    cancelled: [] as string[],
    cleaned: 0,
  };
  for await (const entries of activeJobs(kv)) {
    for (const [i, first] of entries.entries()) {
      const indexKey = entries.indexKeys[i]!;
      let entry = first;
      // A lost race is re-read: a renewal that kept the lease in the past does not save it.
      for (let tries = 0; tries < MAX_CAS_TRIES; tries++) {
        if (tries > 0) entry = await kv.get<JobRecord>(entry.key);
        const outcome = await sweepOne(kv, entry, indexKey, now);
        if (outcome === "raced") continue;
        if (outcome === "cleaned") report.cleaned++;
        else if (outcome === "requeued") report.requeued.push(entry.value!.id);
        else if (outcome === "failed") report.failed.push(entry.value!.id);
        else if (outcome === "cancelled") report.cancelled.push(entry.value!.id);
        break;
      }
    }
  }
  return report;
}

/** One job's sweep: a compare-and-set on the entry as read. */
async function sweepOne(
  kv: Deno.Kv,
  entry: Deno.KvEntryMaybe<JobRecord>,
  indexKey: Deno.KvKey,
  now: number,
): Promise<"raced" | "cleaned" | "requeued" | "failed" | "cancelled" | "kept"> {
  const job = entry.value;
  if (!job || job.state === "succeeded" || job.state === "failed") {
    // Left behind by a deleted tenant: nothing to run. Checked so a concurrent write wins.
    const res = await atomic(kv).check(entry).delete(indexKey).commit();
    return res.ok ? "cleaned" : "raced";
  }
  if (job.state !== "processing" || !job.lease || job.lease.until > now) return "kept";
  const info: JobError = {
    name: "LeaseExpired",
    message:
      `The lease of worker ${job.lease.owner} expired at ${job.lease.until} during attempt ${job.attempt} of ${job.maxAttempts}`,
    attempt: job.attempt,
    at: now,
  };
  const next = job.cancelRequested
    ? cancelled(job, now)
    : job.attempt < job.maxAttempts
    ? requeued(job, info, now, now)
    : failed(job, info, now);
  const op = atomic(kv).check(entry).set(entry.key, next);
  await addFinalWrites(kv, op, next);
  if (!(await op.commit()).ok) return "raced";
  return next.state === "queued" ? "requeued" : next.state === "cancelled" ? "cancelled" : "failed";
}
