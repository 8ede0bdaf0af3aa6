/**
 * DBSCAN before / after on the same rows, alternately in one process, so that both sides share
 * the machine's load (docs/benchmarks.md, "DBSCAN's components in parallel"):
 *
 *   git archive <commit> compute | tar -x -C /tmp/before     # the "before" side, once
 *   deno run -A bench/dbscan_compare.ts [--before /tmp/before] [--data X.f32] [--n 200000]
 *     [--eps 0.4] [--min-samples 5] [--reps 7]
 *
 * `--data` reads rows written by `compare_sklearn.py` (the automatic job's 200k rows are its
 * numpy draw, already z-scored); without it, `makeBlobs(n)`. Prints each side's median and
 * every run of the whole `dbscan` call on the CPU backend (workers started and warm), the median
 * CPU time of all threads, the first (cold) run, whether the labels are identical, the phases of this tree's passes on one thread, and `uptime`'s load.
 */
import { parseArgs } from "node:util";
import process from "node:process";
import { dbscan } from "../compute/dbscan.ts";
import { createCpuBackend } from "../compute/cpu/backend.ts";
import { buildKdTree } from "../compute/cpu/kdtree.ts";
import {
  borderFromLists,
  connectAbove,
  connectSubtrees,
  coreRoots,
  countCoreRange,
  DBSCAN_LEAF_SIZE,
  splitSubtrees,
  unionState,
} from "../compute/cpu/dbscan_graph.ts";
import type { ComputeBackend } from "../compute/backend.ts";
import type { Matrix } from "../compute/matrix.ts";
import { makeBlobs, readF32 } from "./data.ts";

const args = parseArgs({
  args: Deno.args,
  strict: true,
  options: {
    before: { type: "string" },
    data: { type: "string" },
    n: { type: "string", default: "200000" },
    eps: { type: "string", default: "0.4" },
    "min-samples": { type: "string", default: "5" },
    reps: { type: "string", default: "7" },
  },
}).values;

const x: Matrix = args.data ? await readF32(args.data, 6) : makeBlobs(Number(args.n)).x;
const eps = Number(args.eps);
const minSamples = Number(args["min-samples"]);
const reps = Number(args.reps);
const median = (a: number[]) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)]!;
const round = (v: number) => Math.round(v);

interface Side {
  name: string;
  backend: ComputeBackend;
  run: (b: ComputeBackend) => Promise<Int32Array>;
  times: number[];
  cpu: number[];
  first?: number;
  labels?: Int32Array;
}
const sides: Side[] = [];
if (args.before) {
  const dir = new URL(`file://${await Deno.realPath(args.before)}/`);
  const cpu = await import(new URL("compute/cpu/backend.ts", dir).href);
  const old = await import(new URL("compute/dbscan.ts", dir).href);
  sides.push({
    name: "before",
    backend: cpu.createCpuBackend(),
    run: async (b) => (await old.dbscan(x, { eps, minSamples }, b)).labels,
    times: [],
    cpu: [],
  });
}
sides.push({
  name: "after",
  backend: createCpuBackend(),
  run: async (b) => (await dbscan(x, { eps, minSamples }, b)).labels,
  times: [],
  cpu: [],
});

const loads: string[] = [await load()];
// The first run (fresh workers, nothing compiled yet) is what a job that runs DBSCAN once pays.
for (const s of sides) {
  const t0 = performance.now();
  s.labels = await s.run(s.backend);
  s.first = performance.now() - t0;
}
for (let r = 0; r < reps; r++) {
  for (const s of sides) {
    const c0 = cpuMs();
    const t0 = performance.now();
    await s.run(s.backend);
    s.times.push(performance.now() - t0);
    s.cpu.push(cpuMs() - c0);
  }
  if (r % 3 === 2) loads.push(await load());
}
loads.push(await load());
const identical = sides.every((s) => s.labels!.every((v, i) => v === sides[0]!.labels![i]));
for (const s of sides) await s.backend.dispose();

const result: Record<string, unknown> = { n: x.n, eps, minSamples, reps };
for (const s of sides) {
  result[s.name] = {
    median_ms: round(median(s.times)),
    runs_ms: s.times.map(round),
    median_cpu_ms: round(median(s.cpu)),
    first_ms: round(s.first!),
  };
}
result.identical_labels = identical;
result.phases_one_thread_ms = phases();
result.load = loads;
console.log(JSON.stringify(result, null, 1));

// This tree's passes, inline on this thread (what the workers split), median of 3.
function phases(): Record<string, number> {
  const runs: Record<string, number>[] = [];
  for (let r = 0; r < 3; r++) {
    const out: Record<string, number> = {};
    let t = performance.now();
    const lap = (name: string) => {
      const now = performance.now();
      out[name] = now - t;
      t = now;
    };
    const tree = buildKdTree(x.data, x.n, x.d, { leafSize: DBSCAN_LEAF_SIZE });
    lap("tree");
    const core = new Uint8Array(x.n);
    const lists = countCoreRange(tree, eps * eps, minSamples, core, 0, x.n, true)!;
    lap("core");
    const state = unionState(tree, core, false);
    const { subtrees, above } = splitSubtrees(tree, 2);
    connectSubtrees(tree, eps * eps, core, state, subtrees);
    lap("union_subtrees");
    connectAbove(tree, eps * eps, core, state, above);
    lap("union_above");
    const { root } = coreRoots(tree, core, state.parent, false);
    lap("roots");
    borderFromLists(core, root, lists);
    lap("border");
    runs.push(out);
  }
  return Object.fromEntries(
    Object.keys(runs[0]!).map((k) => [k, round(median(runs.map((o) => o[k]!)))]),
  );
}

// CPU time of the whole process, every thread (the workers' too), which the machine's load
// changes much less than the wall clock.
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

async function load(): Promise<string> {
  const text = await Deno.readTextFile("/proc/loadavg");
  return text.split(" ")[0]!;
}
