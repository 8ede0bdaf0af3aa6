/**
 * The job table: asynchronous work stored in KV, so that it survives restarts and works on every
 * KV backend, including KV Connect, which has no queues.
 *
 * A job is one entry `["t", tenantId, "job", jobId]` moving `queued` → `processing` →
 * `succeeded` | `failed`, plus an index entry `["job_queue", jobId]` while it is not finished,
 * which is what workers scan. A worker owns a `processing` job through a lease (owner, a random
 * token, an expiry time); every write a worker makes to the job (claim, renew, progress, finish,
 * fail) is a compare-and-set on the entry's versionstamp, and is refused with `LeaseLostError`
 * once the lease token on the entry is no longer the worker's. The sweeper takes back jobs whose
 * lease expired: back to `queued`, or `failed` once `maxAttempts` attempts are spent.
 *
 * Results are immutable chunked objects (`putBlob`, kind `job_result`, id = job id) written with
 * `createOnly`, so a job has at most one result and a second attempt adopts the first one's
 * instead of replacing it; the job entry flips to `succeeded` with a pointer to that result's
 * generation only after the object is whole. A reader going through `getJobResult` therefore
 * sees either no result or the whole of it. See docs/jobs.md.
 *
 * Every function takes the clock as `now` (epoch ms): nothing here reads the wall clock.
 *
 * @module
 */
import {
  atomic,
  type BlobManifest,
  CHUNK_BYTES,
  deleteBlob,
  getBlob,
  getBlobManifest,
  type GuardedAtomic,
  keys,
  putBlob,
} from "../../storage/mod.ts";
import { type FaultHook, faultingKv } from "./faults.ts";
import { jobKeys } from "./job_keys.ts";
import { claimOrder } from "./fair_claim.ts";

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
  /** The tenant's active-job slot the job holds until it is final (`jobKeys.slot`). */
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

/** What `enqueueJob` stores. */
export interface EnqueueJobRequest<I = unknown> {
  tenantId: string;
  type: string;
  input: I;
  /**
   * A client's key for "this request": enqueueing again with the same key (within
   * `idempotencyTtlMs`) returns the first job instead of creating another.
   */
  idempotencyKey?: string;
  /** Default `DEFAULT_MAX_ATTEMPTS` (3). */
  maxAttempts?: number;
  /**
   * Objects the job owns (its stored input, written with `storeJobInput`): their pending
   * markers are removed when the job is stored, and the objects when the job is final.
   */
  ownedBlobs?: readonly BlobRef[];
}

/** Options of `enqueueJob`. */
export interface EnqueueJobOptions {
  /** Default `DEFAULT_IDEMPOTENCY_TTL_MS`. */
  idempotencyTtlMs?: number;
  /**
   * Also send a `kv.enqueue` wake-up message (`JobWakeup`) after the job is stored, for workers
   * that listen (`JobRunner`'s `listenQueue`). Best effort: KV Connect has no queues, and the
   * job never depends on the message. Default false.
   */
  wake?: boolean;
  /**
   * At most this many active (queued + processing) jobs per tenant; beyond it
   * `TooManyActiveJobsError`. Default: no limit. Enforced atomically: each active job holds one
   * of the tenant's slot keys.
   */
  maxActivePerTenant?: number;
}

/** The result of `enqueueJob`. */
export interface EnqueuedJob<I = unknown> {
  readonly job: JobRecord<I>;
  /** False when an earlier request with the same idempotency key created the job. */
  readonly created: boolean;
}

/** The queue message `enqueueJob({ wake: true })` sends: a hint, never the job itself. */
export interface JobWakeup {
  readonly kind: "job_wakeup";
  readonly jobId: string;
}

interface IdempotencyRecord {
  jobId: string;
  fingerprint: string;
  expiresAt: number;
}

interface QueueIndexEntry {
  tenantId: string;
}

const ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;
const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
const MAX_ERROR_MESSAGE = 2_000;
/** Commits of one write that may lose a race before giving up (each retry re-reads). */
const MAX_CAS_TRIES = 10;

/**
 * Stores a new `queued` job for `request.tenantId` at time `now`, or returns the job that an
 * earlier request with the same idempotency key created.
 *
 * @throws {RangeError} when the type or idempotency key is not 1–128 (type) / 1–255 (key)
 *   printable characters, or `maxAttempts` is not an integer in [1, 100].
 * @throws {Deno.errors.AlreadyExists} when the idempotency key was used, within its time to live,
 *   for a request with another type or input.
 * @throws {KvLimitError} (a `RangeError`) when the job record would exceed 64 KiB.
 *
 * @example
 * ```ts
 * import { enqueueJob, getJob } from "./job_table.ts";
 * const kv = await Deno.openKv(":memory:");
 * const { job } = await enqueueJob(kv, { tenantId: "t1", type: "noop", input: {} }, 1_000);
 * console.assert((await getJob(kv, "t1", job.id))?.state === "queued");
 * kv.close();
 * ```
 */
