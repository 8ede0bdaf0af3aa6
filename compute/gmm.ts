/**
 * Gaussian Mixture with full covariances fitted by EM, following scikit-learn 1.2's
 * `GaussianMixture(covariance_type="full")`: the same initialisation from a KMeans labelling, the
 * same precision Cholesky factors, the same E-step (log-sum-exp of the weighted log-densities),
 * M-step (nk = Σ resp + 10·eps, `reg_covar` on every covariance diagonal, weights nk / n),
 * stopping rule (|Δ lower bound| < tol), choice among restarts (highest lower bound) and final
 * E-step for the labels. Everything runs in float64 on the float32 rows.
 *
 * The E-step is the heavy pass (n × k × d² per iteration). It runs on the CPU whatever backend
 * is passed: on a CPU backend with the WebAssembly kernels, the EM iterations' E-step and M-step
 * sums run on its SIMD kernel and workers (`cpu/wasm/gmm.ts`) when n × k × d reaches its
 * parallel threshold; otherwise, and for the final labelling E-step, on the calling thread with
 * the TypeScript kernels below (the reference). The backend also runs the KMeans of the
 * initialisation; results say `backend: "cpu"` for the EM itself.
 */
import type { BackendName, ComputeBackend } from "./backend.ts";
import { cpuWasmOf } from "./cpu/backend.ts";
import { type WasmGmmSession, wasmGmmSession } from "./cpu/wasm/gmm.ts";
import { kmeans } from "./kmeans.ts";
import { cholesky, invertLower, packLower } from "./linalg.ts";
import type { Matrix } from "./matrix.ts";
import { createRandom } from "./random.ts";
import { checkClusterCount, checkInteger, checkNonNegative } from "./options.ts";

/**
 * Explicit starting parameters, flat and row-major, in the units of the rows (standardised):
 * `weights` k values summing to 1, `means` k × d, `covariances` k × d × d (symmetric; `regCovar`
 * is added to their diagonals before use, as for every covariance EM estimates).
 */
export interface GmmInitParameters {
  readonly weights: ArrayLike<number>;
  readonly means: ArrayLike<number>;
  readonly covariances: ArrayLike<number>;
}

/** Options of `gmm`; defaults in `GMM_DEFAULTS`. */
export interface GmmOptions {
  /** Number of components, an integer in [2, n]. */
  k: number;
  /** Added to every covariance diagonal, so that collapsed components stay invertible. */
  regCovar?: number;
  /** EM stops when the per-row lower bound changes by less than this. */
  tol?: number;
  /** EM iterations per restart at most. */
  maxIter?: number;
  /** Restarts from independent KMeans labellings; the highest lower bound wins. Ignored with
   * explicit `init`. */
  nInit?: number;
  /** Seed of every random choice (the KMeans of each restart). */
  randomState?: number;
  /** `"kmeans"`: responsibilities from a KMeans labelling (scikit-learn's `init_params`), or
   * explicit starting parameters. */
  init?: "kmeans" | GmmInitParameters;
}

/** scikit-learn 1.2.1's defaults. */
export const GMM_DEFAULTS = {
  regCovar: 1e-6,
  tol: 1e-3,
  maxIter: 100,
  nInit: 1,
  randomState: 0,
  init: "kmeans",
} as const;

/** A fitted Gaussian Mixture: plain, versioned data, ready to store and to predict with. */
export interface GmmModel {
  readonly kind: "gmm";
  readonly version: 1;
  readonly k: number;
  readonly d: number;
  /** k mixture weights, summing to 1. */
  readonly weights: number[];
  /** k × d, row-major, in the units the model was fitted in (standardised). */
  readonly means: number[];
  /** k × d × d, row-major, `regCovar` included (scikit-learn's `covariances_`). */
  readonly covariances: number[];
}

