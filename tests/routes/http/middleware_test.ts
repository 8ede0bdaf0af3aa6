import assert from "node:assert/strict";
import { z } from "zod";
import {
  type AccessLogEntry,
  clientAddressFrom,
  parseOrigins,
} from "../../../routes/http/middleware.ts";
import {
  type AppDeps,
  createApp,
  DEFAULT_MAX_BODY_BYTES,
  type Principal,
} from "../../../routes/mod.ts";
import { limitBody, validate } from "../../../routes/http/validation.ts";

const T0 = Date.UTC(2026, 0, 12, 12, 0, 0);
const ORIGIN = "https://app.example.com";

function testApp(deps: Partial<AppDeps> = {}) {
  const lines: string[] = [];
  const app = createApp({
    compute: { info: { name: "cpu", description: "test" } },
    clock: () => T0,
    logger: (line) => lines.push(line),
    ...deps,
  });
  return { app, lines };
}

async function drain(res: Response): Promise<Response> {
  await res.body?.cancel();
  return res;
}

Deno.test("CORS: an allow-listed origin is echoed, without credentials", async () => {
  const { app } = testApp({ cors: { origins: [ORIGIN] } });
  const res = await drain(await app.request("/api/health", { headers: { Origin: ORIGIN } }));
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("Access-Control-Allow-Origin"), ORIGIN);
  assert.equal(res.headers.get("Access-Control-Allow-Credentials"), null);
  assert.match(res.headers.get("Vary") ?? "", /Origin/);
  assert.match(res.headers.get("Access-Control-Expose-Headers") ?? "", /X-RateLimit-Remaining/);
});

Deno.test("CORS: another origin gets no Access-Control-Allow-Origin", async () => {
  const { app } = testApp({ cors: { origins: [ORIGIN] } });
  for (const origin of ["https://evil.example", "https://app.example.com.evil.example", "null"]) {
    const res = await drain(await app.request("/api/health", { headers: { Origin: origin } }));
    assert.equal(res.status, 200, origin);
    assert.equal(res.headers.get("Access-Control-Allow-Origin"), null, origin);
    assert.equal(res.headers.get("Access-Control-Allow-Credentials"), null, origin);
  }
});

Deno.test("CORS: a preflight is answered 204 before anything else", async () => {
  const { app } = testApp({ cors: { origins: [ORIGIN] } });
  const res = await app.request("/api/clusters/run", {
    method: "OPTIONS",
    headers: {
      Origin: ORIGIN,
      "Access-Control-Request-Method": "POST",
      "Access-Control-Request-Headers": "authorization, content-type",
    },
  });
  assert.equal(res.status, 204);
  assert.equal(res.headers.get("Access-Control-Allow-Origin"), ORIGIN);
  assert.match(res.headers.get("Access-Control-Allow-Methods") ?? "", /POST/);
  assert.match(res.headers.get("Access-Control-Allow-Headers") ?? "", /Authorization/);
  assert.match(res.headers.get("Access-Control-Allow-Headers") ?? "", /X-Customer-Api-Id/);
  assert.equal(res.headers.get("Access-Control-Max-Age"), "600");
  assert.equal(res.headers.get("Access-Control-Allow-Credentials"), null);
});

Deno.test("CORS: the wildcard allows any origin as '*', never with credentials", async () => {
  const { app } = testApp({ cors: { origins: ["*"] } });
  const res = await drain(
    await app.request("/api/health", { headers: { Origin: "https://any.example" } }),
  );
  assert.equal(res.headers.get("Access-Control-Allow-Origin"), "*");
  assert.equal(res.headers.get("Access-Control-Allow-Credentials"), null);
});

Deno.test("CORS: without configuration no CORS header is sent", async () => {
  const { app } = testApp();
  const res = await drain(await app.request("/api/health", { headers: { Origin: ORIGIN } }));
  assert.equal(res.headers.get("Access-Control-Allow-Origin"), null);
});

Deno.test("a request slower than the time limit answers 503 timeout in the error body", async () => {
  const { app } = testApp({ timeoutMs: 20 });
  const { promise: release, resolve } = Promise.withResolvers<void>();
  let finished = false;
  app.get("/test/slow", async (c) => {
    await release;
    finished = true;
    return c.json({ late: true });
  });
  app.get("/test/fast", (c) => c.json({ ok: true }));

  const res = await app.request("/test/slow");
  assert.equal(res.status, 503);
  const body = await res.json();
  assert.equal(body.code, "TIMEOUT");
  assert.equal(body.status, 503);
  assert.deepEqual(body.details, { timeout_ms: 20 });
  assert.equal(body.request_id, res.headers.get("X-Request-Id"));
  assert.equal(res.headers.get("X-Content-Type-Options"), "nosniff");

  // The handler was not stopped: it finishes, and its answer goes nowhere.
  resolve();
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(finished, true);
  assert.equal((await drain(await app.request("/test/fast"))).status, 200);
});

