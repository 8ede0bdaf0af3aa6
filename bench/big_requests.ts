/**
 * Issue 14's big requests, through the app (`app.request`, no socket, a KV file on disk, the CPU
 * backend), each beside its floor measured in the same run, medians:
 *
 * - document 000, 100k customers with `Prefer: respond-async` → 202, beside `JSON.parse` of the
 *   same bytes (decoded from UTF-8, as the server reads them; target ≤ 0.4 s);
 * - document 001, 10k customers × 50 features with the labels of 10 clusters → 200 (target
 *   ≤ 200 ms end to end), beside `JSON.parse` of the same bytes;
 * - document 000, 20k customers answered in the request → 200: the share of the time spent
 *   outside the computation (target ≤ 15 %), read from the response's `Server-Timing`.
 *
 * Every answer's `Server-Timing` (parse, validate, compute, store, serialise) is printed.
 *
 *   deno run -A bench/big_requests.ts [--reps 5] [--only 000-async,001,000-sync] [--json FILE]
 */
import { parseArgs } from "node:util";
import { createCpuBackend } from "../compute/cpu/backend.ts";
import { createRandom } from "../compute/random.ts";
import { inProcessEngine } from "../domain/segmentation/mod.ts";
import { ensureLocalTenant, TEST_PASSWORD_COST } from "../domain/auth/mod.ts";
import { createApp } from "../routes/mod.ts";
import { openStore } from "../storage/mod.ts";

const args = parseArgs({
  args: Deno.args,
  options: {
    reps: { type: "string", default: "5" },
    only: { type: "string", default: "000-async,001,000-sync" },
    json: { type: "string" },
    "async-rows": { type: "string", default: "100000" },
    "sync-rows": { type: "string", default: "20000" },
  },
});
const reps = Number(args.values.reps);
const only = new Set(args.values.only!.split(","));

const dir = await Deno.makeTempDir();
const kv = await openStore(`${dir}/kv.sqlite3`);
const engine = inProcessEngine(createCpuBackend());
const openTenantId = await ensureLocalTenant(kv, { now: Date.now });
const app = createApp({
  compute: engine,
  engine,
  kv,
  logger: () => {},
  timeoutMs: 0,
  maxActiveJobsPerTenant: 1_000,
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

/** One measured case: ours and the floor, alternating, `reps` times each. */
interface CaseResult {
  case: string;
  bytes: number;
  status: number;
  ours_ms: number[];
  floor_ms: number[];
  /** The unmeasured first request of the case (cold code paths) and its floor. */
  first_ours_ms: number;
  first_floor_ms: number;
  server_timing: Record<string, number>[];
}
const results: CaseResult[] = [];

console.log(`load: ${Deno.loadavg().map((v) => v.toFixed(2)).join(" ")}`);

if (only.has("000-async")) {
  const body = JSON.stringify({ data: purchasingCustomers(Number(args.values["async-rows"])) });
  results.push(
    await measure("document 000, 100k customers, Prefer: respond-async → 202", body, {
      path: "/api/v1/ai/purchasing_segmentation",
      headers: { Prefer: "respond-async" },
      expect: 202,
    }),
  );
}
if (only.has("001")) {
  const body = JSON.stringify(profileRequest(10_000, 50, 10));
  results.push(
    await measure("document 001, 10k × 50 features, labels of 10 clusters → 200", body, {
      path: "/api/v1/ai/echointel/customer-intelligence/segment-cluster-profiles",
      headers: {},
      expect: 200,
    }),
  );
}
if (only.has("000-sync")) {
  const body = JSON.stringify({ data: purchasingCustomers(Number(args.values["sync-rows"])) });
  results.push(
    await measure("document 000, 20k customers, answered in the request → 200", body, {
      path: "/api/v1/ai/purchasing_segmentation",
      headers: {},
      expect: 200,
      reps: Math.max(1, Math.min(reps, 3)),
    }),
  );
}

for (const r of results) {
  const ours = median(r.ours_ms), floor = median(r.floor_ms);
  const timing = medianTiming(r.server_timing);
  const total = Object.values(timing).reduce((a, b) => a + b, 0);
  const outside = timing.compute !== undefined ? 1 - timing.compute / ours : NaN;
  console.log(
    `${r.case} (${(r.bytes / 1e6).toFixed(1)} MB): ours median ${ours.toFixed(0)} ms ` +
      `[${r.ours_ms.map((v) => v.toFixed(0)).join(", ")}]; JSON.parse floor median ` +
      `${floor.toFixed(0)} ms [${r.floor_ms.map((v) => v.toFixed(0)).join(", ")}]; ` +
      `ours / floor ${(ours / floor).toFixed(2)}; first request ${r.first_ours_ms.toFixed(0)} ` +
      `ms, its floor ${r.first_floor_ms.toFixed(0)} ms`,
  );
  console.log(
    `  Server-Timing medians: ${
      Object.entries(timing).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(", ")
    } (sum ${total.toFixed(0)} ms)` +
      (Number.isFinite(outside)
        ? `; outside compute ${(100 * outside).toFixed(1)} % of end to end`
        : ""),
  );
}
console.log(`load: ${Deno.loadavg().map((v) => v.toFixed(2)).join(" ")}`);
if (args.values.json) {
  await Deno.writeTextFile(args.values.json, JSON.stringify(results, null, 2));
}

await engine.dispose();
kv.close();
await Deno.remove(dir, { recursive: true });

async function measure(
  name: string,
  body: string,
  spec: { path: string; headers: Record<string, string>; expect: number; reps?: number },
): Promise<CaseResult> {
  // Bytes with their Content-Length, as a client sends them; the floor decodes and parses them.
  const bytes = new TextEncoder().encode(body);
  const result: CaseResult = {
    case: name,
    bytes: bytes.length,
    status: 0,
    ours_ms: [],
    floor_ms: [],
    first_ours_ms: NaN,
    first_floor_ms: NaN,
    server_timing: [],
  };
  const n = spec.reps ?? reps;
  // One warm-up of each side, not counted.
  for (let i = -1; i < n; i++) {
    const f0 = performance.now();
    JSON.parse(new TextDecoder().decode(bytes));
    const floor = performance.now() - f0;
    const t0 = performance.now();
    const res = await app.request(spec.path, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "Content-Length": String(bytes.length),
        ...spec.headers,
      },
      body: bytes,
    });
    await res.arrayBuffer();
    const ours = performance.now() - t0;
    result.status = res.status;
    if (res.status !== spec.expect) {
      throw new Error(`${name}: expected ${spec.expect} but answered ${res.status}`);
    }
    if (i < 0) {
      result.first_ours_ms = ours;
      result.first_floor_ms = floor;
      continue;
    }
    result.floor_ms.push(floor);
    result.ours_ms.push(ours);
    result.server_timing.push(parseServerTiming(res.headers.get("Server-Timing") ?? ""));
  }
  return result;
}

