/**
 * A small per-process cache of decoded immutable objects (datasets, runs): they are written
 * once under ids that are never reused (`createOnly`), so a decoded copy stays true for as long
 * as it is kept, on every instance. Entries are per KV handle and per tenant (a tenant's id
 * never reaches another tenant's entry), least recently used first out. Cached values are
 * frozen, so a caller that tried to change one would throw instead of corrupting the next read.
 *
 * @module
 */

/** A least-recently-used map of decoded objects, keyed by KV handle, tenant and id. */
export class ImmutableCache<T extends object> {
  readonly #byKv = new WeakMap<Deno.Kv, Map<string, T>>();

  /** At most `maxEntries` objects per KV handle. */
  constructor(readonly maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new RangeError(`Expected maxEntries to be a positive integer but found ${maxEntries}`);
    }
  }

  /** Caches `value` (just written, so the next read need not decode it); freezes it. */
  put(kv: Deno.Kv, tenantId: string, id: string, value: T): void {
    let map = this.#byKv.get(kv);
    if (!map) this.#byKv.set(kv, map = new Map());
    deepFreeze(value);
    map.set(`${tenantId}\u0000${id}`, value);
    while (map.size > this.maxEntries) map.delete(map.keys().next().value!);
  }

  /** The cached object, or `load()`'s (cached unless null). */
  async get(
    kv: Deno.Kv,
    tenantId: string,
    id: string,
    load: () => Promise<T | null>,
  ): Promise<T | null> {
    let map = this.#byKv.get(kv);
    if (!map) this.#byKv.set(kv, map = new Map());
    const key = `${tenantId}\u0000${id}`;
    const hit = map.get(key);
    if (hit) {
      map.delete(key);
      map.set(key, hit);
      return hit;
    }
    const value = await load();
    if (value === null) return null;
    deepFreeze(value);
    map.set(key, value);
    while (map.size > this.maxEntries) map.delete(map.keys().next().value!);
    return value;
  }
}

/** Freezes `value` and every plain object and array under it (typed arrays cannot be). */
export function deepFreeze(value: unknown): void {
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return;
  if (ArrayBuffer.isView(value)) return;
  Object.freeze(value);
  if (Array.isArray(value)) {
    // Arrays of numbers or strings hold nothing to freeze: skip walking their elements.
    if (value.length > 0 && typeof value[0] !== "object") return;
    for (const v of value) deepFreeze(v);
    return;
  }
  for (const v of Object.values(value)) deepFreeze(v);
}
