/**
 * The server's entry point, and the only module that reads the environment, opens the store
 * and probes the GPU. Settings (an unset or empty variable takes its default):
 *
 * | variable | meaning | default |
 * | --- | --- | --- |
 * | `HOST` | address to listen on | `127.0.0.1` |
 * | `PORT` | TCP port, 0–65535 (0: any free one) | `8000` |
 * | `COMPUTE_BACKEND` | `auto`, `cpu` or `gpu` | `auto` |
 * | `KV_PATH` | `:memory:`, a file path, or a KV Connect URL (`DENO_KV_ACCESS_TOKEN`) | `./data/kv.sqlite3` |
 * | `OPEN_ACCESS` | `1`: requests without credentials act as a local tenant (loopback HOST only) | off |
 * | `JWT_SECRET` | HS256 secret of access tokens, ≥ 32 bytes; required unless `OPEN_ACCESS` | — |
 * | `JWT_ISSUER`, `JWT_AUDIENCE` | claims set and checked on access tokens | `segments`, `segments-api` |
 * | `ACCESS_TOKEN_TTL_SECONDS` | access token life, ≤ 900 | `900` |
 * | `REFRESH_TOKEN_TTL_SECONDS` | refresh token life | `2592000` (30 days) |
 * | `RATE_LIMIT_DEFAULT`, `RATE_LIMIT_CLUSTERS_RUN`, `RATE_LIMIT_EXPORT` | `<count>/<period>` | `100/hour`, `10/hour`, `20/hour` |
 * | `CORS_ORIGINS` | comma-separated origins, or `*` | `*` for token-authenticated requests, never with credentials; open mode: CORS only for requests that carry credentials |
 * | `REQUEST_TIMEOUT_MS` | time limit of a synchronous request, 0 for none | `30000` |
 * | `MAX_BODY_BYTES` | largest request body | `67108864` (64 MiB) |
 * | `MAX_UPLOAD_BYTES` | largest CSV of `POST /api/upload` | `16777216` (16 MiB) |
 * | `ACCESS_LOG` | `stdout`, `stderr` or `off` | `stdout` |
 * | `TRUST_PROXY` | `true`: client address from `X-Forwarded-For` | `false` |
 * | `JOB_WORKER` | `0` turns this instance's job worker off (an API-only instance) | on |
 * | `SEGMENT_WORKERS` | segmentations run at once, each in its own Web Worker, 1–64 | `1` |
 * | `MAX_ACTIVE_JOBS_PER_TENANT` | queued + running jobs a tenant may have (more: 429), 1–10000 | `4` |
 * | `RETENTION_DAYS` | days stored runs, datasets and finished jobs are kept, 0–3650 (0: forever) | `30` |
 * | `CONNECTION_GUARD` | `0` serves with `Deno.serve` alone (behind a proxy that has its own limits) | on |
 * | `MAX_CONNECTIONS` | client connections at once; more are answered 503 | open-file limit ÷ 3 |
 * | `HEADER_TIMEOUT_MS` | time to send a request's head (line and headers) | `10000` |
 * | `IDLE_TIMEOUT_MS` | a kept-alive connection with nothing to do, a stalled body or reader | `30000` |
 * | `REQUEST_READ_TIMEOUT_MS` | time to send one request in full, head and body | `300000` |
 * | `MAX_HEADER_BYTES` | largest request head, else 431 | `32768` |
 *
 * Invalid settings print a message and exit with code 2. SIGINT and SIGTERM stop accepting
 * connections, let requests in flight finish, stop the job worker (its jobs go back to the
 * queue), release the compute backend and the store, and exit with 0.
 *
 * @module
 */