Deno.test("a time limit of 0 turns it off", async () => {
  const { app } = testApp({ timeoutMs: 0 });
  app.get("/test/slow", async (c) => {
    await new Promise((r) => setTimeout(r, 30));
    return c.json({ ok: true });
  });
  assert.equal((await drain(await app.request("/test/slow"))).status, 200);
});

Deno.test("the access log has one JSON line per request with the route pattern, not the path", async () => {
  const entries: AccessLogEntry[] = [];
  const { app } = testApp({ accessLog: (line) => entries.push(JSON.parse(line)) });
  app.use("/test/*", async (c, next) => {
    const principal: Principal = { tenantId: "tenant-a", kind: "user", id: "u1" };
    if (c.req.header("X-Test-User")) c.set("principal", principal);
    await next();
  });
  app.get("/test/runs/:id", (c) => c.json({ id: c.req.param("id") }));
  app.get("/test/crash", () => {
    throw new Error("boom");
  });

  await drain(
    await app.request("/test/runs/run_123?secret=x", {
      headers: { "X-Request-Id": "req-1", "X-Test-User": "u1" },
    }),
  );
  await drain(await app.request("/test/crash", { headers: { "X-Request-Id": "req-2" } }));
  await drain(await app.request("/nowhere", { headers: { "X-Request-Id": "req-3" } }));
  await drain(await app.request("/api/health", { method: "HEAD" }));
  await drain(await app.request("/docs"));

  assert.equal(entries.length, 5);
  const [run, crash, missing, head, docs] = entries;
  assert.deepEqual(Object.keys(run!).sort(), [
    "method",
    "ms",
    "request_id",
    "route",
    "status",
    "tenant",
    "ts",
  ]);
  assert.deepEqual({ ...run!, ms: 0 }, {
    ts: new Date(T0).toISOString(),
    request_id: "req-1",
    tenant: "tenant-a",
    method: "GET",
    route: "/test/runs/:id",
    status: 200,
    ms: 0,
  });
  assert.ok(run!.ms >= 0);
  assert.deepEqual([crash!.route, crash!.status, crash!.tenant], ["/test/crash", 500, null]);
  assert.deepEqual([missing!.route, missing!.status], [null, 404]);
  assert.deepEqual([head!.method, head!.route, head!.status], ["HEAD", "/api/health", 200]);
  // `/docs/*` matches `/docs` too; the route that answered is the one logged.
  assert.equal(docs!.route, "/docs");
});

Deno.test("the access log records a timed-out request as 503", async () => {
  const lines: string[] = [];
  const { app } = testApp({ timeoutMs: 10, accessLog: (line) => lines.push(line) });
  const { promise: release, resolve } = Promise.withResolvers<void>();
  app.get("/test/slow", async (c) => {
    await release;
    return c.json({});
  });
  await drain(await app.request("/test/slow"));
  resolve();
  assert.equal(lines.length, 1);
  const entry = JSON.parse(lines[0]!) as AccessLogEntry;
  assert.deepEqual([entry.route, entry.status], ["/test/slow", 503]);
});

const Sized = z.strictObject({ pad: z.string() });

function jsonOfSize(bytes: number): string {
  const envelope = '{"pad":""}';
  return `{"pad":"${"x".repeat(bytes - envelope.length)}"}`;
}

function sizedApp() {
  const { app } = testApp({ timeoutMs: 0 });
  app.post("/test/sized", validate("json", Sized), (c) => {
    return c.json({ length: c.req.valid("json").pad.length });
  });
  return app;
}

Deno.test("a JSON body of exactly the default limit (64 MiB) is accepted", async () => {
  const app = sizedApp();
  const text = jsonOfSize(DEFAULT_MAX_BODY_BYTES);
  assert.equal(new TextEncoder().encode(text).byteLength, DEFAULT_MAX_BODY_BYTES);
  const res = await app.request("/test/sized", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: text,
  });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { length: DEFAULT_MAX_BODY_BYTES - 10 });
});

