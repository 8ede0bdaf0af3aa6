import assert from "node:assert/strict";
import { DEFAULT_PASSWORD_COST } from "../../../domain/auth/hashing.ts";
import { createTenant } from "../../../domain/auth/tenants.ts";
import { NOW, segmentationService } from "../segmentation/_service.ts";

Deno.test("during 20 concurrent logins at the real cost, health answers before they finish", async () => {
  await using service = await segmentationService({
    auth: {
      jwt: { secret: "p".repeat(40), issuer: "t", audience: "t" },
      refreshTtlSeconds: 3600,
      passwordCost: DEFAULT_PASSWORD_COST,
    },
  });
  await createTenant(service.kv, {
    name: "a",
    user: { username: "ann", password: "the right password" },
  }, {
    now: () => NOW,
    passwordCost: DEFAULT_PASSWORD_COST,
  });
  // A 5 ms interval fires on time only while the event loop is free: no hash blocks it.
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  const started = performance.now();
  let loginsDone = 0;
  const logins = Array.from({ length: 20 }, async (_, i) => {
    const res = await service.app.request("/api/auth/login", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ username: i % 2 ? "ann" : `nobody${i}`, password: `wrong ${i}` }),
    });
    await res.body?.cancel();
    loginsDone++;
    return res.status;
  });
  // Let the logins reach the hashing pool first.
  await new Promise((resolve) => setTimeout(resolve, 20));
  const health = await service.app.request("/api/health");
  await health.body?.cancel();
  const doneWhenHealthAnswered = loginsDone;
  const statuses = await Promise.all(logins);
  const elapsed = performance.now() - started;
  clearInterval(timer);
  // Generous: a tenth of the ticks a free loop would fire (on the HTTP thread, hardly any).
  assert.ok(ticks >= elapsed / 5 / 10, `${ticks} ticks in ${elapsed.toFixed(0)} ms`);
  assert.equal(health.status < 500 || health.status === 503, true);
  assert.ok(doneWhenHealthAnswered < 20, `health waited for ${doneWhenHealthAnswered} logins`);
  for (const status of statuses) assert.ok(status === 401 || status === 429, `${status}`);
});
