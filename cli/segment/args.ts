/**
 * The flags of `deno task segment`: parsed, checked and given their defaults, so that the rest
 * of the command sees one plain options object and every flag mistake is a one-line message.
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { BackendChoice } from "../../compute/backend.ts";

/** The algorithms the command runs: `auto` tries them all and chooses. */
export const ALGORITHMS = ["auto", "kmeans", "dbscan", "gmm", "ward"] as const;
export type Algorithm = typeof ALGORITHMS[number];

/** The output formats. */
export const FORMATS = ["table", "json", "csv", "html"] as const;
export type Format = typeof FORMATS[number];

/** The languages of the segments' names, personas and actions. */
export const LANGUAGES = ["en", "es", "pt"] as const;
export type Language = typeof LANGUAGES[number];

const BACKENDS: readonly BackendChoice[] = ["auto", "cpu", "gpu"];

/** What the command was asked to do. */
export interface SegmentOptions {
  /** A file path, or `-` for standard input. */
  input: string;
  /** Feature columns to keep (the id column is always kept); undefined: every column. */
  columns?: string[];
  /** The id column, overriding the guess. */
  idColumn?: string;
  algorithm: Algorithm;
  k?: number;
  maxClusters?: number;
  eps?: number;
  minSamples?: number;
  seed: number;
  backend: BackendChoice;
  lang: Language;
  format: Format;
  /** Where the output goes; undefined: standard output. */
  output?: string;
  quiet: boolean;
}

/** A flag the command cannot take; the message is one line. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** The text of `--help`. */
export const USAGE = `Usage: deno task segment --input FILE [options]
       deno task segment FILE [options]

Segments the customers of a CSV file with the service's own pipeline: typed columns,
preprocessing (ids dropped, blanks imputed, skewed columns log-scaled, dates as days,
categories one-hot), candidate models, automatic selection, profiles, and segment names,
personas and actions.

Input
  --input FILE          CSV with a header row; "-" reads standard input. UTF-8, with or
                        without a BOM; ",", ";" or tab delimited (guessed from the header)
  --columns a,b,c       feature columns to use (default: every column); the id column is
                        kept as the id either way
  --id-column NAME      the column holding customer ids (default: guessed from names such
                        as id or CustomerID with unique values; else the row number)

Segmentation
  --algorithm NAME      auto (default: every algorithm, the best chosen), kmeans, dbscan,
                        gmm or ward; with --k and no --algorithm, kmeans (as the API)
  --k N                 a fixed number of segments, at least 2 (DBSCAN finds its own)
  --max-clusters N      largest number of segments auto tries (default 10)
  --eps E               DBSCAN radius on the scaled features (default 0.4)
  --min-samples M       DBSCAN core threshold, the point itself counted (default 5)
  --seed S              seed of every random choice (default 0; alias --random-state)
  --backend B           auto (default), cpu or gpu
  --lang L              language of names, personas and actions: en (default), es or pt

Output
  --format F            table (default): segments with names, sizes and key figures
                        json: labels, segments, preprocessing report, selection
                        csv: customer_id, segment_id, segment_name per customer
                        html: the standalone report the API serves
                        (default from the --output extension .json/.csv/.html, else table)
  --output FILE         write there instead of standard output (alias --out)
  --quiet               no progress on standard error (progress is shown only when
                        standard error is a terminal and the work takes over a second)
  --help                this text

Exit status: 0 done; 1 a problem with the flags or the file (one line on standard error,
naming the row and column where there is one); 2 an internal failure.

Examples
  deno task segment --input customers.csv
  deno task segment --input customers.csv --algorithm gmm --k 5 --format json
  deno task segment customers.csv --lang es --output report.html`;

/**
 * Parses `argv`; returns null when `--help` was asked.
 *
 * @throws {UsageError} on an unknown flag, a missing input or a value out of range.
 */
