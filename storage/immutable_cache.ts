/**
 * A small per-process cache of decoded immutable objects (datasets, runs): they are written
 * once under ids that are never reused (`createOnly`), so a decoded copy stays true for as long
 * as it is kept, on every instance. Entries are per KV handle and per tenant (a tenant's id
 * never reaches another tenant's entry), least recently used first out, within a count and a
 * byte budget (sizes as the caller estimates them, e.g. the stored bytes). Cached values are
 * frozen, so a caller that tried to change one would throw instead of corrupting the next read.
 *
 * @module
 */

interface Entry<T> {
  value: T;
  bytes: number;
}

/** A least-recently-used map of decoded objects, keyed by KV handle, tenant and id. */
export class ImmutableCache<T extends object> {
  readonly #byKv = new WeakMap<Deno.Kv, { entries: Map<string, Entry<T>>; bytes: number }>();

  /**
   * At most `maxEntries` objects and `maxBytes` of estimated size per KV handle; an object
   * larger than the budget is not kept.
   */
  constructor(readonly maxEntries: number, readonly maxBytes: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new RangeError(`Expected maxEntries to be a positive integer but found ${maxEntries}`);
    }
    if (!(maxBytes > 0)) {
      throw new RangeError(`Expected maxBytes to be positive but found ${maxBytes}`);
    }
  }

  /** Caches `value` of estimated size `bytes` (just written: the next read need not decode it). */
  put(kv: Deno.Kv, tenantId: string, id: string, value: T, bytes: number): void {
    if (bytes > this.maxBytes) return;
    const store = this.#store(kv);
    const key = `${tenantId}\u0000${id}`;
    const old = store.entries.get(key);
    if (old) {
      store.entries.delete(key);
      store.bytes -= old.bytes;
    }
    deepFreeze(value);
    store.entries.set(key, { value, bytes });
    store.bytes += bytes;
    for (const [k, e] of store.entries) {
      if (store.entries.size <= this.maxEntries && store.bytes <= this.maxBytes) break;
      store.entries.delete(k);
      store.bytes -= e.bytes;
    }
  }

  /** The cached object, or `load()`'s (cached unless null), with its estimated size. */
  async get(
    kv: Deno.Kv,
    tenantId: string,
    id: string,
    load: () => Promise<{ value: T; bytes: number } | null>,
  ): Promise<T | null> {
    const store = this.#store(kv);
    const key = `${tenantId}\u0000${id}`;
    const hit = store.entries.get(key);
    if (hit) {
      store.entries.delete(key);
      store.entries.set(key, hit);
      return hit.value;
    }
    const loaded = await load();
    if (loaded === null) return null;
    this.put(kv, tenantId, id, loaded.value, loaded.bytes);
    deepFreeze(loaded.value);
    return loaded.value;
  }

  /** How many objects are kept for `kv`, and their estimated size in bytes (0 for none). */
  stats(kv: Deno.Kv): { entries: number; bytes: number } {
    const store = this.#byKv.get(kv);
    return { entries: store?.entries.size ?? 0, bytes: store?.bytes ?? 0 };
  }

  #store(kv: Deno.Kv) {
    let store = this.#byKv.get(kv);
    if (!store) this.#byKv.set(kv, store = { entries: new Map(), bytes: 0 });
    return store;
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
