import assert from "node:assert/strict";
import { claimNextJob } from "../../../domain/jobs/claims.ts";
import { enqueueJob } from "../../../domain/jobs/enqueue.ts";
import { getJob, getJobResult } from "../../../domain/jobs/job_reads.ts";
import {
  JOB_RESULT_KIND,
  type JobRecord,
  LeaseLostError,
} from "../../../domain/jobs/job_record.ts";
import { finishJob } from "../../../domain/jobs/outcomes.ts";
import { type JobContext, JobRunner, type JobType } from "../../../domain/jobs/runner.ts";
import {
  CHUNK_BYTES,
  getBlob,
  openStore,
  putBlob,
  sweepOrphanChunks,
} from "../../../storage/mod.ts";
import { FakeTime, settle } from "./_fake_time.ts";

const T0 = 1_700_000_000_000;
const LEASE = 30_000;

async function jobIn(
  kv: Deno.Kv,
  tenantId: string,
  jobId: string,
  state: JobRecord["state"],
): Promise<JobRecord | null> {
  const job = await getJob(kv, tenantId, jobId);
  return job?.state === state ? job : null;
}

function bytesOf(n: number, seed = 1): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 255;
  return b;
}

/** The blob kind of the test job's input. */
const NUMBERS_KIND = "test_numbers";

/** The test job type's input: the id of a blob of the tenant holding the bytes to sum. */
interface SumInput {
  readonly blobId: string;
}

/**
 * The job type these tests run end to end: sums the bytes of a blob stored for the job's
 * tenant and publishes `{ n, sum }` as JSON. A malformed input fails in `parseInput`; a
 * missing blob is a permanent error; every other error is retried.
 */
const sumJobType: JobType<SumInput> = {
  type: "sum",
  parseInput(input) {
    const blobId = (input as { blobId?: unknown } | null)?.blobId;
    if (typeof blobId !== "string" || blobId === "") {
      throw new TypeError(
        `Expected blobId to be a non-empty string but found ${JSON.stringify(blobId)}`,
      );
    }
    return { blobId };
  },
  isPermanent: (error) => error instanceof Deno.errors.NotFound,
  async run({ kv, job, input, signal, progress }) {
    const blob = await getBlob(kv, job.tenantId, NUMBERS_KIND, input.blobId);
    if (!blob) {
      throw new Deno.errors.NotFound(
        `Expected blob ${input.blobId} of tenant ${job.tenantId} but found none`,
      );
    }
    signal.throwIfAborted();
    progress(0.5);
    const sum = blob.bytes.reduce((total, b) => total + b, 0);
    return { bytes: new TextEncoder().encode(JSON.stringify({ n: blob.bytes.length, sum })) };
  },
};

async function enqueueSum(kv: Deno.Kv, tenantId: string, input: unknown, now: number) {
  return await enqueueJob(kv, { tenantId, type: "sum", input }, now);
}

async function sumResult(kv: Deno.Kv, tenantId: string, jobId: string) {
  const result = await getJobResult(kv, tenantId, jobId);
  return result && JSON.parse(new TextDecoder().decode(result.bytes)) as { n: number; sum: number };
}

/** A job type that counts its runs and does what `body` says. */
function counting(
  type: string,
  body: (ctx: JobContext, run: number) => Promise<Uint8Array>,
): JobType & { runs: number } {
  const t = {
    type,
    runs: 0,
    async run(ctx: JobContext) {
      t.runs++;
      return { bytes: await body(ctx, t.runs) };
    },
  };
  return t;
}

/** Rejects with the signal's reason once it aborts (no timers). */
function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}

/** Makes `kv` throw on every call once a chunk write is about to commit for the nth+1 time. */
function crashingKv(kv: Deno.Kv, chunkCommitsBeforeCrash: number): Deno.Kv {
  let chunkCommits = 0;
  let dead = false;
  const die = (): never => {
    dead = true;
    throw new Error("simulated crash: the process is gone");
  };
  return new Proxy(kv, {
    get(target, prop) {
      if (prop === "atomic") {
        const op = target.atomic();
        let chunks = false;
        const wrapped = {
          check: (...c: Deno.AtomicCheck[]) => (op.check(...c), wrapped),
          set: (key: Deno.KvKey, value: unknown, o?: { expireIn?: number }) => {
            if (key[2] === "chunk") chunks = true;
            op.set(key, value, o);
            return wrapped;
          },
          delete: (key: Deno.KvKey) => (op.delete(key), wrapped),
          commit: async () => {
            if (dead || (chunks && chunkCommits >= chunkCommitsBeforeCrash)) die();
            if (chunks) chunkCommits++;
            return await op.commit();
          },
        };
        return () => wrapped;
      }
      const value = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (dead && prop !== "close") die();
        return value.apply(target, args);
      };
    },
  });
}

