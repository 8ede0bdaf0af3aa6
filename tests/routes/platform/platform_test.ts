/**
 * The platform end to end through `createApp` as `main.ts` builds it: authentication on every
 * `/api/*` route, tenant isolation, open mode, rate-limit headers on authenticated routes.
 */
import assert from "node:assert/strict";
import { TEST_PASSWORD_COST } from "../../../domain/auth/hashing.ts";
import { enqueueJob } from "../../../domain/jobs/enqueue.ts";
import { createApiKey, createTenant, ensureLocalTenant } from "../../../domain/auth/tenants.ts";
import { createApp } from "../../../routes/mod.ts";
import { openStore } from "../../../storage/mod.ts";

const NOW = 1_800_000_000_000;
const clock = () => NOW;

async function platform(options: { open?: boolean } = {}) {
  const kv = await openStore(":memory:");
  const openTenantId = options.open ? await ensureLocalTenant(kv, { now: clock }) : undefined;
  const app = createApp({
    compute: { info: { name: "cpu", description: "test" } },
    kv,
    clock,
    logger: () => {},
    auth: {
      jwt: { secret: "k".repeat(40), issuer: "segments", audience: "segments-api" },
      refreshTtlSeconds: 86_400,
      passwordCost: TEST_PASSWORD_COST,
      openTenantId,
    },
  });
  const tenant = async (name: string) => {
    const t = await createTenant(
      kv,
      { name, user: { username: `${name}-admin`, password: "correct horse battery" } },
      { now: clock, passwordCost: TEST_PASSWORD_COST },
    );
    const key = await createApiKey(kv, t.tenantId, { now: clock });
    const login = await app.request("/api/auth/login", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ username: `${name}-admin`, password: "correct horse battery" }),
    });
    assert.equal(login.status, 200);
    const { access_token } = await login.json();
    return {
      ...t,
      apiKey: { "X-API-Key": key.apiKey },
      headers: { "X-Customer-Api-Id": t.customerApiId, "X-Secret": t.secret },
      bearer: { Authorization: `Bearer ${access_token}` },
    };
  };
  return { kv, app, tenant, openTenantId, [Symbol.dispose]: () => kv.close() };
}

Deno.test("GET /api/jobs/{id} of another tenant is 404 with every kind of credential", async () => {
  using p = await platform();
  const a = await p.tenant("acme");
  const b = await p.tenant("globex");
  const { job } = await enqueueJob(p.kv, { tenantId: a.tenantId, type: "noop", input: {} }, NOW);
  for (const creds of [a.apiKey, a.headers, a.bearer]) {
    const res = await p.app.request(`/api/jobs/${job.id}`, { headers: creds });
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.success, true);
    assert.equal(body.data.job_id, job.id);
    assert.equal(body.data.status, "queued");
    assert.equal(body.metadata.api_version, "1.0");
  }
  for (const creds of [b.apiKey, b.headers, b.bearer]) {
    const res = await p.app.request(`/api/jobs/${job.id}`, { headers: creds });
    assert.equal(res.status, 404);
    const body = await res.json();
    assert.equal(body.code, "NOT_FOUND");
    assert.ok(!JSON.stringify(body).includes(a.tenantId), "nothing of tenant A leaks");
  }
  const unknown = await p.app.request("/api/jobs/no-such-job", { headers: a.apiKey });
  assert.equal(unknown.status, 404);
});

Deno.test("a token of tenant A with the headers of tenant B is 403", async () => {
  using p = await platform();
  const a = await p.tenant("acme");
  const b = await p.tenant("globex");
  const res = await p.app.request("/api/jobs/x", { headers: { ...a.bearer, ...b.headers } });
  assert.equal(res.status, 403);
  assert.equal((await res.json()).code, "FORBIDDEN");
});

Deno.test("/api/* needs credentials but health, the OpenAPI document and login do not", async () => {
  using p = await platform();
  const res = await p.app.request("/api/jobs/x");
  assert.equal(res.status, 401);
  assert.match(res.headers.get("WWW-Authenticate") ?? "", /^Bearer/);
  assert.equal((await res.json()).status, 401);
  assert.equal((await p.app.request("/api/health")).status, 200);
  assert.equal((await p.app.request("/api/openapi.json")).status, 200);
  const login = await p.app.request("/api/auth/login", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username: "nobody", password: "wrong password here" }),
  });
  assert.equal(login.status, 401);
});

Deno.test("open mode maps requests without credentials to the local tenant", async () => {
  using p = await platform({ open: true });
  const { job } = await enqueueJob(
    p.kv,
    { tenantId: p.openTenantId!, type: "noop", input: {} },
    NOW,
  );
  const res = await p.app.request(`/api/jobs/${job.id}`);
  assert.equal(res.status, 200);
  // Bad credentials are still refused in open mode.
  const bad = await p.app.request(`/api/jobs/${job.id}`, { headers: { "X-API-Key": "sk_live_x" } });
  assert.equal(bad.status, 401);
});

Deno.test("authenticated routes carry consistent rate-limit headers", async () => {
  using p = await platform();
  const a = await p.tenant("acme");
  const first = await p.app.request("/api/jobs/x", { headers: a.apiKey });
  const second = await p.app.request("/api/jobs/x", { headers: a.apiKey });
  assert.equal(first.headers.get("X-RateLimit-Limit"), "100");
  assert.equal(first.headers.get("X-RateLimit-Remaining"), "99");
  assert.equal(second.headers.get("X-RateLimit-Remaining"), "98");
  assert.ok(Number(first.headers.get("X-RateLimit-Reset")) >= NOW / 1000);
  assert.match(first.headers.get("RateLimit-Policy") ?? "", /q=100;w=3600/);
  // Health is unlimited and carries none.
  assert.equal((await p.app.request("/api/health")).headers.get("X-RateLimit-Limit"), null);
});