import type { BackendChoice, ComputeBackend } from "./compute/backend.ts";
import { selectBackend } from "./compute/select.ts";
import { DEFAULT_PASSWORD_COST } from "./domain/auth/mod.ts";
import type { SegmentationEngine } from "./domain/segmentation/mod.ts";
import { sweepExpiredExports } from "./domain/workflow/mod.ts";
import { DEFAULT_RETENTION_DAYS, retentionMs, sweepExpired } from "./domain/workflow/mod.ts";
import {
  DEFAULT_MAX_ACTIVE_JOBS_PER_TENANT,
  segmentationJobType,
  sweepExpiredJobs,
} from "./domain/jobs/mod.ts";
import { ensureLocalTenant } from "./domain/auth/mod.ts";
import { checkJwtConfig, type JwtConfig, MAX_ACCESS_TTL_SECONDS } from "./domain/auth/mod.ts";
import { JobRunner } from "./domain/jobs/mod.ts";
import { workerEngine } from "./domain/segmentation/mod.ts";
import { clientAddressFrom, parseOrigins } from "./routes/http/middleware.ts";
import {
  type AppDeps,
  createApp,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_TIMEOUT_MS,
} from "./routes/mod.ts";
import { readRateLimits } from "./routes/http/rate_limit.ts";
import { DEFAULT_MAX_UPLOAD_BYTES } from "./routes/workflow.ts";
import { openStore, sweepOrphanChunks } from "./storage/mod.ts";
import { listen } from "./routes/server/listen.ts";
import {
  DEFAULT_GUARD_LIMITS,
  type GuardLimits,
  openFileLimit,
  safeConnectionCap,
} from "./routes/server/guard.ts";

/** The server's settings, as read from the environment. */
export interface ServerConfig {
  hostname: string;
  port: number;
  backend: BackendChoice;
  kvPath: string;
  open: boolean;
  /** Undefined only in open mode without `JWT_SECRET` (a random one is made per process). */
  jwt: JwtConfig | undefined;
  refreshTtlSeconds: number;
  rateLimits: AppDeps["rateLimits"];
  corsOrigins: string[] | undefined;
  timeoutMs: number;
  maxBodyBytes: number;
  maxUploadBytes: number;
  accessLog: "stdout" | "stderr" | "off";
  trustProxy: boolean;
  jobWorker: boolean;
  segmentWorkers: number;
  /** Active (queued + running) jobs a tenant may have. */
  maxActiveJobsPerTenant: number;
  /** Days stored runs and datasets are kept (0: forever). */
  retentionDays: number;
  /** Limits of the connection guard; undefined with `CONNECTION_GUARD=0`. */
  guard: Omit<GuardLimits, "maxBodyBytes"> | undefined;
}

/** The service's version, reported by `/api/health`. */
export const VERSION = "0.2.0";

/** Exit code for a configuration error (the shell convention for misuse). */
export const EXIT_CONFIG = 2;

/** What `deno task start` prints when it has neither `OPEN_ACCESS` nor `JWT_SECRET`. */
export const SETUP_HELP = `The server needs to know how clients authenticate. Either:

  Local, single user (no credentials; listens on loopback only):
    OPEN_ACCESS=1 npx --yes deno@2.9.6 task start
    then open http://127.0.0.1:8000/ and upload a CSV

  Shared service (JWT sessions, API keys, tenant headers):
    export JWT_SECRET="$(openssl rand -base64 48)"   # at least 32 bytes
    npx --yes deno@2.9.6 task admin tenant create --name "Acme" --username admin \\
      --password '<a long password>'
    npx --yes deno@2.9.6 task start        # then sign in at http://127.0.0.1:8000/

  The admin command prints the tenant's customer_api_id, secret and API key once: keep them.`;

/**
 * Reads the settings from `env` (a lookup such as `Deno.env.get`). Throws a `RangeError`
 * naming the variable, its value and what was expected; `SetupRequired` when neither open mode
 * nor a JWT secret is configured.
 *
 * @example
 * ```ts
 * import { readConfig } from "./main.ts";
 * const config = readConfig((name) => ({ PORT: "9000", OPEN_ACCESS: "1" })[name]);
 * console.assert(config.port === 9000 && config.hostname === "127.0.0.1" && config.open);
 * ```
 */
