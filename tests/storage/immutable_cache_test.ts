/** The cache of decoded immutable objects: per KV handle and tenant, bounded, frozen. */
import assert from "node:assert/strict";
import { deepFreeze, ImmutableCache } from "../../storage/immutable_cache.ts";

async function withKv(fn: (kv: Deno.Kv, other: Deno.Kv) => Promise<void>) {
  const kv = await Deno.openKv(":memory:");
  const other = await Deno.openKv(":memory:");
  try {
    await fn(kv, other);
  } finally {
    kv.close();
    other.close();
  }
}

Deno.test("ImmutableCache loads once, then answers from memory, per tenant and KV handle", async () => {
  await withKv(async (kv, other) => {
    const cache = new ImmutableCache<{ v: number }>(4, 1000);
    let loads = 0;
    const load = (v: number) => () => {
      loads++;
      return Promise.resolve({ value: { v }, bytes: 10 });
    };
    assert.equal((await cache.get(kv, "t1", "a", load(1)))?.v, 1);
    assert.equal((await cache.get(kv, "t1", "a", load(2)))?.v, 1);
    assert.equal(loads, 1);
    // Another tenant, or another store, never reads t1's entry.
    assert.equal((await cache.get(kv, "t2", "a", load(3)))?.v, 3);
    assert.equal((await cache.get(other, "t1", "a", load(4)))?.v, 4);
    assert.equal(loads, 3);
  });
});

Deno.test("ImmutableCache does not keep what was not found", async () => {
  await withKv(async (kv) => {
    const cache = new ImmutableCache<{ v: number }>(4, 1000);
    let loads = 0;
    const missing = () => (loads++, Promise.resolve(null));
    assert.equal(await cache.get(kv, "t", "x", missing), null);
    assert.equal(await cache.get(kv, "t", "x", missing), null);
    assert.equal(loads, 2);
  });
});

Deno.test("ImmutableCache evicts the least recently used past its count or byte budget", async () => {
  await withKv(async (kv) => {
    const cache = new ImmutableCache<{ v: string }>(2, 100);
    let loads = 0;
    const get = (id: string, bytes = 10) =>
      cache.get(kv, "t", id, () => (loads++, Promise.resolve({ value: { v: id }, bytes })));
    await get("a");
    await get("b");
    await get("a"); // a is now the most recent
    await get("c"); // evicts b
    assert.equal(loads, 3);
    await get("a");
    assert.equal(loads, 3);
    await get("b");
    assert.equal(loads, 4);
    // Too large for the budget: returned, not kept.
    await get("huge", 101);
    await get("huge", 101);
    assert.equal(loads, 6);
    // Large ones push the others out by bytes.
    cache.put(kv, "t", "big", { v: "big" }, 95);
    await get("b");
    assert.equal(loads, 7);
  });
});

Deno.test("cached objects are frozen, deeply", async () => {
  await withKv(async (kv) => {
    const cache = new ImmutableCache<{ list: { n: number }[] }>(2, 100);
    const value = await cache.get(
      kv,
      "t",
      "a",
      () => Promise.resolve({ value: { list: [{ n: 1 }] }, bytes: 1 }),
    );
    assert.throws(() => {
      (value!.list as { n: number }[]).push({ n: 2 });
    }, TypeError);
    assert.throws(() => {
      value!.list[0]!.n = 3;
    }, TypeError);
  });
});

Deno.test("deepFreeze leaves typed arrays writable and skips arrays of plain values", () => {
  const o = { a: new Float64Array(2), b: [1, 2, 3], c: { d: [{ e: 1 }] } };
  deepFreeze(o);
  o.a[0] = 5;
  assert.equal(o.a[0], 5);
  assert.ok(Object.isFrozen(o.b) && Object.isFrozen(o.c.d[0]));
});
