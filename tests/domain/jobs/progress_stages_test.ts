/**
 * A segmentation job's progress by stage (issue 15): the pipeline's steps reach the job record
 * through the engine (in process and across the worker, for every endpoint's task) and the
 * runner, as `reading`, `candidates` i of N, `selection`, `profiles`, `names`, never backwards;
 * `GET /api/jobs/{id}` shows the stage while the job is processing; a malformed stage is refused
 * and a new attempt starts without the last one's.
 */
import assert from "node:assert/strict";
import type { ProgressEvent } from "../../../compute/auto.ts";
import { createCpuBackend } from "../../../compute/cpu/backend.ts";
import { toPlainTable } from "../../../domain/datasets/plain_table.ts";
import { datasetFromRecords } from "../../../domain/datasets/records.ts";
import { claimNextJob, reportProgress } from "../../../domain/jobs/claims.ts";
import { enqueueJob } from "../../../domain/jobs/enqueue.ts";
import { getJob } from "../../../domain/jobs/job_reads.ts";
import { sweepExpiredLeases } from "../../../domain/jobs/lease_sweep.ts";
import type { JobStage } from "../../../domain/jobs/job_record.ts";
import { JobRunner, type JobType } from "../../../domain/jobs/runner.ts";
import {
  enqueueSegmentation,
  jobStageOf,
  segmentationJobType,
} from "../../../domain/jobs/segmentation_job.ts";
import { inProcessEngine } from "../../../domain/segmentation/engine.ts";
import { workerEngine } from "../../../domain/segmentation/worker_pool_engine.ts";
import { jobStatus } from "../../../routes/platform/jobs.ts";

const dataset = datasetFromRecords(
  Array.from({ length: 60 }, (_, i) => ({
    customer_id: `C${i}`,
    age: 20 + (i % 3) * 20 + (i % 2),
    income: 30 + (i % 3) * 40 + (i % 5),
  })),
  { name: "d.csv", now: 0 },
);

/** The dashboard's run: automatic selection over k = 2..4 (several candidates). */
const workflowTask = {
  kind: "workflow" as const,
  request: { table: toPlainTable(dataset), id_field: "customer_id", max_clusters: 4 },
  language: "en" as const,
};

Deno.test("the job's stages: reading, candidate i of N, selection, profiles, names, never backwards", () => {
  assert.deepEqual(jobStageOf({ stage: "preprocess" }), {
    fraction: 0.1,
    stage: { name: "reading" },
  });
  assert.deepEqual(jobStageOf({ stage: "candidates", done: 3, total: 6 }), {
    fraction: 0.1 + 0.7 * 0.5,
    stage: { name: "candidates", done: 3, total: 6 },
  });
  assert.deepEqual(jobStageOf({ stage: "candidates", done: 9, total: 6 })?.stage, {
    name: "candidates",
    done: 6,
    total: 6,
  });
  assert.deepEqual(jobStageOf({ stage: "candidates" })?.stage, { name: "candidates" });
  assert.equal(jobStageOf({ stage: "selection" })?.stage.name, "selection");
  assert.equal(jobStageOf({ stage: "profiles" })?.stage.name, "profiles");
  assert.equal(jobStageOf({ stage: "narratives" })?.stage.name, "names");
  assert.equal(jobStageOf({ stage: "importance" })?.stage.name, "names");
  assert.equal(jobStageOf({ stage: "something else" }), null);
  const order = ["preprocess", "candidates", "selection", "profiles", "narratives", "importance"]
    .map((stage) => jobStageOf({ stage, done: 1, total: 1 })!.fraction);
  assert.deepEqual(order, [...order].sort((a, b) => a - b));
});

Deno.test("the worker engine forwards the pipeline's stages of a workflow task", async () => {
  const engine = await workerEngine({ backend: "cpu" });
  try {
    const seen: ProgressEvent[] = [];
    await engine.run(workflowTask, { onProgress: (p) => seen.push(p) });
    const stages = seen.map((p) => p.stage);
    assert.equal(stages[0], "preprocess");
    assert.ok(stages.includes("candidates") && stages.includes("profiles"), stages.join());
    assert.ok(stages.includes("narratives"), stages.join());
    const candidates = seen.filter((p) => p.stage === "candidates");
    assert.ok(candidates.length >= 2, "several candidates are fitted");
    assert.equal(candidates.at(-1)!.done, candidates.at(-1)!.total);
  } finally {
    await engine.dispose();
  }
});

