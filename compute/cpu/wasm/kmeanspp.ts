/**
 * The k-means++ candidate passes on the WebAssembly kernel (`assembly/kmeanspp.ts`): the rows
 * in the float64 two-row blocks the GMM kernel also uses (one copy per matrix), the running
 * minimum and one output per candidate in the pass's shared memory, each step's candidates
 * folded in one call per worker.
 */
import type { Matrix } from "../../matrix.ts";
import { allocatePass, type WasmCall, type WasmRunner } from "./runtime.ts";
import { rowsF64Blocks } from "./gmm.ts";

/** A k-means++ session over one matrix, with at most `trials` candidates per step. */
export interface WasmKmeansppSession {
  /** The running minimum of squared distances to the chosen centres (n values, a live view). */
  readonly closest: Float64Array;
  /**
   * Folds each candidate row into a copy of `closest` and returns the candidates' potentials
   * (sums of their folded minima, in an order that is not the reference's).
   */
  fold(rows: readonly number[]): Promise<Float64Array>;
  /** Makes candidate t of the last `fold` the running minimum. */
  accept(t: number): void;
  dispose(): void;
}

/** Starts a session; `closest` starts at +Infinity for every row. */
export function wasmKmeansppSession(
  x: Matrix,
  trials: number,
  parts: number,
  run: WasmRunner,
): WasmKmeansppSession {
  const { n, d, data } = x;
  const blocks = Math.ceil(n / 2);
  const stride = blocks * 2;
  const P = Math.max(1, Math.min(parts, blocks));
  const rows = rowsF64Blocks(x);
  const sizes = [stride * 8, trials * d * 8, trials * stride * 8];
  for (let p = 0; p < P; p++) sizes.push(trials * 16);
  const { mem, at } = allocatePass(sizes, rows.mem, rows.end);
  const [closestAt, candsAt, outsAt] = at as [number, number, number];
  const buf = mem.memory.buffer;
  const closestAll = new Float64Array(buf, closestAt, stride);
  closestAll.fill(Infinity, 0, n).fill(0, n); // the padding row adds nothing
  const cands = new Float64Array(buf, candsAt, trials * d);
  let T = 0;
  return {
    closest: closestAll.subarray(0, n),
    async fold(ids) {
      T = ids.length;
      if (T > trials) throw new RangeError(`Expected at most ${trials} candidates`);
      ids.forEach((row, t) => {
        for (let j = 0; j < d; j++) cands[t * d + j] = data[row * d + j]!;
      });
      const calls: WasmCall[] = [];
      for (let p = 0; p < P; p++) {
        calls.push({
          fn: "kmeansppFold",
          args: [
            0,
            d,
            closestAt,
            T,
            candsAt,
            outsAt,
            stride,
            Math.floor((blocks * p) / P),
            Math.floor((blocks * (p + 1)) / P),
            at[3 + p]!,
          ],
        });
      }
      await run(mem, calls);
      const pots = new Float64Array(T);
      for (let p = 0; p < P; p++) {
        const part = new Float64Array(buf, at[3 + p]!, 2 * T);
        for (let t = 0; t < T; t++) pots[t]! += part[2 * t]! + part[2 * t + 1]!;
      }
      return pots;
    },
    accept(t) {
      if (!(t >= 0 && t < T)) throw new RangeError(`No candidate ${t}`);
      closestAll.set(new Float64Array(buf, outsAt + t * stride * 8, stride));
    },
    dispose: rows.release,
  };
}
