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
  if (!(policy.limit >= 1) || !(policy.periodMs > 0)) {
    throw new RangeError(
      `Expected a limit ≥ 1 per period > 0 but found ${policy.limit}/${policy.periodMs}`,
    );
  }
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
