/**
 * What every GPU pass needs: the device, its pipelines and the chunk and dispatch limits,
 * either the device's own or the smaller ones a test forces.
 */
import { type GpuDevice, GpuError } from "./device.ts";
import type { Pipelines } from "./pipelines.ts";

/** The shared state of the passes of one GPU backend. */
export interface GpuContext {
  readonly gpu: GpuDevice;
  readonly pipelines: Pipelines;
  /** Largest chunk binding (x row chunks, Lloyd partials, silhouette output blocks), bytes. */
  readonly bindingBytes: number;
  /** Rows per dispatch asked for (before the workgroup-count limit). */
  readonly rowsPerDispatch: number;
  /** Pairs × vec4s per pairwise dispatch and per submission. */
  readonly pairBudget: number;
  /** Chained Lloyd iterations per submission at most; 0: a read-back every iteration. */
  readonly lloydBatch: number;
  /** Which Lloyd reduction shader: by size and adapter, or forced (tests, the bench). */
  readonly lloydReduce: "auto" | "rows" | "entries";
}

/** Rows one dispatch of a `workgroupSize`-thread, one-row-per-thread shader may cover. */
export function maxDispatchRows(ctx: GpuContext, workgroupSize: number): number {
  const byGrid = ctx.gpu.limits.maxComputeWorkgroupsPerDimension * workgroupSize;
  return Math.max(1, Math.min(ctx.rowsPerDispatch, byGrid));
}

/**
 * Rows per workgroup-memory tile for rows of `d4` vec4s (plus one u32 key per row): 64, or
 * fewer where the device's workgroup storage cannot hold 64 such rows.
 *
 * @throws {GpuError} when not even one row fits.
 */
export function tileRows(ctx: GpuContext, d4: number): number {
  const t = Math.min(64, Math.floor(ctx.gpu.limits.maxComputeWorkgroupStorageSize / (d4 * 16 + 4)));
  if (t < 1) {
    throw new GpuError(
      `Rows of ${d4 * 4} padded features do not fit the GPU's ` +
        `${ctx.gpu.limits.maxComputeWorkgroupStorageSize}-byte workgroup memory`,
    );
  }
  return t;
}
