/**
 * Document 003's response envelope, `{success, data, metadata: {request_id, timestamp,
 * api_version}}`, which wraps the responses of document 003's endpoints (docs/design.md: the
 * other documents keep their own shapes).
 */
import type { Context } from "hono";
import { z } from "zod";
import type { AppEnv } from "../env.ts";

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