/** The result of `gmm`. */
export interface GmmResult {
  readonly model: GmmModel;
  /** Component of highest posterior for every row, from an E-step with the final parameters. */
  readonly labels: Int32Array;
  /** Per-row lower bound of the winning restart's last iteration (scikit-learn's
   * `lower_bound_`, taken before that iteration's M-step). */
  readonly lowerBound: number;
  /** Mean log-likelihood of the rows under the final parameters (scikit-learn's `score`). */
  readonly meanLogLikelihood: number;
  /** −2 · score · n + p · ln n, p = k·d(d+1)/2 + k·d + k − 1 free parameters. */
  readonly bic: number;
  /** −2 · score · n + 2p. */
  readonly aic: number;
  /** EM iterations of the winning restart. */
  readonly nIter: number;
  /** False when the winning restart stopped at `maxIter`. */
  readonly converged: boolean;
  /** What ran the EM iterations: always "cpu" in this version (see the module doc). */
  readonly backend: BackendName;
  /** Milliseconds: `init` (KMeans and starting parameters, all restarts) and `fit` (EM and the
   * final E-step). */
  readonly timings: { readonly init: number; readonly fit: number };
}

/**
 * Fits a full-covariance Gaussian Mixture to the rows of `x` (usually standardised) by EM, as
 * scikit-learn 1.2's `GaussianMixture(covariance_type="full")` does. With `init: "kmeans"` each
 * restart labels the rows with `kmeans` (one k-means++ seed, its seed drawn from `randomState`)
 * on `backend` and starts from those hard responsibilities, so starts (not the EM) differ from
 * scikit-learn's for the same `randomState`. `converged` is the winning restart's own flag
 * (scikit-learn 1.2 reports whether any restart converged).
 *
 * @throws {RangeError} when k is not an integer in [2, n], an option is out of range, explicit
 *   `init` has the wrong sizes or weights not summing to 1, `x` has fewer than k distinct rows
 *   (KMeans initialisation), or a covariance is not positive definite even with `regCovar` on
 *   its diagonal (the message says to raise `regCovar`).
 * @throws {TypeError} when `init` is neither "kmeans" nor parameters, or holds a non-finite value.
 *
 * @example
 * ```ts
 * import { gmm, predictGmm } from "./gmm.ts";
 * import { fromRows } from "./matrix.ts";
 * import { createCpuBackend } from "./cpu/backend.ts";
 * const x = fromRows([[0, 0], [0.2, 0.1], [0.1, 0.3], [5, 5], [5.2, 4.9], [4.8, 5.1]]);
 * const backend = createCpuBackend({ threads: 1 });
 * const fit = await gmm(x, { k: 2 }, backend);
 * const labels = await predictGmm(fit.model, x, backend);
 * await backend.dispose();
 * if (labels[0] === labels[3] || labels[0] !== labels[1]) throw new Error("wrong clusters");
 * ```
 */
export async function gmm(
  x: Matrix,
  options: GmmOptions,
  backend: ComputeBackend,
): Promise<GmmResult> {
  const opts = { ...GMM_DEFAULTS, ...options };
  const { k, regCovar, tol, maxIter, randomState } = opts;
  const { n, d } = x;
  validateOptions(x, opts);
  const explicit = typeof opts.init === "object" ? opts.init : undefined;
  const nInit = explicit ? 1 : opts.nInit;
  const rows = Float64Array.from(x.data);
  const rng = createRandom(randomState);
  // The EM's passes on the CPU backend's WebAssembly kernel and workers when it has them (a
  // session per run, opened after the initialisation, whose k-means++ shares the cached rows).
  const cw = cpuWasmOf(backend);
  const useWasm = cw !== undefined && n * k * d >= cw.threshold;
  let session: WasmGmmSession | undefined;
  let best: EmFit | undefined;
  let initMs = 0;
  let fitMs = 0;
  for (let run = 0; run < nInit; run++) {
    let t0 = performance.now();
    const start = explicit
      ? explicitStart(explicit, k, d, regCovar)
      : await kmeansStart(x, rows, k, regCovar, rng.nextU32(), backend);
    initMs += performance.now() - t0;
    t0 = performance.now();
    session = useWasm ? wasmGmmSession(x, k, cw.parts, cw.run) : undefined;
    try {
      const fit = await em(rows, n, d, k, start, regCovar, tol, maxIter, session);
      if (!best || fit.lowerBound > best.lowerBound) best = fit;
    } finally {
      if (run < nInit - 1) session?.dispose();
    }
    fitMs += performance.now() - t0;
  }
  const fit = best!;
  const t0 = performance.now();
  const prepared = prepare(fit.params, k, d, regCovar);
  let labels: Int32Array = new Int32Array(n);
  let score: number;
  if (session) {
    // Same log-densities as the reference's, so the same labels; the score up to summation order.
    const out = await session.labels(prepared.means, prepared.precChol, prepared.logConst)
      .finally(() => session!.dispose());
    labels = out.labels;
    score = out.total / n;
  } else {
    score = eStep(rows, n, d, k, prepared, { labels }) / n;
  }
  fitMs += performance.now() - t0;
  const p = (k * d * (d + 1)) / 2 + k * d + k - 1;
  return {
    model: {
      kind: "gmm",
      version: 1,
      k,
      d,
      weights: Array.from(fit.params.weights),
      means: Array.from(fit.params.means),
      covariances: Array.from(fit.params.covariances),
    },
    labels,
    lowerBound: fit.lowerBound,
    meanLogLikelihood: score,
    bic: -2 * score * n + p * Math.log(n),
    aic: -2 * score * n + 2 * p,
    nIter: fit.nIter,
    converged: fit.converged,
    backend: "cpu",
    timings: { init: initMs, fit: fitMs },
  };
}