export function readConfig(env: (name: string) => string | undefined): ServerConfig {
  const get = (name: string) => env(name)?.trim() || undefined;
  const hostname = get("HOST") ?? "127.0.0.1";
  const port = integer("PORT", get("PORT") ?? "8000", 0, 65535);

  const backend = (get("COMPUTE_BACKEND") ?? "auto").toLowerCase();
  if (!isBackendChoice(backend)) {
    throw new RangeError(
      `Expected COMPUTE_BACKEND to be one of auto, cpu, gpu but found "${backend}"`,
    );
  }

  const open = flag("OPEN_ACCESS", get("OPEN_ACCESS"));
  if (open && !isLoopback(hostname)) {
    throw new RangeError(
      `OPEN_ACCESS=1 serves every request as one local tenant, so it is refused unless HOST ` +
        `is a loopback address (127.0.0.1, ::1 or localhost) but HOST is "${hostname}"`,
    );
  }
  const secret = get("JWT_SECRET");
  if (!open && !secret) throw new SetupRequired();
  const accessTtlSeconds = integer(
    "ACCESS_TOKEN_TTL_SECONDS",
    get("ACCESS_TOKEN_TTL_SECONDS") ?? String(MAX_ACCESS_TTL_SECONDS),
    1,
    MAX_ACCESS_TTL_SECONDS,
  );
  const jwt: JwtConfig | undefined = secret
    ? {
      secret,
      issuer: get("JWT_ISSUER") ?? "segments",
      audience: get("JWT_AUDIENCE") ?? "segments-api",
      accessTtlSeconds,
    }
    : undefined;
  if (jwt) {
    try {
      checkJwtConfig(jwt);
    } catch (error) {
      throw new RangeError(`JWT_SECRET: ${(error as Error).message}`);
    }
  }

  const accessLog = (get("ACCESS_LOG") ?? "stdout").toLowerCase();
  if (accessLog !== "stdout" && accessLog !== "stderr" && accessLog !== "off") {
    throw new RangeError(
      `Expected ACCESS_LOG to be stdout, stderr or off but found "${accessLog}"`,
    );
  }
  const cors = get("CORS_ORIGINS");
  let corsOrigins: string[] | undefined;
  try {
    corsOrigins = cors ? parseOrigins(cors) : undefined;
  } catch (error) {
    throw new RangeError(`CORS_ORIGINS: ${(error as Error).message}`);
  }
  return {
    hostname,
    port,
    backend,
    kvPath: get("KV_PATH") ?? "./data/kv.sqlite3",
    open,
    jwt,
    refreshTtlSeconds: integer(
      "REFRESH_TOKEN_TTL_SECONDS",
      get("REFRESH_TOKEN_TTL_SECONDS") ?? "2592000",
      60,
      31_536_000,
    ),
    rateLimits: readRateLimits(get),
    corsOrigins,
    timeoutMs: integer(
      "REQUEST_TIMEOUT_MS",
      get("REQUEST_TIMEOUT_MS") ?? String(DEFAULT_TIMEOUT_MS),
      0,
      3_600_000,
    ),
    maxBodyBytes: integer(
      "MAX_BODY_BYTES",
      get("MAX_BODY_BYTES") ?? String(DEFAULT_MAX_BODY_BYTES),
      1024,
      1 << 30,
    ),
    maxUploadBytes: integer(
      "MAX_UPLOAD_BYTES",
      get("MAX_UPLOAD_BYTES") ?? String(DEFAULT_MAX_UPLOAD_BYTES),
      1024,
      1 << 30,
    ),
    accessLog,
    trustProxy: flag("TRUST_PROXY", get("TRUST_PROXY")),
    jobWorker: get("JOB_WORKER") === undefined ? true : flag("JOB_WORKER", get("JOB_WORKER")),
    segmentWorkers: integer("SEGMENT_WORKERS", get("SEGMENT_WORKERS") ?? "1", 1, 64),
    maxActiveJobsPerTenant: integer(
      "MAX_ACTIVE_JOBS_PER_TENANT",
      get("MAX_ACTIVE_JOBS_PER_TENANT") ?? String(DEFAULT_MAX_ACTIVE_JOBS_PER_TENANT),
      1,
      10_000,
    ),
    retentionDays: integer(
      "RETENTION_DAYS",
      get("RETENTION_DAYS") ?? String(DEFAULT_RETENTION_DAYS),
      0,
      3650,
    ),
    guard: readGuardLimits(get),
  };
}

