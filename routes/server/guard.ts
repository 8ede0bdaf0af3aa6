/**
 * A connection guard in front of `Deno.serve`, which (Deno 2.9) has no header, idle or request
 * timeouts, no connection cap and no way to survive running out of file descriptors: its accept
 * loop rejects `finished` on EMFILE and the server is gone. The guard owns the public socket:
 *
 * - it accepts in its own loop, which survives accept errors (EMFILE: back off, keep going) and
 *   refuses connections over `maxConnections` with a 503;
 * - it reads each request head under a deadline (`headerTimeoutMs`) and a size cap
 *   (`maxHeaderBytes`, else 431), refuses Content-Length over `maxBodyBytes` (413) before any
 *   of the body is read and ambiguous framing (Content-Length with Transfer-Encoding: 400),
 *   all in the project's error body;
 * - it passes complete heads, and bodies framed by them, to the app's `Deno.serve` on a
 *   loopback port of its own, and pipes the answers back; a keep-alive connection with nothing
 *   to do for `idleTimeoutMs`, a body that stalls as long, a request not read in full within
 *   `requestTimeoutMs` and a client that stops reading its answer are closed.
 *
 * The app sees the real client address: the guard maps each inner connection's local port to
 * its client, and the inner server refuses connections it did not make.
 *
 * @module
 */
import { headEnd, HeadError, parseHead, rawErrorResponse, type RequestHead } from "./head.ts";

/** Limits of the guard (each has an environment variable in `main.ts`). */
export interface GuardLimits {
  /** Connections served at once; more are answered 503 and closed. */
  maxConnections: number;
  /** Time from a connection's first byte of a request (or its accept) to the head's end. */
  headerTimeoutMs: number;
  /** Time a connection may sit with nothing to read or write (and no answer pending). */
  idleTimeoutMs: number;
  /** Time to read one request in full, head and body. */
  requestTimeoutMs: number;
  /** Largest request head (request line and headers). */
  maxHeaderBytes: number;
  /** Largest body a Content-Length may announce. */
  maxBodyBytes: number;
}

/** The defaults of `GuardLimits` but `maxConnections` (see `safeConnectionCap`). */
export const DEFAULT_GUARD_LIMITS: Omit<GuardLimits, "maxConnections" | "maxBodyBytes"> = {
  headerTimeoutMs: 10_000,
  idleTimeoutMs: 30_000,
  requestTimeoutMs: 300_000,
  maxHeaderBytes: 32 * 1024,
};

/** Options of `serveGuarded`. */
export interface GuardOptions extends GuardLimits {
  hostname: string;
  port: number;
  onListen?: (addr: Deno.NetAddr) => void;
  /** Receives diagnostic lines (accept errors, a restarted inner server). */
  log?: (line: string) => void;
}

/** A running guarded server. */
export interface GuardedServer {
  readonly addr: Deno.NetAddr;
  /** Resolves once `shutdown` has finished. */
  readonly finished: Promise<void>;
  /** Counters for tests and the benchmark. */
  readonly stats: { active: number; refused: number; acceptErrors: number; timedOut: number };
  /** Stops accepting, lets requests in flight finish, closes every connection. */
  shutdown(): Promise<void>;
}

/**
 * Serves `handler` behind the guard on `hostname:port`. The handler gets the client's address
 * as `info.remoteAddr`, as with `Deno.serve`.
 *
 * @throws {Deno.errors.AddrInUse} and the other errors of `Deno.listen`.
 */
