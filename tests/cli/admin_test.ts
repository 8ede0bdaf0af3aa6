import assert from "node:assert/strict";
import { main } from "../../cli/admin.ts";
import { TEST_PASSWORD_COST } from "../../domain/auth/hashing.ts";
import {
  authenticateApiKey,
  authenticateTenant,
  authenticateUser,
} from "../../domain/auth/tenants.ts";
import { openStore } from "../../storage/mod.ts";

const PASSWORD = "a long enough password";

/** Runs the admin command in-process on `kv`, with console output captured. */
async function run(
  kv: Deno.Kv,
  args: string[],
  stdin?: string,
): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log, error = console.error;
  console.log = (...a: unknown[]) => out.push(a.join(" "));
  console.error = (...a: unknown[]) => err.push(a.join(" "));
  try {
    const code = await main(args, {
      kv,
      passwordCost: TEST_PASSWORD_COST,
      now: () => 1_700_000_000_000,
      stdin: stdin === undefined
        ? undefined
        : ReadableStream.from([new TextEncoder().encode(stdin)]),
    });
    return { code, out: out.join("\n"), err: err.join("\n") };
  } finally {
    console.log = log;
    console.error = error;
  }
}

async function withKv(fn: (kv: Deno.Kv) => Promise<void>): Promise<void> {
  const kv = await openStore(":memory:");
  try {
    await fn(kv);
  } finally {
    kv.close();
  }
}

Deno.test("admin tenant create prints working credentials once", () =>
  withKv(async (kv) => {
    const { code, out } = await run(kv, [
      "tenant",
      "create",
      "--name",
      "Acme",
      "--username",
      "ann",
      "--password",
      PASSWORD,
    ]);
    assert.equal(code, 0);
    const created = JSON.parse(out);
    assert.deepEqual(Object.keys(created).sort(), [
      "api_key",
      "api_key_id",
      "customer_api_id",
      "name",
      "secret",
      "tenant_id",
      "user_id",
      "username",
    ]);
    assert.equal(created.username, "ann");
    assert.equal(
      (await authenticateTenant(kv, {
        customerApiId: created.customer_api_id,
        secret: created.secret,
      }))?.tenantId,
      created.tenant_id,
    );
    assert.equal((await authenticateApiKey(kv, created.api_key))?.tenantId, created.tenant_id);
    const user = await authenticateUser(kv, { username: "ann", password: PASSWORD }, {
      passwordCost: TEST_PASSWORD_COST,
    });
    assert.equal(user?.tenantId, created.tenant_id);
  }));

Deno.test("admin tenant create without a user prints null for the user", () =>
  withKv(async (kv) => {
    const { code, out } = await run(kv, ["tenant", "create", "--name", "Solo"]);
    assert.equal(code, 0);
    const created = JSON.parse(out);
    assert.equal(created.username, null);
    assert.match(created.secret, /^[0-9a-f]{64}$/);
  }));

Deno.test("admin user create adds a user and refuses a taken name with exit 1", () =>
  withKv(async (kv) => {
    const tenant = JSON.parse((await run(kv, ["tenant", "create", "--name", "A"])).out);
    const args = ["user", "create", "--tenant", tenant.tenant_id, "--username", "bob"];
    const made = await run(kv, [...args, "--password", PASSWORD]);
    assert.equal(made.code, 0);
    assert.equal(JSON.parse(made.out).username, "bob");
    const again = await run(kv, [...args, "--password", PASSWORD]);
    assert.equal(again.code, 1);
    assert.match(again.err, /already taken/);
    const unknown = await run(kv, [
      "user",
      "create",
      "--tenant",
      "nope",
      "--username",
      "c",
      "--password",
      PASSWORD,
    ]);
    assert.equal(unknown.code, 1);
  }));

Deno.test("admin user create reads the password from standard input with --password -", () =>
  withKv(async (kv) => {
    const tenant = JSON.parse((await run(kv, ["tenant", "create", "--name", "A"])).out);
    const made = await run(
      kv,
      ["user", "create", "--tenant", tenant.tenant_id, "--username", "cat", "--password", "-"],
      `${PASSWORD}\nignored\n`,
    );
    assert.equal(made.code, 0);
    const user = await authenticateUser(kv, { username: "cat", password: PASSWORD }, {
      passwordCost: TEST_PASSWORD_COST,
    });
    assert.ok(user);
  }));

