/**
 * Whether a segmentation request is answered in the request or queued as a job, and the cost
 * model behind it: one rule for every endpoint that segments (documents 000–004).
 *
 * @module
 */
import type { EngineTask } from "./engine.ts";
import { customerCount } from "./execute.ts";
import { workflowFields } from "./workflow_run.ts";

/**
 * Decides how a request of `customers` × `features` is answered:
 * - `job` with reason `client_preference` when the client asked for an asynchronous answer;
 * - `job`, `job_only`, when the endpoint answers every request with a job (`syncLimit` 0);
 * - `job`, `above_sync_limit`, above the endpoint's `syncLimit` customers;
 * - `job`, `over_time_budget`, when the estimated work (`estimateSeconds`) exceeds
 *   `TIME_BUDGET_SHARE` of the request time limit (`timeLimitMs`; 0 or absent: none);
 * - else `sync`, `within_limits`.
 * The reasons are checked in that order. Pure: the same input always gets the same answer.
 */
export function answerMode(input: AnswerModeInput): AnswerMode {
  const estimate = estimateSeconds(input.customers, input.features);
  const budget = input.timeLimitMs ? TIME_BUDGET_SHARE * input.timeLimitMs / 1000 : Infinity;
  const reason: AnswerModeReason = input.prefersAsync
    ? "client_preference"
    : input.syncLimit === 0
    ? "job_only"
    : input.customers > input.syncLimit
    ? "above_sync_limit"
    : estimate > budget
    ? "over_time_budget"
    : "within_limits";
  return {
    mode: reason === "within_limits" ? "sync" : "job",
    reason,
    // Whole seconds, at least one: what a client waits before its first poll.
    estimatedSeconds: Math.max(1, Math.ceil(estimate)),
  };
}

/** What `answerMode` decides from. */
export interface AnswerModeInput {
  /** Customers (records) in the request. */
  customers: number;
  /** Fields per customer that the computation reads (`taskSize`). */
  features: number;
  /** The most customers the endpoint answers in the request (`SYNC_LIMITS`); 0: none. */
  syncLimit: number;
  /** The request time limit in ms; 0 or absent: none. */
  timeLimitMs?: number;
  /** The client asked for an asynchronous answer (HTTP: `Prefer: respond-async`). */
  prefersAsync: boolean;
}

/** Why a request is answered as it is (see `answerMode`). */
export type AnswerModeReason =
  | "client_preference"
  | "job_only"
  | "above_sync_limit"
  | "over_time_budget"
  | "within_limits";

/** `answerMode`'s decision. */
export interface AnswerMode {
  mode: "sync" | "job";
  reason: AnswerModeReason;
  /** The estimated work in whole seconds, at least 1 (`estimateSeconds` rounded up). */
  estimatedSeconds: number;
}

/**
 * Customers answered in the request, per endpoint family. The EchoIntel-compatible paths
 * (documents 000 and 001, whose SDKs expect a synchronous answer) keep 200k; document 002's
 * records (and document 004's dataset) carry any number of fields, so they hand over to a job
 * sooner; document 003's `POST /api/clusters/run` always answers with a job. Measured on the
 * reference machine (2 cores): 200k customers × 6 features, the automatic job of document 000,
 * in about 21 s, within the 30 s request time limit (docs/jobs.md).
 */
export const SYNC_LIMITS = {
  purchasing: 200_000,
  profiles: 200_000,
  analyze: 50_000,
  clustersRun: 0,
} as const;

/** The most customers one request may carry (the job path; the body limit also applies). */
export const MAX_CUSTOMERS = 1_000_000;

/**
 * Seconds per customer and feature of the automatic job, measured on the reference machine
 * (200k × 6 in about 21 s).
 */
export const SECONDS_PER_CUSTOMER_FEATURE = 1.8e-5;

/** The share of the request time limit that computing may take; the rest is kept for the I/O. */
export const TIME_BUDGET_SHARE = 0.8;

/** The estimated seconds of computing `customers` × `features` (`SECONDS_PER_CUSTOMER_FEATURE`). */
export function estimateSeconds(customers: number, features: number): number {
  return customers * features * SECONDS_PER_CUSTOMER_FEATURE;
}

/**
 * The size of `task` for `answerMode`: its customers, and the fields per customer the
 * computation reads (fixed for documents 000's two shapes; the first record's fields, at least
 * one, for records of any shape).
 */
export function taskSize(task: EngineTask): { customers: number; features: number } {
  return { customers: customerCount(task), features: featureCount(task) };
}

function featureCount(task: EngineTask): number {
  switch (task.kind) {
    case "purchasing":
      return 6;
    case "purchasing_v2":
      return 3;
    case "analyze":
      return Math.max(1, Object.keys(task.request.data[0] ?? {}).length);
    case "workflow":
    case "optimal_k":
      return Math.max(1, workflowFields(task.request));
    case "profiles":
      return Math.max(1, Object.keys(task.data[0]?.features ?? {}).length);
  }
}
