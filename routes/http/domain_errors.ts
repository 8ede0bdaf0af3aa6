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
 * | `DatasetError`             | its own (400/413/422) | its `code`          | `row`, `column` where known            |
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
