/**
 * KMeans with k-means++ initialisation, `nInit` restarts keeping the lowest inertia, and Lloyd
 * iterations, following scikit-learn 1.2's `KMeans(algorithm="lloyd")`: the same greedy
 * k-means++ (2 + ⌊ln k⌋ local trials), the same stopping rule (labels unchanged, or a total
 * squared centre shift ≤ tol × mean feature variance), the same final E-step, and the same
 * relocation of empty clusters to the rows farthest from their centres. Random choices follow
 * `randomState` through `createRandom`, so results are reproducible but not bit-identical to
 * scikit-learn's (which draws from numpy's Mersenne Twister).
 */
import type { BackendName, ComputeBackend, LloydFit, LloydSession } from "./backend.ts";
import type { Matrix } from "./matrix.ts";
import { candidateKernel } from "./cpu/kernels.ts";
import { cpuWasmOf } from "./cpu/backend.ts";
import { wasmKmeansppSession } from "./cpu/wasm/kmeanspp.ts";
import { createRandom, type Random } from "./random.ts";
import { relocateEmptyClusters } from "./relocate.ts";
import { lloydLoop } from "./lloyd_loop.ts";
import { checkClusterCount, checkInteger, checkNonNegative } from "./options.ts";

/** Options of `kmeans`; defaults in `KMEANS_DEFAULTS`. */
export interface KMeansOptions {
  /** Number of clusters, an integer in [2, n]. */
  k: number;
  /** Restarts from independent k-means++ seeds; the lowest inertia wins. Ignored with `init`. */
  nInit?: number;
  /** Lloyd iterations per restart at most. */
  maxIter?: number;
  /** Relative tolerance on the centre shift (scaled by the mean feature variance, as sklearn). */
  tol?: number;
  /** Seed of every random choice. */
  randomState?: number;
  /** Explicit starting centres (k × d, row-major, standardised units); skips k-means++. */
  init?: Float32Array;
}

/** scikit-learn 1.2.1's defaults (the version the fixtures and benchmarks compare against). */
export const KMEANS_DEFAULTS = { nInit: 10, maxIter: 300, tol: 1e-4, randomState: 0 } as const;

/** A fitted KMeans model: plain, versioned data, ready to store and to `predict` with. */
export interface KMeansModel {
  readonly kind: "kmeans";
  readonly version: 1;
  readonly k: number;
  readonly d: number;
  /** k × d, row-major, in the units the model was fitted in (standardised). */
  readonly centers: number[];
}

/** The result of `kmeans`. */
export interface KMeansResult {
  readonly model: KMeansModel;
  /** Cluster of every row, in row order, in [0, k). */
  readonly labels: Int32Array;
  /** k × d, row-major. */
  readonly centers: Float32Array;
  /** Sum of squared distances of the rows to their centres. */
  readonly inertia: number;
  /** Lloyd iterations of the winning restart. */
  readonly nIter: number;
  /** False when the winning restart stopped at `maxIter`. */
  readonly converged: boolean;
  readonly backend: BackendName;
  /** Milliseconds: `init` (k-means++ seeding, all restarts) and `fit` (the iterations alone). */
  readonly timings: { readonly init: number; readonly fit: number };
}

/**
 * Fits KMeans to the rows of `x` (usually standardised) on `backend`.
 *
 * @throws {RangeError} when k is not an integer in [2, n], when `x` has fewer than k distinct
 *   rows, or when an option is out of range.
 */
