import assert from "node:assert/strict";
import {
  claimNextJob,
  releaseJob,
  renewLease,
  reportProgress,
} from "../../../domain/jobs/claims.ts";
import { enqueueJob } from "../../../domain/jobs/enqueue.ts";
import { getJob, getJobResult, listJobs } from "../../../domain/jobs/job_reads.ts";
import { JOB_RESULT_KIND, type JobLease, LeaseLostError } from "../../../domain/jobs/job_record.ts";
import { sweepExpiredLeases } from "../../../domain/jobs/lease_sweep.ts";
import { adoptPublishedResult, failJob, finishJob } from "../../../domain/jobs/outcomes.ts";
import {
  CHUNK_BYTES,
  getBlob,
  keys,
  KV_LIMITS,
  KvLimitError,
  openStore,
  putBlob,
  sweepOrphanChunks,
  valueSize,
} from "../../../storage/mod.ts";

const T0 = 1_700_000_000_000;
const LEASE = 30_000;

function bytesOf(n: number, seed = 1): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 255;
  return b;
}

async function countKeys(kv: Deno.Kv, prefix: Deno.KvKey): Promise<number> {
  let n = 0;
  for await (const _ of kv.list({ prefix })) n++;
  return n;
}

/** Sizes of every atomic operation committed through `kv`, and a crash switch. */
interface Instrumented {
  kv: Deno.Kv;
  commits: { checks: number; mutations: number; bytes: number }[];
  /** True once the simulated crash happened: every later call on `kv` throws. */
  readonly dead: boolean;
}

/**
 * Wraps `kv` to record every atomic operation (whatever code built it), and to simulate the
 * process dying when it is about to commit chunk write number `crashAtChunkCommit + 1`.
 */
function instrument(kv: Deno.Kv, crashAtChunkCommit = Infinity): Instrumented {
  const state: Instrumented = { kv, commits: [], dead: false };
  let chunkCommits = 0;
  const die = (): never => {
    (state as { dead: boolean }).dead = true;
    throw new Error("simulated crash: the process is gone");
  };
  const wrapOp = (op: Deno.AtomicOperation) => {
    const stats = { checks: 0, mutations: 0, bytes: 0 };
    let writesChunks = false;
    const keyBytes = (key: Deno.KvKey) => new TextEncoder().encode(JSON.stringify(key)).length;
    const wrapped = {
      check(...checks: Deno.AtomicCheck[]) {
        for (const c of checks) stats.bytes += keyBytes(c.key);
        stats.checks += checks.length;
        op.check(...checks);
        return wrapped;
      },
      set(key: Deno.KvKey, value: unknown, options?: { expireIn?: number }) {
        stats.mutations++;
        stats.bytes += keyBytes(key) + valueSize(value);
        if (key[2] === "chunk") writesChunks = true;
        op.set(key, value, options);
        return wrapped;
      },
      delete(key: Deno.KvKey) {
        stats.mutations++;
        stats.bytes += keyBytes(key);
        op.delete(key);
        return wrapped;
      },
      async commit() {
        if (state.dead) die();
        if (writesChunks && chunkCommits >= crashAtChunkCommit) die();
        const res = await op.commit();
        state.commits.push(stats);
        if (writesChunks) chunkCommits++;
        return res;
      },
    };
    return wrapped as unknown as Deno.AtomicOperation;
  };
  state.kv = new Proxy(kv, {
    get(target, prop) {
      if (prop === "atomic") return () => wrapOp(target.atomic());
      const value = Reflect.get(target, prop, target);
      if (typeof value !== "function" || prop === "close") return value?.bind?.(target) ?? value;
      return (...args: unknown[]) => {
        if (state.dead) die();
        return value.apply(target, args);
      };
    },
  });
  return state;
}

async function claimOne(kv: Deno.Kv, worker: string, now: number): Promise<JobLease> {
  const lease = await claimNextJob(kv, worker, now, LEASE);
  assert.ok(lease, `expected ${worker} to claim a job at ${now}`);
  return lease;
}

