/**
 * Load and faults against real server processes (`main.ts`) on loopback, each on a temporary KV
 * file; every phase is bounded in time and count and the benchmark stops by itself:
 *
 * 1. `--seconds` (default 30) of mixed load from fetch loops at a fixed concurrency (`--clients`,
 *    default 16: 6 on `GET /api/health`, 6 on `GET /api/runs/{id}` with an API key, 4 on a
 *    1,000-customer document-000 segmentation); per endpoint requests, p50/p99, non-2xx, 5xx;
 * 2. during the middle third of that load, 300 sockets that send one request line and stall:
 *    health p50/p99 in that window, and whether the server stayed up;
 * 3. 40 concurrent wrong-password logins (two users, 40 client addresses by `X-Forwarded-For`,
 *    `TRUST_PROXY=true`): health p50/p99 while they run;
 * 4. `kill -9` at three stages of async jobs (`Prefer: respond-async`): right after the 202s,
 *    mid-compute and near the end of the first job; restart on the same KV file and poll until
 *    every job is final: jobs lost, failed (with reason), succeeded;
 * 5. two and four instances on one KV file, the load round-robin over them for half of
 *    `--seconds`: 5xx count, and 60 concurrent `GET /api/export` against `RATE_LIMIT_EXPORT=30/hour`
 *    (exactly 30 must be admitted).
 *
 * VmHWM / VmRSS of every server process when it is ready and before it stops.
 *
 *   deno run -A bench/load_fault.ts [--seconds 30] [--clients 16]
 */
import { parseArgs } from "node:util";
import { createApiKey, createTenant, DEFAULT_PASSWORD_COST } from "../domain/auth/mod.ts";
import { openStore } from "../storage/mod.ts";
import { type BenchServer, memoryOf, startBenchServer } from "./_fault_server.ts";

const args = parseArgs({
  args: Deno.args,
  options: {
    seconds: { type: "string", default: "30" },
    clients: { type: "string", default: "16" },
  },
}).values;
const LOAD_MS = Number(args.seconds) * 1000;
const CLIENTS = Number(args.clients);
if (!(LOAD_MS >= 1000) || !(CLIENTS >= 3)) throw new RangeError("--seconds ≥ 1, --clients ≥ 3");

const SEG_PATH = "/api/v1/ai/purchasing_segmentation";
const PASSWORD = "a long enough password";
const WRONG_LOGINS = 40;
const SLOW_SOCKETS = 300;
const EXPORT_LIMIT = 30;
const EXPORT_BURST = 60;
const JOBS_PER_KILL = 4;
const JOB_DEADLINE_MS = 150_000;

/** Document 000's customers in three separated groups, with some noise. */
function customers(n: number) {
  return Array.from({ length: n }, (_, i) => {
    const g = i % 3;
    const r = (i * 7919) % 97;
    return {
      customer_id: `C${i}`,
      features: {
        purchase_total: [200, 2000, 9000][g]! + r * 11,
        visit_frequency: [2, 12, 40][g]! + (r % 5),
        avg_ticket: [50, 120, 300][g]! + (r % 13),
        product_diversity: [1, 5, 20][g]! + (r % 3),
        loyalty_score: [0.1, 0.5, 0.9][g]! + (r % 10) / 100,
        recency_days: [200, 40, 3][g]! + (r % 7),
      },
    };
  });
}
const SEG_BODY = JSON.stringify({ data: customers(1000), max_clusters: 8 });

// ---------------------------------------------------------------------------------------------
// Measuring

interface Sample {
  /** performance.now() at the start. */
  t: number;
  ms: number;
  /** 0: the request failed (connection refused or reset, timeout). */
  status: number;
}

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function summary(samples: Sample[]) {
  const ms = samples.map((s) => s.ms).sort((a, b) => a - b);
  return {
    n: samples.length,
    p50: pct(ms, 50),
    p99: pct(ms, 99),
    non2xx: samples.filter((s) => s.status < 200 || s.status >= 300).length,
    s5xx: samples.filter((s) => s.status >= 500).length,
    failed: samples.filter((s) => s.status === 0).length,
    statuses: countBy(samples.map((s) => s.status)),
  };
}

