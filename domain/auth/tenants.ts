/**
 * Tenants, their users and their API keys: creation, revocation and the credential lookups that
 * the authentication middleware and the login route call. Secrets are returned once, at
 * creation, and stored only as digests: a tenant secret and an API key as SHA-256 (they carry
 * 256 bits of entropy), a password as argon2id. Every write goes through `atomic(kv)`, and the
 * global indexes (`tenant_by_api_id`, `user_by_name`, `apikey`) are created with a
 * `versionstamp: null` check, so that two concurrent creations cannot both win.
 *
 * Errors: `RangeError` for a malformed name, username or password; `Deno.errors.NotFound` for
 * an unknown tenant or key; `Deno.errors.AlreadyExists` for a username that is taken.
 *
 * @module
 */
import { atomic, type GuardedAtomic, keys } from "../../storage/mod.ts";
import {
  checkPasswordLength,
  DEFAULT_PASSWORD_COST,
  digestsEqual,
  hashPassword,
  type PasswordCost,
  randomHex,
  randomToken,
  sha256Hex,
  verifyDummyPassword,
  verifyPassword,
} from "./hashing.ts";

/** A tenant as stored at `["tenant", tenantId]`. */
export interface TenantRecord {
  readonly tenantId: string;
  /** UUID v4, sent by clients as `X-Customer-Api-Id`; lowercase. */
  readonly customerApiId: string;
  readonly name: string;
  /** SHA-256 (hex) of the 64-character secret sent as `X-Secret`. */
  readonly secretDigest: string;
  /** Epoch ms. */
  readonly createdAt: number;
  /** True for the open mode's local tenant. */
  readonly local: boolean;
}

/** A user as stored at `["t", tenantId, "user", userId]`. */
export interface UserRecord {
  readonly tenantId: string;
  readonly userId: string;
  /** As given at creation (NFKC normalised); unique regardless of case. */
  readonly username: string;
  /** argon2id PHC string. */
  readonly passwordHash: string;
  /** Epoch ms. */
  readonly createdAt: number;
}

/** What callers may see of a user: everything but the password hash. */
export interface UserSummary {
  readonly tenantId: string;
  readonly userId: string;
  readonly username: string;
}

/** An API key as stored at `["apikey", sha256(key)]`. */
export interface ApiKeyRecord {
  readonly tenantId: string;
  readonly keyId: string;
  readonly name: string;
  /** Epoch ms. */
  readonly createdAt: number;
  /** Epoch ms, or null while the key works. */
  readonly revokedAt: number | null;
}

/** A tenant just created, with its secret: the only time the secret is known. */
export interface NewTenant {
  readonly tenantId: string;
  readonly customerApiId: string;
  readonly name: string;
  /** 64 lowercase hex characters; not stored. */
  readonly secret: string;
  /** The first user, when one was asked for. */
  readonly user: UserSummary | null;
}

/** An API key just created: the only time the key itself is known. */
export interface NewApiKey {
  readonly tenantId: string;
  readonly keyId: string;
  readonly name: string;
  /** `sk_live_` and 43 base64url characters; not stored. */
  readonly apiKey: string;
  readonly createdAt: number;
}

/** Options of the functions that write. */
export interface TenantOptions {
  /** Epoch ms; the only clock read. */
  now: () => number;
  /** argon2id cost for new passwords (default `DEFAULT_PASSWORD_COST`). */
  passwordCost?: PasswordCost;
}

/** Usernames are unique across tenants; at most this long (an e-mail address fits). */
export const MAX_USERNAME_LENGTH = 254;
/** The shortest password accepted at creation (not at login: old passwords keep working). */
export const MIN_PASSWORD_LENGTH = 12;
/** Prefix of every API key, so that leaked keys are recognisable by secret scanners. */
export const API_KEY_PREFIX = "sk_live_";

const API_KEY_LENGTH = API_KEY_PREFIX.length + 43;
const SECRET_LENGTH = 64;
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
// Compared against when the customer api id is unknown, so that the miss costs a comparison too.
const DUMMY_DIGEST = "0".repeat(64);

/**
 * Creates a tenant with a new `customer_api_id` (UUID v4) and a 64-character secret, and, when
 * `input.user` is given, its first user, all in one atomic operation: either everything exists
 * afterwards or nothing does.
 *
 * @throws {RangeError} for an empty or over-long name, or a bad username or password.
 * @throws {Deno.errors.AlreadyExists} when the username is taken.
 *
 * @example
 * ```ts
 * import { openStore } from "../../storage/mod.ts";
 * import { TEST_PASSWORD_COST } from "./hashing.ts";
 * import { authenticateTenant, createTenant } from "./tenants.ts";
 * const kv = await openStore(":memory:");
 * const tenant = await createTenant(kv, { name: "Acme" }, { now: () => 0 });
 * const found = await authenticateTenant(kv, tenant);
 * console.assert(found?.tenantId === tenant.tenantId);
 * kv.close();
 * ```
 */
