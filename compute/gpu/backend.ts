/**
 * The WebGPU implementation of the heavy passes, one WGSL file per pass in `shaders/`. It
 * matches the CPU reference (`compute/cpu/backend.ts`) up to float32 rounding: distances are
 * float32 on the device, and the Lloyd and silhouette sums are float32 per block or row range,
 * added in float64 on the CPU (in float32 on the device between chained Lloyd iterations).
 *
 * Limits: matrices larger than one storage binding are split into row chunks (each its own
 * buffer), and the pairwise passes loop over every pair of row ranges; the per-row arrays
 * (labels, distances, counts, parents, roots) are single bindings, so n ≤
 * maxStorageBufferBindingSize / 4.
 */
import type {
  Assignment,
  BackendName,
  ClusterDistanceSums,
  ComputeBackend,
  DbscanGraph,
  LloydSession,
} from "../backend.ts";
import type { Matrix } from "../matrix.ts";
import type { GpuContext } from "./context.ts";
import { gpuDbscanGraph } from "./dbscan.ts";
import { openGpuDevice } from "./device.ts";
import { gpuAssign, gpuLloyd } from "./lloyd.ts";
import { Pipelines } from "./pipelines.ts";
import { gpuClusterDistanceSums } from "./silhouette.ts";

export { GpuError, GpuTimeoutError } from "./device.ts";

/** Options of `createGpuBackend`. */
export interface GpuBackendOptions {
  /** Bound on every single GPU wait (map, queue drain, error scope), ms; default 30 000. */
  timeoutMs?: number;
  /**
   * Largest chunk binding in bytes (default: the adapter's maxStorageBufferBindingSize). Tests
   * set it small to force row chunks; it does not apply to the n × 4-byte per-row arrays.
   */
  maxBindingBytes?: number;
  /** Rows per dispatch (default: maxComputeWorkgroupsPerDimension × workgroup size). */
  maxRowsPerDispatch?: number;
  /**
   * Work per pairwise dispatch and per submission, in row pairs × vec4s of features, so that
   * each timed wait covers bounded work (default 2^30, milliseconds on a discrete GPU; 2^27 on
   * a fallback adapter, about a second on llvmpipe).
   */
  maxPairsPerDispatch?: number;
  /**
   * KMeans: Lloyd iterations chained on the device per submission at most (default 16; fewer
   * where one iteration is large, so that a submission stays within about 8× the pair budget).
   * 0 turns chaining off: the host reads the cluster sums back after every iteration.
   */
  lloydBatch?: number;
  /**
   * KMeans: the per-block reduction of a Lloyd step. `auto` (default): one thread per row with
   * per-cluster accumulators in registers (`lloyd_reduce_rows.wgsl`) on a hardware adapter while
   * k × (⌈d/4⌉ + 1) ≤ 32, else one thread per output entry (`lloyd_reduce.wgsl`); `rows` or
   * `entries` force one (`rows` at any size: its accumulators may spill).
   */
  lloydReduce?: "auto" | "rows" | "entries";
}

/** Chained Lloyd iterations per submission unless told otherwise. */
export const DEFAULT_LLOYD_BATCH = 16;

/** Pairs × vec4s per pairwise submission unless told otherwise. */
export const DEFAULT_PAIR_BUDGET = 2 ** 30;
/** The same on a software adapter (llvmpipe evaluates about 10^8 a second). */
export const FALLBACK_PAIR_BUDGET = 2 ** 27;

/**
 * Acquires the high-performance WebGPU adapter and returns the GPU backend over it. `info`
 * names the adapter and whether it is a fallback (software) one; the caller decides whether
 * such an adapter is worth using. Results carry `backend: "gpu"`; `dispose()` destroys every
 * buffer and the device, after which every call throws `GpuError`.
 *
 * @throws {GpuError} when WebGPU is unavailable, no adapter is found or the device fails.
 */
export async function createGpuBackend(options: GpuBackendOptions = {}): Promise<ComputeBackend> {
  const maxBindingBytes = positive(options.maxBindingBytes, "maxBindingBytes") ?? Infinity;
  const rowsPerDispatch = positive(options.maxRowsPerDispatch, "maxRowsPerDispatch") ?? Infinity;
  const pairBudget = positive(options.maxPairsPerDispatch, "maxPairsPerDispatch");
  const timeoutMs = positive(options.timeoutMs, "timeoutMs");
  if (!["auto", "rows", "entries", undefined].includes(options.lloydReduce)) {
    throw new RangeError(
      `Expected lloydReduce to be auto, rows or entries but found ${options.lloydReduce}`,
    );
  }
  const lloydBatch = options.lloydBatch ?? DEFAULT_LLOYD_BATCH;
  if (!Number.isInteger(lloydBatch) || lloydBatch < 0) {
    throw new RangeError(
      `Expected lloydBatch to be a non-negative integer but found ${lloydBatch}`,
    );
  }
  const gpu = await openGpuDevice({ timeoutMs });
  const ctx: GpuContext = {
    gpu,
    pipelines: new Pipelines(gpu),
    bindingBytes: Math.min(
      maxBindingBytes,
      gpu.limits.maxStorageBufferBindingSize,
      gpu.limits.maxBufferSize,
    ),
    rowsPerDispatch,
    pairBudget: pairBudget ?? (gpu.fallbackAdapter ? FALLBACK_PAIR_BUDGET : DEFAULT_PAIR_BUDGET),
    lloydBatch,
    lloydReduce: options.lloydReduce ?? "auto",
  };
  // Fails a call on a lost or disposed device at once, before it uploads anything.
  const ready = () => gpu.assertUsable();

  return {
    info: { name: "gpu", description: gpu.description, fallbackAdapter: gpu.fallbackAdapter },

    async assign(x: Matrix, centers: Float32Array, k: number): Promise<Assignment> {
      ready();
      return await gpuAssign(ctx, x, centers, k);
    },

    async lloyd(x: Matrix, k: number): Promise<LloydSession> {
      ready();
      return await gpuLloyd(ctx, x, k);
    },

    async dbscanGraph(x: Matrix, eps: number, minSamples: number): Promise<DbscanGraph> {
      ready();
      return await gpuDbscanGraph(ctx, x, eps, minSamples);
    },

    async clusterDistanceSums(
      x: Matrix,
      labels: Int32Array,
      k: number,
    ): Promise<ClusterDistanceSums> {
      ready();
      return await gpuClusterDistanceSums(ctx, x, labels, k);
    },

    async clusterDistanceSumsMany(
      x: Matrix,
      labelSets: Int32Array[],
      ks: number[],
    ): Promise<{ sums: Float64Array[]; backend: BackendName }> {
      ready();
      if (labelSets.length !== ks.length) {
        throw new RangeError(
          `Expected one k per labelling (${labelSets.length}) but found ${ks.length}`,
        );
      }
      // One single-labelling pass per labelling. Future work: a fused shader that computes each
      // pair's distance once for every labelling, as the CPU backend's pairSumsManyKernel does.
      const sums: Float64Array[] = [];
      for (let l = 0; l < labelSets.length; l++) {
        sums.push((await gpuClusterDistanceSums(ctx, x, labelSets[l]!, ks[l]!)).sums);
      }
      return { sums, backend: "gpu" };
    },

    dispose(): Promise<void> {
      gpu.destroy();
      return Promise.resolve();
    },
  };
}

function positive(v: number | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (!(v >= 1)) throw new RangeError(`Expected ${name} to be at least 1 but found ${v}`);
  return Math.floor(v);
}
