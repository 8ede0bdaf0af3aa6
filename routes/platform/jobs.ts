/**
 * `GET /api/jobs/{job_id}`: the state of one of the tenant's jobs (document 003's polling of an
 * async run, generalised to every job type), in document 003's envelope; `DELETE` cancels it
 * while it is queued or running and deletes it (with its result) once it is finished. Another
 * tenant's job id is 404, exactly as an unknown one.
 */
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import { cancelOrDeleteJob, getJob, getJobResult, type JobRecord } from "../../domain/jobs/mod.ts";
import { ClientError } from "../http/errors.ts";
import { envelope, envelopeSchema } from "../http/envelope.ts";
import type { AppEnv } from "../env.ts";
import { createRouter, errorResponses } from "../http/openapi.ts";

/** What the jobs routes need. */
export interface JobRoutesDeps {
  kv: Deno.Kv;
  clock: () => number;
}

/** A job as clients see it. */
export const JobStatusSchema = z.object({
  job_id: z.string(),
  type: z.string(),
  status: z.enum(["queued", "processing", "succeeded", "failed", "cancelled"]),
  progress: z.number().min(0).max(1),
  stage: z.string().optional().meta({
    description: "While processing, the step the job is at, when its type reports one (a " +
      "segmentation: reading, candidates, selection, profiles, names)",
  }),
  done: z.int().min(0).optional().meta({
    description: "With a counted stage: how many of `total` are done (candidate i of N)",
  }),
  total: z.int().min(0).optional().meta({ description: "With a counted stage: how many in all" }),
  attempt: z.int(),
  max_attempts: z.int(),
  created_at: z.string(),
  updated_at: z.string(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  error: z.object({ name: z.string(), message: z.string() }).nullable(),
  result_available: z.boolean(),
  cancel_requested: z.boolean(),
}).meta({ id: "JobStatus" });

const getRoute = createRoute({
  method: "get",
  path: "/{job_id}",
  tags: ["jobs"],
  summary: "The state and progress of an asynchronous job",
  request: { params: z.object({ job_id: z.string().min(1).max(200) }) },
  responses: {
    200: {
      description: "The job",
      content: { "application/json": { schema: envelopeSchema(JobStatusSchema) } },
    },
    ...errorResponses(401, 404, 429),
  },
});

/**
 * A segmentation job's result: the 200 body of the request that queued it, whose endpoint's
 * schema describes the rest (`run_id` first in every one).
 */
const SegmentationResultSchema = z.object({
  run_id: z.string().meta({ description: "The stored run" }),
}).passthrough().meta({
  id: "SegmentationResult",
  description: "The 200 body of the endpoint that queued the job: " +
    "PurchasingSegmentationResponse, SegmentClusterProfilesResponse, AnalyzeResponse or " +
    "WorkflowClustering",
});

const resultRoute = createRoute({
  method: "get",
  path: "/{job_id}/result",
  tags: ["jobs"],
  summary: "The result of a succeeded job: the body its request would have answered",
  description: "A segmentation job's result is exactly the 200 body of the request that made " +
    "it (documents 000–002). 409 while the job is queued or running, or when it failed " +
    "(the error says why).",
  request: { params: z.object({ job_id: z.string().min(1).max(200) }) },
  responses: {
    200: {
      description: "The result (JSON)",
      content: {
        "application/json": {
          schema: SegmentationResultSchema,
        },
      },
    },
    ...errorResponses(401, 404, 409, 429),
  },
});

const cancelRoute = createRoute({
  method: "delete",
  path: "/{job_id}",
  tags: ["jobs"],
  summary: "Cancel a job, or delete a finished one",
  description: "A queued job is cancelled at once (200, status `cancelled`). A running job is " +
    "asked to stop (202, `cancel_requested: true`): its worker stops at its next check (a " +
    "lease renewal, every 10 s by default) and it ends `cancelled`. A finished job " +
    "(succeeded, failed or cancelled) is deleted with its result (204); afterwards the job " +
    "and its result are 404.",
  request: { params: z.object({ job_id: z.string().min(1).max(200) }) },
  responses: {
    200: {
      description: "The job, cancelled",
      content: { "application/json": { schema: envelopeSchema(JobStatusSchema) } },
    },
    202: {
      description: "The job, running, asked to stop",
      content: { "application/json": { schema: envelopeSchema(JobStatusSchema) } },
    },
    204: { description: "The finished job and its result, deleted" },
    ...errorResponses(401, 404, 429),
  },
});

/** The jobs sub-app, mounted at `/api/jobs`; needs a principal (authentication runs first). */
export function jobRoutes(deps: JobRoutesDeps): OpenAPIHono<AppEnv> {
  const app = createRouter();
  app.openapi(getRoute, async (c) => {
    const principal = c.get("principal");
    const { job_id } = c.req.valid("param");
    const job = principal ? await getJob(deps.kv, principal.tenantId, job_id) : null;
    if (!job) throw new ClientError(404, "not_found", `No job with id "${job_id}"`);
    return c.json(envelope(c, jobStatus(job), deps.clock()), 200);
  });
  app.openapi(cancelRoute, async (c) => {
    const principal = c.get("principal");
    const { job_id } = c.req.valid("param");
    const done = principal
      ? await cancelOrDeleteJob(deps.kv, principal.tenantId, job_id, deps.clock())
      : null;
    if (!done) throw new ClientError(404, "not_found", `No job with id "${job_id}"`);
    if (done.deleted) return c.body(null, 204);
    const { job } = done;
    const body = envelope(c, jobStatus(job), deps.clock());
    return job.state === "cancelled" ? c.json(body, 200) : c.json(body, 202);
  });
  app.openapi(resultRoute, async (c) => {
    const principal = c.get("principal");
    const { job_id } = c.req.valid("param");
    const job = principal ? await getJob(deps.kv, principal.tenantId, job_id) : null;
    if (!job) throw new ClientError(404, "not_found", `No job with id "${job_id}"`);
    if (job.state === "failed") {
      throw new ClientError(409, "job_failed", job.error?.message ?? "The job failed", {
        details: { job_id, status: job.state },
      });
    }
    if (job.state === "cancelled") {
      throw new ClientError(409, "job_cancelled", `Job ${job_id} was cancelled`, {
        details: { job_id, status: job.state },
      });
    }
    const found = job.state === "succeeded"
      ? await getJobResult(deps.kv, job.tenantId, job_id)
      : null;
    if (!found) {
      throw new ClientError(409, "job_not_finished", `Job ${job_id} is ${job.state}`, {
        details: { job_id, status: job.state, progress: job.progress },
      });
    }
    if (found.manifest.meta?.format === "json") {
      return c.body(found.bytes.slice().buffer, 200, {
        "Content-Type": "application/json",
      }) as never;
    }
    throw new ClientError(409, "no_json_result", `Job ${job_id}'s result is not JSON`, {
      details: { job_id, type: job.type },
    });
  });
  return app;
}

/** The client's view of a job record. */
export function jobStatus(job: JobRecord): z.infer<typeof JobStatusSchema> {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    job_id: job.id,
    type: job.type,
    status: job.state,
    progress: job.progress,
    ...(job.state === "processing" && job.stage
      ? {
        stage: job.stage.name,
        ...(job.stage.done === undefined ? {} : { done: job.stage.done }),
        ...(job.stage.total === undefined ? {} : { total: job.stage.total }),
      }
      : {}),
    attempt: job.attempt,
    max_attempts: job.maxAttempts,
    created_at: iso(job.createdAt)!,
    updated_at: iso(job.updatedAt)!,
    started_at: iso(job.startedAt),
    finished_at: iso(job.finishedAt),
    error: job.error ? { name: job.error.name, message: job.error.message } : null,
    result_available: job.result !== null,
    cancel_requested: job.cancelRequested ?? false,
  };
}
