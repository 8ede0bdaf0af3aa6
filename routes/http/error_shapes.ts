/**
 * Each document's own error body, chosen by the request's path. One error (a status, a
 * snake_case name, a message, details) is written in the shape the document of that path shows:
 *
 * | shape       | paths                                                    | `error` holds          | adds                                           |
 * | ----------- | -------------------------------------------------------- | ---------------------- | ---------------------------------------------- |
 * | `echointel` | documents 000, 001, 002 and every platform route         | a title (`Validation failed`, `Unauthorized`, …) | —                    |
 * | `envelope`  | document 003's (`/api/segments`, `/api/clusters`, …)      | a title                | `success: false`, `metadata`, `retry_after_seconds` |
 * | `workflow`  | document 004's (`/api/upload`, `/api/cluster`, …)         | the human message      | —                                              |
 *
 * Every shape carries the same common fields: `message`, `code` (a string such as
 * `MISSING_PARAMETER`, `AUTH_FAILED`, `NOT_FOUND`, `RATE_LIMITED`), `status` (the HTTP status),
 * `details`, `request_id`, and `errors` (field → messages) on every 422 and wherever
 * `details.issues` lists fields. Documents 003 and 004 list no 422: on their paths a 422 is
 * answered 400, their "invalid parameters".
 *
 * This module imports no route code, so `errors.ts` can use it without an import cycle.
 *
 * @module
 */

/** The three error bodies: document 001's, document 003's envelope, document 004's. */
export type ErrorShape = "echointel" | "envelope" | "workflow";

/** Document 004's paths (all methods): its error is `{"error": "<a human message>"}`. */
export const WORKFLOW_PATHS: ReadonlySet<string> = new Set([
  "/api/upload",
  "/api/data-quality",
  "/api/optimal-clusters",
  "/api/cluster",
  "/api/cluster-data",
  "/api/visualizations",
  "/api/correlation-matrix",
  "/api/export",
  "/api/reset",
]);

/** Document 003's paths: these and everything under them (`/api/export` alone is 004's). */
const ENVELOPE_PREFIXES = [
  "/api/segments",
  "/api/clusters",
  "/api/customers",
  "/api/insights",
  "/api/exports",
] as const;

/**
 * The shape of the errors answered at `path`: `workflow` for document 004's paths, `envelope`
 * for document 003's (`/api/segments…`, `/api/clusters…`, `/api/customers…`, `/api/insights…`,
 * `/api/export/…`, `/api/exports…`), `echointel` (document 001's) for every other path.
 *
 * @example
 * ```ts
 * import { errorShapeFor } from "./error_shapes.ts";
 * console.assert(errorShapeFor("/api/cluster") === "workflow");
 * console.assert(errorShapeFor("/api/clusters/run") === "envelope");
 * console.assert(errorShapeFor("/api/v1/ai/purchasing_segmentation") === "echointel");
 * ```
 */
export function errorShapeFor(path: string): ErrorShape {
  const trimmed = path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
  if (WORKFLOW_PATHS.has(trimmed)) return "workflow";
  if (trimmed.startsWith("/api/export/")) return "envelope";
  const under = (prefix: string) => trimmed === prefix || trimmed.startsWith(`${prefix}/`);
  return ENVELOPE_PREFIXES.some(under) ? "envelope" : "echointel";
}

/** One error as the service knows it, before it is written in a document's shape. */
export interface ErrorFacts {
  status: number;
  /** The snake_case name the thrower gave (`validation_error`, `not_found`, `no_data`, …). */
  name: string;
  message: string;
  details: Record<string, unknown> | null;
  requestId: string;
  /** The response's headers so far (`Retry-After` is read for document 003's 429). */
  headers: Record<string, string>;
  /** Epoch ms, for document 003's `metadata.timestamp`. */
  now: number;
}

/** An error body in any of the three shapes (the fields every shape has, then the extras). */
export interface ShapedErrorBody {
  /** Document 001 and 003: a short title; document 004: the human message. */
  error: string;
  /** One human sentence. */
  message: string;
  /** A string code: `MISSING_PARAMETER`, `INVALID_PARAMETER`, `AUTH_FAILED`, … */
  code: string;
  /** The HTTP status, repeated for clients that only see the body. */
  status: number;
  details: Record<string, unknown> | null;
  request_id: string;
  /** Field → messages: on every 422, and wherever `details.issues` lists fields. */
  errors?: Record<string, string[]>;
  /** Document 003's envelope. */
  success?: false;
  /** Document 003's 429 (and any 503 with `Retry-After`). */
  retry_after_seconds?: number;
  metadata?: { request_id: string; timestamp: string; api_version: string };
}

/** Document 003's `api_version` (the envelope's). */
const API_VERSION = "1.0";

