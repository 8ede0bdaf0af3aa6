import assert from "node:assert/strict";
import { serialize } from "node:v8";
import { OpenAPIHono } from "@hono/zod-openapi";
import { Hono } from "hono";
import { generateKeyPair, SignJWT } from "jose";
import { TEST_PASSWORD_COST } from "../../../domain/auth/hashing.ts";
import {
  createApiKey,
  createTenant,
  ensureLocalTenant,
  revokeApiKey,
} from "../../../domain/auth/tenants.ts";
import { authRoutes } from "../../../routes/platform/auth.ts";
import { type AuthDeps, authenticate, type AuthEnv } from "../../../routes/http/authenticate.ts";
import { type ErrorBody, installErrorHandlers } from "../../../routes/http/errors.ts";
import type { AppEnv } from "../../../routes/mod.ts";
import { openStore } from "../../../storage/mod.ts";

const T0 = 1_700_000_000_000;
/** The per-username limit (any address) at 5, as these tests count it; the default is 20. */
const USER_LIMIT_5 = { loginLimits: { user: { limit: 5, periodMs: 15 * 60_000 } } };
const PASSWORD = "a long enough password";
const JWT = {
  secret: "route-test-secret-route-test-secret-0123456789",
  issuer: "segmentation-test",
  audience: "segmentation-api",
};

interface Harness {
  app: OpenAPIHono<AppEnv>;
  kv: Deno.Kv;
  deps: AuthDeps;
  /** Moves the injected clock forward by `ms`. */
  advance(ms: number): void;
  /** Tenant A (user ann) and tenant B (user bob), with their secrets and an API key each. */
  a: Awaited<ReturnType<typeof makeTenant>>;
  b: Awaited<ReturnType<typeof makeTenant>>;
  close(): void;
}

async function makeTenant(kv: Deno.Kv, name: string, username: string) {
  const options = { now: () => T0, passwordCost: TEST_PASSWORD_COST };
  const tenant = await createTenant(kv, { name, user: { username, password: PASSWORD } }, options);
  const key = await createApiKey(kv, tenant.tenantId, options);
  return { ...tenant, username, apiKey: key.apiKey, keyId: key.keyId };
}

/**
 * An app as the service builds it: the auth routes, and the middleware in front of private
 * routes. `overrides` may name `openTenantId: "local"` for open mode with a real local tenant.
 */
async function harness(overrides: Partial<AuthDeps> = {}): Promise<Harness> {
  const kv = await openStore(":memory:");
  let clock = T0;
  if (overrides.openTenantId === "local") {
    overrides = { ...overrides, openTenantId: await ensureLocalTenant(kv, { now: () => clock }) };
  }
  const deps: AuthDeps = {
    kv,
    now: () => clock,
    jwt: JWT,
    refreshTtlSeconds: 86_400,
    passwordCost: TEST_PASSWORD_COST,
    clientAddress: (c) => c.req.header("X-Test-Address") ?? "192.0.2.1",
    ...overrides,
  };
  const app = new OpenAPIHono<AppEnv>();
  installErrorHandlers(app, { logger: () => {} });
  app.route("/api/auth", authRoutes(deps));
  const priv = new Hono<AuthEnv>();
  priv.use(authenticate(deps));
  priv.get("/whoami", (c) => c.json(c.get("principal")));
  app.route("/api/private", priv);
  const a = await makeTenant(kv, "A", "ann@example.com");
  const b = await makeTenant(kv, "B", "bob");
  return { app, kv, deps, advance: (ms) => clock += ms, a, b, close: () => kv.close() };
}

async function withHarness(
  fn: (h: Harness) => Promise<void>,
  overrides: Partial<AuthDeps> = {},
): Promise<void> {
  const h = await harness(overrides);
  try {
    await fn(h);
  } finally {
    h.close();
  }
}

