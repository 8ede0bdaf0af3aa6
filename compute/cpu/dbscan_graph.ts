/**
 * DBSCAN's density graph on the CPU over a k-d tree, in O(n) memory: no ε-neighbourhoods are
 * stored (only the fewer than `minSamples` neighbours of non-core rows, for the border pass).
 * Core points are found by counting neighbours up to `minSamples` and stopping there;
 * ε-connected components of core points are merged with a union-find built bottom-up, the two
 * children of each subtree joined by a dual-tree traversal that skips pairs of nodes already
 * known to lie in one component and merges a pair whole when its boxes lie within ε at their
 * farthest. Every shortcut is exact. `dbscan_parallel.ts` runs these steps on the workers.
 */
import { boxMaxDist2, boxMinDist2, diag2, type KdTree, maxDist2, minDist2 } from "./kdtree.ts";

/**
 * Rows per leaf of the tree that DBSCAN builds. On the automatic job's 200k rows (eps 0.4) 32
 * takes about 10 % less time than 16, and as much at eps 0.2; 64 is faster at 0.4 but slower at
 * 0.2 (more rows compared per leaf pair when ε is small against the leaves).
 */
export const DBSCAN_LEAF_SIZE = 32;

const STACK_SIZE = 512; // ≥ 2 × tree depth; depth is log2(n / leafSize) for a median-split tree

/**
 * The neighbours of the non-core positions of one range, which the core test meets anyway
 * (a non-core row's search never stops early): for a non-core position q in [start, end),
 * `items[offsets[q − start] .. offsets[q − start + 1])` are the tree positions within ε of it,
 * itself included; the slice of a core position is empty.
 */
export interface NonCoreNeighbours {
  readonly start: number;
  readonly offsets: Int32Array;
  readonly items: Int32Array;
}

/**
 * Above this `minSamples`, non-core neighbour lists are not kept (the border pass searches the
 * tree instead): they hold fewer than `minSamples` positions per non-core row, so this bounds
 * their memory at 4 · 31 bytes per row.
 */
export const NEIGHBOUR_LISTS_MAX_MIN_SAMPLES = 32;

/**
 * Sets `core[t] = 1` for tree positions t in [start, end) with at least `minSamples` rows
 * (itself included) within squared distance `eps2`, else 0. With `keepNonCore`, also returns
 * the non-core positions' neighbours.
 */
export function countCoreRange(
  tree: KdTree,
  eps2: number,
  minSamples: number,
  core: Uint8Array,
  start: number,
  end: number,
  keepNonCore = false,
): NonCoreNeighbours | undefined {
  return countCoreRanges(tree, eps2, minSamples, core, [start, end], keepNonCore)[0];
}

/**
 * `countCoreRange` over several ranges, `ranges` holding [start, end) pairs one after the
 * other; answers one list per range with `keepNonCore`, else an empty array.
 */