export async function createTenant(
  kv: Deno.Kv,
  input: { name: string; user?: { username: string; password: string } },
  options: TenantOptions,
): Promise<NewTenant> {
  const { record, secret } = await draftTenant(input.name, options.now(), false);
  const op = atomic(kv)
    .check({ key: keys.tenant(record.tenantId), versionstamp: null })
    .check({ key: keys.tenantByApiId(record.customerApiId), versionstamp: null })
    .set(keys.tenant(record.tenantId), record)
    .set(keys.tenantByApiId(record.customerApiId), record.tenantId);
  let user: UserRecord | null = null;
  if (input.user) {
    user = await draftUser(record.tenantId, input.user, options);
    addUser(op, user);
  }
  const res = await op.commit();
  if (!res.ok) {
    if (user) await throwIfTaken(kv, user.username);
    throw new Error("Creating the tenant lost a race on freshly generated ids; retry");
  }
  return {
    tenantId: record.tenantId,
    customerApiId: record.customerApiId,
    name: record.name,
    secret,
    user: user && summary(user),
  };
}

/** The tenant stored under `tenantId`, or null. */
export async function getTenant(kv: Deno.Kv, tenantId: string): Promise<TenantRecord | null> {
  return (await kv.get<TenantRecord>(keys.tenant(tenantId))).value;
}

/**
 * The tenant whose `customer_api_id` and secret these are (the `X-Customer-Api-Id` and
 * `X-Secret` headers), or null. The secret's digest is compared in constant time; an unknown id
 * costs the same digest and comparison, and a malformed id or secret is refused before either.
 * The id is matched case-insensitively.
 */
export async function authenticateTenant(
  kv: Deno.Kv,
  credentials: { customerApiId: string; secret: string },
): Promise<TenantRecord | null> {
  const customerApiId = credentials.customerApiId.toLowerCase();
  if (!UUID_V4.test(customerApiId) || credentials.secret.length !== SECRET_LENGTH) return null;
  const digest = await sha256Hex(credentials.secret);
  const pointer = await kv.get<string>(keys.tenantByApiId(customerApiId));
  const tenant = pointer.value === null ? null : await getTenant(kv, pointer.value);
  const matches = digestsEqual(digest, tenant?.secretDigest ?? DUMMY_DIGEST);
  return tenant && matches ? tenant : null;
}

/**
 * Creates a user of tenant `input.tenantId`. The username is unique across all tenants, without
 * regard to case (`Ann@x.io` and `ann@x.io` are one name): `["user_by_name", normalised]` is
 * created with a `versionstamp: null` check.
 *
 * @throws {RangeError} for a username that is empty, longer than 254 characters or contains
 * white space or control characters, or a password shorter than 12 or longer than 1024.
 * @throws {Deno.errors.NotFound} when the tenant does not exist.
 * @throws {Deno.errors.AlreadyExists} when the username is taken.
 */
export async function createUser(
  kv: Deno.Kv,
  input: { tenantId: string; username: string; password: string },
  options: TenantOptions,
): Promise<UserSummary> {
  const user = await draftUser(input.tenantId, input, options);
  // Retried only when the tenant entry changed under us; a taken name ends it at once.
  for (let attempt = 0; attempt < 5; attempt++) {
    const tenant = await kv.get<TenantRecord>(keys.tenant(input.tenantId));
    if (tenant.value === null) throw new Deno.errors.NotFound(`No tenant ${input.tenantId}`);
    const op = atomic(kv).check(tenant);
    addUser(op, user);
    if ((await op.commit()).ok) return summary(user);
    await throwIfTaken(kv, user.username);
  }
  throw new Error(`Creating user ${user.username} kept losing races; retry`);
}

/** The user `userId` of tenant `tenantId`, or null. */
export async function getUser(
  kv: Deno.Kv,
  ref: { tenantId: string; userId: string },
): Promise<UserRecord | null> {
  return (await kv.get<UserRecord>(keys.user(ref.tenantId, ref.userId))).value;
}

/**
 * The user with this username (any case) and password, or null. An unknown username is verified
 * against a dummy hash at the same cost, so the answer takes as long either way and the caller
 * cannot tell which part was wrong.
 */