export async function kmeans(
  x: Matrix,
  options: KMeansOptions,
  backend: ComputeBackend,
): Promise<KMeansResult> {
  const opts = { ...KMEANS_DEFAULTS, ...options };
  const { k, maxIter, tol, randomState } = opts;
  validateOptions(x, opts);
  const nInit = opts.init ? 1 : opts.nInit;
  const tolAbs = tol * meanVariance(x);
  const rng = createRandom(randomState);
  const session = await backend.lloyd(x, k);
  try {
    let best: Omit<KMeansResult, "model" | "timings" | "backend"> | undefined;
    let initMs = 0;
    let fitMs = 0;
    for (let run = 0; run < nInit; run++) {
      let t0 = performance.now();
      const start = opts.init
        ? Float32Array.from(opts.init)
        : await kmeansPlusPlusOn(x, k, rng, backend);
      initMs += performance.now() - t0;
      t0 = performance.now();
      // A backend that chains the iterations itself (the GPU) runs the same loop.
      const fit = (await session.fit?.(start, maxIter, tolAbs)) ??
        await lloyd(x, session, start, k, maxIter, tolAbs);
      fitMs += performance.now() - t0;
      if (!best || fit.inertia < best.inertia) {
        best = { ...fit, labels: await session.labels() };
      }
    }
    const result = best!;
    return {
      ...result,
      model: { kind: "kmeans", version: 1, k, d: x.d, centers: Array.from(result.centers) },
      backend: session.backend,
      timings: { init: initMs, fit: fitMs },
    };
  } finally {
    session.dispose();
  }
}

/**
 * The nearest centre of `model` for every row of `x` (same units as the model's centres).
 *
 * @throws {RangeError} when `x` has a different number of columns than the model.
 */
export function predictKMeans(
  model: KMeansModel,
  x: Matrix,
  backend: ComputeBackend,
): Promise<Int32Array> {
  return predictNearestCenter(model, x, backend);
}

/**
 * The nearest of a model's k centres (k × d, row-major) for every row of `x`: prediction for
 * every model summarised by centres (KMeans, Ward).
 *
 * @throws {RangeError} when `x` has a different number of columns than the model.
 */
export async function predictNearestCenter(
  model: { readonly k: number; readonly d: number; readonly centers: ArrayLike<number> },
  x: Matrix,
  backend: ComputeBackend,
): Promise<Int32Array> {
  if (x.d !== model.d) {
    throw new RangeError(`Expected ${model.d} columns but found ${x.d}`);
  }
  const { labels } = await backend.assign(x, Float32Array.from(model.centers), model.k);
  return labels;
}

/**
 * scikit-learn's greedy k-means++: the first centre uniformly at random, then each next centre
 * the best (lowest total potential) of 2 + ⌊ln k⌋ candidates drawn with probability
 * proportional to the squared distance to the nearest chosen centre.
 *
 * @throws {RangeError} when fewer than k distinct rows exist (every candidate has potential 0).
 */
export function kmeansPlusPlus(x: Matrix, k: number, rng: Random): Float32Array {
  const { data, n, d } = x;
  const fold = candidateKernel(d);
  const centers = new Float32Array(k * d);
  const trials = 2 + Math.floor(Math.log(k));
  const first = rng.nextInt(n);
  centers.set(data.subarray(first * d, first * d + d), 0);
  let closest: Float64Array = new Float64Array(n).fill(Infinity);
  let potential = fold(data, n, first, closest, closest);
  const cumulative = new Float64Array(n);
  let candidate: Float64Array = new Float64Array(n);
  let bestDistances: Float64Array = new Float64Array(n);
  for (let c = 1; c < k; c++) {
    if (!(potential > 0)) {
      throw new RangeError(`Expected at least ${k} distinct rows but found ${c}`);
    }
    let acc = 0;
    for (let i = 0; i < n; i++) cumulative[i] = acc += closest[i]!;
    let bestPot = Infinity;
    let bestId = -1;
    for (let t = 0; t < trials; t++) {
      const id = Math.min(searchSorted(cumulative, rng.nextFloat() * potential), n - 1);
      const pot = fold(data, n, id, closest, candidate);
      if (pot < bestPot) {
        bestPot = pot;
        bestId = id;
        [bestDistances, candidate] = [candidate, bestDistances];
      }
    }
    [closest, bestDistances] = [bestDistances, closest];
    potential = bestPot;
    centers.set(data.subarray(bestId * d, bestId * d + d), c * d);
  }
  return centers;
}

