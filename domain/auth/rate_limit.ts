/**
 * Rate limits as GCRA (the one-timestamp form of a token bucket, Brandur's formulation): each
 * principal and endpoint class has one KV entry holding its theoretical arrival time (TAT). A
 * request is admitted when the bucket, after taking it, is not over capacity; then the new TAT
 * is committed with a check on the entry's versionstamp, so concurrent requests on any number
 * of instances sharing the store are admitted exactly. A denied request writes nothing. A
 * commit that keeps losing races is retried a bounded number of times with jitter and then
 * refused (`RateLimitContention`), never admitted.
 */
import { atomic, keys } from "../../storage/mod.ts";

/** `limit` requests per `periodMs`, bursting up to `limit` at once. */
export interface RatePolicy {
  readonly limit: number;
  readonly periodMs: number;
}

/** The decision for one request. */
export interface RateDecision {
  readonly allowed: boolean;
  readonly limit: number;
  /** Requests that could still be made right now. */
  readonly remaining: number;
  /** Epoch ms at which the bucket is full again. */
  readonly resetAt: number;
  /** When denied: ms until one request would be admitted; 0 when allowed. */
  readonly retryAfterMs: number;
}

/** The store was too contended to decide; the request is refused (503 with Retry-After). */
export class RateLimitContention extends Error {
  constructor(readonly retryAfterMs: number) {
    super("The rate limiter is too contended to decide; retry shortly");
    this.name = "RateLimitContention";
  }
}

/** Options of `consume`. */
export interface ConsumeOptions {
  /** Commit attempts before giving up (default 10). */
  maxAttempts?: number;
  /** Requests to take (default 1). */
  cost?: number;
  /**
   * Queue this process's requests for the same bucket (default true). Tests turn it off to
   * exercise the cross-instance path, where only the versionstamp check keeps the count exact.
   */
  localQueue?: boolean;
}

interface TatEntry {
  tat: number;
}

// Requests of one process for the same bucket queue here, so that they do not race each other
// through the store; the versionstamp check still settles races between instances.
const localQueues = new Map<string, Promise<unknown>>();

/**
 * Takes one request from the bucket of `principal` in endpoint class `cls` at time `now`.
 *
 * @throws {RateLimitContention} when the commit lost `maxAttempts` races in a row.
 */
export function consume(
  kv: Deno.Kv,
  principal: string,
  cls: string,
  policy: RatePolicy,
  now: number,
  options: ConsumeOptions = {},
): Promise<RateDecision> {
  if (options.localQueue === false) return decide(kv, principal, cls, policy, now, options);
  const id = `${principal}\u0000${cls}`;
  const previous = localQueues.get(id) ?? Promise.resolve();
  const run = previous.catch(() => {}).then(() => decide(kv, principal, cls, policy, now, options));
  localQueues.set(id, run);
  run.finally(() => {
    if (localQueues.get(id) === run) localQueues.delete(id);
  }).catch(() => {});
  return run;
}

/** One bucket of `consumeAll` and `refund`. */
export interface Bucket {
  readonly principal: string;
  readonly cls: string;
  readonly policy: RatePolicy;
}

/** The decision of `consumeAll`: one `RateDecision` per bucket, in the order given. */
export interface MultiDecision {
  /** True when one request was taken from every bucket; false when none was taken. */
  readonly allowed: boolean;
  readonly decisions: readonly RateDecision[];
}

/**
 * Takes one request from every bucket in `buckets` (at most 10: one check each), or from none:
 * a single atomic operation checks every entry's versionstamp and sets every new TAT, so the
 * check and the count cannot be split by a request on another instance. Denied, writing
 * nothing, when any bucket is full; that bucket's decision says when it admits again.
 *
 * @throws {RateLimitContention} when the commit lost `maxAttempts` races in a row.
 */
