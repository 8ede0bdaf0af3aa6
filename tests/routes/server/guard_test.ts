import assert from "node:assert/strict";
import { type GuardLimits, serveGuarded } from "../../../routes/server/guard.ts";

const LIMITS: GuardLimits = {
  maxConnections: 4,
  headerTimeoutMs: 400,
  idleTimeoutMs: 600,
  requestTimeoutMs: 5_000,
  maxHeaderBytes: 4096,
  maxBodyBytes: 1000,
};

/** A guarded echo server: answers the client address and the body's length it received. */
function echoServer(limits: Partial<GuardLimits> = {}) {
  const received = { bodies: 0 };
  const server = serveGuarded(
    { hostname: "127.0.0.1", port: 0, ...LIMITS, ...limits, log: () => {} },
    async (req, info) => {
      const body = new Uint8Array(await req.arrayBuffer());
      received.bodies++;
      return Response.json({ address: info.remoteAddr.hostname, bytes: body.length });
    },
  );
  return {
    server,
    received,
    url: `http://127.0.0.1:${server.addr.port}`,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

/** Sends `text` on a raw socket and reads until the server closes or `ms` pass. */
async function raw(port: number, text: string | Uint8Array, ms = 3000) {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const bytes = typeof text === "string" ? new TextEncoder().encode(text) : text;
  const started = performance.now();
  await conn.write(bytes).catch(() => {});
  const chunks: Uint8Array[] = [];
  const timer = setTimeout(() => conn.close(), ms);
  let closedByServer = false;
  try {
    const buf = new Uint8Array(65536);
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) {
        closedByServer = true;
        break;
      }
      chunks.push(buf.slice(0, n));
    }
  } catch {
    // Closed by the timer (or reset by the server).
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch { /* closed */ }
  }
  const text_ = new TextDecoder().decode(
    chunks.reduce((a, b) => new Uint8Array([...a, ...b]), new Uint8Array()),
  );
  const [head = "", body = ""] = text_.split("\r\n\r\n");
  return { head, body, closedByServer, ms: performance.now() - started };
}

Deno.test("guard: keep-alive requests, bodies by length and chunked, the client's address", async () => {
  await using s = echoServer();
  for (let i = 0; i < 3; i++) {
    const res = await fetch(`${s.url}/x`);
    assert.deepEqual(await res.json(), { address: "127.0.0.1", bytes: 0 });
  }
  const sized = await fetch(`${s.url}/x`, { method: "POST", body: "a".repeat(500) });
  assert.equal((await sized.json()).bytes, 500);
  const stream = new ReadableStream({
    start(c) {
      c.enqueue(new TextEncoder().encode("abc"));
      c.enqueue(new TextEncoder().encode("defg"));
      c.close();
    },
  });
  const chunked = await fetch(`${s.url}/x`, { method: "POST", body: stream });
  assert.equal((await chunked.json()).bytes, 7);
});

Deno.test("guard: Content-Length over the limit is a 413 before any of the body is read", async () => {
  await using s = echoServer();
  const res = await raw(
    s.server.addr.port,
    "POST /x HTTP/1.1\r\nHost: a\r\nX-Request-Id: big-1\r\nContent-Length: 100000000\r\n\r\n" +
      "x".repeat(1000),
  );
  assert.match(res.head, /^HTTP\/1\.1 413 /);
  assert.match(res.head, /x-request-id: big-1/i);
  const body = JSON.parse(res.body);
  assert.equal(body.code, "PAYLOAD_TOO_LARGE");
  assert.equal(body.status, 413);
  assert.equal(body.details.limit_bytes, 1000);
  assert.equal(body.request_id, "big-1");
  assert.ok(res.closedByServer);
  assert.equal(s.received.bodies, 0);
});

Deno.test("guard: a 3 MB header is a 431 and CL with TE a 400, in the error body", async () => {
  await using s = echoServer();
  const big = await raw(
    s.server.addr.port,
    `GET /x HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer ${"a".repeat(3_000_000)}\r\n\r\n`,
  );
  assert.match(big.head, /^HTTP\/1\.1 431 /);
  assert.match(big.head, /x-request-id: [0-9a-f-]{36}/i);
  const body = JSON.parse(big.body);
  assert.equal(body.code, "HEADERS_TOO_LARGE");
  assert.equal(body.status, 431);
  assert.equal(typeof body.request_id, "string");

  const smuggle = await raw(
    s.server.addr.port,
    "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
  );
  assert.match(smuggle.head, /^HTTP\/1\.1 400 /);
  assert.equal(JSON.parse(smuggle.body).code, "BAD_REQUEST");
  assert.equal(s.received.bodies, 0);
});

Deno.test("guard: an unfinished head is closed at the header deadline; a cap refuses with 503", async () => {
  await using s = echoServer({ maxConnections: 2 });
  const port = s.server.addr.port;
  const slow = [raw(port, "GET /x HTTP/1.1\r\n"), raw(port, "GET /x HTTP/1.1\r\n")];
  await new Promise((r) => setTimeout(r, 100));
  const over = await raw(port, "GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
  assert.match(over.head, /^HTTP\/1\.1 503 /);
  assert.match(over.head, /retry-after: 1/i);
  assert.equal(JSON.parse(over.body).code, "TOO_MANY_CONNECTIONS");
  for (const r of await Promise.all(slow)) {
    assert.ok(r.closedByServer, "the server closed the slow connection");
    assert.ok(r.ms < 2000, `closed after ${r.ms} ms`);
  }
  // Room again once the slow ones are gone.
  await new Promise((r) => setTimeout(r, 50));
  assert.equal((await (await fetch(`${s.url}/x`)).json()).bytes, 0);
});

Deno.test("guard: an idle keep-alive connection is closed after the idle limit", async () => {
  await using s = echoServer();
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: s.server.addr.port });
  await conn.write(new TextEncoder().encode("GET /x HTTP/1.1\r\nHost: a\r\n\r\n"));
  const buf = new Uint8Array(4096);
  assert.ok((await conn.read(buf))! > 0);
  const started = performance.now();
  while ((await conn.read(buf).catch(() => null)) !== null) { /* drain */ }
  const waited = performance.now() - started;
  conn.close();
  assert.ok(waited >= 400 && waited < 2500, `closed after ${waited} ms`);
});
