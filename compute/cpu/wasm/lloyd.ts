/**
 * A Lloyd session on the WebAssembly kernel (`assembly/lloyd.ts`): the rows are copied once
 * into a shared memory in blocks of four (feature-major inside a block), and each step writes
 * only the centres and runs one call per worker over a range of blocks.
 */
import type { LloydFit, LloydSession, LloydStep } from "../../backend.ts";
import type { Matrix } from "../../matrix.ts";
import { lloydLoop } from "../../lloyd_loop.ts";
import { relocateEmptyClusters } from "../../relocate.ts";
import { allocatePass, rowsMemory, type WasmCall, type WasmRunner } from "./runtime.ts";

/**
 * Starts a KMeans session over `x` with `k` clusters, split into `parts` calls per step. Labels
 * equal `lloydRange`'s (../kernels.ts); sums and counts equal them up to float64 rounding;
 * distances and inertia are float32 distances (relative difference below 1e-6).
 */
export function wasmLloydSession(
  x: Matrix,
  k: number,
  parts: number,
  run: WasmRunner,
): LloydSession {
  const { n, d } = x;
  const blocks = Math.ceil(n / 4);
  const P = Math.max(1, Math.min(parts, blocks));
  const rows = rowsMemory(x.data, `blocks4:${d}`, blocks * d * 16, (buf) => {
    const xs = new Float32Array(buf, 0, blocks * d * 4);
    const src = x.data;
    for (let b = 0, i = 0; b < blocks; b++) {
      const last = Math.min(4, n - 4 * b);
      for (let l = 0; l < last; l++, i++) {
        for (let j = 0, o = b * d * 4 + l; j < d; j++, o += 4) xs[o] = src[i * d + j]!;
      }
    }
  });
  const xAt = 0;
  // Labels and the bounds hold whole blocks, so that a block's four lanes read as one vector.
  const sizes = [blocks * 16, n * 4, k * d * 16, k * d * 4, blocks * 16, blocks * 16, k * 4];
  for (let p = 0; p < P; p++) sizes.push(k * d * 8, k * 8, 16);
  const { mem, at } = allocatePass(sizes, rows.mem, rows.end);
  const [labelsAt, distAt, splatAt, centersAt, upperAt, lowerAt, driftAt] = at as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const buf = mem.memory.buffer;
  new Int32Array(buf, labelsAt, blocks * 4).fill(-1).fill(0, n);
  new Float32Array(buf, upperAt, blocks * 4).fill(0);
  // Padding rows never need assigning: a lower bound no drift can bring near the upper one.
  new Float32Array(buf, lowerAt, blocks * 4).fill(0).fill(3e38, n);
  const drift = new Float32Array(buf, driftAt, k);
  const splat = new Float32Array(buf, splatAt, k * d * 4);
  const centersMem = new Float32Array(buf, centersAt, k * d);
  const ranges: Array<[number, number]> = [];
  for (let p = 0; p < P; p++) {
    ranges.push([Math.floor((blocks * p) / P), Math.floor((blocks * (p + 1)) / P)]);
  }
  const part = (p: number) => at.slice(7 + 3 * p, 10 + 3 * p) as [number, number, number];
  const setCenters = (centers: Float32Array) => {
    centersMem.set(centers.subarray(0, k * d));
    for (let v = 0; v < k * d; v++) splat.fill(centers[v]!, v * 4, v * 4 + 4);
  };
  const gather = (): LloydStep => {
    const sums = new Float64Array(k * d);
    const counts = new Float64Array(k);
    let inertia = 0;
    let changed = 0;
    for (let p = 0; p < P; p++) {
      const [sumsAt, countsAt, resultAt] = part(p);
      const s = new Float64Array(buf, sumsAt, k * d);
      const c = new Float64Array(buf, countsAt, k);
      for (let i = 0; i < k * d; i++) sums[i]! += s[i]!;
      for (let i = 0; i < k; i++) counts[i]! += c[i]!;
      const r = new Float64Array(buf, resultAt, 2);
      inertia += r[0]!;
      changed += r[1]!;
    }
    return { sums, counts, inertia, changed };
  };
  // One step with Hamerly's bounds (`assembly/lloyd_bounded.ts`); `force` assigns every row and
  // makes the sums afresh. Each worker keeps the sums of its own blocks between steps.
  const bounded = async (centers: Float32Array, force: boolean): Promise<LloydStep> => {
    setCenters(centers);
    let maxDrift = 0;
    for (let c = 0; c < k; c++) maxDrift = Math.max(maxDrift, drift[c]!);
    const calls = ranges.map(([b0, b1], p): WasmCall => {
      const [sumsAt, countsAt, resultAt] = part(p);
      return {
        fn: "lloydBounded",
        args: [xAt, n, d, splatAt, centersAt, k, b0, b1, labelsAt, distAt, upperAt, lowerAt]
          .concat([driftAt, maxDrift, force ? 1 : 0, sumsAt, countsAt, resultAt]),
      };
    });
    await run(mem, calls);
    return gather();
  };

  /**
   * The shared Lloyd loop (same iterations, centres, labels and inertia as kmeans.ts's) on
   * bounded steps: the first step and the last (which gives the inertia) assign every row, the
   * ones between only the rows whose bounds do not settle them.
   */
  const boundedFit = (start: Float32Array, maxIter: number, tolAbs: number): Promise<LloydFit> => {
    let force = true;
    drift.fill(0);
    return lloydLoop(start, k, d, maxIter, tolAbs, {
      assign(centers) {
        const all = force;
        force = false;
        return bounded(centers, all);
      },
      async relocate(step, centers) {
        // Relocation needs every row's exact distance: assign them all again (same labels, the
        // step's own count of changes), and the next step too, from fresh bounds.
        const all = await bounded(centers, true);
        relocateEmptyClusters(
          x,
          new Float32Array(buf, distAt, n),
          new Int32Array(buf, labelsAt, n),
          all.sums,
          all.counts,
        );
        force = true;
        return { ...all, changed: step.changed };
      },
      moved(from, to) {
        for (let c = 0; c < k; c++) {
          let move = 0;
          for (let j = 0; j < d; j++) {
            const t = to[c * d + j]! - from[c * d + j]!;
            move += t * t;
          }
          // Rounded up, so that the bounds stay bounds.
          drift[c] = Math.sqrt(move) * (1 + 1e-6) + 1e-30;
        }
      },
      // The bounded steps give no inertia: assign every row to the centres the loop reports on.
      inertia: async (strict, assigned, centers) =>
        (await bounded(strict ? assigned : centers, true)).inertia,
    });
  };

  return {
    backend: "cpu",
    async step(centers: Float32Array): Promise<LloydStep> {
      setCenters(centers);
      const calls = ranges.map(([b0, b1], p): WasmCall => {
        const [sumsAt, countsAt, resultAt] = part(p);
        return {
          fn: "lloyd",
          args: [
            xAt,
            n,
            d,
            splatAt,
            centersAt,
            k,
            b0,
            b1,
            labelsAt,
            distAt,
            sumsAt,
            countsAt,
            resultAt,
          ],
        };
      });
      await run(mem, calls);
      return gather();
    },
    fit: (start, maxIter, tolAbs) => boundedFit(start, maxIter, tolAbs),
    labels: () => Promise.resolve(new Int32Array(buf, labelsAt, n).slice()),
    distances: () => Promise.resolve(new Float32Array(buf, distAt, n).slice()),
    dispose: rows.release,
  };
}
