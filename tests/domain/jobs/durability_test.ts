/**
 * Jobs that never lose work (issue 11, item 2): a worker crashed at any step still leaves a
 * job that ends `succeeded` (or `failed` with its reason) and no half-written object readable;
 * a job's input lives until its outcome is stored; orphans are swept by the runner; a tenant
 * can cancel its jobs; a tenant's active jobs are capped and claims are fair between tenants.
 * Crashes come from the runner's fault hook (`domain/jobs/faults.ts`), not killed processes.
 */
import assert from "node:assert/strict";
import { enqueueJob } from "../../../domain/jobs/enqueue.ts";
import { getJob, getJobResult } from "../../../domain/jobs/job_reads.ts";
import {
  JOB_RESULT_KIND,
  type JobRecord,
  TooManyActiveJobsError,
} from "../../../domain/jobs/job_record.ts";
import { cancelJob } from "../../../domain/jobs/outcomes.ts";
import { storeJobInput } from "../../../domain/jobs/job_inputs.ts";
import { keys } from "../../../storage/mod.ts";
import type { FaultPoint } from "../../../domain/jobs/faults.ts";
import { JobRunner, type JobType, type Schedule } from "../../../domain/jobs/runner.ts";
import { CHUNK_BYTES, getBlob, openStore, sweepOrphanChunks } from "../../../storage/mod.ts";
import { FakeTime, settle, T0 } from "./_fake_time.ts";

const LEASE = 30_000;
const INPUT_KIND = "test_input";
/** More than 12 chunks: the result takes two chunk writes before its publish. */
const BIG = CHUNK_BYTES * 14 + 123;

/** Publishes the reversed bytes of its stored input; waits for the signal when asked to. */
const reverseJob: JobType<{ blobId: string; hang?: boolean }> = {
  type: "reverse",
  async run({ kv, job, input, signal }) {
    const blob = await getBlob(kv, job.tenantId, INPUT_KIND, input.blobId);
    if (!blob) throw new Deno.errors.NotFound(`The input of job ${job.id} is gone`);
    if (input.hang) {
      await new Promise((_, reject) => {
        signal.addEventListener("abort", () => reject(signal.reason), { once: true });
      });
    }
    return { bytes: blob.bytes.slice().reverse() };
  },
  isPermanent: (error) => error instanceof Deno.errors.NotFound,
};

function bytesOf(n: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 7 + 3) & 255);
}

async function enqueueReverse(
  kv: Deno.Kv,
  tenantId: string,
  options: { maxAttempts?: number; hang?: boolean; size?: number } = {},
) {
  const blobId = crypto.randomUUID();
  await storeJobInput(kv, tenantId, INPUT_KIND, blobId, bytesOf(options.size ?? BIG), T0);
  const { job } = await enqueueJob(kv, {
    tenantId,
    type: "reverse",
    input: { blobId, ...(options.hang ? { hang: true } : {}) },
    ownedBlobs: [{ kind: INPUT_KIND, id: blobId }],
    ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
  }, T0);
  return { job, blobId };
}

async function countKeys(kv: Deno.Kv, prefix: Deno.KvKey): Promise<number> {
  let n = 0;
  for await (const _ of kv.list({ prefix })) n++;
  return n;
}

/** A dead process's timers never fire. */
const neverFires: Schedule = () => () => {};

const CRASH_POINTS: FaultPoint[] = [
  { step: "claim" },
  { step: "compute" },
  { step: "result_chunk", index: 0 },
  { step: "result_chunk", index: 1 },
  { step: "publish" },
  { step: "flip" },
];

/**
 * Runs the job on a worker that stops for good at `at` (its hook never settles), checks that
 * nothing half-written is readable, then lets the lease expire under a healthy worker.
 */
