/**
 * Chooses the backend of the heavy passes and keeps the service running when the GPU fails.
 *
 * - `cpu`: the CPU backend.
 * - `gpu`: the WebGPU backend on whatever adapter exists (a software one too); refused with an
 *   Error when there is none.
 * - `auto`: the GPU when its adapter is a real one; the CPU when there is no adapter or only a
 *   fallback (software) adapter, where the CPU path is faster.
 *
 * A GPU backend is wrapped so that a pass that fails on the device (lost device, failed
 * pipeline, timeout) is logged and run again on the CPU; after such a failure every later pass
 * goes to the CPU. Each result's `backend` field says which one ran.
 */
import type {
  BackendChoice,
  BackendInfo,
  ComputeBackend,
  LloydSession,
  LloydStep,
} from "./backend.ts";
import { type CpuBackendOptions, createCpuBackend } from "./cpu/backend.ts";
import type { Matrix } from "./matrix.ts";

/** Options of `selectBackend`. */
export interface SelectOptions {
  /** Where the choice and any fallback are reported (default: console.error). */
  log?: (line: string) => void;
  cpu?: CpuBackendOptions;
  /** Passed to the GPU backend (timeouts, chunk limits). */
  gpu?: Record<string, unknown>;
  /** Whether a hardware GPU may exist (default `hasGpuDeviceNode`); `auto` skips the probe if not. */
  hasGpuDevice?: () => boolean;
}

/**
 * False only on Linux without `/dev/dri/renderD*` or `/dev/nvidia*` (every hardware GPU driver
 * makes one of them, the software rasterizer none); true elsewhere, where nothing cheaper than
 * asking WebGPU tells.
 */
export function hasGpuDeviceNode(): boolean {
  if (Deno.build.os !== "linux") return true;
  const some = (dir: string, prefix: string) => {
    try {
      for (const e of Deno.readDirSync(dir)) if (e.name.startsWith(prefix)) return true;
    } catch {
      // Unreadable or absent: no device there.
    }
    return false;
  };
  return some("/dev/dri", "renderD") || some("/dev", "nvidia");
}

/**
 * Creates the backend for `choice`.
 *
 * @throws {Error} when `choice` is `gpu` and no WebGPU adapter can be had.
 */
export async function selectBackend(
  choice: BackendChoice,
  options: SelectOptions = {},
): Promise<ComputeBackend> {
  const log = options.log ?? ((line: string) => console.error(line));
  if (choice === "cpu") return createCpuBackend(options.cpu);
  if (choice === "auto" && !(options.hasGpuDevice ?? hasGpuDeviceNode)()) {
    // Loading a WebGPU driver only to find the software adapter costs ~70 MB of resident memory
    // for the life of the process; a Linux machine without a GPU device node has nothing else.
    log("compute: no GPU device on this machine; using the CPU");
    return createCpuBackend(options.cpu);
  }
  let gpu: ComputeBackend;
  try {
    const { createGpuBackend } = await import("./gpu/backend.ts");
    gpu = await createGpuBackend(options.gpu);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    if (choice === "gpu") {
      throw new Error(`The GPU backend was asked for but is unavailable: ${why}`);
    }
    log(`compute: no usable WebGPU adapter (${why}); using the CPU`);
    return createCpuBackend(options.cpu);
  }
  if (choice === "auto" && gpu.info.fallbackAdapter) {
    log(`compute: only a software adapter (${gpu.info.description}); using the CPU, faster there`);
    await gpu.dispose();
    return createCpuBackend(options.cpu);
  }
  log(`compute: GPU backend on ${gpu.info.description}`);
  return withCpuFallback(gpu, createCpuBackend(options.cpu), log);
}

/**
 * Wraps `gpu` so that a failing pass is retried on `cpu` with a log line, and every pass after
 * the first failure goes to the CPU. Input errors (RangeError, TypeError) are not GPU failures
 * and are rethrown as they are.
 */
export function withCpuFallback(
  gpu: ComputeBackend,
  cpu: ComputeBackend,
  log: (line: string) => void,
): ComputeBackend {
  let broken = false;
  const run = async <T>(pass: string, onGpu: () => Promise<T>, onCpu: () => Promise<T>) => {
    if (broken) return onCpu();
    try {
      return await onGpu();
    } catch (err) {
      if (err instanceof RangeError || err instanceof TypeError) throw err;
      broken = true;
      log(
        `compute: GPU ${pass} failed (${err instanceof Error ? err.message : err}); ` +
          "falling back to the CPU for this and every later pass",
      );
      return onCpu();
    }
  };
  return {
    get info(): BackendInfo {
      return broken ? cpu.info : gpu.info;
    },
    assign: (x, centers, k) =>
      run("assign", () => gpu.assign(x, centers, k), () => cpu.assign(x, centers, k)),
    dbscanGraph: (x, eps, m) =>
      run("dbscan", () => gpu.dbscanGraph(x, eps, m), () => cpu.dbscanGraph(x, eps, m)),
    clusterDistanceSums: (x, labels, k) =>
      run(
        "silhouette",
        () => gpu.clusterDistanceSums(x, labels, k),
        () => cpu.clusterDistanceSums(x, labels, k),
      ),
    clusterDistanceSumsMany: (x, labelSets, ks) =>
      run(
        "silhouette",
        () => gpu.clusterDistanceSumsMany(x, labelSets, ks),
        () => cpu.clusterDistanceSumsMany(x, labelSets, ks),
      ),
    lloyd: (x, k) =>
      run("lloyd", () => gpu.lloyd(x, k), () => cpu.lloyd(x, k)).then((s) =>
        fallbackSession(s, x, k)
      ),
    async dispose() {
      await gpu.dispose();
      await cpu.dispose();
    },
  };

  // A session that moves to the CPU when a GPU step fails, repeating that step there.
  function fallbackSession(first: LloydSession, x: Matrix, k: number): LloydSession {
    let current = first;
    const moveToCpu = async (err: unknown) => {
      if (err instanceof RangeError || err instanceof TypeError) throw err;
      broken = true;
      log(
        `compute: GPU lloyd step failed (${err instanceof Error ? err.message : err}); ` +
          "continuing this fit on the CPU",
      );
      current.dispose();
      current = await cpu.lloyd(x, k);
    };
    return {
      get backend() {
        return current.backend;
      },
      async step(centers: Float32Array): Promise<LloydStep> {
        try {
          return await current.step(centers);
        } catch (err) {
          if (current.backend === "cpu") throw err;
          await moveToCpu(err);
          return current.step(centers);
        }
      },
      labels: () => current.labels(),
      distances: () => current.distances(),
      dispose: () => current.dispose(),
      // A failed GPU fit moves to the CPU, whose caller then runs the loop from the start.
      fit: first.fit &&
        (async (start: Float32Array, maxIter: number, tolAbs: number) => {
          if (!current.fit) return undefined;
          try {
            return await current.fit(start, maxIter, tolAbs);
          } catch (err) {
            if (current.backend === "cpu") throw err;
            await moveToCpu(err);
            return undefined;
          }
        }),
    };
  }
}
