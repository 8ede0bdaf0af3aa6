/**
 * The CPU implementation of the heavy passes: the reference for the GPU one, and the path the
 * service uses where no real GPU is present. Large inputs are split by rows between workers
 * over SharedArrayBuffers; small ones run on the calling thread, where a worker round trip
 * (about 0.1–0.5 ms) would cost more than it saves.
 */
import type {
  Assignment,
  BackendName,
  ClusterDistanceSums,
  ComputeBackend,
  DbscanGraph,
  LloydSession,
  LloydStep,
} from "../backend.ts";
import type { Matrix } from "../matrix.ts";
import { lloydKernel, pairSumsKernel, pairSumsManyKernel, triangleRanges } from "./kernels.ts";
import { buildKdTree } from "./kdtree.ts";
import {
  componentRoots,
  countCoreRange,
  DBSCAN_LEAF_SIZE,
  NEIGHBOUR_LISTS_MAX_MIN_SAMPLES,
} from "./dbscan_graph.ts";
import { parallelComponentRoots } from "./dbscan_parallel.ts";
import { WorkerPool } from "./pool.ts";
import type { LloydTask, PairSumsManyTask, PairSumsTask } from "./worker.ts";
import { runCall, wasmKernels, type WasmRunner, type WasmTask } from "./wasm/runtime.ts";
import { wasmLloydSession } from "./wasm/lloyd.ts";
import { wasmPairSums } from "./wasm/pair_sums.ts";
import { wasmPairSumsMany } from "./wasm/pair_sums_many.ts";

/** Options of `createCpuBackend`. */
export interface CpuBackendOptions {
  /** Worker threads (default: `navigator.hardwareConcurrency`); 1 runs everything inline. */
  threads?: number;
  /** Work (rows × k × d for Lloyd, pairs for the pairwise passes) below which a pass runs inline. */
  parallelThreshold?: number;
  /**
   * Kernels of the large passes: `wasm` (WebAssembly SIMD, ./wasm/) where the runtime supports
   * it, else `ts` (the unrolled TypeScript of kernels.ts, the reference). Default `wasm`.
   */
  kernels?: "wasm" | "ts";
}

/** Below about a million multiply-adds a pass takes ~1 ms inline: not worth a worker round trip. */
export const DEFAULT_PARALLEL_THRESHOLD = 1_000_000;

