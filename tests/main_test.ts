import assert from "node:assert/strict";
import { readConfig, SetupRequired } from "../main.ts";

const env = (vars: Record<string, string>) => (name: string) => vars[name];
const SECRET = "0123456789abcdef0123456789abcdef-extra";

Deno.test("readConfig asks for setup when neither OPEN_ACCESS nor JWT_SECRET is set", () => {
  assert.throws(() => readConfig(env({})), SetupRequired);
  assert.throws(() => readConfig(env({})), /OPEN_ACCESS=1 npx --yes deno@2.9.6 task start/);
});

Deno.test("readConfig refuses open mode on a non-loopback HOST", () => {
  assert.throws(
    () => readConfig(env({ OPEN_ACCESS: "1", HOST: "0.0.0.0" })),
    /refused unless HOST is a loopback address .* "0\.0\.0\.0"/,
  );
  assert.equal(readConfig(env({ OPEN_ACCESS: "1", HOST: "::1" })).open, true);
  assert.equal(readConfig(env({ OPEN_ACCESS: "1", HOST: "127.0.0.2" })).open, true);
});

Deno.test("readConfig names the variable of a bad value", () => {
  assert.throws(() => readConfig(env({ JWT_SECRET: "short" })), /JWT_SECRET/);
  assert.throws(() => readConfig(env({ JWT_SECRET: SECRET, PORT: "70000" })), /PORT .* "70000"/);
  assert.throws(
    () => readConfig(env({ JWT_SECRET: SECRET, RATE_LIMIT_EXPORT: "lots" })),
    /RATE_LIMIT_EXPORT/,
  );
  assert.throws(
    () => readConfig(env({ JWT_SECRET: SECRET, ACCESS_TOKEN_TTL_SECONDS: "3600" })),
    /ACCESS_TOKEN_TTL_SECONDS .* \[1, 900\]/,
  );
  assert.throws(() => readConfig(env({ OPEN_ACCESS: "maybe" })), /OPEN_ACCESS/);
  assert.throws(
    () => readConfig(env({ JWT_SECRET: SECRET, MAX_UPLOAD_BYTES: "12" })),
    /MAX_UPLOAD_BYTES/,
  );
  assert.throws(
    () => readConfig(env({ JWT_SECRET: SECRET, SEGMENT_WORKERS: "0" })),
    /SEGMENT_WORKERS/,
  );
  for (const bad of ["0", "-1", "2.5", "many"]) {
    assert.throws(
      () => readConfig(env({ JWT_SECRET: SECRET, MAX_ACTIVE_JOBS_PER_TENANT: bad })),
      /MAX_ACTIVE_JOBS_PER_TENANT/,
    );
  }
  assert.equal(readConfig(env({ OPEN_ACCESS: "1" })).maxActiveJobsPerTenant, 4);
  assert.equal(
    readConfig(env({ OPEN_ACCESS: "1", MAX_ACTIVE_JOBS_PER_TENANT: "9" })).maxActiveJobsPerTenant,
    9,
  );
});

Deno.test("readConfig takes the documented defaults", () => {
  const c = readConfig(env({ JWT_SECRET: SECRET }));
  assert.equal(c.hostname, "127.0.0.1");
  assert.equal(c.port, 8000);
  assert.equal(c.backend, "auto");
  assert.equal(c.kvPath, "./data/kv.sqlite3");
  assert.equal(c.maxUploadBytes, 16 * 1024 * 1024);
  assert.equal(c.segmentWorkers, 1);
  assert.equal(c.jwt?.accessTtlSeconds, 900);
  assert.equal(c.jobWorker, true);
});

/** Starts `main.ts` as a real process; resolves with its base URL once it listens. */
async function startServer(vars: Record<string, string>) {
  const dir = await Deno.makeTempDir();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("../main.ts", import.meta.url).pathname],
    env: {
      PORT: "0",
      KV_PATH: `${dir}/kv.sqlite3`,
      ACCESS_LOG: "off",
      COMPUTE_BACKEND: "cpu",
      ...vars,
    },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`server exited early: ${seen}`);
    seen += value;
    const m = /Listening on (http:\/\/[^ ]+?)\/? /.exec(seen);
    if (m) return { url: m[1]!, child, reader, dir };
  }
}

Deno.test("main serves the API, answers health, and stops cleanly on SIGTERM", async () => {
  const s = await startServer({ OPEN_ACCESS: "1" });
  try {
    const res = await fetch(`${s.url}/api/health`);
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.status, "healthy");
    assert.equal(body.components.database, "connected");
    const open = await fetch(`${s.url}/api/jobs/none`);
    assert.equal(open.status, 404, "open mode: authenticated as the local tenant, job unknown");
    await open.body?.cancel();
  } finally {
    s.child.kill("SIGTERM");
    const status = await s.child.status;
    await s.reader.cancel();
    await s.child.stderr.cancel();
    await Deno.remove(s.dir, { recursive: true });
    assert.equal(status.code, 0);
  }
});

Deno.test("main prints how to set up and exits 2 without OPEN_ACCESS or JWT_SECRET", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("../main.ts", import.meta.url).pathname],
    env: { KV_PATH: ":memory:", OPEN_ACCESS: "", JWT_SECRET: "" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 2);
  assert.match(new TextDecoder().decode(out.stderr), /deno@2.9.6 task admin tenant create/);
});
