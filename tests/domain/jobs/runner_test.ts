import assert from "node:assert/strict";
import { createCpuBackend } from "../../../compute/cpu/backend.ts";
import { kmeans } from "../../../compute/kmeans.ts";
import { type Matrix, matrix } from "../../../compute/matrix.ts";
import {
  claimNextJob,
  enqueueJob,
  finishJob,
  getJob,
  getJobResult,
  JOB_RESULT_KIND,
  type JobRecord,
  LeaseLostError,
} from "../../../domain/jobs/job_table.ts";
import {
  enqueueKMeansJob,
  getKMeansJobResult,
  kmeansJobType,
  putMatrix,
} from "../../../domain/jobs/kmeans_job.ts";
import { type JobContext, JobRunner, type JobType } from "../../../domain/jobs/runner.ts";
import { CHUNK_BYTES, getBlob, openStore, sweepOrphanChunks } from "../../../storage/mod.ts";

const T0 = 1_700_000_000_000;
const LEASE = 30_000;

/** A clock the test moves by hand: a lease expires when the test says so, without sleeping. */
function fakeClock(start = T0) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function waitFor<T>(
  probe: () => Promise<T | null | undefined | false>,
  what: string,
  timeoutMs = 5_000,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  while (true) {
    const value = await probe();
    if (value) return value;
    if (performance.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await delay(5);
  }
}

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

/** Three well-separated blobs of `perBlob` 2-d points, deterministic. */
function blobs(perBlob: number): Matrix {
  const centres = [[0, 0], [10, 10], [-10, 10]];
  const data = new Float32Array(perBlob * 3 * 2);
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff) - 0.5;
  for (let i = 0; i < perBlob * 3; i++) {
    const c = centres[i % 3]!;
    data[2 * i] = c[0]! + rand();
    data[2 * i + 1] = c[1]! + rand();
  }
  return matrix(data, perBlob * 3, 2);
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

Deno.test("JobRunner runs a KMeans job end to end and its result matches a direct fit", async () => {
  const kv = await openStore(":memory:");
  const backend = createCpuBackend({ threads: 1 });
  try {
    const clock = fakeClock();
    const x = blobs(100);
    await putMatrix(kv, "tA", "m1", x, clock.now());
    const { job } = await enqueueKMeansJob(
      kv,
      "tA",
      { matrixId: "m1", k: 3, randomState: 7, nInit: 2 },
      clock.now(),
    );
    const runner = new JobRunner(kv, [kmeansJobType(backend)], { clock: clock.now });
    assert.equal(await runner.drain(), 1);

    const stored = (await getJob(kv, "tA", job.id))!;
    assert.equal(stored.state, "succeeded");
    assert.equal(stored.attempt, 1);
    assert.equal(stored.progress, 1);
    const result = (await getKMeansJobResult(kv, "tA", job.id))!;
    const direct = await kmeans(x, { k: 3, randomState: 7, nInit: 2 }, backend);
    assert.deepEqual(result.labels, direct.labels);
    assert.deepEqual(result.centers, direct.centers);
    assert.equal(result.inertia, direct.inertia);
    assert.equal(new Set(result.labels).size, 3);
    assert.equal(await getKMeansJobResult(kv, "tB", job.id), null, "tenant-scoped");
  } finally {
    await backend.dispose();
    kv.close();
  }
});

Deno.test("the KMeans job fails at once on input no retry can fix", async () => {
  const kv = await openStore(":memory:");
  const backend = createCpuBackend({ threads: 1 });
  try {
    const clock = fakeClock();
    await assert.rejects(
      enqueueKMeansJob(kv, "tA", { matrixId: "m1", k: 1 }, clock.now()),
      RangeError,
      "refused before it is stored",
    );
    const badK = await enqueueJob(
      kv,
      { tenantId: "tA", type: "kmeans", input: { matrixId: "m1", k: 1 } },
      clock.now(),
    );
    const noMatrix = await enqueueKMeansJob(kv, "tA", { matrixId: "nope", k: 2 }, clock.now());
    const runner = new JobRunner(kv, [kmeansJobType(backend)], { clock: clock.now });
    await runner.drain();
    const a = (await getJob(kv, "tA", badK.job.id))!;
    assert.equal(a.state, "failed");
    assert.equal(a.attempt, 1);
    assert.equal(a.error?.name, "RangeError");
    assert.match(a.error!.message, /Expected k to be an integer in \[2, 65536\] but found 1/);
    const b = (await getJob(kv, "tA", noMatrix.job.id))!;
    assert.equal(b.state, "failed");
    assert.equal(b.attempt, 1);
    assert.equal(b.error?.name, "NotFound");
  } finally {
    await backend.dispose();
    kv.close();
  }
});

Deno.test("two runners polling one job run it once", async () => {
  const kv = await openStore(":memory:");
  const clock = fakeClock();
  const type = counting("slow", async () => {
    await delay(30);
    return bytesOf(10);
  });
  const runners = ["r1", "r2"].map((workerId) =>
    new JobRunner(kv, [type], { clock: clock.now, workerId, pollIntervalMs: 2 })
  );
  try {
    runners.forEach((r) => r.start());
    const { job } = await enqueueJob(kv, { tenantId: "tA", type: "slow", input: {} }, clock.now());
    await waitFor(() => jobIn(kv, "tA", job.id, "succeeded"), "the job to succeed");
    await delay(50); // give the other runner time to (not) run it again
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
    const clock = fakeClock();
    const type = counting("flaky", (_ctx, run) => {
      if (run < 3) return Promise.reject(new Error(`transient ${run}`));
      return Promise.resolve(bytesOf(5));
    });
    const { job } = await enqueueJob(kv, { tenantId: "tA", type: "flaky", input: {} }, clock.now());
    const runner = new JobRunner(kv, [type], { clock: clock.now, retryDelayMs: 0 });
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
    const clock = fakeClock();
    const type = counting("broken", (_ctx, run) => Promise.reject(new TypeError(`bad ${run}`)));
    const { job } = await enqueueJob(
      kv,
      { tenantId: "tA", type: "broken", input: {} },
      clock.now(),
    );
    const runner = new JobRunner(kv, [type], { clock: clock.now, retryDelayMs: 1_000 });
    for (let i = 0; i < 3; i++) {
      await runner.drain();
      clock.advance(1_000); // the retry back-off, on the fake clock
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
    const clock = fakeClock();
    const big = bytesOf(CHUNK_BYTES * 40, 3);
    const type = counting("big", () => Promise.resolve(big));
    const { job } = await enqueueJob(kv, { tenantId: "tA", type: "big", input: {} }, clock.now());
    const errors: unknown[] = [];
    const doomed = new JobRunner(crashingKv(kv, 2), [type], {
      clock: clock.now,
      workerId: "doomed",
      onError: (e) => errors.push(e),
    });
    await doomed.drain();
    assert.equal(type.runs, 1);
    assert.match(String(errors[0]), /simulated crash/);
    assert.equal((await getJob(kv, "tA", job.id))?.state, "processing", "the dead keep the lease");
    assert.equal(await getJobResult(kv, "tA", job.id), null);
    assert.equal(await getBlob(kv, "tA", JOB_RESULT_KIND, job.id), null, "no partial object");

    clock.advance(LEASE + 1);
    const survivor = new JobRunner(kv, [type], { clock: clock.now, workerId: "survivor" });
    assert.equal(await survivor.drain(), 1);
    const result = (await getJobResult(kv, "tA", job.id))!;
    assert.equal(result.job.attempt, 2);
    assert.deepEqual(result.bytes, big);
    assert.equal(await sweepOrphanChunks(kv, 0, clock.now()), 1, "the dead attempt's chunks");
  } finally {
    kv.close();
  }
});

Deno.test("a runner whose lease was taken over aborts its job and records nothing", async () => {
  const kv = await openStore(":memory:");
  // The stalled runner's clock stands still, so its renewals never push the lease past T0 + LEASE
  // (as a worker stuck in a long synchronous stretch would); the rescuer lives two leases later.
  const stalledClock = fakeClock();
  const clock = fakeClock(T0 + LEASE * 2);
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
    clock: stalledClock.now,
    workerId: "stalled",
    renewEveryMs: 10,
    onError: (e) => errors.push(e),
  });
  try {
    const { job } = await enqueueJob(
      kv,
      { tenantId: "tA", type: "work", input: {} },
      stalledClock.now(),
    );
    assert.equal(await stalled.tick(), 1);
    await waitFor(() => Promise.resolve(slowSignal), "the slow job to start");
    const rescuer = new JobRunner(kv, [fast], { clock: clock.now, workerId: "rescuer" });
    assert.equal(await rescuer.drain(), 1);
    await waitFor(() => Promise.resolve(slowSignal!.aborted), "the stalled job to be aborted");
    await stalled.stop();
    assert.ok(slowSignal!.reason instanceof LeaseLostError);
    assert.ok(errors.some((e) => e instanceof LeaseLostError));
    const result = (await getJobResult(kv, "tA", job.id))!;
    assert.equal(result.job.attempt, 2);
    assert.deepEqual(result.bytes, bytesOf(4, 4));
  } finally {
    await stalled.stop();
    kv.close();
  }
});