function post(h: Harness, path: string, body: unknown, headers: Record<string, string> = {}) {
  return h.app.request(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

function login(h: Harness, username: string, password: string, headers = {}) {
  return post(h, "/api/auth/login", { username, password }, headers);
}

async function tokens(h: Harness, username = "ann@example.com") {
  const res = await login(h, username, PASSWORD);
  assert.equal(res.status, 200);
  return await res.json() as {
    access_token: string;
    token_type: string;
    expires_in: number;
    refresh_token: string;
  };
}

function whoami(h: Harness, headers: Record<string, string>) {
  return h.app.request("/api/private/whoami", { headers });
}

/** Expects an error in document 001's body; `error` is the snake name its `code` is made from. */
async function expectError(res: Response, status: number, error: string): Promise<ErrorBody> {
  assert.equal(res.status, status);
  const body = await res.json() as ErrorBody;
  const codes: Record<string, string> = {
    unauthorized: "AUTH_FAILED",
    validation_error: "INVALID_PARAMETER",
  };
  assert.equal(body.code, codes[error] ?? error.toUpperCase());
  assert.equal(body.status, status);
  return body;
}

const seconds = Math.floor(T0 / 1000);

function claims(alg = "HS256") {
  return new SignJWT({ tid: "t", sid: "s" })
    .setProtectedHeader({ alg, typ: "at+jwt" })
    .setSubject("u").setIssuer(JWT.issuer).setAudience(JWT.audience)
    .setIssuedAt(seconds).setExpirationTime(seconds + 900);
}

Deno.test("POST /api/auth/login answers the documented token pair", () =>
  withHarness(async (h) => {
    const body = await tokens(h);
    assert.deepEqual(Object.keys(body).sort(), [
      "access_token",
      "expires_in",
      "refresh_token",
      "token_type",
    ]);
    assert.equal(body.token_type, "Bearer");
    assert.equal(body.expires_in, 900);
    const res = await whoami(h, { Authorization: `Bearer ${body.access_token}` });
    assert.equal(res.status, 200);
    const principal = await res.json();
    assert.equal(principal.kind, "user");
    assert.equal(principal.tenantId, h.a.tenantId);
    assert.equal(principal.id, h.a.user!.userId);
    assert.equal(principal.username, "ann@example.com");
  }));

Deno.test("POST /api/auth/login gives one answer for an unknown user and a wrong password", () =>
  withHarness(async (h) => {
    const wrong = await expectError(
      await login(h, "ann@example.com", "wrong"),
      401,
      "unauthorized",
    );
    const unknown = await expectError(await login(h, "nobody", PASSWORD), 401, "unauthorized");
    assert.equal(wrong.message, unknown.message);
    assert.deepEqual(wrong.details, unknown.details);
  }));

Deno.test("POST /api/auth/login refuses unknown fields, missing fields and non-JSON bodies", () =>
  withHarness(async (h) => {
    const extra = await post(h, "/api/auth/login", {
      username: "ann@example.com",
      password: PASSWORD,
      role: "admin",
    });
    const body = await expectError(extra, 400, "validation_error");
    assert.equal(body.errors?.role?.[0], "Unknown parameter");
    const missing = await post(h, "/api/auth/login", { username: "ann@example.com" });
    assert.equal(missing.status, 400);
    const text = await h.app.request("/api/auth/login", {
      method: "POST",
      headers: { "Content-Type": "text/plain" },
      body: "username=ann",
    });
    await expectError(text, 415, "unsupported_media_type");
    const broken = await h.app.request("/api/auth/login", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: "{",
    });
    assert.equal(broken.status, 400);
  }));

Deno.test("POST /api/auth/login limits failed logins per username with 429 and Retry-After", () =>
  withHarness(async (h) => {
    for (let i = 0; i < 5; i++) {
      // A new address each time: only the username's bucket runs out.
      const res = await login(h, "Ann@example.com", "wrong", { "X-Test-Address": `10.0.0.${i}` });
      assert.equal(res.status, 401);
    }
    const limited = await login(h, "ann@example.com", PASSWORD, { "X-Test-Address": "10.0.1.1" });
    const body = await expectError(limited, 429, "rate_limited");
    const retry = Number(limited.headers.get("Retry-After"));
    assert.equal(retry, 180);
    assert.equal(body.details?.retry_after_seconds, retry);
    assert.equal(limited.headers.get("X-RateLimit-Remaining"), "0");
    // Another user is not affected.
    assert.equal((await login(h, "bob", PASSWORD)).status, 200);
    h.advance(retry * 1000);
    assert.equal((await login(h, "ann@example.com", PASSWORD)).status, 200);
  }, USER_LIMIT_5));

Deno.test("POST /api/auth/login limits failed logins per client address", () =>
  withHarness(async (h) => {
    const from = { "X-Test-Address": "203.0.113.7" };
    for (let i = 0; i < 3; i++) {
      assert.equal((await login(h, `guess${i}`, "wrong", from)).status, 401);
    }
    const limited = await login(h, "bob", PASSWORD, from);
    await expectError(limited, 429, "rate_limited");
    assert.ok(Number(limited.headers.get("Retry-After")) > 0);
    assert.equal(
      (await login(h, "bob", PASSWORD, { "X-Test-Address": "203.0.113.8" })).status,
      200,
    );
  }, { loginLimits: { address: { limit: 3, periodMs: 15 * 60_000 } } }));

Deno.test("POST /api/auth/login counts parallel failed attempts before answering more", () =>
  withHarness(async (h) => {
    const results = await Promise.all(
      Array.from(
        { length: 12 },
        (_, i) => login(h, "ann@example.com", `wrong ${i}`, { "X-Test-Address": `10.1.0.${i}` }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    await Promise.all(results.map((r) => r.body?.cancel()));
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429, 429, 429, 429, 429, 429, 429]);
  }, USER_LIMIT_5));

Deno.test("POST /api/auth/refresh rotates: the new pair works and the old refresh token does not", () =>
  withHarness(async (h) => {
    const first = await tokens(h);
    const res = await post(h, "/api/auth/refresh", { refresh_token: first.refresh_token });
    assert.equal(res.status, 200);
    const second = await res.json();
    assert.notEqual(second.refresh_token, first.refresh_token);
    assert.equal(second.token_type, "Bearer");
    assert.equal((await whoami(h, { Authorization: `Bearer ${second.access_token}` })).status, 200);
    const again = await post(h, "/api/auth/refresh", { refresh_token: first.refresh_token });
    const body = await expectError(again, 401, "unauthorized");
    assert.equal(body.details?.reason, "reused");
  }));

Deno.test("POST /api/auth/refresh with a reused token revokes the whole family", () =>
  withHarness(async (h) => {
    const first = await tokens(h);
    const second = await (await post(h, "/api/auth/refresh", {
      refresh_token: first.refresh_token,
    })).json();
    await (await post(h, "/api/auth/refresh", { refresh_token: first.refresh_token })).body
      ?.cancel();
    const res = await post(h, "/api/auth/refresh", { refresh_token: second.refresh_token });
    await expectError(res, 401, "unauthorized");
    await expectError(
      await whoami(h, { Authorization: `Bearer ${second.access_token}` }),
      401,
      "unauthorized",
    );
    // Another session of the same user is untouched.
    const other = await tokens(h);
    assert.equal((await whoami(h, { Authorization: `Bearer ${other.access_token}` })).status, 200);
  }));

Deno.test("POST /api/auth/refresh refuses unknown fields", () =>
  withHarness(async (h) => {
    const first = await tokens(h);
    const res = await post(h, "/api/auth/refresh", { refresh_token: first.refresh_token, x: 1 });
    await expectError(res, 400, "validation_error");
  }));

Deno.test("POST /api/auth/logout ends the session's refresh and access tokens", () =>
  withHarness(async (h) => {
    const pair = await tokens(h);
    const res = await post(h, "/api/auth/logout", { refresh_token: pair.refresh_token });
    assert.equal(res.status, 204);
    await expectError(
      await post(h, "/api/auth/refresh", { refresh_token: pair.refresh_token }),
      401,
      "unauthorized",
    );
    await expectError(
      await whoami(h, { Authorization: `Bearer ${pair.access_token}` }),
      401,
      "unauthorized",
    );
    assert.equal(
      (await post(h, "/api/auth/logout", { refresh_token: pair.refresh_token })).status,
      204,
    );
    assert.equal((await post(h, "/api/auth/logout", { refresh_token: "unknown" })).status, 204);
  }));

Deno.test("authenticate refuses a request without credentials with 401 and WWW-Authenticate", () =>
  withHarness(async (h) => {
    const res = await whoami(h, {});
    await expectError(res, 401, "unauthorized");
    assert.match(res.headers.get("WWW-Authenticate") ?? "", /^Bearer\b/);
  }));

Deno.test("authenticate refuses bearer tokens with a wrong signature, alg or claims", () =>
  withHarness(async (h) => {
    const key = new TextEncoder().encode(JWT.secret);
    const none = [
      { alg: "none", typ: "at+jwt" },
      {
        tid: "t",
        sid: "s",
        sub: "u",
        iss: JWT.issuer,
        aud: JWT.audience,
        iat: seconds,
        exp: seconds + 900,
      },
    ].map((part) =>
      new TextEncoder().encode(JSON.stringify(part)).toBase64({
        alphabet: "base64url",
        omitPadding: true,
      })
    ).join(".") + ".";
    const { privateKey } = await generateKeyPair("RS256");
    const tokens = {
      wrongSignature: await claims().sign(new TextEncoder().encode("x".repeat(48))),
      none,
      hs512: await claims("HS512").sign(
        new TextEncoder().encode(JWT.secret.repeat(2)),
      ),
      rs256: await claims("RS256").sign(privateKey),
      expired: await claims().setIssuedAt(seconds - 1000).setExpirationTime(seconds - 61).sign(key),
      notYetValid: await claims().setNotBefore(seconds + 120).sign(key),
      issuedInFuture: await claims().setIssuedAt(seconds + 120).sign(key),
      wrongAudience: await claims().setAudience("other").sign(key),
      wrongIssuer: await claims().setIssuer("other").sign(key),
    };
    for (const [name, token] of Object.entries(tokens)) {
      const res = await whoami(h, { Authorization: `Bearer ${token}` });
      assert.equal(res.status, 401, name);
      assert.match(res.headers.get("WWW-Authenticate") ?? "", /error="invalid_token"/, name);
      await res.body?.cancel();
    }
    for (const header of ["Basic YW5uOnB3", "Bearer", "Bearer a b", ""]) {
      await expectError(await whoami(h, { Authorization: header }), 401, "unauthorized");
    }
  }));

Deno.test("authenticate accepts the tenant headers and refuses a bad or missing secret", () =>
  withHarness(async (h) => {
    const good = await whoami(h, {
      "X-Customer-Api-Id": h.a.customerApiId,
      "X-Secret": h.a.secret,
    });
    assert.equal(good.status, 200);
    assert.deepEqual(await good.json(), {
      tenantId: h.a.tenantId,
      kind: "tenant",
      id: h.a.customerApiId,
    });
    const bad = await whoami(h, { "X-Customer-Api-Id": h.a.customerApiId, "X-Secret": h.b.secret });
    await expectError(bad, 401, "unauthorized");
    assert.match(bad.headers.get("WWW-Authenticate") ?? "", /^Bearer/);
    await expectError(
      await whoami(h, { "X-Customer-Api-Id": h.a.customerApiId }),
      401,
      "unauthorized",
    );
    await expectError(await whoami(h, { "X-Secret": h.a.secret }), 401, "unauthorized");
  }));

Deno.test("authenticate answers 403 to a token of tenant A with the headers of tenant B", () =>
  withHarness(async (h) => {
    const pair = await tokens(h);
    const bearer = { Authorization: `Bearer ${pair.access_token}` };
    const mixed = await whoami(h, {
      ...bearer,
      "X-Customer-Api-Id": h.b.customerApiId,
      "X-Secret": h.b.secret,
    });
    await expectError(mixed, 403, "forbidden");
    await expectError(
      await whoami(h, { ...bearer, "X-Customer-Api-Id": h.b.customerApiId }),
      403,
      "forbidden",
    );
    await expectError(await whoami(h, { ...bearer, "X-API-Key": h.b.apiKey }), 403, "forbidden");
    // The same tenant's headers go with the token; the principal is the user.
    const same = await whoami(h, {
      ...bearer,
      "X-Customer-Api-Id": h.a.customerApiId,
      "X-Secret": h.a.secret,
    });
    assert.equal(same.status, 200);
    assert.equal((await same.json()).kind, "user");
    const lone = await whoami(h, {
      ...bearer,
      "X-Customer-Api-Id": h.a.customerApiId.toUpperCase(),
    });
    assert.equal(lone.status, 200);
    await lone.body?.cancel();
  }));

Deno.test("authenticate accepts an API key until it is revoked", () =>
  withHarness(async (h) => {
    const ok = await whoami(h, { "X-API-Key": h.a.apiKey });
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { tenantId: h.a.tenantId, kind: "apikey", id: h.a.keyId });
    await revokeApiKey(h.kv, { tenantId: h.a.tenantId, keyId: h.a.keyId }, { now: h.deps.now });
    await expectError(await whoami(h, { "X-API-Key": h.a.apiKey }), 401, "unauthorized");
    await expectError(await whoami(h, { "X-API-Key": "sk_live_nope" }), 401, "unauthorized");
  }));

Deno.test("authenticate in open mode maps requests without credentials to the local tenant", () =>
  withHarness(async (h) => {
    const local = h.deps.openTenantId!;
    assert.notEqual(local, h.a.tenantId);
    const res = await whoami(h, {});
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { tenantId: local, kind: "open", id: local });
    // Credentials still count, and bad ones are still refused.
    const tenant = await whoami(h, {
      "X-Customer-Api-Id": h.a.customerApiId,
      "X-Secret": h.a.secret,
    });
    assert.equal((await tenant.json()).tenantId, h.a.tenantId);
    await expectError(await whoami(h, { "X-API-Key": "sk_live_wrong" }), 401, "unauthorized");
    await expectError(await whoami(h, { Authorization: "Bearer x.y.z" }), 401, "unauthorized");
    await expectError(
      await whoami(h, { "X-Customer-Api-Id": h.a.customerApiId }),
      401,
      "unauthorized",
    );
  }, { openTenantId: "local" }));

