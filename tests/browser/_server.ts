/**
 * The real service for browser tests: a tenant and a user made with the admin command in a
 * fresh KV file, then `main.ts` started as its own process on a free loopback port, exactly as
 * `deno task start` runs it. Dispose it with `await using`.
 */

/** The analyst the tests sign in as. */
export const ANALYST = { username: "analyst", password: "correct horse battery staple" };

const ROOT = new URL("../../", import.meta.url);

/** Where Debian's Chromium is; the browser tests skip (saying so) when it is absent. */
export const CHROMIUM = "/usr/bin/chromium";

/** True when the browser can run here. */
export function hasChromium(): boolean {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
}

/** The flags the machines need: no sandbox (root in a container), no GPU, no network. */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
];

/** Starts the service; `url` is its base URL (ending in `/`). */
export async function startService(env: Record<string, string> = {}) {
  const dir = await Deno.makeTempDir({ prefix: "segments-browser-" });
  const kvPath = `${dir}/kv.sqlite3`;
  const common = {
    KV_PATH: kvPath,
    JWT_SECRET: "browser-tests-secret-".padEnd(48, "x"),
    ACCESS_LOG: "off",
    ...env,
  };
  const admin = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "cli/admin.ts",
      "tenant",
      "create",
      "--name",
      "Browser tests",
      "--username",
      ANALYST.username,
      "--password",
      ANALYST.password,
    ],
    cwd: ROOT,
    env: common,
    stdout: "piped",
    stderr: "piped",
  });
  const made = await admin.output();
  if (!made.success) {
    throw new Error(`admin tenant create failed: ${new TextDecoder().decode(made.stderr)}`);
  }
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "main.ts"],
    cwd: ROOT,
    env: { ...common, HOST: "127.0.0.1", PORT: "0" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const url = await listeningUrl(child);
  return {
    url,
    async [Symbol.asyncDispose]() {
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
      await child.status;
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

async function listeningUrl(child: Deno.ChildProcess): Promise<string> {
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* gone */ }
  }, 60_000);
  try {
    for (;;) {
      const { value, done } = await lines.read();
      if (done) throw new Error(`The server stopped before listening:\n${seen}`);
      seen += value;
      const m = /Listening on (http:\/\/[^\s]+\/)/.exec(seen);
      if (m) {
        // Keep draining stdout so the server never blocks on a full pipe.
        (async () => {
          while (!(await lines.read()).done);
        })().catch(() => {});
        child.stderr.pipeTo(new WritableStream()).catch(() => {});
        return m[1]!;
      }
    }
  } finally {
    clearTimeout(timer);
  }
}