function countBy(values: (number | string)[]): string {
  const counts = new Map<number | string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => String(a[0]).localeCompare(String(b[0])))
    .map(([k, n]) => `${k}×${n}`).join(" ");
}

async function timed(url: string, init: RequestInit, out: Sample[]): Promise<Response | null> {
  const t = performance.now();
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(60_000) });
    const body = await res.text();
    if (res.status >= 500) fiveBodies.push(`${res.status} ${body.slice(0, 160)}`);
    out.push({ t, ms: performance.now() - t, status: res.status });
    return res;
  } catch {
    out.push({ t, ms: performance.now() - t, status: 0 });
    await new Promise((r) => setTimeout(r, 20)); // a refused connection must not spin
    return null;
  }
}

/** One client: requests back to back until `until` (performance.now()). */
async function clientLoop(
  target: () => string,
  init: RequestInit,
  until: number,
  out: Sample[],
): Promise<void> {
  while (performance.now() < until) await timed(target(), init, out);
}

const fmt = (ms: number) => (Number.isNaN(ms) ? "—" : `${ms.toFixed(1)} ms`);
const mb = (m: { hwm: number; rss: number } | null) =>
  m ? `${m.rss.toFixed(0)} / ${m.hwm.toFixed(0)}` : "gone";

interface Memory {
  label: string;
  before: { hwm: number; rss: number } | null;
  after: { hwm: number; rss: number } | null;
}
const memory: Memory[] = [];
const notes: string[] = [];
/** Status and the start of the body of every 5xx answer. */
const fiveBodies: string[] = [];
const stderrProblems = (s: BenchServer) =>
  (s.stderr().match(/database is locked|Uncaught|internal_error|panic/g) ?? []).length;

// ---------------------------------------------------------------------------------------------
// Set-up: a KV file with two tenants (users ann and bob, default password cost) and API keys.

const dir = await Deno.makeTempDir({ prefix: "load-fault-" });
const JWT_SECRET = "load-fault-bench-secret-load-fault-bench-secret-01";

async function makeStore(path: string) {
  const kv = await openStore(path);
  const opts = { now: Date.now, passwordCost: DEFAULT_PASSWORD_COST };
  const a = await createTenant(
    kv,
    { name: "A", user: { username: "ann", password: PASSWORD } },
    opts,
  );
  await createTenant(kv, { name: "B", user: { username: "bob", password: PASSWORD } }, opts);
  const c = await createTenant(kv, { name: "C" }, opts);
  const keyA = (await createApiKey(kv, a.tenantId, opts)).apiKey;
  const keyC = (await createApiKey(kv, c.tenantId, opts)).apiKey;
  kv.close();
  return { keyA, keyC };
}

function baseEnv(kvPath: string): Record<string, string> {
  return {
    OPEN_ACCESS: "0",
    KV_PATH: kvPath,
    JWT_SECRET,
    RATE_LIMIT_DEFAULT: "100000000/hour",
    RATE_LIMIT_EXPORT: `${EXPORT_LIMIT}/hour`,
    TRUST_PROXY: "true",
    MAX_ACTIVE_JOBS_PER_TENANT: "64",
  };
}

const segInit = (key: string, extra: Record<string, string> = {}): RequestInit => ({
  method: "POST",
  headers: { "Content-Type": "application/json", "X-API-Key": key, ...extra },
  body: SEG_BODY,
});

async function firstRun(url: string, key: string): Promise<{ runId: string; ms: number }> {
  const t = performance.now();
  const res = await fetch(`${url}${SEG_PATH}`, segInit(key));
  const body = await res.json();
  if (res.status !== 200 || !body.run_id) {
    throw new Error(`segmentation answered ${res.status}: ${JSON.stringify(body).slice(0, 300)}`);
  }
  return { runId: body.run_id as string, ms: performance.now() - t };
}

