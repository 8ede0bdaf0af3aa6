/**
 * A real server process (`main.ts`) for `bench/load_fault.ts`: started on a loopback port with
 * the given environment, with its pid (for `/proc/<pid>/status`), a SIGKILL and a SIGTERM stop.
 * Like `tests/routes/server/_server_process.ts`, but a benchmark needs the pid and `kill -9`.
 */
export interface BenchServer {
  pid: number;
  port: number;
  url: string;
  /** Everything the process wrote to stderr so far. */
  stderr(): string;
  alive(): boolean;
  /** SIGKILL (kill -9) and wait for the exit. */
  kill9(): Promise<void>;
  /** SIGTERM, then the exit code (SIGKILL after 15 s). */
  stop(): Promise<number>;
}

/** VmHWM and VmRSS of a process in MB, or null once it is gone. */
export async function memoryOf(pid: number): Promise<{ hwm: number; rss: number } | null> {
  try {
    const text = await Deno.readTextFile(`/proc/${pid}/status`);
    const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(text)?.[1] ?? 0);
    return { hwm: kb("VmHWM") / 1024, rss: kb("VmRSS") / 1024 };
  } catch {
    return null;
  }
}

/** Starts `main.ts` with `env` on top of the bench's defaults; resolves once it listens. */
export async function startBenchServer(env: Record<string, string>): Promise<BenchServer> {
  const main = new URL("../main.ts", import.meta.url).pathname;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", main],
    env: {
      HOST: "127.0.0.1",
      PORT: "0",
      COMPUTE_BACKEND: "cpu",
      ACCESS_LOG: "off",
      ...env,
    },
    stdin: "null",
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
  const deadline = Date.now() + 60_000;
  let port: number | undefined;
  while (port === undefined) {
    if (Date.now() > deadline || exited) {
      if (!exited) child.kill("SIGKILL");
      throw new Error(`The server did not start: ${out}\n${errText}`);
    }
    const { value, done } = await reader.read();
    if (done) {
      await new Promise((r) => setTimeout(r, 50));
      continue;
    }
    out += value;
    const match = /Listening on http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
    if (match) port = Number(match[1]);
  }
  const outDone = (async () => {
    while (!(await reader.read()).done) { /* drain */ }
  })().catch(() => {});
  return {
    pid: child.pid,
    port,
    url: `http://127.0.0.1:${port}`,
    stderr: () => errText,
    alive: () => !exited,
    async kill9() {
      if (!exited) child.kill("SIGKILL");
      await status;
      await Promise.all([errDone, outDone]);
    },
    async stop() {
      if (!exited) child.kill("SIGTERM");
      const timer = setTimeout(() => !exited && child.kill("SIGKILL"), 15_000);
      const { code } = await status;
      clearTimeout(timer);
      await Promise.all([errDone, outDone]);
      return code;
    },
  };
}