function readGuardLimits(
  get: (name: string) => string | undefined,
): ServerConfig["guard"] {
  const on = get("CONNECTION_GUARD");
  if (on !== undefined && !flag("CONNECTION_GUARD", on)) return undefined;
  const ms = (name: string, fallback: number) =>
    integer(name, get(name) ?? String(fallback), 1, 3_600_000);
  return {
    maxConnections: integer(
      "MAX_CONNECTIONS",
      get("MAX_CONNECTIONS") ?? String(safeConnectionCap(openFileLimit() ?? 1024)),
      1,
      1_000_000,
    ),
    headerTimeoutMs: ms("HEADER_TIMEOUT_MS", DEFAULT_GUARD_LIMITS.headerTimeoutMs),
    idleTimeoutMs: ms("IDLE_TIMEOUT_MS", DEFAULT_GUARD_LIMITS.idleTimeoutMs),
    requestTimeoutMs: ms("REQUEST_READ_TIMEOUT_MS", DEFAULT_GUARD_LIMITS.requestTimeoutMs),
    maxHeaderBytes: integer(
      "MAX_HEADER_BYTES",
      get("MAX_HEADER_BYTES") ?? String(DEFAULT_GUARD_LIMITS.maxHeaderBytes),
      1024,
      1 << 20,
    ),
  };
}

/** Neither open mode nor a JWT secret: the server cannot authenticate anyone. */
export class SetupRequired extends Error {
  constructor() {
    super(SETUP_HELP);
    this.name = "SetupRequired";
  }
}

