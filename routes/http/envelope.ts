/**
 * Document 003's response envelope, `{success, data, metadata: {request_id, timestamp,
 * api_version}}`, which wraps the responses of document 003's endpoints (docs/design.md: the
 * other documents keep their own shapes).
 */
import type { Context } from "hono";
import { z } from "zod";
import type { AppEnv } from "../env.ts";
import type { JobState } from "../../domain/jobs/job_record.ts";

/** Document 003's `api_version`. */
export const ENVELOPE_API_VERSION = "1.0";

/** The envelope's metadata schema. */
export const EnvelopeMetadataSchema = z.object({
  request_id: z.string(),
  timestamp: z.string().meta({ description: "ISO 8601, UTC" }),
  api_version: z.string(),
});

/** The schema of an envelope around `data`. */
export function envelopeSchema<T extends z.ZodType>(data: T) {
  return z.object({ success: z.literal(true), data, metadata: EnvelopeMetadataSchema });
}

/** Wraps `data` in the envelope, with the request's id and the given time (epoch ms). */
export function envelope<T>(c: Context<AppEnv>, data: T, now: number) {
  return {
    success: true as const,
    data,
    metadata: {
      request_id: c.get("requestId"),
      timestamp: new Date(now).toISOString(),
      api_version: ENVELOPE_API_VERSION,
    },
  };
}

/** Document 003's words for a job's status (§1.3: `"processing"` while it has not finished). */
export const DOCUMENT_JOB_STATUSES = ["processing", "completed", "failed", "cancelled"] as const;
export type DocumentJobStatus = typeof DOCUMENT_JOB_STATUSES[number];

/**
 * A job's state in document 003's vocabulary: queued and processing are both `processing` (the
 * document's only word for an unfinished job), succeeded is `completed` (its result is there);
 * failed and cancelled keep their names. `GET /api/jobs/{id}` keeps the service's own states.
 */
export function documentJobStatus(state: JobState): DocumentJobStatus {
  return DOCUMENT_JOB_STATUS[state];
}

const DOCUMENT_JOB_STATUS: Readonly<Record<JobState, DocumentJobStatus>> = {
  queued: "processing",
  processing: "processing",
  succeeded: "completed",
  failed: "failed",
  cancelled: "cancelled",
};
