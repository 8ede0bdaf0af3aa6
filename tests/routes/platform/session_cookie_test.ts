import assert from "node:assert/strict";
import { TEST_PASSWORD_COST } from "../../../domain/auth/hashing.ts";
import { createTenant } from "../../../domain/auth/tenants.ts";
import { createApp } from "../../../routes/mod.ts";
import { isLoopbackHost } from "../../../routes/platform/session_cookie.ts";
import { openStore } from "../../../storage/mod.ts";

const T0 = 1_700_000_000_000;
const PASSWORD = "a long enough password";
const JWT = {
  secret: "session-cookie-test-secret-0123456789abcdef",
  issuer: "segmentation-test",
  audience: "segmentation-api",
};
const SESSION = { "X-Requested-With": "test" };

async function service() {
  const kv = await openStore(":memory:");
  const options = { now: () => T0, passwordCost: TEST_PASSWORD_COST };
  await createTenant(kv, { name: "A", user: { username: "ann", password: PASSWORD } }, options);
  const app = createApp({
    compute: { info: { name: "cpu", description: "test" } },
    kv,
    clock: () => T0,
    logger: () => {},
    auth: { jwt: JWT, refreshTtlSeconds: 3600, passwordCost: TEST_PASSWORD_COST },
  });
  return { app, [Symbol.dispose]: () => kv.close() };
}

type App = Awaited<ReturnType<typeof service>>["app"];

function signIn(app: App, base = "http://127.0.0.1:8000", headers: Record<string, string> = {}) {
  return app.request(`${base}/api/auth/session`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...SESSION, ...headers },
    body: JSON.stringify({ username: "ann", password: PASSWORD }),
  });
}

function refresh(app: App, cookie: string, headers: Record<string, string> = SESSION) {
  return app.request("http://127.0.0.1:8000/api/auth/session/refresh", {
    method: "POST",
    headers: { Cookie: cookie, ...headers },
  });
}

/** The `name=value` part of a response's Set-Cookie. */
function cookieOf(res: Response): string {
  const set = res.headers.get("Set-Cookie") ?? "";
  return set.split(";")[0]!;
}

Deno.test("session sign-in puts the refresh token in an HttpOnly SameSite=Strict cookie on the session path, not in the body", async () => {
  using s = await service();
  const res = await signIn(s.app);
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(typeof body.access_token, "string");
  assert.equal(body.refresh_token, undefined);
  const set = res.headers.get("Set-Cookie") ?? "";
  assert.match(set, /^seg_refresh=[\w-]+;/);
  assert.match(set, /HttpOnly/);
  assert.match(set, /SameSite=Strict/);
  assert.match(set, /Path=\/api\/auth\/session(;|$)/);
  // Loopback: no Secure, so a local http:// page keeps it.
  assert.doesNotMatch(set, /Secure/);
});

Deno.test("the session cookie is Secure on any host but loopback", async () => {
  using s = await service();
  const res = await signIn(s.app, "http://segments.example.com");
  assert.equal(res.status, 200);
  assert.match(res.headers.get("Set-Cookie") ?? "", /; Secure/);
  assert.ok(isLoopbackHost("[::1]") && isLoopbackHost("localhost") && isLoopbackHost("127.0.0.2"));
  assert.ok(!isLoopbackHost("127.example.com") && !isLoopbackHost("10.0.0.1"));
});

Deno.test("the session cookie refreshes with rotation, and a reused cookie revokes the session", async () => {
  using s = await service();
  const first = cookieOf(await signIn(s.app));
  const res = await refresh(s.app, first);
  assert.equal(res.status, 200);
  const second = cookieOf(res);
  assert.notEqual(second, first);
  const { access_token } = await res.json();
  const api = await s.app.request("/api/datasets", {
    headers: { Authorization: `Bearer ${access_token}` },
  });
  assert.notEqual(api.status, 401);

  // The first cookie again: reuse, the whole session ends, and the cookie is cleared.
  const reused = await refresh(s.app, first);
  assert.equal(reused.status, 401);
  assert.equal((await reused.json()).details.reason, "reused");
  assert.match(reused.headers.get("Set-Cookie") ?? "", /^seg_refresh=;.*Max-Age=0/);
  assert.equal((await refresh(s.app, second)).status, 401);
});

Deno.test("session sign-out revokes the session and clears the cookie", async () => {
  using s = await service();
  const cookie = cookieOf(await signIn(s.app));
  const out = await s.app.request("http://127.0.0.1:8000/api/auth/session", {
    method: "DELETE",
    headers: { Cookie: cookie, ...SESSION },
  });
  assert.equal(out.status, 204);
  assert.match(out.headers.get("Set-Cookie") ?? "", /^seg_refresh=;.*Max-Age=0/);
  assert.equal((await refresh(s.app, cookie)).status, 401);
});

Deno.test("the session routes refuse a request without the custom header or from another origin (CSRF)", async () => {
  using s = await service();
  const cookie = cookieOf(await signIn(s.app));
  assert.equal((await refresh(s.app, cookie, {})).status, 400);
  const crossPort = await refresh(s.app, cookie, { ...SESSION, Origin: "http://127.0.0.1:3000" });
  assert.equal(crossPort.status, 403);
  const crossSite = await signIn(s.app, undefined, { Origin: "https://evil.example" });
  assert.equal(crossSite.status, 403);
  // A form post (no JSON) cannot sign in either.
  const form = await s.app.request("http://127.0.0.1:8000/api/auth/session", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", ...SESSION },
    body: "username=ann&password=x",
  });
  assert.ok(form.status === 415 || form.status === 400, `status ${form.status}`);
  // The same origin passes.
  const same = await refresh(s.app, cookie, { ...SESSION, Origin: "http://127.0.0.1:8000" });
  assert.equal(same.status, 200);
});

Deno.test("a session refresh without a cookie is 401 and sets no cookie but the cleared one", async () => {
  using s = await service();
  const res = await refresh(s.app, "other=1");
  assert.equal(res.status, 401);
  assert.match(res.headers.get("Set-Cookie") ?? "", /Max-Age=0/);
});
