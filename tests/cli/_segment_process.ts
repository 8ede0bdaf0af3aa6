/**
 * Runs `deno task segment` as a user does: a separate process, so that a hang, a crash, an
 * uncaught rejection or a stack trace printed by the runtime shows as it would on a terminal.
 *
 * @module
 */

/** What a run printed and returned; `timedOut` when it was killed after the limit. */
export interface ProcessRun {
  code: number;
  out: string;
  err: string;
  timedOut: boolean;
  ms: number;
}

const SEGMENT = new URL("../../cli/segment.ts", import.meta.url).pathname;

/** Runs the command on `args` (with `--quiet`), killing it after `timeoutMs`. */
export async function runSegmentProcess(args: string[], timeoutMs = 60_000): Promise<ProcessRun> {
  const started = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-env", "--allow-read", "--allow-write", SEGMENT, ...args, "--quiet"],
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
    env: { NO_COLOR: "1" },
  }).spawn();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, timeoutMs);
  try {
    const { code, stdout, stderr } = await child.output();
    const text = new TextDecoder();
    return {
      code,
      out: text.decode(stdout),
      err: text.decode(stderr),
      timedOut,
      ms: performance.now() - started,
    };
  } finally {
    clearTimeout(timer);
  }
}
