/**
 * A worker's hold on a job: claiming one (fair between tenants), renewing the lease, reporting
 * progress, and handing the job back when the worker stops.
 *
 * @module
 */
import { atomic, keys } from "../../storage/mod.ts";
import { claimOrder } from "./fair_claim.ts";
import { activeJobs } from "./job_reads.ts";
import {
  type BlobRef,
  cancelled,
  type JobLease,
  type JobLeaseInfo,
  type JobRecord,
  type JobStage,
  toLease,
} from "./job_record.ts";
import { updateOwned } from "./owned_writes.ts";

/** Options of `claimNextJob`. */
export interface ClaimOptions {
  /** Only jobs of these types (the ones the worker can run); default any type. */
  types?: readonly string[];
}

/**
 * Leases a claimable job (`queued`, `availableAt` ≤ `now`) to `workerId` until
 * `now + leaseMs`: the job becomes `processing`, its attempt count goes up by one and its
 * progress back to 0. Fair between tenants (`claimOrder`): the tenant with the fewest running
 * jobs, round-robin among equals, and its oldest job. Exclusive: of several workers claiming
 * one job at once, exactly one gets it (compare-and-set on the job entry's versionstamp); the
 * others move on to the next job.
 *
 * @returns the lease, or null when nothing is claimable.
 */
export async function claimNextJob(
  kv: Deno.Kv,
  workerId: string,
  now: number,
  leaseMs: number,
  options: ClaimOptions = {},
): Promise<JobLease | null> {
  if (!Number.isFinite(leaseMs) || leaseMs <= 0) {
    throw new RangeError(`Expected leaseMs to be a positive number but found ${leaseMs}`);
  }
  const active: Deno.KvEntry<JobRecord>[] = [];
  for await (const entries of activeJobs(kv)) {
    for (const entry of entries) if (entry.value) active.push(entry as Deno.KvEntry<JobRecord>);
  }
  const claimable = active.filter(({ value: job }) =>
    job.state === "queued" && job.availableAt <= now &&
    (!options.types || options.types.includes(job.type))
  );
  const cursor = (await kv.get<string>(keys.jobClaimCursor())).value;
  const byJob = new Map(active.map((e) => [e.value, e]));
  const ordered = claimOrder(
    active.map((e) => e.value),
    claimable.map((e) => e.value),
    cursor,
  );
  for (const job of ordered) {
    const entry = byJob.get(job)!;
    const lease: JobLeaseInfo = {
      owner: workerId,
      token: crypto.randomUUID(),
      until: now + leaseMs,
    };
    // A new attempt starts from nothing: no stage of the last one.
    const { stage: _lastStage, ...rest } = job;
    const next: JobRecord = {
      ...rest,
      state: "processing",
      attempt: job.attempt + 1,
      progress: 0,
      lease,
      startedAt: now,
      updatedAt: now,
    };
    // The cursor is a hint for fairness, not a lock: last writer wins.
    const res = await atomic(kv).check(entry).set(entry.key, next)
      .set(keys.jobClaimCursor(), job.tenantId).commit();
    if (res.ok) return toLease(next, res.versionstamp);
    // Another worker took it (or it changed): try the next one.
  }
  return null;
}

/**
 * Extends the lease to `now + leaseMs`. Allowed after `until` has passed as long as the sweeper
 * has not taken the job back.
 *
 * @throws {LeaseLostError} when the job is no longer leased to this claim.
 */
export async function renewLease<I>(
  kv: Deno.Kv,
  lease: JobLease<I>,
  now: number,
  leaseMs: number,
): Promise<JobLease<I>> {
  const { job, versionstamp } = await updateOwned(kv, lease, (j) => ({
    ...j,
    lease: { ...j.lease!, until: now + leaseMs },
    updatedAt: now,
  }));
  return toLease(job, versionstamp);
}

/**
 * Records the job's progress, a fraction in [0, 1], and the stage it is at when given (a
 * report without one keeps the stage recorded).
 *
 * @throws {RangeError} when `progress` is not in [0, 1] or `stage` is malformed (`checkStage`).
 * @throws {LeaseLostError} when the job is no longer leased to this claim.
 */
export async function reportProgress<I>(
  kv: Deno.Kv,
  lease: JobLease<I>,
  progress: number,
  now: number,
  stage?: JobStage,
): Promise<JobLease<I>> {
  if (!(progress >= 0 && progress <= 1)) {
    throw new RangeError(`Expected progress to be in [0, 1] but found ${progress}`);
  }
  if (stage !== undefined) checkStage(stage);
  const { job, versionstamp } = await updateOwned(kv, lease, (j) => ({
    ...j,
    progress,
    ...(stage === undefined ? {} : { stage: copyStage(stage) }),
    updatedAt: now,
  }));
  return toLease(job, versionstamp);
}

/**
 * Hands the job back without counting the attempt (a worker shutting down gracefully): it is
 * `queued` again at once, with the attempt count it had before this claim.
 *
 * @throws {LeaseLostError} when the job is no longer leased to this claim.
 */
export async function releaseJob<I>(
  kv: Deno.Kv,
  lease: JobLease<I>,
  now: number,
): Promise<JobRecord<I>> {
  const { job } = await updateOwned(kv, lease, (j) =>
    j.cancelRequested ? cancelled(j, now) : ({
      ...j,
      state: "queued",
      attempt: Math.max(0, j.attempt - 1),
      lease: null,
      availableAt: now,
      updatedAt: now,
    }));
  return job;
}

/**
 * Records `blobs` as owned by a job stored before jobs owned their inputs (its record has no
 * `ownedBlobs`), so that they are deleted with its outcome like a new job's.
 *
 * @throws {LeaseLostError} when the job is no longer leased to this claim.
 */
export async function adoptOwnedBlobs<I>(
  kv: Deno.Kv,
  lease: JobLease<I>,
  blobs: readonly BlobRef[],
  now: number,
): Promise<JobLease<I>> {
  const { job, versionstamp } = await updateOwned(kv, lease, (j) => ({
    ...j,
    ownedBlobs: j.ownedBlobs ?? blobs,
    updatedAt: now,
  }));
  return toLease(job, versionstamp);
}

/**
 * Checks a stage: a name of 1 to 40 characters; `done` and `total`, when given, integers with
 * 0 ≤ done ≤ total.
 *
 * @throws {RangeError} otherwise.
 */
export function checkStage(stage: JobStage): void {
  const { name, done, total } = stage;
  if (typeof name !== "string" || name.length === 0 || name.length > 40) {
    throw new RangeError(`Expected a stage name of 1 to 40 characters but found ${name}`);
  }
  const count = (v: unknown) => v === undefined || (Number.isSafeInteger(v) && (v as number) >= 0);
  if (
    !count(done) || !count(total) || (done !== undefined && total !== undefined && done > total)
  ) {
    throw new RangeError(
      `Expected the stage's done and total to be integers with 0 ≤ done ≤ total but found ${done} and ${total}`,
    );
  }
}

/** The stage's own fields only (what the job record keeps). */
function copyStage(stage: JobStage): JobStage {
  return {
    name: stage.name,
    ...(stage.done === undefined ? {} : { done: stage.done }),
    ...(stage.total === undefined ? {} : { total: stage.total }),
  };
}