export async function authenticateUser(
  kv: Deno.Kv,
  credentials: { username: string; password: string },
  options: { passwordCost?: PasswordCost } = {},
): Promise<UserSummary | null> {
  const cost = options.passwordCost ?? DEFAULT_PASSWORD_COST;
  const name = normaliseUsername(credentials.username);
  const pointer = name === null
    ? null
    : (await kv.get<{ tenantId: string; userId: string }>(keys.userByName(name))).value;
  const user = pointer && await getUser(kv, pointer);
  if (!user) {
    await verifyDummyPassword(credentials.password, cost);
    return null;
  }
  return await verifyPassword(credentials.password, user.passwordHash) ? summary(user) : null;
}

/**
 * Creates an API key for tenant `tenantId`: `sk_live_` followed by 32 random bytes in base64url.
 * Stored only as its SHA-256, with a pointer under the tenant for listing and revocation.
 *
 * @throws {Deno.errors.NotFound} when the tenant does not exist.
 * @throws {RangeError} when `options.name` is longer than 200 characters.
 */
export async function createApiKey(
  kv: Deno.Kv,
  tenantId: string,
  options: TenantOptions & { name?: string },
): Promise<NewApiKey> {
  const name = (options.name ?? "").trim();
  if (name.length > 200) {
    throw new RangeError(`Expected a key name of at most 200 characters but found ${name.length}`);
  }
  const apiKey = API_KEY_PREFIX + randomToken(32);
  const digest = await sha256Hex(apiKey);
  const record: ApiKeyRecord = {
    tenantId,
    keyId: crypto.randomUUID(),
    name,
    createdAt: options.now(),
    revokedAt: null,
  };
  for (let attempt = 0; attempt < 5; attempt++) {
    const tenant = await kv.get<TenantRecord>(keys.tenant(tenantId));
    if (tenant.value === null) throw new Deno.errors.NotFound(`No tenant ${tenantId}`);
    const res = await atomic(kv)
      .check(tenant)
      .check({ key: keys.apiKey(digest), versionstamp: null })
      .set(keys.apiKey(digest), record)
      .set(keys.tenantApiKey(tenantId, record.keyId), digest)
      .commit();
    if (res.ok) return { tenantId, keyId: record.keyId, name, apiKey, createdAt: record.createdAt };
  }
  throw new Error(`Creating an API key for tenant ${tenantId} kept losing races; retry`);
}

/**
 * Revokes key `ref.keyId` of tenant `ref.tenantId`: from then on it authenticates nothing.
 * Revoking a revoked key changes nothing. Returns the key's record.
 *
 * @throws {Deno.errors.NotFound} when the tenant has no such key (another tenant's key id is
 * not found either).
 */
export async function revokeApiKey(
  kv: Deno.Kv,
  ref: { tenantId: string; keyId: string },
  options: { now: () => number },
): Promise<ApiKeyRecord> {
  const pointer = await kv.get<string>(keys.tenantApiKey(ref.tenantId, ref.keyId));
  if (pointer.value === null) {
    throw new Deno.errors.NotFound(`Tenant ${ref.tenantId} has no API key ${ref.keyId}`);
  }
  for (let attempt = 0; attempt < 5; attempt++) {
    const entry = await kv.get<ApiKeyRecord>(keys.apiKey(pointer.value));
    if (entry.value === null) {
      throw new Deno.errors.NotFound(`Tenant ${ref.tenantId} has no API key ${ref.keyId}`);
    }
    if (entry.value.revokedAt !== null) return entry.value;
    const revoked = { ...entry.value, revokedAt: options.now() };
    const res = await atomic(kv).check(entry).set(entry.key, revoked).commit();
    if (res.ok) return revoked;
  }
  throw new Error(`Revoking API key ${ref.keyId} kept losing races; retry`);
}

/** The API keys of tenant `tenantId`, revoked ones included, oldest first. */
export async function listApiKeys(kv: Deno.Kv, tenantId: string): Promise<ApiKeyRecord[]> {
  const digests: string[] = [];
  for await (const entry of kv.list<string>({ prefix: keys.tenantApiKeyPrefix(tenantId) })) {
    digests.push(entry.value);
  }
  const records: ApiKeyRecord[] = [];
  // getMany takes at most 10 keys.
  for (let i = 0; i < digests.length; i += 10) {
    const batch = await kv.getMany<ApiKeyRecord[]>(
      digests.slice(i, i + 10).map((digest) => keys.apiKey(digest)),
    );
    for (const entry of batch) if (entry.value) records.push(entry.value);
  }
  return records.sort((a, b) => a.createdAt - b.createdAt);
}

