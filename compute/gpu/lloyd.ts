/**
 * Nearest-centre assignment and Lloyd sessions on the GPU. A session uploads the rows once and
 * keeps them, the labels and the distances on the device; each step writes the centres, runs
 * `assign.wgsl` and `lloyd_reduce.wgsl`, and reads back only the per-block partial sums
 * (blocks × (k·(d+1) + 1) floats) and the changed-label counter, which the CPU adds in float64.
 * A session's `fit` chains whole iterations on the device instead (`lloyd_update.wgsl` makes the
 * centres and decides whether to go on), several per submission, reading back only a status
 * block and the centres once per batch.
 */
import type { Assignment, LloydFit, LloydSession, LloydStep } from "../backend.ts";
import type { Matrix } from "../matrix.ts";
import { type GpuContext, maxDispatchRows } from "./context.ts";
import { GpuError } from "./device.ts";
import {
  type Dispatch,
  type PreparedDispatches,
  prepareDispatches,
  workgroupsFor,
} from "./dispatch.ts";
import {
  type GpuRows,
  perRowBuffer,
  releaseRows,
  type RowRange,
  rowRanges,
  uploadRows,
} from "./rows.ts";

/**
 * Labels and squared distances of the nearest of `k` centres (k × d, row-major) for every row
 * of `x`; ties go to the lower index.
 *
 * @throws {RangeError} when `centers` is not k × d; {GpuError} on a GPU failure.
 */
export async function gpuAssign(
  ctx: GpuContext,
  x: Matrix,
  centers: Float32Array,
  k: number,
): Promise<Assignment> {
  checkCenters(centers, k, x.d);
  const state = await createAssignState(ctx, x, k, "assign");
  try {
    const [labels, dist2] = await ctx.gpu.run("assign", (encoder) => {
      writeCenters(ctx, state, centers);
      state.assign.encode(encoder);
    }, [
      { buffer: state.labels, size: x.n * 4 },
      { buffer: state.dist2, size: x.n * 4 },
    ]);
    return {
      labels: new Int32Array(labels!),
      dist2: new Float32Array(dist2!),
      backend: "gpu",
    };
  } finally {
    state.release();
  }
}

/**
 * Starts a Lloyd session over `x` with `k` clusters; labels start at −1, so the first step
 * counts every row as changed.
 *
 * @throws {RangeError} when k is not a positive integer; {GpuError} on a GPU failure.
 */