/** `parse;dur=12.3, validate;dur=4` → `{ parse: 12.3, validate: 4 }`. */
function parseServerTiming(header: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of header.split(",")) {
    const [name, ...params] = part.trim().split(";");
    const dur = params.map((p) => p.trim()).find((p) => p.startsWith("dur="));
    if (name && dur) out[name] = Number(dur.slice(4));
  }
  return out;
}

function medianTiming(list: Record<string, number>[]): Record<string, number> {
  const names = [...new Set(list.flatMap((t) => Object.keys(t)))];
  return Object.fromEntries(names.map((n) => [n, median(list.map((t) => t[n] ?? 0))]));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Document 000's customers: four behaviours, six features in their units, string ids. */
function purchasingCustomers(n: number) {
  const rng = createRandom(20240601);
  return Array.from({ length: n }, (_, i) => {
    const g = i % 4;
    return {
      customer_id: `CUST-${String(i + 1).padStart(7, "0")}`,
      features: {
        purchase_total: round2(Math.exp(5 + g + rng.nextNormal() * 0.5)),
        visit_frequency: 1 + g * 3 + rng.nextInt(4),
        avg_ticket: round2(20 + g * 15 + rng.nextFloat() * 10),
        product_diversity: 1 + g + rng.nextInt(3),
        loyalty_score: round2(Math.min(1, 0.2 * g + rng.nextFloat() * 0.3)),
        recency_days: rng.nextInt(365 - g * 80),
      },
    };
  });
}

/** Document 001's general shape with labels: `k` clusters × `d` features, two attributes. */
function profileRequest(n: number, d: number, k: number) {
  const rng = createRandom(20240602);
  const centers = Float64Array.from({ length: k * d }, () => rng.nextNormal() * 3);
  const regions = ["north", "south", "east", "west", "center"];
  const labels: Record<string, number> = {};
  const data = Array.from({ length: n }, (_, i) => {
    const label = Math.min(k - 1, Math.floor(rng.nextFloat() ** 1.5 * k));
    const id = `C${i + 1}`;
    labels[id] = label;
    const features: Record<string, number> = {};
    for (let j = 0; j < d; j++) {
      features[`f${j}`] = round2((centers[label * d + j]! + rng.nextNormal()) * 10 ** (j % 4));
    }
    return {
      customer_id: id,
      features,
      attributes: {
        gender: rng.nextInt(2) ? "F" : "M",
        region: regions[(label + rng.nextInt(2)) % 5]!,
      },
    };
  });
  return { data, labels };
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}