Deno.test("enqueueJob stores a queued job that getJob reads for its own tenant only", async () => {
  const kv = await openStore(":memory:");
  try {
    const { job, created } = await enqueueJob(
      kv,
      { tenantId: "tA", type: "segmentation", input: { k: 3 } },
      T0,
    );
    assert.equal(created, true);
    assert.equal(job.state, "queued");
    assert.equal(job.attempt, 0);
    assert.equal(job.maxAttempts, 3);
    assert.equal(job.createdAt, T0);
    assert.deepEqual(await getJob(kv, "tA", job.id), job);
    assert.equal(await getJob(kv, "tB", job.id), null, "another tenant's job id reads as null");
    assert.equal(await getJob(kv, "tA", "x".repeat(3000)), null, "a 3000-char id is no job");
    assert.equal(await getJob(kv, "tA", "../x"), null);
    assert.deepEqual((await kv.get(keys.jobQueue(job.id))).value, { tenantId: "tA" });
    assert.deepEqual((await listJobs(kv, "tA")).map((j) => j.id), [job.id]);
    assert.deepEqual(await listJobs(kv, "tB"), []);
  } finally {
    kv.close();
  }
});

Deno.test("enqueueJob with the same idempotency key returns the same job, even when racing", async () => {
  const kv = await openStore(":memory:");
  try {
    const request = {
      tenantId: "tA",
      type: "segmentation",
      input: { k: 3, matrixId: "m1" },
      idempotencyKey: "req-1",
    };
    const results = await Promise.all(
      Array.from({ length: 10 }, () => enqueueJob(kv, request, T0)),
    );
    assert.equal(results.filter((r) => r.created).length, 1);
    assert.equal(new Set(results.map((r) => r.job.id)).size, 1);
    assert.equal((await listJobs(kv, "tA")).length, 1);

    // Key order in the input does not matter; the type and values do.
    const again = await enqueueJob(kv, { ...request, input: { matrixId: "m1", k: 3 } }, T0 + 5);
    assert.equal(again.created, false);
    assert.equal(again.job.id, results[0]!.job.id);
    await assert.rejects(
      enqueueJob(kv, { ...request, input: { k: 4, matrixId: "m1" } }, T0 + 5),
      Deno.errors.AlreadyExists,
    );
    const otherTenant = await enqueueJob(kv, { ...request, tenantId: "tB" }, T0);
    assert.equal(otherTenant.created, true, "keys are per tenant");
    const afterTtl = await enqueueJob(kv, request, T0 + 24 * 3_600_000 + 1);
    assert.equal(afterTtl.created, true, "an expired key creates a new job");
    assert.notEqual(afterTtl.job.id, results[0]!.job.id);
    await assert.rejects(
      enqueueJob(kv, { ...request, idempotencyKey: "x".repeat(256) }, T0),
      RangeError,
    );
  } finally {
    kv.close();
  }
});

// One handle: two handles on one SQLite file fail at random with "database is locked"
// (denoland/deno#20116); instances sharing a store use a denokv server, where the same
// compare-and-set decides.
Deno.test("claimNextJob is exclusive: of 20 concurrent claims of one job, one wins", async () => {
  const kv = await openStore(":memory:");
  try {
    const { job } = await enqueueJob(kv, { tenantId: "tA", type: "t", input: {} }, T0);
    const leases = await Promise.all(
      Array.from({ length: 20 }, (_, i) => claimNextJob(kv, `w${i}`, T0, LEASE)),
    );
    const won = leases.filter((l) => l !== null);
    assert.equal(won.length, 1);
    const stored = (await getJob(kv, "tA", job.id))!;
    assert.equal(stored.state, "processing");
    assert.equal(stored.attempt, 1);
    assert.equal(stored.lease?.owner, won[0]!.workerId);
    assert.equal(stored.lease?.until, T0 + LEASE);
    assert.equal(await claimNextJob(kv, "late", T0 + 1, LEASE), null);
  } finally {
    kv.close();
  }
});