/**
 * The component of highest posterior probability for every row of `x` (scikit-learn's
 * `predict`; ties go to the lower index). Runs on the CPU whatever `backend` is (see the module
 * doc).
 *
 * @throws {RangeError} when `x` has a different number of columns than the model, or the model's
 *   arrays have the wrong sizes or a covariance that is not positive definite.
 */
export function predictGmm(
  model: GmmModel,
  x: Matrix,
  _backend: ComputeBackend,
): Promise<Int32Array> {
  return settle(() => {
    const labels = new Int32Array(x.n);
    eStep(Float64Array.from(x.data), x.n, x.d, model.k, prepareModel(model, x), { labels });
    return labels;
  });
}

/**
 * The posterior probability of every component for every row of `x`: n × k, row-major, each row
 * summing to 1 (scikit-learn's `predict_proba`). Runs on the CPU whatever `backend` is.
 *
 * @throws {RangeError} as `predictGmm`.
 */
export function predictProbaGmm(
  model: GmmModel,
  x: Matrix,
  _backend: ComputeBackend,
): Promise<Float64Array> {
  return settle(() => {
    const proba = new Float64Array(x.n * model.k);
    eStep(Float64Array.from(x.data), x.n, x.d, model.k, prepareModel(model, x), { proba });
    return proba;
  });
}

// The predictions are asynchronous for the GPU pass to come; until then errors must still
// arrive as rejections, not as synchronous throws.
function settle<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(err);
  }
}

/** numpy's `finfo(float64).eps`: scikit-learn adds 10 of it to every nk. */
const EPS = 2.220446049250313e-16;
const LOG_2PI = Math.log(2 * Math.PI);

interface GmmParams {
  weights: Float64Array;
  /** k × d */
  means: Float64Array;
  /** k × d × d, `regCovar` included */
  covariances: Float64Array;
}

/** What the E-step needs: the precision Cholesky factors and the constant part of each log-density. */
interface Prepared {
  means: Float64Array;
  /** k packed lower triangles of L⁻¹ (L the covariance's Cholesky factor): ‖L⁻¹(x − μ)‖² is the
   * Mahalanobis term. scikit-learn's `precisions_cholesky_` is its transpose. */
  precChol: Float64Array;
  /** ln w + ln det L⁻¹ − d/2 · ln 2π per component. */
  logConst: Float64Array;
}

/** Responsibility-weighted sums of the M-step, taken about reference means (see `mStep`). */
interface Sums {
  /** Σ r per component */
  r: Float64Array;
  /** Σ r (x − ref), k × d */
  s1: Float64Array;
  /** Σ r (x − ref)(x − ref)ᵀ, k packed lower triangles */
  s2: Float64Array;
}

