/**
 * `deno task segment`: segments the customers of a CSV file from the command line, for local
 * work and for checking results. Prints JSON (default) or a table; exits 2 on a bad flag or bad
 * input, with a message and the usage.
 */
import { parseArgs } from "node:util";
import type { BackendChoice } from "../compute/backend.ts";
import { selectBackend } from "../compute/select.ts";
import { segment, type SegmentAlgorithm, type SegmentReport } from "./segment_matrix.ts";

const ALGORITHMS: readonly SegmentAlgorithm[] = ["kmeans", "dbscan", "gmm", "ward", "auto"];
import { numericMatrix, parseCsv, TableError } from "../domain/datasets/mod.ts";

const USAGE = `Usage: deno task segment --input FILE.csv [options]

  --input FILE          CSV with a header row (required)
  --columns a,b,c       numeric columns to use (default: all; non-numeric ones must be left out)
  --algorithm NAME      kmeans (default), dbscan, gmm, ward, or auto (all of them, best chosen)
  --k N                 clusters for kmeans, gmm and ward (default 8)
  --max-clusters N      largest k tried by auto (default 10)
  --eps E               DBSCAN radius in standardised units (default 0.5)
  --min-samples M       DBSCAN core threshold, the point itself counted (default 5)
  --random-state S      seed of every random choice (default 0)
  --n-init N            kmeans restarts (default 10)
  --max-iter N          kmeans iterations per restart (default 300)
  --tol T               kmeans tolerance (default 1e-4)
  --backend B           auto (default), cpu or gpu
  --no-standardize      cluster the raw values instead of z-scores
  --format F            json (default) or table
  --out FILE            write the output there instead of standard output
  --help                this text`;