export async function enqueueJob<I>(
  kv: Deno.Kv,
  request: EnqueueJobRequest<I>,
  now: number,
  options: EnqueueJobOptions = {},
): Promise<EnqueuedJob<I>> {
  const { tenantId, type, input, idempotencyKey } = request;
  const maxAttempts = request.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const ttl = options.idempotencyTtlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS;
  if (!ID_PATTERN.test(type)) {
    throw new RangeError(`Expected a job type of 1-128 of A-Z a-z 0-9 _ - but found "${type}"`);
  }
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 100) {
    throw new RangeError(
      `Expected maxAttempts to be an integer in [1, 100] but found ${maxAttempts}`,
    );
  }
  if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY_PATTERN.test(idempotencyKey)) {
    throw new RangeError(
      `Expected an idempotency key of 1-255 printable ASCII characters but found ${
        JSON.stringify(idempotencyKey).slice(0, 80)
      }`,
    );
  }
  const fingerprint = idempotencyKey === undefined ? "" : await fingerprintOf(type, input);
  const idemKey = idempotencyKey === undefined
    ? null
    : keys.jobIdempotency(tenantId, idempotencyKey);

  for (let tries = 0; tries < MAX_CAS_TRIES; tries++) {
    let idemVersionstamp: string | null = null;
    if (idemKey) {
      const existing = await kv.get<IdempotencyRecord>(idemKey);
      if (existing.value && existing.value.expiresAt > now) {
        const job = await getJob<I>(kv, tenantId, existing.value.jobId);
        if (existing.value.fingerprint !== fingerprint) {
          throw new Deno.errors.AlreadyExists(
            `Expected idempotency key "${idempotencyKey}" to be reused with the same job type and input, but it was first used for another request (job ${existing.value.jobId})`,
          );
        }
        if (job) return { job, created: false };
      }
      // An expired key (or one whose job is gone) may be taken over: check its versionstamp.
      idemVersionstamp = existing.versionstamp;
    }
    const slot = options.maxActivePerTenant === undefined
      ? null
      : await freeSlot(kv, tenantId, options.maxActivePerTenant);
    const id = newJobId(now);
    const job: JobRecord<I> = {
      version: 1,
      id,
      tenantId,
      type,
      input,
      state: "queued",
      progress: 0,
      attempt: 0,
      maxAttempts,
      availableAt: now,
      lease: null,
      error: null,
      result: null,
      idempotencyKey: idempotencyKey ?? null,
      createdAt: now,
      updatedAt: now,
      startedAt: null,
      finishedAt: null,
      ownedBlobs: request.ownedBlobs ?? [],
      slot,
    };
    const op = atomic(kv)
      .check({ key: keys.job(tenantId, id), versionstamp: null })
      .set(keys.job(tenantId, id), job)
      .set(keys.jobQueue(id), { tenantId } satisfies QueueIndexEntry);
    if (slot !== null) {
      // Two enqueues racing for the last slot: one commit wins, the other re-reads the slots.
      const slotKey = jobKeys.slot(tenantId, slot);
      op.check({ key: slotKey, versionstamp: null }).set(slotKey, id);
    }
    for (const blob of request.ownedBlobs ?? []) {
      op.delete(jobKeys.pendingInput(tenantId, blob.kind, blob.id));
    }
    if (idemKey) {
      const record: IdempotencyRecord = { jobId: id, fingerprint, expiresAt: now + ttl };
      // expireIn only collects garbage; `expiresAt` is what is enforced.
      op.check({ key: idemKey, versionstamp: idemVersionstamp })
        .set(idemKey, record, { expireIn: ttl + 3_600_000 });
    }
    const res = await op.commit();
    if (res.ok) {
      if (options.wake) await sendWakeup(kv, id);
      return { job, created: true };
    }
    // Another request with the same key won the race: the next pass returns its job.
  }
  throw new Error(
    `Could not enqueue a job of type ${type}: ${MAX_CAS_TRIES} commits in a row lost a race`,
  );
}

/**
 * The lowest free active-job slot of `tenantId` below `limit`.
 *
 * @throws {TooManyActiveJobsError} when all are taken.
 */
async function freeSlot(kv: Deno.Kv, tenantId: string, limit: number): Promise<number> {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(`Expected maxActivePerTenant to be a positive integer but found ${limit}`);
  }
  const taken = new Set<number>();
  for await (const entry of kv.list({ prefix: jobKeys.slotPrefix(tenantId) })) {
    taken.add(Number(entry.key.at(-1)));
  }
  for (let i = 0; i < limit; i++) if (!taken.has(i)) return i;
  throw new TooManyActiveJobsError(tenantId, limit);
}

