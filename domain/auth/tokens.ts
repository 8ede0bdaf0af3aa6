/**
 * Access and refresh tokens of logged-in users.
 *
 * Access tokens are JWTs signed with HS256 (RFC 7519, RFC 8725's advice applied): the algorithm
 * is pinned by the server, never read from the token; `typ` is `at+jwt` (RFC 9068), so that no
 * other JWT signed with the same key passes; `iss`, `aud`, `sub`, `iat` and `exp` are required;
 * the life is at most 15 minutes; 60 seconds of clock skew are tolerated on `exp`, `nbf` and
 * `iat`. Claims: `sub` the user id, `tid` the tenant id, `sid` the session (refresh family) id,
 * which lets logout and reuse detection end the access tokens of the session too.
 *
 * Refresh tokens are 32 random bytes, stored only as SHA-256 under `["refresh", digest]` with
 * their family and expiry. Each use rotates: the presented token is marked used and a new one of
 * the same family is issued, in one atomic operation guarded by both entries' versionstamps.
 * Presenting a used token means that two parties hold the family (a theft, or a client that
 * retried a lost response): the whole family is revoked, and every token of it stops working.
 *
 * @module
 */
import { errors as joseErrors, jwtVerify, SignJWT } from "jose";
import { atomic, keys, StoreUnavailable } from "../../storage/mod.ts";
import { randomToken, sha256Hex } from "./hashing.ts";
import { getUser } from "./tenants.ts";

/** How access tokens are signed and checked. */
export interface JwtConfig {
  /** At least 32 bytes (UTF-8 for a string) of random data: RFC 7518 §3.2. */
  readonly secret: string | Uint8Array;
  /** The `iss` claim written and required. */
  readonly issuer: string;
  /** The `aud` claim written and required. */
  readonly audience: string;
  /** Access token life in seconds, 1 to 900 (default 900). */
  readonly accessTtlSeconds?: number;
}

/** Options of the access-token functions. */
export interface AccessOptions {
  jwt: JwtConfig;
  /** Epoch ms; the only clock read. */
  now: () => number;
}

/** Options of the refresh-token functions. */
export interface RefreshOptions {
  /** Epoch ms; the only clock read. */
  now: () => number;
  /** Refresh token life in seconds (60 to 366 days' worth); each rotation starts a new one. */
  refreshTtlSeconds: number;
}

/** Options of the functions that issue both kinds. */
export type TokenOptions = AccessOptions & RefreshOptions;

/** What `issueTokenPair` and `refreshTokenPair` return: the login response, in camelCase. */
export interface TokenPair {
  readonly accessToken: string;
  readonly tokenType: "Bearer";
  /** Seconds until the access token expires. */
  readonly expiresIn: number;
  readonly refreshToken: string;
  /** Epoch ms at which the refresh token expires. */
  readonly refreshExpiresAt: number;
  readonly tenantId: string;
  readonly userId: string;
  readonly sessionId: string;
}

/** The verified claims of an access token. */
export interface AccessClaims {
  readonly tenantId: string;
  readonly userId: string;
  /** The refresh family the token was issued with. */
  readonly sessionId: string;
  /** Epoch seconds. */
  readonly issuedAt: number;
  /** Epoch seconds. */
  readonly expiresAt: number;
}

/** A refresh token as stored at `["refresh", sha256(token)]`. */
export interface RefreshRecord {
  readonly familyId: string;
  readonly tenantId: string;
  readonly userId: string;
  /** Epoch ms. */
  readonly issuedAt: number;
  /** Epoch ms; checked on read (`expireIn` only collects garbage). */
  readonly expiresAt: number;
  /** Epoch ms of the rotation that used it, or null while it is the family's current token. */
  readonly usedAt: number | null;
}

/** A refresh family (a login session) as stored at `["refresh_family", familyId]`. */
export interface RefreshFamily {
  readonly tenantId: string;
  readonly userId: string;
  readonly revoked: boolean;
  /** Epoch ms. */
  readonly createdAt: number;
  /** Epoch ms: the expiry of the family's newest token. */
  readonly expiresAt: number;
}

/** Why a token was refused; `reused` means the family has just been revoked. */
export type InvalidTokenReason = "malformed" | "invalid" | "expired" | "revoked" | "reused";

