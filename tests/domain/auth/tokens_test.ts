import assert from "node:assert/strict";
import { generateKeyPair, SignJWT } from "jose";
import { createTenant } from "../../../domain/auth/tenants.ts";
import { TEST_PASSWORD_COST } from "../../../domain/auth/hashing.ts";
import {
  authenticateAccessToken,
  checkJwtConfig,
  InvalidTokenError,
  type InvalidTokenReason,
  issueTokenPair,
  logout,
  refreshTokenPair,
  rotateRefreshToken,
  signAccessToken,
  type TokenOptions,
  verifyAccessToken,
} from "../../../domain/auth/tokens.ts";
import { keys, openStore } from "../../../storage/mod.ts";

const T0 = 1_700_000_000_000;
const SECRET = "0123456789abcdef0123456789abcdef-test-only-secret";
const JWT = { secret: SECRET, issuer: "segmentation-test", audience: "segmentation-api" };
const SUBJECT = { tenantId: "tenant-1", userId: "user-1", sessionId: "session-1" };
const nowSeconds = Math.floor(T0 / 1000);

function options(now = T0): TokenOptions {
  return { jwt: JWT, now: () => now, refreshTtlSeconds: 86_400 };
}

/** A token with our claims, signed as the caller says, to show what verification refuses. */
function forged(overrides: Record<string, unknown> = {}, typ = "at+jwt") {
  return new SignJWT({ tid: SUBJECT.tenantId, sid: SUBJECT.sessionId, ...overrides })
    .setProtectedHeader({ alg: "HS256", typ })
    .setSubject(SUBJECT.userId)
    .setIssuer(JWT.issuer)
    .setAudience(JWT.audience)
    .setIssuedAt(nowSeconds)
    .setExpirationTime(nowSeconds + 900);
}

async function rejectsWith(promise: Promise<unknown>, reason: InvalidTokenReason) {
  await assert.rejects(promise, (error) => {
    assert.ok(error instanceof InvalidTokenError, String(error));
    assert.equal(error.reason, reason);
    return true;
  });
}

function base64url(value: unknown): string {
  return new TextEncoder().encode(JSON.stringify(value)).toBase64({
    alphabet: "base64url",
    omitPadding: true,
  });
}

async function withKv(fn: (kv: Deno.Kv) => Promise<void>): Promise<void> {
  const kv = await openStore(":memory:");
  try {
    await fn(kv);
  } finally {
    kv.close();
  }
}

Deno.test("checkJwtConfig refuses a secret shorter than 32 bytes with a clear message", () => {
  assert.throws(
    () => checkJwtConfig({ ...JWT, secret: "x".repeat(31) }),
    /at least 32 bytes but found 31/,
  );
  assert.throws(() => checkJwtConfig({ ...JWT, secret: new Uint8Array(16) }), RangeError);
  assert.equal(checkJwtConfig({ ...JWT, secret: new Uint8Array(32) }).byteLength, 32);
});

Deno.test("checkJwtConfig refuses an access token life over 15 minutes and an empty issuer", () => {
  assert.throws(() => checkJwtConfig({ ...JWT, accessTtlSeconds: 901 }), RangeError);
  assert.throws(() => checkJwtConfig({ ...JWT, accessTtlSeconds: 0 }), RangeError);
  assert.throws(() => checkJwtConfig({ ...JWT, issuer: "" }), RangeError);
  assert.throws(() => checkJwtConfig({ ...JWT, audience: "" }), RangeError);
});

Deno.test("signAccessToken makes an HS256 at+jwt token that verifyAccessToken accepts", async () => {
  const { token, expiresIn } = await signAccessToken(SUBJECT, options());
  assert.equal(expiresIn, 900);
  const [header, payload] = token.split(".").slice(0, 2).map((part) =>
    JSON.parse(new TextDecoder().decode(Uint8Array.fromBase64(part, { alphabet: "base64url" })))
  );
  assert.deepEqual(header, { alg: "HS256", typ: "at+jwt" });
  assert.deepEqual(payload, {
    tid: "tenant-1",
    sid: "session-1",
    sub: "user-1",
    iss: JWT.issuer,
    aud: JWT.audience,
    iat: nowSeconds,
    exp: nowSeconds + 900,
  });
  assert.deepEqual(await verifyAccessToken(token, options()), {
    ...SUBJECT,
    issuedAt: nowSeconds,
    expiresAt: nowSeconds + 900,
  });
});

Deno.test("signAccessToken uses the configured life", async () => {
  const short = { ...options(), jwt: { ...JWT, accessTtlSeconds: 300 } };
  const { token, expiresIn } = await signAccessToken(SUBJECT, short);
  assert.equal(expiresIn, 300);
  assert.equal((await verifyAccessToken(token, short)).expiresAt, nowSeconds + 300);
});

