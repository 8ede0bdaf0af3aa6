import assert from "node:assert/strict";
import { TEST_PASSWORD_COST } from "../../../domain/auth/hashing.ts";
import {
  authenticateApiKey,
  authenticateTenant,
  authenticateUser,
  createApiKey,
  createTenant,
  createUser,
  ensureLocalTenant,
  getTenant,
  listApiKeys,
  normaliseUsername,
  revokeApiKey,
} from "../../../domain/auth/tenants.ts";
import { keys, openStore } from "../../../storage/mod.ts";

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const OPTIONS = { now: () => 1_700_000_000_000, passwordCost: TEST_PASSWORD_COST };
const PASSWORD = "a long enough password";

async function withKv(fn: (kv: Deno.Kv) => Promise<void>): Promise<void> {
  const kv = await openStore(":memory:");
  try {
    await fn(kv);
  } finally {
    kv.close();
  }
}

async function countEntries(kv: Deno.Kv, prefix: Deno.KvKey): Promise<number> {
  let n = 0;
  for await (const _ of kv.list({ prefix })) n++;
  return n;
}

Deno.test("createTenant issues a UUID v4 api id and a 64-character secret stored as a digest", () =>
  withKv(async (kv) => {
    const tenant = await createTenant(kv, { name: "  Acme  " }, OPTIONS);
    assert.match(tenant.customerApiId, UUID_V4);
    assert.match(tenant.secret, /^[0-9a-f]{64}$/);
    assert.equal(tenant.name, "Acme");
    assert.equal(tenant.user, null);
    const record = await getTenant(kv, tenant.tenantId);
    assert.ok(record);
    assert.equal(record.customerApiId, tenant.customerApiId);
    assert.notEqual(record.secretDigest, tenant.secret);
    assert.ok(!JSON.stringify(record).includes(tenant.secret));
    assert.equal(record.local, false);
    assert.equal(record.createdAt, OPTIONS.now());
  }));

Deno.test("createTenant refuses an empty or over-long name", () =>
  withKv(async (kv) => {
    await assert.rejects(createTenant(kv, { name: "   " }, OPTIONS), RangeError);
    await assert.rejects(createTenant(kv, { name: "x".repeat(201) }, OPTIONS), RangeError);
    assert.equal(await countEntries(kv, ["tenant"]), 0);
  }));

Deno.test("authenticateTenant accepts only the tenant's own secret", () =>
  withKv(async (kv) => {
    const a = await createTenant(kv, { name: "A" }, OPTIONS);
    const b = await createTenant(kv, { name: "B" }, OPTIONS);
    assert.equal((await authenticateTenant(kv, a))?.tenantId, a.tenantId);
    assert.equal(
      (await authenticateTenant(kv, {
        customerApiId: a.customerApiId.toUpperCase(),
        secret: a.secret,
      }))
        ?.tenantId,
      a.tenantId,
    );
    assert.equal(
      await authenticateTenant(kv, { customerApiId: a.customerApiId, secret: b.secret }),
      null,
    );
    assert.equal(
      await authenticateTenant(kv, { customerApiId: crypto.randomUUID(), secret: a.secret }),
      null,
    );
    assert.equal(
      await authenticateTenant(kv, { customerApiId: a.customerApiId, secret: a.secret.slice(1) }),
      null,
    );
    assert.equal(
      await authenticateTenant(kv, { customerApiId: "not-a-uuid", secret: a.secret }),
      null,
    );
  }));

Deno.test("createTenant with a first user creates both, and the user can log in", () =>
  withKv(async (kv) => {
    const tenant = await createTenant(kv, {
      name: "Acme",
      user: { username: "Ann@Example.com", password: PASSWORD },
    }, OPTIONS);
    assert.equal(tenant.user?.username, "Ann@Example.com");
    const user = await authenticateUser(
      kv,
      { username: "ann@example.com", password: PASSWORD },
      OPTIONS,
    );
    assert.deepEqual(user, tenant.user);
    assert.equal(user?.tenantId, tenant.tenantId);
  }));

