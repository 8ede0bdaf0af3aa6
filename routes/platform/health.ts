/**
 * `GET /api/health`: liveness, version and the compute backend in use. Unauthenticated and
 * unlimited (document 003, 1.7).
 *
 * @module
 */
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import type { BackendInfo } from "../../compute/backend.ts";
import { UnavailableError } from "../http/errors.ts";
import type { AppEnv } from "../env.ts";
import { createRouter, errorResponses } from "../http/openapi.ts";

/**
 * A dependency probe: resolves true when the dependency answers. A probe that throws, resolves
 * false or takes longer than `HEALTH_CHECK_TIMEOUT_MS` counts as failing.
 */
export type HealthCheck = () => boolean | Promise<boolean>;

/** What the health route reports on. */
export interface HealthOptions {
  info: BackendInfo;
  clock: () => number;
  /** Epoch milliseconds, on `clock`'s scale. */
  startedAt: number;
  version: string;
  /** Document 003's `components.api_version`. */
  apiVersion: string;
  /** Named probes (`kv` once storage exists), reported under `components`. */
  checks: Readonly<Record<string, HealthCheck>>;
  /**
   * The per-instance caches of decoded objects (datasets, runs) by name: how many objects each
   * keeps and their estimated bytes. Reported under `cache`; none when absent.
   */
  caches?: () => Readonly<Record<string, CacheStats>>;
  logger: (line: string) => void;
}

/** One cache's size: objects kept, and their estimated bytes. */
export interface CacheStats {
  entries: number;
  bytes: number;
}

// Document 003's words for its components.
const DATABASE_WORDS = ["connected", "disconnected"] as const;
const CHECK_WORDS = ["operational", "failing"] as const;
const PASSING: ReadonlySet<string> = new Set([DATABASE_WORDS[0], CHECK_WORDS[0]]);

/** A probe slower than this counts as failing, so the health route itself answers in time. */
export const HEALTH_CHECK_TIMEOUT_MS = 2_000;

/** The health report, on 200 and (as `details`, status `unhealthy`) on 503. */
export const HealthReportSchema = z.object({
  status: z.enum(["healthy", "unhealthy"]),
  version: z.string(),
  uptime_seconds: z.int().min(0),
  timestamp: z.string().meta({ description: "ISO 8601, UTC" }),
  compute: z.object({
    backend: z.string().meta({ example: "cpu" }),
    adapter: z.string(),
    fallback_adapter: z.boolean().nullable().meta({
      description: "Whether the GPU adapter is a software fallback; null for the CPU backend",
    }),
  }),
  components: z.record(z.string(), z.string()).meta({
    description: "Document 003's components: `api_version`, `compute_backend` (cpu or gpu), " +
      "`cache` (healthy: the in-process caches need nothing to answer), and each dependency " +
      "check: `database` connected or disconnected, any other operational or failing",
  }),
  cache: z.object({
    status: z.literal("healthy"),
    entries: z.int().min(0),
    bytes: z.int().min(0),
    caches: z.record(z.string(), z.object({ entries: z.int().min(0), bytes: z.int().min(0) })),
  }).meta({
    description: "This instance's caches of decoded objects (datasets, runs): objects kept and " +
      "their estimated bytes, in all and per cache",
  }),
}).meta({ id: "HealthReport" });

const route = createRoute({
  method: "get",
  path: "/",
  tags: ["health"],
  summary: "Liveness, version and compute backend",
  security: [],
  responses: {
    200: {
      description: "Every dependency check passed",
      content: { "application/json": { schema: HealthReportSchema } },
    },
    ...errorResponses(503),
  },
});

/**
 * The health sub-app, mounted at `/api/health`. Answers 200 with
 * `{status: "healthy", version, uptime_seconds, timestamp, compute: {backend, adapter,
 * fallback_adapter}, components: {api_version, compute_backend, cache: "healthy", <check>: …},
 * cache: {status, entries, bytes, caches: {<name>: {entries, bytes}}}}`; when a check fails, 503
 * `service_unavailable` in the error body with that same report (status `unhealthy`) in
 * `details`, so load balancers see the status and people see which check failed.
 */
export function healthRoutes(options: HealthOptions): OpenAPIHono<AppEnv> {
  return createRouter().openapi(route, async (c) => {
    const now = options.clock();
    const results = await runChecks(options.checks, options.logger);
    const failing = Object.keys(results).filter((name) => !PASSING.has(results[name]!));
    const caches = options.caches?.() ?? {};
    const sizes = Object.values(caches);
    const report: z.infer<typeof HealthReportSchema> = {
      status: failing.length === 0 ? "healthy" : "unhealthy",
      version: options.version,
      uptime_seconds: Math.max(0, Math.floor((now - options.startedAt) / 1000)),
      timestamp: new Date(now).toISOString(),
      compute: {
        backend: options.info.name,
        adapter: options.info.description,
        // null, not false, when the backend is not a GPU one: nothing is known about an adapter.
        fallback_adapter: options.info.fallbackAdapter ?? null,
      },
      components: {
        api_version: options.apiVersion,
        compute_backend: options.info.name,
        cache: "healthy",
        ...results,
      },
      cache: {
        status: "healthy",
        entries: sizes.reduce((sum, c) => sum + c.entries, 0),
        bytes: sizes.reduce((sum, c) => sum + c.bytes, 0),
        caches: { ...caches },
      },
    };
    if (failing.length > 0) {
      throw new UnavailableError(
        "service_unavailable",
        `Health check failed: ${failing.join(", ")}`,
        { details: report, headers: { "Cache-Control": "no-store" } },
      );
    }
    c.header("Cache-Control", "no-store");
    return c.json(report, 200);
  });
}

async function runChecks(
  checks: Readonly<Record<string, HealthCheck>>,
  log: (line: string) => void,
): Promise<Record<string, string>> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      const ok = await withTimeout(check, HEALTH_CHECK_TIMEOUT_MS).catch((error) => {
        log(`health check ${name} failed: ${error instanceof Error ? error.stack : error}`);
        return false;
      });
      const words = name === "database" ? DATABASE_WORDS : CHECK_WORDS;
      return [name, ok === true ? words[0] : words[1]] as const;
    }),
  );
  return Object.fromEntries(entries);
}

async function withTimeout(check: HealthCheck, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([Promise.resolve().then(check), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
