/**
 * Our side of bench/gpu/run.sh, on the rows `peers.py gen` wrote: KMeans on the GPU backend per
 * Lloyd iteration (n × 8 features, each k, the same starting centres as PyTorch and
 * scikit-learn), in the same process: iterations chained on the device (the default,
 * `per_iter_ms`), with the cluster sums read back every iteration (`lloydBatch: 0`,
 * `readback.per_iter_ms`) and, where k is small, chained with the reduction shader that `auto`
 * did not take (`chained_rows_reduce` / `chained_entries_reduce`), each the median of
 * `--repeats` fits, alternating; with parity against
 * the CPU backend where `--parity-max-n` allows (adjusted Rand
 * index of the labels, relative difference of the inertia, iterations); DBSCAN on the GPU (eps
 * 0.4, min_samples 5, 6 features) with the CPU's labels beside it; and document 000's automatic
 * job (`purchasingSegmentation`: preprocessing, KMeans, GMM and Ward for k = 2..10 and DBSCAN,
 * scoring, selection, profiles) on generated customers. One JSON line per measurement, on stdout
 * and appended to `<dir>/ours.jsonl`.
 *
 *   deno run -A bench/gpu/gpu_bench.ts --dir D [--sizes 1000000,10000000] [--ks 8,64]
 *     [--iters 20] [--repeats 3] [--parity-max-n 1000000] [--dbscan-n 200000]
 *     [--auto-n 1000000] [--only kmeans,dbscan,auto]
 */
import { parseArgs } from "node:util";
import { adjustedRandIndex } from "../../compute/ari.ts";
import type { ComputeBackend } from "../../compute/backend.ts";
import { createCpuBackend } from "../../compute/cpu/backend.ts";
import { dbscan } from "../../compute/dbscan.ts";
import { kmeans, type KMeansResult } from "../../compute/kmeans.ts";
import { type Matrix, matrix } from "../../compute/matrix.ts";
import { createRandom } from "../../compute/random.ts";
import { selectBackend } from "../../compute/select.ts";
import {
  PURCHASING_FEATURES,
  type PurchasingColumns,
  purchasingSegmentation,
} from "../../domain/segmentation/purchasing.ts";
import { readF32 } from "../data.ts";

const args = parseArgs({
  args: Deno.args,
  options: {
    dir: { type: "string" },
    sizes: { type: "string", default: "1000000,10000000" },
    ks: { type: "string", default: "8,64" },
    iters: { type: "string", default: "20" },
    repeats: { type: "string", default: "3" },
    "parity-max-n": { type: "string", default: "1000000" },
    "dbscan-n": { type: "string", default: "200000" },
    "auto-n": { type: "string", default: "1000000" },
    only: { type: "string", default: "kmeans,dbscan,auto" },
  },
}).values;
const dir = args.dir!;
const ints = (text: string) => text.split(",").filter(Boolean).map(Number);
const only = new Set(args.only!.split(","));
const iters = Number(args.iters);
const repeats = Math.max(1, Number(args.repeats));
const parityMaxN = Number(args["parity-max-n"]);

const logs: string[] = [];
const gpu = await selectBackend("gpu", { log: (line) => logs.push(line) });
// The same device path with chaining off (what every fit did before it), and chained fits with
// each reduction shader forced, to time the one `auto` did not take.
const gpuWith = (options: Record<string, unknown>) =>
  only.has("kmeans")
    ? selectBackend("gpu", { log: (line) => logs.push(line), gpu: options })
    : Promise.resolve(undefined);
const readback = await gpuWith({ lloydBatch: 0 });
const forced = {
  rows: await gpuWith({ lloydReduce: "rows" }),
  entries: await gpuWith({ lloydReduce: "entries" }),
};
const cpu = createCpuBackend();
const device = { adapter: gpu.info.description, software: gpu.info.fallbackAdapter ?? false };