/** A token that does not authenticate; routes answer 401. */
export class InvalidTokenError extends Error {
  override readonly name = "InvalidTokenError";
  constructor(readonly reason: InvalidTokenReason, message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** RFC 7518 §3.2: an HS256 key at least as long as the hash output. */
export const MIN_JWT_SECRET_BYTES = 32;
/** The longest and the default access token life. */
export const MAX_ACCESS_TTL_SECONDS = 900;
/** Clock skew tolerated between this service's instances and clients. */
export const CLOCK_TOLERANCE_SECONDS = 60;

const ALGORITHM = "HS256";
const TOKEN_TYPE = "at+jwt";
const MAX_REFRESH_TTL_SECONDS = 366 * 86_400;
// Entries outlive their expiry by this much before KV may collect them: expiry is decided by the
// stored field, and a used token must still be recognised as used until it would have expired.
const GC_MARGIN_MS = 3_600_000;
const REFRESH_TOKEN = /^[A-Za-z0-9_-]{43}$/;
// Longer JWTs are refused before parsing; ours are about 300 characters.
const MAX_JWT_LENGTH = 4096;

/**
 * Checks `jwt` and returns the signing key: call it at start-up so that a bad configuration
 * stops the service rather than its first login.
 *
 * @throws {RangeError} when the secret is shorter than 32 bytes, the issuer or audience is
 * empty, or `accessTtlSeconds` is not an integer in [1, 900].
 */
export function checkJwtConfig(jwt: JwtConfig): Uint8Array {
  const key = typeof jwt.secret === "string" ? new TextEncoder().encode(jwt.secret) : jwt.secret;
  if (key.byteLength < MIN_JWT_SECRET_BYTES) {
    throw new RangeError(
      `Expected a JWT secret of at least ${MIN_JWT_SECRET_BYTES} bytes but found ` +
        `${key.byteLength}; generate one with: openssl rand -base64 48`,
    );
  }
  if (!jwt.issuer || !jwt.audience) {
    throw new RangeError("Expected a non-empty JWT issuer and audience");
  }
  accessTtl(jwt);
  return key;
}

/**
 * Signs an access token for the user `subject.userId` of tenant `subject.tenantId` in session
 * `subject.sessionId`, valid from `now()` for `accessTtlSeconds`. Returns the compact JWT and
 * its life in seconds.
 *
 * @throws {RangeError} for a bad `jwt` configuration (see `checkJwtConfig`).
 */
export async function signAccessToken(
  subject: { tenantId: string; userId: string; sessionId: string },
  options: AccessOptions,
): Promise<{ token: string; expiresIn: number }> {
  const key = checkJwtConfig(options.jwt);
  const ttl = accessTtl(options.jwt);
  const issuedAt = Math.floor(options.now() / 1000);
  const token = await new SignJWT({ tid: subject.tenantId, sid: subject.sessionId })
    .setProtectedHeader({ alg: ALGORITHM, typ: TOKEN_TYPE })
    .setSubject(subject.userId)
    .setIssuer(options.jwt.issuer)
    .setAudience(options.jwt.audience)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + ttl)
    .sign(key);
  return { token, expiresIn: ttl };
}

/**
 * Verifies an access token's signature and claims at `now()` and returns them. It does not look
 * at the store: `authenticateAccessToken` also checks that the session and the user still exist.
 *
 * @throws {InvalidTokenError} (`malformed`, `invalid` or `expired`) for any token that is not
 * one of ours, valid now: another algorithm (`none`, HS512, RS256, …), another key, type,
 * issuer or audience, a missing claim, `exp` passed or `nbf`/`iat` ahead by more than 60 s, or
 * older than the configured life.
 *
 * @example
 * ```ts
 * import { signAccessToken, verifyAccessToken } from "./tokens.ts";
 * const options = {
 *   jwt: { secret: "a random secret of at least 32 bytes!", issuer: "me", audience: "api" },
 *   now: () => 1_700_000_000_000,
 * };
 * const subject = { tenantId: "t1", userId: "u1", sessionId: "s1" };
 * const { token } = await signAccessToken(subject, options);
 * console.assert((await verifyAccessToken(token, options)).userId === "u1");
 * ```
 */
export async function verifyAccessToken(
  token: string,
  options: AccessOptions,
): Promise<AccessClaims> {
  const key = checkJwtConfig(options.jwt);
  if (token.length > MAX_JWT_LENGTH) {
    throw new InvalidTokenError("malformed", "The access token is too long");
  }
  let payload;
  try {
    ({ payload } = await jwtVerify(token, key, {
      algorithms: [ALGORITHM],
      typ: TOKEN_TYPE,
      issuer: options.jwt.issuer,
      audience: options.jwt.audience,
      requiredClaims: ["exp", "iat", "sub", "tid", "sid"],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      // Also makes jose refuse an `iat` in the future beyond the tolerance.
      maxTokenAge: accessTtl(options.jwt),
      currentDate: new Date(options.now()),
    }));
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) {
      throw new InvalidTokenError("expired", "The access token has expired", { cause: error });
    }
    if (error instanceof joseErrors.JOSEError) {
      throw new InvalidTokenError("invalid", "The access token is not valid", { cause: error });
    }
    throw error;
  }
  const { sub, tid, sid, iat, exp } = payload;
  if (
    typeof sub !== "string" || typeof tid !== "string" || typeof sid !== "string" ||
    typeof iat !== "number" || typeof exp !== "number"
  ) {
    throw new InvalidTokenError("invalid", "The access token's claims have the wrong types");
  }
  return { tenantId: tid, userId: sub, sessionId: sid, issuedAt: iat, expiresAt: exp };
}

