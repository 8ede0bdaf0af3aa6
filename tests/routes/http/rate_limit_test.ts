import assert from "node:assert/strict";
import { Hono } from "hono";
import { installErrorHandlers } from "../../../routes/http/errors.ts";
import { type AppDeps, type AppEnv, createApp, type Principal } from "../../../routes/mod.ts";
import {
  classifyRequest,
  parseRatePolicy,
  rateLimit,
  type RateLimitOptions,
  readRateLimits,
} from "../../../routes/http/rate_limit.ts";
import { openStore } from "../../../storage/mod.ts";

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 12, 12, 0, 0);

/** The app with a stand-in for each limited class, on an in-memory store and a movable clock. */
async function limitedApp(deps: Partial<AppDeps> = {}) {
  const kv = await openStore(":memory:");
  const clock = { now: T0 };
  const app = createApp({
    compute: { info: { name: "cpu", description: "test" } },
    kv,
    clock: () => clock.now,
    rateLimits: { clusters_run: { limit: 10, periodMs: HOUR } },
    logger: () => {},
    ...deps,
  });
  app.post("/api/clusters/run", (c) => c.json({ ok: true }, 202));
  app.get("/api/segments/:type", (c) => c.json({ type: c.req.param("type") }));
  app.post("/api/export/:type", (c) => c.json({ ok: true }, 202));
  return { app, kv, clock, [Symbol.dispose]: () => kv.close() };
}

/** A bare app whose principal comes from test headers, standing in for `authenticate`. */
async function principalApp(options: Partial<RateLimitOptions> = {}) {
  const kv = await openStore(":memory:");
  const app = new Hono<AppEnv>();
  installErrorHandlers(app, { logger: () => {} });
  app.use(async (c, next) => {
    const id = c.req.header("X-Test-User");
    if (id) {
      const principal: Principal = {
        tenantId: c.req.header("X-Test-Tenant") ?? "tenant-a",
        kind: "user",
        id,
      };
      c.set("principal", principal);
    }
    await next();
  });
  app.use(rateLimit({ kv, clock: () => T0, ...options }));
  app.get("/api/segments", (c) => c.json({ ok: true }));
  app.post("/api/export/clv", (c) => c.json({ ok: true }));
  return { app, kv, [Symbol.dispose]: () => kv.close() };
}

function post(): RequestInit {
  return { method: "POST" };
}

async function drain(res: Response): Promise<Response> {
  await res.body?.cancel();
  return res;
}