export function countCoreRanges(
  tree: KdTree,
  eps2: number,
  minSamples: number,
  core: Uint8Array,
  ranges: ArrayLike<number>,
  keepNonCore = false,
): NonCoreNeighbours[] {
  const { pts, d, left, right, splitDim, splitVal, nodeCount } = tree;
  const stack = new Int32Array(STACK_SIZE);
  const found = new Int32Array(minSamples);
  const up = new Int32Array(nodeCount);
  up[0] = -1;
  // A box wider than 2ε lies within ε of no point, so its farthest corner need not be computed.
  const narrow = new Uint8Array(nodeCount);
  for (let node = 0; node < nodeCount; node++) {
    if (left[node]! >= 0) {
      up[left[node]!] = node;
      up[right[node]!] = node;
    }
    narrow[node] = diag2(tree, node) <= 4 * eps2 ? 1 : 0;
  }
  const out: NonCoreNeighbours[] = [];
  for (let ri = 0; ri + 1 < ranges.length; ri += 2) {
    const start = ranges[ri]!;
    const end = ranges[ri + 1]!;
    const offsets = keepNonCore ? new Int32Array(end - start + 1) : undefined;
    let items = new Int32Array(keepNonCore ? 1024 : 0);
    let nItems = 0;
    const leaves = leavesOf(tree, start, end);
    let li = 0;
    for (let q = start; q < end; q++) {
      while (tree.end[leaves[li]!]! <= q) li++;
      const own = leaves[li]!;
      const qo = q * d;
      let count = 0;
      // The row's own leaf first (in a dense region it alone makes the row core), then the
      // sibling subtrees of its ancestors, nearest first: no box test on the ancestors, which
      // contain the row, and the count fills up soonest.
      for (let t = tree.start[own]!, le = tree.end[own]!; t < le; t++) {
        const to = t * d;
        let s2 = 0;
        for (let j = 0; j < d; j++) {
          const v = pts[qo + j]! - pts[to + j]!;
          s2 += v * v;
        }
        if (s2 <= eps2) {
          if (count < minSamples) found[count] = t;
          if (++count >= minSamples) break;
        }
      }
      let child = own;
      let parentNode = up[own]!;
      search: while (count < minSamples && parentNode >= 0) {
        let sp = 0;
        stack[sp++] = left[parentNode] === child ? right[parentNode]! : left[parentNode]!;
        child = parentNode;
        parentNode = up[parentNode]!;
        while (sp > 0) {
          const node = stack[--sp]!;
          if (minDist2(tree, node, pts, qo) > eps2) continue;
          const s = tree.start[node]!;
          const e = tree.end[node]!;
          if (narrow[node] && maxDist2(tree, node, pts, qo) <= eps2) {
            if (count + (e - s) >= minSamples) {
              count = minSamples;
              break search;
            }
            for (let t = s; t < e; t++) found[count++] = t;
            continue;
          }
          const l = left[node]!;
          if (l < 0) {
            for (let t = s; t < e; t++) {
              const to = t * d;
              let s2 = 0;
              for (let j = 0; j < d; j++) {
                const v = pts[qo + j]! - pts[to + j]!;
                s2 += v * v;
              }
              if (s2 <= eps2) {
                if (count < minSamples) found[count] = t;
                if (++count >= minSamples) break search;
              }
            }
            continue;
          }
          // Near child last, so that it is searched first.
          const r = right[node]!;
          if (pts[qo + splitDim[node]!]! < splitVal[node]!) {
            stack[sp++] = r;
            stack[sp++] = l;
          } else {
            stack[sp++] = l;
            stack[sp++] = r;
          }
        }
      }
      const isCore = count >= minSamples;
      core[q] = isCore ? 1 : 0;
      if (offsets) {
        if (!isCore) {
          if (nItems + count > items.length) {
            const grown = new Int32Array(Math.max(items.length * 2, nItems + count));
            grown.set(items.subarray(0, nItems));
            items = grown;
          }
          for (let k = 0; k < count; k++) items[nItems++] = found[k]!;
        }
        offsets[q - start + 1] = nItems;
      }
    }
    if (offsets) out.push({ start, offsets, items: items.slice(0, nItems) });
  }
  return out;
}

// The leaves whose position ranges meet [start, end), in position order.
function leavesOf(tree: KdTree, start: number, end: number): Int32Array {
  const out: number[] = [];
  const stack = [0];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (tree.end[node]! <= start || tree.start[node]! >= end) continue;
    const l = tree.left[node]!;
    if (l < 0) out.push(node);
    else stack.push(tree.right[node]!, l);
  }
  return Int32Array.from(out);
}

/**
 * From core flags (tree order), the `root` of every tree position: for a core point, the
 * smallest original row index of a core point in its ε-connected component; for a non-core
 * point, the smallest such root among core points within ε, or −1 (noise). One thread; the
 * CPU backend runs the same steps split between workers (`connectSubtrees`, `borderRange`).
 * `nonCore`, the core test's neighbour lists over all of [0, n), spares the border search.
 */
export function componentRoots(
  tree: KdTree,
  eps2: number,
  core: Uint8Array,
  nonCore?: NonCoreNeighbours,
): Int32Array {
  const state = unionState(tree, core, false);
  connectSubtrees(tree, eps2, core, state, [0]);
  const { root, minRoot } = coreRoots(tree, core, state.parent, false);
  if (nonCore) borderFromLists(core, root, nonCore);
  else borderRange(tree, eps2, core, root, minRoot, 0, tree.n);
  return root;
}