/** Creates the CPU backend. Call `dispose()` to end its workers. */
export function createCpuBackend(options: CpuBackendOptions = {}): ComputeBackend {
  const threads = Math.max(1, Math.floor(options.threads ?? navigator.hardwareConcurrency ?? 1));
  const threshold = options.parallelThreshold ?? DEFAULT_PARALLEL_THRESHOLD;
  const pool = threads > 1 ? new WorkerPool(threads) : undefined;
  const parallel = (work: number) => pool !== undefined && work >= threshold;
  // The WebAssembly kernels take every pass large enough for the workers (or that would be,
  // with one thread); small ones stay on the TypeScript kernels, which need no copy.
  const wasm = (options.kernels ?? "wasm") === "wasm" ? wasmKernels() : undefined;
  const useWasm = (work: number) => wasm !== undefined && work >= threshold;
  const wasmParts = pool?.size ?? 1;
  const runWasm: WasmRunner = async (mem, calls) => {
    if (pool) {
      await pool.run(
        calls.map((call): WasmTask => ({ op: "wasm", id: mem.id, memory: mem.memory, call })),
      );
    } else {
      for (const call of calls) runCall(wasm!, mem, call);
    }
  };
  // Matrices copied into shared memory once, reused by every session over the same rows.
  const sharedRows = new WeakMap<Float32Array, Float32Array>();
  const toShared = (x: Float32Array): Float32Array => {
    if (x.buffer instanceof SharedArrayBuffer) return x;
    let s = sharedRows.get(x);
    if (!s) {
      s = new Float32Array(new SharedArrayBuffer(x.byteLength));
      s.set(x);
      sharedRows.set(x, s);
    }
    return s;
  };

  const backend: ComputeBackend = {
    info: {
      name: "cpu",
      description: `CPU, ${threads} thread${threads === 1 ? "" : "s"}${
        wasm ? ", WebAssembly SIMD" : ""
      }`,
    },

    async assign(x: Matrix, centers: Float32Array, k: number): Promise<Assignment> {
      // One Lloyd step from these centres is exactly an assignment (its sums are discarded).
      const session = await this.lloyd(x, k);
      await session.step(centers);
      const [labels, dist2] = await Promise.all([session.labels(), session.distances()]);
      session.dispose();
      return { labels, dist2, backend: "cpu" };
    },

    lloyd(x: Matrix, k: number): Promise<LloydSession> {
      const { n, d } = x;
      if (useWasm(n * k * d)) return Promise.resolve(wasmLloydSession(x, k, wasmParts, runWasm));
      const useWorkers = parallel(n * k * d);
      const mem = (bytes: number) =>
        useWorkers ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
      const rows = useWorkers ? toShared(x.data) : x.data;
      const labels = new Int32Array(mem(n * 4)).fill(-1);
      const dist2 = new Float32Array(mem(n * 4));
      const ranges = splitRows(n, useWorkers ? pool!.size : 1);
      const kernel = lloydKernel(d, k);
      const session: LloydSession = {
        backend: "cpu",
        async step(centers: Float32Array): Promise<LloydStep> {
          if (!useWorkers) {
            const sums = new Float64Array(k * d);
            const counts = new Float64Array(k);
            const [inertia, changed] = kernel(rows, centers, 0, n, labels, dist2, sums, counts);
            return { sums, counts, inertia, changed };
          }
          const parts = await pool!.run<LloydStep>(ranges.map(([start, end]): LloydTask => ({
            op: "lloyd",
            x: rows,
            d,
            k,
            centers,
            labels,
            dist2,
            start,
            end,
          })));
          const sums = new Float64Array(k * d);
          const counts = new Float64Array(k);
          let inertia = 0;
          let changed = 0;
          for (const p of parts) {
            for (let i = 0; i < sums.length; i++) sums[i]! += p.sums[i]!;
            for (let c = 0; c < k; c++) counts[c]! += p.counts[c]!;
            inertia += p.inertia;
            changed += p.changed;
          }
          return { sums, counts, inertia, changed };
        },
        labels: () => Promise.resolve(Int32Array.from(labels)),
        distances: () => Promise.resolve(Float32Array.from(dist2)),
        dispose() {},
      };
      return Promise.resolve(session);
    },

    async dbscanGraph(x: Matrix, eps: number, minSamples: number): Promise<DbscanGraph> {
      const { n, d } = x;
      const useWorkers = parallel(n * 64);
      const tree = buildKdTree(x.data, n, d, { shared: useWorkers, leafSize: DBSCAN_LEAF_SIZE });
      const eps2 = eps * eps;
      const coreTree = new Uint8Array(useWorkers ? new SharedArrayBuffer(n) : new ArrayBuffer(n));
      let rootTree: Int32Array;
      if (useWorkers) {
        rootTree = await parallelComponentRoots(pool!, tree, eps2, minSamples, coreTree);
      } else {
        const keep = minSamples <= NEIGHBOUR_LISTS_MAX_MIN_SAMPLES;
        const lists = countCoreRange(tree, eps2, minSamples, coreTree, 0, n, keep);
        rootTree = componentRoots(tree, eps2, coreTree, lists);
      }
      const core = new Uint8Array(n);
      const root = new Int32Array(n);
      for (let t = 0; t < n; t++) {
        const i = tree.perm[t]!;
        core[i] = coreTree[t]!;
        root[i] = rootTree[t]!;
      }
      return { core, root, backend: "cpu" };
    },

    async clusterDistanceSums(
      x: Matrix,
      labels: Int32Array,
      k: number,
    ): Promise<ClusterDistanceSums> {
      const { n, d } = x;
      if (useWasm((n * (n - 1)) / 2)) {
        return { sums: await wasmPairSums(x, labels, k, wasmParts, runWasm), backend: "cpu" };
      }
      const kernel = pairSumsKernel(d, k);
      if (!parallel((n * (n - 1)) / 2)) {
        const sums = new Float64Array(n * k);
        kernel(x.data, n, labels, 0, n, sums);
        return { sums, backend: "cpu" };
      }
      const rows = toShared(x.data);
      const sharedLabels = new Int32Array(new SharedArrayBuffer(n * 4));
      sharedLabels.set(labels);
      const parts = await pool!.run<Float64Array>(
        triangleRanges(n, pool!.size).map(([start, end]): PairSumsTask => ({
          op: "pairSums",
          x: rows,
          d,
          n,
          k,
          labels: sharedLabels,
          start,
          end,
        })),
      );
      const sums = parts[0]!;
      for (let p = 1; p < parts.length; p++) {
        const part = parts[p]!;
        for (let i = 0; i < sums.length; i++) sums[i]! += part[i]!;
      }
      return { sums, backend: "cpu" };
    },

    async clusterDistanceSumsMany(
      x: Matrix,
      labelSets: Int32Array[],
      ks: number[],
    ): Promise<{ sums: Float64Array[]; backend: BackendName }> {
      const { n, d } = x;
      const L = labelSets.length;
      if (ks.length !== L) {
        throw new RangeError(`Expected one k per labelling (${L}) but found ${ks.length}`);
      }
      if (L === 0) return { sums: [], backend: "cpu" };
      // Each row's accumulators: per labelling, its k cluster columns and a scratch column
      // that absorbs distances to rows labelled −1 (see pairSumsManyRange).
      const offsets: number[] = [];
      let width = 0;
      for (let l = 0; l < L; l++) {
        const k = ks[l]!;
        if (!Number.isInteger(k) || k < 1) {
          throw new RangeError(`Expected k to be a positive integer but found ${k}`);
        }
        if (labelSets[l]!.length !== n) {
          throw new RangeError(`Expected ${n} labels but found ${labelSets[l]!.length}`);
        }
        offsets.push(width);
        width += k + 1;
      }
      const useWorkers = parallel((n * (n - 1)) / 2);
      const cols = new Int32Array(
        useWorkers ? new SharedArrayBuffer(n * L * 4) : new ArrayBuffer(n * L * 4),
      );
      for (let l = 0; l < L; l++) {
        const labels = labelSets[l]!;
        const k = ks[l]!;
        const off = offsets[l]!;
        for (let i = 0; i < n; i++) {
          const c = labels[i]!;
          if (c < -1 || c >= k || !Number.isInteger(c)) {
            throw new RangeError(`Expected labels in [-1, ${k}) but found ${c}`);
          }
          cols[i * L + l] = off + (c < 0 ? k : c);
        }
      }
      if (useWasm((n * (n - 1)) / 2)) {
        const { acc, m } = await wasmPairSumsMany(x, cols, L, width, wasmParts, runWasm);
        const sums = ks.map((k) => new Float64Array(n * k));
        for (let l = 0; l < L; l++) {
          const k = ks[l]!;
          const s = sums[l]!;
          const labels = labelSets[l]!;
          for (let c = 0; c < k; c++) {
            const row = (offsets[l]! + c) * m;
            for (let i = 0; i < n; i++) {
              if (labels[i]! >= 0) s[i * k + c] = acc[row + i]!; // a −1 row's own sums stay 0
            }
          }
        }
        return { sums, backend: "cpu" };
      }
      const kernel = pairSumsManyKernel(d, L, width);
      let parts: Array<{ out: Float64Array; rowBase: number }>;
      if (!useWorkers) {
        const out = new Float64Array(n * width);
        kernel(x.data, n, cols, 0, n, out, 0);
        parts = [{ out, rowBase: 0 }];
      } else {
        const rows = toShared(x.data);
        const ranges = triangleRanges(n, pool!.size);
        const outs = await pool!.run<Float64Array>(ranges.map(([start, end]): PairSumsManyTask => ({
          op: "pairSumsMany",
          x: rows,
          d,
          n,
          cols,
          L,
          width,
          start,
          end,
        })));
        parts = outs.map((out, p) => ({ out, rowBase: ranges[p]![0] }));
      }
      const sums = ks.map((k) => new Float64Array(n * k));
      for (const { out, rowBase } of parts) {
        for (let i = rowBase; i < n; i++) {
          const r = (i - rowBase) * width;
          for (let l = 0; l < L; l++) {
            if (labelSets[l]![i]! < 0) continue; // a −1 row's own sums stay 0
            const k = ks[l]!;
            const s = sums[l]!;
            const o = r + offsets[l]!;
            for (let c = 0; c < k; c++) s[i * k + c]! += out[o + c]!;
          }
        }
      }
      return { sums, backend: "cpu" };
    },

    dispose(): Promise<void> {
      pool?.terminate();
      return Promise.resolve();
    },
  };
  if (wasm) cpuWasm.set(backend, { run: runWasm, parts: wasmParts, threshold });
  return backend;
}

/**
 * A CPU backend's WebAssembly runner, for the kernels outside the `ComputeBackend` interface
 * (the GMM E-step, the k-means++ distance updates): `run` posts one call per part to the same
 * worker pool (or runs them inline with one thread); passes whose work is under `threshold` stay
 * on the TypeScript kernels.
 */
export interface CpuWasm {
  run: WasmRunner;
  parts: number;
  threshold: number;
}

const cpuWasm = new WeakMap<ComputeBackend, CpuWasm>();

/** The WebAssembly runner of `backend` when it is a CPU backend using the WebAssembly kernels. */
export function cpuWasmOf(backend: ComputeBackend): CpuWasm | undefined {
  return cpuWasm.get(backend);
}

/** [0, n) split into `parts` contiguous ranges of near-equal length. */
function splitRows(n: number, parts: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let p = 0; p < parts; p++) {
    out.push([Math.floor((n * p) / parts), Math.floor((n * (p + 1)) / parts)]);
  }
  return out;
}