Deno.test("verifyAccessToken refuses a token signed with another key", async () => {
  const token = await forged().sign(
    new TextEncoder().encode("another secret of 32 bytes or more!!"),
  );
  await rejectsWith(verifyAccessToken(token, options()), "invalid");
});

Deno.test("verifyAccessToken refuses alg none", async () => {
  const claims = {
    tid: "tenant-1",
    sid: "session-1",
    sub: "user-1",
    iss: JWT.issuer,
    aud: JWT.audience,
    iat: nowSeconds,
    exp: nowSeconds + 900,
  };
  for (const typ of ["at+jwt", "JWT"]) {
    const token = `${base64url({ alg: "none", typ })}.${base64url(claims)}.`;
    await rejectsWith(verifyAccessToken(token, options()), "invalid");
  }
});

Deno.test("verifyAccessToken refuses HS512 and RS256 tokens", async () => {
  const hs512 = await new SignJWT({ tid: "tenant-1", sid: "session-1" })
    .setProtectedHeader({ alg: "HS512", typ: "at+jwt" })
    .setSubject("user-1").setIssuer(JWT.issuer).setAudience(JWT.audience)
    .setIssuedAt(nowSeconds).setExpirationTime(nowSeconds + 900)
    .sign(new TextEncoder().encode(SECRET.repeat(2)));
  await rejectsWith(
    verifyAccessToken(hs512, { ...options(), jwt: { ...JWT, secret: SECRET.repeat(2) } }),
    "invalid",
  );
  const { privateKey } = await generateKeyPair("RS256");
  const rs256 = await new SignJWT({ tid: "tenant-1", sid: "session-1" })
    .setProtectedHeader({ alg: "RS256", typ: "at+jwt" })
    .setSubject("user-1").setIssuer(JWT.issuer).setAudience(JWT.audience)
    .setIssuedAt(nowSeconds).setExpirationTime(nowSeconds + 900)
    .sign(privateKey);
  await rejectsWith(verifyAccessToken(rs256, options()), "invalid");
});

Deno.test("verifyAccessToken refuses an expired token, with 60 s of tolerance", async () => {
  const { token } = await signAccessToken(SUBJECT, options());
  assert.ok(await verifyAccessToken(token, options(T0 + 959_000)));
  await rejectsWith(verifyAccessToken(token, options(T0 + 961_000)), "expired");
});

Deno.test("verifyAccessToken refuses nbf and iat more than 60 s ahead", async () => {
  const key = new TextEncoder().encode(SECRET);
  const nbfSoon = await forged({ nbf: nowSeconds + 30 }).sign(key);
  assert.ok(await verifyAccessToken(nbfSoon, options()));
  const nbfLate = await forged({ nbf: nowSeconds + 120 }).sign(key);
  await rejectsWith(verifyAccessToken(nbfLate, options()), "invalid");
  const iatSoon = await forged().setIssuedAt(nowSeconds + 30).sign(key);
  assert.ok(await verifyAccessToken(iatSoon, options()));
  const iatLate = await forged().setIssuedAt(nowSeconds + 120).setExpirationTime(nowSeconds + 900)
    .sign(key);
  await rejectsWith(verifyAccessToken(iatLate, options()), "invalid");
});

Deno.test("verifyAccessToken refuses a wrong audience, issuer or type and missing claims", async () => {
  const key = new TextEncoder().encode(SECRET);
  const cases = [
    await forged().setAudience("another-api").sign(key),
    await forged().setIssuer("someone-else").sign(key),
    await forged({}, "JWT").sign(key),
    await new SignJWT({ sid: "s" }).setProtectedHeader({ alg: "HS256", typ: "at+jwt" })
      .setSubject("u").setIssuer(JWT.issuer).setAudience(JWT.audience)
      .setIssuedAt(nowSeconds).setExpirationTime(nowSeconds + 60).sign(key),
    await new SignJWT({ tid: "t", sid: "s" }).setProtectedHeader({ alg: "HS256", typ: "at+jwt" })
      .setSubject("u").setIssuer(JWT.issuer).setAudience(JWT.audience)
      .setIssuedAt(nowSeconds).sign(key),
    await forged({ tid: 42 }).sign(key),
  ];
  for (const token of cases) await rejectsWith(verifyAccessToken(token, options()), "invalid");
  await rejectsWith(verifyAccessToken("not.a.jwt", options()), "invalid");
  await rejectsWith(verifyAccessToken("x".repeat(5000), options()), "malformed");
});

