/**
 * A k-d tree over the rows of a matrix, stored as flat typed arrays (so that it can be shared
 * with workers without copying when built on SharedArrayBuffers). Rows are copied in tree
 * order into `pts`; `perm[t]` is the original row of tree position t. Nodes hold their row
 * range, bounding box and split; children are −1 in leaves.
 */
export interface KdTree {
  readonly n: number;
  readonly d: number;
  readonly pts: Float32Array;
  readonly perm: Int32Array;
  readonly nodeCount: number;
  readonly start: Int32Array;
  readonly end: Int32Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly splitDim: Int32Array;
  readonly splitVal: Float32Array;
  /** Bounding boxes, nodeCount × d each. */
  readonly lo: Float32Array;
  readonly hi: Float32Array;
}

/** Options of `buildKdTree`. */
export interface KdTreeOptions {
  /** Rows per leaf at most (default 16). */
  leafSize?: number;
  /** Allocate on SharedArrayBuffer so that workers can read the tree in place. */
  shared?: boolean;
}

/**
 * Builds a balanced k-d tree (median split on the widest dimension) in O(n log n).
 *
 * @param x row-major n × d values.
 */
export function buildKdTree(x: Float32Array, n: number, d: number, options: KdTreeOptions = {}) {
  const leafSize = Math.max(1, options.leafSize ?? 16);
  const alloc = <T>(C: new (b: ArrayBufferLike) => T, len: number, bytes: number): T =>
    new C(options.shared ? new SharedArrayBuffer(len * bytes) : new ArrayBuffer(len * bytes));
  const maxNodes = 2 * Math.ceil(n / leafSize) * 2 + 1;
  const perm = alloc(Int32Array, n, 4);
  for (let i = 0; i < n; i++) perm[i] = i;
  // Rows are moved along with `perm` as they are partitioned, so that every scan below reads
  // them in order instead of through `perm` (about twice as fast at 200k rows).
  const pts = alloc(Float32Array, n * d, 4);
  pts.set(x.subarray(0, n * d));
  const start = alloc(Int32Array, maxNodes, 4);
  const end = alloc(Int32Array, maxNodes, 4);
  const left = alloc(Int32Array, maxNodes, 4);
  const right = alloc(Int32Array, maxNodes, 4);
  const splitDim = alloc(Int32Array, maxNodes, 4);
  const splitVal = alloc(Float32Array, maxNodes, 4);
  const lo = alloc(Float32Array, maxNodes * d, 4);
  const hi = alloc(Float32Array, maxNodes * d, 4);

  // Preorder numbering (node ids are given when a range is taken off the stack), so that a
  // subtree is a contiguous id range.
  let nodeCount = 0;
  const stack: Array<[number, number, number, boolean]> = [[0, n, -1, false]];
  while (stack.length > 0) {
    const [s, e, parent, isRight] = stack.pop()!;
    const id = nodeCount++;
    if (parent >= 0) (isRight ? right : left)[parent] = id;
    start[id] = s;
    end[id] = e;
    left[id] = -1;
    right[id] = -1;
    const bo = id * d;
    boundingBox(pts, d, s, e, lo, hi, bo);
    if (e - s <= leafSize) continue;
    let dim = 0;
    let width = -1;
    for (let j = 0; j < d; j++) {
      const w = hi[bo + j]! - lo[bo + j]!;
      if (w > width) {
        width = w;
        dim = j;
      }
    }
    if (width <= 0) continue; // all rows identical: keep as one (large) leaf
    const mid = (s + e) >>> 1;
    select(perm, pts, d, dim, s, e - 1, mid);
    splitDim[id] = dim;
    splitVal[id] = pts[mid * d + dim]!;
    stack.push([mid, e, id, true], [s, mid, id, false]);
  }

  return {
    n,
    d,
    pts,
    perm,
    nodeCount,
    start,
    end,
    left,
    right,
    splitDim,
    splitVal,
    lo,
    hi,
  } satisfies KdTree;
}