/**
 * The status and body of `facts` in `shape`. The status changes only where the document lists
 * no such status: a 422 on document 003's or 004's paths is a 400.
 *
 * @example
 * ```ts
 * import { shapeErrorBody } from "./error_shapes.ts";
 * const { status, body } = shapeErrorBody("echointel", {
 *   status: 401, name: "unauthorized", message: "Invalid or expired authentication token",
 *   details: null, requestId: "r1", headers: {}, now: 0,
 * });
 * console.assert(status === 401 && body.error === "Unauthorized" && body.code === "AUTH_FAILED");
 * ```
 */
export function shapeErrorBody(
  shape: ErrorShape,
  facts: ErrorFacts,
): { status: number; body: ShapedErrorBody } {
  const status = shape !== "echointel" && facts.status === 422 ? 400 : facts.status;
  const code = errorCode(facts.name, facts.details);
  const body: ShapedErrorBody = {
    error: shape === "workflow" ? facts.message : errorTitle(facts.status, facts.name),
    message: facts.message,
    code,
    status,
    details: facts.details,
    request_id: facts.requestId,
  };
  const errors = fieldErrors(facts.details, facts.message, facts.status === 422);
  if (errors) body.errors = errors;
  if (shape === "envelope") {
    const retry = retryAfterSeconds(facts);
    return {
      status,
      body: {
        success: false,
        ...body,
        ...(retry !== null ? { retry_after_seconds: retry } : {}),
        metadata: {
          request_id: facts.requestId,
          timestamp: new Date(facts.now).toISOString(),
          api_version: API_VERSION,
        },
      },
    };
  }
  return { status, body };
}

/**
 * The string code of an error named `name`: `MISSING_PARAMETER` for a validation failure whose
 * first issue is a missing field, `INVALID_PARAMETER` for any other validation failure,
 * `AUTH_FAILED` for `unauthorized`, and the name in upper case otherwise (`NOT_FOUND`,
 * `RATE_LIMITED`, `PAYLOAD_TOO_LARGE`, `FORBIDDEN`, `NO_DATA`, …).
 */
export function errorCode(name: string, details: Record<string, unknown> | null): string {
  if (name === "validation_error" || name === "invalid_parameter") {
    const issues = details?.issues;
    const first = Array.isArray(issues) ? issues[0] : undefined;
    return first?.code === "missing" ? "MISSING_PARAMETER" : "INVALID_PARAMETER";
  }
  return CODES[name] ?? name.toUpperCase();
}

const CODES: Record<string, string> = {
  unauthorized: "AUTH_FAILED",
  internal_error: "INTERNAL_ERROR",
};

/**
 * The short title of document 001's `error` (and document 003's): `Validation failed` for a
 * validation failure or any 422, otherwise the status's reason phrase (`Unauthorized`,
 * `Not Found`, `Too Many Requests`, …).
 */
export function errorTitle(status: number, name: string): string {
  if (name === "validation_error" || name === "invalid_parameter" || status === 422) {
    return "Validation failed";
  }
  return TITLES[status] ?? (status < 500 ? "Bad Request" : "Internal Server Error");
}

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  406: "Not Acceptable",
  408: "Request Timeout",
  409: "Conflict",
  410: "Gone",
  411: "Length Required",
  413: "Payload Too Large",
  414: "URI Too Long",
  415: "Unsupported Media Type",
  429: "Too Many Requests",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/**
 * Field → messages (the Laravel-style map EchoIntel's SDKs read): one entry per path of
 * `details.issues`; without issues, on a 422 (`always`), the message under `details.parameter`
 * (or `details.column`, else `request`). Null when there is nothing to say.
 */
export function fieldErrors(
  details: Record<string, unknown> | null,
  message: string,
  always: boolean,
): Record<string, string[]> | null {
  const issues = details?.issues;
  // A Map, not a plain object: paths are the client's keys (`constructor`, `__proto__`).
  const errors = new Map<string, string[]>();
  if (Array.isArray(issues)) {
    for (const issue of issues) {
      if (typeof issue?.path !== "string" || typeof issue?.message !== "string") continue;
      const messages = errors.get(issue.path);
      if (messages) messages.push(issue.message);
      else errors.set(issue.path, [issue.message]);
    }
  }
  if (errors.size === 0) {
    if (!always) return null;
    const field = [details?.parameter, details?.column].find((v) =>
      typeof v === "string" && v !== ""
    );
    errors.set(typeof field === "string" ? field : "request", [message]);
  }
  // fromEntries defines own properties, so even "__proto__" becomes a plain key of the body.
  return Object.fromEntries(errors);
}

function retryAfterSeconds(facts: ErrorFacts): number | null {
  const fromDetails = facts.details?.retry_after_seconds;
  if (typeof fromDetails === "number") return fromDetails;
  const header = Object.entries(facts.headers).find(([k]) => k.toLowerCase() === "retry-after");
  const seconds = header ? Number(header[1]) : NaN;
  if (Number.isFinite(seconds)) return seconds;
  return facts.status === 429 ? 1 : null;
}
