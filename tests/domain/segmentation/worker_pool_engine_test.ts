/**
 * The worker engine runs the same tasks as the in-process one, with the same results and the
 * same error classes, queueing what its workers cannot take at once.
 */
import assert from "node:assert/strict";
import { createCpuBackend } from "../../../compute/cpu/backend.ts";
import { AnalyzeInputError } from "../../../domain/segmentation/analyze.ts";
import { type EngineTask, inProcessEngine } from "../../../domain/segmentation/engine.ts";
import { workerEngine } from "../../../domain/segmentation/worker_pool_engine.ts";

function task(n: number): EngineTask {
  const data = Array.from({ length: n }, (_, i) => {
    const g = i % 3;
    return {
      customer_id: i,
      features: {
        purchase_total: [100, 1000, 5000][g]! + (i % 11),
        visit_frequency: [1, 10, 30][g]! + (i % 3),
        avg_ticket: [20, 80, 200][g]! + (i % 5),
        product_diversity: [1, 4, 12][g]!,
        loyalty_score: [0.2, 0.5, 0.8][g]!,
        recency_days: [120, 30, 5][g]! + (i % 4),
      },
    };
  });
  return {
    kind: "purchasing",
    request: { data, max_clusters: 4, random_state: 3 },
    language: "es",
  };
}

Deno.test("the worker engine answers as the in-process engine does", async () => {
  await using stack = new AsyncDisposableStack();
  const workers = await workerEngine({ backend: "cpu" });
  stack.defer(() => workers.dispose());
  const local = inProcessEngine(createCpuBackend({ threads: 1 }));
  stack.defer(() => local.dispose());
  assert.equal(workers.info.name, "cpu");
  const [a, b] = await Promise.all([workers.run(task(90)), local.run(task(90))]);
  const { processing_time_ms: _a, ...fromWorker } = a as Record<string, unknown>;
  const { processing_time_ms: _b, ...fromHere } = b as Record<string, unknown>;
  assert.deepEqual(fromWorker, fromHere);
});

Deno.test("the worker engine keeps error classes: RangeError and AnalyzeInputError", async () => {
  const engine = await workerEngine({ backend: "cpu" });
  try {
    await assert.rejects(
      engine.run({ ...task(2) }),
      (e) => e instanceof RangeError && /at least/i.test(e.message),
    );
    await assert.rejects(
      engine.run({
        kind: "analyze",
        request: { data: [{ a: 1 }, { a: 1 }, { a: 1 }], id_field: "nope" },
        language: "en",
      }),
      (e) => e instanceof AnalyzeInputError && e.parameter === "id_field",
    );
    // Still serving after errors.
    const ok = await engine.run(task(30));
    assert.equal((ok as { customer_labels: unknown[] }).customer_labels.length, 30);
  } finally {
    await engine.dispose();
  }
});

Deno.test("the worker engine queues tasks beyond its workers and answers each", async () => {
  const engine = await workerEngine({ backend: "cpu", workers: 2 });
  try {
    const results = await Promise.all([30, 33, 36, 39].map((n) => engine.run(task(n))));
    assert.deepEqual(
      results.map((r) => (r as { customer_labels: unknown[] }).customer_labels.length),
      [30, 33, 36, 39],
    );
  } finally {
    await engine.dispose();
  }
});

Deno.test("a disposed worker engine refuses tasks", async () => {
  const engine = await workerEngine({ backend: "cpu" });
  await engine.dispose();
  await assert.rejects(engine.run(task(30)), /disposed/);
});

Deno.test("workerEngine refuses a worker count that is not a positive integer", async () => {
  await assert.rejects(workerEngine({ backend: "cpu", workers: 0 }), RangeError);
});