interface EmFit {
  params: GmmParams;
  lowerBound: number;
  nIter: number;
  converged: boolean;
}

async function em(
  rows: Float64Array,
  n: number,
  d: number,
  k: number,
  start: GmmParams,
  regCovar: number,
  tol: number,
  maxIter: number,
  session?: WasmGmmSession,
): Promise<EmFit> {
  let params = start;
  let lowerBound = -Infinity;
  let converged = false;
  let iter = 0;
  const sums = newSums(k, d);
  while (iter < maxIter) {
    iter++;
    const prev = lowerBound;
    const prepared = prepare(params, k, d, regCovar);
    clearSums(sums);
    // The E-step and the M-step's sums share one pass over the rows (block by block, while the
    // block's responsibilities are in cache). The sums are taken about the current means, so
    // the covariances need no second pass about the new ones.
    if (session) {
      const w = await session.step(prepared.means, prepared.precChol, prepared.logConst);
      sums.r.set(w.r);
      sums.s1.set(w.s1);
      sums.s2.set(w.s2);
      lowerBound = w.total / n;
    } else {
      lowerBound = eStep(rows, n, d, k, prepared, { sums }) / n;
    }
    if (!Number.isFinite(lowerBound)) throw illDefined(-1, regCovar);
    params = mStep(sums, params.means, n, k, d, regCovar);
    if (Math.abs(lowerBound - prev) < tol) {
      converged = true;
      break;
    }
  }
  return { params, lowerBound, nIter: iter, converged };
}

/** Rows per block: the block's rows and responsibilities stay in cache between the E-step and
 * the k passes that accumulate the M-step's sums from them. */
const BLOCK_ROWS = 4096;

/**
 * One pass over the rows with the prepared parameters: the log-sum-exp of the weighted
 * log-densities of every row (its sum is returned), and on request the labels (argmax), the
 * responsibilities, or their M-step sums. Runs the kernels specialised for d, block by block.
 */
function eStep(
  rows: Float64Array,
  n: number,
  d: number,
  k: number,
  prepared: Prepared,
  out: { labels?: Int32Array; proba?: Float64Array; sums?: Sums },
): number {
  const { means, precChol, logConst } = prepared;
  const { proba, sums } = out;
  const labels = out.labels ?? null;
  const estep = eStepKernel(d);
  const accumulate = accumulateKernel(d);
  const scratch = new Float64Array(2 * k);
  const blockResp = sums && !proba ? new Float64Array(BLOCK_ROWS * k) : undefined;
  let total = 0;
  for (let start = 0; start < n; start += BLOCK_ROWS) {
    const end = Math.min(n, start + BLOCK_ROWS);
    const resp = proba?.subarray(start * k, end * k) ?? blockResp ?? null;
    total += estep(rows, start, end, k, means, precChol, logConst, scratch, labels, resp);
    if (sums) {
      for (let c = 0; c < k; c++) {
        accumulate(rows, start, end, k, c, resp!, means, sums.r, sums.s1, sums.s2);
      }
    }
  }
  return total;
}

/**
 * The E-step over rows [start, end) as plain loops, the reference for the generated kernels.
 * For each row: the Mahalanobis term ‖L⁻¹(x − μ)‖² of every component (L⁻¹ packed lower, so each
 * difference is used as soon as it is computed), the weighted log-density, their log-sum-exp
 * (returned summed over the range), the label of the largest (ties to the lower index, as numpy's
 * argmax) and, when `resp` is given, the responsibilities at `resp[(i − start)·k + c]`.
 * `scratch` holds 2k values.
 */