Deno.test("JobRunner runs a job end to end: claimed, run, result published for its tenant only", async () => {
  const kv = await openStore(":memory:");
  try {
    const time = new FakeTime();
    const bytes = bytesOf(1_000);
    await putBlob(kv, "tA", NUMBERS_KIND, "b1", bytes, { now: time.now() });
    const { job } = await enqueueSum(kv, "tA", { blobId: "b1" }, time.now());
    const runner = new JobRunner(kv, [sumJobType], { clock: time.now, schedule: time.schedule });
    assert.equal(await runner.drain(), 1);

    const stored = (await getJob(kv, "tA", job.id))!;
    assert.equal(stored.state, "succeeded");
    assert.equal(stored.attempt, 1);
    assert.equal(stored.progress, 1);
    assert.deepEqual(await sumResult(kv, "tA", job.id), {
      n: 1_000,
      sum: bytes.reduce((total, b) => total + b, 0),
    });
    assert.equal(await getJobResult(kv, "tB", job.id), null, "tenant-scoped");
    assert.equal(time.pending, 0, "no renewal left scheduled");
  } finally {
    kv.close();
  }
});

Deno.test("a job fails at once on input no retry can fix: a bad input, a permanent error", async () => {
  const kv = await openStore(":memory:");
  try {
    const time = new FakeTime();
    const badInput = await enqueueSum(kv, "tA", { blobId: 7 }, time.now());
    const noBlob = await enqueueSum(kv, "tA", { blobId: "nope" }, time.now());
    const runner = new JobRunner(kv, [sumJobType], { clock: time.now, schedule: time.schedule });
    assert.equal(await runner.drain(), 2);
    const a = (await getJob(kv, "tA", badInput.job.id))!;
    assert.equal(a.state, "failed");
    assert.equal(a.attempt, 1);
    assert.equal(a.error?.name, "TypeError");
    assert.match(a.error!.message, /Expected blobId to be a non-empty string but found 7/);
    const b = (await getJob(kv, "tA", noBlob.job.id))!;
    assert.equal(b.state, "failed");
    assert.equal(b.attempt, 1);
    assert.equal(b.error?.name, "NotFound");
  } finally {
    kv.close();
  }
});

Deno.test("two runners polling one job run it once", async () => {
  const kv = await openStore(":memory:");
  const time = new FakeTime();
  const POLL = 1_000;
  const type = counting("slow", async (ctx) => {
    await Promise.race([time.sleep(30), untilAborted(ctx.signal)]);
    return bytesOf(10);
  });
  const runners = ["r1", "r2"].map((workerId) =>
    new JobRunner(kv, [type], {
      clock: time.now,
      schedule: time.schedule,
      workerId,
      pollIntervalMs: POLL,
    })
  );
  try {
    runners.forEach((r) => r.start());
    // Both looked at the empty table and sleep: one poll timer each.
    await settle(() => time.pending === 2, "both runners to sleep");
    const { job } = await enqueueJob(kv, { tenantId: "tA", type: "slow", input: {} }, time.now());
    time.advance(POLL); // both wake and race for the job
    await settle(() => jobIn(kv, "tA", job.id, "processing"), "a runner to claim the job");
    // Both loops sleep again; the winner's job sleeps 30 ms and its lease renewal waits.
    await settle(() => runners.some((r) => r.running === 1) && time.pending === 4, "quiet");
    time.advance(30);
    await settle(() => jobIn(kv, "tA", job.id, "succeeded"), "the job to succeed");
    for (let i = 0; i < 3; i++) {
      // Further polls by both runners find nothing to run.
      time.advance(POLL);
      await settle(() => runners.every((r) => r.running === 0) && time.pending === 2, "idle");
    }
    assert.equal(type.runs, 1);
    assert.equal((await getJob(kv, "tA", job.id))?.attempt, 1);
  } finally {
    await Promise.all(runners.map((r) => r.stop()));
    kv.close();
  }
});

