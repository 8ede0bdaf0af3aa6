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
import { type EnqueuedJob, enqueueJob, getJobResult } from "./job_table.ts";
import type { SegmentationRequest } from "../segmentation/execute.ts";
import { executeRequest } from "../workflow/execute_request.ts";
import type { JobType } from "./runner.ts";
import { deleteBlob, getBlob, putBlob } from "../../storage/mod.ts";

/** The job type's name. */
export const SEGMENTATION_JOB_TYPE = "segmentation";
/** The blob kind of stored requests. */
export const REQUEST_KIND = "segmentation_request";

/** The job's input: the id of the stored request. */
export interface SegmentationJobInput {
  readonly requestId: string;
}

/**
 * Stores `request` and enqueues its job for `tenantId`.
 *
 * @throws {KvLimitError | Error} from the store; nothing is enqueued then.
 */
export async function enqueueSegmentation(
  kv: Deno.Kv,
  tenantId: string,
  request: SegmentationRequest,
  now: number,
): Promise<EnqueuedJob<SegmentationJobInput>> {
  const requestId = crypto.randomUUID();
  const bytes = new TextEncoder().encode(JSON.stringify(request));
  await putBlob(kv, tenantId, REQUEST_KIND, requestId, bytes, { now });
  return await enqueueJob(
    kv,
    { tenantId, type: SEGMENTATION_JOB_TYPE, input: { requestId } },
    now,
    { wake: true },
  );
}

/**
 * The job type, running requests on `engine`. Input the data cannot support (the errors a
 * synchronous request answers 422) fails the job at once with that message; other errors are
 * retried. The stored request is deleted once the job has succeeded or failed for good.
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
    async run({ kv, job, input, progress, now }) {
      const blob = await getBlob(kv, job.tenantId, REQUEST_KIND, input.requestId);
      if (!blob) {
        throw new Deno.errors.NotFound(`The request of job ${job.id} is no longer stored`);
      }
      const request = JSON.parse(new TextDecoder().decode(blob.bytes)) as SegmentationRequest;
      await progress(0.05);
      // The customers' data is kept only until the job has an outcome.
      let settled = false;
      try {
        const body = await executeRequest(kv, job.tenantId, engine, request, now);
        settled = true;
        return {
          bytes: new TextEncoder().encode(JSON.stringify(body)),
          meta: { format: "json", run_id: body.run_id },
        };
      } catch (error) {
        settled = isPermanent(error) || job.attempt >= job.maxAttempts;
        throw error;
      } finally {
        if (settled) {
          await deleteBlob(kv, job.tenantId, REQUEST_KIND, input.requestId).catch(() => {});
        }
      }
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
