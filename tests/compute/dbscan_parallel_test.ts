/**
 * DBSCAN's union phase and border pass split between workers (`cpu/dbscan_parallel.ts`) give the
 * one-thread result, which is scikit-learn's (the brute-force transcription), on random data of
 * several shapes: blobs with noise, exact ties at ε on a grid, clumps of identical rows (leaves
 * larger than the leaf size), long chains crossing many subtrees, all noise, one dense blob.
 */
import assert from "node:assert/strict";
import { dbscan } from "../../compute/dbscan.ts";
import { createCpuBackend } from "../../compute/cpu/backend.ts";
import { buildKdTree } from "../../compute/cpu/kdtree.ts";
import { WorkerPool } from "../../compute/cpu/pool.ts";
import { parallelComponentRoots } from "../../compute/cpu/dbscan_parallel.ts";
import { componentRoots, countCoreRange, splitSubtrees } from "../../compute/cpu/dbscan_graph.ts";
import { matrix } from "../../compute/matrix.ts";
import { createRandom, type Random } from "../../compute/random.ts";
import { bruteForceDbscan } from "./_dbscan_reference.ts";

interface Shape {
  name: string;
  d: number;
  eps: number;
  make(rng: Random, n: number, d: number): Float32Array;
}

const SHAPES: Shape[] = [
  {
    name: "blobs with noise",
    d: 3,
    eps: 0.3,
    make(rng, n, d) {
      const centres = Array.from({ length: 5 * d }, () => rng.nextFloat() * 8 - 4);
      const out = new Float32Array(n * d);
      for (let i = 0; i < n; i++) {
        const b = i % 6;
        for (let j = 0; j < d; j++) {
          out[i * d + j] = b === 5
            ? rng.nextFloat() * 10 - 5
            : centres[b * d + j]! + rng.nextNormal() * (0.2 + 0.2 * b);
        }
      }
      return out;
    },
  },
  {
    name: "six features like the job",
    d: 6,
    eps: 0.6,
    make(rng, n, d) {
      const out = new Float32Array(n * d);
      for (let i = 0; i < n; i++) {
        const shift = i % 3 === 0 ? 3 : 0;
        for (let j = 0; j < d; j++) out[i * d + j] = rng.nextNormal() * (1 + (i % 4) / 4) + shift;
      }
      return out;
    },
  },
  {
    name: "integer grid (ties at exactly eps)",
    d: 2,
    eps: 1,
    make(rng, n, d) {
      const out = new Float32Array(n * d);
      for (let i = 0; i < n * d; i++) out[i] = Math.floor(rng.nextFloat() * 12);
      return out;
    },
  },
  {
    name: "clumps of identical rows",
    d: 2,
    eps: 0.5,
    make(rng, n, d) {
      const out = new Float32Array(n * d);
      const clumps = Array.from({ length: 7 * d }, () => Math.round(rng.nextFloat() * 6));
      for (let i = 0; i < n; i++) {
        const c = Math.floor(rng.nextFloat() * 7);
        for (let j = 0; j < d; j++) out[i * d + j] = clumps[c * d + j]!;
      }
      return out;
    },
  },
  {
    name: "chains",
    d: 3,
    eps: 0.25,
    make(rng, n, d) {
      const out = new Float32Array(n * d);
      for (let i = 0; i < n; i++) {
        const t = rng.nextFloat() * 20;
        const k = i % 3;
        out[i * d] = t;
        out[i * d + 1] = Math.sin(t + k) * 2 + k * 3 + rng.nextNormal() * 0.03;
        out[i * d + 2] = rng.nextNormal() * 0.03;
      }
      return out;
    },
  },
  {
    name: "sparse noise",
    d: 4,
    eps: 0.2,
    make(rng, n, d) {
      return Float32Array.from({ length: n * d }, () => rng.nextFloat() * 10);
    },
  },
  {
    name: "one dense blob",
    d: 2,
    eps: 0.5,
    make(rng, n, d) {
      return Float32Array.from({ length: n * d }, () => rng.nextNormal() * 0.3);
    },
  },
];

// 40 is above NEIGHBOUR_LISTS_MAX_MIN_SAMPLES: the border rows are then searched in the tree.
const MIN_SAMPLES = [1, 2, 5, 40];

Deno.test("dbscan on 2 and 3 workers gives the one-thread labels and scikit-learn's on random shapes", async () => {
  const inline = createCpuBackend({ threads: 1 });
  const two = createCpuBackend({ threads: 2, parallelThreshold: 0 });
  const three = createCpuBackend({ threads: 3, parallelThreshold: 0 });
  try {
    const rng = createRandom(14);
    for (const shape of SHAPES) {
      for (const n of [1, 2, 37, 600, 1600]) {
        const data = shape.make(rng, n, shape.d);
        const x = matrix(data, n, shape.d);
        for (const minSamples of MIN_SAMPLES) {
          if (n < 600 && minSamples === 40) continue;
          const what = `${shape.name}, n=${n}, min_samples=${minSamples}`;
          const ref = bruteForceDbscan(data, n, shape.d, shape.eps, minSamples);
          for (const b of [inline, two, three]) {
            const res = await dbscan(x, { eps: shape.eps, minSamples }, b);
            assert.deepEqual(res.core, ref.core, `core flags, ${what}`);
            assert.deepEqual(res.labels, ref.labels, `labels, ${what}`);
          }
        }
      }
    }
  } finally {
    await inline.dispose();
    await two.dispose();
    await three.dispose();
  }
});

