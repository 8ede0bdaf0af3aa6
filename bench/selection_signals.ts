/**
 * Every candidate of the automatic selection, with every signal a rule could use, on generated
 * customer bases with a known truth (issue 12): silhouette, Davies-Bouldin, Calinski-Harabasz,
 * KMeans inertia, the mixtures' BIC, the resampling stability of every candidate (not only the
 * finalists) and the ARI of each candidate against the true groups. The rows are written as JSON
 * so that rules can be compared offline without refitting (`--out`), and the contribution of each
 * signal is printed: the mean ARI and the share within ±1 of the true count when the choice
 * follows that signal alone.
 *
 *   deno run -A bench/selection_signals.ts [--bases 30] [--rows 1500] [--seed 1200]
 *     [--entry doc000|doc002] [--generator personas|blobs|separated] [--out signals.json]
 */
import { parseArgs } from "node:util";
import { autoSegment } from "../compute/auto.ts";
import { createCpuBackend } from "../compute/cpu/backend.ts";
import type { Matrix } from "../compute/matrix.ts";
import { columnsFromRecords } from "../domain/datasets/records.ts";
import { preprocess } from "../domain/segmentation/preprocess.ts";
import type { CustomerBase } from "./customer_bases.ts";
import { drawBase } from "./generators.ts";
import { groupedAri } from "./selection_bench.ts";

/** One candidate's signals on one base. */
export interface SignalRow {
  algorithm: string;
  k: number;
  silhouette: number | null;
  daviesBouldin: number | null;
  calinskiHarabasz: number | null;
  inertia: number | null;
  bic: number | null;
  smallestShare: number;
  noiseShare: number;
  eligible: boolean;
  stability: number | null;
  ari: number;
}

/** A way of choosing one candidate of a base, for the contribution table. */
type Chooser = (rows: SignalRow[]) => SignalRow | undefined;

const best = (rows: SignalRow[], value: (r: SignalRow) => number | null) =>
  rows.filter((r) => r.eligible && r.algorithm !== "dbscan" && value(r) !== null)
    .reduce<SignalRow | undefined>((a, r) => (!a || value(r)! > value(a)! ? r : a), undefined);

const inFamily = (family: string, value: (r: SignalRow) => number | null) => (rows: SignalRow[]) =>
  best(rows.filter((r) => r.algorithm === family), value);

/** Each signal alone, and the rule's own choice, as rows of the contribution table. */
export const SIGNALS: Record<string, Chooser> = {
  "best candidate in hindsight (upper bound)": (rows) => best(rows, (r) => r.ari),
  "KMeans, highest silhouette": inFamily("kmeans", (r) => r.silhouette),
  "KMeans, highest Calinski-Harabasz": inFamily("kmeans", (r) => r.calinskiHarabasz),
  "KMeans, lowest Davies-Bouldin": inFamily("kmeans", (r) => -r.daviesBouldin!),
  "KMeans, most stable": inFamily("kmeans", (r) => r.stability),
  "Ward, highest silhouette": inFamily("ward", (r) => r.silhouette),
  "Gaussian Mixture, lowest BIC": inFamily("gmm", (r) => r.bic === null ? null : -r.bic),
};

function matrixOf(base: CustomerBase, entry: string): Matrix {
  if (entry === "doc000") {
    const table = columnsFromRecords(base.purchasing().map((c) => ({ ...c.features })));
    return preprocess(table, { log1p: "auto" }).x;
  }
  return preprocess(columnsFromRecords(base.records), { idField: "customer_id" }).x;
}

if (import.meta.main) {
  const { values: args } = parseArgs({
    args: Deno.args,
    options: {
      bases: { type: "string", default: "30" },
      rows: { type: "string", default: "1500" },
      seed: { type: "string", default: "1200" },
      entry: { type: "string", default: "doc002" },
      generator: { type: "string", default: "personas" },
      out: { type: "string" },
      "dump-x": { type: "string" },
    },
  });
  const backend = createCpuBackend();
  const out: { seed: number; groups: number; rows: SignalRow[]; chosen: SignalRow }[] = [];
  const dumps: { x: number[]; d: number; truth: number[]; groups: number }[] = [];
  try {
    for (let b = 0; b < Number(args.bases); b++) {
      const seed = Number(args.seed) + b;
      const base = drawBase(args.generator!, seed, Number(args.rows));
      const x = matrixOf(base, args.entry!);
      if (args["dump-x"]) {
        dumps.push({
          x: Array.from(x.data),
          d: x.d,
          truth: Array.from(base.labels),
          groups: base.groups,
        });
        continue;
      }
      const auto = await autoSegment(x, {}, backend);
      const rows: SignalRow[] = [];
      for (const c of auto.candidates) {
        rows.push({
          algorithm: c.algorithm,
          k: c.k,
          silhouette: c.silhouette,
          daviesBouldin: c.daviesBouldin,
          calinskiHarabasz: c.calinskiHarabasz,
          inertia: c.extra.inertia ?? null,
          bic: c.extra.bic ?? null,
          smallestShare: c.smallestShare,
          noiseShare: c.noiseShare,
          eligible: c.eligible,
          stability: c.stability,
          ari: groupedAri(base.labels, c.labels),
        });
      }
      const chosen = auto.best;
      out.push({ seed, groups: base.groups, rows, chosen: rows[auto.candidates.indexOf(chosen)]! });
      console.error(
        `base ${seed}: true k ${base.groups}, chosen ${chosen.algorithm} k=${chosen.k} ari=${
          groupedAri(base.labels, chosen.labels).toFixed(3)
        }`,
      );
    }
  } finally {
    await backend.dispose();
  }
  if (args["dump-x"]) await Deno.writeTextFile(args["dump-x"], JSON.stringify(dumps));
  if (args.out) await Deno.writeTextFile(args.out, JSON.stringify(out));
  if (out.length === 0) Deno.exit(0);
  console.log(
    `${out.length} bases × ${args.rows} rows, generator ${args.generator}, entry ${args.entry}\n`,
  );
  console.log("| choice | mean ARI | min ARI | k within ±1 of the truth |");
  console.log("| --- | ---: | ---: | ---: |");
  const choosers: Record<string, Chooser> = {
    ...SIGNALS,
    "the selection rule (compute/auto.ts)": (rows) => out.find((b) => b.rows === rows)!.chosen,
  };
  for (const [name, choose] of Object.entries(choosers)) {
    const picks = out.map((b) => ({ c: choose(b.rows), groups: b.groups }));
    const aris = picks.map((p) => p.c?.ari ?? 0);
    const within = picks.filter((p) => p.c && Math.abs(p.c.k - p.groups) <= 1).length;
    console.log(
      `| ${name} | ${(aris.reduce((s, v) => s + v, 0) / aris.length).toFixed(3)} | ` +
        `${Math.min(...aris).toFixed(3)} | ${(100 * within / out.length).toFixed(0)} % |`,
    );
  }
}