export function eStepRange(
  d: number,
  rows: Float64Array,
  start: number,
  end: number,
  k: number,
  means: Float64Array,
  precChol: Float64Array,
  logConst: Float64Array,
  scratch: Float64Array,
  labels: Int32Array | null,
  resp: Float64Array | null,
): number {
  const tri = (d * (d + 1)) / 2;
  const diff = new Float64Array(d);
  let total = 0;
  for (let i = start; i < end; i++) {
    const xo = i * d;
    let max = -Infinity;
    let arg = 0;
    for (let c = 0; c < k; c++) {
      let po = c * tri;
      let q = 0;
      for (let j = 0; j < d; j++) {
        diff[j] = rows[xo + j]! - means[c * d + j]!;
        let y = 0;
        for (let l = 0; l <= j; l++) y += precChol[po++]! * diff[l]!;
        q += y * y;
      }
      const v = logConst[c]! - 0.5 * q;
      scratch[c] = v;
      if (v > max) {
        max = v;
        arg = c;
      }
    }
    let acc = 0;
    for (let c = 0; c < k; c++) {
      const e = Math.exp(scratch[c]! - max);
      scratch[k + c] = e;
      acc += e;
    }
    total += max + Math.log(acc);
    if (labels !== null) labels[i] = arg;
    if (resp !== null) {
      const inv = 1 / acc;
      const ro = (i - start) * k;
      for (let c = 0; c < k; c++) resp[ro + c] = scratch[k + c]! * inv;
    }
  }
  return total;
}

/**
 * Adds component c's M-step sums over rows [start, end) about its current mean: Σ r, Σ r·t and
 * the packed lower triangle of Σ r·t·tᵀ, t = x − μ_c, with r = `resp[(i − start)·k + c]`.
 */
export function accumulateRange(
  d: number,
  rows: Float64Array,
  start: number,
  end: number,
  k: number,
  c: number,
  resp: Float64Array,
  means: Float64Array,
  sr: Float64Array,
  s1: Float64Array,
  s2: Float64Array,
): void {
  const tri = (d * (d + 1)) / 2;
  const t = new Float64Array(d);
  for (let i = start; i < end; i++) {
    const r = resp[(i - start) * k + c]!;
    if (r === 0) continue;
    sr[c]! += r;
    let po = c * tri;
    for (let j = 0; j < d; j++) {
      t[j] = rows[i * d + j]! - means[c * d + j]!;
      const u = r * t[j]!;
      s1[c * d + j]! += u;
      for (let l = 0; l <= j; l++) s2[po++]! += u * t[l]!;
    }
  }
}

type Tail<T extends unknown[]> = T extends [unknown, ...infer R] ? R : never;
type EStepKernel = (...args: Tail<Parameters<typeof eStepRange>>) => number;
type AccumulateKernel = (...args: Tail<Parameters<typeof accumulateRange>>) => void;

/** Beyond this many features the unrolled source grows as d² and stops paying for itself. */
const MAX_UNROLLED_D = 16;
const eStepKernels = new Map<number, EStepKernel>();
const accumulateKernels = new Map<number, AccumulateKernel>();

/**
 * `eStepRange` specialised for `d`: the features unrolled, the row and its differences in
 * locals (about 2× faster in V8 than the generic triangular loops). The same operations in the
 * same order, so the same results bit for bit. Only integers enter the source.
 */
