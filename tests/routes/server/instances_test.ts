import assert from "node:assert/strict";
import { createTenant } from "../../../domain/auth/mod.ts";
import { TEST_PASSWORD_COST } from "../../../domain/auth/hashing.ts";
import { openStore } from "../../../storage/mod.ts";
import { type ServerProcess, startServer } from "./_server_process.ts";

const PASSWORD = "a long enough password";
const MALL = await Deno.readFile(new URL("../../data/mall_customers.csv", import.meta.url));

/** Every status seen, so that the test can say there was no 5xx anywhere. */
const statuses: number[] = [];

async function call(server: ServerProcess, path: string, init: RequestInit = {}) {
  const res = await fetch(`${server.url}${path}`, { ...init, signal: AbortSignal.timeout(20_000) });
  statuses.push(res.status);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

function postJson(server: ServerProcess, path: string, body: unknown, token?: string) {
  return call(server, path, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
}

Deno.test({
  name: "two server processes on one KV file: exact limits, logins, refreshes, jobs, no 5xx",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "instances-" });
    const kvPath = `${dir}/kv.sqlite3`;
    const kv = await openStore(kvPath);
    const options = { now: Date.now, passwordCost: TEST_PASSWORD_COST };
    await createTenant(kv, { name: "A", user: { username: "ann", password: PASSWORD } }, options);
    await createTenant(kv, { name: "B", user: { username: "bob", password: PASSWORD } }, options);
    kv.close();

    const env = {
      OPEN_ACCESS: "0",
      KV_PATH: kvPath,
      JWT_SECRET: "instances-test-secret-instances-test-secret-0123",
      RATE_LIMIT_DEFAULT: "40/hour",
      RATE_LIMIT_CLUSTERS_RUN: "4/hour",
    };
    const servers = await Promise.all([startServer(env), startServer(env)]);
    const [one, two] = servers as [ServerProcess, ServerProcess];
    try {
      // 12 wrong passwords for ann, alternating instances, all at once: exactly 5 counted.
      const wrong = await Promise.all(
        Array.from(
          { length: 12 },
          (_, i) =>
            postJson(servers[i % 2]!, "/api/auth/login", { username: "ann", password: `no ${i}` }),
        ),
      );
      assert.deepEqual(
        wrong.map((r) => r.status).sort(),
        [401, 401, 401, 401, 401, 429, 429, 429, 429, 429, 429, 429],
      );

      // bob logs in on each instance and refreshes on the other.
      const logins = await Promise.all(
        servers.map((s) => postJson(s, "/api/auth/login", { username: "bob", password: PASSWORD })),
      );
      assert.deepEqual(logins.map((r) => r.status), [200, 200]);
      const refreshed = await Promise.all(
        logins.map((l, i) =>
          postJson(servers[1 - i]!, "/api/auth/refresh", { refresh_token: l.body.refresh_token })
        ),
      );
      assert.deepEqual(refreshed.map((r) => r.status), [200, 200]);
      const token = refreshed[0]!.body.access_token as string;

      // A dataset, then 6 job submissions against a limit of 4, split over both instances.
      const form = new FormData();
      form.append("file", new File([MALL], "mall.csv", { type: "text/csv" }));
      const uploaded = await call(one, "/api/upload", {
        method: "POST",
        headers: { Authorization: `Bearer ${token}` },
        body: form,
      });
      assert.equal(uploaded.status, 200, JSON.stringify(uploaded.body));
      const jobs = await Promise.all(
        Array.from(
          { length: 6 },
          (_, i) => postJson(servers[i % 2]!, "/api/clusters/run", { n_clusters: 3 }, token),
        ),
      );
      assert.deepEqual(jobs.map((r) => r.status).sort(), [202, 202, 202, 202, 429, 429]);

      // bob's default class (40/hour) took one request above (the upload): 40 more split over
      // both instances at once leave exactly 39 admitted.
      const statusUrl = jobs.find((r) => r.status === 202)!.body.data.status_url as string;
      const reads = await Promise.all(
        Array.from(
          { length: 40 },
          (_, i) =>
            call(servers[i % 2]!, statusUrl, { headers: { Authorization: `Bearer ${token}` } }),
        ),
      );
      const admitted = reads.filter((r) => r.status !== 429).length;
      assert.equal(admitted, 39, JSON.stringify(reads.map((r) => r.status)));

      assert.deepEqual(statuses.filter((s) => s >= 500), []);
      for (const s of servers) assert.doesNotMatch(s.stderr(), /database is locked|Uncaught/);
    } finally {
      const codes = await Promise.all([one.stop(), two.stop()]);
      assert.deepEqual(codes, [0, 0]);
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