Deno.test("claimNextJob takes the oldest claimable job of the worker's types", async () => {
  const kv = await openStore(":memory:");
  try {
    const first = await enqueueJob(kv, { tenantId: "tA", type: "a", input: 1 }, T0);
    const other = await enqueueJob(kv, { tenantId: "tB", type: "b", input: 2 }, T0 + 1);
    const second = await enqueueJob(kv, { tenantId: "tB", type: "a", input: 3 }, T0 + 2);
    const l1 = await claimNextJob(kv, "w", T0 + 10, LEASE, { types: ["a"] });
    const l2 = await claimNextJob(kv, "w", T0 + 10, LEASE, { types: ["a"] });
    assert.equal(l1?.jobId, first.job.id);
    assert.equal(l2?.jobId, second.job.id);
    assert.equal(await claimNextJob(kv, "w", T0 + 10, LEASE, { types: ["a"] }), null);
    assert.equal((await claimNextJob(kv, "w", T0 + 10, LEASE))?.jobId, other.job.id);
  } finally {
    kv.close();
  }
});

Deno.test("renewLease extends a lease; once swept, renew, progress and finish are refused", async () => {
  const kv = await openStore(":memory:");
  try {
    const { job } = await enqueueJob(kv, { tenantId: "tA", type: "t", input: {} }, T0);
    let lease = await claimOne(kv, "w1", T0);
    lease = await renewLease(kv, lease, T0 + 20_000, LEASE);
    assert.equal(lease.until, T0 + 50_000);
    lease = await reportProgress(kv, lease, 0.25, T0 + 21_000);
    assert.equal((await getJob(kv, "tA", job.id))?.progress, 0.25);
    await assert.rejects(reportProgress(kv, lease, 1.5, T0), RangeError);
    await assert.rejects(reportProgress(kv, lease, NaN, T0), RangeError);

    // Not expired at 49.999 s, expired at 50 s.
    assert.deepEqual((await sweepExpiredLeases(kv, T0 + 49_999)).requeued, []);
    assert.deepEqual((await sweepExpiredLeases(kv, T0 + 50_000)).requeued, [job.id]);
    await assert.rejects(renewLease(kv, lease, T0 + 50_001, LEASE), LeaseLostError);
    await assert.rejects(reportProgress(kv, lease, 0.5, T0 + 50_001), LeaseLostError);
    await assert.rejects(finishJob(kv, lease, { bytes: bytesOf(10) }, T0 + 50_001), LeaseLostError);
    assert.equal(await getBlob(kv, "tA", JOB_RESULT_KIND, job.id), null, "nothing published");
    const stored = (await getJob(kv, "tA", job.id))!;
    assert.equal(stored.state, "queued");
    assert.equal(stored.attempt, 1);
    assert.equal(stored.error?.name, "LeaseExpired");
  } finally {
    kv.close();
  }
});

Deno.test("sweepExpiredLeases requeues an expired job, which the next claim runs as attempt 2", async () => {
  const kv = await openStore(":memory:");
  try {
    const { job } = await enqueueJob(kv, { tenantId: "tA", type: "t", input: {} }, T0);
    const live = await enqueueJob(kv, { tenantId: "tA", type: "t", input: {} }, T0 + 1);
    await claimOne(kv, "dead-worker", T0);
    await claimOne(kv, "live-worker", T0 + 20_000);
    const report = await sweepExpiredLeases(kv, T0 + LEASE + 1);
    assert.deepEqual(report, { requeued: [job.id], failed: [], cancelled: [], cleaned: 0 });
    assert.equal((await getJob(kv, "tA", live.job.id))?.state, "processing", "live lease kept");
    const retry = await claimOne(kv, "w2", T0 + LEASE + 2);
    assert.equal(retry.jobId, job.id);
    assert.equal(retry.attempt, 2);
  } finally {
    kv.close();
  }
});