Deno.test("admin user create refuses a short password with exit 2", () =>
  withKv(async (kv) => {
    const tenant = JSON.parse((await run(kv, ["tenant", "create", "--name", "A"])).out);
    const res = await run(kv, [
      "user",
      "create",
      "--tenant",
      tenant.tenant_id,
      "--username",
      "dan",
      "--password",
      "short",
    ]);
    assert.equal(res.code, 2);
    assert.match(res.err, /at least 12 characters/);
  }));

Deno.test("admin apikey create, list and revoke manage a tenant's keys", () =>
  withKv(async (kv) => {
    const tenant = JSON.parse((await run(kv, ["tenant", "create", "--name", "A"])).out);
    const made = await run(kv, ["apikey", "create", "--tenant", tenant.tenant_id, "--name", "ci"]);
    assert.equal(made.code, 0);
    const key = JSON.parse(made.out);
    assert.match(key.api_key, /^sk_live_/);
    assert.ok(await authenticateApiKey(kv, key.api_key));
    const revoked = await run(kv, [
      "apikey",
      "revoke",
      "--tenant",
      tenant.tenant_id,
      "--key-id",
      key.key_id,
    ]);
    assert.equal(revoked.code, 0);
    assert.equal(JSON.parse(revoked.out).revoked_at, "2023-11-14T22:13:20.000Z");
    assert.equal(await authenticateApiKey(kv, key.api_key), null);
    const listed = JSON.parse(
      (await run(kv, ["apikey", "list", "--tenant", tenant.tenant_id])).out,
    );
    assert.deepEqual(listed.map((k: { name: string }) => k.name).sort(), ["admin", "ci"]);
    const unknownKey = await run(kv, [
      "apikey",
      "revoke",
      "--tenant",
      tenant.tenant_id,
      "--key-id",
      "nope",
    ]);
    assert.equal(unknownKey.code, 1);
    assert.equal((await run(kv, ["apikey", "list", "--tenant", "nope"])).code, 1);
  }));

Deno.test("admin answers bad commands and flags with the usage and exit 2", () =>
  withKv(async (kv) => {
    const cases = [
      [],
      ["tenant"],
      ["tenant", "delete", "--name", "A"],
      ["tenant", "create"],
      ["tenant", "create", "--name", "A", "--username", "ann"],
      ["tenant", "create", "--name", "A", "--bogus"],
      ["tenant", "create", "--name", "A", "--tenant", "x"],
      ["apikey", "revoke", "--tenant", "x"],
      ["user", "create", "--tenant", "x", "--username", "u"],
    ];
    for (const args of cases) {
      const res = await run(kv, args);
      assert.equal(res.code, 2, args.join(" "));
      assert.match(res.err, /Usage: deno task admin/, args.join(" "));
      assert.equal(res.out, "");
    }
    const help = await run(kv, ["--help"]);
    assert.equal(help.code, 0);
    assert.match(help.out, /tenant create/);
  }));

Deno.test("admin opens KV_PATH when no store is given", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/nested/kv.sqlite3`;
  const before = Deno.env.get("KV_PATH");
  Deno.env.set("KV_PATH", path);
  const log = console.log;
  const out: string[] = [];
  console.log = (...a: unknown[]) => out.push(a.join(" "));
  try {
    assert.equal(await main(["tenant", "create", "--name", "FromEnv"]), 0);
  } finally {
    console.log = log;
    if (before === undefined) Deno.env.delete("KV_PATH");
    else Deno.env.set("KV_PATH", before);
  }
  const created = JSON.parse(out.join("\n"));
  const kv = await openStore(path);
  try {
    assert.ok(
      await authenticateTenant(kv, {
        customerApiId: created.customer_api_id,
        secret: created.secret,
      }),
    );
  } finally {
    kv.close();
    await Deno.remove(dir, { recursive: true });
  }
});