Deno.test("dbscan's parallel roots equal the one-thread roots on deep trees (leaves of 2 to 16)", async () => {
  const pools = [new WorkerPool(2), new WorkerPool(3)];
  try {
    const rng = createRandom(21);
    for (const shape of SHAPES) {
      const n = 900;
      const data = shape.make(rng, n, shape.d);
      for (const leafSize of [2, 5, 16]) {
        for (const minSamples of [3, 40]) {
          const eps2 = shape.eps * shape.eps;
          const tree = buildKdTree(data, n, shape.d, { leafSize });
          const core = new Uint8Array(n);
          countCoreRange(tree, eps2, minSamples, core, 0, n);
          const expected = componentRoots(tree, eps2, core);
          for (const pool of pools) {
            const shared = buildKdTree(data, n, shape.d, { leafSize, shared: true });
            const sharedCore = new Uint8Array(new SharedArrayBuffer(n));
            const roots = await parallelComponentRoots(pool, shared, eps2, minSamples, sharedCore);
            const what = `${shape.name}, leaves of ${leafSize}, min_samples=${minSamples}`;
            assert.deepEqual(sharedCore, core, `core flags, ${what}, ${pool.size} workers`);
            assert.deepEqual(roots, expected, `roots, ${what}, ${pool.size} workers`);
          }
        }
      }
    }
  } finally {
    for (const pool of pools) pool.terminate();
  }
});

Deno.test("dbscan's core test keeps exactly the eps-neighbours of every non-core row", () => {
  const rng = createRandom(3);
  const n = 1500, d = 3, eps = 0.35, minSamples = 6;
  const data = SHAPES[0]!.make(rng, n, d);
  const tree = buildKdTree(data, n, d, { leafSize: 8 });
  const core = new Uint8Array(n);
  const half = n >> 1;
  const parts = [
    countCoreRange(tree, eps * eps, minSamples, core, 0, half, true)!,
    countCoreRange(tree, eps * eps, minSamples, core, half, n, true)!,
  ];
  const { pts } = tree;
  let nonCore = 0;
  for (const part of parts) {
    for (let i = 0; i + 1 < part.offsets.length; i++) {
      const q = part.start + i;
      const kept = Array.from(part.items.subarray(part.offsets[i]!, part.offsets[i + 1]!));
      if (core[q]) {
        assert.equal(kept.length, 0, `a core row keeps no list (position ${q})`);
        continue;
      }
      nonCore++;
      const within: number[] = [];
      for (let t = 0; t < n; t++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += (pts[q * d + j]! - pts[t * d + j]!) ** 2;
        if (s <= eps * eps) within.push(t);
      }
      assert.deepEqual(kept.sort((a, b) => a - b), within, `neighbours of position ${q}`);
      assert.ok(within.length < minSamples);
    }
  }
  assert.ok(nonCore > 50, `enough non-core rows to mean something (${nonCore})`);
  // The lists and the tree search agree on the border rows.
  const withLists = componentRoots(tree, eps * eps, core, {
    start: 0,
    offsets: concatOffsets(parts.map((p) => p.offsets)),
    items: Int32Array.from(parts.flatMap((p) => Array.from(p.items))),
  });
  assert.deepEqual(withLists, componentRoots(tree, eps * eps, core));
});

Deno.test("dbscan's subtrees for the workers cover every tree position once", () => {
  const rng = createRandom(8);
  for (const [n, leafSize] of [[1, 16], [40, 16], [5000, 16], [5000, 4]] as const) {
    const data = Float32Array.from({ length: n * 2 }, () => rng.nextNormal());
    const tree = buildKdTree(data, n, 2, { leafSize });
    for (const workers of [1, 2, 3, 8]) {
      const { subtrees, above } = splitSubtrees(tree, workers);
      const seen = new Uint8Array(n);
      for (const s of subtrees) for (let t = tree.start[s]!; t < tree.end[s]!; t++) seen[t]!++;
      assert.ok(seen.every((v) => v === 1), `n=${n} leafSize=${leafSize} workers=${workers}`);
      // Every node above is internal and its children are either above or subtrees.
      const known = new Set([...subtrees, ...above]);
      for (const a of above) {
        assert.ok(tree.left[a]! >= 0);
        assert.ok(known.has(tree.left[a]!) && known.has(tree.right[a]!));
      }
      if (n > 4 * workers * leafSize) assert.ok(subtrees.length >= 4 * workers);
    }
  }
});

// The offsets of consecutive ranges as one list over all of them.
function concatOffsets(parts: Int32Array[]): Int32Array {
  const out: number[] = [0];
  let base = 0;
  for (const p of parts) {
    for (let i = 1; i < p.length; i++) out.push(base + p[i]!);
    base += p[p.length - 1]!;
  }
  return Int32Array.from(out);
}