/** Runs the server until a signal stops it; resolves to the process exit code. */
export async function main(): Promise<number> {
  let config: ServerConfig;
  try {
    config = readConfig((name) => Deno.env.get(name));
  } catch (error) {
    if (error instanceof SetupRequired) {
      console.error(error.message);
      return EXIT_CONFIG;
    }
    if (!(error instanceof RangeError)) throw error;
    console.error(`error: ${error.message}`);
    return EXIT_CONFIG;
  }

  let kv: Deno.Kv;
  try {
    kv = await openStore(config.kvPath);
  } catch (error) {
    console.error(`error: cannot open the store at KV_PATH="${config.kvPath}": ${error}`);
    return 1;
  }
  let backend: ComputeBackend;
  try {
    backend = await selectBackend(config.backend, { log: (line) => console.log(line) });
  } catch (error) {
    kv.close();
    // `gpu` asked for where there is no usable adapter, most likely: say so rather than a stack.
    console.error(`error: cannot start the ${config.backend} compute backend: ${error}`);
    return 1;
  }
  console.log(`compute backend: ${backend.info.name} (${backend.info.description})`);
  // Segmentations run in workers so that the HTTP thread stays free; they use the backend the
  // probe above chose, without probing again.
  let engine: SegmentationEngine;
  try {
    engine = await workerEngine({
      backend: backend.info.name === "gpu" ? "gpu" : "cpu",
      workers: config.segmentWorkers,
    });
  } catch (error) {
    await backend.dispose();
    kv.close();
    console.error(`error: cannot start the segmentation workers: ${error}`);
    return 1;
  }

  const clock = Date.now;
  const openTenantId = config.open ? await ensureLocalTenant(kv, { now: clock }) : undefined;
  const jwt = config.jwt ?? {
    // Open mode without a configured secret: tokens (from logins of users created with the
    // admin command) live as long as this process.
    secret: crypto.getRandomValues(new Uint8Array(48)).reduce((s, b) => s + b.toString(16), ""),
    issuer: "segments",
    audience: "segments-api",
  };
  const log = config.accessLog === "off"
    ? undefined
    : config.accessLog === "stderr"
    ? (line: string) => console.error(line)
    : (line: string) => console.log(line);
  const clientAddress = clientAddressFrom({ trustProxy: config.trustProxy });
  const app = createApp({
    compute: engine,
    engine,
    version: VERSION,
    startedAt: clock(),
    clock,
    kv,
    healthChecks: { database: () => kv.get(["health"]).then(() => true) },
    rateLimits: config.rateLimits,
    cors: config.corsOrigins ? { origins: config.corsOrigins } : undefined,
    timeoutMs: config.timeoutMs,
    maxBodyBytes: config.maxBodyBytes,
    maxUploadBytes: config.maxUploadBytes,
    maxActiveJobsPerTenant: config.maxActiveJobsPerTenant,
    accessLog: log,
    clientAddress,
    auth: {
      jwt,
      refreshTtlSeconds: config.refreshTtlSeconds,
      openTenantId,
      passwordCost: DEFAULT_PASSWORD_COST,
    },
  });

  const runner = config.jobWorker
    ? new JobRunner(kv, [segmentationJobType(engine)], {
      clock,
      listenQueue: false,
    })
    : undefined;
  runner?.start();
  // Chunks of objects whose writer died before publishing (an hour is far above any write), and
  // the bytes of expired exports (their ids go on answering 410), and runs, datasets and finished
  // jobs (with their results) older than RETENTION_DAYS.
  const orphanSweep = setInterval(() => {
    sweepOrphanChunks(kv, 3_600_000, clock()).catch((e) => console.error("orphan sweep:", e));
    sweepExpiredExports(kv, clock()).catch((e) => console.error("export sweep:", e));
    sweepExpired(kv, clock(), retentionMs(config.retentionDays))
      .catch((e) => console.error("retention sweep:", e));
    sweepExpiredJobs(kv, clock(), retentionMs(config.retentionDays))
      .catch((e) => console.error("job retention sweep:", e));
  }, 600_000);

  let server: { finished: Promise<void>; shutdown(): Promise<void> };
  try {
    server = listen({
      hostname: config.hostname,
      port: config.port,
      guard: config.guard && { ...config.guard, maxBodyBytes: config.maxBodyBytes },
      handler: app.fetch,
      onListen: ({ hostname, port }) => {
        const host = hostname.includes(":") ? `[${hostname}]` : hostname;
        console.log(`Listening on http://${host}:${port}/ (dashboard at /, API docs at /docs)`);
        if (config.open) {
          console.log("Open access: requests without credentials act as the local tenant");
        }
      },
    });
  } catch (error) {
    clearInterval(orphanSweep);
    await runner?.stop();
    await engine.dispose();
    await backend.dispose();
    kv.close();
    if (error instanceof Deno.errors.AddrInUse || error instanceof Deno.errors.AddrNotAvailable) {
      console.error(`error: cannot listen on ${config.hostname}:${config.port}: ${error.message}`);
      return 1;
    }
    throw error;
  }

  let stopping = false;
  const stop = () => {
    // A second signal means the graceful path is stuck: leave at once.
    if (stopping) Deno.exit(1);
    stopping = true;
    console.log("Shutting down: finishing requests in flight");
    server.shutdown();
  };
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  for (const signal of signals) Deno.addSignalListener(signal, stop);

  await server.finished;
  for (const signal of signals) Deno.removeSignalListener(signal, stop);
  clearInterval(orphanSweep);
  await runner?.stop();
  await engine.dispose();
  await backend.dispose();
  kv.close();
  console.log("Stopped");
  return 0;
}

function integer(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new RangeError(
      `Expected ${name} to be an integer in [${min}, ${max}] but found "${text}"`,
    );
  }
  return value;
}

function flag(name: string, text: string | undefined): boolean {
  if (text === undefined) return false;
  const t = text.toLowerCase();
  if (["1", "true", "yes", "on"].includes(t)) return true;
  if (["0", "false", "no", "off"].includes(t)) return false;
  throw new RangeError(`Expected ${name} to be 1 or 0 (true or false) but found "${text}"`);
}

function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "::1" || hostname === "[::1]" ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

function isBackendChoice(value: string): value is BackendChoice {
  return value === "auto" || value === "cpu" || value === "gpu";
}

if (import.meta.main) Deno.exit(await main());
