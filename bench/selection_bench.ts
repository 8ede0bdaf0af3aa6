/**
 * Automatic selection measured against a known truth (issue 12): draws generated customer bases
 * (`customer_bases.ts`) and, for each, runs the automatic choice of document 000
 * (`purchasingSegmentation`, the six purchasing features), document 002 (`analyze`, the records)
 * and the workflow (`clusterWorkflow` on the dataset's typed columns), beside scikit-learn's
 * silhouette-best KMeans on z-scores (k = 2..10) and an oracle (our KMeans with the true k on the
 * informative fields, money log1p-scaled, z-scored). Prints, per method, the ARI against the
 * truth (mean, min, quartiles) and the share of bases whose number of segments is within ±1 of
 * the true group count.
 *
 * ARI is computed on the grouped customers only (the generated noise customers have no true
 * group); a method's DBSCAN noise (−1) counts as one more label.
 *
 *   deno run -A bench/selection_bench.ts [--bases 30] [--rows 3000] [--seed 1200] [--no-sklearn]
 *     [--generator personas|blobs|separated]
 *
 * scikit-learn: the first of `python3`, `/usr/bin/python3` that imports it (else
 * `apt-get install -y python3-sklearn`); its row is left out when it is missing.
 */
import { parseArgs } from "node:util";
import { adjustedRandIndex } from "../compute/ari.ts";
import { createCpuBackend } from "../compute/cpu/backend.ts";
import { kmeans } from "../compute/kmeans.ts";
import { matrix } from "../compute/matrix.ts";
import { toPlainTable } from "../domain/datasets/plain_table.ts";
import { datasetFromRecords } from "../domain/datasets/records.ts";
import { analyze } from "../domain/segmentation/analyze.ts";
import { purchasingSegmentation } from "../domain/segmentation/purchasing.ts";
import { clusterWorkflow } from "../domain/segmentation/workflow_run.ts";
import {
  type CustomerBase,
  INFORMATIVE_FIELDS,
  MONEY_FIELDS,
  NUMERIC_FIELDS,
} from "./customer_bases.ts";
import { drawBase } from "./generators.ts";

/** One method's outcome on one base. */
export interface Outcome {
  ari: number;
  k: number;
  seconds: number;
}

export const METHODS = ["doc000", "doc002", "workflow", "sklearn", "oracle"] as const;
export type Method = (typeof METHODS)[number];

/** ARI on the grouped customers only. */
export function groupedAri(truth: Int32Array, labels: ArrayLike<number>): number {
  const t: number[] = [];
  const p: number[] = [];
  for (let i = 0; i < truth.length; i++) {
    if (truth[i]! >= 0) {
      t.push(truth[i]!);
      p.push(labels[i]!);
    }
  }
  return adjustedRandIndex(t, p);
}

/** Our KMeans with the true k on the informative fields (money log1p), z-scored. */
export async function oracleLabels(
  base: CustomerBase,
  backend: ReturnType<typeof createCpuBackend>,
): Promise<Int32Array> {
  const n = base.records.length;
  const d = INFORMATIVE_FIELDS.length;
  const data = new Float32Array(n * d);
  INFORMATIVE_FIELDS.forEach((f, j) => {
    const money = (MONEY_FIELDS as readonly string[]).includes(f);
    const col = base.records.map((r) => money ? Math.log1p(r[f]) : r[f]);
    const mean = col.reduce((s, v) => s + v, 0) / n;
    const sd = Math.sqrt(col.reduce((s, v) => s + (v - mean) ** 2, 0) / n) || 1;
    col.forEach((v, i) => data[i * d + j] = (v - mean) / sd);
  });
  const fit = await kmeans(matrix(data, n, d), { k: base.groups, nInit: 10 }, backend);
  return Int32Array.from(fit.labels);
}

