/**
 * Transient store contention, retried in one place. Several processes on one SQLite KV file
 * take turns on its write lock, and a losing `get`, `set` or `commit` fails at once with
 * "database is locked" instead of waiting. `retryingKv` wraps the handle `openStore` returns so
 * that every operation is retried with bounded, jittered back-off; when the budget is spent the
 * caller gets `StoreUnavailable` (answered 503 with `Retry-After`), never the raw error.
 *
 * Only failures that certainly wrote nothing are retried (SQLite's busy and locked errors: the
 * transaction never began), so a retried commit cannot apply twice.
 *
 * @module
 */

/** The store could not serve an operation in time (contention); the caller may retry later. */
export class StoreUnavailable extends Error {
  override readonly name = "StoreUnavailable";
  /** A hint for `Retry-After`, in ms. */
  readonly retryAfterMs: number;

  constructor(message: string, options: { retryAfterMs?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.retryAfterMs = options.retryAfterMs ?? 1000;
  }
}

/** How often and how long to retry a contended operation. */
export interface RetryPolicy {
  /** Tries in all, the first included (default 10). */
  attempts: number;
  /** The first back-off's upper bound in ms; it doubles each try (default 4). */
  baseMs: number;
  /** The largest back-off in ms (default 200). */
  maxMs: number;
}

/** About 1.2 s of back-off in the worst case: well under any client's patience. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 10, baseMs: 4, maxMs: 200 };

/**
 * `kv` with every operation (`get`, `getMany`, `set`, `delete`, `enqueue`, `list`'s pages and
 * `atomic().commit()`) retried on transient contention under `policy`; everything else passes
 * through. An atomic operation is rebuilt from its recorded steps for each retry.
 *
 * @throws {StoreUnavailable} from an operation whose tries all met contention.
 */
export function retryingKv(kv: Deno.Kv, policy: Partial<RetryPolicy> = {}): Deno.Kv {
  const p = { ...DEFAULT_RETRY, ...policy };
  const retried = new Set(["get", "getMany", "set", "delete", "enqueue"]);
  return new Proxy(kv, {
    get(target, prop) {
      if (prop === "atomic") return () => retryingAtomic(target, p);
      if (prop === "list") {
        return (selector: Deno.KvListSelector, options?: Deno.KvListOptions) =>
          retryingList(target, selector, options ?? {}, p);
      }
      const value = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      if (typeof prop === "string" && retried.has(prop)) {
        return (...args: unknown[]) => withRetry(() => value.apply(target, args), p);
      }
      // Deno.Kv's methods read private state: they must run on the real handle.
      return value.bind(target);
    },
  });
}

/**
 * Runs `op`, retrying it while it fails with transient contention (full jitter: each wait is
 * uniform in [0, min(maxMs, baseMs · 2^try)]). Other errors pass through at once.
 *
 * @throws {StoreUnavailable} when every try met contention (the last error is its `cause`).
 */
export async function withRetry<T>(
  op: () => Promise<T>,
  policy: Partial<RetryPolicy> = {},
): Promise<T> {
  const p = { ...DEFAULT_RETRY, ...policy };
  for (let attempt = 1;; attempt++) {
    try {
      return await op();
    } catch (error) {
      if (!isTransient(error)) throw error;
      if (attempt >= p.attempts) throw giveUp(error, p.attempts);
      await backOff(attempt, p);
    }
  }
}

/** Whether `error` is contention that wrote nothing and may succeed if tried again. */
export function isTransient(error: unknown): boolean {
  return error instanceof Error && !(error instanceof StoreUnavailable) &&
    /database (table )?is (locked|busy)|SQLITE_BUSY|SQLITE_LOCKED/i.test(error.message);
}

function giveUp(error: unknown, attempts: number): StoreUnavailable {
  return new StoreUnavailable(
    `The store is busy (${attempts} tries met contention); retry shortly`,
    { cause: error },
  );
}

function backOff(attempt: number, p: RetryPolicy): Promise<void> {
  const bound = Math.min(p.maxMs, p.baseMs * 2 ** (attempt - 1));
  return new Promise((resolve) => setTimeout(resolve, Math.random() * bound));
}

type Step = (op: Deno.AtomicOperation) => void;

function retryingAtomic(kv: Deno.Kv, p: RetryPolicy): Deno.AtomicOperation {
  const steps: Step[] = [];
  // Steps are applied at once as well, so that Deno's own argument errors still throw where
  // the caller made the call; retries replay them on a fresh operation.
  let first: Deno.AtomicOperation | undefined = kv.atomic();
  const record = (step: Step) => {
    step(first!);
    steps.push(step);
    return builder;
  };
  const builder = {
    check: (...checks: Deno.AtomicCheck[]) => record((op) => op.check(...checks)),
    mutate: (...mutations: Deno.KvMutation[]) => record((op) => op.mutate(...mutations)),
    sum: (key: Deno.KvKey, n: bigint) => record((op) => op.sum(key, n)),
    min: (key: Deno.KvKey, n: bigint) => record((op) => op.min(key, n)),
    max: (key: Deno.KvKey, n: bigint) => record((op) => op.max(key, n)),
    set: (key: Deno.KvKey, value: unknown, options?: { expireIn?: number }) =>
      record((op) => op.set(key, value, options)),
    delete: (key: Deno.KvKey) => record((op) => op.delete(key)),
    enqueue: (
      value: unknown,
      options?: Parameters<Deno.AtomicOperation["enqueue"]>[1],
    ) => record((op) => op.enqueue(value, options)),
    commit: () =>
      withRetry(() => {
        const op = first ?? kv.atomic();
        if (!first) { for (const step of steps) step(op); }
        first = undefined;
        return op.commit();
      }, p),
  };
  return builder as unknown as Deno.AtomicOperation;
}

function retryingList<T>(
  kv: Deno.Kv,
  selector: Deno.KvListSelector,
  options: Deno.KvListOptions,
  p: RetryPolicy,
): Deno.KvListIterator<T> {
  let inner = kv.list<T>(selector, options);
  let yielded = 0;
  let cursor = options.cursor;
  const iterator = {
    get cursor() {
      return inner.cursor;
    },
    async next(): Promise<IteratorResult<Deno.KvEntry<T>, undefined>> {
      for (let attempt = 1;; attempt++) {
        try {
          const result = await inner.next();
          if (!result.done) {
            yielded++;
            cursor = inner.cursor;
          }
          return result;
        } catch (error) {
          if (!isTransient(error)) throw error;
          if (attempt >= p.attempts) throw giveUp(error, p.attempts);
          await backOff(attempt, p);
          // Resume after the last entry handed out, with what is left of the limit.
          const limit = options.limit === undefined ? undefined : options.limit - yielded;
          if (limit !== undefined && limit <= 0) return { done: true, value: undefined };
          inner = kv.list<T>(selector, { ...options, cursor, limit });
        }
      }
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator as unknown as Deno.KvListIterator<T>;
}
