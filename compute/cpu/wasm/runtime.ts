/**
 * Loading and running the WebAssembly kernels (`kernels.wasm`, built from `assembly/`). Every
 * pass lays its arrays out in one shared `WebAssembly.Memory`; the workers of the pool and the
 * calling thread instantiate the same module over it, so rows are copied in once per pass and
 * only small results travel in messages.
 */

/** The module, compiled once per thread; undefined where it cannot run (see `wasmSupported`). */
let compiled: WebAssembly.Module | null | undefined;

/**
 * The compiled kernels, or undefined where this runtime lacks WebAssembly SIMD or shared memory
 * or the binary cannot be read (no read permission): callers then use the TypeScript kernels.
 */
export function wasmKernels(): WebAssembly.Module | undefined {
  if (compiled === undefined) {
    compiled = null;
    try {
      const bytes = Deno.readFileSync(new URL("./kernels.wasm", import.meta.url));
      if (typeof SharedArrayBuffer === "function" && WebAssembly.validate(bytes)) {
        compiled = new WebAssembly.Module(bytes);
      }
    } catch {
      compiled = null;
    }
  }
  return compiled ?? undefined;
}

/** The exports of `kernels.wasm` (pointers are byte offsets into the pass's memory). */
export interface KernelExports {
  /** Arguments in `assembly/lloyd_bounded.ts`'s order. */
  lloydBounded(...args: number[]): void;
  lloyd(
    x: number,
    n: number,
    d: number,
    splat: number,
    centers: number,
    k: number,
    b0: number,
    b1: number,
    labels: number,
    dist2: number,
    sums: number,
    counts: number,
    result: number,
  ): void;
  pairSums(
    xs: number,
    mask: number,
    cluster: number,
    segs: number,
    m: number,
    d: number,
    k: number,
    i0: number,
    i1: number,
    scratch: number,
    rowOut: number,
    colOut: number,
  ): void;
  pairSumsMany(
    xs: number,
    m: number,
    n: number,
    d: number,
    cols: number,
    L: number,
    width: number,
    b0: number,
    b1: number,
    tile: number,
    scratch: number,
    acc: number,
  ): void;
  pairSumsGrouped(
    xs: number,
    m: number,
    d: number,
    xi: number,
    gstart: number,
    G: number,
    gcols: number,
    L: number,
    width: number,
    b0: number,
    b1: number,
    tile: number,
    acc: number,
  ): void;
  kmeansppFold(
    xs: number,
    d: number,
    closest: number,
    T: number,
    cands: number,
    outs: number,
    stride: number,
    b0: number,
    b1: number,
    pots: number,
  ): void;
  gmmEStep(
    xs: number,
    n: number,
    d: number,
    k: number,
    means: number,
    prec: number,
    logc: number,
    b0: number,
    b1: number,
    scratch: number,
    sums: number,
    result: number,
    labels: number,
  ): void;
}

/** One call of an exported kernel. */
export interface WasmCall {
  fn: keyof KernelExports;
  args: number[];
}

/** A pass's shared memory with an id, so that a worker instantiates once per pass. */
export interface PassMemory {
  readonly id: number;
  readonly memory: WebAssembly.Memory;
}

/** A worker task: run `call` over `memory`. */
export interface WasmTask {
  op: "wasm";
  id: number;
  memory: WebAssembly.Memory;
  call: WasmCall;
}

let nextId = 1;
const PAGE = 65536;
const MAX_PAGES = 65536;

/**
 * Lays out arrays of the given byte sizes, 16-byte aligned from offset `base` (the module keeps
 * no data of its own in memory), in `mem` (grown to hold them) or in a new shared memory.
 */