/** Squared distance from `q` (at `qo` in `qs`) to the nearest point of node `node`'s box. */
export function minDist2(tree: KdTree, node: number, qs: Float32Array, qo: number): number {
  const { d, lo, hi } = tree;
  const bo = node * d;
  let s = 0;
  for (let j = 0; j < d; j++) {
    const v = qs[qo + j]!;
    const a = lo[bo + j]! - v;
    const b = v - hi[bo + j]!;
    const t = a > 0 ? a : b > 0 ? b : 0;
    s += t * t;
  }
  return s;
}

/** Squared distance from `q` to the farthest corner of node `node`'s box. */
export function maxDist2(tree: KdTree, node: number, qs: Float32Array, qo: number): number {
  const { d, lo, hi } = tree;
  const bo = node * d;
  let s = 0;
  for (let j = 0; j < d; j++) {
    const v = qs[qo + j]!;
    const a = v - lo[bo + j]!;
    const b = hi[bo + j]! - v;
    const t = a > b ? a : b;
    s += t * t;
  }
  return s;
}

/** Squared distance between the nearest points of the boxes of nodes `a` and `b`. */
export function boxMinDist2(tree: KdTree, a: number, b: number): number {
  const { d, lo, hi } = tree;
  const ao = a * d, bo = b * d;
  let s = 0;
  for (let j = 0; j < d; j++) {
    const u = lo[ao + j]! - hi[bo + j]!;
    const v = lo[bo + j]! - hi[ao + j]!;
    const t = u > 0 ? u : v > 0 ? v : 0;
    s += t * t;
  }
  return s;
}

/** Squared distance between the farthest points of the boxes of nodes `a` and `b`. */
export function boxMaxDist2(tree: KdTree, a: number, b: number): number {
  const { d, lo, hi } = tree;
  const ao = a * d, bo = b * d;
  let s = 0;
  for (let j = 0; j < d; j++) {
    const u = hi[ao + j]! - lo[bo + j]!;
    const v = hi[bo + j]! - lo[ao + j]!;
    const t = u > v ? u : v;
    s += t * t;
  }
  return s;
}

/** Squared diagonal of node `node`'s box. */
export function diag2(tree: KdTree, node: number): number {
  const { d, lo, hi } = tree;
  let s = 0;
  for (let j = node * d, e = j + d; j < e; j++) {
    const t = hi[j]! - lo[j]!;
    s += t * t;
  }
  return s;
}

// The box of rows [s, e) into lo/hi at bo, one feature at a time with its extremes in locals.
// A function of its own rather than a loop inside buildKdTree: V8 compiled that inner loop alone
// (on-stack replacement) and left the compiled code at the end of every node, once per node.
function boundingBox(
  pts: Float32Array,
  d: number,
  s: number,
  e: number,
  lo: Float32Array,
  hi: Float32Array,
  bo: number,
): void {
  for (let j = 0; j < d; j++) {
    let mn = Infinity;
    let mx = -Infinity;
    for (let o = s * d + j, oe = e * d; o < oe; o += d) {
      const v = pts[o]!;
      if (v < mn) mn = v;
      if (v > mx) mx = v;
    }
    lo[bo + j] = mn;
    hi[bo + j] = mx;
  }
}

// Quickselect (Hoare partition) of rows s..e of `pts` (and `perm` alike) by coordinate `dim`,
// placing the k-th in order.
function select(
  perm: Int32Array,
  pts: Float32Array,
  d: number,
  dim: number,
  s: number,
  e: number,
  k: number,
): void {
  while (e > s) {
    const pivot = pts[((s + e) >>> 1) * d + dim]!;
    let i = s;
    let j = e;
    while (i <= j) {
      while (pts[i * d + dim]! < pivot) i++;
      while (pts[j * d + dim]! > pivot) j--;
      if (i <= j) {
        const t = perm[i]!;
        perm[i] = perm[j]!;
        perm[j] = t;
        for (let a = i * d, b = j * d, end = a + d; a < end; a++, b++) {
          const v = pts[a]!;
          pts[a] = pts[b]!;
          pts[b] = v;
        }
        i++;
        j--;
      }
    }
    if (k <= j) e = j;
    else if (k >= i) s = i;
    else return;
  }
}