export function serveGuarded(
  options: GuardOptions,
  handler: Deno.ServeHandler<Deno.NetAddr>,
): GuardedServer {
  const log = options.log ?? console.error;
  const listener = Deno.listen({ hostname: options.hostname, port: options.port });
  const addr = listener.addr;
  const peers = new Map<number, Deno.NetAddr>();
  const conns = new Set<Connection>();
  const stats = { active: 0, refused: 0, acceptErrors: 0, timedOut: 0 };
  let closing = false;

  // The app's server, on a loopback port only the guard connects to. Restarted if it dies (it
  // too can meet EMFILE in its accept loop).
  let inner!: Deno.HttpServer<Deno.NetAddr>;
  const startInner = () => {
    inner = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req, info) => {
      const peer = peers.get(info.remoteAddr.port);
      if (!peer) return new Response("Forbidden", { status: 403 });
      return handler(req, { ...info, remoteAddr: peer });
    });
    inner.finished.catch((error) => {
      if (closing) return;
      log(`connection guard: the inner server stopped (${error}); starting another`);
      startInner();
    });
  };
  startInner();

  const sweep = setInterval(() => {
    const now = performance.now();
    for (const c of conns) {
      if (c.expired(now, options)) {
        stats.timedOut++;
        c.close();
      }
    }
  }, Math.max(50, Math.min(1000, options.headerTimeoutMs / 4)));

  const accepting = (async () => {
    let backoffMs = 10;
    for (;;) {
      let conn: Deno.TcpConn;
      try {
        conn = await listener.accept();
      } catch (error) {
        if (closing || error instanceof Deno.errors.BadResource) return;
        // Out of descriptors (or another passing accept error): wait for some to close.
        stats.acceptErrors++;
        if (stats.acceptErrors === 1 || stats.acceptErrors % 1000 === 0) {
          log(`connection guard: accept failed (${stats.acceptErrors} so far): ${error}`);
        }
        await new Promise((r) => setTimeout(r, backoffMs));
        backoffMs = Math.min(1000, backoffMs * 2);
        continue;
      }
      backoffMs = 10;
      if (stats.active >= options.maxConnections) {
        stats.refused++;
        refuse(conn);
        continue;
      }
      const c = new Connection(conn);
      conns.add(c);
      stats.active++;
      c.serve(options, () => inner.addr.port, peers).finally(() => {
        conns.delete(c);
        stats.active--;
      });
    }
  })();

  options.onListen?.(addr);
  let finished!: Promise<void>;
  const shutdown = () => {
    if (closing) return finished;
    closing = true;
    finished = (async () => {
      listener.close();
      await accepting;
      clearInterval(sweep);
      // Idle keep-alive connections would hold the inner server's shutdown open.
      for (const c of conns) if (c.idle()) c.close();
      await inner.shutdown();
      for (const c of conns) c.close();
    })();
    return finished;
  };
  let resolveFinished!: () => void;
  const whenFinished = new Promise<void>((r) => resolveFinished = r);
  return {
    addr,
    finished: whenFinished,
    stats,
    shutdown: () => shutdown().then(resolveFinished),
  };
}

/**
 * A cap on connections that cannot exhaust `openFiles` descriptors: each proxied connection
 * holds three (the client's, the guard's to the app, the app's end of it), and `reserve` are
 * left for the store, workers, files and the listeners.
 */
export function safeConnectionCap(openFiles: number, reserve = 128): number {
  return Math.max(16, Math.floor((openFiles - reserve) / 3));
}

/** The soft limit on open files of this process (Linux), or undefined where unknown. */
export function openFileLimit(): number | undefined {
  try {
    const limits = Deno.readTextFileSync("/proc/self/limits");
    const soft = /^Max open files\s+(\d+|unlimited)/m.exec(limits)?.[1];
    return soft === undefined || soft === "unlimited" ? undefined : Number(soft);
  } catch {
    return undefined;
  }
}

function refuse(conn: Deno.Conn): void {
  const answer = rawErrorResponse(
    503,
    "too_many_connections",
    "The server is at its connection limit; retry shortly",
    {
      headers: { "retry-after": "1" },
    },
  );
  conn.write(answer).catch(() => {}).finally(() => {
    try {
      conn.close();
    } catch {
      // Already closed by the peer.
    }
  });
}

type Phase = "head" | "body" | "closed";

/** One client connection: its head reader, its deadlines and its pipe to the app. */
class Connection {
  #conn: Deno.TcpConn;
  #inner: Deno.TcpConn | undefined;
  #buf: Uint8Array = new Uint8Array(0);
  #phase: Phase = "head";
  /** When the current phase's clock started (performance.now()). */
  #since = performance.now();
  #requestStart = performance.now();
  #lastActivity = performance.now();
  /** True from forwarding a request until its answer starts. */
  #awaiting = false;
  #writeStarted = 0;
  #firstByteSeen = false;
  #requestCount = 0;

  constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
  }

  /** Whether this connection is past a deadline of `limits` at `now`. */
  expired(now: number, limits: GuardLimits): boolean {
    if (this.#writeStarted > 0 && now - this.#writeStarted > limits.idleTimeoutMs) return true;
    switch (this.#phase) {
      case "head":
        if (this.#firstByteSeen) return now - this.#since > limits.headerTimeoutMs;
        if (this.#requestCount === 0) return now - this.#since > limits.headerTimeoutMs;
        // A kept-alive connection between requests: idle once its last answer has started.
        return !this.#awaiting && now - this.#lastActivity > limits.idleTimeoutMs;
      case "body":
        return now - this.#lastActivity > limits.idleTimeoutMs ||
          now - this.#requestStart > limits.requestTimeoutMs;
      default:
        return false;
    }
  }

  /** Whether nothing is in flight (safe to close at shutdown). */
  idle(): boolean {
    return this.#phase === "head" && !this.#firstByteSeen && !this.#awaiting;
  }

  close(): void {
    this.#phase = "closed";
    for (const c of [this.#conn, this.#inner]) {
      try {
        c?.close();
      } catch {
        // Already closed.
      }
    }
  }

  async serve(
    limits: GuardLimits,
    innerPort: () => number,
    peers: Map<number, Deno.NetAddr>,
  ): Promise<void> {
    let pump: Promise<void> | undefined;
    let innerLocalPort: number | undefined;
    try {
      for (;;) {
        this.#phase = "head";
        this.#since = performance.now();
        this.#firstByteSeen = this.#buf.length > 0;
        const headBytes = await this.#readHead(limits);
        if (headBytes === null) break;
        let head: RequestHead;
        try {
          head = parseHead(headBytes);
        } catch (error) {
          if (!(error instanceof HeadError)) throw error;
          await this.#answer(rawErrorResponse(error.status, error.error, error.message));
          break;
        }
        if (head.body.kind === "length" && head.body.bytes > limits.maxBodyBytes) {
          await this.#answer(rawErrorResponse(
            413,
            "payload_too_large",
            `Expected a request body of at most ${limits.maxBodyBytes} bytes`,
            { details: { limit_bytes: limits.maxBodyBytes }, requestId: head.requestId },
          ));
          break;
        }
        if (!this.#inner) {
          try {
            this.#inner = await Deno.connect({ hostname: "127.0.0.1", port: innerPort() });
          } catch {
            await this.#answer(rawErrorResponse(
              503,
              "service_unavailable",
              "The server is out of resources; retry shortly",
              { requestId: head.requestId, headers: { "retry-after": "1" } },
            ));
            break;
          }
          innerLocalPort = (this.#inner.localAddr as Deno.NetAddr).port;
          peers.set(innerLocalPort, this.#conn.remoteAddr as Deno.NetAddr);
          pump = this.#pump(this.#inner);
        }
        this.#requestCount++;
        this.#awaiting = true;
        this.#phase = "body";
        this.#lastActivity = performance.now();
        await writeAll(this.#inner, headBytes);
        const complete = head.body.kind === "length"
          ? await this.#copy(this.#inner, head.body.bytes)
          : await this.#copyChunked(this.#inner, limits.maxBodyBytes);
        if (!complete) break;
        // The next head is read while the answer may still be on its way.
      }
    } catch {
      // A closed or reset socket: nothing to answer.
    } finally {
      if (pump && this.#phase !== "closed") {
        // Let an answer already on its way reach the client, within the idle limit.
        try {
          this.#inner?.closeWrite();
        } catch {
          // Closed already.
        }
        await Promise.race([pump, new Promise((r) => setTimeout(r, limits.idleTimeoutMs))]);
      }
      this.close();
      if (innerLocalPort !== undefined) peers.delete(innerLocalPort);
      await pump;
    }
  }

  async #readHead(limits: GuardLimits): Promise<Uint8Array | null> {
    let searched = 0;
    for (;;) {
      const end = headEnd(this.#buf, searched);
      if (end >= 0) {
        const head = this.#buf.subarray(0, end);
        this.#buf = this.#buf.slice(end);
        if (end > limits.maxHeaderBytes) throw await this.#tooLarge(limits);
        return head;
      }
      if (this.#buf.length > limits.maxHeaderBytes) throw await this.#tooLarge(limits);
      searched = Math.max(0, this.#buf.length - 3);
      const chunk = await this.#read();
      if (chunk === null) return null;
      if (!this.#firstByteSeen) {
        this.#firstByteSeen = true;
        this.#since = performance.now();
        this.#requestStart = this.#since;
      }
      this.#buf = concat(this.#buf, chunk);
    }
  }

  async #tooLarge(limits: GuardLimits): Promise<Error> {
    await this.#answer(rawErrorResponse(
      431,
      "headers_too_large",
      `Expected request headers of at most ${limits.maxHeaderBytes} bytes`,
      { details: { limit_bytes: limits.maxHeaderBytes } },
    ));
    return new Error("head too large");
  }

  /** Copies `bytes` of body to `to`; false when the client went away first. */
  async #copy(to: Deno.Conn, bytes: number): Promise<boolean> {
    let left = bytes;
    while (left > 0) {
      const chunk = await this.#take(left);
      if (chunk === null) return false;
      await writeAll(to, chunk);
      left -= chunk.length;
    }
    return true;
  }

  /** Copies a chunked body verbatim, framing it to find its end; false when cut short. */
  async #copyChunked(to: Deno.Conn, maxBytes: number): Promise<boolean> {
    let total = 0;
    for (;;) {
      const line = await this.#line();
      if (line === null) return false;
      await writeAll(to, line);
      const size = parseInt(latin1Line(line).split(";")[0]!.trim(), 16);
      if (!Number.isFinite(size) || size < 0) return false;
      if (size === 0) {
        // Trailers, then the blank line.
        for (;;) {
          const trailer = await this.#line();
          if (trailer === null) return false;
          await writeAll(to, trailer);
          if (trailer.length === 2) return true;
        }
      }
      total += size;
      // The app answers 413 once it has counted past its limit; stop reading here too.
      if (total > maxBytes + 65_536) return false;
      if (!await this.#copy(to, size + 2)) return false;
    }
  }

  async #line(): Promise<Uint8Array | null> {
    for (;;) {
      const nl = this.#buf.indexOf(10);
      if (nl >= 0) {
        const line = this.#buf.slice(0, nl + 1);
        this.#buf = this.#buf.slice(nl + 1);
        return line;
      }
      if (this.#buf.length > 4096) return null;
      const chunk = await this.#read();
      if (chunk === null) return null;
      this.#buf = concat(this.#buf, chunk);
    }
  }

  async #take(max: number): Promise<Uint8Array | null> {
    if (this.#buf.length === 0) {
      const chunk = await this.#read();
      if (chunk === null) return null;
      this.#buf = chunk;
    }
    const out = this.#buf.subarray(0, Math.min(max, this.#buf.length));
    this.#buf = this.#buf.subarray(out.length);
    return out;
  }

  async #read(): Promise<Uint8Array | null> {
    const buf = new Uint8Array(16 * 1024);
    const n = await this.#conn.read(buf);
    if (n === null) return null;
    this.#lastActivity = performance.now();
    return buf.subarray(0, n);
  }

  /** Writes a final answer of the guard's own; the connection closes after it. */
  async #answer(bytes: Uint8Array): Promise<void> {
    this.#writeStarted = performance.now();
    try {
      await writeAll(this.#conn, bytes);
    } catch {
      // The client is gone.
    }
    this.#writeStarted = 0;
    await this.#linger();
    this.#phase = "closed";
  }

  /**
   * Reads and drops what the client is still sending, for at most 1 s and 1 MiB, before the
   * close: closing with unread bytes makes the kernel send a reset, and the client may lose the
   * answer it was sent.
   */
  async #linger(): Promise<void> {
    try {
      this.#conn.closeWrite();
    } catch {
      return;
    }
    const timer = setTimeout(() => this.close(), 1000);
    try {
      let dropped = 0;
      while (dropped < 1 << 20) {
        const chunk = await this.#read();
        if (chunk === null) break;
        dropped += chunk.length;
      }
    } catch {
      // Closed by the timer or the client.
    } finally {
      clearTimeout(timer);
    }
  }

  /** Pipes the app's answers to the client until either side closes. */
  async #pump(inner: Deno.Conn): Promise<void> {
    const buf = new Uint8Array(64 * 1024);
    try {
      for (;;) {
        const n = await inner.read(buf);
        if (n === null) break;
        this.#awaiting = false;
        this.#lastActivity = performance.now();
        this.#writeStarted = this.#lastActivity;
        await writeAll(this.#conn, buf.subarray(0, n));
        this.#writeStarted = 0;
        this.#lastActivity = performance.now();
      }
    } catch {
      // Either side closed.
    } finally {
      // The app closed (after a `Connection: close` answer, say): so does the client's side.
      this.close();
    }
  }
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) written += await conn.write(bytes.subarray(written));
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function latin1Line(bytes: Uint8Array): string {
  return String.fromCharCode(...bytes.subarray(0, Math.min(bytes.length, 256)));
}
