/**
 * The job runner: claims jobs from the job table (`domain/jobs/claims.ts` and its siblings) and runs them with the job
 * type registered for them, renewing the lease while a job runs and recording its outcome.
 *
 * The table is the only carrier of jobs. The runner polls it (`pollIntervalMs`), so it works on
 * every KV backend; a `kv.listenQueue` wake-up (where the backend has queues) only shortens the
 * wait. A queue message delivered twice, or two runners polling at once, cannot run a job
 * twice: claiming is a compare-and-set on the job's entry.
 *
 * @module
 */
import { sweepOrphanChunks } from "../../storage/mod.ts";
import type { FaultHook } from "./faults.ts";
import { PENDING_INPUT_GRACE_MS, sweepPendingInputs } from "./job_inputs.ts";
import {
  adoptOwnedBlobs,
  checkStage,
  claimNextJob,
  releaseJob,
  renewLease,
  reportProgress,
} from "./claims.ts";
import { isJobWakeup } from "./enqueue.ts";
import {
  type BlobRef,
  type JobLease,
  type JobOutput,
  type JobRecord,
  type JobStage,
  LeaseLostError,
} from "./job_record.ts";
import { sweepExpiredLeases } from "./lease_sweep.ts";
import { adoptPublishedResult, endCancelled, failJob, finishJob } from "./outcomes.ts";

/** What a job type's `run` gets. */
export interface JobContext<I = unknown> {
  readonly kv: Deno.Kv;
  /** The job as claimed (`attempt` is this attempt, 1-based). */
  readonly job: JobRecord;
  /** The job's input, as `parseInput` returned it. */
  readonly input: I;
  /**
   * Aborted when the job must stop: its lease was lost (another worker holds the job now) or
   * the runner is stopping. A run that ignores it still finishes, but its result may be unused.
   */
  readonly signal: AbortSignal;
  /** The runner's clock (epoch ms). */
  readonly now: () => number;
  /**
   * Records progress in [0, 1], and the stage the run is at when given (`GET /api/jobs/{id}`
   * shows it while the job is processing). Writes are coalesced (the latest value wins, a
   * report without a stage keeping the last stage) and never reject: a lost lease shows in
   * `signal`. Awaiting is optional.
   *
   * @throws {RangeError} at once when `fraction` is not in [0, 1] or `stage` is malformed.
   */
  progress(fraction: number, stage?: JobStage): Promise<void>;
  /**
   * Renews the lease now (the runner also does so every `renewEveryMs`).
   *
   * @throws {LeaseLostError} when the job is no longer this runner's.
   */
  renewLease(): Promise<void>;
}

/** A kind of job the runner can run. */
export interface JobType<I = unknown> {
  /** The `type` of the jobs it runs. */
  readonly type: string;
  /**
   * Checks the stored input and returns it typed. An error here fails the job at once (another
   * attempt would read the same input).
   */
  parseInput?(input: unknown): I;
  /** Does the work and returns the result to publish. */
  run(ctx: JobContext<I>): Promise<JobOutput>;
  /**
   * The stored objects the input names (a stored request), for jobs enqueued before jobs owned
   * their inputs: the runner records them on such a job when it claims it, so they are deleted
   * with its outcome. Jobs enqueued with `ownedBlobs` do not need it.
   */
  inputBlobs?(input: I): readonly BlobRef[];
  /** True for an error that another attempt cannot fix. Default: every error is retried. */
  isPermanent?(error: unknown): boolean;
}

/**
 * Calls `callback` once, `ms` milliseconds from now, and returns a function that cancels the
 * call. The runner's only source of timed wake-ups (the idle wait between polls and the lease
 * renewals), so that a test can run it on a fake clock instead of waiting in real time.
 */
export type Schedule = (ms: number, callback: () => void) => () => void;

/** `setTimeout` as a `Schedule`: the runner's default. */
export const realTimeSchedule: Schedule = (ms, callback) => {
  const timer = setTimeout(callback, ms);
  return () => clearTimeout(timer);
};

