import assert from "node:assert/strict";
import { HashingBusyError, HashPool } from "../../../domain/auth/hash_pool.ts";
import {
  DEFAULT_PASSWORD_COST,
  hashPassword,
  verifyPassword,
} from "../../../domain/auth/hashing.ts";

const OPTIONS = {
  salt: new Uint8Array(16),
  parallelism: 1,
  iterations: 1,
  memorySize: 64,
  hashLength: 32,
};

Deno.test("HashPool hashes and verifies on workers, and stops them when idle", async () => {
  const pool = new HashPool({ workers: 2 });
  const hashes = await Promise.all(
    ["a", "b", "c"].map((password) => pool.run({ op: "hash", password, options: OPTIONS })),
  );
  assert.ok(String(hashes[0]).startsWith("$argon2id$"));
  assert.equal(await pool.run({ op: "verify", password: "b", hash: String(hashes[1]) }), true);
  assert.equal(await pool.run({ op: "verify", password: "x", hash: String(hashes[1]) }), false);
  assert.deepEqual(pool.load, { running: 0, queued: 0 });
});

Deno.test("HashPool refuses jobs past its queue with HashingBusyError", async () => {
  const pool = new HashPool({ workers: 1, maxQueued: 2 });
  const jobs = Array.from(
    { length: 3 },
    () => pool.run({ op: "hash", password: "p", options: OPTIONS }),
  );
  await assert.rejects(pool.run({ op: "hash", password: "p", options: OPTIONS }), HashingBusyError);
  await Promise.all(jobs);
});

Deno.test("the real cost hashes off the main thread: timers keep firing during 8 hashes", async () => {
  const hash = await hashPassword("correct horse", DEFAULT_PASSWORD_COST);
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  const started = performance.now();
  const results = await Promise.all(
    Array.from({ length: 8 }, (_, i) => verifyPassword(i ? "wrong" : "correct horse", hash)),
  );
  const elapsed = performance.now() - started;
  clearInterval(timer);
  assert.deepEqual(results, [true, false, false, false, false, false, false, false]);
  // On the main thread the interval could not fire while a hash ran; here it keeps its pace.
  assert.ok(ticks >= elapsed / 5 / 10, `${ticks} ticks in ${elapsed.toFixed(0)} ms`);
});
