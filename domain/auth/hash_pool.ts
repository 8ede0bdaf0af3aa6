/**
 * Password hashes off the HTTP thread: a pool of one or two Web Workers (`hash_worker.ts`) runs
 * argon2id, one hash per worker at a time, so that a burst of logins cannot stall other
 * requests (40 concurrent logins held the event loop for seconds). At most `maxQueued` jobs
 * wait for a worker; past that, `HashingBusyError` (the route answers 503 with Retry-After).
 * Workers start on demand and stop once nothing is in flight or queued, so an idle process
 * (and a test) holds none.
 *
 * @module
 */
import type { HashAnswer, HashJob } from "./hash_worker.ts";

/** Too many password hashes are waiting already; retry after `retryAfterSeconds`. */
export class HashingBusyError extends Error {
  readonly retryAfterSeconds = 1;
  constructor() {
    super("Too many logins are being checked right now; retry in a second");
    this.name = "HashingBusyError";
  }
}

/** Options of `HashPool`. */
export interface HashPoolOptions {
  /** Workers (default 2: one keeps going while the other starts; more would take the CPU). */
  workers?: number;
  /** Jobs that may wait for a worker before new ones are refused (default 32). */
  maxQueued?: number;
}

type Job = HashJob extends infer J ? J extends HashJob ? Omit<J, "id"> : never : never;

interface Pending {
  job: Job;
  resolve: (value: string | boolean) => void;
  reject: (error: Error) => void;
}

/**
 * Runs hash jobs on up to `workers` Web Workers, queueing up to `maxQueued`.
 *
 * @example
 * ```ts
 * import { HashPool } from "./hash_pool.ts";
 * const pool = new HashPool({ workers: 1 });
 * const salt = new Uint8Array(16);
 * const options = { salt, parallelism: 1, iterations: 1, memorySize: 64, hashLength: 32 };
 * const hash = await pool.run({ op: "hash", password: "pw", options });
 * console.assert(await pool.run({ op: "verify", password: "pw", hash: String(hash) }) === true);
 * ```
 */
export class HashPool {
  readonly #size: number;
  readonly #maxQueued: number;
  readonly #idle: Worker[] = [];
  readonly #busy = new Map<Worker, Pending>();
  readonly #queue: Pending[] = [];
  #started = 0;
  #nextId = 1;

  constructor(options: HashPoolOptions = {}) {
    this.#size = Math.max(1, Math.min(2, options.workers ?? 2));
    this.#maxQueued = options.maxQueued ?? 32;
  }

  /** Jobs running and waiting now. */
  get load(): { running: number; queued: number } {
    return { running: this.#busy.size, queued: this.#queue.length };
  }

  /**
   * Runs `job` on a worker.
   *
   * @throws {HashingBusyError} when `maxQueued` jobs are waiting already.
   */
  run(job: Job): Promise<string | boolean> {
    if (this.#busy.size >= this.#size && this.#queue.length >= this.#maxQueued) {
      return Promise.reject(new HashingBusyError());
    }
    return new Promise((resolve, reject) => {
      this.#queue.push({ job, resolve, reject });
      this.#pump();
    });
  }

  #pump(): void {
    while (this.#queue.length > 0) {
      const worker = this.#idle.pop() ?? this.#spawn();
      if (!worker) return;
      const pending = this.#queue.shift()!;
      this.#busy.set(worker, pending);
      worker.postMessage({ ...pending.job, id: this.#nextId++ });
    }
    // Nothing waits: workers with nothing to do stop, so none outlives the burst.
    if (this.#busy.size === 0) {
      for (const worker of this.#idle.splice(0)) worker.terminate();
      this.#started = 0;
    }
  }

  #spawn(): Worker | null {
    if (this.#started >= this.#size) return null;
    this.#started++;
    const worker = new Worker(new URL("./hash_worker.ts", import.meta.url), { type: "module" });
    worker.onmessage = (event: MessageEvent<HashAnswer>) => {
      const pending = this.#busy.get(worker);
      this.#busy.delete(worker);
      this.#idle.push(worker);
      const answer = event.data;
      if (answer.ok) pending?.resolve(answer.value);
      else pending?.reject(new Error(answer.message));
      this.#pump();
    };
    worker.onerror = (event) => {
      event.preventDefault();
      const pending = this.#busy.get(worker);
      this.#busy.delete(worker);
      worker.terminate();
      this.#started--;
      pending?.reject(new Error(`The hashing worker failed: ${event.message}`));
      this.#pump();
    };
    return worker;
  }
}
