/**
 * Putting jobs in the table: `enqueueJob` with its idempotency keys, the per-tenant active-job
 * slots, and the optional wake-up message for workers that listen on the KV queue.
 *
 * @module
 */
import { atomic, keys } from "../../storage/mod.ts";
import {
  type BlobRef,
  DEFAULT_IDEMPOTENCY_TTL_MS,
  DEFAULT_MAX_ATTEMPTS,
  ID_PATTERN,
  type JobRecord,
  MAX_CAS_TRIES,
  type QueueIndexEntry,
  TooManyActiveJobsError,
} from "./job_record.ts";
import { getJob } from "./job_reads.ts";

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
 * import { enqueueJob } from "./enqueue.ts";
 * import { getJob } from "./job_reads.ts";
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
      const slotKey = keys.jobSlot(tenantId, slot);
      op.check({ key: slotKey, versionstamp: null }).set(slotKey, id);
    }
    for (const blob of request.ownedBlobs ?? []) {
      op.delete(keys.jobInputPending(tenantId, blob.kind, blob.id));
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

const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** True for a queue message that `enqueueJob({ wake: true })` sent. */
export function isJobWakeup(message: unknown): message is JobWakeup {
  return typeof message === "object" && message !== null &&
    (message as { kind?: unknown }).kind === "job_wakeup";
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
  for await (const entry of kv.list({ prefix: keys.jobSlotPrefix(tenantId) })) {
    taken.add(Number(entry.key.at(-1)));
  }
  for (let i = 0; i < limit; i++) if (!taken.has(i)) return i;
  throw new TooManyActiveJobsError(tenantId, limit);
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

async function sendWakeup(kv: Deno.Kv, jobId: string): Promise<void> {
  try {
    await kv.enqueue({ kind: "job_wakeup", jobId } satisfies JobWakeup);
  } catch {
    // KV Connect has no queues; the worker's poll finds the job anyway.
  }
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
