/**
 * How the segmentation endpoints of documents 000–002 answer: in the request (200) up to the
 * endpoint's synchronous limit, or with 202 and a job (`domain/jobs/segmentation_job.ts`)
 * above it or when the client sends `Prefer: respond-async` (RFC 7240). The job's result, at
 * `GET /api/jobs/{job_id}/result`, is exactly the body the 200 would have had.
 *
 * @module
 */
import type { Context } from "hono";
import { z } from "zod";
import type { SegmentationEngine } from "../../domain/segmentation/mod.ts";
import { enqueueSegmentation } from "../../domain/jobs/mod.ts";
import {
  customerCount,
  executeSegmentation,
  type SegmentationRequest,
} from "../../domain/segmentation/mod.ts";
import { wrapClientErrors } from "../http/errors.ts";
import type { AppEnv } from "../env.ts";

/** What the segmentation routes need. */
export interface SegmentationDeps {
  kv: Deno.Kv;
  engine: SegmentationEngine;
  clock: () => number;
  /**
   * The request time limit (ms; 0 or absent: none). A request whose estimated work exceeds 80 %
   * of it is answered 202 with a job whatever its size.
   */
  timeoutMs?: number;
}

/**
 * Customers answered in the request, per endpoint family. The EchoIntel-compatible paths
 * (documents 000 and 001, whose SDKs expect a synchronous answer) keep 200k; document 002's
 * records carry any number of fields, so it hands over to a job sooner. Measured on the
 * reference machine (2 cores): 200k customers × 6 features, the automatic job of document 000,
 * in about 21 s, within the 30 s request time limit (docs/jobs.md).
 */
export const SYNC_LIMITS = {
  purchasing: 200_000,
  profiles: 200_000,
  analyze: 50_000,
} as const;

/** The most customers one request may carry (the 202 path; the body limit also applies). */
export const MAX_CUSTOMERS = 1_000_000;

/**
 * Seconds per customer and feature of the automatic job, measured on the reference machine
 * (200k × 6 in about 21 s): the estimate behind `estimated_time_seconds` and behind the 202 of a
 * request too heavy for the time limit.
 */
const SECONDS_PER_CUSTOMER_FEATURE = 1.8e-5;

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
 * Answers `request`: 202 with a job when it is larger than `syncLimit` customers or the client
 * prefers it, else runs it and answers 200 with its body. Input the data cannot support → 422
 * naming `parameter` (or the parameter the domain names).
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
  const n = customerCount(request.task);
  const wanted = prefersAsync(c);
  const estimate = n * featureCount(request) * SECONDS_PER_CUSTOMER_FEATURE;
  // What the request's time limit leaves for computing, with a fifth kept for the rest.
  const budget = deps.timeoutMs ? 0.8 * deps.timeoutMs / 1000 : Infinity;
  if (wanted || n > syncLimit || estimate > budget) {
    const { job } = await enqueueSegmentation(deps.kv, tenantId, request, deps.clock());
    const statusUrl = `/api/jobs/${job.id}`;
    c.header("Location", statusUrl);
    if (wanted) c.header("Preference-Applied", "respond-async");
    return c.json({
      job_id: job.id,
      status: "queued" as const,
      message: wanted
        ? "Queued as asked (Prefer: respond-async); poll status_url, then read result_url"
        : n > syncLimit
        ? `${n} customers is above the ${syncLimit} answered in the request; poll ` +
          "status_url, then read result_url"
        : `About ${Math.ceil(estimate)} s of work is more than the request's time limit ` +
          "allows; poll status_url, then read result_url",
      estimated_time_seconds: Math.max(1, Math.ceil(estimate)),
      status_url: statusUrl,
      result_url: `${statusUrl}/result`,
    }, 202);
  }
  // A RangeError of the computation names input the data cannot support (too few rows for k).
  const body = await wrapClientErrors(
    () => executeSegmentation(deps.kv, tenantId, deps.engine, request, deps.clock),
    { details: { parameter } },
  );
  return c.json(body, 200);
}

function featureCount(request: SegmentationRequest): number {
  const task = request.task;
  switch (task.kind) {
    case "purchasing":
      return 6;
    case "purchasing_v2":
      return 3;
    case "analyze":
    case "workflow":
    case "optimal_k":
      return Math.max(1, Object.keys(task.request.data[0] ?? {}).length);
    case "profiles":
      return Math.max(1, Object.keys(task.data[0]?.features ?? {}).length);
  }
}