Deno.test("a failing job is retried and succeeds on its third attempt", async () => {
  const kv = await openStore(":memory:");
  try {
    const time = new FakeTime();
    const type = counting("flaky", (_ctx, run) => {
      if (run < 3) return Promise.reject(new Error(`transient ${run}`));
      return Promise.resolve(bytesOf(5));
    });
    const { job } = await enqueueJob(kv, { tenantId: "tA", type: "flaky", input: {} }, time.now());
    const runner = new JobRunner(kv, [type], {
      clock: time.now,
      schedule: time.schedule,
      retryDelayMs: 0,
    });
    assert.equal(await runner.drain(), 3);
    const stored = (await getJob(kv, "tA", job.id))!;
    assert.equal(stored.state, "succeeded");
    assert.equal(stored.attempt, 3);
    assert.equal(stored.error, null);
  } finally {
    kv.close();
  }
});

Deno.test("a job that fails every attempt ends failed after 3 with its error", async () => {
  const kv = await openStore(":memory:");
  try {
    const time = new FakeTime();
    const type = counting("broken", (_ctx, run) => Promise.reject(new TypeError(`bad ${run}`)));
    const { job } = await enqueueJob(
      kv,
      { tenantId: "tA", type: "broken", input: {} },
      time.now(),
    );
    const runner = new JobRunner(kv, [type], {
      clock: time.now,
      schedule: time.schedule,
      retryDelayMs: 1_000,
    });
    for (let i = 0; i < 3; i++) {
      await runner.drain();
      time.advance(1_000); // the retry back-off, on the fake clock
    }
    assert.equal(type.runs, 3);
    const stored = (await getJob(kv, "tA", job.id))!;
    assert.equal(stored.state, "failed");
    assert.deepEqual(
      { name: stored.error?.name, message: stored.error?.message, attempt: stored.error?.attempt },
      { name: "TypeError", message: "bad 3", attempt: 3 },
    );
    assert.equal(await runner.drain(), 0);
  } finally {
    kv.close();
  }
});

Deno.test("a runner that crashes after writing some result chunks leaves no readable result; the retry finishes", async () => {
  const kv = await openStore(":memory:");
  try {
    const time = new FakeTime();
    const big = bytesOf(CHUNK_BYTES * 40, 3);
    const type = counting("big", () => Promise.resolve(big));
    const { job } = await enqueueJob(kv, { tenantId: "tA", type: "big", input: {} }, time.now());
    const errors: unknown[] = [];
    const doomed = new JobRunner(crashingKv(kv, 2), [type], {
      clock: time.now,
      schedule: time.schedule,
      workerId: "doomed",
      onError: (e) => errors.push(e),
    });
    await doomed.drain();
    assert.equal(type.runs, 1);
    assert.match(String(errors[0]), /simulated crash/);
    assert.equal((await getJob(kv, "tA", job.id))?.state, "processing", "the dead keep the lease");
    assert.equal(await getJobResult(kv, "tA", job.id), null);
    assert.equal(await getBlob(kv, "tA", JOB_RESULT_KIND, job.id), null, "no partial object");

    time.advance(LEASE + 1);
    const survivor = new JobRunner(kv, [type], {
      clock: time.now,
      schedule: time.schedule,
      workerId: "survivor",
    });
    assert.equal(await survivor.drain(), 1);
    const result = (await getJobResult(kv, "tA", job.id))!;
    assert.equal(result.job.attempt, 2);
    assert.deepEqual(result.bytes, big);
    assert.equal(await sweepOrphanChunks(kv, 0, time.now()), 1, "the dead attempt's chunks");
  } finally {
    kv.close();
  }
});

