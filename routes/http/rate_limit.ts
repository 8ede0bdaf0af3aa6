/**
 * Rate limits per principal and endpoint class (document 003, 4): the HTTP side of the GCRA
 * limiter in `domain/auth/rate_limit.ts`. Each principal has one bucket per class, kept in KV, so the
 * limits hold across instances sharing the store.
 *
 * @module
 */
import type { Context, MiddlewareHandler } from "hono";
import {
  consume,
  type RateDecision,
  RateLimitContention,
  type RatePolicy,
} from "../../domain/auth/mod.ts";
import { ClientError, UnavailableError } from "./errors.ts";
import { clientAddressFrom } from "./middleware.ts";
import type { AppEnv, Principal } from "../env.ts";

export type { RatePolicy } from "../../domain/auth/mod.ts";

/** The endpoint classes of document 003, each with its own bucket per principal. */
export type RateLimitClass = "default" | "clusters_run" | "export";

/** Every class, in the order of `RATE_LIMIT_ENV`. */
export const RATE_LIMIT_CLASSES: readonly RateLimitClass[] = ["default", "clusters_run", "export"];

const HOUR_MS = 3_600_000;

/** Document 003's limits: 100 requests an hour, 10 for clustering runs, 20 for exports. */
export const DEFAULT_RATE_LIMITS: Readonly<Record<RateLimitClass, RatePolicy>> = {
  default: { limit: 100, periodMs: HOUR_MS },
  clusters_run: { limit: 10, periodMs: HOUR_MS },
  export: { limit: 20, periodMs: HOUR_MS },
};

/** The environment variable that overrides each class's policy (format of `parseRatePolicy`). */
export const RATE_LIMIT_ENV: Readonly<Record<RateLimitClass, string>> = {
  default: "RATE_LIMIT_DEFAULT",
  clusters_run: "RATE_LIMIT_CLUSTERS_RUN",
  export: "RATE_LIMIT_EXPORT",
};

/** Options of `rateLimit`. */
export interface RateLimitOptions {
  /** The store holding the buckets (shared by every instance that must share the limits). */
  kv: Deno.Kv;
  /** Per-class overrides of `DEFAULT_RATE_LIMITS`. */
  policies?: Partial<Record<RateLimitClass, RatePolicy>>;
  /** Epoch milliseconds (default `Date.now`). */
  clock?: () => number;
  /**
   * The client's address, the bucket key of requests without a principal (default:
   * `clientAddressFrom()`, the socket's address, else `"unknown"`).
   */
  clientAddress?: (c: Context<AppEnv>) => string;
  /** The class of a request, or null for an unlimited one (default `classifyRequest`). */
  classify?: (method: string, path: string) => RateLimitClass | null;
}

/**
 * Middleware that takes one request from the bucket of the request's principal
 * (`c.get("principal")`, set by the authentication middleware that runs before it; the client
 * address when there is none) in the request's class. Every limited response carries
 * `X-RateLimit-Limit`, `X-RateLimit-Remaining`, `X-RateLimit-Reset` (epoch seconds at which the
 * bucket is full again) and the IETF draft pair `RateLimit-Policy: "<class>";q=<limit>;w=<window
 * seconds>` and `RateLimit: "<class>";r=<remaining>;t=<seconds until full>`. Requests of open mode's local
 * principal (`kind: "open"`, a loopback-only server with no users) are limited only in the
 * classes whose policy `options.policies` names (set by `RATE_LIMIT_*`); by default they are not
 * limited, carry no rate-limit headers and write nothing to the store. A denied request is
 * answered 429 `rate_limited` with `Retry-After` (seconds, rounded up) and never reaches the
 * handler; when the store is too contended to decide, 503 `rate_limiter_unavailable` with
 * `Retry-After`, never an admission.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { rateLimit } from "./rate_limit.ts";
 * const kv = await Deno.openKv(":memory:");
 * const app = new Hono();
 * app.use("/api/*", rateLimit({ kv, policies: { default: { limit: 5, periodMs: 60_000 } } }));
 * app.get("/api/segments", (c) => c.json([]));
 * const res = await app.request("/api/segments");
 * console.assert(res.headers.get("X-RateLimit-Remaining") === "4");
 * kv.close();
 * ```
 */
export function rateLimit(options: RateLimitOptions): MiddlewareHandler<AppEnv> {
  const policies = { ...DEFAULT_RATE_LIMITS, ...options.policies };
  const clock = options.clock ?? Date.now;
  const clientAddress = options.clientAddress ?? clientAddressFrom();
  const classify = options.classify ?? classifyRequest;
  // Open mode's local analyst is limited only where a policy was set explicitly.
  const openLimited = new Set(Object.keys(options.policies ?? {}));
  return async (c, next) => {
    const cls = classify(c.req.method, c.req.path);
    if (cls === null) return await next();
    const policy = policies[cls];
    const principal = c.get("principal");
    if (principal?.kind === "open" && !openLimited.has(cls)) return await next();
    const bucket = principal ? principalKey(principal) : `address/${clientAddress(c)}`;
    const now = clock();
    let decision: RateDecision;
    try {
      decision = await consume(options.kv, bucket, cls, policy, now);
    } catch (error) {
      if (!(error instanceof RateLimitContention)) throw error;
      const seconds = Math.max(1, Math.ceil(error.retryAfterMs / 1000));
      throw new UnavailableError("rate_limiter_unavailable", `${error.message} (${seconds} s)`, {
        details: { class: cls, retry_after_seconds: seconds },
        headers: { "Retry-After": String(seconds) },
      });
    }
    const headers = rateLimitHeaders(cls, policy, decision, now);
    if (!decision.allowed) {
      const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
      throw new ClientError(
        429,
        "rate_limited",
        `Rate limit exceeded. Try again after ${seconds} seconds (${policy.limit} ${cls} ` +
          `requests per ${describePeriod(policy.periodMs)})`,
        {
          details: { class: cls, limit: policy.limit, retry_after_seconds: seconds },
          headers: { ...headers, "Retry-After": String(seconds) },
        },
      );
    }
    for (const [name, value] of Object.entries(headers)) c.header(name, value);
    await next();
  };
}