Deno.test("createTenant with a taken username fails and leaves nothing behind", () =>
  withKv(async (kv) => {
    await createTenant(kv, { name: "A", user: { username: "ann", password: PASSWORD } }, OPTIONS);
    await assert.rejects(
      createTenant(kv, { name: "B", user: { username: "ANN", password: PASSWORD } }, OPTIONS),
      Deno.errors.AlreadyExists,
    );
    assert.equal(await countEntries(kv, ["tenant"]), 1);
    assert.equal(await countEntries(kv, ["tenant_by_api_id"]), 1);
  }));

Deno.test("createUser makes usernames unique across tenants regardless of case", () =>
  withKv(async (kv) => {
    const a = await createTenant(kv, { name: "A" }, OPTIONS);
    const b = await createTenant(kv, { name: "B" }, OPTIONS);
    await createUser(kv, { tenantId: a.tenantId, username: "bob", password: PASSWORD }, OPTIONS);
    await assert.rejects(
      createUser(kv, { tenantId: b.tenantId, username: "BOB", password: PASSWORD }, OPTIONS),
      Deno.errors.AlreadyExists,
    );
  }));

Deno.test("createUser lets exactly one of many concurrent creations of a username win", () =>
  withKv(async (kv) => {
    const tenants = await Promise.all(
      Array.from({ length: 4 }, (_, i) => createTenant(kv, { name: `T${i}` }, OPTIONS)),
    );
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) =>
        createUser(kv, {
          tenantId: tenants[i % 4]!.tenantId,
          username: "carol",
          password: PASSWORD,
        }, OPTIONS)),
    );
    assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
    for (const r of results) {
      if (r.status === "rejected") assert.ok(r.reason instanceof Deno.errors.AlreadyExists);
    }
    assert.equal(await countEntries(kv, ["user_by_name"]), 1);
  }));

Deno.test("createUser refuses an unknown tenant, a bad username and a short password", () =>
  withKv(async (kv) => {
    const t = await createTenant(kv, { name: "A" }, OPTIONS);
    await assert.rejects(
      createUser(kv, { tenantId: "nope", username: "dan", password: PASSWORD }, OPTIONS),
      Deno.errors.NotFound,
    );
    for (const username of ["", "has space", "tab\there", "x".repeat(255)]) {
      await assert.rejects(
        createUser(kv, { tenantId: t.tenantId, username, password: PASSWORD }, OPTIONS),
        RangeError,
        username,
      );
    }
    await assert.rejects(
      createUser(kv, { tenantId: t.tenantId, username: "dan", password: "short" }, OPTIONS),
      RangeError,
    );
    assert.equal(await countEntries(kv, ["user_by_name"]), 0);
  }));

Deno.test("authenticateUser answers null for a wrong password and an unknown user alike", () =>
  withKv(async (kv) => {
    const t = await createTenant(kv, { name: "A" }, OPTIONS);
    await createUser(kv, { tenantId: t.tenantId, username: "erin", password: PASSWORD }, OPTIONS);
    assert.equal(
      await authenticateUser(kv, { username: "erin", password: "wrong" }, OPTIONS),
      null,
    );
    assert.equal(
      await authenticateUser(kv, { username: "frank", password: PASSWORD }, OPTIONS),
      null,
    );
    assert.equal(await authenticateUser(kv, { username: "", password: PASSWORD }, OPTIONS), null);
    assert.equal(
      (await authenticateUser(kv, { username: "erin", password: PASSWORD }, OPTIONS))?.username,
      "erin",
    );
  }));

Deno.test("normaliseUsername folds case and compatibility forms and refuses white space", () => {
  assert.equal(normaliseUsername("Ann@Example.COM"), "ann@example.com");
  assert.equal(normaliseUsername("\uff21nn"), "ann");
  assert.equal(normaliseUsername("a b"), null);
  assert.equal(normaliseUsername("a\u200bb"), null);
  assert.equal(normaliseUsername(""), null);
});

