/**
 * The errors of the domain (and of the request parsers) that say by their class that the request
 * is at fault, with the HTTP answer each deserves. `errors.ts` reads this table on both of its
 * paths: `wrapClientErrors` and the app's error handler, so a route never translates one by hand.
 *
 * This module imports no route code, so `errors.ts` can use it without an import cycle.
 *
 * @module
 */
import type { ClientErrorStatusCode } from "hono/utils/http-status";
import { DatasetError } from "../../domain/datasets/mod.ts";
import { AnalyzeInputError } from "../../domain/segmentation/mod.ts";
import { MissingColumnsError } from "../../domain/segments/mod.ts";
import { SessionPrerequisiteError } from "../../domain/workflow/mod.ts";
import { StoreUnavailable } from "../../storage/mod.ts";
import { MultipartError } from "./multipart.ts";

/** How a client-caused error is answered: status, the body's `error`, `message` and `details`. */
export interface ClientErrorAnswer {
  status: ClientErrorStatusCode;
  error: string;
  message: string;
  details: Record<string, unknown> | null;
}

/**
 * The answer `error` deserves when its class marks it as the client's fault, else null (a plain
 * `RangeError` is not marked: only the route knows whether it describes the request).
 *
 * | class                      | status               | `error`             | `details`                              |
 * | -------------------------- | -------------------- | ------------------- | -------------------------------------- |
 * | `DatasetError`             | its own (400/413/422) | its `code`          | `row`, `column`, `issues` where known  |
 * | `AnalyzeInputError`        | 422                  | `invalid_parameter` | `parameter`                            |
 * | `MissingColumnsError`      | 400                  | `missing_columns`   | `segmentation_type`, `missing_columns` |
 * | `SessionPrerequisiteError` | 400 | `no_data` / `no_clustering` | null                           |
 * | `MultipartError`           | 400                  | `invalid_multipart` | null                                   |
 */
export function clientErrorAnswer(error: unknown): ClientErrorAnswer | null {
  if (error instanceof DatasetError) {
    return {
      status: error.status,
      error: error.code,
      message: error.message,
      details: {
        ...(error.row !== undefined ? { row: error.row } : {}),
        ...(error.column !== undefined ? { column: error.column } : {}),
        ...(error.issues !== undefined ? { issues: error.issues } : {}),
        ...(error.issueCount !== undefined && error.issueCount > (error.issues?.length ?? 0)
          ? { truncated: true, issue_count: error.issueCount }
          : {}),
      },
    };
  }
  if (error instanceof AnalyzeInputError) {
    return {
      status: 422,
      error: "invalid_parameter",
      message: error.message,
      details: { parameter: error.parameter },
    };
  }
  if (error instanceof MissingColumnsError) {
    return {
      status: 400,
      error: "missing_columns",
      message: error.message,
      details: { parameter: "type", segmentation_type: error.type, missing_columns: error.missing },
    };
  }
  if (error instanceof SessionPrerequisiteError) {
    return { status: 400, error: error.code, message: error.message, details: null };
  }
  if (error instanceof MultipartError) {
    return { status: 400, error: "invalid_multipart", message: error.message, details: null };
  }
  return null;
}

/** How an error that is nobody's fault but the moment's is answered: 503 with `Retry-After`. */
export interface UnavailableAnswer {
  status: 503;
  error: string;
  message: string;
  details: Record<string, unknown>;
  headers: Record<string, string>;
}

/**
 * The 503 that `error` deserves when it, or an error in its `cause` chain, is `StoreUnavailable`
 * (the store stayed contended through every retry: several instances on one SQLite file), else
 * null. Answered `store_unavailable` with `Retry-After` in whole seconds, never a 500.
 */
export function unavailableAnswer(error: unknown): UnavailableAnswer | null {
  for (let e = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (!(e instanceof StoreUnavailable)) continue;
    const seconds = Math.max(1, Math.ceil(e.retryAfterMs / 1000));
    return {
      status: 503,
      error: "store_unavailable",
      message: `${e.message} (${seconds} s)`,
      details: { retry_after_seconds: seconds },
      headers: { "Retry-After": String(seconds) },
    };
  }
  return null;
}