Deno.test("POST /api/clusters/run admits exactly 10 of 50 concurrent requests", async () => {
  using t = await limitedApp();
  const responses = await Promise.all(
    Array.from({ length: 50 }, async () => drain(await t.app.request("/api/clusters/run", post()))),
  );
  const admitted = responses.filter((res) => res.status === 202);
  const denied = responses.filter((res) => res.status === 429);
  assert.equal(admitted.length, 10);
  assert.equal(denied.length, 40);
  const remaining = admitted.map((res) => Number(res.headers.get("X-RateLimit-Remaining")));
  assert.deepEqual(remaining.sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  for (const res of responses) {
    assert.equal(res.headers.get("X-RateLimit-Limit"), "10");
    assert.ok(Number(res.headers.get("X-RateLimit-Reset")) >= T0 / 1000);
    assert.equal(res.headers.get("RateLimit-Policy"), '"clusters_run";q=10;w=3600');
    assert.match(res.headers.get("RateLimit") ?? "", /^"clusters_run";r=\d+;t=\d+$/);
  }
  for (const res of denied) {
    assert.equal(res.headers.get("X-RateLimit-Remaining"), "0");
    const retryAfter = Number(res.headers.get("Retry-After"));
    assert.ok(retryAfter >= 1 && retryAfter <= 360, `Retry-After ${retryAfter}`);
  }
});

Deno.test("rate-limit headers are consistent: Remaining falls, Reset is the time the bucket is full", async () => {
  using t = await limitedApp();
  let previous = 10;
  for (let i = 0; i < 10; i++) {
    const res = await drain(await t.app.request("/api/clusters/run", post()));
    const remaining = Number(res.headers.get("X-RateLimit-Remaining"));
    assert.equal(remaining, previous - 1);
    previous = remaining;
    // Every admitted request pushes the full-again time out by one interval (360 s).
    const untilFull = (i + 1) * 360;
    assert.equal(res.headers.get("X-RateLimit-Reset"), String(T0 / 1000 + untilFull));
    assert.equal(res.headers.get("RateLimit"), `"clusters_run";r=${remaining};t=${untilFull}`);
  }
});

Deno.test("a denied request answers 429 in the error body with Retry-After from the clock", async () => {
  using t = await limitedApp();
  for (let i = 0; i < 10; i++) await drain(await t.app.request("/api/clusters/run", post()));

  t.clock.now = T0 + 1_000;
  const res = await t.app.request("/api/clusters/run", post());
  assert.equal(res.status, 429);
  // The 11th request fits once one interval (360 s) after T0 has passed.
  assert.equal(res.headers.get("Retry-After"), "359");
  assert.equal(res.headers.get("X-RateLimit-Remaining"), "0");
  assert.equal(res.headers.get("RateLimit"), '"clusters_run";r=0;t=3599');
  const body = await res.json();
  assert.equal(body.code, "RATE_LIMITED");
  assert.equal(body.status, 429);
  assert.deepEqual(body.details, { class: "clusters_run", limit: 10, retry_after_seconds: 359 });
  assert.equal(body.request_id, res.headers.get("X-Request-Id"));

  t.clock.now = T0 + 360_000;
  assert.equal((await drain(await t.app.request("/api/clusters/run", post()))).status, 202);
  const again = await drain(await t.app.request("/api/clusters/run", post()));
  assert.equal(again.status, 429);
  assert.equal(again.headers.get("Retry-After"), "360");
});

Deno.test("denied requests do not extend the lock-out", async () => {
  using t = await limitedApp();
  for (let i = 0; i < 10; i++) await drain(await t.app.request("/api/clusters/run", post()));
  for (let i = 0; i < 100; i++) await drain(await t.app.request("/api/clusters/run", post()));
  t.clock.now = T0 + 360_000;
  assert.equal((await drain(await t.app.request("/api/clusters/run", post()))).status, 202);
});

Deno.test("each class has its own bucket with document 003's defaults", async () => {
  using t = await limitedApp();
  for (let i = 0; i < 10; i++) await drain(await t.app.request("/api/clusters/run", post()));
  assert.equal((await drain(await t.app.request("/api/clusters/run", post()))).status, 429);

  const segments = await drain(await t.app.request("/api/segments/clv"));
  assert.equal(segments.status, 200);
  assert.equal(segments.headers.get("X-RateLimit-Limit"), "100");
  assert.equal(segments.headers.get("X-RateLimit-Remaining"), "99");
  assert.equal(segments.headers.get("RateLimit-Policy"), '"default";q=100;w=3600');

  const exported = await drain(await t.app.request("/api/export/clv", post()));
  assert.equal(exported.status, 202);
  assert.equal(exported.headers.get("X-RateLimit-Limit"), "20");
  assert.equal(exported.headers.get("RateLimit-Policy"), '"export";q=20;w=3600');
});

Deno.test("GET /api/health and the OpenAPI document are unlimited and carry no rate-limit headers", async () => {
  using t = await limitedApp({ rateLimits: { default: { limit: 1, periodMs: HOUR } } });
  await drain(await t.app.request("/api/segments/clv"));
  assert.equal((await drain(await t.app.request("/api/segments/clv"))).status, 429);
  for (let i = 0; i < 5; i++) {
    for (const path of ["/api/health", "/api/openapi.json"]) {
      const res = await drain(await t.app.request(path));
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get("X-RateLimit-Limit"), null, path);
      assert.equal(res.headers.get("RateLimit"), null, path);
    }
  }
});

Deno.test("responses that fail after admission still carry the rate-limit headers", async () => {
  using t = await limitedApp();
  const res = await t.app.request("/api/nothing-here");
  assert.equal(res.status, 404);
  assert.equal((await res.json()).code, "NOT_FOUND");
  assert.equal(res.headers.get("X-RateLimit-Limit"), "100");
  assert.equal(res.headers.get("X-RateLimit-Remaining"), "99");
});

Deno.test("unauthenticated requests are limited per client address", async () => {
  let address = "192.0.2.1";
  using t = await limitedApp({
    rateLimits: { default: { limit: 2, periodMs: HOUR } },
    clientAddress: () => address,
  });
  for (let i = 0; i < 2; i++) await drain(await t.app.request("/api/segments/clv"));
  assert.equal((await drain(await t.app.request("/api/segments/clv"))).status, 429);
  address = "192.0.2.2";
  assert.equal((await drain(await t.app.request("/api/segments/clv"))).status, 200);
});