Deno.test("issueTokenPair starts a session whose access token authenticates the user", () =>
  withKv(async (kv) => {
    const tenant = await createTenant(kv, {
      name: "A",
      user: { username: "ann", password: "a long enough password" },
    }, { now: () => T0, passwordCost: TEST_PASSWORD_COST });
    const user = tenant.user!;
    const pair = await issueTokenPair(kv, user, options());
    assert.equal(pair.tokenType, "Bearer");
    assert.match(pair.refreshToken, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(pair.refreshExpiresAt, T0 + 86_400_000);
    const who = await authenticateAccessToken(kv, pair.accessToken, options());
    assert.deepEqual(
      { tenantId: who.tenantId, userId: who.userId, username: who.username },
      { tenantId: tenant.tenantId, userId: user.userId, username: "ann" },
    );
  }));

Deno.test("authenticateAccessToken refuses a valid token whose user no longer exists", () =>
  withKv(async (kv) => {
    const pair = await issueTokenPair(kv, { tenantId: "t", userId: "ghost" }, options());
    await rejectsWith(authenticateAccessToken(kv, pair.accessToken, options()), "revoked");
  }));

Deno.test("rotateRefreshToken issues a successor and the old token stops working", () =>
  withKv(async (kv) => {
    const first = await issueTokenPair(kv, { tenantId: "t", userId: "u" }, options());
    const second = await refreshTokenPair(kv, first.refreshToken, options(T0 + 1000));
    assert.notEqual(second.refreshToken, first.refreshToken);
    assert.equal(second.sessionId, first.sessionId);
    assert.equal(second.refreshExpiresAt, T0 + 1000 + 86_400_000);
    const third = await refreshTokenPair(kv, second.refreshToken, options(T0 + 2000));
    assert.equal(third.sessionId, first.sessionId);
    const old = await kv.get<{ usedAt: number }>(keys.refresh(await digest(first.refreshToken)));
    assert.equal(old.value?.usedAt, T0 + 1000);
  }));

Deno.test("rotateRefreshToken treats a used token as reuse and revokes the whole family", () =>
  withKv(async (kv) => {
    const first = await issueTokenPair(kv, { tenantId: "t", userId: "u" }, options());
    const second = await refreshTokenPair(kv, first.refreshToken, options());
    await rejectsWith(refreshTokenPair(kv, first.refreshToken, options()), "reused");
    // The thief's successor, and the holder's, are both dead now.
    await rejectsWith(refreshTokenPair(kv, second.refreshToken, options()), "revoked");
    await rejectsWith(refreshTokenPair(kv, first.refreshToken, options()), "revoked");
    const family = await kv.get<{ revoked: boolean }>(keys.refreshFamily(first.sessionId));
    assert.equal(family.value?.revoked, true);
  }));

Deno.test("rotateRefreshToken lets one of two concurrent rotations win and revokes on the other", () =>
  withKv(async (kv) => {
    const first = await issueTokenPair(kv, { tenantId: "t", userId: "u" }, options());
    const results = await Promise.allSettled([
      rotateRefreshToken(kv, first.refreshToken, options()),
      rotateRefreshToken(kv, first.refreshToken, options()),
    ]);
    const won = results.filter((r) => r.status === "fulfilled");
    assert.equal(won.length, 1);
    const family = await kv.get<{ revoked: boolean }>(keys.refreshFamily(first.sessionId));
    assert.equal(family.value?.revoked, true);
  }));

Deno.test("rotateRefreshToken refuses an expired, unknown or malformed token", () =>
  withKv(async (kv) => {
    const pair = await issueTokenPair(kv, { tenantId: "t", userId: "u" }, options());
    await rejectsWith(refreshTokenPair(kv, pair.refreshToken, options(T0 + 86_400_000)), "expired");
    await rejectsWith(refreshTokenPair(kv, "A".repeat(43), options()), "invalid");
    await rejectsWith(refreshTokenPair(kv, "short", options()), "malformed");
    assert.ok(await refreshTokenPair(kv, pair.refreshToken, options(T0 + 86_399_000)));
  }));

Deno.test("logout revokes the family: its refresh and access tokens stop working", () =>
  withKv(async (kv) => {
    const first = await issueTokenPair(kv, { tenantId: "t", userId: "u" }, options());
    const second = await refreshTokenPair(kv, first.refreshToken, options());
    assert.equal(await logout(kv, second.refreshToken, options()), true);
    await rejectsWith(refreshTokenPair(kv, second.refreshToken, options()), "revoked");
    await rejectsWith(authenticateAccessToken(kv, second.accessToken, options()), "revoked");
    assert.equal(await logout(kv, second.refreshToken, options()), true);
    assert.equal(await logout(kv, "B".repeat(43), options()), false);
    assert.equal(await logout(kv, "nonsense", options()), false);
  }));

Deno.test("issueTokenPair refuses a short refresh life and a bad JWT configuration", () =>
  withKv(async (kv) => {
    await assert.rejects(
      issueTokenPair(kv, { tenantId: "t", userId: "u" }, { ...options(), refreshTtlSeconds: 10 }),
      RangeError,
    );
    await assert.rejects(
      issueTokenPair(kv, { tenantId: "t", userId: "u" }, {
        ...options(),
        jwt: { ...JWT, secret: "short" },
      }),
      RangeError,
    );
  }));

async function digest(text: string): Promise<string> {
  const bytes = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return new Uint8Array(bytes).toHex();
}