/**
 * The record of API key `apiKey` (the `X-API-Key` header) if it exists and is not revoked, else
 * null. The key is looked up by its SHA-256, so a timing difference in the lookup can only tell
 * about digests, which say nothing about other keys.
 */
export async function authenticateApiKey(
  kv: Deno.Kv,
  apiKey: string,
): Promise<ApiKeyRecord | null> {
  if (apiKey.length !== API_KEY_LENGTH || !apiKey.startsWith(API_KEY_PREFIX)) return null;
  const record = (await kv.get<ApiKeyRecord>(keys.apiKey(await sha256Hex(apiKey)))).value;
  return record && record.revokedAt === null ? record : null;
}

/**
 * The id of the open mode's local tenant, created on the first call. Idempotent and safe when
 * several processes start at once on one store: the `["local_tenant"]` pointer is created with a
 * `versionstamp: null` check, and a loser reads the winner's id. The local tenant's secret is
 * thrown away: it is reached only through open mode.
 */
export async function ensureLocalTenant(
  kv: Deno.Kv,
  options: { now: () => number },
): Promise<string> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const pointer = await kv.get<string>(keys.localTenant());
    if (pointer.value !== null) return pointer.value;
    const { record } = await draftTenant("Local", options.now(), true);
    const res = await atomic(kv)
      .check(pointer)
      .check({ key: keys.tenantByApiId(record.customerApiId), versionstamp: null })
      .set(keys.localTenant(), record.tenantId)
      .set(keys.tenant(record.tenantId), record)
      .set(keys.tenantByApiId(record.customerApiId), record.tenantId)
      .commit();
    if (res.ok) return record.tenantId;
  }
  throw new Error("Creating the local tenant kept losing races; retry");
}

/**
 * The form of `username` that uniqueness is decided on (NFKC, lower case), or null when it is
 * not a valid username: empty, longer than `MAX_USERNAME_LENGTH`, or containing white space or
 * control characters.
 */
export function normaliseUsername(username: string): string | null {
  const name = username.normalize("NFKC");
  if (name.length === 0 || name.length > MAX_USERNAME_LENGTH) return null;
  if (/[\s\p{Cc}\p{Cf}]/u.test(name)) return null;
  return name.toLowerCase();
}

async function draftTenant(
  name: string,
  now: number,
  local: boolean,
): Promise<{ record: TenantRecord; secret: string }> {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > 200) {
    throw new RangeError(
      `Expected a tenant name of 1 to 200 characters but found ${trimmed.length}`,
    );
  }
  const secret = randomHex(32);
  const record: TenantRecord = {
    tenantId: crypto.randomUUID(),
    customerApiId: crypto.randomUUID(),
    name: trimmed,
    secretDigest: await sha256Hex(secret),
    createdAt: now,
    local,
  };
  return { record, secret };
}

async function draftUser(
  tenantId: string,
  input: { username: string; password: string },
  options: TenantOptions,
): Promise<UserRecord> {
  if (normaliseUsername(input.username) === null) {
    throw new RangeError(
      `Expected a username of 1 to ${MAX_USERNAME_LENGTH} characters without spaces or control ` +
        `characters but found ${JSON.stringify(input.username.slice(0, 40))}`,
    );
  }
  if (input.password.length < MIN_PASSWORD_LENGTH) {
    throw new RangeError(
      `Expected a password of at least ${MIN_PASSWORD_LENGTH} characters but found ${input.password.length}`,
    );
  }
  checkPasswordLength(input.password);
  return {
    tenantId,
    userId: crypto.randomUUID(),
    username: input.username.normalize("NFKC"),
    passwordHash: await hashPassword(input.password, options.passwordCost),
    createdAt: options.now(),
  };
}

function addUser(op: GuardedAtomic, user: UserRecord): void {
  const nameKey = keys.userByName(normaliseUsername(user.username)!);
  op.check({ key: nameKey, versionstamp: null })
    .set(nameKey, { tenantId: user.tenantId, userId: user.userId })
    .set(keys.user(user.tenantId, user.userId), user);
}

async function throwIfTaken(kv: Deno.Kv, username: string): Promise<void> {
  const taken = await kv.get(keys.userByName(normaliseUsername(username)!));
  if (taken.versionstamp !== null) {
    throw new Deno.errors.AlreadyExists(`The username ${username} is already taken`);
  }
}

function summary(user: UserRecord): UserSummary {
  return { tenantId: user.tenantId, userId: user.userId, username: user.username };
}
