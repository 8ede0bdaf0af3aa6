import assert from "node:assert/strict";
import type { BackendInfo } from "../../../compute/backend.ts";
import { type AppDeps, createApp } from "../../../routes/mod.ts";
import { MALL, segmentsService, session } from "../segments/_service.ts";

const CPU: BackendInfo = { name: "cpu", description: "CPU, 4 threads" };
const STARTED_AT = Date.UTC(2026, 0, 12, 12, 0, 0);

function appWith(deps: Partial<AppDeps> = {}, now = STARTED_AT + 61_500) {
  const lines: string[] = [];
  const app = createApp({
    compute: { info: CPU },
    clock: () => now,
    startedAt: STARTED_AT,
    version: "1.2.3",
    logger: (line) => lines.push(line),
    ...deps,
  });
  return { app, lines };
}

Deno.test("GET /api/health reports status, version, uptime, time and the compute backend", async () => {
  const { app } = appWith();
  const res = await app.request("/api/health");
  assert.equal(res.status, 200);
  assert.match(res.headers.get("Content-Type") ?? "", /^application\/json/);
  assert.equal(res.headers.get("Cache-Control"), "no-store");
  assert.ok(res.headers.get("X-Request-Id"));
  assert.deepEqual(await res.json(), {
    status: "healthy",
    version: "1.2.3",
    uptime_seconds: 61,
    timestamp: "2026-01-12T12:01:01.500Z",
    compute: { backend: "cpu", adapter: "CPU, 4 threads", fallback_adapter: null },
    components: { api_version: "1.0", compute_backend: "cpu", cache: "healthy" },
    cache: { status: "healthy", entries: 0, bytes: 0, caches: {} },
  });
});

Deno.test("GET /api/health reports a GPU backend and whether its adapter is a fallback one", async () => {
  const info: BackendInfo = {
    name: "gpu",
    description: "llvmpipe (LLVM 15)",
    fallbackAdapter: true,
  };
  const { app } = appWith({ compute: { info } });
  const body = await (await app.request("/api/health")).json();
  assert.deepEqual(body.compute, {
    backend: "gpu",
    adapter: "llvmpipe (LLVM 15)",
    fallback_adapter: true,
  });
});

Deno.test("GET /api/health defaults the version and counts uptime from when the app was built", async () => {
  let now = 5_000;
  const app = createApp({ compute: { info: CPU }, clock: () => now });
  now += 3_999;
  const body = await (await app.request("/api/health")).json();
  assert.equal(body.version, "dev");
  assert.equal(body.uptime_seconds, 3);
});

Deno.test("GET /api/health lists passing checks under components", async () => {
  const { app } = appWith({
    healthChecks: { database: () => Promise.resolve(true), queue: () => true },
  });
  const res = await app.request("/api/health");
  assert.equal(res.status, 200);
  assert.deepEqual((await res.json()).components, {
    api_version: "1.0",
    compute_backend: "cpu",
    cache: "healthy",
    database: "connected",
    queue: "operational",
  });
});

Deno.test("GET /api/health answers 503 in the error body when a check fails or throws", async () => {
  const { app, lines } = appWith({
    healthChecks: {
      database: () => Promise.reject(new Error("database is locked")),
      cache: () => false,
      queue: () => true,
    },
  });
  const res = await app.request("/api/health");
  assert.equal(res.status, 503);
  const body = await res.json();
  assert.equal(body.code, "SERVICE_UNAVAILABLE");
  assert.equal(body.status, 503);
  assert.equal(body.message, "Health check failed: database, cache");
  assert.equal(body.details.status, "unhealthy");
  assert.deepEqual(body.details.components, {
    api_version: "1.0",
    compute_backend: "cpu",
    database: "disconnected",
    cache: "failing",
    queue: "operational",
  });
  assert.equal(body.request_id, res.headers.get("X-Request-Id"));
  assert.ok(!JSON.stringify(body).includes("database is locked"));
  assert.ok(
    lines.some((line) => line.includes("health check database failed: Error: database is locked")),
  );
});

Deno.test("HEAD /api/health answers 200 without a body", async () => {
  const { app } = appWith();
  const res = await app.request("/api/health", { method: "HEAD" });
  assert.equal(res.status, 200);
  assert.equal(await res.text(), "");
});

Deno.test("POST /api/health answers 405 naming the allowed methods", async () => {
  const { app } = appWith();
  const res = await app.request("/api/health", { method: "POST" });
  assert.equal(res.status, 405);
  assert.equal(res.headers.get("Allow"), "GET, HEAD");
  const body = await res.json();
  assert.equal(body.code, "METHOD_NOT_ALLOWED");
  assert.deepEqual(body.details, { allowed: ["GET", "HEAD"] });
});

Deno.test("GET /api/health reports the instance's decoded-object caches (document 003's cache)", async () => {
  await using s = await segmentsService();
  const before = await (await s.app.request("/api/health")).json();
  assert.equal(before.components.cache, "healthy");
  assert.equal(before.cache.status, "healthy");
  assert.deepEqual(Object.keys(before.cache.caches).sort(), ["datasets", "runs"]);
  const a = await session(s);
  await a.upload(MALL, "mall_customers.csv");
  const clustered = await a.post("/api/cluster", { n_clusters: 3, random_state: 1 });
  assert.equal(clustered.status, 200);
  const after = await (await s.app.request("/api/health")).json();
  const { datasets, runs } = after.cache.caches;
  assert.ok(datasets.entries >= 1 && datasets.bytes > 0, JSON.stringify(datasets));
  assert.ok(runs.entries >= 1 && runs.bytes > 0, JSON.stringify(runs));
  assert.equal(after.cache.entries, datasets.entries + runs.entries);
  assert.equal(after.cache.bytes, datasets.bytes + runs.bytes);
});
