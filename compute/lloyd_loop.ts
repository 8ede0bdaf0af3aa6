/**
 * scikit-learn's Lloyd loop (`_kmeans_single_lloyd`), written once for every way of running its
 * steps: kmeans.ts's loop over a session's plain steps, and the CPU backend's bounded fit.
 */
import type { LloydFit, LloydStep } from "./backend.ts";

/** How one fit assigns rows; the loop decides everything else. */
export interface LloydSteps {
  /** Assigns every row to its nearest of `centers` (k × d) and returns the sums and counts. */
  assign(centers: Float32Array): Promise<LloydStep>;
  /**
   * The step with each empty cluster given one of the rows farthest from their centres
   * (scikit-learn's relocation), for the centres it leads to; `changed` stays the step's.
   */
  relocate(step: LloydStep, centers: Float32Array): Promise<LloydStep>;
  /** Told each move of the centres the loop goes on from (the bounded fit's drifts). */
  moved?(from: Float32Array, to: Float32Array): void;
  /**
   * The inertia the fit reports: after strict convergence, of the last assignment (to
   * `assigned`, whose step is `last`); otherwise (also when no iteration ran, with `last` undefined) of an assignment to the final `centers`, which
   * also makes the labels theirs.
   */
  inertia(
    strict: boolean,
    assigned: Float32Array,
    centers: Float32Array,
    last: LloydStep | undefined,
  ): Promise<number>;
}

/**
 * Runs Lloyd iterations from `start` (k × d) until the labels stop changing (from the second
 * iteration), the centres move by at most `tolAbs` (summed squared shift), or `maxIter`.
 */
export async function lloydLoop(
  start: Float32Array,
  k: number,
  d: number,
  maxIter: number,
  tolAbs: number,
  steps: LloydSteps,
): Promise<LloydFit> {
  let centers = start;
  let assigned = start;
  let strict = false;
  let converged = false;
  let iter = 0;
  let last: LloydStep | undefined;
  while (iter < maxIter) {
    let step = await steps.assign(centers);
    assigned = centers;
    iter++;
    if (step.counts.some((c) => c === 0)) step = await steps.relocate(step, centers);
    last = step;
    const { sums, counts } = step;
    const next = new Float32Array(k * d);
    for (let c = 0; c < k; c++) {
      for (let j = 0; j < d; j++) next[c * d + j] = sums[c * d + j]! / counts[c]!;
    }
    if (iter > 1 && step.changed === 0) {
      strict = true;
      converged = true;
      centers = next;
      break;
    }
    let shift = 0;
    for (let i = 0; i < next.length; i++) {
      const t = next[i]! - centers[i]!;
      shift += t * t;
    }
    steps.moved?.(centers, next);
    centers = next;
    if (shift <= tolAbs) {
      converged = true;
      break;
    }
  }
  const inertia = await steps.inertia(strict, assigned, centers, last);
  return { centers, inertia, nIter: iter, converged };
}
