/**
 * How the segmentation endpoints of documents 000–002 and 004 answer: in the request (200), or
 * with 202 and a job (`domain/jobs/segmentation_job.ts`), as `answerMode`
 * (`domain/segmentation/answer_mode.ts`) decides from the request's size, the time limit and
 * `Prefer: respond-async` (RFC 7240). The job's result, at
 * `GET /api/jobs/{job_id}/result`, is exactly the body the 200 would have had.
 *
 * @module
 */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod";
import type { SegmentationEngine } from "../../domain/segmentation/mod.ts";
import { enqueueSegmentation } from "../../domain/jobs/mod.ts";
import {
  type AnswerMode,
  answerMode,
  type SegmentationRequest,
  taskSize,
} from "../../domain/segmentation/mod.ts";
import { executeRequest } from "../../domain/workflow/mod.ts";
import { wrapClientErrors } from "../http/errors.ts";
import { jobLimitAs429 } from "../platform/job_limit.ts";
import type { AppEnv } from "../env.ts";
import { recordPhase, serverTiming, timePhase } from "../http/server_timing.ts";

/** What the segmentation routes need. */
export interface SegmentationDeps {
  kv: Deno.Kv;
  engine: SegmentationEngine;
  clock: () => number;
  /**
   * The request time limit (ms; 0 or absent: none). A request whose estimated work exceeds 80 %
   * of it is answered 202 with a job whatever its size (`answerMode`).
   */
  timeoutMs?: number;
  /** Active jobs a tenant may have (`MAX_ACTIVE_JOBS_PER_TENANT`); default 4. */
  maxActiveJobsPerTenant?: number;
}

/** The 202 body. */
export const AcceptedJobSchema = z.object({
  job_id: z.string(),
  status: z.literal("queued"),
  message: z.string(),
  estimated_time_seconds: z.int(),
  status_url: z.string(),
  result_url: z.string(),
}).meta({ id: "AcceptedJob" });

/** True when the request's `Prefer` header asks for an asynchronous answer. */
export function prefersAsync(c: Context<AppEnv>): boolean {
  const prefer = c.req.header("Prefer") ?? "";
  return prefer.split(",").some((p) => p.trim().toLowerCase().split(/\s*;/)[0] === "respond-async");
}

/**
 * Answers `request` as `answerMode` decides: 202 with a job (the client prefers it, more than
 * `syncLimit` customers, or more work than the time limit allows), else runs it and answers 200
 * with its body. Input the data cannot support → 422 naming `parameter` (or the parameter the
 * domain names).
 *
 * The response is typed `never` so that an OpenAPI handler may return it: its 200 body is the
 * domain's result, which the route's response schema describes but cannot type-check.
 */
export async function answerSegmentation(
  c: Context<AppEnv>,
  deps: SegmentationDeps,
  tenantId: string,
  request: SegmentationRequest,
  syncLimit: number,
  parameter: string,
): Promise<never> {
  return await answer(c, deps, tenantId, request, syncLimit, parameter) as never;
}

async function answer(
  c: Context<AppEnv>,
  deps: SegmentationDeps,
  tenantId: string,
  request: SegmentationRequest,
  syncLimit: number,
  parameter: string,
): Promise<Response> {
  const size = taskSize(request.task);
  const decision = answerMode({
    ...size,
    syncLimit,
    ...(deps.timeoutMs !== undefined ? { timeLimitMs: deps.timeoutMs } : {}),
    prefersAsync: prefersAsync(c),
  });
  const raw = c.req.raw;
  if (decision.mode === "job") {
    const { job } = await timePhase(
      raw,
      "store",
      () =>
        enqueueSegmentation(deps.kv, tenantId, request, deps.clock(), {
          maxActivePerTenant: deps.maxActiveJobsPerTenant,
        }),
    ).catch(jobLimitAs429);
    const statusUrl = `/api/jobs/${job.id}`;
    c.header("Location", statusUrl);
    if (decision.reason === "client_preference") {
      c.header("Preference-Applied", "respond-async");
    }
    return timedJson(c, {
      job_id: job.id,
      status: "queued" as const,
      message: `${jobReason(decision, size.customers, syncLimit)}; poll status_url, then read ` +
        "result_url",
      estimated_time_seconds: decision.estimatedSeconds,
      status_url: statusUrl,
      result_url: `${statusUrl}/result`,
    }, 202);
  }
  // The engine's time is `compute`; the rest of the execution (the run stored) is `store`.
  let computeMs = 0;
  const engine: SegmentationEngine = {
    get info() {
      return deps.engine.info;
    },
    run: async (task) => {
      const t0 = performance.now();
      try {
        return await deps.engine.run(task);
      } finally {
        computeMs += performance.now() - t0;
      }
    },
    dispose: () => deps.engine.dispose(),
  };
  const t0 = performance.now();
  // A RangeError of the computation names input the data cannot support (too few rows for k).
  const body = await wrapClientErrors(
    () => executeRequest(deps.kv, tenantId, engine, request, deps.clock),
    { details: { parameter } },
  ).finally(() => {
    recordPhase(raw, "compute", computeMs);
    recordPhase(raw, "store", performance.now() - t0 - computeMs);
  });
  return timedJson(c, body, 200);
}

/**
 * `body` as the JSON response with `status`, its serialisation timed, and the request's phases
 * as `Server-Timing` (parse, validate, compute, store, serialise).
 */
export function timedJson(
  c: Context<AppEnv>,
  body: unknown,
  status: ContentfulStatusCode,
): Response {
  const t0 = performance.now();
  const text = JSON.stringify(body);
  recordPhase(c.req.raw, "serialise", performance.now() - t0);
  c.header("Server-Timing", serverTiming(c.req.raw));
  return c.body(text, status, { "Content-Type": "application/json" });
}

/** The first half of the 202's message: why the request became a job. */
function jobReason(decision: AnswerMode, customers: number, syncLimit: number): string {
  switch (decision.reason) {
    case "client_preference":
      return "Queued as asked (Prefer: respond-async)";
    case "above_sync_limit":
      return `${customers} customers is above the ${syncLimit} answered in the request`;
    case "over_time_budget":
      return `About ${decision.estimatedSeconds} s of work is more than the request's time ` +
        "limit allows";
    case "job_only":
    case "within_limits":
      return "Queued";
  }
}
