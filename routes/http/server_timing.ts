/**
 * Per-request phase durations, answered as a `Server-Timing` header (W3C Server Timing):
 * `parse` (the JSON body), `validate` (the request schema), `compute` (the segmentation),
 * `store` (the run or the job's input in KV), `serialise` (the response body). The phases are
 * recorded where they happen, keyed by the request, so a route only asks for the header when it
 * writes its answer.
 *
 * @module
 */

/**
 * Adds `ms` to phase `phase` of `request`. Phases are kept in the order first recorded.
 *
 * @example
 * ```ts
 * import { recordPhase, serverTiming } from "./server_timing.ts";
 * const request = new Request("http://x/");
 * recordPhase(request, "parse", 12.345);
 * console.assert(serverTiming(request) === "parse;dur=12.3");
 * ```
 */
export function recordPhase(request: Request, phase: Phase, ms: number): void {
  let phases = PHASES.get(request);
  if (!phases) PHASES.set(request, phases = new Map());
  phases.set(phase, (phases.get(phase) ?? 0) + ms);
}

/** The phases a request's `Server-Timing` names. */
export type Phase = "parse" | "validate" | "compute" | "store" | "serialise";

/**
 * The `Server-Timing` value of `request`'s recorded phases (`parse;dur=41.2, validate;dur=3.0`,
 * milliseconds to 0.1), or "" when none was recorded.
 */
export function serverTiming(request: Request): string {
  const phases = PHASES.get(request);
  if (!phases) return "";
  return [...phases].map(([name, ms]) => `${name};dur=${ms.toFixed(1)}`).join(", ");
}

/** Runs `fn` and records its duration (even when it throws) as `phase` of `request`. */
export async function timePhase<T>(
  request: Request,
  phase: Phase,
  fn: () => Promise<T> | T,
): Promise<T> {
  const t0 = performance.now();
  try {
    return await fn();
  } finally {
    recordPhase(request, phase, performance.now() - t0);
  }
}

/** Marks the moment `request`'s body was parsed: `validate` is measured from here. */
export function markParsed(request: Request): void {
  PARSED_AT.set(request, performance.now());
}

/** Records `validate` as the time since `markParsed` (a request never parsed records nothing). */
export function recordValidated(request: Request): void {
  const at = PARSED_AT.get(request);
  if (at === undefined) return;
  PARSED_AT.delete(request);
  recordPhase(request, "validate", performance.now() - at);
}

// Keyed weakly by the request: nothing to clean up when it is answered.
const PHASES = new WeakMap<Request, Map<Phase, number>>();
const PARSED_AT = new WeakMap<Request, number>();
