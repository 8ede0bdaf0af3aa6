/**
 * The 429 of a tenant over its limit of active jobs, shared by every route that enqueues.
 * Apart from `jobs.ts` because the enqueueing routes must not import the jobs router (an import
 * cycle through the OpenAPI helpers).
 *
 * @module
 */
import { TooManyActiveJobsError } from "../../domain/jobs/mod.ts";
import { ClientError } from "../http/errors.ts";

/** Seconds a client over its job limit is told to wait (`Retry-After`): about a small job. */
export const JOB_LIMIT_RETRY_AFTER_SECONDS = 10;

/**
 * Turns `TooManyActiveJobsError` into the routes' 429 (`too_many_jobs`, `Retry-After`); any
 * other error is rethrown as it is. For routes that enqueue: `.catch(jobLimitAs429)`.
 */
export function jobLimitAs429(error: unknown): never {
  if (error instanceof TooManyActiveJobsError) {
    throw new ClientError(429, "too_many_jobs", error.message, {
      details: { limit: error.limit },
      headers: { "Retry-After": String(JOB_LIMIT_RETRY_AFTER_SECONDS) },
    });
  }
  throw error;
}