/** `borderRange`'s result for the range of `lists`, from the neighbours the core test kept. */
export function borderFromLists(core: Uint8Array, root: Int32Array, lists: NonCoreNeighbours) {
  const { start, offsets, items } = lists;
  for (let i = 0, m = offsets.length - 1; i < m; i++) {
    const q = start + i;
    if (core[q]) continue;
    let best = NONE;
    for (let k = offsets[i]!, e = offsets[i + 1]!; k < e; k++) {
      const t = items[k]!;
      if (core[t] && root[t]! < best) best = root[t]!;
    }
    if (best !== NONE) root[q] = best;
  }
}

/**
 * The union-find over tree positions and its per-node summaries, on SharedArrayBuffers when
 * `shared`: `parent` (identity to start with), `rep` (one core position under the node, or −1)
 * and `connected` (1 once every core point under the node is known to be in one component).
 */
export interface UnionState {
  readonly parent: Int32Array;
  readonly rep: Int32Array;
  readonly connected: Uint8Array;
}

/** A fresh `UnionState` for `tree` and its core flags. */
export function unionState(tree: KdTree, core: Uint8Array, shared: boolean): UnionState {
  const { n, nodeCount, left, right, start, end } = tree;
  const buf = (bytes: number) => shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
  const parent = new Int32Array(buf(n * 4));
  for (let i = 0; i < n; i++) parent[i] = i;
  const rep = new Int32Array(buf(nodeCount * 4));
  // Preorder ids: children come after their parent, so descending ids visit children first.
  for (let node = nodeCount - 1; node >= 0; node--) {
    const l = left[node]!;
    let r = -1;
    if (l < 0) {
      for (let t = start[node]!, e = end[node]!; t < e; t++) {
        if (core[t]) {
          r = t;
          break;
        }
      }
    } else r = rep[l]! >= 0 ? rep[l]! : rep[right[node]!]!;
    rep[node] = r;
  }
  return { parent, rep, connected: new Uint8Array(buf(nodeCount)) };
}

/**
 * Unions every pair of core points within ε of each other that both lie under one of the
 * subtrees rooted at `subtrees`. Writes `state.parent` only at the positions of those subtrees
 * and `state.connected` only at their nodes, so that disjoint subtrees can be connected by
 * different workers over one shared state.
 */
export function connectSubtrees(
  tree: KdTree,
  eps2: number,
  core: Uint8Array,
  state: UnionState,
  subtrees: ArrayLike<number>,
): void {
  const g = unionGraph(tree, eps2, core, state);
  for (let i = 0; i < subtrees.length; i++) g.connect(subtrees[i]!);
}

/**
 * Finishes what `connectSubtrees` left: for every internal node in `above` (ids whose subtrees
 * were connected child by child), the ε-edges between its two children, children before
 * parents. With `connectSubtrees` run on the frontier below them, every ε-edge is accounted for.
 */
export function connectAbove(
  tree: KdTree,
  eps2: number,
  core: Uint8Array,
  state: UnionState,
  above: ArrayLike<number>,
): void {
  const g = unionGraph(tree, eps2, core, state);
  const ids = Int32Array.from(above).sort().reverse();
  for (const node of ids) g.join(node);
}

/**
 * The subtrees that `workers` threads connect independently, and the nodes above them: the
 * nodes at the smallest depth where there are at least 4 subtrees per worker (leaves higher up
 * count as subtrees), so that the work splits evenly enough, each list in ascending id order.
 */
export function splitSubtrees(
  tree: KdTree,
  workers: number,
): { subtrees: Int32Array; above: Int32Array } {
  const { left, right } = tree;
  let frontier = [0];
  const above: number[] = [];
  while (frontier.length < 4 * workers) {
    const next: number[] = [];
    let split = false;
    for (const node of frontier) {
      if (left[node]! < 0) next.push(node);
      else {
        above.push(node);
        next.push(left[node]!, right[node]!);
        split = true;
      }
    }
    frontier = next;
    if (!split) break;
  }
  return { subtrees: Int32Array.from(frontier).sort(), above: Int32Array.from(above).sort() };
}

/**
 * After the union phase: `root[t]` for every core position (the smallest original row of its
 * component), −1 elsewhere, and `minRoot[node]`, the smallest root of a core point under the
 * node (0x7fffffff when none), which lets the border pass prune.
 */