async function crashAt(at: FaultPoint, maxAttempts: number) {
  const kv = await openStore(":memory:");
  const time = new FakeTime();
  const { job, blobId } = await enqueueReverse(kv, "tA", { maxAttempts });
  let reached = false;
  const dead = new JobRunner(kv, [reverseJob], {
    clock: time.now,
    schedule: neverFires,
    leaseMs: LEASE,
    onError: () => {},
    faults: (point) => {
      if (JSON.stringify(point) !== JSON.stringify(at)) return;
      reached = true;
      return new Promise<void>(() => {});
    },
  });
  await dead.tick();
  await settle(() => reached, `the crash at ${JSON.stringify(at)}`);
  const stuck = await getJob(kv, "tA", job.id);
  assert.equal(stuck?.state, "processing");
  assert.equal(await getJobResult(kv, "tA", job.id), null, "no result while processing");
  const partial = await getBlob(kv, "tA", JOB_RESULT_KIND, job.id);
  assert.ok(partial === null || partial.bytes.length === BIG, "a result object is whole or absent");

  time.advance(LEASE + 1);
  const healthy = new JobRunner(kv, [reverseJob], {
    clock: time.now,
    schedule: time.schedule,
    leaseMs: LEASE,
    onError: () => {},
  });
  await healthy.drain();
  // The dead writer's unpublished chunks outlive its lease: they go once the grace has passed.
  await sweepOrphanChunks(kv, 3_600_000, time.now() + 3_600_000);
  return { kv, time, job, blobId, final: (await getJob(kv, "tA", job.id))! };
}

for (const at of CRASH_POINTS) {
  Deno.test(`a worker crashed at ${JSON.stringify(at)}: the job still succeeds, whole, input gone`, async () => {
    const { kv, job, blobId, final } = await crashAt(at, 3);
    try {
      assert.equal(final.state, "succeeded");
      const result = await getJobResult(kv, "tA", job.id);
      assert.deepEqual(result?.bytes, bytesOf(BIG).reverse());
      assert.equal(final.attempt, 2);
      assert.equal(
        await getBlob(kv, "tA", INPUT_KIND, blobId),
        null,
        "input deleted with the flip",
      );
      assert.equal(await countKeys(kv, ["t", "tA", "chunk", INPUT_KIND]), 0);
      const chunks = await countKeys(kv, ["t", "tA", "chunk", JOB_RESULT_KIND]);
      assert.equal(chunks, result!.manifest.chunks, "only the published generation's chunks");
      assert.equal(await countKeys(kv, ["gc"]), 0);
      assert.equal(await countKeys(kv, keys.jobInputPendingPrefix()), 0);
    } finally {
      kv.close();
    }
  });

  Deno.test(`a worker crashed at ${JSON.stringify(at)} on the last attempt: failed with its reason, nothing left`, async () => {
    const { kv, job, blobId, final } = await crashAt(at, 1);
    try {
      assert.equal(final.state, "failed");
      assert.equal(final.error?.name, "LeaseExpired");
      assert.equal(await getJobResult(kv, "tA", job.id), null);
      assert.equal(await getBlob(kv, "tA", JOB_RESULT_KIND, job.id), null, "no stray result");
      assert.equal(await getBlob(kv, "tA", INPUT_KIND, blobId), null);
      assert.equal(await countKeys(kv, ["t", "tA", "chunk"]), 0);
      assert.equal(await countKeys(kv, ["gc"]), 0);
      assert.equal(await countKeys(kv, keys.jobSlotPrefix("tA")), 0);
    } finally {
      kv.close();
    }
  });
}

Deno.test("a fault that fails the write of a result chunk is retried, and the input is still there", async () => {
  const kv = await openStore(":memory:");
  try {
    const time = new FakeTime();
    const { job, blobId } = await enqueueReverse(kv, "tA");
    let failures = 0;
    const runner = new JobRunner(kv, [reverseJob], {
      clock: time.now,
      schedule: time.schedule,
      retryDelayMs: 0,
      onError: () => {},
      faults: (point) => {
        if (point.step === "result_chunk" && point.index === 1 && failures++ === 0) {
          throw new Error("simulated: the store went away mid-write");
        }
      },
    });
    await runner.drain();
    const final = await getJob(kv, "tA", job.id);
    assert.equal(final?.state, "succeeded");
    assert.equal(final?.attempt, 2);
    assert.deepEqual((await getJobResult(kv, "tA", job.id))?.bytes, bytesOf(BIG).reverse());
    assert.equal(await getBlob(kv, "tA", INPUT_KIND, blobId), null);
  } finally {
    kv.close();
  }
});