export async function consumeAll(
  kv: Deno.Kv,
  buckets: readonly Bucket[],
  now: number,
  options: Pick<ConsumeOptions, "maxAttempts"> = {},
): Promise<MultiDecision> {
  const attempts = options.maxAttempts ?? 10;
  const bucketKeys = buckets.map((b) => keys.rateLimit(b.principal, b.cls));
  for (let attempt = 0; attempt < attempts; attempt++) {
    const entries = await kv.getMany<TatEntry[]>(bucketKeys);
    const next = buckets.map((b, i) => {
      checkPolicy(b.policy);
      const tat = Math.max(entries[i]!.value?.tat ?? now, now);
      return { tat, newTat: tat + b.policy.periodMs / b.policy.limit };
    });
    const full = next.map((n, i) => n.newTat - now > buckets[i]!.policy.periodMs);
    if (full.some(Boolean)) {
      return {
        allowed: false,
        decisions: buckets.map((b, i) => {
          const { tat, newTat } = next[i]!;
          return full[i]
            ? state(b.policy, tat, now, false, newTat - now - b.policy.periodMs)
            : state(b.policy, tat, now, true);
        }),
      };
    }
    const op = atomic(kv).check(...entries);
    buckets.forEach((_, i) => {
      const { newTat } = next[i]!;
      op.set(bucketKeys[i]!, { tat: newTat }, { expireIn: Math.ceil(newTat - now) + 60_000 });
    });
    if ((await op.commit()).ok) {
      return {
        allowed: true,
        decisions: buckets.map((b, i) => state(b.policy, next[i]!.newTat, now, true)),
      };
    }
    await new Promise((r) => setTimeout(r, 1 + Math.random() * 4 * (attempt + 1)));
  }
  const slowest = Math.max(...buckets.map((b) => b.policy.periodMs / b.policy.limit));
  throw new RateLimitContention(Math.ceil(slowest));
}

/**
 * Gives back one request to every bucket in `buckets` (a login that turned out right after
 * `consumeAll` reserved it), in one atomic operation; never below an empty backlog.
 *
 * @throws {RateLimitContention} when the commit lost `maxAttempts` races in a row.
 */
export async function refund(
  kv: Deno.Kv,
  buckets: readonly Bucket[],
  now: number,
  options: Pick<ConsumeOptions, "maxAttempts"> = {},
): Promise<void> {
  const attempts = options.maxAttempts ?? 10;
  const bucketKeys = buckets.map((b) => keys.rateLimit(b.principal, b.cls));
  for (let attempt = 0; attempt < attempts; attempt++) {
    const entries = await kv.getMany<TatEntry[]>(bucketKeys);
    const op = atomic(kv).check(...entries);
    buckets.forEach((b, i) => {
      const tat = entries[i]!.value?.tat;
      if (tat === undefined || tat <= now) return;
      const back = Math.max(now, tat - b.policy.periodMs / b.policy.limit);
      op.set(bucketKeys[i]!, { tat: back }, { expireIn: Math.ceil(back - now) + 60_000 });
    });
    if ((await op.commit()).ok) return;
    await new Promise((r) => setTimeout(r, 1 + Math.random() * 4 * (attempt + 1)));
  }
  throw new RateLimitContention(1000);
}

/** The bucket's state without taking anything (for headers on unlimited reads, tests). */
export async function peek(
  kv: Deno.Kv,
  principal: string,
  cls: string,
  policy: RatePolicy,
  now: number,
): Promise<RateDecision> {
  const entry = await kv.get<TatEntry>(keys.rateLimit(principal, cls));
  return state(policy, Math.max(entry.value?.tat ?? now, now), now, true);
}

async function decide(
  kv: Deno.Kv,
  principal: string,
  cls: string,
  policy: RatePolicy,
  now: number,
  options: ConsumeOptions,
): Promise<RateDecision> {
  checkPolicy(policy);
  const interval = policy.periodMs / policy.limit;
  const cost = options.cost ?? 1;
  const key = keys.rateLimit(principal, cls);
  const attempts = options.maxAttempts ?? 10;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const entry = await kv.get<TatEntry>(key);
    const tat = Math.max(entry.value?.tat ?? now, now);
    const newTat = tat + interval * cost;
    if (newTat - now > policy.periodMs) {
      // Over capacity: denied, nothing written.
      return state(policy, tat, now, false, newTat - now - policy.periodMs);
    }
    const res = await atomic(kv)
      .check(entry)
      .set(key, { tat: newTat }, { expireIn: Math.ceil(newTat - now) + 60_000 })
      .commit();
    if (res.ok) return state(policy, newTat, now, true);
    await new Promise((r) => setTimeout(r, 1 + Math.random() * 4 * (attempt + 1)));
  }
  throw new RateLimitContention(Math.ceil(interval));
}

function checkPolicy(policy: RatePolicy): void {
  if (!(policy.limit >= 1) || !(policy.periodMs > 0)) {
    throw new RangeError(
      `Expected a limit ≥ 1 per period > 0 but found ${policy.limit}/${policy.periodMs}`,
    );
  }
}

function state(
  policy: RatePolicy,
  tat: number,
  now: number,
  allowed: boolean,
  retryAfterMs = 0,
): RateDecision {
  const interval = policy.periodMs / policy.limit;
  const used = Math.max(0, tat - now);
  return {
    allowed,
    limit: policy.limit,
    remaining: Math.max(0, Math.floor((policy.periodMs - used) / interval + 1e-9)),
    resetAt: Math.max(now, tat),
    retryAfterMs: allowed ? 0 : Math.max(1, retryAfterMs),
  };
}