/**
 * The job `jobId` of `tenantId`, or null when it does not exist for this tenant (another
 * tenant's job id reads as null, and so does a string that cannot be a job id).
 */
export async function getJob<I = unknown>(
  kv: Deno.Kv,
  tenantId: string,
  jobId: string,
): Promise<JobRecord<I> | null> {
  if (typeof jobId !== "string" || !ID_PATTERN.test(jobId)) return null;
  return (await kv.get<JobRecord<I>>(keys.job(tenantId, jobId))).value;
}

/** Options of `listJobs`. */
export interface ListJobsOptions {
  /** Default 100. */
  limit?: number;
  /** Only jobs in these states. */
  states?: readonly JobState[];
}

/** Jobs of `tenantId`, oldest first (job ids sort by creation time). */
export async function listJobs(
  kv: Deno.Kv,
  tenantId: string,
  options: ListJobsOptions = {},
): Promise<JobRecord[]> {
  const limit = options.limit ?? 100;
  const out: JobRecord[] = [];
  for await (const entry of kv.list<JobRecord>({ prefix: keys.jobPrefix(tenantId) })) {
    if (options.states && !options.states.includes(entry.value.state)) continue;
    out.push(entry.value);
    if (out.length >= limit) break;
  }
  return out;
}

/**
 * The result of job `jobId` of `tenantId`: null unless the job has `succeeded`, and then the
 * whole published object. A reader never sees part of a result.
 *
 * @throws {Error} when the job points to an object that is missing or of another generation
 *   (the store was changed behind the job table's back).
 */
export async function getJobResult<I = unknown>(
  kv: Deno.Kv,
  tenantId: string,
  jobId: string,
): Promise<{ job: JobRecord<I>; manifest: BlobManifest; bytes: Uint8Array } | null> {
  const job = await getJob<I>(kv, tenantId, jobId);
  if (!job || job.state !== "succeeded" || !job.result) return null;
  const blob = await getBlob(kv, tenantId, job.result.kind, job.result.id);
  if (!blob || blob.manifest.generation !== job.result.generation) {
    throw new Error(
      `Expected job ${jobId}'s result to be generation ${job.result.generation} but found ${
        blob ? `generation ${blob.manifest.generation}` : "no object"
      }`,
    );
  }
  return { job, manifest: blob.manifest, bytes: blob.bytes };
}

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
  const cursor = (await kv.get<string>(jobKeys.claimCursor())).value;
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
    const next: JobRecord = {
      ...job,
      state: "processing",
      attempt: job.attempt + 1,
      progress: 0,
      lease,
      startedAt: now,
      updatedAt: now,
    };
    // The cursor is a hint for fairness, not a lock: last writer wins.
    const res = await atomic(kv).check(entry).set(entry.key, next)
      .set(jobKeys.claimCursor(), job.tenantId).commit();
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
 * Records the job's progress, a fraction in [0, 1].
 *
 * @throws {RangeError} when `progress` is not in [0, 1].
 * @throws {LeaseLostError} when the job is no longer leased to this claim.
 */
export async function reportProgress<I>(
  kv: Deno.Kv,
  lease: JobLease<I>,
  progress: number,
  now: number,
): Promise<JobLease<I>> {
  if (!(progress >= 0 && progress <= 1)) {
    throw new RangeError(`Expected progress to be in [0, 1] but found ${progress}`);
  }
  const { job, versionstamp } = await updateOwned(kv, lease, (j) => ({
    ...j,
    progress,
    updatedAt: now,
  }));
  return toLease(job, versionstamp);
}

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
    const job = entry.value;
    if (!job || isFinal(job.state) || job.cancelRequested) return job;
    const next: JobRecord = job.state === "queued"
      ? cancelled(job, now)
      : { ...job, cancelRequested: true, updatedAt: now };
    const op = atomic(kv).check(entry).set(entry.key, next);
    await addFinalWrites(kv, op, next);
    if ((await op.commit()).ok) return next;
  }
  throw new Error(`Could not cancel job ${jobId}: ${MAX_CAS_TRIES} commits in a row lost a race`);
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

/** True for a queue message that `enqueueJob({ wake: true })` sent. */
export function isJobWakeup(message: unknown): message is JobWakeup {
  return typeof message === "object" && message !== null &&
    (message as { kind?: unknown }).kind === "job_wakeup";
}

// --- internals ---

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