export async function gpuLloyd(ctx: GpuContext, x: Matrix, k: number): Promise<LloydSession> {
  if (!Number.isInteger(k) || k < 1) {
    throw new RangeError(`Expected k to be a positive integer but found ${k}`);
  }
  const { gpu } = ctx;
  const { n, d } = x;
  const state = await createAssignState(ctx, x, k, "lloyd");
  let reduce: Reduce | undefined;
  try {
    reduce = await createReduce(ctx, state, k);
    await gpu.scoped("lloyd: initial labels", () => {
      gpu.write(state.labels, new Int32Array(n).fill(-1));
    });
  } catch (e) {
    reduce?.release();
    state.release();
    throw e;
  }
  const entries = k * (d + 1) + 1;
  let disposed = false;
  const usable = () => {
    if (disposed) throw new GpuError("The Lloyd session was disposed");
  };
  let chain: Promise<Chain> | undefined;
  const session: LloydSession = {
    backend: "gpu",
    async step(centers: Float32Array): Promise<LloydStep> {
      usable();
      checkCenters(centers, k, d);
      const [partials, changed] = await gpu.run("lloyd step", (encoder) => {
        writeCenters(ctx, state, centers);
        gpu.write(state.changed, new Uint32Array(1));
        state.assign.encode(encoder);
        reduce!.prepared.encode(encoder);
      }, [
        { buffer: reduce!.partials, size: reduce!.blocks * entries * 4 },
        { buffer: state.changed, size: 4 },
      ]);
      return addPartials(partials!, reduce!.blocks, k, d, new Uint32Array(changed!)[0]!);
    },
    async labels(): Promise<Int32Array> {
      usable();
      const [labels] = await gpu.run("lloyd labels", () => {}, [{
        buffer: state.labels,
        size: n * 4,
      }]);
      return new Int32Array(labels!);
    },
    async distances(): Promise<Float32Array> {
      usable();
      const [dist2] = await gpu.run("lloyd distances", () => {}, [{
        buffer: state.dist2,
        size: n * 4,
      }]);
      return new Float32Array(dist2!);
    },
    dispose(): void {
      if (disposed) return;
      disposed = true;
      chain?.then((c) => c.release(), () => {});
      reduce?.release();
      state.release();
    },
  };
  if (ctx.lloydBatch < 1) return session;
  return {
    ...session,
    async fit(start: Float32Array, maxIter: number, tolAbs: number): Promise<LloydFit> {
      usable();
      checkCenters(start, k, d);
      chain ??= createChain(ctx, state, reduce!, k);
      chain.catch(() => {
        chain = undefined;
      });
      const c = await chain;
      usable();
      const perBatch = batchIterations(ctx, state.rows, k);
      let centers = start;
      let iter = 0;
      let inertia = 0;
      let strict = false;
      let converged = false;
      writeCenters(ctx, state, centers);
      while (iter < maxIter) {
        const stop = await c.run(iter, maxIter, tolAbs, perBatch);
        if (stop.done !== STOP_EMPTY) {
          iter = stop.iter;
          centers = stop.centers;
          converged = stop.done === STOP_LABELS || stop.done === STOP_SHIFT;
          if (stop.done === STOP_LABELS) {
            strict = true;
            // The inertia of that iteration, added in float64 as `step` does.
            inertia = addPartials(await c.partials(), reduce!.blocks, k, d, 0).inertia;
          }
          break;
        }
        // An empty cluster: this iteration on the host, as kmeans.ts runs it; then chain again.
        iter = stop.iter + 1;
        const step = addPartials(await c.partials(), reduce!.blocks, k, d, stop.changed);
        inertia = step.inertia;
        await relocateEmpty(x, session, step.sums, step.counts);
        const next = new Float32Array(k * d);
        for (let i = 0; i < k * d; i++) next[i] = step.sums[i]! / step.counts[Math.floor(i / d)]!;
        const shift = squaredShift(next, stop.centers);
        centers = next;
        writeCenters(ctx, state, centers);
        if (iter > 1 && step.changed === 0) {
          strict = converged = true;
          break;
        }
        if (shift <= tolAbs) {
          converged = true;
          break;
        }
      }
      // Labels must match the centres returned, as in kmeans.ts.
      if (!strict) inertia = (await session.step(centers)).inertia;
      return { centers, inertia, nIter: iter, converged };
    },
  };
}

/** `status.done` of `lloyd_update.wgsl`: why a chain stopped. */
const STOP_LABELS = 1;
const STOP_SHIFT = 2;
const STOP_EMPTY = 4;

/** Where a chain stopped, from its status block and the centres buffer. */
interface ChainStop {
  readonly done: number;
  /** Iterations committed (the fit's count). */
  readonly iter: number;
  /** Changed labels of the last iteration run (the uncommitted one when `done` is empty). */
  readonly changed: number;
  /** The centres on the device: the last committed ones. */
  readonly centers: Float32Array;
}

/** The chained passes of a session: assign, reduce and update with indirect workgroup counts. */
interface Chain {
  /**
   * Runs iterations from `iter` (committed so far, with the centres on the device), `perBatch`
   * per submission, until the device stops the chain.
   */
  run(iter: number, maxIter: number, tolAbs: number, perBatch: number): Promise<ChainStop>;
  /** The partial sums of the last iteration run. */
  partials(): Promise<ArrayBuffer>;
  release(): void;
}

/** Work per chained submission, in rows × centres × vec4s, as a multiple of the pair budget. */
const BATCH_BUDGET_FACTOR = 8;
/** Iterations per submission at most (an iteration cancelled on the device still costs a pass). */
const MAX_BATCH = 16;

function batchIterations(ctx: GpuContext, rows: GpuRows, k: number): number {
  const perIteration = rows.n * k * rows.d4;
  const byWork = Math.floor((BATCH_BUDGET_FACTOR * ctx.pairBudget) / perIteration);
  return Math.max(1, Math.min(ctx.lloydBatch, MAX_BATCH, byWork));
}

