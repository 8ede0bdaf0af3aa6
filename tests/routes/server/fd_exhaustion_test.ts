import assert from "node:assert/strict";
import { startServer } from "./_server_process.ts";

/** Opens `count` loopback sockets that each send one request line and never finish the head. */
async function slowClients(port: number, count: number): Promise<Deno.Conn[]> {
  const line = new TextEncoder().encode("GET /api/health HTTP/1.1\r\n");
  const conns: Deno.Conn[] = [];
  for (let i = 0; i < count; i++) {
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      conns.push(conn);
      await conn.write(line).catch(() => {});
    } catch {
      // The backlog is full: that client is refused, which is fine.
    }
  }
  return conns;
}

Deno.test({
  name: "300 half-open connections under ulimit -n 256: the server keeps serving",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    // A cap above what the descriptors allow, so that accept does meet EMFILE.
    const server = await startServer(
      { HEADER_TIMEOUT_MS: "1500", MAX_CONNECTIONS: "1000" },
      { ulimit: 256 },
    );
    let conns: Deno.Conn[] = [];
    try {
      conns = await slowClients(server.port, 300);
      assert.ok(conns.length >= 256, `only ${conns.length} sockets connected`);
      // Past the header deadline the held connections are closed and accepting resumes.
      await new Promise((r) => setTimeout(r, 3000));
      assert.ok(server.alive(), `the server exited:\n${server.stderr()}`);
      const res = await fetch(`${server.url}/api/health`, { signal: AbortSignal.timeout(5000) });
      assert.equal(res.status, 200);
      assert.equal((await res.json()).status, "healthy");
      assert.match(server.stderr(), /accept failed/);
      assert.doesNotMatch(server.stderr(), /Uncaught/);
    } finally {
      for (const c of conns) {
        try {
          c.close();
        } catch { /* closed by the server */ }
      }
      assert.equal(await server.stop(), 0);
    }
  },
});
