/// <reference lib="deno.worker" />
/**
 * The CPU worker: runs one kernel over a row range of matrices held in SharedArrayBuffers and
 * posts back the small per-range results. Messages are the `WorkerTask` union below.
 */
import { lloydKernel, pairSumsKernel, pairSumsManyKernel } from "./kernels.ts";
import {
  borderRange,
  connectAbove,
  connectSubtrees,
  countCoreRanges,
  type UnionState,
} from "./dbscan_graph.ts";
import type { KdTree } from "./kdtree.ts";
import { runCall, wasmKernels, type WasmTask } from "./wasm/runtime.ts";

/** A row range of a Lloyd step. */
export interface LloydTask {
  op: "lloyd";
  x: Float32Array;
  d: number;
  k: number;
  centers: Float32Array;
  labels: Int32Array;
  dist2: Float32Array;
  start: number;
  end: number;
}

/** A row range of the pairwise distance sums, into a private accumulator. */
export interface PairSumsTask {
  op: "pairSums";
  x: Float32Array;
  d: number;
  n: number;
  k: number;
  labels: Int32Array;
  start: number;
  end: number;
}

/**
 * A row range of the pairwise distance sums of many labellings at once (see
 * `pairSumsManyRange`), into a private accumulator of rows [start, n).
 */
export interface PairSumsManyTask {
  op: "pairSumsMany";
  x: Float32Array;
  d: number;
  n: number;
  cols: Int32Array;
  L: number;
  width: number;
  start: number;
  end: number;
}

/**
 * Ranges of tree positions (`ranges`: [start, end) pairs) of DBSCAN's core test over a shared
 * k-d tree; with `keepNonCore`, answers each range's non-core neighbour lists
 * (`NonCoreNeighbours[]`), else an empty array.
 */
export interface CoreTask {
  op: "core";
  tree: KdTree;
  eps2: number;
  minSamples: number;
  core: Uint8Array;
  ranges: Int32Array;
  keepNonCore: boolean;
}

/**
 * DBSCAN's union phase for some disjoint subtrees of a shared tree and union-find: `connect`
 * every ε-edge inside each subtree rooted at `nodes`, or `join` the two children of each node
 * (whose insides are already connected).
 */
export interface UnionTask {
  op: "dbscanUnion";
  step: "connect" | "join";
  tree: KdTree;
  eps2: number;
  core: Uint8Array;
  state: UnionState;
  nodes: Int32Array;
}

/** DBSCAN's border search (`borderRange`) for a range of tree positions, into shared roots. */
export interface BorderTask {
  op: "dbscanBorder";
  tree: KdTree;
  eps2: number;
  core: Uint8Array;
  root: Int32Array;
  minRoot: Int32Array;
  start: number;
  end: number;
}

export type WorkerTask =
  | LloydTask
  | PairSumsTask
  | PairSumsManyTask
  | CoreTask
  | UnionTask
  | BorderTask
  | WasmTask;

function handle(task: WorkerTask): unknown {
  switch (task.op) {
    case "lloyd": {
      const sums = new Float64Array(task.k * task.d);
      const counts = new Float64Array(task.k);
      const [inertia, changed] = lloydKernel(task.d, task.k)(
        task.x,
        task.centers,
        task.start,
        task.end,
        task.labels,
        task.dist2,
        sums,
        counts,
      );
      return { sums, counts, inertia, changed };
    }
    case "pairSums": {
      const out = new Float64Array(task.n * task.k);
      pairSumsKernel(task.d, task.k)(task.x, task.n, task.labels, task.start, task.end, out);
      return out;
    }
    case "pairSumsMany": {
      const out = new Float64Array((task.n - task.start) * task.width);
      pairSumsManyKernel(task.d, task.L, task.width)(
        task.x,
        task.n,
        task.cols,
        task.start,
        task.end,
        out,
        task.start,
      );
      return out;
    }
    case "core":
      return countCoreRanges(
        task.tree,
        task.eps2,
        task.minSamples,
        task.core,
        task.ranges,
        task.keepNonCore,
      );
    case "dbscanUnion":
      if (task.step === "connect") {
        connectSubtrees(task.tree, task.eps2, task.core, task.state, task.nodes);
      } else connectAbove(task.tree, task.eps2, task.core, task.state, task.nodes);
      return null;
    case "dbscanBorder":
      borderRange(task.tree, task.eps2, task.core, task.root, task.minRoot, task.start, task.end);
      return null;
    case "wasm": {
      const module = wasmKernels();
      if (!module) throw new Error("WebAssembly kernels unavailable in this worker");
      runCall(module, { id: task.id, memory: task.memory }, task.call);
      return null;
    }
  }
}

self.onmessage = (e: MessageEvent<WorkerTask>) => {
  try {
    const value = handle(e.data);
    // Accumulators are large (n × width float64 for the many-labelling pass): move, don't copy.
    const moved = value instanceof Float64Array && value.buffer instanceof ArrayBuffer;
    self.postMessage({ ok: true, value }, moved ? [value.buffer as ArrayBuffer] : []);
  } catch (err) {
    self.postMessage({ ok: false, error: err instanceof Error ? err.message : String(err) });
  }
};
