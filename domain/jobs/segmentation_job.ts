/**
 * The job type behind the 202 answers of the segmentation endpoints: a `SegmentationRequest`
 * too large (or asked, with `Prefer: respond-async`) to answer within the request. The request
 * is stored as a chunked object (it can hold a million customers; a job's input is one KV
 * value), the job runs it with `executeRequest` (as a request answered at once is), and its
 * result is the JSON body the endpoint would have answered, which
 * `GET /api/jobs/{job_id}/result` serves.
 *
 * @module
 */
import { AnalyzeInputError } from "../segmentation/analyze.ts";
import type { SegmentationEngine } from "../segmentation/engine.ts";
import { type EnqueuedJob, enqueueJob } from "./enqueue.ts";
import { getJobResult } from "./job_reads.ts";
import { DEFAULT_MAX_ACTIVE_JOBS_PER_TENANT } from "./job_record.ts";
import type { SegmentationRequest } from "../segmentation/execute.ts";
import { workflowHooks } from "../workflow/execute_request.ts";
import { executeSegmentation } from "../segmentation/execute.ts";
import type { ProgressEvent } from "../../compute/auto.ts";
import type { JobStage } from "./job_record.ts";
import type { JobType } from "./runner.ts";
import { getBlob } from "../../storage/mod.ts";
import { dropJobInput, storeJobInput } from "./job_inputs.ts";

/** The job type's name. */
export const SEGMENTATION_JOB_TYPE = "segmentation";
/** The blob kind of stored requests. */
export const REQUEST_KIND = "segmentation_request";

/** The job's input: the id of the stored request. */
export interface SegmentationJobInput {
  readonly requestId: string;
}

/** Options of `enqueueSegmentation`. */
export interface EnqueueSegmentationOptions {
  /**
   * Active jobs the tenant may have (the server's `MAX_ACTIVE_JOBS_PER_TENANT`); default
   * `DEFAULT_MAX_ACTIVE_JOBS_PER_TENANT` (4).
   */
  maxActivePerTenant?: number | undefined;
}

/**
 * Stores `request` and enqueues its job for `tenantId`. The job owns the stored request: it is
 * deleted in the operation that stores the job's outcome (or, if the job is never enqueued, by
 * the runner's sweep of pending inputs).
 *
 * @throws {TooManyActiveJobsError} when the tenant has its limit of active jobs; the stored
 *   request is deleted again.
 * @throws {KvLimitError | Error} from the store; nothing is enqueued then.
 */
export async function enqueueSegmentation(
  kv: Deno.Kv,
  tenantId: string,
  request: SegmentationRequest,
  now: number,
  options: EnqueueSegmentationOptions = {},
): Promise<EnqueuedJob<SegmentationJobInput>> {
  const maxActivePerTenant = options.maxActivePerTenant ?? DEFAULT_MAX_ACTIVE_JOBS_PER_TENANT;
  const requestId = crypto.randomUUID();
  const bytes = new TextEncoder().encode(JSON.stringify(request));
  await storeJobInput(kv, tenantId, REQUEST_KIND, requestId, bytes, now);
  try {
    return await enqueueJob(
      kv,
      {
        tenantId,
        type: SEGMENTATION_JOB_TYPE,
        input: { requestId },
        ownedBlobs: [{ kind: REQUEST_KIND, id: requestId }],
      },
      now,
      { wake: true, maxActivePerTenant },
    );
  } catch (error) {
    await dropJobInput(kv, tenantId, REQUEST_KIND, requestId).catch(() => {});
    throw error;
  }
}

/**
 * The job type, running requests on `engine`. Input the data cannot support (the errors a
 * synchronous request answers 422) fails the job at once with that message; other errors are
 * retried. The stored request is never deleted here: the job table deletes it in the operation
 * that makes the job final, so an attempt that dies while saving its result leaves the next
 * attempt its input.
 */
export function segmentationJobType(
  engine: SegmentationEngine,
): JobType<SegmentationJobInput> {
  return {
    type: SEGMENTATION_JOB_TYPE,
    parseInput(input) {
      const id = (input as { requestId?: unknown } | null)?.requestId;
      if (typeof id !== "string" || id.length === 0) {
        throw new TypeError("Expected the job input to hold a requestId");
      }
      return { requestId: id };
    },
    isPermanent,
    inputBlobs: (input) => [{ kind: REQUEST_KIND, id: input.requestId }],
    async run({ kv, job, input, progress, now, signal }) {
      const blob = await getBlob(kv, job.tenantId, REQUEST_KIND, input.requestId);
      if (!blob) {
        throw new Deno.errors.NotFound(`The request of job ${job.id} is no longer stored`);
      }
      const request = JSON.parse(new TextDecoder().decode(blob.bytes)) as SegmentationRequest;
      await progress(0.05, { name: "reading" });
      // The engine takes no signal: a cancel is seen before and after the computation.
      signal.throwIfAborted();
      // The pipeline's stages, as the job's: never backwards, written as they come (coalesced).
      let reached = 0.05;
      const onProgress = (p: ProgressEvent) => {
        const at = jobStageOf(p);
        if (!at) return;
        reached = Math.max(reached, at.fraction);
        progress(reached, at.stage).catch(() => {});
      };
      const body = await executeSegmentation(
        kv,
        job.tenantId,
        engine,
        request,
        now,
        workflowHooks(kv, job.tenantId),
        onProgress,
      );
      signal.throwIfAborted();
      return {
        bytes: new TextEncoder().encode(JSON.stringify(body)),
        meta: { format: "json", run_id: body.run_id },
      };
    },
  };
}

function isPermanent(error: unknown): boolean {
  return error instanceof RangeError || error instanceof AnalyzeInputError ||
    error instanceof Deno.errors.NotFound;
}

/** The JSON body a succeeded segmentation job answered; null until it has succeeded. */
export async function getSegmentationResult(
  kv: Deno.Kv,
  tenantId: string,
  jobId: string,
): Promise<Uint8Array | null> {
  const found = await getJobResult(kv, tenantId, jobId);
  if (!found || found.job.type !== SEGMENTATION_JOB_TYPE) return null;
  return found.bytes;
}

/**
 * A segmentation job's stage and progress for a step of the pipeline (`ProgressEvent`): reading
 * the data (5–10 %), fitting candidate i of N (10–80 %), choosing among them, describing the
 * segments (`profiles`, 85 %) and naming them (`names`, 90–95 %); null for a step it does not
 * know.
 */
export function jobStageOf(p: ProgressEvent): { fraction: number; stage: JobStage } | null {
  switch (p.stage) {
    case "preprocess":
      return { fraction: 0.1, stage: { name: "reading" } };
    case "candidates": {
      const total = Number.isSafeInteger(p.total) && p.total! > 0 ? p.total! : null;
      const done = total === null ? null : Math.min(total, Math.max(0, Math.trunc(p.done ?? 0)));
      if (total === null || done === null) return { fraction: 0.1, stage: { name: "candidates" } };
      return { fraction: 0.1 + 0.7 * (done / total), stage: { name: "candidates", done, total } };
    }
    case "selection":
      return { fraction: 0.82, stage: { name: "selection" } };
    case "profiles":
      return { fraction: 0.85, stage: { name: "profiles" } };
    case "narratives":
      return { fraction: 0.9, stage: { name: "names" } };
    case "importance":
      return { fraction: 0.95, stage: { name: "names" } };
    default:
      return null;
  }
}
