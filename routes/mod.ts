/**
 * The HTTP application: middleware, error handling and one sub-app per resource. Everything it
 * needs from the outside world comes in through `AppDeps`, so tests build it with fakes and call
 * `app.request()` without a socket.
 *
 * @module
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context, MiddlewareHandler } from "hono";
import { requestId } from "hono/request-id";
import type { AppEnv } from "./env.ts";
import { secureHeaders } from "hono/secure-headers";
import type { BackendInfo } from "../compute/backend.ts";
import { runCacheStats, type SegmentationEngine } from "../domain/segmentation/mod.ts";
import { datasetCacheStats } from "../domain/datasets/mod.ts";
import { docsRoutes } from "./platform/docs.ts";
import { installErrorHandlers, normaliseThrown } from "./http/errors.ts";
import { type HealthCheck, healthRoutes } from "./platform/health.ts";
import { authRoutes } from "./platform/auth.ts";
import { type AuthDeps, authenticate } from "./http/authenticate.ts";
import {
  accessLog,
  corsFor,
  type CorsOptions,
  defaultCors,
  requestTimeout,
} from "./http/middleware.ts";
import { createRouter } from "./http/openapi.ts";
import { rateLimit, type RateLimitClass, type RatePolicy } from "./http/rate_limit.ts";
import { jobRoutes } from "./platform/jobs.ts";
import { runRoutes } from "./platform/runs.ts";
import { purchasingRoutes } from "./segmentation/purchasing.ts";
import { clusterProfileRoutes } from "./segmentation/cluster_profiles.ts";
import { analyzeRoutes } from "./segmentation/analyze.ts";
import { workflowRoutes } from "./workflow.ts";
import { segmentsApiRoutes } from "./segments/segments.ts";
import { limitBody } from "./http/validation.ts";
import { webRoutes } from "./platform/web.ts";

export type { AppEnv, Principal } from "./env.ts";

/**
 * What the app depends on. Later resources add their own fields (`kv`, auth settings, …) as
 * optional or required members here.
 */
export interface AppDeps {
  /** The compute backend; only `info` is read so far. */
  compute: { readonly info: BackendInfo };
  /** Epoch milliseconds (default `Date.now`); the only clock the routes read. */
  clock?: () => number;
  /** The service's version, reported by `/api/health` (default `"dev"`). */
  version?: string;
  /** Epoch milliseconds at start (default: `clock()` when the app is built). */
  startedAt?: number;
  /** Receives error and diagnostic lines (default `console.error`). */
  logger?: (line: string) => void;
  /** Named dependency probes reported by `/api/health`, e.g. `{ kv: () => probeKv(kv) }`. */
  healthChecks?: Readonly<Record<string, HealthCheck>>;
  /** Largest request body accepted by any route (default `DEFAULT_MAX_BODY_BYTES`). */
  maxBodyBytes?: number;
  /** The store. Without it nothing is rate limited (tests of routes that need no store). */
  kv?: Deno.Kv;
  /** Per-class overrides of document 003's rate limits (`readRateLimits` reads them from env). */
  rateLimits?: Partial<Record<RateLimitClass, RatePolicy>>;
  /**
   * Origins allowed to call the API from a browser. Without it: with `auth`, every origin as
   * `*` (document 004), in open mode only for requests that carry credentials; without `auth`,
   * no CORS headers at all. In open mode a configured list too is for credentialed requests only.
   */
  cors?: CorsOptions;
  /** Time limit of a request in ms, answered 503 `timeout` (default 30 000; 0 for none). */
  timeoutMs?: number;
  /** Receives one JSON line per request (`AccessLogEntry`); without it, no access log. */
  accessLog?: (line: string) => void;
  /** The client's address, the rate-limit key of unauthenticated requests. */
  clientAddress?: (c: Context<AppEnv>) => string;
  /**
   * Authentication settings. With `kv` and `auth`, every `/api/*` route but `PUBLIC_PATHS`
   * needs a principal, and `/api/auth/*` is mounted. Without them (tests of routes that need no
   * tenant), no authentication runs.
   */
  auth?: Omit<AuthDeps, "kv" | "now" | "clientAddress">;
  /** How long an export of `POST /api/export/{type}` can be downloaded (default 24 h). */
  exportTtlMs?: number;
  /** Largest CSV of `POST /api/upload` (default 16 MiB, document 004). */
  maxUploadBytes?: number;
  /** The engine that runs segmentations; with `kv`, the segmentation routes mount. */
  engine?: SegmentationEngine;
  /** Active (queued + running) jobs a tenant may have; beyond it 429 (default 4). */
  maxActiveJobsPerTenant?: number;
}

/** The `/api/*` paths served without credentials. */
export const PUBLIC_PATHS: ReadonlySet<string> = new Set([
  "/api/health",
  "/api/openapi.json",
  "/api/auth/login",
  "/api/auth/refresh",
  "/api/auth/logout",
  "/api/auth/session",
  "/api/auth/session/refresh",
]);

/**
 * The global cap on request bodies. Upload routes set their own, smaller limit (16 MiB for CSV,
 * document 004); this one admits a 200k-customer request of document 000 (about 40 MB) and stops
 * a client from filling memory.
 */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;

/** The default time limit of a request: long work is a job, answered 202 well within it. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** Document 003's `api_version`, shared by its envelope and `/api/health`. */
export const API_VERSION = "1.0";