export function eStepKernel(d: number): EStepKernel {
  let kernel = eStepKernels.get(d);
  if (kernel) return kernel;
  if (d > MAX_UNROLLED_D || !Number.isInteger(d) || d < 1) {
    kernel = (...args) => eStepRange(d, ...args);
  } else {
    const tri = (d * (d + 1)) / 2;
    const js = Array.from({ length: d }, (_, j) => j);
    const src: string[] = ["let total = 0;"];
    src.push(`for (let i = start, o = start * ${d}; i < end; i++, o += ${d}) {`);
    src.push(`const ${js.map((j) => `x${j} = rows[o + ${j}]`).join(", ")};`);
    src.push("let max = -Infinity, arg = 0;");
    src.push(`for (let c = 0, mo = 0, po = 0; c < k; c++, mo += ${d}, po += ${tri}) {`);
    src.push(`const ${js.map((j) => `t${j} = x${j} - means[mo + ${j}]`).join(", ")};`);
    src.push("let y, q;");
    let p = 0;
    for (let j = 0; j < d; j++) {
      const terms = js.slice(0, j + 1).map((l) => `precChol[po + ${p++}] * t${l}`);
      src.push(`y = ${terms.join(" + ")}; q ${j === 0 ? "=" : "+="} y * y;`);
    }
    src.push("const v = logConst[c] - 0.5 * q; scratch[c] = v;");
    src.push("if (v > max) { max = v; arg = c; }", "}");
    src.push("let acc = 0;");
    src.push("for (let c = 0; c < k; c++) {");
    src.push("const e = Math.exp(scratch[c] - max); scratch[k + c] = e; acc += e;", "}");
    src.push("total += max + Math.log(acc);");
    src.push("if (labels !== null) labels[i] = arg;");
    src.push("if (resp !== null) {");
    src.push("const inv = 1 / acc, ro = (i - start) * k;");
    src.push("for (let c = 0; c < k; c++) resp[ro + c] = scratch[k + c] * inv;", "}");
    src.push("}", "return total;");
    kernel = new Function(
      "rows",
      "start",
      "end",
      "k",
      "means",
      "precChol",
      "logConst",
      "scratch",
      "labels",
      "resp",
      src.join("\n"),
    ) as EStepKernel;
  }
  eStepKernels.set(d, kernel);
  return kernel;
}

/**
 * `accumulateRange` specialised for `d`: the component's mean and all its sums in locals over
 * the range, written back once (about 4× faster than adding into the arrays row by row).
 * Only integers enter the source.
 */
export function accumulateKernel(d: number): AccumulateKernel {
  let kernel = accumulateKernels.get(d);
  if (kernel) return kernel;
  if (d > MAX_UNROLLED_D || !Number.isInteger(d) || d < 1) {
    kernel = (...args) => accumulateRange(d, ...args);
  } else {
    const tri = (d * (d + 1)) / 2;
    const js = Array.from({ length: d }, (_, j) => j);
    const ps = Array.from({ length: tri }, (_, p) => p);
    const src: string[] = [`const mo = c * ${d}, po = c * ${tri};`];
    src.push(`const ${js.map((j) => `m${j} = means[mo + ${j}]`).join(", ")};`);
    src.push(`let R = 0, ${js.map((j) => `a${j} = 0`).join(", ")};`);
    src.push(`let ${ps.map((p) => `b${p} = 0`).join(", ")};`);
    src.push(`for (let i = start, o = start * ${d}, ro = c; i < end; i++, o += ${d}, ro += k) {`);
    src.push("const r = resp[ro]; if (r === 0) continue; R += r;");
    src.push(`const ${js.map((j) => `t${j} = rows[o + ${j}] - m${j}`).join(", ")};`);
    src.push(`const ${js.map((j) => `u${j} = r * t${j}`).join(", ")};`);
    for (let j = 0; j < d; j++) src.push(`a${j} += u${j};`);
    let p = 0;
    for (let j = 0; j < d; j++) {
      for (let l = 0; l <= j; l++) src.push(`b${p++} += u${j} * t${l};`);
    }
    src.push("}", "sr[c] += R;");
    for (let j = 0; j < d; j++) src.push(`s1[mo + ${j}] += a${j};`);
    for (let q = 0; q < tri; q++) src.push(`s2[po + ${q}] += b${q};`);
    kernel = new Function(
      "rows",
      "start",
      "end",
      "k",
      "c",
      "resp",
      "means",
      "sr",
      "s1",
      "s2",
      src.join("\n"),
    ) as AccumulateKernel;
  }
  accumulateKernels.set(d, kernel);
  return kernel;
}

/**
 * scikit-learn's `_estimate_gaussian_parameters` from sums about reference means `ref`:
 * with δ = μ − ref, Σ r (x − μ)(x − μ)ᵀ = S₂ − δ S₁ᵀ − S₁ δᵀ + R δδᵀ exactly, and δ is small
 * (the means move little in an iteration), so little cancels.
 */
