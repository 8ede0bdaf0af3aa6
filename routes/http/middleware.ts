/**
 * Cross-cutting HTTP middleware of the app: CORS from an allow-list, a time limit on requests,
 * and the structured access log.
 *
 * @module
 */
import type { Context, MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import { matchedRoutes } from "hono/route";
import { UnavailableError } from "./errors.ts";
import type { AppEnv } from "../env.ts";

/** Options of `corsFor`. */
export interface CorsOptions {
  /**
   * Origins allowed to call the API from a browser, exactly as browsers send them
   * (`https://app.example.com`, no path, no trailing slash). `"*"` allows every origin.
   */
  origins: readonly string[];
  /** How long a browser may cache a preflight answer (default 600 s). */
  maxAgeSeconds?: number;
  /**
   * Only requests that carry credentials (`Authorization`, `X-API-Key`, `X-Secret`), and
   * preflights that announce one in `Access-Control-Request-Headers`, get CORS headers. For open
   * mode, where a request without credentials acts as the local tenant: any web page could read
   * that tenant's data otherwise.
   */
  credentialedOnly?: boolean;
}

/**
 * The CORS the app gets when none is configured: document 004's "CORS is enabled for all
 * origins", as `Access-Control-Allow-Origin: *` (never a reflected origin, never credentials),
 * for token-authenticated use. In open mode (`open`), only requests that carry credentials get
 * it, so an anonymous request, served as the local tenant, stays same-origin.
 *
 * @example
 * ```ts
 * import { defaultCors } from "./middleware.ts";
 * console.assert(defaultCors({ open: false }).origins[0] === "*");
 * console.assert(defaultCors({ open: true }).credentialedOnly === true);
 * ```
 */
export function defaultCors(mode: { open: boolean }): CorsOptions {
  return { origins: ["*"], credentialedOnly: mode.open };
}

/** The request headers that carry credentials (the three ways to authenticate). */
const CREDENTIAL_HEADERS = ["authorization", "x-api-key", "x-secret"] as const;

/** Whether a request carries credentials, or (a preflight) announces that it will. */
function carriesCredentials(c: Context): boolean {
  if (CREDENTIAL_HEADERS.some((name) => c.req.header(name) !== undefined)) return true;
  const announced = (c.req.header("Access-Control-Request-Headers") ?? "").toLowerCase()
    .split(",").map((name) => name.trim());
  return CREDENTIAL_HEADERS.some((name) => announced.includes(name));
}

/**
 * Parses an allow-list of origins written comma-separated (the `CORS_ORIGINS` setting): each an
 * origin as browsers send it (`https://app.example.com`, `http://localhost:5173`), or `*` alone.
 * Blanks around commas are ignored; an empty text is an empty list.
 *
 * @throws {RangeError} naming the first entry that is not an origin (a path, a trailing slash, a
 * scheme other than http or https, a wildcard inside a host).
 *
 * @example
 * ```ts
 * import { parseOrigins } from "./middleware.ts";
 * const origins = parseOrigins("https://app.example.com, http://localhost:5173");
 * console.assert(origins.length === 2);
 * ```
 */
export function parseOrigins(text: string): string[] {
  const origins = text.split(",").map((entry) => entry.trim()).filter((entry) => entry !== "");
  for (const origin of origins) {
    if (origin === "*") continue;
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      // Reported below with the expected form.
    }
    if (
      !parsed || !/^https?:$/.test(parsed.protocol) || parsed.origin !== origin ||
      parsed.hostname.includes("*")
    ) {
      throw new RangeError(
        `Expected an origin such as "https://app.example.com" (scheme, host and port only) or ` +
          `"*" but found "${origin}"`,
      );
    }
  }
  return origins;
}

/**
 * The client's address as the rate limiter and the login limits key it: the socket's remote
 * address (which Deno's server passes to Hono as its env), or, with `trustProxy`, the first
 * address of `X-Forwarded-For` (only behind a proxy that sets it: anyone can send the header).
 * `"unknown"` when neither is there (requests made with `app.request()`).
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { clientAddressFrom } from "./middleware.ts";
 * const address = clientAddressFrom({ trustProxy: true });
 * const app = new Hono().get("/", (c) => c.text(address(c)));
 * const res = await app.request("/", { headers: { "X-Forwarded-For": "198.51.100.7, 10.0.0.1" } });
 * console.assert((await res.text()) === "198.51.100.7");
 * ```
 */
export function clientAddressFrom(
  options: { trustProxy?: boolean } = {},
): (c: Context) => string {
  return (c) => {
    if (options.trustProxy) {
      const first = c.req.header("X-Forwarded-For")?.split(",")[0]?.trim();
      if (first) return first.slice(0, 100);
    }
    const env = c.env as { remoteAddr?: { hostname?: string } } | undefined;
    return env?.remoteAddr?.hostname ?? "unknown";
  };
}

