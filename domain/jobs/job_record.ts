/**
 * A job as the table stores it (`["t", tenantId, "job", jobId]`), what a worker holds while it
 * runs one, the table's errors, and the pure transitions between states that every writer
 * shares (so that a job requeued by the sweeper looks like one requeued by its worker).
 *
 * @module
 */

/** Where a job is in its life. `succeeded`, `failed` and `cancelled` are final. */
export type JobState = "queued" | "processing" | "succeeded" | "failed" | "cancelled";

/** True for the states nothing writes again. */
export function isFinal(state: JobState): boolean {
  return state === "succeeded" || state === "failed" || state === "cancelled";
}

/** Active jobs (queued + processing) a tenant may have unless configured otherwise. */
export const DEFAULT_MAX_ACTIVE_JOBS_PER_TENANT = 4;

/** Attempts a job gets unless its `enqueueJob` request says otherwise. */
export const DEFAULT_MAX_ATTEMPTS = 3;
/** How long an idempotency key keeps pointing to its job (24 h). */
export const DEFAULT_IDEMPOTENCY_TTL_MS = 24 * 3_600_000;
/** The blob kind of job results (`["t", tenantId, "blob", "job_result", jobId]`). */
export const JOB_RESULT_KIND = "job_result";

/** The error that ended an attempt, as stored on the job. */
export interface JobError {
  /** The error's class name (`RangeError`, `LeaseExpired`, …). */
  readonly name: string;
  readonly message: string;
  /** The attempt that failed (1-based). */
  readonly attempt: number;
  /** Epoch ms. */
  readonly at: number;
}

/** Which published object holds a succeeded job's result. */
export interface JobResultRef {
  readonly kind: string;
  readonly id: string;
  readonly generation: string;
  readonly size: number;
  readonly chunks: number;
}

/** A stored object (`storage/blobs.ts`) of the job's tenant. */
export interface BlobRef {
  readonly kind: string;
  readonly id: string;
}

/** A worker's hold on a `processing` job. */
export interface JobLeaseInfo {
  readonly owner: string;
  /** Random per claim: tells this claim apart from a later claim by the same worker. */
  readonly token: string;
  /** Epoch ms after which the sweeper may take the job back. */
  readonly until: number;
}

/**
 * A step of a running job, as its type names it (a segmentation: `reading`, `candidates`,
 * `profiles`, `names`), with how far into it when it is counted (`done` of `total`).
 */
export interface JobStage {
  readonly name: string;
  readonly done?: number;
  readonly total?: number;
}

/** The stored job (`["t", tenantId, "job", jobId]`). */
export interface JobRecord<I = unknown> {
  readonly version: 1;
  readonly id: string;
  readonly tenantId: string;
  readonly type: string;
  /** Job-type specific, small (the whole record must fit in one 64 KiB KV value). */
  readonly input: I;
  readonly state: JobState;
  /** In [0, 1]; reset to 0 when an attempt starts, 1 when succeeded. */
  readonly progress: number;
  /**
   * The step the running attempt is at, when its job type reports one (`JobStage`); absent
   * before, and cleared when an attempt starts or the job ends.
   */
  readonly stage?: JobStage;
  /** Attempts started so far (claims); 0 while never claimed. */
  readonly attempt: number;
  readonly maxAttempts: number;
  /** Not claimable before this time (epoch ms): a retry's back-off. */
  readonly availableAt: number;
  readonly lease: JobLeaseInfo | null;
  /** The last attempt's error: kept while queued for a retry, final once `failed`, null on success. */
  readonly error: JobError | null;
  /** Set exactly when `succeeded`. */
  readonly result: JobResultRef | null;
  readonly idempotencyKey: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** When the current (or last) attempt started. */
  readonly startedAt: number | null;
  /** When the job reached a final state. */
  readonly finishedAt: number | null;
  /**
   * Objects that belong to the job (its stored input): deleted in the same atomic operation
   * that makes the job final, never before. Absent on records stored before it existed.
   */
  readonly ownedBlobs?: readonly BlobRef[];
  /** The tenant's active-job slot the job holds until it is final (`keys.jobSlot`). */
  readonly slot?: number | null;
  /** The tenant asked to cancel the running job: its worker stops at its next write. */
  readonly cancelRequested?: boolean;
}

/** What a worker holds after `claimNextJob`: pass it to every later write. */
export interface JobLease<I = unknown> {
  readonly tenantId: string;
  readonly jobId: string;
  readonly workerId: string;
  readonly token: string;
  readonly attempt: number;
  readonly until: number;
  /** The job as of the lease's last write; `versionstamp` is that entry's. */
  readonly job: JobRecord<I>;
  readonly versionstamp: string;
}

/** The bytes of a job's result and small facts kept beside them (in the blob's manifest). */
export interface JobOutput {
  readonly bytes: Uint8Array;
  readonly meta?: Record<string, unknown>;
}

/** A write was refused because the job is no longer leased to the caller. */
export class LeaseLostError extends Error {
  override readonly name = "LeaseLostError";
  constructor(readonly jobId: string, message: string) {
    super(message);
  }
}

/** The tenant has as many active jobs as it may: `enqueueJob` stored nothing. */
export class TooManyActiveJobsError extends Error {
  override readonly name = "TooManyActiveJobsError";
  constructor(readonly tenantId: string, readonly limit: number) {
    super(
      `Tenant ${tenantId} has ${limit} jobs queued or running, the most it may have; ` +
        "retry once one has finished",
    );
  }
}

/** What `["job_queue", jobId]` holds: the tenant of a job that is not finished. */
export interface QueueIndexEntry {
  tenantId: string;
}

/** Job ids and job types: what a key segment may safely hold. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;
const MAX_ERROR_MESSAGE = 2_000;
/** Commits of one write that may lose a race before giving up (each retry re-reads). */
export const MAX_CAS_TRIES = 10;

/** What a worker holds of `job` (leased) as of the write that returned `versionstamp`. */
export function toLease<I>(job: JobRecord<I>, versionstamp: string): JobLease<I> {
  const lease = job.lease!;
  return {
    tenantId: job.tenantId,
    jobId: job.id,
    workerId: lease.owner,
    token: lease.token,
    attempt: job.attempt,
    until: lease.until,
    job,
    versionstamp,
  };
}

export function requeued<I>(job: JobRecord<I>, error: JobError, availableAt: number, now: number) {
  return {
    ...job,
    state: "queued",
    lease: null,
    error,
    availableAt,
    updatedAt: now,
  } satisfies JobRecord<I>;
}

export function cancelled<I>(job: JobRecord<I>, now: number) {
  return {
    ...job,
    state: "cancelled",
    lease: null,
    cancelRequested: true,
    updatedAt: now,
    finishedAt: now,
  } satisfies JobRecord<I>;
}

export function failed<I>(job: JobRecord<I>, error: JobError, now: number) {
  return {
    ...job,
    state: "failed",
    lease: null,
    error,
    updatedAt: now,
    finishedAt: now,
  } satisfies JobRecord<I>;
}

export function errorInfo(error: unknown, attempt: number, now: number): JobError {
  const name = error instanceof Error ? error.name : "Error";
  const message = error instanceof Error ? error.message : String(error);
  return { name, message: message.slice(0, MAX_ERROR_MESSAGE), attempt, at: now };
}