async function createChain(
  ctx: GpuContext,
  state: AssignState,
  reduce: Reduce,
  k: number,
): Promise<Chain> {
  const { gpu } = ctx;
  const { d, d4 } = state.rows;
  const owned: GPUBuffer[] = [];
  const own = (b: GPUBuffer) => (owned.push(b), b);
  const prepared: PreparedDispatches[] = [];
  const release = () => {
    for (const p of prepared) p.release();
    for (const b of owned) gpu.destroyBuffer(b);
  };
  try {
    const storage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    const status = own(gpu.createBuffer("lloyd chain: status", 32, storage));
    const next = own(gpu.createBuffer("lloyd chain: next centres", k * d4 * 16, storage));
    const passes = [...state.dispatches, ...reduce.dispatches];
    const planned = new Uint32Array(3 * passes.length);
    passes.forEach((p, i) => planned.set([p.workgroups, 1, 1], 3 * i));
    const indirect = own(
      gpu.createBuffer(
        "lloyd chain: indirect",
        planned.byteLength,
        GPUBufferUsage.STORAGE | GPUBufferUsage.INDIRECT | GPUBufferUsage.COPY_DST,
      ),
    );
    const plannedBuffer = own(
      gpu.createBuffer("lloyd chain: planned", planned.byteLength, storage),
    );
    const pipeline = await ctx.pipelines.get({
      shader: "lloyd_update",
      constants: { D: d, STRIDE: d4 * 4, K: k },
    });
    const at = (i: number) => ({ buffer: indirect, offset: 12 * i });
    const update: Dispatch = {
      pipeline,
      bindings: [
        [0, reduce.partials],
        [1, state.centers],
        [2, next],
        [3, status],
        [4, state.changed],
        [5, indirect],
        [6, plannedBuffer],
      ],
      paramsBinding: 7,
      params: Uint32Array.of(reduce.blocks, 0, 0, 0, 0, 0, 0, 0),
      workgroups: 1,
    };
    await gpu.scoped("lloyd chain: bind", () => {
      gpu.write(plannedBuffer, planned);
      const a = state.dispatches.length;
      prepared.push(
        prepareDispatches(
          gpu,
          "lloyd chain assign",
          state.dispatches.map((p, i) => ({ ...p, indirect: at(i) })),
        ),
        prepareDispatches(
          gpu,
          "lloyd chain reduce",
          reduce.dispatches.map((p, i) => ({ ...p, indirect: at(a + i) })),
        ),
        prepareDispatches(gpu, "lloyd chain update", [update]),
      );
    });
    const entries = k * (d + 1) + 1;
    return {
      async run(iter, maxIter, tolAbs, perBatch) {
        let first = true;
        for (;;) {
          const batch = Math.min(perBatch, maxIter - iter);
          const [words, centers] = await gpu.run("lloyd chain", (encoder) => {
            if (first) {
              const head = new Uint32Array(8);
              head[1] = iter;
              head[5] = maxIter;
              // Rounded down, so that a float32 shift passes exactly when its float64 value does.
              new Float32Array(head.buffer, 24, 1)[0] = float32AtMost(tolAbs);
              gpu.write(status, head);
              gpu.write(indirect, planned);
              gpu.write(state.changed, new Uint32Array(1));
            }
            for (let i = 0; i < batch; i++) for (const p of prepared) p.encode(encoder);
          }, [{ buffer: status, size: 32 }, { buffer: state.centers, size: k * d4 * 16 }]);
          first = false;
          const w = new Uint32Array(words!);
          const stop = { done: w[0]!, iter: w[1]!, changed: w[2]! };
          if (stop.done !== 0) return { ...stop, centers: unpadCenters(centers!, k, d, d4) };
          // The device stops at max_iter, so a running chain has iterations left.
          iter = stop.iter;
        }
      },
      async partials() {
        const [p] = await gpu.run("lloyd chain partials", () => {}, [{
          buffer: reduce.partials,
          size: reduce.blocks * entries * 4,
        }]);
        return p!;
      },
      release,
    };
  } catch (e) {
    release();
    throw e;
  }
}

/** A step's per-block partials added in float64 (`lloyd_reduce.wgsl`'s layout). */
function addPartials(
  partials: ArrayBuffer,
  blocks: number,
  k: number,
  d: number,
  changed: number,
): LloydStep {
  const p = new Float32Array(partials);
  const entries = k * (d + 1) + 1;
  const sums = new Float64Array(k * d);
  const counts = new Float64Array(k);
  let inertia = 0;
  for (let b = 0; b < blocks; b++) {
    const o = b * entries;
    for (let c = 0; c < k; c++) {
      const co = o + c * (d + 1);
      for (let f = 0; f < d; f++) sums[c * d + f]! += p[co + f]!;
      counts[c]! += p[co + d]!;
    }
    inertia += p[o + entries - 1]!;
  }
  return { sums, counts, inertia, changed };
}

