/**
 * Progress of a long segmentation on standard error: one line, redrawn in place, naming the
 * stage, the candidate model when the pipeline reports one, and the time so far.
 *
 * Nothing is drawn during the first second (a quick run stays silent) nor at all when the line
 * is disabled (`--quiet`, or standard error is not a terminal, where `\r` redraws would litter
 * a log file).
 *
 * @module
 */
import type { ProgressEvent } from "../../compute/auto.ts";

/** What the command reports while it works. */
export interface Progress {
  /** A new stage begins (the candidate count is forgotten). */
  stage(name: string): void;
  /** Candidate `index` (1-based) of `total` is being fitted. */
  candidate(index: number, total: number): void;
  /** Erases the line and stops the clock; safe to call twice. */
  stop(): void;
}

/** Options of `createProgress`. */
export interface ProgressOptions {
  /** False: every call does nothing. */
  enabled: boolean;
  /** Writes to the terminal (synchronously, so a line is whole before the next compute pass). */
  write: (text: string) => void;
  /** Milliseconds, monotonic (default `performance.now`). */
  now?: () => number;
  /** Silence at the start (default 1000 ms). */
  delayMs?: number;
  /** How often the elapsed time is redrawn while the event loop is free (default 250 ms). */
  tickMs?: number;
}

/** A progress line as the options say; a no-op when disabled. */
export function createProgress(options: ProgressOptions): Progress {
  if (!options.enabled) return { stage() {}, candidate() {}, stop() {} };
  const now = options.now ?? (() => performance.now());
  const delay = options.delayMs ?? 1000;
  const start = now();
  let stageName = "";
  let step = "";
  let drawn = false;
  let stopped = false;

  const draw = () => {
    if (stopped || now() - start < delay) return;
    const seconds = ((now() - start) / 1000).toFixed(1);
    const parts = [stageName, step, `${seconds}s`].filter((p) => p !== "");
    options.write(`\r\x1b[2Ksegment: ${parts.join(" · ")}`);
    drawn = true;
  };
  // The timer keeps the clock moving between reports; unref'd so it never holds the process.
  const timer = setInterval(draw, options.tickMs ?? 250);
  Deno.unrefTimer(timer);

  return {
    stage(name) {
      stageName = name;
      step = "";
      draw();
    },
    candidate(index, total) {
      step = `candidate ${index} of ${total}`;
      draw();
    },
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      if (drawn) options.write("\r\x1b[2K");
    },
  };
}

/** What the pipeline's stages (`segmentColumns`' `onProgress`) are called on the line. */
const STAGES: Record<string, string> = {
  preprocess: "preprocessing",
  candidates: "fitting candidates",
  selection: "selecting",
  profiles: "profiling segments",
  narratives: "naming segments",
  importance: "measuring importance",
};

/** A listener for the pipeline's `onProgress` that reports each event on `progress`. */
export function pipelineListener(progress: Progress): (event: ProgressEvent) => void {
  let current = "";
  return (event) => {
    const name = STAGES[event.stage] ?? event.stage;
    if (name !== current) progress.stage(current = name);
    if (event.done !== undefined && event.total !== undefined) {
      progress.candidate(event.done, event.total);
    }
  };
}