Deno.test("ctx.progress is visible while the job runs; stop() hands the job back and leaves no timers", async () => {
  const kv = await openStore(":memory:");
  const clock = fakeClock();
  const type: JobType = {
    type: "long",
    run: async (ctx) => {
      await ctx.progress(0.4);
      return await untilAborted(ctx.signal);
    },
  };
  const runner = new JobRunner(kv, [type], {
    clock: clock.now,
    pollIntervalMs: 5,
    renewEveryMs: 5,
  });
  try {
    const { job } = await enqueueJob(kv, { tenantId: "tA", type: "long", input: {} }, clock.now());
    runner.start();
    const running = await waitFor(async () => {
      const j = await getJob(kv, "tA", job.id);
      return j?.progress === 0.4 ? j : null;
    }, "progress 0.4");
    assert.equal(running.state, "processing");
    assert.equal(runner.running, 1);
    await runner.stop();
    assert.equal(runner.running, 0);
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
  const backend = createCpuBackend({ threads: 1 });
  try {
    const clock = fakeClock();
    let kv = await openStore(path);
    await putMatrix(kv, "tA", "m1", blobs(50), clock.now());
    const { job } = await enqueueKMeansJob(kv, "tA", { matrixId: "m1", k: 3 }, clock.now());
    kv.close();

    kv = await openStore(path);
    try {
      assert.equal((await getJob(kv, "tA", job.id))?.state, "queued");
      const runner = new JobRunner(kv, [kmeansJobType(backend)], { clock: clock.now });
      assert.equal(await runner.drain(), 1);
      const result = (await getKMeansJobResult(kv, "tA", job.id))!;
      assert.equal(result.labels.length, 150);
    } finally {
      kv.close();
    }
  } finally {
    await backend.dispose();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a job half-done when the process died completes after a restart, without a partial result", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/kv.sqlite3`;
  try {
    const clock = fakeClock();
    const big = bytesOf(CHUNK_BYTES * 25, 5);
    const type = counting("export", () => Promise.resolve(big));

    // First life: claim, write some chunks of the result, die.
    let kv = await openStore(path);
    const { job } = await enqueueJob(
      kv,
      { tenantId: "tA", type: "export", input: {} },
      clock.now(),
    );
    const lease = (await claimNextJob(kv, "first-life", clock.now(), LEASE))!;
    await assert.rejects(
      finishJob(crashingKv(kv, 1), lease, { bytes: bytesOf(CHUNK_BYTES * 25, 1) }, clock.now()),
      /simulated crash/,
    );
    kv.close();

    // Second life, after the lease ran out.
    clock.advance(LEASE + 1);
    kv = await openStore(path);
    try {
      assert.equal((await getJob(kv, "tA", job.id))?.state, "processing");
      assert.equal(await getJobResult(kv, "tA", job.id), null);
      assert.equal(await getBlob(kv, "tA", JOB_RESULT_KIND, job.id), null);
      const runner = new JobRunner(kv, [type], { clock: clock.now });
      assert.equal(await runner.drain(), 1);
      const result = (await getJobResult(kv, "tA", job.id))!;
      assert.equal(result.job.attempt, 2);
      assert.deepEqual(result.bytes, big);
      assert.equal(await sweepOrphanChunks(kv, 0, clock.now()), 1);
    } finally {
      kv.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a queue wake-up makes an idle runner claim at once; a duplicate runs nothing twice", async () => {
  const kv = await openStore(":memory:");
  const clock = fakeClock();
  const type = counting("quick", () => Promise.resolve(bytesOf(3)));
  // A poll interval far longer than the test: only the wake-up can explain a prompt run.
  const runner = new JobRunner(kv, [type], {
    clock: clock.now,
    pollIntervalMs: 60_000,
    listenQueue: true,
  });
  try {
    runner.start();
    await delay(20); // the first look at the empty table is over; the runner sleeps
    const { job } = await enqueueJob(
      kv,
      { tenantId: "tA", type: "quick", input: {} },
      clock.now(),
      { wake: true },
    );
    await kv.enqueue({ kind: "job_wakeup", jobId: job.id }); // delivered twice
    await waitFor(() => jobIn(kv, "tA", job.id, "succeeded"), "the woken runner", 3_000);
    await delay(50);
    assert.equal(type.runs, 1);
  } finally {
    await runner.stop();
    kv.close(); // ends listenQueue
  }
});