Deno.test("a job whose three attempts fail ends failed with the last error", async () => {
  const kv = await openStore(":memory:");
  try {
    const { job } = await enqueueJob(kv, { tenantId: "tA", type: "t", input: {} }, T0);
    for (let attempt = 1; attempt <= 3; attempt++) {
      const lease = await claimOne(kv, "w", T0 + attempt);
      assert.equal(lease.attempt, attempt);
      const after = await failJob(
        kv,
        lease,
        new TypeError(`boom ${attempt}`),
        T0 + attempt,
        { retryDelayMs: 0 },
      );
      assert.equal(after.state, attempt < 3 ? "queued" : "failed");
    }
    const stored = (await getJob(kv, "tA", job.id))!;
    assert.equal(stored.state, "failed");
    assert.equal(stored.attempt, 3);
    assert.deepEqual(stored.error, {
      name: "TypeError",
      message: "boom 3",
      attempt: 3,
      at: T0 + 3,
    });
    assert.equal(stored.finishedAt, T0 + 3);
    assert.equal((await kv.get(keys.jobQueue(job.id))).value, null, "left the worker index");
    assert.equal(await claimNextJob(kv, "w", T0 + 10, LEASE), null);
    assert.equal(await getJobResult(kv, "tA", job.id), null);
  } finally {
    kv.close();
  }
});

Deno.test("a job whose lease expires on every attempt ends failed after three", async () => {
  const kv = await openStore(":memory:");
  try {
    const { job } = await enqueueJob(kv, { tenantId: "tA", type: "t", input: {} }, T0);
    let now = T0;
    for (let attempt = 1; attempt <= 3; attempt++) {
      await claimOne(kv, `w${attempt}`, now);
      now += LEASE + 1;
      const report = await sweepExpiredLeases(kv, now);
      assert.deepEqual(attempt < 3 ? report.requeued : report.failed, [job.id]);
    }
    const stored = (await getJob(kv, "tA", job.id))!;
    assert.equal(stored.state, "failed");
    assert.equal(stored.error?.name, "LeaseExpired");
    assert.match(stored.error!.message, /worker w3 .* attempt 3 of 3/);
  } finally {
    kv.close();
  }
});

Deno.test("failJob honours the retry back-off and retry: false", async () => {
  const kv = await openStore(":memory:");
  try {
    const a = await enqueueJob(kv, { tenantId: "tA", type: "t", input: {} }, T0);
    await failJob(kv, await claimOne(kv, "w", T0), new Error("flaky"), T0, { retryDelayMs: 5_000 });
    assert.equal(await claimNextJob(kv, "w", T0 + 4_999, LEASE), null, "backing off");
    assert.equal((await claimNextJob(kv, "w", T0 + 5_000, LEASE))?.jobId, a.job.id);

    const b = await enqueueJob(kv, { tenantId: "tA", type: "t", input: {} }, T0);
    const lease = await claimOne(kv, "w", T0);
    assert.equal(lease.jobId, b.job.id);
    const failed = await failJob(kv, lease, new RangeError("k too big"), T0, { retry: false });
    assert.equal(failed.state, "failed");
    assert.equal(failed.attempt, 1);
  } finally {
    kv.close();
  }
});

Deno.test("releaseJob hands a job back without counting the attempt", async () => {
  const kv = await openStore(":memory:");
  try {
    const { job } = await enqueueJob(kv, { tenantId: "tA", type: "t", input: {} }, T0);
    const released = await releaseJob(kv, await claimOne(kv, "w", T0), T0 + 1);
    assert.equal(released.state, "queued");
    assert.equal(released.attempt, 0);
    assert.equal(released.lease, null);
    assert.equal((await claimOne(kv, "w2", T0 + 2)).jobId, job.id);
  } finally {
    kv.close();
  }
});

Deno.test("finishJob publishes the whole result, and only then does the job read succeeded", async () => {
  const kv = await openStore(":memory:");
  try {
    const { job } = await enqueueJob(kv, { tenantId: "tA", type: "t", input: {} }, T0);
    const lease = await claimOne(kv, "w", T0);
    assert.equal(await getJobResult(kv, "tA", job.id), null, "no result while processing");
    const bytes = bytesOf(CHUNK_BYTES * 20 + 7); // two chunk commits
    const done = await finishJob(kv, lease, { bytes, meta: { rows: 7 } }, T0 + 5);
    assert.equal(done.state, "succeeded");
    assert.equal(done.progress, 1);
    assert.equal(done.lease, null);
    assert.equal(done.finishedAt, T0 + 5);
    const result = (await getJobResult(kv, "tA", job.id))!;
    assert.deepEqual(result.bytes, bytes);
    assert.deepEqual(result.manifest.meta, { rows: 7 });
    assert.equal(result.manifest.generation, done.result?.generation);
    assert.equal(await getJobResult(kv, "tB", job.id), null, "another tenant sees nothing");
    assert.equal((await kv.get(keys.jobQueue(job.id))).value, null);
    await assert.rejects(finishJob(kv, lease, { bytes }, T0 + 6), LeaseLostError, "finish twice");
  } finally {
    kv.close();
  }
});

