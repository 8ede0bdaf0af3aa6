/**
 * DBSCAN's density graph split between the CPU workers: the same steps as `componentRoots` in
 * `dbscan_graph.ts`, over one k-d tree and one union-find in shared memory.
 *
 * 1. Core test: each worker every workers-th of 16 · workers ranges of tree positions, keeping
 *    the non-core rows' neighbours.
 * 2. Union: the subtrees at the first depth with at least 4 per worker are connected by the
 *    workers, each subtree by one worker; then, level by level up to the root, each node's two
 *    children are joined, the nodes of one level again split between workers. A union only ever
 *    links points of the subtree being connected or joined, and those of different tasks are
 *    disjoint, so the workers write disjoint parts of the shared parent array and node flags.
 * 3. Roots: the smallest original row of each component, on this thread; border rows from the
 *    kept neighbour lists here, or (large `minSamples`) by a search split between workers.
 *
 * The components do not depend on the order of unions, and roots are named by their smallest
 * row, so the result is exactly `componentRoots`'s.
 */
import type { KdTree } from "./kdtree.ts";
import {
  borderFromLists,
  connectAbove,
  coreRoots,
  NEIGHBOUR_LISTS_MAX_MIN_SAMPLES,
  type NonCoreNeighbours,
  splitSubtrees,
  unionState,
} from "./dbscan_graph.ts";
import type { WorkerPool } from "./pool.ts";
import type { BorderTask, CoreTask, UnionTask } from "./worker.ts";

/**
 * Core flags (written into `core`, a shared array of n) and the roots of every tree position,
 * as `countCoreRange` and `componentRoots` give them, computed on `pool`'s workers. `tree` must
 * have been built with `shared: true`.
 */
export async function parallelComponentRoots(
  pool: WorkerPool,
  tree: KdTree,
  eps2: number,
  minSamples: number,
  core: Uint8Array,
): Promise<Int32Array> {
  const { n } = tree;
  const workers = pool.size;
  const keepNonCore = minSamples <= NEIGHBOUR_LISTS_MAX_MIN_SAMPLES;
  // Noise costs a full search and core rows in dense regions almost none, so each worker
  // takes every workers-th of many small ranges rather than one block.
  const chunks = splitRange(n, CORE_CHUNKS_PER_WORKER * workers);
  const lists = await pool.run<NonCoreNeighbours[]>(
    Array.from({ length: workers }, (_, w): CoreTask => ({
      op: "core",
      tree,
      eps2,
      minSamples,
      core,
      ranges: Int32Array.from(chunks.filter((_, i) => i % workers === w).flat()),
      keepNonCore,
    })),
  );

  const state = unionState(tree, core, true);
  const { subtrees, above } = splitSubtrees(tree, workers);
  const union = (nodes: Int32Array, step: UnionTask["step"]) => {
    const parts = interleave(nodes, workers);
    return pool.run(parts.map((part): UnionTask => ({
      op: "dbscanUnion",
      step,
      tree,
      eps2,
      core,
      state,
      nodes: part,
    })));
  };
  await union(subtrees, "connect");
  // Deepest level first; a level of one node is joined here rather than sent to a worker.
  for (const level of levels(tree, above)) {
    if (level.length > 1) await union(level, "join");
    else connectAbove(tree, eps2, core, state, level);
  }

  const { root, minRoot } = coreRoots(tree, core, state.parent, !keepNonCore);
  if (keepNonCore) {
    for (const part of lists.flat()) borderFromLists(core, root, part);
  } else {
    await pool.run(
      splitRange(n, workers).map(([start, end]): BorderTask => ({
        op: "dbscanBorder",
        tree,
        eps2,
        core,
        root,
        minRoot,
        start,
        end,
      })),
    );
  }
  return root;
}

const CORE_CHUNKS_PER_WORKER = 16;

function splitRange(n: number, parts: number): Array<[number, number]> {
  return Array.from(
    { length: parts },
    (_, p) => [Math.floor((n * p) / parts), Math.floor((n * (p + 1)) / parts)],
  );
}

// Worker w takes nodes w, w + parts, …: neighbouring subtrees cost alike (same density), so
// dealing them out evens the work better than contiguous blocks.
function interleave(nodes: Int32Array, parts: number): Int32Array[] {
  const out: Int32Array[] = [];
  for (let w = 0; w < Math.min(parts, nodes.length); w++) {
    out.push(nodes.filter((_, i) => i % parts === w));
  }
  return out;
}

// `above` grouped by depth, deepest first.
function levels(tree: KdTree, above: Int32Array): Int32Array[] {
  const depth = new Map<number, number>([[0, 0]]);
  const byDepth: number[][] = [];
  for (const node of above) {
    const dn = depth.get(node)!;
    (byDepth[dn] ??= []).push(node);
    depth.set(tree.left[node]!, dn + 1);
    depth.set(tree.right[node]!, dn + 1);
  }
  return byDepth.reverse().map((level) => Int32Array.from(level));
}