const SKLEARN_SCRIPT = `
import json, sys
import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import StandardScaler
out = []
for base in json.load(open(sys.argv[1])):
    x = StandardScaler().fit_transform(np.array(base, dtype=float))
    best = None
    for k in range(2, 11):
        labels = KMeans(n_clusters=k, n_init=10, random_state=0).fit_predict(x)
        s = silhouette_score(x, labels)
        if best is None or s > best[0]:
            best = (s, k, labels)
    out.append({"k": best[1], "labels": best[2].tolist()})
json.dump(out, open(sys.argv[2], "w"))
`;

/**
 * scikit-learn's silhouette-best KMeans (k = 2..10, n_init 10) on the z-scored numeric fields of
 * every base, in one Python process; null when scikit-learn is missing.
 */
export async function sklearnChoices(
  bases: readonly CustomerBase[],
): Promise<{ k: number; labels: number[] }[] | null> {
  let python: string | undefined;
  for (const candidate of ["python3", "/usr/bin/python3"]) {
    const probe = await new Deno.Command(candidate, { args: ["-c", "import sklearn"] }).output()
      .catch(() => null);
    if (probe?.success) {
      python = candidate;
      break;
    }
  }
  if (!python) return null;
  const dir = await Deno.makeTempDir({ prefix: "selection_bench" });
  try {
    const input = `${dir}/rows.json`;
    const output = `${dir}/out.json`;
    await Deno.writeTextFile(
      input,
      JSON.stringify(bases.map((b) => b.records.map((r) => NUMERIC_FIELDS.map((f) => r[f])))),
    );
    const run = await new Deno.Command(python, {
      args: ["-c", SKLEARN_SCRIPT, input, output],
      env: { OMP_NUM_THREADS: "2" },
    }).output();
    if (!run.success) throw new Error(new TextDecoder().decode(run.stderr));
    return JSON.parse(await Deno.readTextFile(output));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function quantile(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Mean, min, quartiles of ARI and the share within ±1 of the true count. */
export function summarise(outcomes: Outcome[], trueK: number[]) {
  const aris = outcomes.map((o) => o.ari).sort((a, b) => a - b);
  const within = outcomes.filter((o, i) => Math.abs(o.k - trueK[i]!) <= 1).length;
  return {
    mean: aris.reduce((s, v) => s + v, 0) / aris.length,
    min: aris[0]!,
    q1: quantile(aris, 0.25),
    median: quantile(aris, 0.5),
    q3: quantile(aris, 0.75),
    within1: within / outcomes.length,
    below055: aris.filter((a) => a < 0.55).length,
    seconds: outcomes.reduce((s, o) => s + o.seconds, 0) / outcomes.length,
  };
}

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const r = await f();
  return [r, (performance.now() - t0) / 1000];
}

if (import.meta.main) {
  const { values: args } = parseArgs({
    args: Deno.args,
    options: {
      bases: { type: "string", default: "30" },
      rows: { type: "string", default: "3000" },
      seed: { type: "string", default: "1200" },
      "no-sklearn": { type: "boolean", default: false },
      verbose: { type: "boolean", default: false },
      generator: { type: "string", default: "personas" },
    },
  });
  const nBases = Number(args.bases);
  const rows = Number(args.rows);
  const seed0 = Number(args.seed);
  const bases = Array.from(
    { length: nBases },
    (_, b) => drawBase(args.generator!, seed0 + b, rows),
  );
  const backend = createCpuBackend();
  const results: Record<Method, Outcome[]> = {
    doc000: [],
    doc002: [],
    workflow: [],
    sklearn: [],
    oracle: [],
  };
  const t0 = performance.now();
  try {
    for (const base of bases) {
      const truth = base.labels;
      const [d0, s0] = await timed(() =>
        purchasingSegmentation({ data: base.purchasing() }, backend, "en")
      );
      results.doc000.push({
        ari: groupedAri(truth, d0.customer_labels.map((l) => l.cluster_id)),
        k: d0.clusters.length,
        seconds: s0,
      });
      const [d2, s2] = await timed(() =>
        analyze({ data: base.records, id_field: "customer_id" }, backend, "en")
      );
      const byId = new Map<string, number>();
      for (const c of d2.clusters) {
        for (const id of c.customer_ids) byId.set(String(id), c.clusterId);
      }
      for (const id of d2.noise?.customer_ids ?? []) byId.set(String(id), -1);
      results.doc002.push({
        ari: groupedAri(truth, base.records.map((r) => byId.get(r.customer_id)!)),
        k: d2.n_clusters,
        seconds: s2,
      });
      const [wf, sw] = await timed(() => {
        const dataset = datasetFromRecords(base.records, { name: `base-${base.seed}`, now: 0 });
        return clusterWorkflow(
          { table: toPlainTable(dataset), id_field: "customer_id" },
          backend,
          "en",
        );
      });
      const wfById = new Map(wf.ids.map((id, i) => [id, wf.labels[i]!]));
      results.workflow.push({
        ari: groupedAri(truth, base.records.map((r) => wfById.get(r.customer_id)!)),
        k: wf.n_clusters,
        seconds: sw,
      });
      const [or, so] = await timed(() => oracleLabels(base, backend));
      results.oracle.push({ ari: groupedAri(truth, or), k: base.groups, seconds: so });
      if (args.verbose) {
        console.error(
          `base ${base.seed}: k=${base.groups} shares=${
            base.shares.map((s) => s.toFixed(2)).join("/")
          } | 000 k=${d0.clusters.length} ${d0.best_algorithm} ari=${
            results.doc000.at(-1)!.ari.toFixed(3)
          } | 002 k=${d2.n_clusters} ${d2.algorithm} ari=${
            results.doc002.at(-1)!.ari.toFixed(3)
          } | wf k=${wf.n_clusters} ari=${results.workflow.at(-1)!.ari.toFixed(3)} | oracle ari=${
            results.oracle.at(-1)!.ari.toFixed(3)
          }`,
        );
      }
    }
  } finally {
    await backend.dispose();
  }
  const ours = (performance.now() - t0) / 1000;
  let sk: Awaited<ReturnType<typeof sklearnChoices>> = null;
  let skSeconds = 0;
  if (!args["no-sklearn"]) {
    [sk, skSeconds] = await timed(() => sklearnChoices(bases));
    if (sk) {
      sk.forEach((c, b) =>
        results.sklearn.push({
          ari: groupedAri(bases[b]!.labels, c.labels),
          k: c.k,
          seconds: skSeconds / nBases,
        })
      );
    } else console.warn("scikit-learn missing: its column is empty");
  }

  const trueK = bases.map((b) => b.groups);
  const f = (v: number) => v.toFixed(3);
  console.log(
    `${nBases} bases × ${rows} rows (seeds ${seed0}..${seed0 + nBases - 1}); true groups: ` +
      `${Math.min(...trueK)}–${Math.max(...trueK)}; ours ${ours.toFixed(0)} s, ` +
      `scikit-learn ${skSeconds.toFixed(0)} s\n`,
  );
  console.log(
    "| Method | mean ARI | min | Q1 | median | Q3 | bases < 0.55 | k within ±1 | s / base |",
  );
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  const names: Record<Method, string> = {
    doc000: "document 000 `purchasingSegmentation` (auto)",
    doc002: "document 002 `analyze` (auto)",
    workflow: "workflow `clusterWorkflow` (auto)",
    sklearn: "scikit-learn KMeans, silhouette-best k 2..10, z-scores",
    oracle: "oracle: our KMeans, true k, log money, informative fields",
  };
  for (const m of METHODS) {
    if (results[m].length === 0) continue;
    const s = summarise(results[m], trueK);
    console.log(
      `| ${names[m]} | ${f(s.mean)} | ${f(s.min)} | ${f(s.q1)} | ${f(s.median)} | ${f(s.q3)} | ` +
        `${s.below055} | ${(100 * s.within1).toFixed(0)} % | ${s.seconds.toFixed(2)} |`,
    );
  }
  const ks = (m: Method) => results[m].map((o) => o.k).join(" ");
  console.log(`\ntrue k:   ${trueK.join(" ")}`);
  for (const m of ["doc000", "doc002", "workflow", "sklearn"] as const) {
    if (results[m].length) console.log(`${m.padEnd(9)} ${ks(m)}`);
  }
}