Deno.test("the worker engine forwards the stages of every endpoint's task, not only the workflow's", async () => {
  const engine = await workerEngine({ backend: "cpu" });
  try {
    const records = Array.from({ length: 45 }, (_, i) => ({
      id: `C${i}`,
      spend: [200, 2000, 9000][i % 3]! + (i % 7) * 10,
      visits: [2, 12, 40][i % 3]! + (i % 3),
    }));
    const tasks = [
      {
        kind: "analyze" as const,
        request: { data: records, max_clusters: 4 },
        language: "en" as const,
      },
      {
        kind: "profiles" as const,
        data: records.map((r) => ({
          customer_id: r.id,
          features: { spend: r.spend, visits: r.visits },
        })),
        labels: null,
        options: { max_clusters: 4 },
        language: "en" as const,
      },
    ];
    for (const task of tasks) {
      const seen: string[] = [];
      await engine.run(task, { onProgress: (p) => seen.push(p.stage) });
      const names = seen.map((stage) => jobStageOf({ stage })?.stage.name);
      assert.deepEqual(
        names.filter((n, i) => n !== names[i - 1]),
        ["reading", "candidates", "selection", "profiles", "names"],
        `${task.kind}: ${seen.join()}`,
      );
    }
  } finally {
    await engine.dispose();
  }
});

Deno.test("a segmentation job records its stages; GET /api/jobs/{id} shows them while it runs", async () => {
  using kv = await Deno.openKv(":memory:");
  const engine = inProcessEngine(createCpuBackend({ threads: 1 }));
  try {
    const { job } = await enqueueSegmentation(kv, "t1", {
      task: workflowTask,
      source: "workflow",
      params: {},
    }, 0);
    const inner = segmentationJobType(engine);
    const reports: { fraction: number; stage?: JobStage }[] = [];
    const shown: ReturnType<typeof jobStatus>[] = [];
    const type: JobType<{ requestId: string }> = {
      ...inner,
      run: (ctx) =>
        inner.run({
          ...ctx,
          progress: async (fraction, stage) => {
            reports.push({ fraction, stage });
            await ctx.progress(fraction, stage);
            const stored = await getJob(kv, "t1", job.id);
            if (stored) shown.push(jobStatus(stored));
          },
        }),
    };
    const runner = new JobRunner(kv, [type as JobType], { clock: () => 1 });
    await runner.tick();
    const until = Date.now() + 60_000;
    while ((await getJob(kv, "t1", job.id))?.state === "processing" && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 20));
    }
    await runner.stop();
    const done = (await getJob(kv, "t1", job.id))!;
    assert.equal(done.state, "succeeded", JSON.stringify(done.error));

    const names = reports.map((r) => r.stage?.name);
    assert.deepEqual(names.slice(0, 2), ["reading", "reading"]);
    for (const name of ["candidates", "selection", "profiles", "names"]) {
      assert.ok(names.includes(name), `${name} in ${names.join()}`);
    }
    const fractions = reports.map((r) => r.fraction);
    assert.deepEqual(fractions, [...fractions].sort((a, b) => a - b), "never backwards");
    const counted = reports.filter((r) => r.stage?.total !== undefined);
    assert.ok(counted.length >= 2);
    assert.ok(counted.every((r) => r.stage!.done! <= r.stage!.total!));

    // The job's status while processing shows the stage written last (writes are coalesced:
    // an in-process engine holds the thread, so its later stages land together).
    assert.ok(shown.length >= 2);
    assert.ok(shown.every((s) => s.status === "processing" && typeof s.stage === "string"));
    assert.equal(shown[0]!.stage, "reading");
    assert.equal(shown.at(-1)!.stage, "names");
    // Once succeeded, no stage.
    const final = jobStatus(done);
    assert.equal(final.progress, 1);
    assert.equal(final.stage, undefined);
    assert.equal(final.done, undefined);
  } finally {
    await engine.dispose();
  }
});

Deno.test("a malformed stage is refused; a new attempt starts without the last one's stage", async () => {
  using kv = await Deno.openKv(":memory:");
  await enqueueJob(kv, { tenantId: "t1", type: "x", input: {} }, 0);
  const lease = (await claimNextJob(kv, "w1", 0, 60_000))!;
  for (const stage of [{ name: "" }, { name: "c", done: 3, total: 2 }, { name: "c", done: -1 }]) {
    await assert.rejects(reportProgress(kv, lease, 0.5, 1, stage), RangeError);
  }
  const later = await reportProgress(kv, lease, 0.5, 1, { name: "candidates", done: 1, total: 4 });
  assert.deepEqual(later.job.stage, { name: "candidates", done: 1, total: 4 });
  // A report without a stage keeps it.
  const same = await reportProgress(kv, later, 0.6, 2);
  assert.deepEqual(same.job.stage, { name: "candidates", done: 1, total: 4 });
  assert.deepEqual(
    { stage: jobStatus(same.job).stage, done: jobStatus(same.job).done },
    { stage: "candidates", done: 1 },
  );
  // The lease expires; the next claim is a new attempt, from nothing.
  await sweepExpiredLeases(kv, 120_000);
  const again = (await claimNextJob(kv, "w2", 120_000, 60_000))!;
  assert.equal(again.job.attempt, 2);
  assert.equal(again.job.stage, undefined);
  assert.equal(jobStatus(again.job).stage, undefined);
});