Deno.test("the runner sweeps orphans on its schedule: inputs whose job never came, unpublished chunks", async () => {
  const kv = await openStore(":memory:");
  try {
    const time = new FakeTime();
    // A process that stored an input and died before enqueueing its job.
    await storeJobInput(kv, "tA", INPUT_KIND, "lost", bytesOf(1_000), T0);
    // A writer that died between its chunks and its manifest.
    await kv.set(["gc", "g-dead"], {
      tenantId: "tA",
      kind: INPUT_KIND,
      id: "half",
      generation: "g-dead",
      since: T0,
    });
    await kv.set(["t", "tA", "chunk", INPUT_KIND, "half", "g-dead", 0], bytesOf(10));
    const runner = new JobRunner(kv, [reverseJob], {
      clock: time.now,
      schedule: time.schedule,
      orphanSweepIntervalMs: 600_000,
      orphanGraceMs: 3_600_000,
    });
    await runner.tick();
    assert.ok(await getBlob(kv, "tA", INPUT_KIND, "lost"), "within the grace period: kept");
    time.advance(3_600_000);
    await runner.tick();
    assert.equal(await getBlob(kv, "tA", INPUT_KIND, "lost"), null);
    assert.equal(await countKeys(kv, keys.jobInputPendingPrefix()), 0);
    await runner.tick(); // the unpublished generation's chunks go on the next sweep at the latest
    time.advance(600_000);
    await runner.tick();
    assert.equal(await countKeys(kv, ["t", "tA", "chunk"]), 0);
    assert.equal(await countKeys(kv, ["gc"]), 0);
  } finally {
    kv.close();
  }
});

Deno.test("cancelling a queued job ends it at once and deletes its input; another tenant's id is null", async () => {
  const kv = await openStore(":memory:");
  try {
    const { job, blobId } = await enqueueReverse(kv, "tA", { size: 10 });
    assert.equal(await cancelJob(kv, "tB", job.id, T0 + 1), null);
    const cancelled = await cancelJob(kv, "tA", job.id, T0 + 1);
    assert.equal(cancelled?.state, "cancelled");
    assert.equal(await getBlob(kv, "tA", INPUT_KIND, blobId), null);
    const runner = new JobRunner(kv, [reverseJob], { clock: () => T0 + 2 });
    assert.equal(await runner.drain(), 0, "a cancelled job is never claimed");
    assert.equal((await cancelJob(kv, "tA", job.id, T0 + 3))?.state, "cancelled", "idempotent");
  } finally {
    kv.close();
  }
});

Deno.test("cancelling a running job aborts its signal at the next renewal and ends it cancelled", async () => {
  const kv = await openStore(":memory:");
  try {
    const time = new FakeTime();
    const { job, blobId } = await enqueueReverse(kv, "tA", { size: 10, hang: true });
    const runner = new JobRunner(kv, [reverseJob], {
      clock: time.now,
      schedule: time.schedule,
      leaseMs: LEASE,
      onError: () => {},
    });
    await runner.tick();
    await settle(async () => (await getJob(kv, "tA", job.id))?.state === "processing", "claim");
    const asked = await cancelJob(kv, "tA", job.id, time.now());
    assert.equal(asked?.state, "processing");
    assert.equal(asked?.cancelRequested, true);
    time.advance(LEASE / 3);
    const final = await settle(
      async () => {
        const j = await getJob(kv, "tA", job.id);
        return j?.state === "cancelled" ? j : null;
      },
      "the cancel",
    );
    assert.equal(final.result, null);
    assert.equal(await getBlob(kv, "tA", INPUT_KIND, blobId), null);
    await settle(() => runner.running === 0, "the job to end");
    assert.equal(time.pending, 0, "no renewal left scheduled");
  } finally {
    kv.close();
  }
});

