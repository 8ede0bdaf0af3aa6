/**
 * The Gaussian Mixture E-step with the M-step's sums on the WebAssembly kernel
 * (`assembly/gmm.ts`): the rows are copied once per matrix into a shared memory in blocks of two
 * (float64, feature-major inside a block), and each EM iteration writes only the prepared
 * parameters and runs one call per worker over a range of blocks.
 */
import type { Matrix } from "../../matrix.ts";
import { allocatePass, rowsMemory, type WasmCall, type WasmRunner } from "./runtime.ts";

/** What one E-step returns: the sum of the rows' log-sum-exp and the M-step's sums. */
export interface GmmStepSums {
  total: number;
  /** Σ r per component */
  r: Float64Array;
  /** Σ r (x − μ), k × d */
  s1: Float64Array;
  /** Σ r (x − μ)(x − μ)ᵀ, k packed lower triangles */
  s2: Float64Array;
}

/** An E-step session over one matrix and k; `dispose` releases the cached rows. */
export interface WasmGmmSession {
  step(means: Float64Array, precChol: Float64Array, logConst: Float64Array): Promise<GmmStepSums>;
  /** The E-step's labels (argmax, ties to the lower index) and the sum of the log-sum-exps. */
  labels(
    means: Float64Array,
    precChol: Float64Array,
    logConst: Float64Array,
  ): Promise<{ total: number; labels: Int32Array }>;
  dispose(): void;
}

/**
 * Starts E-step sessions over `x` with `k` components, `parts` calls per step. The sums equal
 * `eStepRange` + `accumulateRange` (../../gmm.ts) up to float64 summation order and the last
 * ulp of `exp`.
 */
export function wasmGmmSession(
  x: Matrix,
  k: number,
  parts: number,
  run: WasmRunner,
): WasmGmmSession {
  const { n, d } = x;
  const blocks = Math.ceil(n / 2);
  const P = Math.max(1, Math.min(parts, blocks));
  const tri = (d * (d + 1)) / 2;
  const W = 1 + d + tri;
  const rows = rowsF64Blocks(x);
  const sizes = [k * d * 8, k * tri * 8, k * 8, blocks * 8];
  for (let p = 0; p < P; p++) sizes.push(d * 16 + 2 * k * 16, k * W * 16, 16);
  const { mem, at } = allocatePass(sizes, rows.mem, rows.end);
  const [meansAt, precAt, logcAt, labelsAt] = at as [number, number, number, number];
  const buf = mem.memory.buffer;
  const calls: WasmCall[] = [];
  for (let p = 0; p < P; p++) {
    const [scratchAt, sumsAt, resultAt] = at.slice(4 + 3 * p, 7 + 3 * p) as [
      number,
      number,
      number,
    ];
    calls.push({
      fn: "gmmEStep",
      args: [
        0,
        n,
        d,
        k,
        meansAt,
        precAt,
        logcAt,
        Math.floor((blocks * p) / P),
        Math.floor((blocks * (p + 1)) / P),
        scratchAt,
        sumsAt,
        resultAt,
        0,
      ],
    });
  }
  const write = (means: Float64Array, precChol: Float64Array, logConst: Float64Array) => {
    new Float64Array(buf, meansAt, k * d).set(means.subarray(0, k * d));
    new Float64Array(buf, precAt, k * tri).set(precChol.subarray(0, k * tri));
    new Float64Array(buf, logcAt, k).set(logConst.subarray(0, k));
  };
  return {
    async labels(means, precChol, logConst) {
      write(means, precChol, logConst);
      const labelCalls = calls.map((c): WasmCall => ({
        fn: c.fn,
        args: [...c.args.slice(0, 10), 0, c.args[11]!, labelsAt],
      }));
      await run(mem, labelCalls);
      let total = 0;
      for (const c of labelCalls) total += new Float64Array(buf, c.args[11]!, 1)[0]!;
      return { total, labels: new Int32Array(buf, labelsAt, n).slice() };
    },
    async step(means, precChol, logConst): Promise<GmmStepSums> {
      write(means, precChol, logConst);
      await run(mem, calls);
      const r = new Float64Array(k);
      const s1 = new Float64Array(k * d);
      const s2 = new Float64Array(k * tri);
      let total = 0;
      for (const call of calls) {
        const sums = new Float64Array(buf, call.args[10]!, k * W * 2);
        total += new Float64Array(buf, call.args[11]!, 1)[0]!;
        for (let c = 0; c < k; c++) {
          const o = c * W * 2;
          r[c]! += sums[o]! + sums[o + 1]!;
          for (let j = 0; j < d; j++) s1[c * d + j]! += sums[o + 2 + 2 * j]! + sums[o + 3 + 2 * j]!;
          for (let q = 0; q < tri; q++) {
            s2[c * tri + q]! += sums[o + 2 + 2 * d + 2 * q]! + sums[o + 3 + 2 * d + 2 * q]!;
          }
        }
      }
      return { total, r, s1, s2 };
    },
    dispose: rows.release,
  };
}

/**
 * The memory holding `x`'s rows as float64 in blocks of two, feature-major inside a block
 * (`(b·d + j)·16 + lane·8`), cached per matrix (the GMM and k-means++ kernels share it).
 */
export function rowsF64Blocks(x: Matrix): ReturnType<typeof rowsMemory> {
  const { n, d } = x;
  const blocks = Math.ceil(n / 2);
  return rowsMemory(x.data, `blocks2f64:${d}`, blocks * d * 16, (buf) => {
    const xs = new Float64Array(buf, 0, blocks * d * 2);
    const src = x.data;
    for (let i = 0; i < n; i++) {
      const o = (i >> 1) * d * 2 + (i & 1);
      for (let j = 0; j < d; j++) xs[o + 2 * j] = src[i * d + j]!;
    }
  });
}
