import assert from "node:assert/strict";
import { createApp } from "../../routes/mod.ts";
import { isTransient, retryingKv, StoreUnavailable, withRetry } from "../../storage/mod.ts";

const LOCKED = () => new TypeError("database is locked");

/** A real in-memory store whose chosen methods fail with SQLite's lock error `failures` times. */
async function lockedKv(failures: number, methods = ["get", "commit", "list"]) {
  const kv = await Deno.openKv(":memory:");
  const left = { n: failures };
  const fail = <T>(run: () => T): T => {
    if (left.n > 0) {
      left.n--;
      throw LOCKED();
    }
    return run();
  };
  const flaky = new Proxy(kv, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (prop === "atomic" && methods.includes("commit")) {
        return () => {
          const op = target.atomic();
          const commit = op.commit.bind(op);
          op.commit = () => Promise.resolve().then(() => fail(commit));
          return op;
        };
      }
      if (prop === "list" && methods.includes("list")) {
        return (...args: Parameters<Deno.Kv["list"]>) => {
          const it = target.list(...args);
          const next = it.next.bind(it);
          it.next = () => Promise.resolve().then(() => fail(next));
          return it;
        };
      }
      if (typeof prop === "string" && methods.includes(prop) && typeof value === "function") {
        return (...args: unknown[]) =>
          Promise.resolve().then(() => fail(() => value.apply(target, args)));
      }
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { kv, flaky, left };
}

Deno.test("isTransient: SQLite's lock and busy errors only", () => {
  assert.equal(isTransient(LOCKED()), true);
  assert.equal(isTransient(new Error("database is busy")), true);
  assert.equal(isTransient(new TypeError("value too large (max 65536 bytes)")), false);
  assert.equal(isTransient(new StoreUnavailable("gave up")), false);
  assert.equal(isTransient("database is locked"), false);
});

Deno.test("withRetry: succeeds after transient failures, passes other errors at once", async () => {
  let calls = 0;
  const value = await withRetry(() => {
    calls++;
    return calls < 4 ? Promise.reject(LOCKED()) : Promise.resolve("ok");
  }, { baseMs: 1 });
  assert.equal(value, "ok");
  assert.equal(calls, 4);

  calls = 0;
  await assert.rejects(
    withRetry(() => {
      calls++;
      return Promise.reject(new RangeError("bad key"));
    }),
    RangeError,
  );
  assert.equal(calls, 1);
});

Deno.test("withRetry: gives up after the bounded tries with StoreUnavailable", async () => {
  let calls = 0;
  const started = performance.now();
  const error = await withRetry(() => {
    calls++;
    return Promise.reject(LOCKED());
  }, { attempts: 6, baseMs: 2, maxMs: 10 }).catch((e) => e);
  assert.ok(error instanceof StoreUnavailable);
  assert.ok(error.cause instanceof TypeError);
  assert.equal(calls, 6);
  assert.ok(performance.now() - started < 1000);
});

Deno.test("retryingKv: get, atomic commits and list pages survive lock errors", async () => {
  const { kv, flaky, left } = await lockedKv(3);
  using _ = { [Symbol.dispose]: () => kv.close() };
  const store = retryingKv(flaky, { baseMs: 1 });
  assert.ok(store instanceof Deno.Kv);

  const res = await store.atomic().check({ key: ["a"], versionstamp: null }).set(["a"], 1).commit();
  assert.equal(res.ok, true);
  left.n = 3;
  assert.equal((await store.get(["a"])).value, 1);

  for (let i = 0; i < 5; i++) await kv.set(["l", i], i);
  left.n = 2;
  const seen: number[] = [];
  for await (const e of store.list<number>({ prefix: ["l"] }, { limit: 4 })) {
    seen.push(e.value);
    if (seen.length === 2) left.n = 2; // fail mid-iteration: resumes after the last entry
  }
  assert.deepEqual(seen, [0, 1, 2, 3]);
});

Deno.test("a store that stays locked answers 503 store_unavailable with Retry-After, never 500", async () => {
  const { kv, flaky } = await lockedKv(Number.POSITIVE_INFINITY, ["get", "commit"]);
  using _ = { [Symbol.dispose]: () => kv.close() };
  const app = createApp({
    compute: { info: { name: "cpu", description: "test" } },
    kv: retryingKv(flaky, { attempts: 3, baseMs: 1 }),
    logger: () => {},
  });
  app.get("/api/things", (c) => c.json({ ok: true }));
  const res = await app.request("/api/things");
  assert.equal(res.status, 503);
  assert.equal(res.headers.get("Retry-After"), "1");
  const body = await res.json();
  assert.equal(body.code, "STORE_UNAVAILABLE");
  assert.equal(body.status, 503);
  assert.equal(body.details.retry_after_seconds, 1);
  assert.equal(typeof body.request_id, "string");
});