// scikit-learn's `_relocate_empty_clusters_dense`, as kmeans.ts's `relocateEmpty` (the chained
// fit's host iteration must move the same rows): each empty cluster takes one of the rows
// farthest from their centres, which leaves its old cluster.
async function relocateEmpty(
  x: Matrix,
  session: LloydSession,
  sums: Float64Array,
  counts: Float64Array,
): Promise<void> {
  const { data, d } = x;
  const empty: number[] = [];
  counts.forEach((c, i) => c === 0 && empty.push(i));
  const dist2 = await session.distances();
  const labels = await session.labels();
  const order = Array.from(dist2.keys()).sort((a, b) => dist2[b]! - dist2[a]! || a - b);
  for (let e = 0; e < empty.length && e < order.length; e++) {
    const far = order[e]!;
    const from = labels[far]!;
    const to = empty[e]!;
    for (let j = 0; j < d; j++) {
      const v = data[far * d + j]!;
      sums[from * d + j]! -= v;
      sums[to * d + j] = v;
    }
    counts[from]!--;
    counts[to] = 1;
  }
}

function squaredShift(next: Float32Array, old: Float32Array): number {
  let shift = 0;
  for (let i = 0; i < next.length; i++) {
    const t = next[i]! - old[i]!;
    shift += t * t;
  }
  return shift;
}

function unpadCenters(buffer: ArrayBuffer, k: number, d: number, d4: number): Float32Array {
  const padded = new Float32Array(buffer);
  if (d4 * 4 === d) return padded;
  const out = new Float32Array(k * d);
  for (let c = 0; c < k; c++) out.set(padded.subarray(c * d4 * 4, c * d4 * 4 + d), c * d);
  return out;
}

/** The largest float32 ≤ v (v ≥ 0). */
function float32AtMost(v: number): number {
  const f = Math.fround(v);
  if (f <= v) return f;
  const bits = new Uint32Array(Float32Array.of(f).buffer);
  bits[0]! -= 1;
  return new Float32Array(bits.buffer)[0]!;
}

/** The device side of an assignment: rows, per-row outputs, centres and the assign dispatches. */
interface AssignState {
  readonly rows: GpuRows;
  readonly k: number;
  readonly labels: GPUBuffer;
  readonly dist2: GPUBuffer;
  readonly changed: GPUBuffer;
  readonly centers: GPUBuffer;
  readonly ranges: readonly RowRange[];
  /** The assign dispatches, also encoded with indirect counts by a chained fit. */
  readonly dispatches: readonly Dispatch[];
  readonly assign: PreparedDispatches;
  release(): void;
}

async function createAssignState(
  ctx: GpuContext,
  x: Matrix,
  k: number,
  label: string,
): Promise<AssignState> {
  const { gpu } = ctx;
  const rows = await uploadRows(gpu, x, ctx.bindingBytes, label);
  const owned: GPUBuffer[] = [];
  const own = (b: GPUBuffer) => (owned.push(b), b);
  let assign: PreparedDispatches | undefined;
  const release = () => {
    assign?.release();
    for (const b of owned) gpu.destroyBuffer(b);
    releaseRows(gpu, rows);
  };
  try {
    const storage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    const labels = own(perRowBuffer(gpu, `${label}: labels`, x.n, storage));
    const dist2 = own(perRowBuffer(gpu, `${label}: dist2`, x.n, storage));
    const changed = own(gpu.createBuffer(`${label}: changed`, 4, storage));
    const centers = own(
      gpu.createBuffer(
        `${label}: centres`,
        k * rows.d4 * 16,
        // COPY_SRC: a chained fit reads back the centres the device made.
        GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC,
      ),
    );
    const pipeline = await ctx.pipelines.get({
      shader: "assign",
      constants: { D4: rows.d4, K: k },
    });
    const ranges = rowRanges(rows, maxDispatchRows(ctx, 64));
    const dispatches = ranges.map((r): Dispatch => ({
      pipeline,
      bindings: [[0, r.chunk.buffer], [1, centers], [2, labels], [3, dist2], [4, changed]],
      paramsBinding: 5,
      params: Uint32Array.of(r.offset, r.count, r.chunk.start, 0),
      workgroups: workgroupsFor(r.count, 64),
    }));
    assign = await gpu.scoped(`${label}: bind`, () => prepareDispatches(gpu, label, dispatches));
    return { rows, k, labels, dist2, changed, centers, ranges, dispatches, assign, release };
  } catch (e) {
    release();
    throw e;
  }
}