/** Job ids are UUIDv7: unique, and sorting by id is sorting by creation time (FIFO claims). */
function newJobId(now: number): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  let t = Math.max(0, Math.floor(now));
  for (let i = 5; i >= 0; i--) {
    b[i] = t % 256;
    t = Math.floor(t / 256);
  }
  b[6] = (b[6]! & 0x0f) | 0x70;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${
    hex.slice(20)
  }`;
}

function toLease<I>(job: JobRecord<I>, versionstamp: string): JobLease<I> {
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

function requeued<I>(job: JobRecord<I>, error: JobError, availableAt: number, now: number) {
  return {
    ...job,
    state: "queued",
    lease: null,
    error,
    availableAt,
    updatedAt: now,
  } satisfies JobRecord<I>;
}

function cancelled<I>(job: JobRecord<I>, now: number) {
  return {
    ...job,
    state: "cancelled",
    lease: null,
    cancelRequested: true,
    updatedAt: now,
    finishedAt: now,
  } satisfies JobRecord<I>;
}

function failed<I>(job: JobRecord<I>, error: JobError, now: number) {
  return {
    ...job,
    state: "failed",
    lease: null,
    error,
    updatedAt: now,
    finishedAt: now,
  } satisfies JobRecord<I>;
}

function errorInfo(error: unknown, attempt: number, now: number): JobError {
  const name = error instanceof Error ? error.name : "Error";
  const message = error instanceof Error ? error.message : String(error);
  return { name, message: message.slice(0, MAX_ERROR_MESSAGE), attempt, at: now };
}

/** The job's entry, if it is still leased to `lease`'s claim. */
async function readOwned<I>(
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
 * Read-modify-write of a job the caller holds: compare-and-set on the versionstamp, retried
 * while the job is still leased to the same claim (one worker's own renewals and progress
 * writes may race each other), refused with `LeaseLostError` once it is not.
 */
async function updateOwned<I>(
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

/**
 * Adds to `op` what making `next` final takes, when it is: the job leaves the worker index and
 * frees its tenant slot, and the objects that die with it (its stored input; its result object
 * unless it succeeded: an attempt may have published one and died before the flip) are
 * unpublished in the same operation, each manifest checked, their chunks handed to
 * `sweepOrphanChunks` with a `["gc", generation]` marker. So a job's input exists exactly until
 * its outcome is stored, and no reader sees the result of a job that did not succeed.
 */
async function addFinalWrites(kv: Deno.Kv, op: GuardedAtomic, next: JobRecord): Promise<void> {
  if (!isFinal(next.state)) return;
  op.delete(keys.jobQueue(next.id));
  if (next.slot !== undefined && next.slot !== null) {
    op.delete(jobKeys.slot(next.tenantId, next.slot));
  }
  const doomed: BlobRef[] = [...(next.ownedBlobs ?? [])];
  if (next.state !== "succeeded") doomed.push({ kind: JOB_RESULT_KIND, id: next.id });
  const manifests = await kv.getMany<BlobManifest[]>(
    doomed.map((b) => keys.blob(next.tenantId, b.kind, b.id)),
  );
  for (const entry of manifests) {
    const m = entry.value;
    if (!m) continue;
    op.check(entry).delete(entry.key).set(keys.gc(m.generation), {
      tenantId: next.tenantId,
      kind: m.kind,
      id: m.id,
      generation: m.generation,
      // Unpublished now: the next sweep may take the chunks, whatever its grace period.
      since: 0,
    });
  }
}

async function sendWakeup(kv: Deno.Kv, jobId: string): Promise<void> {
  try {
    await kv.enqueue({ kind: "job_wakeup", jobId } satisfies JobWakeup);
  } catch {
    // KV Connect has no queues; the worker's poll finds the job anyway.
  }
}

/** Batches of (at most 10) entries of unfinished jobs, oldest first, with their index keys. */
async function* activeJobs(
  kv: Deno.Kv,
): AsyncGenerator<Deno.KvEntryMaybe<JobRecord>[] & { indexKeys: Deno.KvKey[] }> {
  let batch: Deno.KvEntry<QueueIndexEntry>[] = [];
  const flush = async () => {
    // getMany takes at most 10 keys.
    const entries = await kv.getMany<JobRecord[]>(
      batch.map((e) => keys.job(e.value.tenantId, String(e.key[1]))),
    );
    return Object.assign(entries, { indexKeys: batch.map((e) => e.key) });
  };
  for await (const entry of kv.list<QueueIndexEntry>({ prefix: keys.jobQueuePrefix() })) {
    batch.push(entry);
    if (batch.length === 10) {
      yield await flush();
      batch = [];
    }
  }
  if (batch.length > 0) yield await flush();
}

/** SHA-256 of the type and a canonical JSON of the input (object keys sorted). */
async function fingerprintOf(type: string, input: unknown): Promise<string> {
  const text = `${type}\u0000${canonicalJson(input)}`;
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (x) => x.toString(16).padStart(2, "0")).join("");
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  if (value instanceof Uint8Array) return `u8:${Array.from(value).join(",")}`;
  return JSON.stringify(value) ?? String(value);
}