Deno.test("a worker that dies while writing its result leaves nothing readable; the retry finishes", async () => {
  const kv = await openStore(":memory:");
  try {
    const { job } = await enqueueJob(kv, { tenantId: "tA", type: "t", input: {} }, T0);
    const crashing = instrument(kv, 1); // dies before its second chunk commit
    const lease = await claimOne(crashing.kv, "doomed", T0);
    await assert.rejects(
      finishJob(crashing.kv, lease, { bytes: bytesOf(CHUNK_BYTES * 30, 1) }, T0 + 1),
      /simulated crash/,
    );
    assert.ok(crashing.dead);
    const chunkPrefix = ["t", "tA", "chunk", JOB_RESULT_KIND, job.id];
    assert.ok(await countKeys(kv, chunkPrefix) >= 12, "some chunks were written");
    assert.equal(await getJobResult(kv, "tA", job.id), null);
    assert.equal(await getBlob(kv, "tA", JOB_RESULT_KIND, job.id), null);
    assert.equal((await getJob(kv, "tA", job.id))?.state, "processing");

    assert.deepEqual((await sweepExpiredLeases(kv, T0 + LEASE + 1)).requeued, [job.id]);
    const retry = await claimOne(kv, "w2", T0 + LEASE + 2);
    assert.equal(retry.attempt, 2);
    assert.equal(await adoptPublishedResult(kv, retry, T0 + LEASE + 2), null, "nothing to adopt");
    const bytes = bytesOf(CHUNK_BYTES * 30, 2);
    await finishJob(kv, retry, { bytes }, T0 + LEASE + 3);
    assert.deepEqual((await getJobResult(kv, "tA", job.id))!.bytes, bytes);

    assert.equal(await sweepOrphanChunks(kv, 0, T0 + LEASE + 10), 1, "the dead generation");
    assert.equal(await countKeys(kv, chunkPrefix), 30);
  } finally {
    kv.close();
  }
});

Deno.test("a result published by an attempt that died before the flip is adopted, not replaced", async () => {
  const kv = await openStore(":memory:");
  try {
    const { job } = await enqueueJob(kv, { tenantId: "tA", type: "t", input: {} }, T0);
    await claimOne(kv, "doomed", T0);
    const first = bytesOf(1000, 1);
    await putBlob(kv, "tA", JOB_RESULT_KIND, job.id, first, { createOnly: true, now: T0 + 1 });
    assert.equal(await getJobResult(kv, "tA", job.id), null, "published but not succeeded");
    await sweepExpiredLeases(kv, T0 + LEASE + 1);

    const retry = await claimOne(kv, "w2", T0 + LEASE + 2);
    const done = await finishJob(kv, retry, { bytes: bytesOf(2000, 2) }, T0 + LEASE + 3);
    assert.equal(done.state, "succeeded");
    assert.deepEqual((await getJobResult(kv, "tA", job.id))!.bytes, first, "one result per job");
  } finally {
    kv.close();
  }
});

Deno.test("a slow worker that lost its lease cannot overwrite the new owner's outcome", async () => {
  const kv = await openStore(":memory:");
  try {
    const { job } = await enqueueJob(kv, { tenantId: "tA", type: "t", input: {} }, T0);
    const slow = await claimOne(kv, "slow", T0);
    await sweepExpiredLeases(kv, T0 + LEASE + 1);
    const fast = await claimOne(kv, "fast", T0 + LEASE + 2);
    await finishJob(kv, fast, { bytes: bytesOf(100, 9) }, T0 + LEASE + 3);
    await assert.rejects(failJob(kv, slow, new Error("late"), T0 + LEASE + 4), LeaseLostError);
    await assert.rejects(
      finishJob(kv, slow, { bytes: bytesOf(100, 1) }, T0 + LEASE + 4),
      LeaseLostError,
    );
    const result = (await getJobResult(kv, "tA", job.id))!;
    assert.equal(result.job.attempt, 2);
    assert.deepEqual(result.bytes, bytesOf(100, 9));
  } finally {
    kv.close();
  }
});