Deno.test("a runner whose lease was taken over aborts its job at its next renewal and records nothing", async () => {
  const kv = await openStore(":memory:");
  // The stalled runner's clock stands still, so its renewals never push the lease past T0 + LEASE
  // (as a worker stuck in a long synchronous stretch would); its renewal timer still fires when
  // the test moves time. The rescuer lives two leases later.
  const stalledTime = new FakeTime();
  const time = new FakeTime(T0 + LEASE * 2);
  const RENEW = 10_000;
  const errors: unknown[] = [];
  let slowSignal: AbortSignal | undefined;
  const slow: JobType = {
    type: "work",
    run: (ctx) => {
      slowSignal = ctx.signal;
      return untilAborted(ctx.signal);
    },
  };
  const fast: JobType = { type: "work", run: () => Promise.resolve({ bytes: bytesOf(4, 4) }) };
  const stalled = new JobRunner(kv, [slow], {
    clock: () => T0,
    schedule: stalledTime.schedule,
    workerId: "stalled",
    renewEveryMs: RENEW,
    onError: (e) => errors.push(e),
  });
  try {
    const { job } = await enqueueJob(kv, { tenantId: "tA", type: "work", input: {} }, T0);
    assert.equal(await stalled.tick(), 1);
    await settle(() => slowSignal, "the slow job to start");
    const rescuer = new JobRunner(kv, [fast], {
      clock: time.now,
      schedule: time.schedule,
      workerId: "rescuer",
    });
    assert.equal(await rescuer.drain(), 1);
    assert.equal(slowSignal!.aborted, false, "nothing tells the stalled runner before it renews");
    stalledTime.advance(RENEW);
    await settle(() => slowSignal!.aborted, "the stalled job to be aborted");
    await stalled.stop();
    assert.ok(slowSignal!.reason instanceof LeaseLostError);
    assert.ok(errors.some((e) => e instanceof LeaseLostError));
    assert.equal(stalledTime.pending, 0, "the renewal timer is cancelled");
    const result = (await getJobResult(kv, "tA", job.id))!;
    assert.equal(result.job.attempt, 2);
    assert.deepEqual(result.bytes, bytesOf(4, 4));
  } finally {
    await stalled.stop();
    kv.close();
  }
});

Deno.test("a running job's lease is renewed every renewEveryMs of the runner's schedule", async () => {
  const kv = await openStore(":memory:");
  const time = new FakeTime();
  const RENEW = 10_000;
  const type: JobType = { type: "long", run: (ctx) => untilAborted(ctx.signal) };
  const runner = new JobRunner(kv, [type], {
    clock: time.now,
    schedule: time.schedule,
    renewEveryMs: RENEW,
  });
  try {
    const { job } = await enqueueJob(kv, { tenantId: "tA", type: "long", input: {} }, time.now());
    assert.equal(await runner.tick(), 1);
    const first = (await settle(() => jobIn(kv, "tA", job.id, "processing"), "the claim")).lease!;
    assert.equal(first.until, T0 + LEASE);
    for (let i = 1; i <= 3; i++) {
      time.advance(RENEW);
      const renewed = await settle(async () => {
        const j = await getJob(kv, "tA", job.id);
        return j?.lease?.until === T0 + i * RENEW + LEASE ? j : null;
      }, `renewal ${i}`);
      assert.equal(renewed.state, "processing");
    }
    // Far past the first lease's end, the job is still this runner's: a sweep takes nothing.
    const rescuer = new JobRunner(kv, [type], { clock: time.now, schedule: time.schedule });
    assert.equal(await rescuer.tick(), 0);
  } finally {
    await runner.stop();
    kv.close();
  }
});

Deno.test("ctx.progress is visible while the job runs; stop() hands the job back and leaves no timers", async () => {
  const kv = await openStore(":memory:");
  const time = new FakeTime();
  const type: JobType = {
    type: "long",
    run: async (ctx) => {
      await ctx.progress(0.4);
      return await untilAborted(ctx.signal);
    },
  };
  const runner = new JobRunner(kv, [type], {
    clock: time.now,
    schedule: time.schedule,
    pollIntervalMs: 5,
    renewEveryMs: 5,
  });
  try {
    const { job } = await enqueueJob(kv, { tenantId: "tA", type: "long", input: {} }, time.now());
    runner.start();
    const running = await settle(async () => {
      const j = await getJob(kv, "tA", job.id);
      return j?.progress === 0.4 ? j : null;
    }, "progress 0.4");
    assert.equal(running.state, "processing");
    assert.equal(runner.running, 1);
    time.advance(20); // renewals and polls go on while it runs
    await runner.stop();
    assert.equal(runner.running, 0);
    assert.equal(time.pending, 0, "no poll or renewal timer left");
    const back = (await getJob(kv, "tA", job.id))!;
    assert.equal(back.state, "queued");
    assert.equal(back.attempt, 0, "a graceful stop does not spend an attempt");
  } finally {
    await runner.stop();
    kv.close();
  }
});