/**
 * The class of a request by document 003's rule: `POST /api/clusters/run` is `clusters_run`,
 * `POST /api/export/…` and `GET /api/export` are `export`, `/api/health` and the OpenAPI
 * document are unlimited (null), anything else is `default`.
 *
 * @example
 * ```ts
 * import { classifyRequest } from "./rate_limit.ts";
 * console.assert(classifyRequest("POST", "/api/export/clv") === "export");
 * console.assert(classifyRequest("GET", "/api/health") === null);
 * ```
 */
export function classifyRequest(method: string, path: string): RateLimitClass | null {
  if (path === "/api/health" || path === "/api/openapi.json") return null;
  if (method === "POST" && path === "/api/clusters/run") return "clusters_run";
  if (method === "POST" && path.startsWith("/api/export/")) return "export";
  if (method === "GET" && path === "/api/export") return "export";
  return "default";
}

/**
 * Parses a policy written `<limit>/<period>`: the period is a unit (`second`, `minute`, `hour`,
 * `day`, singular or plural, or `s`, `min`, `h`, `d`), optionally preceded by a count
 * (`100/hour`, `10/15min`, `5 / 30 s`).
 *
 * @throws {RangeError} naming the text and the expected form when it does not parse, or when
 * the limit or the period is not positive.
 *
 * @example
 * ```ts
 * import { parseRatePolicy } from "./rate_limit.ts";
 * const policy = parseRatePolicy("100/hour");
 * console.assert(policy.limit === 100 && policy.periodMs === 3_600_000);
 * ```
 */
export function parseRatePolicy(text: string): RatePolicy {
  const match = /^\s*(\d+)\s*\/\s*(\d+)?\s*([a-z]+)\s*$/i.exec(text);
  const unitMs = match ? UNITS_MS[match[3]!.toLowerCase()] : undefined;
  const limit = Number(match?.[1]);
  const count = Number(match?.[2] ?? 1);
  if (!match || unitMs === undefined || !(limit >= 1) || !(count >= 1)) {
    throw new RangeError(
      `Expected a rate limit such as "100/hour" or "10/15min" (a positive count per second, ` +
        `minute, hour or day) but found "${text}"`,
    );
  }
  return { limit, periodMs: count * unitMs };
}

/**
 * Reads each class's policy from its variable in `RATE_LIMIT_ENV`, through `env` (a lookup such
 * as `Deno.env.get`); unset or empty variables are left out, so the defaults apply.
 *
 * @throws {RangeError} naming the variable when its value does not parse.
 *
 * @example
 * ```ts
 * import { readRateLimits } from "./rate_limit.ts";
 * const limits = readRateLimits((name) => ({ RATE_LIMIT_EXPORT: "50/hour" })[name]);
 * console.assert(limits.export?.limit === 50 && limits.default === undefined);
 * ```
 */
export function readRateLimits(
  env: (name: string) => string | undefined,
): Partial<Record<RateLimitClass, RatePolicy>> {
  const policies: Partial<Record<RateLimitClass, RatePolicy>> = {};
  for (const cls of RATE_LIMIT_CLASSES) {
    const name = RATE_LIMIT_ENV[cls];
    const text = env(name)?.trim();
    if (!text) continue;
    try {
      policies[cls] = parseRatePolicy(text);
    } catch (error) {
      throw new RangeError(`${name}: ${(error as Error).message}`);
    }
  }
  return policies;
}

/** The rate-limit headers of one decision, both the `X-RateLimit-*` and the IETF draft ones. */
export function rateLimitHeaders(
  cls: string,
  policy: RatePolicy,
  decision: RateDecision,
  now: number,
): Record<string, string> {
  const untilFull = Math.max(0, Math.ceil((decision.resetAt - now) / 1000));
  return {
    "X-RateLimit-Limit": String(decision.limit),
    "X-RateLimit-Remaining": String(decision.remaining),
    "X-RateLimit-Reset": String(Math.ceil(decision.resetAt / 1000)),
    "RateLimit-Policy": `"${cls}";q=${policy.limit};w=${Math.ceil(policy.periodMs / 1000)}`,
    "RateLimit": `"${cls}";r=${decision.remaining};t=${untilFull}`,
  };
}

const UNITS_MS: Record<string, number> = {
  s: 1_000,
  sec: 1_000,
  second: 1_000,
  seconds: 1_000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: HOUR_MS,
  hour: HOUR_MS,
  hours: HOUR_MS,
  d: 24 * HOUR_MS,
  day: 24 * HOUR_MS,
  days: 24 * HOUR_MS,
};

// The tenant id comes first and is a UUID, so no principal of one tenant can name another's
// bucket, whatever characters a user or key id holds.
function principalKey(principal: Principal): string {
  return `tenant/${principal.tenantId}/${principal.kind}/${principal.id}`;
}

function describePeriod(periodMs: number): string {
  for (
    const [unit, ms] of [["day", 24 * HOUR_MS], ["hour", HOUR_MS], ["minute", 60_000]] as const
  ) {
    if (periodMs === ms) return unit;
    if (periodMs % ms === 0) return `${periodMs / ms} ${unit}s`;
  }
  return `${periodMs / 1000} s`;
}