export function coreRoots(
  tree: KdTree,
  core: Uint8Array,
  parent: Int32Array,
  shared: boolean,
): { root: Int32Array; minRoot: Int32Array } {
  const { n, perm, nodeCount, left, right, start, end } = tree;
  const find = (a: number): number => {
    while (parent[a] !== a) {
      const g = parent[parent[a]!]!;
      parent[a] = g;
      a = g;
    }
    return a;
  };
  const buf = (bytes: number) => shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
  const minRow = new Int32Array(n).fill(NONE);
  for (let t = 0; t < n; t++) {
    if (!core[t]) continue;
    const c = find(t);
    if (perm[t]! < minRow[c]!) minRow[c] = perm[t]!;
  }
  const root = new Int32Array(buf(n * 4)).fill(-1);
  for (let t = 0; t < n; t++) if (core[t]) root[t] = minRow[find(t)]!;
  const minRoot = new Int32Array(buf(nodeCount * 4));
  for (let node = nodeCount - 1; node >= 0; node--) {
    const l = left[node]!;
    let m = NONE;
    if (l < 0) {
      for (let t = start[node]!, e = end[node]!; t < e; t++) {
        if (core[t] && root[t]! < m) m = root[t]!;
      }
    } else {
      const a = minRoot[l]!, b = minRoot[right[node]!]!;
      m = a < b ? a : b;
    }
    minRoot[node] = m;
  }
  return { root, minRoot };
}

/**
 * For the non-core positions in [start, end): `root[q]` = the smallest root among core points
 * within ε (left at −1, noise, when there is none). Reads `root` only at core positions, so
 * workers may fill disjoint ranges of one shared array.
 */
export function borderRange(
  tree: KdTree,
  eps2: number,
  core: Uint8Array,
  root: Int32Array,
  minRoot: Int32Array,
  start: number,
  end: number,
): void {
  const { d, pts, left, right } = tree;
  const stack = new Int32Array(STACK_SIZE);
  for (let q = start; q < end; q++) {
    if (core[q]) continue;
    const qo = q * d;
    let best = NONE;
    let sp = 0;
    stack[sp++] = 0;
    while (sp > 0) {
      const node = stack[--sp]!;
      // Only a smaller root could change the answer.
      if (minRoot[node]! >= best || minDist2(tree, node, pts, qo) > eps2) continue;
      if (maxDist2(tree, node, pts, qo) <= eps2) {
        best = minRoot[node]!;
        continue;
      }
      const l = left[node]!;
      if (l < 0) {
        for (let t = tree.start[node]!, e = tree.end[node]!; t < e; t++) {
          if (!core[t] || root[t]! >= best) continue;
          const to = t * d;
          let s2 = 0;
          for (let j = 0; j < d; j++) {
            const v = pts[qo + j]! - pts[to + j]!;
            s2 += v * v;
          }
          if (s2 <= eps2) best = root[t]!;
        }
        continue;
      }
      // The child with the smaller minimum first: it lowers `best` soonest.
      const r = right[node]!;
      if (minRoot[l]! <= minRoot[r]!) {
        stack[sp++] = r;
        stack[sp++] = l;
      } else {
        stack[sp++] = l;
        stack[sp++] = r;
      }
    }
    if (best !== NONE) root[q] = best;
  }
}

const NONE = 0x7fffffff;

/**
 * The union phase over one state. `connect(node)` accounts for every ε-edge inside a subtree,
 * bottom-up: each child first, then `join`, a dual-tree traversal of the pairs (a, b) of the
 * two children's nodes. Once both children are done, a dense region's nodes are mostly each
 * one component, so a pair is settled by its first edge found and the rest of it is skipped.
 */