Deno.test("a queued job survives a restart over the same KV file", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/kv.sqlite3`;
  try {
    const time = new FakeTime();
    let kv = await openStore(path);
    await putBlob(kv, "tA", NUMBERS_KIND, "b1", bytesOf(150), { now: time.now() });
    const { job } = await enqueueSum(kv, "tA", { blobId: "b1" }, time.now());
    kv.close();

    kv = await openStore(path);
    try {
      assert.equal((await getJob(kv, "tA", job.id))?.state, "queued");
      const runner = new JobRunner(kv, [sumJobType], {
        clock: time.now,
        schedule: time.schedule,
      });
      assert.equal(await runner.drain(), 1);
      assert.equal((await sumResult(kv, "tA", job.id))?.n, 150);
    } finally {
      kv.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a job half-done when the process died completes after a restart, without a partial result", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/kv.sqlite3`;
  try {
    const time = new FakeTime();
    const big = bytesOf(CHUNK_BYTES * 25, 5);
    const type = counting("export", () => Promise.resolve(big));

    // First life: claim, write some chunks of the result, die.
    let kv = await openStore(path);
    const { job } = await enqueueJob(
      kv,
      { tenantId: "tA", type: "export", input: {} },
      time.now(),
    );
    const lease = (await claimNextJob(kv, "first-life", time.now(), LEASE))!;
    await assert.rejects(
      finishJob(crashingKv(kv, 1), lease, { bytes: bytesOf(CHUNK_BYTES * 25, 1) }, time.now()),
      /simulated crash/,
    );
    kv.close();

    // Second life, after the lease ran out.
    time.advance(LEASE + 1);
    kv = await openStore(path);
    try {
      assert.equal((await getJob(kv, "tA", job.id))?.state, "processing");
      assert.equal(await getJobResult(kv, "tA", job.id), null);
      assert.equal(await getBlob(kv, "tA", JOB_RESULT_KIND, job.id), null);
      const runner = new JobRunner(kv, [type], { clock: time.now, schedule: time.schedule });
      assert.equal(await runner.drain(), 1);
      const result = (await getJobResult(kv, "tA", job.id))!;
      assert.equal(result.job.attempt, 2);
      assert.deepEqual(result.bytes, big);
      assert.equal(await sweepOrphanChunks(kv, 0, time.now()), 1);
    } finally {
      kv.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a queue wake-up makes an idle runner claim at once; a duplicate runs nothing twice", async () => {
  const kv = await openStore(":memory:");
  const time = new FakeTime();
  const type = counting("quick", () => Promise.resolve(bytesOf(3)));
  // Counts the queue messages the runner's handler has finished with.
  let handled = 0;
  const counted = new Proxy(kv, {
    get(target, prop) {
      if (prop === "listenQueue") {
        return (handler: (message: unknown) => Promise<void> | void) =>
          target.listenQueue(async (message) => {
            await handler(message);
            handled++;
          });
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  // The fake clock never moves: only the wake-up can explain a run.
  const runner = new JobRunner(counted, [type], {
    clock: time.now,
    schedule: time.schedule,
    pollIntervalMs: 60_000,
    listenQueue: true,
  });
  try {
    runner.start();
    await settle(() => time.pending === 1, "the first look at the empty table; the runner sleeps");
    const { job } = await enqueueJob(
      kv,
      { tenantId: "tA", type: "quick", input: {} },
      time.now(),
      { wake: true },
    );
    await kv.enqueue({ kind: "job_wakeup", jobId: job.id }); // delivered twice
    await settle(() => jobIn(kv, "tA", job.id, "succeeded"), "the woken runner");
    await settle(
      () => handled === 2 && runner.running === 0 && time.pending === 1,
      "both wake-ups handled, the runner asleep again",
    );
    assert.equal(type.runs, 1);
  } finally {
    await runner.stop();
    kv.close(); // ends listenQueue
  }
});
