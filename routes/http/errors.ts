/**
 * The one place that turns errors into HTTP responses. Every 4xx and 5xx of the service is
 * written in the error body of the document whose path was asked (`error_shapes.ts`: document
 * 001's `error`, `message`, `code`, `details` on most paths, document 003's envelope on its paths,
 * document 004's human `error` on its paths), always with `request_id`.
 *
 * Only errors that say they are the client's fault become 4xx: a `ClientError`, an
 * `HTTPException` thrown by route code, or a domain error whose class says so (the table of
 * `domain_errors.ts`: `DatasetError`, `AnalyzeInputError`, …). An `UnavailableError` is a 503
 * that is nobody's bug. A `RangeError` or `TypeError` that escapes a handler is a bug until
 * proven otherwise, so it is a 500; a route whose domain call checks client input with such
 * errors wraps the call in `wrapClientErrors`, the one path from a domain error to a 4xx.
 *
 * @module
 */
import type { Context, Hono, MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ClientErrorStatusCode, ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "../env.ts";
import { clientErrorAnswer, unavailableAnswer } from "./domain_errors.ts";
import { errorShapeFor, type ShapedErrorBody, shapeErrorBody } from "./error_shapes.ts";

/** The body of every error response, in any document's shape (`error_shapes.ts`). */
export type ErrorBody = ShapedErrorBody;

/** Options of a `ClientError`. */
export interface ClientErrorOptions {
  /** Structured facts for the body's `details`; null when there are none. */
  details?: Record<string, unknown> | null;
  /** Extra response headers (`Retry-After`, `WWW-Authenticate`, …). */
  headers?: Record<string, string>;
  /** The underlying error, kept for logs; never sent to the client. */
  cause?: unknown;
}

/**
 * An error caused by the request, answered with its own status and error name. Domain and
 * compute-facing code throws it when a request cannot be served as asked.
 *
 * @example
 * ```ts
 * import { ClientError } from "./errors.ts";
 * const error = new ClientError(422, "invalid_parameter", "Expected k in [2, 200] but found 1", {
 *   details: { parameter: "k" },
 * });
 * console.assert(error.status === 422);
 * ```
 */
export class ClientError extends Error {
  override readonly name = "ClientError";
  readonly status: ClientErrorStatusCode;
  /** The body's `error` field. */
  readonly error: string;
  readonly details: Record<string, unknown> | null;
  readonly headers: Record<string, string>;

  constructor(
    status: ClientErrorStatusCode,
    error: string,
    message: string,
    options: ClientErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
    this.status = status;
    this.error = error;
    this.details = options.details ?? null;
    this.headers = options.headers ?? {};
  }

  /** Marks `cause` as the client's fault, keeping its message (default 422 `invalid_parameter`). */
  static from(cause: Error, options: WrapClientErrorsOptions = {}): ClientError {
    const { status, error, details } = { ...WRAP_DEFAULTS, ...options };
    return new ClientError(status, error, cause.message, {
      details: typeof details === "function" ? details(cause) : details,
      cause,
    });
  }
}

/**
 * The service cannot serve the request now, through no fault of the client (a request that ran
 * out of time, a contended store): 503 with its own error name, details and headers (usually
 * `Retry-After`). Not logged as a failure: the thrower logs what is worth logging.
 *
 * @example
 * ```ts
 * import { UnavailableError } from "./errors.ts";
 * const error = new UnavailableError("timeout", "The request took longer than 30000 ms", {
 *   details: { timeout_ms: 30000 },
 * });
 * console.assert(error.status === 503);
 * ```
 */
export class UnavailableError extends Error {
  override readonly name = "UnavailableError";
  readonly status = 503;
  /** The body's `error` field. */
  readonly error: string;
  readonly details: Record<string, unknown> | null;
  readonly headers: Record<string, string>;

  constructor(error: string, message: string, options: ClientErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.error = error;
    this.details = options.details ?? null;
    this.headers = options.headers ?? {};
  }
}

/** Options of `wrapClientErrors` and `ClientError.from`. */
export interface WrapClientErrorsOptions {
  /** Default 422. */
  status?: ClientErrorStatusCode;
  /** Default `invalid_parameter`. */
  error?: string;
  /**
   * The body's `details` (usually `{ parameter }`, the request field the check is about), or a
   * function of the error for a call whose errors may be about one of several fields.
   */
  details?: Record<string, unknown> | null | ((cause: Error) => Record<string, unknown> | null);
  /** The error classes that mean bad input here (default `RangeError`). */
  classes?: readonly (abstract new (...args: never[]) => Error)[];
}

const WRAP_DEFAULTS = {
  status: 422 as ClientErrorStatusCode,
  error: "invalid_parameter",
  details: null,
  classes: [RangeError],
} satisfies Required<WrapClientErrorsOptions>;

/**
 * Runs `fn` (synchronous or not), rethrowing as `ClientError`s: errors of the listed classes
 * (default `RangeError`), with their own message and `options`' status, name and details; and
 * the domain's client errors (`clientErrorAnswer`), with their own answer. Wrap only calls whose
 * `RangeError`s describe the request (parameter checks, input the data cannot support), never
 * code whose `RangeError` would be a bug: it would be blamed on the client.
 *
 * @example
 * ```ts
 * import { ClientError, wrapClientErrors } from "./errors.ts";
 * const checkK = (k: number) => {
 *   if (k < 2) throw new RangeError(`Expected k to be at least 2 but found ${k}`);
 * };
 * try {
 *   wrapClientErrors(() => checkK(1), { details: { parameter: "k" } });
 * } catch (error) {
 *   console.assert(error instanceof ClientError && error.status === 422);
 * }
 * ```
 */
export function wrapClientErrors<T>(
  fn: () => Promise<T>,
  options?: WrapClientErrorsOptions,
): Promise<T>;
export function wrapClientErrors<T>(fn: () => T, options?: WrapClientErrorsOptions): T;
export function wrapClientErrors<T>(
  fn: () => T | Promise<T>,
  options: WrapClientErrorsOptions = {},
): T | Promise<T> {
  let result: T | Promise<T>;
  try {
    result = fn();
  } catch (error) {
    throw asClientError(error, options);
  }
  return result instanceof Promise
    ? result.catch((error) => {
      throw asClientError(error, options);
    })
    : result;
}

/** `error` as the `ClientError` it amounts to under `options`, or itself. */
function asClientError(error: unknown, options: WrapClientErrorsOptions): unknown {
  const answer = clientErrorAnswer(error);
  if (answer) {
    return new ClientError(answer.status, answer.error, answer.message, {
      details: answer.details,
      cause: error,
    });
  }
  const classes = options.classes ?? WRAP_DEFAULTS.classes;
  if (error instanceof Error && classes.some((kind) => error instanceof kind)) {
    return ClientError.from(error, options);
  }
  return error;
}

/** Options of `installErrorHandlers`. */
export interface ErrorHandlerOptions {
  /** Receives one line per 5xx, with the request id and the stack (default `console.error`). */
  logger?: (line: string) => void;
  /** Epoch ms, for document 003's `metadata.timestamp` (default `Date.now`). */
  clock?: () => number;
}

/**
 * Sets `app.onError` and `app.notFound` so that every error, unknown path and wrong method is
 * answered in the error body. Routes added to `app` later are covered too; a sub-app mounted with
 * `app.route()` is covered as long as it sets no `onError` of its own.
 */
export function installErrorHandlers(app: Hono<AppEnv>, options: ErrorHandlerOptions = {}): void {
  const log = options.logger ?? console.error;
  const clock = options.clock ?? Date.now;
  app.onError((error, c) => respondToError(error, c, log, clock()));
  app.notFound((c) => {
    const allowed = allowedMethods(app, c.req.path);
    if (allowed.length > 0 && !allowed.includes(c.req.method)) {
      const list = allowed.join(", ");
      return errorResponse(
        c,
        405,
        "method_not_allowed",
        `${c.req.method} is not allowed here; allowed: ${list}`,
        { allowed },
        { Allow: list },
        clock(),
      );
    }
    const message = `Nothing at ${c.req.method} ${clip(c.req.path)}`;
    return errorResponse(c, 404, "not_found", message, null, {}, clock());
  });
}

/**
 * Middleware that turns a thrown non-`Error` value into an `Error`: Hono hands only `Error`s to
 * `onError`, and anything else would escape as the runtime's bare 500.
 */
export const normaliseThrown: MiddlewareHandler = async (_c, next) => {
  try {
    await next();
  } catch (thrown) {
    if (thrown instanceof Error) throw thrown;
    throw new Error(`A non-Error value was thrown: ${String(thrown)}`, { cause: thrown });
  }
};

/**
 * Builds an error response in the error body of the path's document (`errorShapeFor`), with
 * `X-Request-Id` set. `error` is the snake_case name the thrower gave; the body's `code` is made
 * from it (`errorCode`). For the handlers above and for the rare route that must answer an error
 * without throwing.
 */
export function errorResponse(
  c: Context<AppEnv>,
  status: ContentfulStatusCode,
  error: string,
  message: string,
  details: Record<string, unknown> | null = null,
  headers: Record<string, string> = {},
  now: number = Date.now(),
): Response {
  const requestId = currentRequestId(c);
  const shaped = shapeErrorBody(errorShapeFor(c.req.path), {
    status,
    name: error,
    message,
    details,
    requestId,
    headers,
    now,
  });
  return c.json(shaped.body, shaped.status as ContentfulStatusCode, {
    ...headers,
    "Content-Type": "application/json; charset=UTF-8",
    "X-Request-Id": requestId,
  });
}

/** The `error` name used for a status when the thrower gave none. */
export function errorName(status: number): string {
  return ERROR_NAMES[status] ?? (status < 500 ? "client_error" : "server_error");
}

const ERROR_NAMES: Record<number, string> = {
  400: "bad_request",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  405: "method_not_allowed",
  406: "not_acceptable",
  408: "request_timeout",
  409: "conflict",
  410: "gone",
  411: "length_required",
  413: "payload_too_large",
  414: "uri_too_long",
  415: "unsupported_media_type",
  422: "unprocessable_entity",
  429: "rate_limited",
  431: "headers_too_large",
  500: "internal_error",
  501: "not_implemented",
  502: "bad_gateway",
  503: "service_unavailable",
  504: "timeout",
};

const INTERNAL_MESSAGE = "An unexpected error occurred; quote the request id when reporting it";

function respondToError(
  error: Error,
  c: Context<AppEnv>,
  log: (line: string) => void,
  now: number,
): Response {
  if (error instanceof ClientError || error instanceof UnavailableError) {
    return errorResponse(
      c,
      error.status,
      error.error,
      error.message,
      error.details,
      error.headers,
      now,
    );
  }
  const answer = clientErrorAnswer(error);
  if (answer) {
    return errorResponse(c, answer.status, answer.error, answer.message, answer.details, {}, now);
  }
  const unavailable = unavailableAnswer(error);
  if (unavailable) {
    const { status, error: name, message, details, headers } = unavailable;
    return errorResponse(c, status, name, message, details, headers, now);
  }
  if (error instanceof HTTPException) {
    // A non-error status (a redirect thrown as an exception) keeps the thrower's own response.
    if (error.status < 400) return error.getResponse();
    if (error.status >= 500) logFailure(log, c, error);
    const message = error.message || `Request failed with status ${error.status}`;
    return errorResponse(
      c,
      error.status,
      errorName(error.status),
      message,
      null,
      carriedHeaders(error.res),
      now,
    );
  }
  logFailure(log, c, error);
  return errorResponse(
    c,
    500,
    "internal_error",
    INTERNAL_MESSAGE,
    {
      request_id: currentRequestId(c),
    },
    {},
    now,
  );
}

function logFailure(log: (line: string) => void, c: Context<AppEnv>, error: Error): void {
  const cause = error.cause instanceof Error ? `\ncaused by: ${error.cause.stack}` : "";
  log(
    `[${currentRequestId(c)}] ${c.req.method} ${clip(c.req.path)} failed: ${error.stack}${cause}`,
  );
}

/** Headers such as `WWW-Authenticate` that a middleware put on its exception's response. */
function carriedHeaders(res: Response | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of res?.headers ?? []) {
    if (name !== "content-type" && name !== "content-length") headers[name] = value;
  }
  return headers;
}

/** The methods with a route at `path`, not counting middleware (registered for every method). */
function allowedMethods(app: Hono<AppEnv>, path: string): string[] {
  const allowed = ROUTABLE_METHODS.filter((method) =>
    app.router.match(method, path)[0].some(([[, route]]) => route.method !== "ALL")
  );
  if (allowed.includes("GET")) allowed.push("HEAD");
  return allowed;
}

const ROUTABLE_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

function currentRequestId(c: Context<AppEnv>): string {
  // Unset only where the request-id middleware never ran (an app built without `createApp`).
  let id = c.get("requestId");
  if (!id) {
    id = crypto.randomUUID();
    c.set("requestId", id);
  }
  return id;
}

/** Paths are echoed in messages; a long one is cut so the body stays small. */
function clip(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