Deno.test("a body of the default limit + 1 byte answers 413 with or without Content-Length, then the next request is served", async () => {
  const app = sizedApp();
  const bytes = new TextEncoder().encode(jsonOfSize(DEFAULT_MAX_BODY_BYTES + 1));
  assert.equal(bytes.byteLength, DEFAULT_MAX_BODY_BYTES + 1);

  const withLength = await app.request("/test/sized", {
    method: "POST",
    headers: { "Content-Type": "application/json", "Content-Length": String(bytes.byteLength) },
    body: bytes,
  });
  assert.equal(withLength.status, 413);
  const body = await withLength.json();
  assert.equal(body.code, "PAYLOAD_TOO_LARGE");
  assert.deepEqual(body.details, { limit_bytes: DEFAULT_MAX_BODY_BYTES });

  // Streamed in 1 MiB chunks with no Content-Length: counted as it arrives.
  const chunk = 1024 * 1024;
  let offset = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.byteLength) return controller.close();
      controller.enqueue(bytes.subarray(offset, offset + chunk));
      offset += chunk;
    },
  });
  const chunked = await app.request("/test/sized", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: stream,
  });
  assert.equal(chunked.status, 413);
  assert.equal((await chunked.json()).code, "PAYLOAD_TOO_LARGE");

  const next = await app.request("/test/sized", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: '{"pad":"ok"}',
  });
  assert.equal(next.status, 200);
  assert.deepEqual(await next.json(), { length: 2 });
  assert.equal((await drain(await app.request("/api/health"))).status, 200);
});

Deno.test("a route's own smaller body limit applies before its body is read", async () => {
  const { app } = testApp();
  app.post("/test/small", limitBody(16), validate("json", Sized), (c) => c.json({ ok: true }));
  const big = await app.request("/test/small", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: new Blob([jsonOfSize(17)]).stream(),
  });
  assert.equal(big.status, 413);
  assert.deepEqual((await big.json()).details, { limit_bytes: 16 });
  const fits = await drain(
    await app.request("/test/small", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: jsonOfSize(16),
    }),
  );
  assert.equal(fits.status, 200);
});

Deno.test("the global body limit is configurable", async () => {
  const { app } = testApp({ maxBodyBytes: 100 });
  app.post("/test/sized", validate("json", Sized), (c) => c.json({ ok: true }));
  const res = await app.request("/test/sized", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: jsonOfSize(101),
  });
  assert.equal(res.status, 413);
  assert.deepEqual((await res.json()).details, { limit_bytes: 100 });
});

Deno.test("a Content-Length that understates the body is not trusted beside Transfer-Encoding", async () => {
  const { app } = testApp({ maxBodyBytes: 100 });
  app.post("/test/sized", validate("json", Sized), (c) => c.json({ ok: true }));
  const res = await app.request("/test/sized", {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "Content-Length": "10",
      "Transfer-Encoding": "chunked",
    },
    body: new Blob([jsonOfSize(500)]).stream(),
  });
  assert.equal(res.status, 413);
  assert.equal((await res.json()).code, "PAYLOAD_TOO_LARGE");
});

Deno.test("parseOrigins reads a comma-separated allow-list of exact origins", () => {
  assert.deepEqual(parseOrigins(" https://app.example.com , http://localhost:5173,"), [
    "https://app.example.com",
    "http://localhost:5173",
  ]);
  assert.deepEqual(parseOrigins("*"), ["*"]);
  assert.deepEqual(parseOrigins(""), []);
  for (
    const bad of [
      "https://app.example.com/",
      "app.example.com",
      "ftp://x.example",
      "https://*.example.com",
      "https://a.example/path",
    ]
  ) {
    assert.throws(() => parseOrigins(bad), (error: Error) => {
      assert.ok(error instanceof RangeError, bad);
      assert.ok(error.message.endsWith(`but found "${bad}"`), error.message);
      return true;
    });
  }
});

Deno.test("clientAddressFrom trusts X-Forwarded-For only when told to", async () => {
  const headers = { "X-Forwarded-For": "198.51.100.7, 10.0.0.1" };
  const env = { remoteAddr: { hostname: "10.0.0.1" } };
  const request = (trustProxy: boolean, init: HeadersInit = headers) => {
    const { app } = testApp();
    const address = clientAddressFrom({ trustProxy });
    app.get("/test/address", (c) => c.text(address(c)));
    return app.request("/test/address", { headers: init }, env);
  };
  assert.equal(await (await request(false)).text(), "10.0.0.1");
  assert.equal(await (await request(true)).text(), "198.51.100.7");
  assert.equal(await (await request(true, {})).text(), "10.0.0.1");
});