/** Parses argv and runs; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        input: { type: "string" },
        columns: { type: "string" },
        algorithm: { type: "string", default: "kmeans" },
        k: { type: "string" },
        "max-clusters": { type: "string" },
        eps: { type: "string" },
        "min-samples": { type: "string" },
        "random-state": { type: "string" },
        "n-init": { type: "string" },
        "max-iter": { type: "string" },
        tol: { type: "string" },
        backend: { type: "string", default: "auto" },
        "no-standardize": { type: "boolean", default: false },
        format: { type: "string", default: "json" },
        out: { type: "string" },
        help: { type: "boolean", default: false },
      },
    }).values;
  } catch (err) {
    return usageError(err instanceof Error ? err.message : String(err));
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  if (!args.input) return usageError("--input is required");
  if (!ALGORITHMS.includes(args.algorithm as SegmentAlgorithm)) {
    return usageError(
      `--algorithm must be one of ${ALGORITHMS.join(", ")}, not "${args.algorithm}"`,
    );
  }
  if (!["auto", "cpu", "gpu"].includes(args.backend)) {
    return usageError(`--backend must be auto, cpu or gpu, not "${args.backend}"`);
  }
  if (args.format !== "json" && args.format !== "table") {
    return usageError(`--format must be json or table, not "${args.format}"`);
  }
  let numbers;
  try {
    numbers = {
      k: intFlag("k", args.k),
      maxClusters: intFlag("max-clusters", args["max-clusters"]),
      eps: numFlag("eps", args.eps),
      minSamples: intFlag("min-samples", args["min-samples"]),
      randomState: intFlag("random-state", args["random-state"]),
      nInit: intFlag("n-init", args["n-init"]),
      maxIter: intFlag("max-iter", args["max-iter"]),
      tol: numFlag("tol", args.tol),
    };
  } catch (err) {
    return usageError((err as Error).message);
  }

  const t0 = performance.now();
  let text: string;
  try {
    text = await Deno.readTextFile(args.input);
  } catch (err) {
    return fail(`Cannot read ${args.input}: ${(err as Error).message}`);
  }
  let raw, columns: string[];
  try {
    const table = parseCsv(text);
    columns = args.columns ? args.columns.split(",").map((c) => c.trim()) : [...table.columns];
    raw = numericMatrix(table, columns);
  } catch (err) {
    if (err instanceof TableError || err instanceof RangeError) return fail(err.message);
    throw err;
  }
  const readMs = performance.now() - t0;

  let backend;
  try {
    backend = await selectBackend(args.backend as BackendChoice, { log: () => {} });
  } catch (err) {
    return fail((err as Error).message);
  }
  let report: SegmentReport;
  try {
    report = await segment(raw, {
      algorithm: args.algorithm as SegmentAlgorithm,
      columns,
      standardize: !args["no-standardize"],
      ...numbers,
    }, backend);
  } catch (err) {
    if (err instanceof RangeError || err instanceof TypeError) return fail(err.message);
    throw err;
  } finally {
    await backend.dispose();
  }
  report.timings_ms = { read: readMs, ...report.timings_ms };
  const output = args.format === "json" ? JSON.stringify(report, null, 2) : formatTable(report);
  if (args.out) await Deno.writeTextFile(args.out, output + "\n");
  else console.log(output);
  return 0;
}

/** A human-readable summary: one line per cluster with its size and centre in raw units. */
export function formatTable(r: SegmentReport): string {
  const lines: string[] = [];
  const p = Object.entries(r.params).map(([k, v]) => `${k}=${v}`).join(" ");
  lines.push(`${r.algorithm} (${p}) on ${r.n} rows × ${r.d} columns, ${r.backend.description}`);
  const sizes = new Map<number, number>();
  for (const l of r.labels) sizes.set(l, (sizes.get(l) ?? 0) + 1);
  const header = ["cluster", "size", ...r.columns];
  const body = r.centers.original.map((c, i) => [
    String(i),
    String(sizes.get(i) ?? 0),
    ...c.map((v) => v.toPrecision(5)),
  ]);
  if (r.n_noise > 0) body.push(["noise", String(r.n_noise), ...r.columns.map(() => "")]);
  const widths = header.map((h, j) => Math.max(h.length, ...body.map((row) => row[j]!.length)));
  for (const row of [header, ...body]) {
    lines.push(row.map((s, j) => s.padStart(widths[j]!)).join("  "));
  }
  if (r.metrics) {
    const m = r.metrics;
    lines.push(
      `silhouette ${m.silhouette.toFixed(4)} (${m.silhouette_mode}, ${m.silhouette_rows} rows)` +
        `  davies_bouldin ${m.davies_bouldin.toFixed(4)}` +
        `  calinski_harabasz ${m.calinski_harabasz.toFixed(2)}`,
    );
  } else lines.push(`metrics: ${r.metrics_error}`);
  if (r.inertia !== null) {
    lines.push(`inertia ${r.inertia.toFixed(4)} after ${r.n_iter} iterations`);
  }
  if (r.bic !== undefined) {
    lines.push(`mean log-likelihood ${r.mean_log_likelihood!.toFixed(4)}  BIC ${r.bic.toFixed(2)}`);
  }
  if (r.selection) {
    lines.push(
      "",
      "candidates: silhouette, Davies-Bouldin, Calinski-Harabasz, mean rank, stability",
    );
    const f = (v: number | null, digits: number) => (v === null ? "-" : v.toFixed(digits));
    for (const c of r.selection.candidates) {
      lines.push(
        `${c.chosen ? "*" : " "} ${c.algorithm.padEnd(6)} k=${String(c.n_clusters).padEnd(3)} ` +
          `${f(c.silhouette, 4)}  ${f(c.davies_bouldin, 4)}  ${f(c.calinski_harabasz, 1)}  ` +
          `${f(c.mean_rank, 2)}  ${f(c.stability, 2)}${c.eligible ? "" : `  (${c.reason})`}`,
      );
    }
    lines.push(`chosen: ${r.selection.why}`);
  }
  const t = Object.entries(r.timings_ms).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(", ");
  lines.push(`timings (ms): ${t}`);
  return lines.join("\n");
}

function intFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const v = Number(value);
  if (!Number.isInteger(v)) throw new Error(`--${name} must be an integer, not "${value}"`);
  return v;
}

function numFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const v = Number(value);
  if (value.trim() === "" || !Number.isFinite(v)) {
    throw new Error(`--${name} must be a number, not "${value}"`);
  }
  return v;
}

function usageError(message: string): number {
  console.error(`error: ${message}\n\n${USAGE}`);
  return 2;
}

function fail(message: string): number {
  console.error(`error: ${message}`);
  return 2;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