function mStep(
  sums: Sums,
  ref: Float64Array,
  n: number,
  k: number,
  d: number,
  regCovar: number,
): GmmParams {
  const weights = new Float64Array(k);
  const means = new Float64Array(k * d);
  const covariances = new Float64Array(k * d * d);
  const delta = new Float64Array(d);
  const tri = (d * (d + 1)) / 2;
  for (let c = 0; c < k; c++) {
    const r = sums.r[c]!;
    const nk = r + 10 * EPS;
    weights[c] = nk / n;
    const co = c * d;
    for (let j = 0; j < d; j++) {
      const s1 = sums.s1[co + j]!;
      means[co + j] = (s1 + ref[co + j]! * r) / nk;
      delta[j] = means[co + j]! - ref[co + j]!;
    }
    const vo = c * d * d;
    let po = c * tri;
    for (let j = 0; j < d; j++) {
      const s1j = sums.s1[co + j]!;
      for (let l = 0; l <= j; l++) {
        const s1l = sums.s1[co + l]!;
        const v = (sums.s2[po++]! - delta[j]! * s1l - s1j * delta[l]! + r * delta[j]! * delta[l]!) /
          nk;
        covariances[vo + j * d + l] = v;
        covariances[vo + l * d + j] = v;
      }
      covariances[vo + j * d + j]! += regCovar;
    }
  }
  return { weights, means, covariances };
}

/**
 * scikit-learn's `_compute_precision_cholesky` and the constant of `_estimate_log_gaussian_prob`.
 *
 * @throws {RangeError} when a covariance is not positive definite.
 */
function prepare(
  params: GmmParams,
  k: number,
  d: number,
  regCovar: number | undefined,
): Prepared {
  const tri = (d * (d + 1)) / 2;
  const precChol = new Float64Array(k * tri);
  const logConst = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    const l = cholesky(params.covariances.subarray(c * d * d, (c + 1) * d * d), d);
    if (!l) throw illDefined(c, regCovar);
    const inv = invertLower(l, d);
    precChol.set(packLower(inv, d), c * tri);
    let logDet = 0;
    for (let j = 0; j < d; j++) logDet += Math.log(inv[j * d + j]!);
    logConst[c] = Math.log(params.weights[c]!) + logDet - 0.5 * d * LOG_2PI;
  }
  return { means: params.means, precChol, logConst };
}

// `regCovar` is undefined for a stored model, whose covariances already include it.
function illDefined(component: number, regCovar: number | undefined): RangeError {
  const which = component < 0 ? "some component's" : `component ${component}'s`;
  const now = regCovar === undefined ? "" : ` (now ${regCovar})`;
  return new RangeError(
    `Expected every component to have a positive definite covariance but found ${which} ` +
      `ill-defined (for instance collapsed or duplicate rows); raise reg_covar${now} or lower k`,
  );
}

/** scikit-learn's `init_params="kmeans"`: hard responsibilities from one KMeans fit. */
async function kmeansStart(
  x: Matrix,
  rows: Float64Array,
  k: number,
  regCovar: number,
  seed: number,
  backend: ComputeBackend,
): Promise<GmmParams> {
  const { n, d } = x;
  const { labels } = await kmeans(x, { k, nInit: 1, randomState: seed }, backend);
  // Cluster means first, so that the sums below are taken about them (two passes, as numpy).
  const ref = new Float64Array(k * d);
  const counts = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const co = labels[i]! * d;
    counts[labels[i]!]!++;
    for (let j = 0; j < d; j++) ref[co + j]! += rows[i * d + j]!;
  }
  for (let c = 0; c < k; c++) {
    for (let j = 0; j < d; j++) ref[c * d + j] = counts[c]! > 0 ? ref[c * d + j]! / counts[c]! : 0;
  }
  const sums = newSums(k, d);
  const tri = (d * (d + 1)) / 2;
  for (let i = 0; i < n; i++) {
    const c = labels[i]!;
    sums.r[c]!++;
    let po = c * tri;
    for (let j = 0; j < d; j++) {
      const tj = rows[i * d + j]! - ref[c * d + j]!;
      sums.s1[c * d + j]! += tj;
      for (let l = 0; l <= j; l++) sums.s2[po++]! += tj * (rows[i * d + l]! - ref[c * d + l]!);
    }
  }
  return mStep(sums, ref, n, k, d, regCovar);
}