export function allocatePass(
  sizes: readonly number[],
  mem?: PassMemory,
  base = 0,
): { mem: PassMemory; at: number[] } {
  const at: number[] = [];
  let top = base;
  for (const s of sizes) {
    at.push(top);
    top += Math.ceil(s / 16) * 16;
  }
  const pages = Math.max(1, Math.ceil(top / PAGE));
  if (pages > MAX_PAGES) throw new RangeError(`A WebAssembly pass needs ${top} bytes: over 4 GiB`);
  if (!mem) {
    // The maximum is only reserved address space; it lets a cached memory grow (rowsMemory).
    const memory = new WebAssembly.Memory({ initial: pages, maximum: MAX_PAGES, shared: true });
    return { mem: { id: nextId++, memory }, at };
  }
  const have = mem.memory.buffer.byteLength / PAGE;
  if (pages > have) mem.memory.grow(pages - have);
  return { mem, at };
}

/** A memory that holds one matrix's rows in some layout, reused by the passes over them. */
interface RowsMemory {
  mem: PassMemory;
  /** Bytes taken by the rows; a pass's own arrays start here. */
  end: number;
  busy: boolean;
}

const rowsMemories = new WeakMap<Float32Array, Map<string, RowsMemory>>();

/**
 * The memory holding `data` in `layout` (written by `fill` into a new memory the first time),
 * and a release function. KMeans runs many sessions over the same rows (k = 2..10, n_init), so
 * the copy is made once per matrix; a second concurrent user gets a fresh, uncached copy.
 */
export function rowsMemory(
  data: Float32Array,
  layout: string,
  bytes: number,
  fill: (buffer: SharedArrayBuffer) => void,
): { mem: PassMemory; end: number; release: () => void } {
  let byLayout = rowsMemories.get(data);
  if (!byLayout) rowsMemories.set(data, byLayout = new Map());
  let entry = byLayout.get(layout);
  if (entry?.busy) {
    const { mem } = allocatePass([bytes]);
    fill(mem.memory.buffer as SharedArrayBuffer);
    return { mem, end: Math.ceil(bytes / 16) * 16, release: () => {} };
  }
  if (!entry) {
    const { mem } = allocatePass([bytes]);
    fill(mem.memory.buffer as SharedArrayBuffer);
    entry = { mem, end: Math.ceil(bytes / 16) * 16, busy: false };
    byLayout.set(layout, entry);
  }
  const e = entry;
  e.busy = true;
  return { mem: e.mem, end: e.end, release: () => (e.busy = false) };
}

let cached: { id: number; exports: KernelExports } | undefined;

/** Runs one call on this thread, instantiating the module over the pass's memory if needed. */
export function runCall(module: WebAssembly.Module, mem: PassMemory, call: WasmCall): void {
  if (cached?.id !== mem.id) {
    const instance = new WebAssembly.Instance(module, { env: { memory: mem.memory } });
    cached = { id: mem.id, exports: instance.exports as unknown as KernelExports };
  }
  (cached.exports[call.fn] as (...a: number[]) => void)(...call.args);
}

/** Runs one call per part: on the pool's workers when there is one, else one after another here. */
export type WasmRunner = (mem: PassMemory, calls: WasmCall[]) => Promise<void>;

/**
 * The shares of a pass to run in successive rounds (cumulative, ending at 1): `rounds` until
 * `run` has run a pass of `kernel` whose work reached `warmWork`, then one round. A worker's first
 * call of a WebAssembly function runs V8's baseline code (Liftoff, about 3× slower here) to its
 * end, since WebAssembly has no on-stack replacement; a short first round lets the optimised code,
 * compiled in the background meanwhile, serve the rest. Later passes run in one round, since on a
 * loaded machine every round trip waits for the scheduler (several milliseconds at a load of 6).
 */
export function passRounds(
  kernel: string,
  run: WasmRunner,
  work: number,
  warmWork: number,
  rounds: readonly number[],
): readonly number[] {
  let warm = warmedRunners.get(kernel);
  if (!warm) warmedRunners.set(kernel, warm = new WeakSet());
  const shares = warm.has(run) ? [1] : rounds;
  if (work >= warmWork) warm.add(run);
  return shares;
}

/** Per kernel, the runners (worker pools) that have run a pass large enough to warm it. */
const warmedRunners = new Map<string, WeakSet<WasmRunner>>();