export function parseSegmentArgs(argv: readonly string[]): SegmentOptions | null {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: true,
      options: {
        input: { type: "string" },
        columns: { type: "string" },
        "id-column": { type: "string" },
        algorithm: { type: "string" },
        k: { type: "string" },
        "max-clusters": { type: "string" },
        eps: { type: "string" },
        "min-samples": { type: "string" },
        seed: { type: "string" },
        "random-state": { type: "string" },
        backend: { type: "string", default: "auto" },
        lang: { type: "string", default: "en" },
        format: { type: "string" },
        output: { type: "string" },
        out: { type: "string" },
        quiet: { type: "boolean", default: false },
        help: { type: "boolean", default: false },
      },
    });
  } catch (err) {
    // node:util's messages run over several lines and suggest `--`; the first line suffices.
    throw new UsageError(String((err as Error).message).split("\n")[0]!);
  }
  const v = parsed.values;
  if (v.help) return null;
  if (parsed.positionals.length > 1 || (parsed.positionals.length === 1 && v.input)) {
    throw new UsageError(`Expected one input file but found ${describeInputs(parsed)}`);
  }
  const input = v.input ?? parsed.positionals[0];
  if (input === undefined || input === "") throw new UsageError("--input FILE is required");
  const output = v.output ?? v.out;
  const k = intFlag("k", v.k, 2);
  const algorithm = oneOf("algorithm", v.algorithm, ALGORITHMS) ??
    (k !== undefined ? "kmeans" : "auto");
  const columns = v.columns === undefined ? undefined : columnList(v.columns);
  return {
    input,
    ...(columns ? { columns } : {}),
    ...(v["id-column"] !== undefined ? { idColumn: v["id-column"] } : {}),
    algorithm,
    ...(k !== undefined ? { k } : {}),
    ...optional("maxClusters", intFlag("max-clusters", v["max-clusters"], 2)),
    ...optional("eps", positiveFlag("eps", v.eps)),
    ...optional("minSamples", intFlag("min-samples", v["min-samples"], 1)),
    seed: intFlag("seed", v.seed ?? v["random-state"], 0) ?? 0,
    backend: oneOf("backend", v.backend, BACKENDS)!,
    lang: oneOf("lang", v.lang, LANGUAGES)!,
    format: oneOf("format", v.format, FORMATS) ?? formatOf(output),
    ...(output !== undefined ? { output } : {}),
    quiet: v.quiet,
  };
}

function describeInputs(parsed: { values: { input?: string }; positionals: string[] }): string {
  const all = [...(parsed.values.input ? [parsed.values.input] : []), ...parsed.positionals];
  return all.map((s) => `"${s}"`).join(", ");
}

function formatOf(output: string | undefined): Format {
  const ext = output?.toLowerCase().match(/\.(json|csv|html?)$/)?.[1];
  if (ext === "htm") return "html";
  return (ext as Format | undefined) ?? "table";
}

function columnList(text: string): string[] {
  const names = text.split(",").map((c) => c.trim()).filter((c) => c !== "");
  if (names.length === 0) throw new UsageError("--columns needs at least one column name");
  return [...new Set(names)];
}

function oneOf<T extends string>(
  name: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!allowed.includes(value as T)) {
    throw new UsageError(`--${name} must be one of ${allowed.join(", ")}, not "${value}"`);
  }
  return value as T;
}

function intFlag(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const v = Number(value);
  if (value.trim() === "" || !Number.isSafeInteger(v) || v < min) {
    throw new UsageError(`--${name} must be an integer of at least ${min}, not "${value}"`);
  }
  return v;
}

function positiveFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const v = Number(value);
  if (value.trim() === "" || !Number.isFinite(v) || v <= 0) {
    throw new UsageError(`--${name} must be a positive number, not "${value}"`);
  }
  return v;
}

function optional<K extends string>(key: K, value: number | undefined): { [P in K]?: number } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: number };
}
