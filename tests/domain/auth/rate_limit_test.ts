import assert from "node:assert/strict";
import { consume, peek } from "../../../domain/auth/rate_limit.ts";
import { openStore } from "../../../storage/mod.ts";

const HOUR = 3_600_000;

Deno.test("consume admits exactly the limit of 50 concurrent requests and denies the rest", async () => {
  const kv = await openStore(":memory:");
  try {
    const now = 1_000_000;
    const decisions = await Promise.all(
      Array.from(
        { length: 50 },
        () => consume(kv, "user:1", "default", { limit: 10, periodMs: HOUR }, now),
      ),
    );
    assert.equal(decisions.filter((d) => d.allowed).length, 10);
    const remaining = decisions.filter((d) => d.allowed).map((d) => d.remaining).sort((a, b) =>
      a - b
    );
    assert.deepEqual(remaining, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const denied = decisions.find((d) => !d.allowed)!;
    assert.equal(denied.remaining, 0);
    assert.equal(denied.retryAfterMs, HOUR / 10);
  } finally {
    kv.close();
  }
});

Deno.test("consume stays exact when instances race through the store (no local queue)", async () => {
  // Each call acts as its own instance: only the versionstamp check orders them. (Two handles
  // on one SQLite file in one process can fail with "database is locked", denoland/deno#20116.)
  const kv = await openStore(":memory:");
  try {
    const policy = { limit: 10, periodMs: HOUR };
    const decisions = await Promise.all(
      Array.from(
        { length: 40 },
        () => consume(kv, "key:9", "runs", policy, 5_000, { localQueue: false, maxAttempts: 100 }),
      ),
    );
    assert.equal(decisions.filter((d) => d.allowed).length, 10);
  } finally {
    kv.close();
  }
});

Deno.test("consume refills at limit / period and a denied request writes nothing", async () => {
  const kv = await openStore(":memory:");
  try {
    const policy = { limit: 2, periodMs: 1000 };
    assert.ok((await consume(kv, "p", "c", policy, 0)).allowed);
    assert.ok((await consume(kv, "p", "c", policy, 0)).allowed);
    const denied = await consume(kv, "p", "c", policy, 100);
    assert.equal(denied.allowed, false);
    assert.equal(denied.retryAfterMs, 400);
    const before = await peek(kv, "p", "c", policy, 100);
    await consume(kv, "p", "c", policy, 100);
    assert.deepEqual(await peek(kv, "p", "c", policy, 100), before);
    const later = await consume(kv, "p", "c", policy, 500);
    assert.equal(later.allowed, true);
    assert.equal(later.remaining, 0);
    assert.equal(later.resetAt, 1500);
  } finally {
    kv.close();
  }
});