Deno.test("the store holds no secret, password, API key or token in clear text", () =>
  withHarness(async (h) => {
    const pair = await tokens(h);
    const rotated = await (await post(h, "/api/auth/refresh", {
      refresh_token: pair.refresh_token,
    })).json();
    const bob = await tokens(h, "bob");
    const secrets = [
      h.a.secret,
      h.b.secret,
      h.a.apiKey,
      h.b.apiKey,
      PASSWORD,
      pair.refresh_token,
      rotated.refresh_token,
      bob.refresh_token,
      pair.access_token,
      String(JWT.secret),
    ];
    const entries: { key: Deno.KvKey; value: unknown }[] = [];
    for await (const entry of h.kv.list({ prefix: [] })) entries.push(entry);
    assert.ok(entries.length > 10);
    const json = JSON.stringify(entries);
    const binary = new TextDecoder("latin1").decode(serialize(entries));
    for (const secret of secrets) {
      assert.ok(!json.includes(secret), `clear text in the JSON dump: ${secret.slice(0, 8)}…`);
      assert.ok(!binary.includes(secret), `clear text in the V8 dump: ${secret.slice(0, 8)}…`);
    }
  }));

Deno.test("authRoutes documents its token routes and the browser's session routes in the OpenAPI document", () =>
  withHarness((h) => {
    const doc = h.app.getOpenAPI31Document({
      openapi: "3.1.0",
      info: { title: "test", version: "1" },
    });
    assert.deepEqual(Object.keys(doc.paths ?? {}).sort(), [
      "/api/auth/login",
      "/api/auth/logout",
      "/api/auth/refresh",
      "/api/auth/session",
      "/api/auth/session/refresh",
    ]);
    const login = doc.paths?.["/api/auth/login"]?.post;
    // The auth routes are the way in: they need no credentials themselves.
    assert.deepEqual(login?.security, []);
    assert.ok(login?.responses?.["429"]);
    return Promise.resolve();
  }));

