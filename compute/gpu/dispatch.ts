/**
 * Dispatch lists: every dispatch of a pass gets its own 32-byte parameter block (row offsets,
 * counts, ε², …) in one shared uniform buffer, at the device's uniform offset alignment, and
 * its own bind group. Long passes are submitted in batches of bounded work, each waited for
 * separately, so that the timeout bounds one batch rather than a whole O(n²) pass.
 */
import { type GpuContext, maxDispatchRows } from "./context.ts";
import type { GpuDevice, ReadSource } from "./device.ts";
import { type GpuRows, type RowRange, rowRanges } from "./rows.ts";

/** Bytes of the parameter block of every shader (8 × u32/f32). */
export const PARAMS_BYTES = 32;

/** One `dispatchWorkgroups` call. */
export interface Dispatch {
  readonly pipeline: GPUComputePipeline;
  /** Storage buffers by binding index (bound whole). */
  readonly bindings: ReadonlyArray<readonly [number, GPUBuffer]>;
  /** Binding index of the parameter block. */
  readonly paramsBinding: number;
  /** At most 8 words. */
  readonly params: Uint32Array;
  readonly workgroups: number;
  /** Work estimate used to batch submissions (pairs × vec4s for the pairwise passes). */
  readonly cost?: number;
  /**
   * Where the workgroup counts are read at execution time instead (three u32 at this byte
   * offset): a pass that the GPU itself may cancel by writing zeros (chained Lloyd iterations).
   */
  readonly indirect?: { readonly buffer: GPUBuffer; readonly offset: number };
}

/** Dispatches with their bind groups built, ready to encode (possibly many times). */
export interface PreparedDispatches {
  encode(encoder: GPUCommandEncoder): void;
  /** Destroys the parameter buffer. */
  release(): void;
}

/**
 * Builds the parameter buffer and bind groups of `dispatches`. Call inside `gpu.scoped` (or
 * `gpu.run`) so that validation errors are caught.
 */
export function prepareDispatches(
  gpu: GpuDevice,
  label: string,
  dispatches: readonly Dispatch[],
): PreparedDispatches {
  const stride = Math.max(PARAMS_BYTES, gpu.limits.minUniformBufferOffsetAlignment);
  const uniform = gpu.createBuffer(
    `${label}: params`,
    stride * dispatches.length,
    GPUBufferUsage.UNIFORM,
    true,
  );
  const words = new Uint32Array(uniform.getMappedRange());
  dispatches.forEach((d, i) => words.set(d.params.subarray(0, PARAMS_BYTES / 4), (i * stride) / 4));
  uniform.unmap();
  const groups = dispatches.map((d, i) =>
    gpu.device.createBindGroup({
      label: `${label} #${i}`,
      layout: d.pipeline.getBindGroupLayout(0),
      entries: [
        ...d.bindings.map(([binding, buffer]) => ({ binding, resource: { buffer } })),
        {
          binding: d.paramsBinding,
          resource: { buffer: uniform, offset: i * stride, size: PARAMS_BYTES },
        },
      ],
    })
  );
  return {
    encode(encoder: GPUCommandEncoder): void {
      const pass = encoder.beginComputePass({ label });
      let current: GPUComputePipeline | undefined;
      dispatches.forEach((d, i) => {
        if (d.workgroups <= 0) return;
        if (d.pipeline !== current) pass.setPipeline(current = d.pipeline);
        pass.setBindGroup(0, groups[i]!);
        if (d.indirect) pass.dispatchWorkgroupsIndirect(d.indirect.buffer, d.indirect.offset);
        else pass.dispatchWorkgroups(d.workgroups);
      });
      pass.end();
    },
    release: () => gpu.destroyBuffer(uniform),
  };
}

/**
 * Submits `dispatches` in order, in batches whose summed `cost` stays within `budget` (a batch
 * holds at least one dispatch), waiting for each batch before the next. `reads` are copied back
 * after the last batch, in the same submission, and returned.
 */
export async function runDispatches(
  gpu: GpuDevice,
  label: string,
  dispatches: readonly Dispatch[],
  budget = Infinity,
  reads: readonly ReadSource[] = [],
): Promise<ArrayBuffer[]> {
  let start = 0;
  do {
    let end = Math.min(start + 1, dispatches.length);
    let cost = dispatches[start]?.cost ?? 0;
    while (end < dispatches.length && cost + (dispatches[end]!.cost ?? 0) <= budget) {
      cost += dispatches[end]!.cost ?? 0;
      end++;
    }
    const last = end === dispatches.length;
    let prepared: PreparedDispatches | undefined;
    try {
      const out = await gpu.run(label, (encoder) => {
        prepared = prepareDispatches(gpu, label, dispatches.slice(start, end));
        prepared.encode(encoder);
      }, last ? reads : []);
      if (last) return out;
    } finally {
      prepared?.release();
    }
    start = end;
  } while (start < dispatches.length);
  return [];
}

/** The parameter block of a pairwise pass over rows `i` × rows `j`. */
export function pairParams(i: RowRange, j: RowRange, eps2 = 0, minSamples = 0): Uint32Array {
  const p = new Uint32Array(8);
  p[0] = i.offset;
  p[1] = i.count;
  p[2] = i.chunk.start;
  p[3] = j.offset;
  p[4] = j.count;
  p[5] = j.chunk.start;
  new Float32Array(p.buffer, 24, 1)[0] = eps2;
  p[7] = minSamples;
  return p;
}

/** The parameter block of a per-row pass over global rows [start, start + count). */
export function rowParams(start: number, count: number, eps2 = 0, minSamples = 0): Uint32Array {
  const p = new Uint32Array(8);
  p[0] = start;
  p[1] = count;
  new Float32Array(p.buffer, 24, 1)[0] = eps2;
  p[7] = minSamples;
  return p;
}

/** Workgroups of `size` threads covering `rows` rows. */
export function workgroupsFor(rows: number, size: number): number {
  return Math.ceil(rows / size);
}

/**
 * Every (i-range, j-range) pair of a pairwise pass: i-ranges within the dispatch limit, j-ranges
 * short enough that one dispatch stays within the pair budget. `upper` keeps only the pairs
 * that hold some j > i (for symmetric passes that visit each unordered pair once).
 */
export function pairRanges(
  ctx: GpuContext,
  rows: GpuRows,
  upper: boolean,
  maxIRows = maxDispatchRows(ctx, 64),
): Array<[RowRange, RowRange]> {
  const out: Array<[RowRange, RowRange]> = [];
  const is = rowRanges(rows, maxIRows);
  for (const i of is) {
    const jMax = Math.max(64, Math.floor(ctx.pairBudget / (i.count * rows.d4)));
    for (const j of rowRanges(rows, jMax)) {
      const iStart = i.chunk.start + i.offset;
      const jEnd = j.chunk.start + j.offset + j.count;
      if (upper && jEnd - 1 <= iStart) continue;
      out.push([i, j]);
    }
  }
  return out;
}