/** Options of `JobRunner`. */
export interface JobRunnerOptions {
  /** The clock (epoch ms) for leases and timestamps. */
  clock: () => number;
  /**
   * The timer for the idle wait and the lease renewals; default `realTimeSchedule`. A fake one
   * that fires when the test moves its clock lets tests run the runner without sleeping.
   */
  schedule?: Schedule;
  /** Default `worker-<random uuid>`. */
  workerId?: string;
  /** Lease length; default 30 s. */
  leaseMs?: number;
  /** Lease renewal period while a job runs (on `schedule`); default `leaseMs / 3`. */
  renewEveryMs?: number;
  /** Wait between two looks at the table when idle (on `schedule`); default 1 s. */
  pollIntervalMs?: number;
  /** Least time between two sweeps of expired leases, by `clock`; default `leaseMs / 2`. */
  sweepIntervalMs?: number;
  /** Jobs run at once; default 1. */
  concurrency?: number;
  /** Back-off before a failed attempt's retry can be claimed; default 1 s. */
  retryDelayMs?: number;
  /**
   * Call `kv.listenQueue` on `start()` and wake up on `JobWakeup` messages. Only when nothing
   * else in the process listens on this KV (one handler per handle); otherwise route
   * `isJobWakeup` messages to `wake()` from that handler. Default false.
   */
  listenQueue?: boolean;
  /**
   * Least time between two sweeps of orphans, by `clock`: stored inputs whose job never came
   * (`sweepPendingInputs`) and chunks no manifest names (`sweepOrphanChunks`, which also takes
   * the chunks of objects that died with their job). Default 10 min.
   */
  orphanSweepIntervalMs?: number;
  /** How old an orphan must be to be swept (a write still going on is younger); default 1 h. */
  orphanGraceMs?: number;
  /**
   * Test only: called before each step of a job (claim, compute, each result chunk, publish,
   * flip), so a test can crash a worker there (`domain/jobs/faults.ts`). Default none.
   */
  faults?: FaultHook | null;
  /** Errors that the loop survives (store failures, lost leases); default `console.error`. */
  onError?: (error: unknown, job?: JobRecord) => void;
}

const DEFAULTS = {
  leaseMs: 30_000,
  pollIntervalMs: 1_000,
  concurrency: 1,
  retryDelayMs: 1_000,
  listenQueue: false,
  orphanSweepIntervalMs: 600_000,
  orphanGraceMs: PENDING_INPUT_GRACE_MS,
  faults: null,
  schedule: realTimeSchedule,
  onError: (error: unknown, job?: JobRecord) =>
    console.error(`job runner${job ? ` (job ${job.id}, ${job.type})` : ""}:`, error),
};

/** Why a job's signal is aborted when its tenant cancelled it. */
export class JobCancelledError extends Error {
  override readonly name = "JobCancelledError";
  constructor(readonly jobId: string) {
    super(`Job ${jobId} was cancelled`);
  }
}

/** Why a job's signal is aborted when the runner stops. */
const STOPPING = "The job runner is stopping";

/**
 * Runs jobs of the registered types from the job table on `kv`.
 *
 * `start()` begins polling; `stop()` stops it, aborts the running jobs' signals, hands back the
 * jobs that ended because of it (`releaseJob`: queued again, attempt not counted), and resolves
 * once nothing of the runner is left running (no timers). `drain()` runs jobs without the poll
 * loop until none is claimable (tests, one-shot tools).
 *
 * @example
 * ```ts
 * import { enqueueJob } from "./enqueue.ts";
 * import { getJob } from "./job_reads.ts";
 * import { JobRunner } from "./runner.ts";
 * const kv = await Deno.openKv(":memory:");
 * const echo = { type: "echo", run: () => Promise.resolve({ bytes: new Uint8Array([1]) }) };
 * const runner = new JobRunner(kv, [echo], { clock: () => 1_000 });
 * const { job } = await enqueueJob(kv, { tenantId: "t1", type: "echo", input: {} }, 1_000);
 * await runner.drain();
 * console.assert((await getJob(kv, "t1", job.id))?.state === "succeeded");
 * kv.close();
 * ```
 */
export class JobRunner {
  readonly workerId: string;
  readonly #kv: Deno.Kv;
  readonly #types = new Map<string, JobType>();
  readonly #opts: Required<Omit<JobRunnerOptions, "workerId">>;
  readonly #running = new Set<Promise<void>>();
  #loop: Promise<void> | null = null;
  #stopping = false;
  #stop = new AbortController();
  #wakeSleep: (() => void) | null = null;
  #woken = false;
  #listening = false;
  #lastSweep = -Infinity;
  #lastOrphanSweep = -Infinity;