/** Request headers a browser client may send (the three ways to authenticate among them). */
export const CORS_ALLOWED_HEADERS = [
  "Accept-Language",
  "Authorization",
  "Content-Type",
  "X-API-Key",
  "X-Customer-Api-Id",
  "X-Request-Id",
  "X-Secret",
];

/** Response headers a browser client may read. */
export const CORS_EXPOSED_HEADERS = [
  "X-Request-Id",
  "X-RateLimit-Limit",
  "X-RateLimit-Remaining",
  "X-RateLimit-Reset",
  "RateLimit",
  "RateLimit-Policy",
  "Retry-After",
];

/**
 * CORS for the allow-listed origins only: a request from another origin gets no
 * `Access-Control-Allow-Origin` (so the browser withholds the response), and a preflight is
 * answered 204 before authentication and rate limiting. With `credentialedOnly`, a request
 * without credentials gets no CORS header either. Credentials (cookies) are never allowed:
 * the API authenticates with headers, and credentials with a reflected origin would let any
 * listed site's XSS act as the user (GHSA-88fw-hqm2-52qc is that bug in Hono's own `cors`).
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { corsFor } from "./middleware.ts";
 * const app = new Hono().use(corsFor({ origins: ["https://app.example.com"] }));
 * app.get("/", (c) => c.text("ok"));
 * const res = await app.request("/", { headers: { Origin: "https://evil.example" } });
 * console.assert(res.headers.get("Access-Control-Allow-Origin") === null);
 * ```
 */
export function corsFor(options: CorsOptions): MiddlewareHandler {
  const anyOrigin = options.origins.includes("*");
  const allowed = new Set(options.origins);
  return cors({
    origin: (origin, c) => {
      if (options.credentialedOnly && !carriesCredentials(c)) return null;
      return anyOrigin ? "*" : allowed.has(origin) ? origin : null;
    },
    allowMethods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
    allowHeaders: CORS_ALLOWED_HEADERS,
    exposeHeaders: CORS_EXPOSED_HEADERS,
    maxAge: options.maxAgeSeconds ?? 600,
    credentials: false,
  });
}

/**
 * Answers 503 `timeout` in the error body when the rest of the chain has not answered within
 * `ms` milliseconds. The handler is not stopped (JavaScript cannot cancel it): its work goes on
 * and its answer is dropped, so anything that may run long belongs in a job (202 and a job id),
 * not in a request.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { requestTimeout } from "./middleware.ts";
 * const app = new Hono().use(requestTimeout(30_000));
 * ```
 */
export function requestTimeout(ms: number): MiddlewareHandler {
  return async (_c, next) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<true>((resolve) => {
      timer = setTimeout(() => resolve(true), ms);
    });
    const work = next();
    try {
      if (await Promise.race([work.then(() => false), expired])) {
        // The abandoned chain may still fail; its error has nowhere to go.
        work.catch(() => {});
        throw new UnavailableError(
          "timeout",
          `The request took longer than ${ms} ms; long work must be submitted as a job`,
          { details: { timeout_ms: ms } },
        );
      }
    } finally {
      clearTimeout(timer);
    }
  };
}

/** One line of the access log, written as JSON. */
export interface AccessLogEntry {
  /** ISO 8601 time the request arrived (the app's clock). */
  ts: string;
  request_id: string;
  /** The principal's tenant, or null for unauthenticated requests. */
  tenant: string | null;
  method: string;
  /** The matched route pattern (`/api/runs/:id`), never the raw path; null when none matched. */
  route: string | null;
  status: number;
  /** Milliseconds from arrival to the response, to 0.1 ms. */
  ms: number;
}

/**
 * Writes one JSON line per request to `sink` once the response is ready: an `AccessLogEntry`.
 * The route is the pattern, not the path, so the log holds no ids from paths and groups by
 * endpoint; query strings and bodies are never logged. Install it right after the request id,
 * so that it sees every response, errors included.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { accessLog } from "./middleware.ts";
 * const lines: string[] = [];
 * const app = new Hono().use(accessLog((line) => lines.push(line)));
 * ```
 */
export function accessLog(
  sink: (line: string) => void,
  clock: () => number = Date.now,
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const ts = new Date(clock()).toISOString();
    const started = performance.now();
    let status = 500;
    try {
      await next();
      status = c.res.status;
    } finally {
      const entry: AccessLogEntry = {
        ts,
        request_id: c.get("requestId"),
        tenant: c.get("principal")?.tenantId ?? null,
        method: c.req.method,
        route: handlerPattern(c),
        status,
        ms: Math.round((performance.now() - started) * 10) / 10,
      };
      sink(JSON.stringify(entry));
    }
  };
}

// The route that answered, or, when a middleware answered first (a 429, a 413), the route the
// request was headed for. Middleware is registered for every method ("ALL"); routes have one.
function handlerPattern(c: Parameters<MiddlewareHandler>[0]): string | null {
  const routes = matchedRoutes(c);
  return routes.slice(c.req.routeIndex).find((route) => route.method !== "ALL")?.path ?? null;
}