function unionGraph(tree: KdTree, eps2: number, core: Uint8Array, state: UnionState) {
  const { d, pts, left, right, start, end } = tree;
  const { parent, rep, connected } = state;
  const find = (a: number): number => {
    while (parent[a] !== a) {
      const g = parent[parent[a]!]!;
      parent[a] = g;
      a = g;
    }
    return a;
  };
  // The larger root goes under the smaller; either choice is exact, this one is deterministic.
  let unions = 0;
  const union = (a: number, b: number): void => {
    a = find(a);
    b = find(b);
    if (a !== b) {
      parent[a < b ? b : a] = a < b ? a : b;
      unions++;
    }
  };
  // The union count when a node was last found not to be one component: until another union,
  // checking again would find the same.
  const checkedAt = new Int32Array(left.length).fill(-1);
  // Flags are only ever set (components only merge), so setting one as soon as it holds is safe.
  const refresh = (node: number): boolean => {
    if (connected[node]) return true;
    if (rep[node]! < 0 || checkedAt[node] === unions) return false;
    checkedAt[node] = unions;
    const r = find(rep[node]!);
    const l = left[node]!;
    if (l >= 0) {
      const rr = right[node]!;
      if (rep[l]! >= 0 && !(connected[l] && find(rep[l]!) === r)) return false;
      if (rep[rr]! >= 0 && !(connected[rr] && find(rep[rr]!) === r)) return false;
    } else {
      for (let t = start[node]!, e = end[node]!; t < e; t++) {
        if (core[t] && find(t) !== r) return false;
      }
    }
    connected[node] = 1;
    return true;
  };
  const unionAll = (node: number, into: number): void => {
    for (let t = start[node]!, e = end[node]!; t < e; t++) if (core[t]) union(into, t);
    connected[node] = 1;
  };
  const leafSelf = (a: number): void => {
    const s = start[a]!, e = end[a]!;
    for (let p = s; p < e; p++) {
      if (!core[p]) continue;
      const po = p * d;
      for (let t = p + 1; t < e; t++) {
        if (!core[t] || find(t) === find(p)) continue;
        const to = t * d;
        let s2 = 0;
        for (let j = 0; j < d; j++) {
          const v = pts[po + j]! - pts[to + j]!;
          s2 += v * v;
        }
        if (s2 <= eps2) union(p, t);
      }
    }
  };
  const leafPair = (a: number, b: number): void => {
    const as = start[a]!, ae = end[a]!, bs = start[b]!, be = end[b]!;
    const bConnected = connected[b] === 1;
    let merged = false;
    for (let p = as; p < ae; p++) {
      if (!core[p]) continue;
      let rp = find(p);
      // p already in b's one component: every edge from p into b is redundant.
      if (bConnected && find(rep[b]!) === rp) continue;
      const po = p * d;
      if (minDist2(tree, b, pts, po) > eps2) continue;
      for (let t = bs; t < be; t++) {
        if (!core[t] || find(t) === rp) continue;
        const to = t * d;
        let s2 = 0;
        for (let j = 0; j < d; j++) {
          const v = pts[po + j]! - pts[to + j]!;
          s2 += v * v;
        }
        if (s2 <= eps2) {
          union(p, t);
          rp = find(p);
          merged = true;
          if (bConnected) break;
        }
      }
    }
    if (merged) {
      refresh(a);
      refresh(b);
    }
  };
  // All ε-edges between the core points of a and of b (disjoint subtrees).
  const cross = (a: number, b: number): void => {
    const ra = rep[a]!, rb = rep[b]!;
    if (ra < 0 || rb < 0 || boxMinDist2(tree, a, b) > eps2) return;
    const ca = connected[a] === 1 || refresh(a);
    const cb = connected[b] === 1 || refresh(b);
    if (ca && cb && find(ra) === find(rb)) return;
    if (boxMaxDist2(tree, a, b) <= eps2) {
      // Every core point of one box is within ε of every core point of the other.
      if (ca) union(ra, rb);
      else unionAll(a, rb);
      if (!cb) unionAll(b, ra);
      return;
    }
    const la = left[a]!, lb = left[b]!;
    if (la < 0 && lb < 0) {
      // The rows of a leaf that is one component go inside: the loop over them stops at the
      // first edge, and the outer rows already in that component are skipped whole.
      if (ca && !cb) leafPair(b, a);
      else leafPair(a, b);
      return;
    }
    // Split the larger side (a leaf cannot be split).
    if (lb < 0 || (la >= 0 && end[a]! - start[a]! >= end[b]! - start[b]!)) {
      cross(la, b);
      cross(right[a]!, b);
    } else {
      cross(a, lb);
      cross(a, right[b]!);
    }
  };
  const join = (node: number): void => {
    if (rep[node]! < 0) return;
    cross(left[node]!, right[node]!);
    refresh(node);
  };
  const connect = (node: number): void => {
    const r = rep[node]!;
    if (r < 0) return;
    if (diag2(tree, node) <= eps2) {
      // Every core point under the node is within ε of every other.
      unionAll(node, r);
      return;
    }
    const l = left[node]!;
    if (l < 0) {
      leafSelf(node);
      refresh(node);
      return;
    }
    connect(l);
    connect(right[node]!);
    join(node);
  };
  return { connect, join };
}