/**
 * Verifies an access token (`verifyAccessToken`) and checks the store: its session must not be
 * revoked (logout, reuse) and its user must still exist. Returns the user.
 *
 * @throws {InvalidTokenError} as `verifyAccessToken`, or `revoked`.
 */
export async function authenticateAccessToken(
  kv: Deno.Kv,
  token: string,
  options: AccessOptions,
): Promise<{ tenantId: string; userId: string; username: string; sessionId: string }> {
  const claims = await verifyAccessToken(token, options);
  const [family, user] = await Promise.all([
    kv.get<RefreshFamily>(keys.refreshFamily(claims.sessionId)),
    getUser(kv, claims),
  ]);
  const session = family.value;
  if (
    !session || session.revoked || session.tenantId !== claims.tenantId ||
    session.userId !== claims.userId || !user
  ) {
    throw new InvalidTokenError("revoked", "The session of this access token has ended");
  }
  return { ...claims, username: user.username };
}

/**
 * Starts a session for a user who has just logged in: a new refresh family, its first refresh
 * token, and an access token.
 *
 * @throws {RangeError} for a bad `jwt` configuration or `refreshTtlSeconds`.
 */
export async function issueTokenPair(
  kv: Deno.Kv,
  user: { tenantId: string; userId: string },
  options: TokenOptions,
): Promise<TokenPair> {
  checkJwtConfig(options.jwt);
  const ttlMs = refreshTtlMs(options);
  const now = options.now();
  const familyId = crypto.randomUUID();
  const refreshToken = randomToken(32);
  const digest = await sha256Hex(refreshToken);
  const family: RefreshFamily = {
    tenantId: user.tenantId,
    userId: user.userId,
    revoked: false,
    createdAt: now,
    expiresAt: now + ttlMs,
  };
  const record: RefreshRecord = {
    familyId,
    tenantId: user.tenantId,
    userId: user.userId,
    issuedAt: now,
    expiresAt: now + ttlMs,
    usedAt: null,
  };
  const res = await atomic(kv)
    .check({ key: keys.refreshFamily(familyId), versionstamp: null })
    .check({ key: keys.refresh(digest), versionstamp: null })
    .set(keys.refreshFamily(familyId), family, { expireIn: ttlMs + GC_MARGIN_MS })
    .set(keys.refresh(digest), record, { expireIn: ttlMs + GC_MARGIN_MS })
    .commit();
  if (!res.ok) throw new Error("A freshly generated refresh token collided; retry");
  return await pair(refreshToken, record, options);
}

/**
 * Exchanges a refresh token for a new pair (`rotateRefreshToken`, then a new access token).
 *
 * @throws {InvalidTokenError} as `rotateRefreshToken`.
 */
export async function refreshTokenPair(
  kv: Deno.Kv,
  refreshToken: string,
  options: TokenOptions,
): Promise<TokenPair> {
  checkJwtConfig(options.jwt);
  const { token, record } = await rotateRefreshToken(kv, refreshToken, options);
  return await pair(token, record, options);
}

/**
 * Rotates `refreshToken`: marks it used and issues its successor in the same family, in one
 * atomic operation that fails if either the token or the family changed meanwhile. Of two
 * concurrent rotations of one token, one wins and the other counts as reuse.
 *
 * @throws {InvalidTokenError} `malformed` (not a refresh token), `invalid` (unknown), `expired`,
 * `revoked` (the family was revoked) or `reused` (already rotated: the family is revoked now).
 * @throws {RangeError} for a bad `refreshTtlSeconds`.
 */
