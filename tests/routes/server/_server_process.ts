/**
 * Runs `main.ts` as a real server process on a loopback port for fault tests: started through
 * bash so that a test can lower its open-file limit, stopped with SIGTERM.
 */
export interface ServerProcess {
  port: number;
  url: string;
  /** Everything the process wrote to stderr so far. */
  stderr(): string;
  /** Whether the process is still running. */
  alive(): boolean;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number>;
}

/** Starts a server with `env` on top of test defaults; `ulimit` lowers `ulimit -n`. */
export async function startServer(
  env: Record<string, string> = {},
  options: { ulimit?: number; timeoutMs?: number } = {},
): Promise<ServerProcess> {
  const main = new URL("../../../main.ts", import.meta.url).pathname;
  const limit = options.ulimit ? `ulimit -n ${options.ulimit}; ` : "";
  const child = new Deno.Command("bash", {
    args: ["-c", `${limit}exec "${Deno.execPath()}" run --allow-all "${main}"`],
    env: {
      OPEN_ACCESS: "1",
      HOST: "127.0.0.1",
      PORT: "0",
      KV_PATH: ":memory:",
      COMPUTE_BACKEND: "cpu",
      ACCESS_LOG: "off",
      ...env,
    },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let errText = "";
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  const errDone = child.stderr.pipeTo(
    new WritableStream({ write: (chunk) => void (errText += new TextDecoder().decode(chunk)) }),
  ).catch(() => {});
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  let port: number | undefined;
  while (port === undefined) {
    if (Date.now() > deadline || exited) {
      child.kill("SIGKILL");
      throw new Error(`The server did not start: ${out}\n${errText}`);
    }
    const { value, done } = await reader.read();
    if (done) continue;
    out += value;
    const match = /Listening on http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
    if (match) port = Number(match[1]);
  }
  // Keep draining stdout so the process never blocks on a full pipe.
  const outDone = (async () => {
    while (!(await reader.read()).done) { /* drain */ }
  })().catch(() => {});
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    stderr: () => errText,
    alive: () => !exited,
    async stop() {
      if (!exited) child.kill("SIGTERM");
      const timer = setTimeout(() => !exited && child.kill("SIGKILL"), 10_000);
      const { code } = await status;
      clearTimeout(timer);
      await Promise.all([errDone, outDone]);
      return code;
    },
  };
}