/** A client `X-Request-Id` is kept only if it is short and cannot inject anything into logs. */
const CLIENT_REQUEST_ID = /^[\w-]{1,255}$/;

/**
 * Builds the application. Every response, errors and 404s included, carries `X-Request-Id` (the
 * client's if it is at most 255 characters of `[A-Za-z0-9_-]`, else a new UUID) and the
 * `secureHeaders()` defaults; every 4xx and 5xx is in the error body of `http/errors.ts`. In order,
 * each request goes through: the request id, the access log, secure headers, CORS, the time
 * limit, authentication (`/api/*`), the rate limiter (`/api/*` but health and the OpenAPI
 * document), the body limit, then its route. Routes added to the returned app afterwards get the
 * same treatment; `GET /api/openapi.json` and `GET /docs` describe every route added with
 * `openapi()`.
 *
 * @example
 * ```ts
 * import { createApp } from "./mod.ts";
 * const app = createApp({ compute: { info: { name: "cpu", description: "test" } } });
 * const res = await app.request("/api/health");
 * console.assert(res.status === 200);
 * ```
 */
export function createApp(deps: AppDeps): OpenAPIHono<AppEnv> {
  const clock = deps.clock ?? Date.now;
  const logger = deps.logger ?? console.error;
  const version = deps.version ?? "dev";
  const app = createRouter();

  // The header is read by our own generator: Hono's check would also keep ids containing "=".
  app.use(
    requestId({
      headerName: "",
      generator: (c) => acceptedRequestId(c.req.header("X-Request-Id")),
    }),
  );
  app.use(async (c, next) => {
    c.header("X-Request-Id", c.get("requestId"));
    await next();
  });
  if (deps.accessLog) app.use(accessLog(deps.accessLog, clock));
  app.use(secureHeaders());
  // Document 004's "CORS for all origins" unless configured; open mode keeps anonymous requests
  // same-origin (docs/http.md#cors). Without authentication (tests) only a configured CORS.
  const cors = deps.cors ?? (deps.auth ? defaultCors({ open: isOpen(deps.auth) }) : undefined);
  if (cors) {
    app.use(corsFor(deps.auth && isOpen(deps.auth) ? { ...cors, credentialedOnly: true } : cors));
  }
  app.use(normaliseThrown);
  const timeoutMs = deps.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (timeoutMs > 0) app.use(requestTimeout(timeoutMs));

  // Before the rate limiter, which keys buckets by `c.get("principal")`.
  const authDeps: AuthDeps | undefined = deps.kv && deps.auth
    ? { ...deps.auth, kv: deps.kv, now: clock, clientAddress: deps.clientAddress }
    : undefined;
  if (authDeps) {
    // AuthEnv's variables are a subset of AppEnv's; Hono's Context is invariant in them.
    const guard = authenticate(authDeps) as unknown as MiddlewareHandler<AppEnv>;
    app.use("/api/*", (c, next) => PUBLIC_PATHS.has(c.req.path) ? next() : guard(c, next));
  }

  if (deps.kv) {
    app.use(
      "/api/*",
      rateLimit({
        kv: deps.kv,
        policies: deps.rateLimits,
        clock,
        clientAddress: deps.clientAddress,
      }),
    );
  }
  // After authentication and the limiter, which read only headers, so that a client without
  // credentials or quota cannot make the server read a body; before anything that reads one.
  // Routes may add a smaller limit of their own.
  app.use(limitBody(deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES));
  installErrorHandlers(app, { logger, clock });

  app.route(
    "/api/health",
    healthRoutes({
      info: deps.compute.info,
      clock,
      startedAt: deps.startedAt ?? clock(),
      version,
      apiVersion: API_VERSION,
      checks: deps.healthChecks ?? {},
      ...(deps.kv ? { caches: cachesOf(deps.kv) } : {}),
      logger,
    }),
  );
  if (authDeps) app.route("/api/auth", authRoutes(authDeps));
  if (deps.kv) app.route("/api/jobs", jobRoutes({ kv: deps.kv, clock }));
  if (deps.kv) app.route("/api/runs", runRoutes({ kv: deps.kv }));
  if (deps.kv && deps.engine) {
    const segmentation = {
      kv: deps.kv,
      engine: deps.engine,
      clock,
      timeoutMs,
      maxActiveJobsPerTenant: deps.maxActiveJobsPerTenant,
    };
    app.route("/api", purchasingRoutes(segmentation));
    app.route("/api", clusterProfileRoutes(segmentation));
    app.route("/api", analyzeRoutes(segmentation));
    app.route("/api", workflowRoutes({ ...segmentation, maxUploadBytes: deps.maxUploadBytes }));
    app.route("/api", segmentsApiRoutes({ ...segmentation, exportTtlMs: deps.exportTtlMs }));
  }
  docsRoutes(app, { version });
  app.route("/", webRoutes());
  return app;
}

/** Whether requests without credentials act as a local tenant (open mode). */
function isOpen(auth: NonNullable<AppDeps["auth"]>): boolean {
  return auth.openTenantId !== undefined;
}

function acceptedRequestId(fromClient: string | undefined): string {
  return fromClient !== undefined && CLIENT_REQUEST_ID.test(fromClient)
    ? fromClient
    : crypto.randomUUID();
}

/** The per-instance caches of decoded objects that health reports on (`components.cache`). */
function cachesOf(kv: Deno.Kv) {
  return () => ({ datasets: datasetCacheStats(kv), runs: runCacheStats(kv) });
}