export async function rotateRefreshToken(
  kv: Deno.Kv,
  refreshToken: string,
  options: RefreshOptions,
): Promise<{ token: string; record: RefreshRecord }> {
  const ttlMs = refreshTtlMs(options);
  const entry0 = await readRefresh(kv, refreshToken);
  for (let attempt = 0; attempt < 5; attempt++) {
    const entry = attempt === 0 ? entry0 : await kv.get<RefreshRecord>(entry0.key);
    const now = options.now();
    const current = liveRecord(entry.value, now);
    const family = await kv.get<RefreshFamily>(keys.refreshFamily(current.familyId));
    if (!family.value || family.value.revoked) {
      throw new InvalidTokenError("revoked", "The refresh token's session has ended");
    }
    if (current.usedAt !== null) {
      await revokeFamily(kv, current.familyId, { now: options.now });
      throw new InvalidTokenError(
        "reused",
        "The refresh token was already used; its session has been ended",
      );
    }
    const token = randomToken(32);
    const digest = await sha256Hex(token);
    const next: RefreshRecord = { ...current, issuedAt: now, expiresAt: now + ttlMs, usedAt: null };
    const res = await atomic(kv)
      .check(entry)
      .check(family)
      .check({ key: keys.refresh(digest), versionstamp: null })
      .set(entry.key, { ...current, usedAt: now }, {
        expireIn: Math.max(0, current.expiresAt - now) + GC_MARGIN_MS,
      })
      .set(keys.refresh(digest), next, { expireIn: ttlMs + GC_MARGIN_MS })
      .set(family.key, { ...family.value, expiresAt: next.expiresAt }, {
        expireIn: ttlMs + GC_MARGIN_MS,
      })
      .commit();
    if (res.ok) return { token, record: next };
  }
  // Only other rotations of this family change it: a retry soon will find it settled.
  throw new StoreUnavailable("Rotating the refresh token kept losing races; retry shortly");
}

/**
 * Logs out: revokes the family of `refreshToken`, so that none of its refresh tokens and none of
 * the access tokens issued with them work any more. Works with used and expired tokens too.
 * Returns false when the token is unknown (nothing to do).
 */
export async function logout(
  kv: Deno.Kv,
  refreshToken: string,
  options: { now: () => number },
): Promise<boolean> {
  let entry;
  try {
    entry = await readRefresh(kv, refreshToken);
  } catch (error) {
    if (error instanceof InvalidTokenError) return false;
    throw error;
  }
  if (!entry.value) return false;
  await revokeFamily(kv, entry.value.familyId, options);
  return true;
}

/**
 * Revokes family `familyId`; revoking twice, or a family that no longer exists, changes nothing.
 * The revoked family is kept until its newest token would have expired, so that every token of
 * it is still recognised as revoked.
 */
export async function revokeFamily(
  kv: Deno.Kv,
  familyId: string,
  options: { now: () => number },
): Promise<void> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const family = await kv.get<RefreshFamily>(keys.refreshFamily(familyId));
    if (!family.value || family.value.revoked) return;
    const expireIn = Math.max(0, family.value.expiresAt - options.now()) + GC_MARGIN_MS;
    const res = await atomic(kv)
      .check(family)
      .set(family.key, { ...family.value, revoked: true }, { expireIn })
      .commit();
    if (res.ok) return;
  }
  throw new StoreUnavailable(`Revoking refresh family ${familyId} kept losing races; retry`);
}

async function readRefresh(
  kv: Deno.Kv,
  refreshToken: string,
): Promise<Deno.KvEntryMaybe<RefreshRecord>> {
  if (!REFRESH_TOKEN.test(refreshToken)) {
    throw new InvalidTokenError("malformed", "This is not a refresh token");
  }
  return await kv.get<RefreshRecord>(keys.refresh(await sha256Hex(refreshToken)));
}

function liveRecord(record: RefreshRecord | null, now: number): RefreshRecord {
  if (!record) throw new InvalidTokenError("invalid", "Unknown refresh token");
  if (record.expiresAt <= now) {
    throw new InvalidTokenError("expired", "The refresh token has expired");
  }
  return record;
}

async function pair(
  refreshToken: string,
  record: RefreshRecord,
  options: AccessOptions,
): Promise<TokenPair> {
  const access = await signAccessToken({
    tenantId: record.tenantId,
    userId: record.userId,
    sessionId: record.familyId,
  }, options);
  return {
    accessToken: access.token,
    tokenType: "Bearer",
    expiresIn: access.expiresIn,
    refreshToken,
    refreshExpiresAt: record.expiresAt,
    tenantId: record.tenantId,
    userId: record.userId,
    sessionId: record.familyId,
  };
}

function accessTtl(jwt: JwtConfig): number {
  const ttl = jwt.accessTtlSeconds ?? MAX_ACCESS_TTL_SECONDS;
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_ACCESS_TTL_SECONDS) {
    throw new RangeError(
      `Expected accessTtlSeconds to be an integer in [1, ${MAX_ACCESS_TTL_SECONDS}] but found ${ttl}`,
    );
  }
  return ttl;
}

function refreshTtlMs(options: RefreshOptions): number {
  const ttl = options.refreshTtlSeconds;
  if (!Number.isInteger(ttl) || ttl < 60 || ttl > MAX_REFRESH_TTL_SECONDS) {
    throw new RangeError(
      `Expected refreshTtlSeconds to be an integer in [60, ${MAX_REFRESH_TTL_SECONDS}] but found ${ttl}`,
    );
  }
  return ttl * 1000;
}