/** The mixed load over `servers` (round-robin per request) for `ms`. */
function mixedLoad(
  servers: BenchServer[],
  key: string,
  runId: string,
  ms: number,
) {
  const until = performance.now() + ms;
  const nSeg = Math.max(1, Math.round(CLIENTS / 4));
  const nHealth = Math.ceil((CLIENTS - nSeg) / 2);
  const nRead = CLIENTS - nSeg - nHealth;
  let rr = 0;
  const next = () => servers[rr++ % servers.length]!.url;
  const health: Sample[] = [], read: Sample[] = [], seg: Sample[] = [];
  const auth = { headers: { "X-API-Key": key } };
  const loops = [
    ...Array.from(
      { length: nHealth },
      () => clientLoop(() => `${next()}/api/health`, {}, until, health),
    ),
    ...Array.from(
      { length: nRead },
      () => clientLoop(() => `${next()}/api/runs/${runId}`, auth, until, read),
    ),
    ...Array.from(
      { length: nSeg },
      () => clientLoop(() => `${next()}${SEG_PATH}`, segInit(key), until, seg),
    ),
  ];
  return { health, read, seg, done: Promise.all(loops), split: [nHealth, nRead, nSeg] };
}

// ---------------------------------------------------------------------------------------------
// Phases 1–3: one server.

const table1: string[] = [];
async function phaseLoad() {
  const kvPath = `${dir}/one.sqlite3`;
  const { keyA } = await makeStore(kvPath);
  const server = await startBenchServer(baseEnv(kvPath));
  const before = await memoryOf(server.pid);
  const warm = [] as number[];
  let runId = "";
  for (let i = 0; i < 3; i++) {
    const r = await firstRun(server.url, keyA);
    runId = r.runId;
    warm.push(r.ms);
  }
  const segIdleMs = warm.sort((a, b) => a - b)[1]!;
  notes.push(`1k-customer segmentation alone (3 sequential, median): ${fmt(segIdleMs)}`);

  // 1 + 2: the load, with the slow-client attack in its middle third.
  const t0 = performance.now();
  const load = mixedLoad([server], keyA, runId, LOAD_MS);
  await new Promise((r) => setTimeout(r, LOAD_MS / 3));
  const attackStart = performance.now();
  const sockets: Deno.TcpConn[] = [];
  let openFailures = 0;
  await Promise.all(Array.from({ length: SLOW_SOCKETS }, async () => {
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
      await conn.write(new TextEncoder().encode("GET /api/health HTTP/1.1\r\n"));
      sockets.push(conn);
    } catch {
      openFailures++;
    }
  }));
  await new Promise((r) => setTimeout(r, Math.max(0, t0 + (2 * LOAD_MS) / 3 - performance.now())));
  const attackEnd = performance.now();
  // Which of the stalled sockets the server had already closed (a read returns at once).
  let closedByServer = 0;
  await Promise.all(sockets.map(async (conn) => {
    const buf = new Uint8Array(4096);
    const r = await Promise.race([
      conn.read(buf).then((n) => (n === null ? "closed" : "data")).catch(() => "closed"),
      new Promise((res) => setTimeout(() => res("open"), 50)),
    ]);
    if (r !== "open") closedByServer++;
  }));
  for (const conn of sockets) {
    try {
      conn.close();
    } catch { /* already closed */ }
  }
  await load.done;
  const aliveAfterAttack = server.alive();
  const healthProbe = await fetch(`${server.url}/api/health`).then((r) => r.status).catch(() => 0);

  const h = summary(load.health), r = summary(load.read), s = summary(load.seg);
  const during = summary(load.health.filter((x) => x.t >= attackStart && x.t < attackEnd));
  const outside = summary(load.health.filter((x) => x.t < attackStart || x.t >= attackEnd));
  const secs = LOAD_MS / 1000;
  table1.push(
    `Mixed load, ${secs} s, ${CLIENTS} clients (${load.split[0]} health, ${load.split[1]} read, ${
      load.split[2]
    } segmentation), one server:`,
    "",
    "| endpoint | requests | req/s | p50 | p99 | non-2xx | 5xx |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...[
      ["`GET /api/health`", h],
      ["`GET /api/runs/{id}` (X-API-Key)", r],
      ["`POST /api/v1/ai/purchasing_segmentation` (1k customers)", s],
    ].map(([name, x]) => {
      const v = x as ReturnType<typeof summary>;
      return `| ${name} | ${v.n} | ${(v.n / secs).toFixed(1)} | ${fmt(v.p50)} | ${
        fmt(v.p99)
      } | ${v.non2xx} | ${v.s5xx} |`;
    }),
    "",
    `Slow clients: ${sockets.length} sockets opened (${openFailures} refused) sending one request ` +
      `line, held ${
        ((attackEnd - attackStart) / 1000).toFixed(1)
      } s; ${closedByServer} closed by ` +
      `the server by then. Health during: ${during.n} requests, p50 ${fmt(during.p50)}, p99 ${
        fmt(during.p99)
      }, non-2xx ${during.non2xx} (${during.statuses}); outside the window: p50 ${
        fmt(outside.p50)
      }, p99 ${fmt(outside.p99)}. Server alive after: ${aliveAfterAttack}, ` +
      `health ${healthProbe}.`,
  );
  if (h.non2xx + r.non2xx + s.non2xx > 0) {
    table1.push(
      `Statuses: health ${h.statuses}; read ${r.statuses}; segmentation ${s.statuses}.`,
    );
  }

  memory.push({
    label: "phases 1–3 server, after the load",
    before,
    after: await memoryOf(server.pid),
  });
  // 3: 40 concurrent wrong passwords, health measured while they run.
  const quiet: Sample[] = [];
  await Promise.all(
    Array.from(
      { length: 4 },
      () => clientLoop(() => `${server.url}/api/health`, {}, performance.now() + 2000, quiet),
    ),
  );
  const probe: Sample[] = [];
  let loginsDone = false;
  const probes = Promise.all(Array.from({ length: 4 }, async () => {
    while (!loginsDone) await timed(`${server.url}/api/health`, {}, probe);
  }));
  const tl = performance.now();
  const logins: Sample[] = [];
  await Promise.all(
    Array.from({ length: WRONG_LOGINS }, (_, i) =>
      timed(`${server.url}/api/auth/login`, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          "X-Forwarded-For": `10.0.${i >> 8}.${(i & 255) + 1}`,
        },
        body: JSON.stringify({ username: i % 2 ? "bob" : "ann", password: `wrong ${i}` }),
      }, logins)),
  );
  const loginMs = performance.now() - tl;
  loginsDone = true;
  await probes;
  const q = summary(quiet), p = summary(probe), l = summary(logins);
  table1.push(
    "",
    `${WRONG_LOGINS} concurrent wrong-password logins (ann and bob, 40 addresses): all answered in ${
      fmt(loginMs)
    } (${l.statuses}, login p50 ${fmt(l.p50)}, p99 ${fmt(l.p99)}). Health (4 clients) while they ` +
      `ran: ${p.n} requests, p50 ${fmt(p.p50)}, p99 ${fmt(p.p99)}, non-2xx ${p.non2xx}; idle ` +
      `before: p50 ${fmt(q.p50)}, p99 ${fmt(q.p99)}.`,
  );

  memory.push({
    label: "phases 1–3 server, after the logins",
    before,
    after: await memoryOf(server.pid),
  });
  const problems = stderrProblems(server);
  const code = await server.stop();
  table1.push(`Exit code on SIGTERM: ${code}; stderr problem lines: ${problems}.`);
  return segIdleMs;
}

