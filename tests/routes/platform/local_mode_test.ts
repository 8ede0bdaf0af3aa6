import assert from "node:assert/strict";
import { TEST_PASSWORD_COST } from "../../../domain/auth/hashing.ts";
import { ensureLocalTenant } from "../../../domain/auth/tenants.ts";
import { type AppDeps, createApp } from "../../../routes/mod.ts";
import { openStore } from "../../../storage/mod.ts";

const T0 = 1_700_000_000_000;
const JWT = {
  secret: "local-mode-test-secret-0123456789abcdefghij",
  issuer: "segmentation-test",
  audience: "segmentation-api",
};

async function openService(rateLimits?: AppDeps["rateLimits"]) {
  const kv = await openStore(":memory:");
  const openTenantId = await ensureLocalTenant(kv, { now: () => T0 });
  const app = createApp({
    compute: { info: { name: "cpu", description: "test" } },
    kv,
    clock: () => T0,
    logger: () => {},
    ...(rateLimits ? { rateLimits } : {}),
    auth: { jwt: JWT, refreshTtlSeconds: 3600, passwordCost: TEST_PASSWORD_COST, openTenantId },
  });
  return { app, kv, [Symbol.dispose]: () => kv.close() };
}

async function rateEntries(kv: Deno.Kv): Promise<number> {
  let n = 0;
  for await (const e of kv.list({ prefix: [] })) {
    if (e.key.some((part) => typeof part === "string" && /rate/i.test(part))) n++;
  }
  return n;
}

Deno.test("open mode on loopback has no per-principal quota by default: 150 requests in an hour pass without rate-limit headers or store writes", async () => {
  using s = await openService();
  for (let i = 0; i < 150; i++) {
    const res = await s.app.request("/api/jobs/unknown");
    assert.notEqual(res.status, 429, `request ${i + 1}`);
    assert.equal(res.headers.get("X-RateLimit-Limit"), null);
    await res.body?.cancel();
  }
  assert.equal(await rateEntries(s.kv), 0);
});

Deno.test("open mode keeps a quota set explicitly (RATE_LIMIT_DEFAULT)", async () => {
  using s = await openService({ default: { limit: 2, periodMs: 3_600_000 } });
  const statuses: number[] = [];
  for (let i = 0; i < 3; i++) {
    const res = await s.app.request("/api/jobs/unknown");
    statuses.push(res.status);
    await res.body?.cancel();
  }
  assert.equal(statuses[2], 429);
});