Deno.test("POST /api/auth/refresh accepts the camelCase spelling of refresh_token", () =>
  withHarness(async (h) => {
    const first = await tokens(h);
    const res = await post(h, "/api/auth/refresh", { refreshToken: first.refresh_token });
    assert.equal(res.status, 200);
    assert.equal((await res.json()).token_type, "Bearer");
  }));

Deno.test("POST /api/auth/login answers 401 with a WWW-Authenticate challenge", () =>
  withHarness(async (h) => {
    const res = await login(h, "ann@example.com", "wrong");
    await expectError(res, 401, "unauthorized");
    assert.match(res.headers.get("WWW-Authenticate") ?? "", /^Bearer realm=/);
  }));

Deno.test("POST /api/auth/login stays exact when instances sharing the store race", () =>
  withHarness(async (h) => {
    // A second instance: its own auth app (its own in-process locks) on the same store.
    const other = new OpenAPIHono<AppEnv>();
    installErrorHandlers(other, { logger: () => {} });
    other.route("/api/auth", authRoutes(h.deps));
    const apps = [h.app, other];
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        apps[i % 2]!.request("/api/auth/login", {
          method: "POST",
          headers: { "Content-Type": "application/json", "X-Test-Address": `10.2.0.${i}` },
          body: JSON.stringify({ username: "ann@example.com", password: `wrong ${i}` }),
        })),
    );
    const statuses = results.map((r) => r.status).sort();
    await Promise.all(results.map((r) => r.body?.cancel()));
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429, 429, 429, 429, 429, 429, 429]);
    // A right password is not counted as a failure: it gets its attempt back.
    h.advance(15 * 60_000);
    for (let i = 0; i < 6; i++) {
      const res = await login(h, "ann@example.com", PASSWORD);
      assert.equal(res.status, 200);
      await res.body?.cancel();
    }
  }, USER_LIMIT_5));

