/**
 * `deno task admin`: creates tenants, users and API keys in the store named by `KV_PATH`
 * (default `./data/kv.sqlite3`). Prints JSON on standard output; secrets and keys appear there
 * once and are stored only as digests. Exits 2 on a bad command or flag (with the usage), 1 when
 * the store refuses (unknown tenant or key, username taken).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { DEFAULT_PASSWORD_COST, type PasswordCost } from "../domain/auth/mod.ts";
import {
  createApiKey,
  createTenant,
  createUser,
  getTenant,
  listApiKeys,
  revokeApiKey,
} from "../domain/auth/mod.ts";
import { openStore } from "../storage/mod.ts";

const USAGE = `Usage: deno task admin <command> [flags]

  tenant create --name NAME [--username U --password P]
      a tenant, an API key and optionally its first user; prints
      {tenant_id, customer_api_id, secret, username, user_id, api_key, api_key_id}
  user create --tenant ID --username U --password P
  apikey create --tenant ID [--name LABEL]
  apikey revoke --tenant ID --key-id KID
  apikey list --tenant ID

  --password -   reads the password from the first line of standard input
  --help         this text

The store is KV_PATH (default ./data/kv.sqlite3). Secrets, passwords and keys are printed
once and stored only as hashes.`;

/** Options of `main`, for tests. */
export interface AdminOptions {
  /** The store to use instead of opening `KV_PATH`; left open. */
  kv?: Deno.Kv;
  /** argon2id cost of new passwords (default `DEFAULT_PASSWORD_COST`). */
  passwordCost?: PasswordCost;
  /** Epoch ms (default `Date.now`). */
  now?: () => number;
  /** Where `--password -` reads from (default standard input). */
  stdin?: ReadableStream<Uint8Array>;
}

/**
 * Runs one admin command given `argv` (without the program name) and returns the exit code: 0
 * done, 1 refused by the store, 2 bad usage or a value out of range.
 */
export async function main(argv: string[], options: AdminOptions = {}): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        name: { type: "string" },
        username: { type: "string" },
        password: { type: "string" },
        tenant: { type: "string" },
        "key-id": { type: "string" },
        help: { type: "boolean", default: false },
      },
    });
  } catch (error) {
    return usageError((error as Error).message);
  }
  const flags = parsed.values;
  if (flags.help) {
    console.log(USAGE);
    return 0;
  }
  const command = parsed.positionals.join(" ");
  const required = REQUIRED[command];
  if (!required) {
    return usageError(command ? `Unknown command "${command}"` : "A command is required");
  }
  const given = Object.keys(flags).filter((flag) => flag !== "help");
  const allowed = [...required, ...(OPTIONAL[command] ?? [])];
  const stray = given.find((flag) => !allowed.includes(flag));
  if (stray) return usageError(`--${stray} does not apply to "${command}"`);
  const missing = required.find((flag) => flags[flag as keyof typeof flags] === undefined);
  if (missing) return usageError(`"${command}" needs --${missing}`);
  if ((flags.username === undefined) !== (flags.password === undefined)) {
    return usageError("--username and --password go together");
  }

  const kv = options.kv ?? await openStore(Deno.env.get("KV_PATH") || undefined);
  const deps = {
    now: options.now ?? Date.now,
    passwordCost: options.passwordCost ?? DEFAULT_PASSWORD_COST,
  };
  try {
    const password = flags.password === "-"
      ? await readLine(options.stdin ?? Deno.stdin.readable)
      : flags.password;
    const result = await run(kv, command, { ...flags, password }, deps);
    console.log(JSON.stringify(result, null, 2));
    return 0;
  } catch (error) {
    if (error instanceof RangeError) return fail(error.message, 2);
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.AlreadyExists) {
      return fail(error.message, 1);
    }
    throw error;
  } finally {
    if (!options.kv) kv.close();
  }
}

const REQUIRED: Record<string, string[]> = {
  "tenant create": ["name"],
  "user create": ["tenant", "username", "password"],
  "apikey create": ["tenant"],
  "apikey revoke": ["tenant", "key-id"],
  "apikey list": ["tenant"],
};

const OPTIONAL: Record<string, string[]> = {
  "tenant create": ["username", "password"],
  "apikey create": ["name"],
};

interface Flags {
  name?: string;
  username?: string;
  password?: string;
  tenant?: string;
  "key-id"?: string;
}

async function run(
  kv: Deno.Kv,
  command: string,
  flags: Flags,
  deps: { now: () => number; passwordCost: PasswordCost },
): Promise<unknown> {
  switch (command) {
    case "tenant create": {
      const user = flags.username === undefined
        ? undefined
        : { username: flags.username, password: flags.password! };
      const tenant = await createTenant(kv, { name: flags.name!, user }, deps);
      const key = await createApiKey(kv, tenant.tenantId, { ...deps, name: "admin" });
      return {
        tenant_id: tenant.tenantId,
        customer_api_id: tenant.customerApiId,
        secret: tenant.secret,
        name: tenant.name,
        username: tenant.user?.username ?? null,
        user_id: tenant.user?.userId ?? null,
        api_key: key.apiKey,
        api_key_id: key.keyId,
      };
    }
    case "user create": {
      const user = await createUser(kv, {
        tenantId: flags.tenant!,
        username: flags.username!,
        password: flags.password!,
      }, deps);
      return { tenant_id: user.tenantId, user_id: user.userId, username: user.username };
    }
    case "apikey create": {
      const key = await createApiKey(kv, flags.tenant!, { ...deps, name: flags.name });
      return { tenant_id: key.tenantId, key_id: key.keyId, name: key.name, api_key: key.apiKey };
    }
    case "apikey revoke": {
      const key = await revokeApiKey(
        kv,
        { tenantId: flags.tenant!, keyId: flags["key-id"]! },
        deps,
      );
      return {
        tenant_id: key.tenantId,
        key_id: key.keyId,
        revoked_at: new Date(key.revokedAt!).toISOString(),
      };
    }
    case "apikey list": {
      if (!await getTenant(kv, flags.tenant!)) {
        throw new Deno.errors.NotFound(`No tenant ${flags.tenant}`);
      }
      const listed = await listApiKeys(kv, flags.tenant!);
      return listed.map((key) => ({
        key_id: key.keyId,
        name: key.name,
        created_at: new Date(key.createdAt).toISOString(),
        revoked_at: key.revokedAt === null ? null : new Date(key.revokedAt).toISOString(),
      }));
    }
  }
  throw new Error(`Unhandled command ${command}`);
}

async function readLine(stream: ReadableStream<Uint8Array>): Promise<string> {
  let text = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    text += chunk;
    if (text.includes("\n")) break;
  }
  return text.split(/\r?\n/)[0]!;
}

function usageError(message: string): number {
  console.error(`error: ${message}\n\n${USAGE}`);
  return 2;
}

function fail(message: string, code: number): number {
  console.error(`error: ${message}`);
  return code;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
