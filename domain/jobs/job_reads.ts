/**
 * Reading the job table: one job, a tenant's jobs, a succeeded job's whole result, and the
 * unfinished jobs that workers and the sweeper scan.
 *
 * @module
 */
import { type BlobManifest, getBlob, keys } from "../../storage/mod.ts";
import { ID_PATTERN, type JobRecord, type JobState, type QueueIndexEntry } from "./job_record.ts";

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

/** Batches of (at most 10) entries of unfinished jobs, oldest first, with their index keys. */
export async function* activeJobs(
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