Deno.test("wrong passwords from one address lock that address out, not the real user", () =>
  withHarness(async (h) => {
    const attacker = { "X-Test-Address": "198.51.100.66" };
    for (let i = 0; i < 5; i++) {
      assert.equal((await login(h, "ann@example.com", `guess ${i}`, attacker)).status, 401);
    }
    // The attacker's pair is spent, even with the right password …
    await expectError(await login(h, "ann@example.com", PASSWORD, attacker), 429, "rate_limited");
    // … while the real user, from another address, logs in at once.
    const real = await login(h, "ann@example.com", PASSWORD, { "X-Test-Address": "192.0.2.10" });
    assert.equal(real.status, 200);
  }));

Deno.test("a guesser spread over many addresses meets the per-username limit; a trusted address escapes it", () =>
  withHarness(async (h) => {
    const home = { "X-Test-Address": "192.0.2.10" };
    assert.equal((await login(h, "ann@example.com", PASSWORD, home)).status, 200);
    for (let i = 0; i < 20; i++) {
      const from = { "X-Test-Address": `10.9.${i}.1` };
      assert.equal((await login(h, "ann@example.com", `guess ${i}`, from)).status, 401);
    }
    const fresh = await login(h, "ann@example.com", `guess x`, { "X-Test-Address": "10.9.99.1" });
    const body = await expectError(fresh, 429, "rate_limited");
    // Back-off, not a 15-minute lock: the next attempt fits after one refill (45 s).
    assert.equal(body.details?.retry_after_seconds, 45);
    // The address the user logged in from lately is not held by the per-username limit.
    assert.equal((await login(h, "ann@example.com", PASSWORD, home)).status, 200);
  }));