Deno.test("createApiKey issues a key that authenticates its tenant and is stored as a digest", () =>
  withKv(async (kv) => {
    const t = await createTenant(kv, { name: "A" }, OPTIONS);
    const key = await createApiKey(kv, t.tenantId, { ...OPTIONS, name: "ci" });
    assert.match(key.apiKey, /^sk_live_[A-Za-z0-9_-]{43}$/);
    const record = await authenticateApiKey(kv, key.apiKey);
    assert.deepEqual(record, {
      tenantId: t.tenantId,
      keyId: key.keyId,
      name: "ci",
      createdAt: OPTIONS.now(),
      revokedAt: null,
    });
    const pointer = await kv.get<string>(keys.tenantApiKey(t.tenantId, key.keyId));
    assert.match(pointer.value!, /^[0-9a-f]{64}$/);
    const last = key.apiKey.at(-1) === "A" ? "B" : "A";
    assert.equal(await authenticateApiKey(kv, key.apiKey.slice(0, -1) + last), null);
    assert.equal(await authenticateApiKey(kv, "garbage"), null);
  }));

Deno.test("createApiKey refuses an unknown tenant", () =>
  withKv(async (kv) => {
    await assert.rejects(createApiKey(kv, "nope", OPTIONS), Deno.errors.NotFound);
  }));

Deno.test("revokeApiKey stops the key, is idempotent and stays within the tenant", () =>
  withKv(async (kv) => {
    const a = await createTenant(kv, { name: "A" }, OPTIONS);
    const b = await createTenant(kv, { name: "B" }, OPTIONS);
    const key = await createApiKey(kv, a.tenantId, OPTIONS);
    const other = await createApiKey(kv, a.tenantId, OPTIONS);
    await assert.rejects(
      revokeApiKey(kv, { tenantId: b.tenantId, keyId: key.keyId }, OPTIONS),
      Deno.errors.NotFound,
    );
    assert.ok(await authenticateApiKey(kv, key.apiKey));
    const revoked = await revokeApiKey(kv, { tenantId: a.tenantId, keyId: key.keyId }, OPTIONS);
    assert.equal(revoked.revokedAt, OPTIONS.now());
    assert.equal(await authenticateApiKey(kv, key.apiKey), null);
    assert.ok(await authenticateApiKey(kv, other.apiKey));
    const again = await revokeApiKey(kv, { tenantId: a.tenantId, keyId: key.keyId }, {
      now: () => OPTIONS.now() + 1000,
    });
    assert.equal(again.revokedAt, OPTIONS.now());
  }));

Deno.test("listApiKeys lists a tenant's keys, revoked ones included, and no other tenant's", () =>
  withKv(async (kv) => {
    const a = await createTenant(kv, { name: "A" }, OPTIONS);
    const b = await createTenant(kv, { name: "B" }, OPTIONS);
    let clock = 0;
    const made = [];
    for (let i = 0; i < 13; i++) {
      made.push(await createApiKey(kv, a.tenantId, { now: () => ++clock, name: `k${i}` }));
    }
    await createApiKey(kv, b.tenantId, OPTIONS);
    await revokeApiKey(kv, { tenantId: a.tenantId, keyId: made[3]!.keyId }, OPTIONS);
    const listed = await listApiKeys(kv, a.tenantId);
    assert.deepEqual(listed.map((k) => k.name), made.map((k) => k.name));
    assert.equal(listed.filter((k) => k.revokedAt !== null).length, 1);
    assert.ok(listed.every((k) => k.tenantId === a.tenantId));
  }));

Deno.test("ensureLocalTenant creates one local tenant however many start at once", () =>
  withKv(async (kv) => {
    // Every call reads "no local tenant" before any commits, so all but one lose the check.
    const ids = await Promise.all(Array.from({ length: 10 }, () => ensureLocalTenant(kv, OPTIONS)));
    assert.equal(new Set(ids).size, 1);
    assert.equal(await countEntries(kv, ["tenant"]), 1);
    assert.equal(await countEntries(kv, ["tenant_by_api_id"]), 1);
    assert.equal((await getTenant(kv, ids[0]!))?.local, true);
  }));

Deno.test("ensureLocalTenant returns the same tenant after a restart", async () => {
  const path = await Deno.makeTempFile({ suffix: ".sqlite3" });
  try {
    const first = await openStore(path);
    const id = await ensureLocalTenant(first, OPTIONS);
    first.close();
    const second = await openStore(path);
    try {
      assert.equal(await ensureLocalTenant(second, OPTIONS), id);
      assert.equal(await countEntries(second, ["tenant"]), 1);
    } finally {
      second.close();
    }
  } finally {
    await Deno.remove(path);
  }
});