/** The reduction dispatches of a session and the buffer of their partial sums. */
interface Reduce {
  readonly partials: GPUBuffer;
  readonly blocks: number;
  readonly dispatches: readonly Dispatch[];
  readonly prepared: PreparedDispatches;
  release(): void;
}

/**
 * Private vec4 accumulators per thread up to which `lloyd_reduce_rows.wgsl` (one thread per row)
 * replaces `lloyd_reduce.wgsl` (one per output entry) on a hardware adapter: K × (⌈d/4⌉ + 1),
 * 128 floats, about what stays in registers (k ≤ 10 at d = 8). Not on a software adapter, where
 * its private arrays and barrier rounds made a step several times slower (lavapipe).
 */
const ROW_REDUCE_MAX_ACC = 32;

/** Blocks aimed at over the whole matrix: enough parallelism, little to read back. */
const TARGET_BLOCKS = 256;
const MIN_BLOCK_ROWS = 256;

async function createReduce(ctx: GpuContext, state: AssignState, k: number): Promise<Reduce> {
  const { gpu } = ctx;
  const { n, d, d4 } = state.rows;
  const entries = k * (d + 1) + 1;
  const limit = Math.min(ctx.bindingBytes, gpu.limits.maxStorageBufferBindingSize);
  // Larger blocks mean fewer partials; double them until the partials fit one binding.
  let blockRows = Math.max(MIN_BLOCK_ROWS, Math.ceil(n / TARGET_BLOCKS));
  const countBlocks = () => state.ranges.reduce((s, r) => s + Math.ceil(r.count / blockRows), 0);
  while (countBlocks() * entries * 4 > limit && blockRows < n) blockRows *= 2;
  const blocks = countBlocks();
  if (blocks * entries * 4 > limit) {
    throw new GpuError(
      `Lloyd partial sums of ${k} clusters × ${d} features do not fit a ${limit}-byte binding`,
    );
  }
  const acc = k * (d4 + 1);
  const rows = ctx.lloydReduce === "rows" ||
    (ctx.lloydReduce === "auto" && !ctx.gpu.fallbackAdapter && acc <= ROW_REDUCE_MAX_ACC);
  const pipeline = await ctx.pipelines.get(
    rows
      ? { shader: "lloyd_reduce_rows", constants: { D: d, D4: d4, K: k }, baked: { ACC: acc } }
      : { shader: "lloyd_reduce", constants: { D: d, STRIDE: d4 * 4, K: k } },
  );
  const partials = gpu.createBuffer(
    "lloyd: partial sums",
    blocks * entries * 4,
    GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
  );
  let first = 0;
  const dispatches = state.ranges.map((r): Dispatch => {
    const workgroups = Math.ceil(r.count / blockRows);
    const params = Uint32Array.of(r.offset, r.count, r.chunk.start, blockRows, first, 0, 0, 0);
    first += workgroups;
    return {
      pipeline,
      bindings: [[0, r.chunk.buffer], [1, state.labels], [2, state.dist2], [3, partials]],
      paramsBinding: 4,
      params,
      workgroups,
    };
  });
  try {
    const prepared = await gpu.scoped(
      "lloyd: bind reduce",
      () => prepareDispatches(gpu, "lloyd reduce", dispatches),
    );
    return {
      partials,
      blocks,
      dispatches,
      prepared,
      release() {
        prepared.release();
        gpu.destroyBuffer(partials);
      },
    };
  } catch (e) {
    gpu.destroyBuffer(partials);
    throw e;
  }
}

function writeCenters(ctx: GpuContext, state: AssignState, centers: Float32Array): void {
  const { d, d4 } = state.rows;
  let data = centers;
  if (d4 * 4 !== d) {
    data = new Float32Array(state.k * d4 * 4);
    for (let c = 0; c < state.k; c++) data.set(centers.subarray(c * d, c * d + d), c * d4 * 4);
  }
  ctx.gpu.write(state.centers, data);
}

function checkCenters(centers: Float32Array, k: number, d: number): void {
  if (!Number.isInteger(k) || k < 1) {
    throw new RangeError(`Expected k to be a positive integer but found ${k}`);
  }
  if (centers.length !== k * d) {
    throw new RangeError(
      `Expected ${k} × ${d} = ${k * d} centre values but found ${centers.length}`,
    );
  }
}