function explicitStart(
  init: GmmInitParameters,
  k: number,
  d: number,
  regCovar: number,
): GmmParams {
  const covariances = Float64Array.from(init.covariances);
  for (let c = 0; c < k; c++) {
    for (let j = 0; j < d; j++) covariances[c * d * d + j * d + j]! += regCovar;
  }
  return {
    weights: Float64Array.from(init.weights),
    means: Float64Array.from(init.means),
    covariances,
  };
}

function newSums(k: number, d: number): Sums {
  return {
    r: new Float64Array(k),
    s1: new Float64Array(k * d),
    s2: new Float64Array((k * d * (d + 1)) / 2),
  };
}

function clearSums(s: Sums): void {
  s.r.fill(0);
  s.s1.fill(0);
  s.s2.fill(0);
}

function prepareModel(model: GmmModel, x: Matrix): Prepared {
  const { k, d } = model;
  if (model.kind !== "gmm" || model.version !== 1) {
    throw new TypeError(
      `Expected a gmm model of version 1 but found ${model.kind} version ${model.version}`,
    );
  }
  if (x.d !== d) throw new RangeError(`Expected ${d} columns but found ${x.d}`);
  checkSizes(model, k, d, "model");
  return prepare(
    {
      weights: Float64Array.from(model.weights),
      means: Float64Array.from(model.means),
      covariances: Float64Array.from(model.covariances),
    },
    k,
    d,
    undefined,
  );
}

function checkSizes(p: GmmInitParameters, k: number, d: number, what: string): void {
  const expected = [["weights", k], ["means", k * d], ["covariances", k * d * d]] as const;
  for (const [name, size] of expected) {
    const values = p[name];
    if (values.length !== size) {
      throw new RangeError(
        `Expected ${what} ${name} to hold ${size} values but found ${values.length}`,
      );
    }
  }
}

type ResolvedOptions = Required<GmmOptions>;

function validateOptions(x: Matrix, o: ResolvedOptions): void {
  checkClusterCount(o.k, x.n);
  checkInteger("n_init", o.nInit);
  checkInteger("max_iter", o.maxIter);
  checkNonNegative("tol", o.tol);
  checkNonNegative("reg_covar", o.regCovar);
  if (o.init === "kmeans") return;
  if (typeof o.init !== "object" || o.init === null) {
    throw new TypeError(
      `Expected init to be "kmeans" or {weights, means, covariances} but found ${
        JSON.stringify(o.init)
      }`,
    );
  }
  validateExplicit(o.init, o.k, x.d);
}

// scikit-learn's `_check_weights`, `_check_means` and `_check_precisions` (on covariances here),
// with a looser sum check so that weights rounded for JSON pass.
function validateExplicit(init: GmmInitParameters, k: number, d: number): void {
  checkSizes(init, k, d, "init");
  for (const name of ["weights", "means", "covariances"] as const) {
    const values = init[name];
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i])) {
        throw new TypeError(`Expected finite init ${name} but found ${values[i]} at index ${i}`);
      }
    }
  }
  let total = 0;
  for (let c = 0; c < k; c++) {
    const w = init.weights[c]!;
    if (w < 0 || w > 1) {
      throw new RangeError(`Expected init weights in [0, 1] but found ${w} at index ${c}`);
    }
    total += w;
  }
  if (Math.abs(total - 1) > 1e-6) {
    throw new RangeError(`Expected init weights to sum to 1 but found ${total}`);
  }
  const cov = init.covariances;
  for (let c = 0; c < k; c++) {
    const o = c * d * d;
    for (let j = 0; j < d; j++) {
      for (let l = 0; l < j; l++) {
        const a = cov[o + j * d + l]!, b = cov[o + l * d + j]!;
        if (Math.abs(a - b) > 1e-8 + 1e-5 * Math.abs(b)) {
          throw new RangeError(
            `Expected init covariance ${c} to be symmetric but found (${j}, ${l}) = ${a} and ` +
              `(${l}, ${j}) = ${b}`,
          );
        }
      }
    }
  }
}