if (only.has("kmeans")) {
  for (const n of ints(args.sizes!)) {
    const x = await readF32(`${dir}/kmeans_${n}.x.f32`, 8);
    for (const k of ints(args.ks!)) {
      const init = (await readF32(`${dir}/kmeans_${n}_k${k}.init.f32`, 8)).data;
      await step(`kmeans n=${n} k=${k}`, async () => {
        const options = { k, init, maxIter: iters, tol: 0 };
        // compute/gpu/lloyd.ts's `auto` rule; the other shader is timed only where it would keep
        // its accumulators in registers (it spills past 32 vec4s).
        const small = k * 3 <= 32;
        const auto = !device.software && small ? "rows" : "entries";
        const other = auto === "rows" ? "entries" : "rows";
        const variants: Array<[string, ComputeBackend]> = [["chained", gpu], [
          "readback",
          readback!,
        ]];
        if (small) variants.push([`chained_${other}`, forced[other]!]);
        const times = new Map<string, number[]>(variants.map(([name]) => [name, []]));
        const results = new Map<string, KMeansResult>();
        // Warm-up: pipelines compiled, the rows uploaded once in the timed fit like the first.
        for (const [, backend] of variants) await kmeans(x, { ...options, maxIter: 2 }, backend);
        const t0 = performance.now();
        // Alternating, so that a slow moment of a shared machine falls on every variant.
        for (let r = 0; r < repeats; r++) {
          for (const [name, backend] of variants) {
            const res = await kmeans(x, options, backend);
            times.get(name)!.push(res.timings.fit / res.nIter);
            results.set(name, res);
          }
        }
        const wall = performance.now() - t0;
        const res = results.get("chained")!;
        const versus = (name: string) => {
          const v = results.get(name)!;
          return {
            backend: v.backend,
            iters: v.nIter,
            per_iter_ms: median(times.get(name)!),
            per_iter_ms_runs: times.get(name)!,
            ari_vs_chained: adjustedRandIndex(v.labels, res.labels),
            inertia_rel_diff: Math.abs(v.inertia - res.inertia) / res.inertia,
          };
        };
        const record: Record<string, unknown> = {
          task: "kmeans",
          n,
          k,
          d: 8,
          backend: res.backend,
          reduce: auto,
          iters: res.nIter,
          per_iter_ms: median(times.get("chained")!),
          per_iter_ms_runs: times.get("chained")!,
          fit_ms: res.timings.fit,
          wall_ms: wall,
          inertia: res.inertia,
          readback: versus("readback"),
        };
        if (small) record[`chained_${other}_reduce`] = versus(`chained_${other}`);
        if (n <= parityMaxN) {
          const ref = await kmeans(x, { k, init, maxIter: iters, tol: 0 }, cpu);
          record.parity = {
            ari: adjustedRandIndex(res.labels, ref.labels),
            inertia_rel_diff: Math.abs(res.inertia - ref.inertia) / ref.inertia,
            cpu_iters: ref.nIter,
            cpu_per_iter_ms: ref.timings.fit / ref.nIter,
          };
        }
        return record;
      });
    }
  }
}

if (only.has("dbscan")) {
  const n = Number(args["dbscan-n"]);
  const x = await readF32(`${dir}/dbscan_${n}.x.f32`, 6);
  await step(`dbscan n=${n}`, async () => {
    const options = { eps: 0.4, minSamples: 5 };
    await dbscan(head(x, Math.min(n, 10_000)), options, gpu); // warm-up: pipelines
    const res = await dbscan(x, options, gpu);
    const ref = await dbscan(x, options, cpu);
    return {
      task: "dbscan",
      n,
      d: 6,
      backend: res.backend,
      fit_ms: res.timings.fit,
      n_clusters: res.nClusters,
      noise_share: res.nNoise / n,
      parity: {
        ari: adjustedRandIndex(res.labels, ref.labels),
        identical_labels: res.labels.every((l, i) => l === ref.labels[i]),
        cpu_fit_ms: ref.timings.fit,
      },
    };
  });
}

if (only.has("auto")) {
  const n = Number(args["auto-n"]);
  const data = purchasingCustomers(n);
  await step(`document 000's automatic job n=${n}`, async () => {
    const t0 = performance.now();
    const res = await purchasingSegmentation({ data }, gpu, "en");
    return {
      task: "auto",
      n,
      backend: res.backend,
      wall_ms: performance.now() - t0,
      best: res.best_algorithm,
      n_clusters: res.clusters.length,
      candidates: res.evaluation_metrics.length,
    };
  });
}

await emit({ task: "meta", device, fallback_log: logs });
await gpu.dispose();
await readback?.dispose();
await forced.rows?.dispose();
await forced.entries?.dispose();
await cpu.dispose();

/** Runs one measurement; a failure is recorded, not thrown, so the next one still runs. */
async function step(name: string, fn: () => Promise<Record<string, unknown>>): Promise<void> {
  // A step cut off by run.sh's time limit is then visible in the report.
  await emit({ name, status: "started" });
  try {
    await emit({ name, status: "done", ...await fn(), device: device.adapter });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await emit({ name, status: "failed", error: message });
  }
}

async function emit(record: Record<string, unknown>): Promise<void> {
  const line = JSON.stringify({ side: "ours", ...record });
  console.log(line);
  await Deno.writeTextFile(`${dir}/ours.jsonl`, line + "\n", { append: true });
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function head(x: Matrix, rows: number): Matrix {
  return matrix(x.data.subarray(0, rows * x.d), rows, x.d);
}

/** Document 000's customers as columns: four behaviours, six features in their units. */
function purchasingCustomers(n: number): PurchasingColumns {
  const rng = createRandom(20240603);
  const features = Object.fromEntries(
    PURCHASING_FEATURES.map((f) => [f, new Array<number>(n)]),
  ) as Record<(typeof PURCHASING_FEATURES)[number], number[]>;
  const ids = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const g = i % 4;
    ids[i] = `C${i}`;
    features.purchase_total[i] = Math.round(Math.exp(5 + g + rng.nextNormal() * 0.5) * 100) / 100;
    features.visit_frequency[i] = 1 + g * 3 + rng.nextInt(4);
    features.avg_ticket[i] = 20 + g * 15 + Math.round(rng.nextFloat() * 1000) / 100;
    features.product_diversity[i] = 1 + g + rng.nextInt(3);
    features.loyalty_score[i] = Math.min(1, 0.2 * g + Math.round(rng.nextFloat() * 30) / 100);
    features.recency_days[i] = rng.nextInt(365 - g * 80);
  }
  return { length: n, customer_ids: ids, features };
}