Deno.test("a tenant has at most maxActivePerTenant active jobs; a final job frees its slot", async () => {
  const kv = await openStore(":memory:");
  try {
    const enqueue = (tenantId: string, n: number) =>
      enqueueJob(kv, { tenantId, type: "reverse", input: { n } }, T0, { maxActivePerTenant: 4 });
    const jobs: JobRecord[] = [];
    for (let i = 0; i < 4; i++) jobs.push((await enqueue("tA", i)).job);
    await assert.rejects(() => enqueue("tA", 4), TooManyActiveJobsError);
    await enqueue("tB", 0); // another tenant's jobs do not count
    await cancelJob(kv, "tA", jobs[0]!.id, T0);
    await enqueue("tA", 5);
    await assert.rejects(() => enqueue("tA", 6), TooManyActiveJobsError);
    // Ten at once: exactly the free slots are taken.
    await cancelJob(kv, "tA", jobs[1]!.id, T0);
    await cancelJob(kv, "tA", jobs[2]!.id, T0);
    const raced = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => enqueue("tA", 10 + i)),
    );
    assert.equal(raced.filter((r) => r.status === "fulfilled").length, 2);
  } finally {
    kv.close();
  }
});

Deno.test("claims are fair between tenants: B's one job runs before A's later ones", async () => {
  const kv = await openStore(":memory:");
  try {
    const order: string[] = [];
    const recording: JobType = {
      type: "rec",
      run: ({ job }) => {
        order.push(`${job.tenantId}${(job.input as { n: number }).n}`);
        return Promise.resolve({ bytes: new Uint8Array([1]) });
      },
    };
    for (let n = 1; n <= 5; n++) {
      await enqueueJob(kv, { tenantId: "tA", type: "rec", input: { n } }, T0 + n);
    }
    await enqueueJob(kv, { tenantId: "tB", type: "rec", input: { n: 1 } }, T0 + 10);
    await new JobRunner(kv, [recording], { clock: () => T0 + 100 }).drain();
    assert.equal(order.length, 6);
    assert.ok(order.indexOf("tB1") <= 1, `B's job was claimed ${order.indexOf("tB1") + 1}th`);
    assert.deepEqual(order.filter((x) => x.startsWith("tA")), ["tA1", "tA2", "tA3", "tA4", "tA5"]);
  } finally {
    kv.close();
  }
});

Deno.test("a job stored before jobs owned their inputs has its input deleted with its outcome", async () => {
  const kv = await openStore(":memory:");
  try {
    await storeJobInput(kv, "tA", INPUT_KIND, "old", bytesOf(100), T0);
    const { job } = await enqueueJob(
      kv,
      { tenantId: "tA", type: "reverse", input: { blobId: "old" } },
      T0,
    );
    // As such a record was stored: no `ownedBlobs` field at all.
    const { ownedBlobs: _, ...legacy } = job;
    await kv.set(["t", "tA", "job", job.id], legacy);
    const legacyType: JobType<{ blobId: string }> = {
      ...reverseJob,
      inputBlobs: (input) => [{ kind: INPUT_KIND, id: input.blobId }],
    };
    await new JobRunner(kv, [legacyType], { clock: () => T0 }).drain();
    assert.equal((await getJob(kv, "tA", job.id))?.state, "succeeded");
    assert.equal(await getBlob(kv, "tA", INPUT_KIND, "old"), null);
  } finally {
    kv.close();
  }
});

Deno.test("a run that ignores the cancel and returns ends cancelled, its result never readable", async () => {
  const kv = await openStore(":memory:");
  try {
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    const deaf: JobType = {
      type: "deaf",
      run: async () => {
        await released;
        return { bytes: new Uint8Array([1, 2, 3]) };
      },
    };
    const { job } = await enqueueJob(kv, { tenantId: "tA", type: "deaf", input: {} }, T0);
    const time = new FakeTime();
    const runner = new JobRunner(kv, [deaf], { clock: time.now, schedule: time.schedule });
    await runner.tick();
    await settle(async () => (await getJob(kv, "tA", job.id))?.state === "processing", "claim");
    await cancelJob(kv, "tA", job.id, time.now());
    release();
    await settle(() => runner.running === 0, "the run to end");
    assert.equal((await getJob(kv, "tA", job.id))?.state, "cancelled");
    assert.equal(await getBlob(kv, "tA", JOB_RESULT_KIND, job.id), null);
    assert.equal(await countKeys(kv, ["t", "tA", "chunk"]), 0);
  } finally {
    kv.close();
  }
});