Deno.test("different principals, tenants and classes have separate buckets", async () => {
  using t = await principalApp({ policies: { default: { limit: 3, periodMs: HOUR } } });
  const as = (user: string, tenant = "tenant-a") => ({
    headers: { "X-Test-User": user, "X-Test-Tenant": tenant },
  });
  for (let i = 0; i < 3; i++) {
    assert.equal((await drain(await t.app.request("/api/segments", as("alice")))).status, 200);
  }
  assert.equal((await drain(await t.app.request("/api/segments", as("alice")))).status, 429);
  // Another user of the same tenant, the same user id in another tenant, and another class.
  assert.equal((await drain(await t.app.request("/api/segments", as("bob")))).status, 200);
  assert.equal(
    (await drain(await t.app.request("/api/segments", as("alice", "tenant-b")))).status,
    200,
  );
  const exported = await drain(
    await t.app.request("/api/export/clv", { method: "POST", ...as("alice") }),
  );
  assert.equal(exported.status, 200);
  assert.equal(exported.headers.get("X-RateLimit-Remaining"), "19");
  // A principal's bucket is not the anonymous one.
  assert.equal((await drain(await t.app.request("/api/segments"))).status, 200);
});

Deno.test("a store too contended to decide answers 503 with Retry-After, never admits", async () => {
  const real = await openStore(":memory:");
  // Every commit loses its race, as it would against a flood of other instances.
  const losing = {
    check: () => losing,
    set: () => losing,
    delete: () => losing,
    commit: () => Promise.resolve({ ok: false }),
  };
  const contended = new Proxy(real, {
    get(target, property) {
      if (property === "atomic") return () => losing;
      const value = Reflect.get(target, property);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  let handled = 0;
  try {
    const app = new Hono<AppEnv>();
    installErrorHandlers(app, { logger: () => {} });
    app.use(rateLimit({ kv: contended, clock: () => T0 }));
    app.get("/api/segments", (c) => {
      handled++;
      return c.json({ ok: true });
    });
    const res = await app.request("/api/segments");
    assert.equal(res.status, 503);
    assert.ok(Number(res.headers.get("Retry-After")) >= 1);
    const body = await res.json();
    assert.equal(body.code, "RATE_LIMITER_UNAVAILABLE");
    assert.equal(body.status, 503);
    assert.equal(handled, 0);
  } finally {
    real.close();
  }
});

Deno.test("parseRatePolicy reads a count per period", () => {
  assert.deepEqual(parseRatePolicy("100/hour"), { limit: 100, periodMs: HOUR });
  assert.deepEqual(parseRatePolicy("10/hours"), { limit: 10, periodMs: HOUR });
  assert.deepEqual(parseRatePolicy(" 20 / h "), { limit: 20, periodMs: HOUR });
  assert.deepEqual(parseRatePolicy("5/30s"), { limit: 5, periodMs: 30_000 });
  assert.deepEqual(parseRatePolicy("10/15min"), { limit: 10, periodMs: 900_000 });
  assert.deepEqual(parseRatePolicy("1000/day"), { limit: 1000, periodMs: 24 * HOUR });
  assert.deepEqual(parseRatePolicy("60/Minute"), { limit: 60, periodMs: 60_000 });
});

Deno.test("parseRatePolicy refuses anything else, saying what it expected", () => {
  for (
    const bad of ["", "100", "100/", "0/hour", "100/fortnight", "-1/hour", "1.5/hour", "10/0h"]
  ) {
    assert.throws(() => parseRatePolicy(bad), (error: Error) => {
      assert.ok(error instanceof RangeError, bad);
      assert.match(error.message, /^Expected a rate limit such as "100\/hour"/);
      assert.ok(error.message.endsWith(`but found "${bad}"`), error.message);
      return true;
    });
  }
});

Deno.test("readRateLimits reads the set variables and names a bad one", () => {
  const env: Record<string, string> = {
    RATE_LIMIT_DEFAULT: "200/hour",
    RATE_LIMIT_CLUSTERS_RUN: "",
    RATE_LIMIT_EXPORT: "40/2h",
  };
  assert.deepEqual(readRateLimits((name) => env[name]), {
    default: { limit: 200, periodMs: HOUR },
    export: { limit: 40, periodMs: 2 * HOUR },
  });
  assert.throws(
    () => readRateLimits((name) => (name === "RATE_LIMIT_CLUSTERS_RUN" ? "lots" : undefined)),
    /^RangeError: RATE_LIMIT_CLUSTERS_RUN: Expected a rate limit/,
  );
});

Deno.test("classifyRequest follows document 003's classes", () => {
  assert.equal(classifyRequest("POST", "/api/clusters/run"), "clusters_run");
  assert.equal(classifyRequest("GET", "/api/clusters"), "default");
  assert.equal(classifyRequest("GET", "/api/clusters/jobs/job_1"), "default");
  assert.equal(classifyRequest("POST", "/api/export/clv"), "export");
  assert.equal(classifyRequest("GET", "/api/export"), "export");
  assert.equal(classifyRequest("GET", "/api/exports/exp_1/download"), "default");
  assert.equal(classifyRequest("GET", "/api/health"), null);
  assert.equal(classifyRequest("GET", "/api/openapi.json"), null);
  assert.equal(classifyRequest("POST", "/api/auth/login"), "default");
});