/**
 * `kmeansPlusPlus` on `backend`: on a CPU backend with the WebAssembly kernels, each step's
 * candidates are folded in one pass on its SIMD kernel and workers when n × d × trials reaches
 * its parallel threshold; otherwise `kmeansPlusPlus` itself. The same centres: the folded minima
 * are identical, the sampling sums them in the same order here, and only the comparison of the
 * candidates' potentials uses sums taken in another order (a different choice needs two
 * candidates' potentials within a few ulps).
 *
 * @throws {RangeError} when fewer than k distinct rows exist.
 */
export async function kmeansPlusPlusOn(
  x: Matrix,
  k: number,
  rng: Random,
  backend: ComputeBackend,
): Promise<Float32Array> {
  const { data, n, d } = x;
  const trials = 2 + Math.floor(Math.log(k));
  const cw = cpuWasmOf(backend);
  if (!cw || n * d * trials < cw.threshold) return kmeansPlusPlus(x, k, rng);
  const session = wasmKmeansppSession(x, trials, cw.parts, cw.run);
  try {
    const centers = new Float32Array(k * d);
    const first = rng.nextInt(n);
    centers.set(data.subarray(first * d, first * d + d), 0);
    await session.fold([first]);
    session.accept(0);
    const closest = session.closest;
    const cumulative = new Float64Array(n);
    for (let c = 1; c < k; c++) {
      // The running minimum summed in row order: the reference's potential, bit for bit.
      let potential = 0;
      for (let i = 0; i < n; i++) cumulative[i] = potential += closest[i]!;
      if (!(potential > 0)) {
        throw new RangeError(`Expected at least ${k} distinct rows but found ${c}`);
      }
      const ids: number[] = [];
      for (let t = 0; t < trials; t++) {
        ids.push(Math.min(searchSorted(cumulative, rng.nextFloat() * potential), n - 1));
      }
      const pots = await session.fold(ids);
      let best = 0;
      for (let t = 1; t < trials; t++) if (pots[t]! < pots[best]!) best = t;
      session.accept(best);
      centers.set(data.subarray(ids[best]! * d, ids[best]! * d + d), c * d);
    }
    return centers;
  } finally {
    session.dispose();
  }
}

/** kmeans.ts's loop over `session`'s plain steps. */
function lloyd(
  x: Matrix,
  session: LloydSession,
  start: Float32Array,
  k: number,
  maxIter: number,
  tolAbs: number,
): Promise<LloydFit> {
  return lloydLoop(start, k, x.d, maxIter, tolAbs, {
    assign: (centers) => session.step(centers),
    async relocate(step) {
      const { sums, counts } = step;
      relocateEmptyClusters(x, await session.distances(), await session.labels(), sums, counts);
      return step;
    },
    // Labels must match the centres: after a stop by shift or max_iter, assign once more.
    inertia: async (strict, _assigned, centers, last) =>
      strict ? last!.inertia : (await session.step(centers)).inertia,
  });
}

function validateOptions(x: Matrix, o: Required<Omit<KMeansOptions, "init">> & KMeansOptions) {
  checkClusterCount(o.k, x.n);
  checkInteger("n_init", o.nInit);
  checkInteger("max_iter", o.maxIter);
  checkNonNegative("tol", o.tol);
  if (o.init && o.init.length !== o.k * x.d) {
    throw new RangeError(
      `Expected init to hold k × d = ${o.k * x.d} values but found ${o.init.length}`,
    );
  }
}

function meanVariance(x: Matrix): number {
  const { data, n, d } = x;
  let total = 0;
  for (let j = 0; j < d; j++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += data[i * d + j]!;
    mean /= n;
    let v = 0;
    for (let i = 0; i < n; i++) {
      const t = data[i * d + j]! - mean;
      v += t * t;
    }
    total += v / n;
  }
  return total / d;
}

// First index whose cumulative value is ≥ v (numpy's searchsorted, side="left").
function searchSorted(cumulative: Float64Array, v: number): number {
  let lo = 0;
  let hi = cumulative.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cumulative[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