Deno.test("a job failed for good deletes a result that an attempt published without flipping", async () => {
  const kv = await openStore(":memory:");
  try {
    const { job } = await enqueueJob(
      kv,
      { tenantId: "tA", type: "t", input: {}, maxAttempts: 1 },
      T0,
    );
    await claimOne(kv, "doomed", T0);
    await putBlob(kv, "tA", JOB_RESULT_KIND, job.id, bytesOf(10), { createOnly: true, now: T0 });
    assert.deepEqual((await sweepExpiredLeases(kv, T0 + LEASE)).failed, [job.id]);
    assert.equal(await getBlob(kv, "tA", JOB_RESULT_KIND, job.id), null);
    // Unpublished with the flip; its chunks are the orphan sweep's, whatever its grace period.
    await sweepOrphanChunks(kv, 3_600_000, T0 + LEASE);
    assert.equal(await countKeys(kv, ["t", "tA", "chunk"]), 0);
  } finally {
    kv.close();
  }
});

Deno.test("sweepExpiredLeases drops index entries whose job is gone", async () => {
  const kv = await openStore(":memory:");
  try {
    const { job } = await enqueueJob(kv, { tenantId: "tA", type: "t", input: {} }, T0);
    await kv.delete(keys.job("tA", job.id)); // as when a tenant is deleted by prefix
    assert.deepEqual(await sweepExpiredLeases(kv, T0), {
      requeued: [],
      failed: [],
      cancelled: [],
      cleaned: 1,
    });
    assert.equal(await countKeys(kv, keys.jobQueuePrefix()), 0);
  } finally {
    kv.close();
  }
});

Deno.test("every atomic operation of a job's life stays within the denokv server's limits", async () => {
  const kv = await openStore(":memory:");
  try {
    const probe = instrument(kv);
    const input = { blob: "x".repeat(60_000) }; // near the 64 KiB value limit
    const { job } = await enqueueJob(
      probe.kv,
      { tenantId: "tA", type: "t", input, idempotencyKey: "k1" },
      T0,
    );
    let lease = await claimOne(probe.kv, "w", T0);
    lease = await renewLease(probe.kv, lease, T0 + 1, LEASE);
    lease = await reportProgress(probe.kv, lease, 0.5, T0 + 2);
    await failJob(probe.kv, lease, new Error("again"), T0 + 3, { retryDelayMs: 0 });
    await claimOne(probe.kv, "w", T0 + 4);
    await sweepExpiredLeases(probe.kv, T0 + 4 + LEASE);
    lease = await claimOne(probe.kv, "w", T0 + 5 + LEASE);
    const bytes = bytesOf(3 * 1024 * 1024); // 52 chunks: five chunk commits
    await finishJob(probe.kv, lease, { bytes }, T0 + 6 + LEASE);
    assert.deepEqual((await getJobResult(kv, "tA", job.id))!.bytes, bytes);

    assert.ok(probe.commits.length >= 12);
    for (const op of probe.commits) {
      assert.ok(op.checks <= KV_LIMITS.checks, `${op.checks} checks`);
      assert.ok(op.mutations <= KV_LIMITS.mutations, `${op.mutations} mutations`);
      assert.ok(op.bytes <= KV_LIMITS.totalBytes, `${op.bytes} bytes`);
    }

    await assert.rejects(
      enqueueJob(kv, { tenantId: "tA", type: "t", input: { blob: "x".repeat(70_000) } }, T0),
      KvLimitError,
    );
    assert.equal((await listJobs(kv, "tA")).length, 1, "the refused job stored nothing");
  } finally {
    kv.close();
  }
});
