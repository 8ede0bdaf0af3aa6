/**
 * Requests per second of `GET /api/health` and of an authenticated cheap route
 * (`GET /api/jobs/{id}` with an API key: authentication, rate limiting and one KV read), served
 * by the real app over a socket and loaded by `wrk` (Debian's package `wrk`; optional). The
 * server runs in this process on a temporary KV file with the rate limit raised so that the
 * load measures the work, not the 429s; `wrk` runs as a separate process on loopback.
 *
 *   deno run -A bench/load_http.ts [--seconds 10] [--connections 50]
 */
import { parseArgs } from "node:util";
import { createCpuBackend } from "../compute/cpu/backend.ts";
import { TEST_PASSWORD_COST } from "../domain/auth/mod.ts";
import { enqueueJob } from "../domain/jobs/mod.ts";
import { createApiKey, createTenant } from "../domain/auth/mod.ts";
import { createApp } from "../routes/mod.ts";
import { openStore } from "../storage/mod.ts";

const args = parseArgs({
  args: Deno.args,
  options: {
    seconds: { type: "string", default: "10" },
    connections: { type: "string", default: "50" },
  },
}).values;

const dir = await Deno.makeTempDir();
const kv = await openStore(`${dir}/kv.sqlite3`);
const compute = createCpuBackend({ threads: 1 });
const app = createApp({
  compute,
  kv,
  logger: () => {},
  rateLimits: { default: { limit: 1e9, periodMs: 3_600_000 } },
  auth: {
    jwt: { secret: "b".repeat(48), issuer: "bench", audience: "bench" },
    refreshTtlSeconds: 3600,
    passwordCost: TEST_PASSWORD_COST,
  },
});
const now = () => Date.now();
const tenant = await createTenant(kv, { name: "bench" }, { now });
const { apiKey } = await createApiKey(kv, tenant.tenantId, { now });
const { job } = await enqueueJob(kv, { tenantId: tenant.tenantId, type: "noop", input: {} }, now());

const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, app.fetch);
const base = `http://127.0.0.1:${server.addr.port}`;

async function wrk(path: string, headers: Record<string, string> = {}) {
  const headerArgs = Object.entries(headers).flatMap(([k, v]) => ["-H", `${k}: ${v}`]);
  const out = await new Deno.Command("wrk", {
    args: [
      "-t",
      "1",
      "-c",
      args.connections!,
      "-d",
      `${args.seconds}s`,
      "--latency",
      ...headerArgs,
      `${base}${path}`,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(text)?.[1];
  const p99 = /99%\s+([\d.]+\w+)/.exec(text)?.[1];
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? "0";
  return { rps: Number(rps), p99, non2xx: Number(non2xx) };
}

try {
  const health = await wrk("/api/health");
  const authed = await wrk(`/api/jobs/${job.id}`, { "X-API-Key": apiKey });
  console.log(
    `wrk -t1 -c${args.connections} -d${args.seconds}s, server: one Deno process (2 cores shared with wrk)`,
  );
  console.log(
    `GET /api/health                 ${
      health.rps.toFixed(0)
    } req/s  p99 ${health.p99}  non-2xx ${health.non2xx}`,
  );
  console.log(
    `GET /api/jobs/{id} (X-API-Key)  ${
      authed.rps.toFixed(0)
    } req/s  p99 ${authed.p99}  non-2xx ${authed.non2xx}`,
  );
} finally {
  await server.shutdown();
  await compute.dispose();
  kv.close();
  await Deno.remove(dir, { recursive: true });
}