// ---------------------------------------------------------------------------------------------
// Phase 4: kill -9 at three stages of async jobs.

const table4: string[] = [];
async function phaseKill(segMs: number) {
  const stages: [string, number][] = [
    ["right after the 202s", 0],
    ["mid-compute (first job)", segMs * 0.5],
    ["near the end (first job)", segMs * 0.9],
  ];
  table4.push(
    `kill -9 during async jobs (${JOBS_PER_KILL} × 1k customers per stage, \`Prefer: respond-async\`), ` +
      `restart on the same KV file, poll until final (default lease 30 s):`,
    "",
    "| kill | state at kill | lost | succeeded | failed (reason) | attempts | time to all final after restart |",
    "| --- | --- | --- | --- | --- | --- | --- |",
  );
  for (const [stage, delay] of stages) {
    const kvPath = `${dir}/kill-${delay.toFixed(0)}.sqlite3`;
    const { keyA } = await makeStore(kvPath);
    const env = baseEnv(kvPath);
    const first = await startBenchServer(env);
    const before = await memoryOf(first.pid);
    const ids: string[] = [];
    const accepted = await Promise.all(Array.from({ length: JOBS_PER_KILL }, async () => {
      const res = await fetch(
        `${first.url}${SEG_PATH}`,
        segInit(keyA, { Prefer: "respond-async" }),
      );
      const body = await res.json();
      return { status: res.status, id: (body.job_id ?? body.data?.job_id) as string | undefined };
    }));
    for (const a of accepted) if (a.status === 202 && a.id) ids.push(a.id);
    if (ids.length !== JOBS_PER_KILL) {
      notes.push(
        `${stage}: only ${ids.length} of ${JOBS_PER_KILL} accepted (${
          accepted.map((a) => a.status)
        })`,
      );
    }
    // "mid-compute" waits for the first claim (the runner polls every second), then the delay.
    let atKill = "";
    if (delay > 0) {
      const deadline = performance.now() + 10_000;
      while (performance.now() < deadline) {
        const states = await jobStates(first.url, keyA, ids);
        if (states.some((s) => s.status === "processing")) break;
        await new Promise((r) => setTimeout(r, 25));
      }
      await new Promise((r) => setTimeout(r, delay));
    }
    atKill = countBy((await jobStates(first.url, keyA, ids)).map((s) => s.status));
    memory.push({ label: `kill ${stage}: first server`, before, after: await memoryOf(first.pid) });
    await first.kill9();
    const second = await startBenchServer(env);
    const before2 = await memoryOf(second.pid);
    const t = performance.now();
    let states: JobState[] = [];
    while (performance.now() - t < JOB_DEADLINE_MS) {
      states = await jobStates(second.url, keyA, ids);
      if (states.every((s) => ["succeeded", "failed", "cancelled"].includes(s.status))) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const finalMs = performance.now() - t;
    const lost = states.filter((s) => !["succeeded", "failed", "cancelled"].includes(s.status));
    const failed = states.filter((s) => s.status === "failed");
    // A succeeded job must serve its whole result.
    let resultsOk = 0;
    for (const s of states.filter((x) => x.status === "succeeded")) {
      const res = await fetch(`${second.url}/api/jobs/${s.id}/result`, {
        headers: { "X-API-Key": keyA },
      });
      const body = await res.json().catch(() => null);
      if (res.status === 200 && body?.run_id) resultsOk++;
    }
    const succeeded = states.filter((s) => s.status === "succeeded").length;
    table4.push(
      `| ${stage} (+${(delay / 1000).toFixed(2)} s) | ${atKill} | ${lost.length}${
        lost.length ? ` (${countBy(lost.map((s) => s.status))})` : ""
      } | ${succeeded} (${resultsOk} results read) | ${failed.length}${
        failed.length ? ` (${countBy(failed.map((s) => s.reason))})` : ""
      } | ${countBy(states.map((s) => s.attempt))} | ${(finalMs / 1000).toFixed(1)} s |`,
    );
    memory.push({
      label: `kill ${stage}: restarted`,
      before: before2,
      after: await memoryOf(second.pid),
    });
    const problems = stderrProblems(second);
    if (problems) {
      notes.push(`${stage}: ${problems} problem lines on the restarted server's stderr`);
    }
    await second.stop();
  }
}

interface JobState {
  id: string;
  status: string;
  attempt: number | string;
  reason: string;
}

async function jobStates(url: string, key: string, ids: string[]): Promise<JobState[]> {
  return await Promise.all(ids.map(async (id) => {
    try {
      const res = await fetch(`${url}/api/jobs/${id}`, { headers: { "X-API-Key": key } });
      const body = await res.json();
      if (res.status !== 200) return { id, status: `http ${res.status}`, attempt: "—", reason: "" };
      const job = body.data ?? body;
      return {
        id,
        status: job.status as string,
        attempt: job.attempt as number,
        reason: job.error ? `${job.error.name}: ${job.error.message}`.slice(0, 120) : "",
      };
    } catch (e) {
      return { id, status: `unreachable`, attempt: "—", reason: String(e) };
    }
  }));
}

// ---------------------------------------------------------------------------------------------
// Phase 5: two and four instances on one KV file.

const table5: string[] = [];
async function phaseInstances() {
  const ms = LOAD_MS / 2;
  table5.push(
    `Several instances on one KV file, the mixed load round-robin over them for ${ms / 1000} s ` +
      `(job worker on the first only); at its middle ${EXPORT_BURST} concurrent \`GET /api/export\` ` +
      `of a fresh principal, round-robin, against \`RATE_LIMIT_EXPORT=${EXPORT_LIMIT}/hour\`:`,
    "",
    "| instances | health req (p50 / p99) | read req (p50 / p99) | segmentation req (p50 / p99) | 5xx | non-2xx | export admitted / 429 / other | stderr problems |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
  );
  for (const n of [2, 4]) {
    const kvPath = `${dir}/inst-${n}.sqlite3`;
    const { keyA, keyC } = await makeStore(kvPath);
    const servers: BenchServer[] = [];
    for (let i = 0; i < n; i++) {
      servers.push(await startBenchServer({ ...baseEnv(kvPath), JOB_WORKER: i === 0 ? "1" : "0" }));
    }
    const before = await Promise.all(servers.map((s) => memoryOf(s.pid)));
    const { runId } = await firstRun(servers[0]!.url, keyA);
    const load = mixedLoad(servers, keyA, runId, ms);
    await new Promise((r) => setTimeout(r, ms / 2));
    const exports: Sample[] = [];
    await Promise.all(
      Array.from(
        { length: EXPORT_BURST },
        (_, i) =>
          timed(`${servers[i % n]!.url}/api/export`, { headers: { "X-API-Key": keyC } }, exports),
      ),
    );
    await load.done;
    const h = summary(load.health), r = summary(load.read), s = summary(load.seg);
    const e = summary(exports);
    const admitted = exports.filter((x) =>
      x.status !== 429 && x.status !== 0 && x.status < 500
    ).length;
    const limited = exports.filter((x) => x.status === 429).length;
    const all = [...load.health, ...load.read, ...load.seg, ...exports];
    const fives = all.filter((x) => x.status >= 500).length;
    const non2xx = [h, r, s].reduce((a, v) => a + v.non2xx, 0);
    const problems = servers.reduce((a, v) => a + stderrProblems(v), 0);
    const cell = (v: ReturnType<typeof summary>) => `${v.n} (${fmt(v.p50)} / ${fmt(v.p99)})`;
    table5.push(
      `| ${n} | ${cell(h)} | ${cell(r)} | ${
        cell(s)
      } | ${fives} | ${non2xx} | ${admitted} / ${limited} / ${
        EXPORT_BURST - admitted - limited
      } (${e.statuses}) | ${problems} |`,
    );
    if (fives || non2xx) {
      notes.push(
        `${n} instances: statuses health ${h.statuses}; read ${r.statuses}; seg ${s.statuses}`,
      );
      const lines = servers.flatMap((sv) => sv.stderr().split("\n").filter((x) => x.trim()))
        .slice(0, 5);
      if (lines.length) notes.push(`${n} instances, stderr: ${lines.join(" | ").slice(0, 600)}`);
    }
    for (let i = 0; i < n; i++) {
      memory.push({
        label: `${n} instances: #${i + 1}`,
        before: before[i]!,
        after: await memoryOf(servers[i]!.pid),
      });
    }
    await Promise.all(servers.map((sv) => sv.stop()));
  }
}

// ---------------------------------------------------------------------------------------------

const started = performance.now();
try {
  const segMs = await phaseLoad();
  await phaseKill(segMs);
  await phaseInstances();
} finally {
  await Deno.remove(dir, { recursive: true }).catch(() => {});
}
console.log(
  `deno run -A bench/load_fault.ts --seconds ${LOAD_MS / 1000} --clients ${CLIENTS}` +
    `  (${navigator.hardwareConcurrency} cores, ${
      ((performance.now() - started) / 1000).toFixed(0)
    } s in all)\n`,
);
for (const line of [...table1, "", ...table4, "", ...table5]) console.log(line);
console.log("\nRSS / VmHWM of each server process, MB, when ready → before it stopped:\n");
console.log("| process | ready (RSS / HWM) | end (RSS / HWM) |\n| --- | --- | --- |");
for (const m of memory) console.log(`| ${m.label} | ${mb(m.before)} | ${mb(m.after)} |`);
for (const b of new Set(fiveBodies)) notes.push(`5xx answer: ${b}`);
if (notes.length) console.log(`\nNotes:\n${notes.map((n) => `- ${n}`).join("\n")}`);
