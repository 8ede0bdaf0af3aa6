/**
 * Issue 5's targets, measured through the app (`app.request`, no socket) on a stored KV file:
 * the upload and type inference of a 16 MB CSV (200k rows × 8 columns: an id, a gender, a region,
 * age, income, spend, frequency, recency), streamed as `text/csv` — median of 5, and this
 * process's peak resident memory
 * — and `GET /api/segments/cluster` on the stored 200k-customer run — median of 20.
 *
 *   deno run -A bench/workflow_http.ts [--rows 200000] [--reps 5]
 */
import { parseArgs } from "node:util";
import { createCpuBackend } from "../compute/cpu/backend.ts";
import { inProcessEngine } from "../domain/segmentation/mod.ts";
import { segmentationJobType } from "../domain/jobs/mod.ts";
import { JobRunner } from "../domain/jobs/mod.ts";
import { ensureLocalTenant } from "../domain/auth/mod.ts";
import { TEST_PASSWORD_COST } from "../domain/auth/mod.ts";
import { createApp } from "../routes/mod.ts";
import { openStore } from "../storage/mod.ts";

const args = parseArgs({
  args: Deno.args,
  options: { rows: { type: "string", default: "200000" }, reps: { type: "string", default: "5" } },
});
const rows = Number(args.values.rows);
const reps = Number(args.values.reps);

const csv = makeCsv(rows);
const bytes = new TextEncoder().encode(csv);
console.log(`CSV: ${rows} rows × 8 columns, ${(bytes.length / 1e6).toFixed(1)} MB`);

const dir = await Deno.makeTempDir();
const kv = await openStore(`${dir}/kv.sqlite3`);
const engine = inProcessEngine(createCpuBackend());
const openTenantId = await ensureLocalTenant(kv, { now: Date.now });
const app = buildApp(kv);

function buildApp(kv: Deno.Kv) {
  return createApp({
    compute: engine,
    engine,
    kv,
    logger: () => {},
    timeoutMs: 0,
    rateLimits: {
      default: { limit: 1_000_000, periodMs: 3_600_000 },
      clusters_run: { limit: 1_000_000, periodMs: 3_600_000 },
      export: { limit: 1_000_000, periodMs: 3_600_000 },
    },
    auth: {
      jwt: { secret: "b".repeat(40), issuer: "b", audience: "b" },
      refreshTtlSeconds: 3600,
      openTenantId,
      passwordCost: TEST_PASSWORD_COST,
    },
  });
}

// Peak memory is read over the first upload (later ones only add garbage not yet collected).
const baseline = Deno.memoryUsage().rss;
let peak = baseline;
let heapPeak = 0;
const sampler = setInterval(() => {
  const m = Deno.memoryUsage();
  peak = Math.max(peak, m.rss);
  heapPeak = Math.max(heapPeak, m.heapUsed + m.external);
}, 2);

const uploads: number[] = [];
for (let i = 0; i < reps; i++) {
  if (i === 1) clearInterval(sampler);
  // Streamed in 64 KiB pieces as a socket delivers it (the multipart path streams the same way).
  let at = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      if (at >= bytes.length) return c.close();
      c.enqueue(bytes.subarray(at, at += 65_536));
    },
  });
  const t0 = performance.now();
  const res = await app.request("/api/upload?name=bench.csv", {
    method: "POST",
    headers: { "Content-Type": "text/csv" },
    body,
  });
  await res.arrayBuffer();
  uploads.push(performance.now() - t0);
  if (res.status !== 200) throw new Error(`upload answered ${res.status}`);
}
clearInterval(sampler);
console.log(
  `upload + type inference + store: median ${median(uploads).toFixed(0)} ms ` +
    `(${uploads.map((v) => v.toFixed(0)).join(", ")}); peak JS heap + external ` +
    `${(heapPeak / 2 ** 20).toFixed(0)} MB; peak RSS ${(peak / 2 ** 20).toFixed(0)} MB ` +
    `(baseline ${(baseline / 2 ** 20).toFixed(0)} MB, CSV held in memory ${
      (bytes.length / 2 ** 20).toFixed(0)
    } MB)`,
);

// Above 50k rows the clustering is a job: run it here, as the server's worker would.
const t0 = performance.now();
const clustered = await app.request("/api/cluster", {
  method: "POST",
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify({ n_clusters: 5, random_state: 0 }),
});
await clustered.arrayBuffer();
if (clustered.status !== 200 && clustered.status !== 202) {
  throw new Error(`cluster answered ${clustered.status}`);
}
await new JobRunner(kv, [segmentationJobType(engine)], { clock: Date.now }).drain();
console.log(
  `POST /api/cluster (KMeans, k = 5) and its job: ${(performance.now() - t0).toFixed(0)} ms`,
);

const gets: number[] = [];
for (let i = 0; i < 20; i++) {
  const s = performance.now();
  const res = await app.request("/api/segments/cluster");
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`segments/cluster answered ${res.status}`);
  gets.push(performance.now() - s);
}
console.log(
  `GET /api/segments/cluster on the ${rows}-customer run: median ${median(gets).toFixed(1)} ms ` +
    `(min ${Math.min(...gets).toFixed(1)}, max ${Math.max(...gets).toFixed(1)})`,
);

// Another instance on the same store (a new KV handle: nothing decoded yet), as at the edge.
const kv2 = await openStore(`${dir}/kv.sqlite3`);
const app2 = buildApp(kv2);
const cold: number[] = [];
for (let i = 0; i < 3; i++) {
  const s = performance.now();
  const res = await app2.request("/api/segments/cluster");
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`segments/cluster answered ${res.status}`);
  cold.push(performance.now() - s);
}
console.log(
  `GET /api/segments/cluster on another instance: first ${cold[0]!.toFixed(1)} ms ` +
    `(reads and decodes the run and the dataset), then ${cold[1]!.toFixed(1)}, ` +
    `${cold[2]!.toFixed(1)} ms`,
);
kv2.close();

await engine.dispose();
kv.close();
await Deno.remove(dir, { recursive: true });

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Customers of four behaviours, 8 columns, about 80 bytes a row. */
function makeCsv(n: number): string {
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const lines = [
    "customer_id,Gender,Region,Age,Annual Income (k$),Purchase Amount,Frequency,Recency",
  ];
  for (let i = 0; i < n; i++) {
    const g = i % 4;
    lines.push([
      `CUST-2026-${String(i + 1).padStart(8, "0")}`,
      rnd() < 0.5 ? "Female" : "Male",
      ["North-East", "South-West", "Central", "Islands"][Math.floor(rnd() * 4)],
      18 + Math.floor(rnd() * 60),
      (20 + g * 25 + rnd() * 20).toFixed(4),
      (200 + g * 900 + rnd() * 400).toFixed(4),
      1 + g * 4 + Math.floor(rnd() * 4),
      (rnd() * (365 - g * 80)).toFixed(3),
    ].join(","));
  }
  return lines.join("\n") + "\n";
}