  constructor(kv: Deno.Kv, types: readonly JobType[], options: JobRunnerOptions) {
    const leaseMs = options.leaseMs ?? DEFAULTS.leaseMs;
    this.#opts = {
      ...DEFAULTS,
      renewEveryMs: leaseMs / 3,
      sweepIntervalMs: leaseMs / 2,
      ...definedOnly(options),
      clock: options.clock,
      leaseMs,
    };
    for (const name of ["leaseMs", "renewEveryMs", "pollIntervalMs"] as const) {
      const value = this.#opts[name];
      if (!(value > 0 && value < Infinity)) {
        throw new RangeError(`Expected ${name} to be a positive number but found ${value}`);
      }
    }
    for (
      const name of [
        "sweepIntervalMs",
        "retryDelayMs",
        "orphanSweepIntervalMs",
        "orphanGraceMs",
      ] as const
    ) {
      const value = this.#opts[name];
      if (!(value >= 0 && value < Infinity)) {
        throw new RangeError(`Expected ${name} to be a number ≥ 0 but found ${value}`);
      }
    }
    const { concurrency } = this.#opts;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new RangeError(
        `Expected concurrency to be a positive integer but found ${concurrency}`,
      );
    }
    this.#kv = kv;
    this.workerId = options.workerId ?? `worker-${crypto.randomUUID()}`;
    for (const t of types) this.register(t);
  }

  /** Adds a job type. @throws {RangeError} when a type of that name is registered already. */
  register(type: JobType): void {
    if (this.#types.has(type.type)) {
      throw new RangeError(`Expected one job type named "${type.type}" but found two`);
    }
    this.#types.set(type.type, type);
  }

  /** Jobs running now. */
  get running(): number {
    return this.#running.size;
  }

  /** Starts the poll loop (no-op when started). */
  start(): void {
    if (this.#loop) return;
    this.#stopping = false;
    this.#stop = new AbortController();
    if (this.#opts.listenQueue && !this.#listening) this.#listen();
    this.#loop = this.#poll();
  }

  /** Stops polling and running; resolves when no job and no timer of the runner is left. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#stop.abort(new DOMException(STOPPING, "AbortError"));
    this.#wakeSleep?.();
    await this.#loop;
    this.#loop = null;
    await Promise.allSettled([...this.#running]);
  }

  /** Makes an idle poll loop look at the table now instead of after its interval. */
  wake(): void {
    if (this.#wakeSleep) this.#wakeSleep();
    else this.#woken = true;
  }

  /**
   * Runs jobs until none is claimable and none is running; resolves with the number run.
   * For tests and one-shot tools: do not mix with `start()`.
   */
  async drain(): Promise<number> {
    this.#stopping = false;
    let total = 0;
    while (true) {
      const started = await this.tick();
      total += started;
      if (started === 0 && this.#running.size === 0) return total;
      if (started === 0) await Promise.race(this.#running);
    }
  }

  /**
   * One pass of the loop: sweeps expired leases (at most every `sweepIntervalMs`), then claims
   * jobs into the free slots and starts them. Resolves with the number started, without
   * waiting for them.
   */
  async tick(): Promise<number> {
    const { clock, onError, concurrency, leaseMs, sweepIntervalMs } = this.#opts;
    if (clock() - this.#lastSweep >= sweepIntervalMs) {
      this.#lastSweep = clock();
      try {
        await sweepExpiredLeases(this.#kv, this.#lastSweep);
      } catch (error) {
        onError(error);
      }
    }
    const { orphanSweepIntervalMs, orphanGraceMs } = this.#opts;
    if (clock() - this.#lastOrphanSweep >= orphanSweepIntervalMs) {
      this.#lastOrphanSweep = clock();
      try {
        await sweepPendingInputs(this.#kv, this.#lastOrphanSweep, orphanGraceMs);
        await sweepOrphanChunks(this.#kv, orphanGraceMs, this.#lastOrphanSweep);
      } catch (error) {
        onError(error);
      }
    }
    let started = 0;
    const types = [...this.#types.keys()];
    while (!this.#stopping && this.#running.size < concurrency) {
      let lease: JobLease | null;
      try {
        lease = await claimNextJob(this.#kv, this.workerId, clock(), leaseMs, { types });
      } catch (error) {
        onError(error);
        break;
      }
      if (!lease) break;
      const job = lease.job;
      const run: Promise<void> = this.#execute(lease)
        .catch((error) => onError(error, job))
        .finally(() => {
          this.#running.delete(run);
          this.wake();
        });
      this.#running.add(run);
      started++;
    }
    return started;
  }

  async #poll(): Promise<void> {
    while (!this.#stopping) {
      await this.tick();
      if (this.#stopping) break;
      await this.#sleep(this.#opts.pollIntervalMs);
    }
  }

  #sleep(ms: number): Promise<void> {
    if (this.#woken) {
      this.#woken = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const done = () => {
        cancel();
        this.#wakeSleep = null;
        resolve();
      };
      const cancel = this.#opts.schedule(ms, done);
      this.#wakeSleep = done;
    });
  }

  #listen(): void {
    this.#listening = true;
    try {
      // Resolves only when the KV handle is closed; the handler outlives stop() and ignores
      // messages while the runner is stopped.
      this.#kv.listenQueue((message) => {
        if (isJobWakeup(message) && this.#loop && !this.#stopping) this.wake();
      }).catch((error) => this.#opts.onError(error));
    } catch (error) {
      // KV Connect has no queues: polling alone carries on.
      this.#opts.onError(error);
    }
  }

  async #execute(claimed: JobLease): Promise<void> {
    const kv = this.#kv;
    const { clock, leaseMs, renewEveryMs, onError, retryDelayMs, schedule, faults } = this.#opts;
    const type = this.#types.get(claimed.job.type)!;
    const controller = new AbortController();
    const stopSignal = this.#stop.signal;
    const onStop = () => controller.abort(stopSignal.reason);
    if (stopSignal.aborted) onStop();
    else stopSignal.addEventListener("abort", onStop, { once: true });

    let lease = claimed;
    let lost: LeaseLostError | null = null;
    // Renewals and progress writes go one at a time, so they do not race each other.
    let chain: Promise<unknown> = Promise.resolve();
    const write = (update: (l: JobLease) => Promise<JobLease>): Promise<void> => {
      const step = chain.then(async () => {
        if (lost) throw lost;
        try {
          lease = await update(lease);
          // Every write reads the job back: that is where the tenant's cancel is seen.
          if (lease.job.cancelRequested && !controller.signal.aborted) {
            controller.abort(new JobCancelledError(lease.jobId));
          }
        } catch (error) {
          if (error instanceof LeaseLostError) {
            lost = error;
            controller.abort(error);
          }
          throw error;
        }
      });
      chain = step.catch(() => {});
      return step;
    };
    const report = (error: unknown) => {
      if (!(error instanceof LeaseLostError)) onError(error, lease.job);
    };
    const renew = () => write((l) => renewLease(kv, l, clock(), leaseMs));
    // Every `renewEveryMs` until the job ends, whether or not the previous renewal is done.
    let ended = false;
    let cancelRenewal = () => {};
    const renewLater = () => {
      cancelRenewal = schedule(renewEveryMs, () => {
        if (ended) return;
        renew().catch(report);
        renewLater();
      });
    };
    renewLater();

    let wanted: { fraction: number; stage?: JobStage } | null = null;
    let flushing: Promise<void> | null = null;
    const progress = (fraction: number, stage?: JobStage): Promise<void> => {
      if (!(fraction >= 0 && fraction <= 1)) {
        throw new RangeError(`Expected progress to be in [0, 1] but found ${fraction}`);
      }
      if (stage !== undefined) checkStage(stage);
      // A report without a stage keeps the stage of one not yet written.
      wanted = { fraction, stage: stage ?? wanted?.stage };
      flushing ??= (async () => {
        while (wanted !== null) {
          const { fraction: value, stage: at } = wanted;
          wanted = null;
          await write((l) => reportProgress(kv, l, value, clock(), at)).catch(report);
        }
      })().finally(() => (flushing = null));
      return flushing;
    };

    try {
      await faults?.({ step: "claim" });
      let input: unknown;
      try {
        input = type.parseInput ? type.parseInput(claimed.job.input) : claimed.job.input;
      } catch (error) {
        await failJob(kv, lease, error, clock(), { retry: false });
        return;
      }
      if (claimed.job.ownedBlobs === undefined && type.inputBlobs) {
        const blobs = type.inputBlobs(input);
        await write((l) => adoptOwnedBlobs(kv, l, blobs, clock()));
      }
      // An earlier attempt published the result and died before the flip: do not run again.
      if (await adoptPublishedResult(kv, lease, clock())) return;
      const output = await type.run({
        kv,
        job: claimed.job,
        input,
        signal: controller.signal,
        now: clock,
        progress,
        renewLease: renew,
      });
      await faults?.({ step: "compute" });
      await flushing;
      await chain;
      if (lost) throw lost;
      await finishJob(kv, lease, output, clock(), faults ? { faults } : {});
    } catch (error) {
      if (error instanceof LeaseLostError || lost) {
        // Another worker holds the job now (our lease expired and was swept): not ours to record.
        onError(lost ?? error, lease.job);
        return;
      }
      try {
        if (controller.signal.reason instanceof JobCancelledError) {
          await endCancelled(kv, lease, clock());
        } else if (stopSignal.aborted && controller.signal.reason === stopSignal.reason) {
          await releaseJob(kv, lease, clock());
        } else {
          const retry = !(type.isPermanent?.(error) ?? false);
          await failJob(kv, lease, error, clock(), { retry, retryDelayMs });
        }
      } catch (recordError) {
        onError(recordError, lease.job);
      }
    } finally {
      ended = true;
      cancelRenewal();
      stopSignal.removeEventListener("abort", onStop);
      await flushing;
      await chain;
    }
  }
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
