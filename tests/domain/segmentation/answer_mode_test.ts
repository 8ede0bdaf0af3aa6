/** The rule between answering in the request and queueing a job, and its cost model. */
import assert from "node:assert/strict";
import {
  answerMode,
  estimateSeconds,
  MAX_CUSTOMERS,
  SYNC_LIMITS,
  taskSize,
} from "../../../domain/segmentation/answer_mode.ts";

const base = { customers: 1_000, features: 5, syncLimit: 50_000, prefersAsync: false };

Deno.test("a small request without a time limit is answered in the request", () => {
  assert.deepEqual(answerMode(base), {
    mode: "sync",
    reason: "within_limits",
    estimatedSeconds: 1,
  });
  assert.deepEqual(answerMode({ ...base, timeLimitMs: 0 }).mode, "sync");
});

Deno.test("the client's preference wins over every limit", () => {
  assert.deepEqual(answerMode({ ...base, prefersAsync: true }).reason, "client_preference");
  const big = answerMode({ ...base, customers: 10 ** 6, prefersAsync: true, timeLimitMs: 1 });
  assert.equal(big.mode, "job");
  assert.equal(big.reason, "client_preference");
});

Deno.test("a sync limit of 0 means the endpoint always answers with a job", () => {
  const d = answerMode({ ...base, syncLimit: SYNC_LIMITS.clustersRun });
  assert.deepEqual([d.mode, d.reason], ["job", "job_only"]);
});

Deno.test("more customers than the sync limit is a job; exactly the limit is not", () => {
  const at = answerMode({ ...base, customers: 50_000, features: 1 });
  assert.deepEqual([at.mode, at.reason], ["sync", "within_limits"]);
  const above = answerMode({ ...base, customers: 50_001, features: 1 });
  assert.deepEqual([above.mode, above.reason], ["job", "above_sync_limit"]);
});

Deno.test("estimated work above 80 % of the time limit is a job", () => {
  // 10k × 5 × 18 µs = 0.9 s: over 0.8 s of a 1 s limit, under 1.6 s of a 2 s one.
  const heavy = { ...base, customers: 10_000, features: 5 };
  assert.ok(Math.abs(estimateSeconds(10_000, 5) - 0.9) < 1e-9);
  const d = answerMode({ ...heavy, timeLimitMs: 1000 });
  assert.deepEqual(d, { mode: "job", reason: "over_time_budget", estimatedSeconds: 1 });
  assert.equal(answerMode({ ...heavy, timeLimitMs: 2000 }).mode, "sync");
});

Deno.test("the estimate is whole seconds, at least one, rounded up", () => {
  assert.equal(answerMode({ ...base, customers: 1, features: 1 }).estimatedSeconds, 1);
  // 200k × 6 × 18 µs = 21.6 s, the reference measurement.
  assert.equal(answerMode({ ...base, customers: 200_000, features: 6 }).estimatedSeconds, 22);
});

Deno.test("the limits keep their documented order", () => {
  assert.ok(SYNC_LIMITS.analyze < SYNC_LIMITS.purchasing);
  assert.equal(SYNC_LIMITS.purchasing, SYNC_LIMITS.profiles);
  assert.ok(SYNC_LIMITS.purchasing < MAX_CUSTOMERS);
});

Deno.test("taskSize counts a task's customers and the fields it reads", () => {
  const data = [{ id: 1, a: 1, b: 2 }, { id: 2, a: 3, b: 4 }];
  assert.deepEqual(taskSize({ kind: "analyze", request: { data }, language: "en" }), {
    customers: 2,
    features: 3,
  });
  assert.deepEqual(
    taskSize({
      kind: "profiles",
      data: [{ customer_id: "a", features: { x: 1, y: 2 } }],
      labels: null,
      options: {},
      language: "en",
    }),
    { customers: 1, features: 2 },
  );
  assert.deepEqual(taskSize({ kind: "workflow", request: { data: [] }, language: "en" }), {
    customers: 0,
    features: 1,
  });
});
