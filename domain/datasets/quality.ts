/**
 * Document 004's data-quality metrics (`GET /api/data-quality`) and the upload response's
 * summary (`POST /api/upload`: `shape`, `statistics`, `features`) for a dataset.
 *
 * Decisions, each for a reason:
 * - `numeric_columns` counts numeric columns and `categorical_columns` every other one
 *   (categorical, id, date), so that the two add up to `total_columns` as in pandas' numeric /
 *   object split; `column_types` gives each column's own kind.
 * - `duplicate_rows` counts rows equal to an earlier row in every column except id columns
 *   (pandas' `duplicated().sum()` over the non-id columns): an id column is unique by
 *   definition, so including it would always give 0 and hide re-exported copies of customers.
 *   Missing values are equal to each other, as in pandas.
 * - `memory_usage_mb` estimates pandas' `memory_usage(deep=True).sum() / 2**20` for the same
 *   table: 128 bytes of index, 8 bytes a row for a numeric column, and for a text column
 *   8 bytes a row plus 49 + UTF-8 length per string (CPython's `str` size) or 16 per missing
 *   value (`None`). It is an estimate of the analyst's pandas footprint, not of this process.
 * - `statistics` is pandas' `describe()` over the numeric columns: count of present values,
 *   mean, sample standard deviation (ddof 1), min, quartiles by linear interpolation, max;
 *   null where undefined (no values, or one value for `std`). Id columns hold text and are
 *   not statistics or features.
 *
 * @module
 */
import { round } from "../../compute/numbers.ts";
import { quantileSorted } from "../description/profile.ts";
import type { Dataset, NumericColumn } from "./types.ts";

/** The `metrics` of document 004's `GET /api/data-quality`. */
export interface DataQuality {
  readonly total_rows: number;
  readonly total_columns: number;
  readonly numeric_columns: number;
  /** Every column that is not numeric (categorical, id, date). */
  readonly categorical_columns: number;
  /** Each column's kind: numeric, categorical, id or date. */
  readonly column_types: Record<string, string>;
  /** Rows equal to an earlier row over the non-id columns. */
  readonly duplicate_rows: number;
  readonly missing_values: Record<string, number>;
  /** Percent of rows (0–100), rounded to 2 decimals. */
  readonly missing_percentage: Record<string, number>;
  /** Estimated pandas memory in MiB, rounded to 4 decimals. */
  readonly memory_usage_mb: number;
}

/** pandas `describe()` of one numeric column; null where undefined. */
export interface ColumnStatistics {
  readonly count: number;
  readonly mean: number | null;
  readonly std: number | null;
  readonly min: number | null;
  readonly "25%": number | null;
  readonly "50%": number | null;
  readonly "75%": number | null;
  readonly max: number | null;
}

/** The upload response's summary of a dataset. */
export interface DatasetDescription {
  /** `[rows, columns]`. */
  readonly shape: [number, number];
  /** Per numeric column, in column order. */
  readonly statistics: Record<string, ColumnStatistics>;
  /** The numeric columns' names: the features clustering can use. */
  readonly features: string[];
}

/** Document 004's data-quality metrics of `dataset` (see the module's decisions). */
export function dataQuality(dataset: Dataset): DataQuality {
  const n = dataset.rowCount;
  const columns = dataset.columns;
  const numeric = columns.filter((c) => c.kind === "numeric").length;
  return {
    total_rows: n,
    total_columns: columns.length,
    numeric_columns: numeric,
    categorical_columns: columns.length - numeric,
    column_types: Object.fromEntries(columns.map((c) => [c.name, c.kind])),
    duplicate_rows: duplicateRows(dataset),
    missing_values: Object.fromEntries(columns.map((c) => [c.name, c.missing])),
    missing_percentage: Object.fromEntries(
      columns.map((c) => [c.name, n === 0 ? 0 : round((c.missing / n) * 100, 2)]),
    ),
    memory_usage_mb: round(memoryBytes(dataset) / 2 ** 20, 4),
  };
}

/** The `shape`, `statistics` and `features` of document 004's upload response. */
export function describeDataset(dataset: Dataset): DatasetDescription {
  const numeric = dataset.columns.filter((c): c is NumericColumn => c.kind === "numeric");
  return {
    shape: [dataset.rowCount, dataset.columns.length],
    statistics: Object.fromEntries(numeric.map((c) => [c.name, describeColumn(c.values)])),
    features: numeric.map((c) => c.name),
  };
}

/** pandas `describe()` of `values` (NaN is missing). */
export function describeColumn(values: Float64Array): ColumnStatistics {
  const present = values.filter((v) => v === v).sort();
  const m = present.length;
  if (m === 0) {
    return {
      count: 0,
      mean: null,
      std: null,
      min: null,
      "25%": null,
      "50%": null,
      "75%": null,
      max: null,
    };
  }
  let sum = 0;
  for (const v of present) sum += v;
  const mean = sum / m;
  let ss = 0;
  for (const v of present) ss += (v - mean) * (v - mean);
  return {
    count: m,
    mean,
    std: m > 1 ? Math.sqrt(ss / (m - 1)) : null,
    min: present[0]!,
    "25%": quantileSorted(present, 0.25),
    "50%": quantileSorted(present, 0.5),
    "75%": quantileSorted(present, 0.75),
    max: present[m - 1]!,
  };
}

// ---------------------------------------------------------------------------------------------

function duplicateRows(dataset: Dataset): number {
  const columns = dataset.columns.filter((c) => c.kind !== "id");
  if (columns.length === 0) return 0;
  const seen = new Set<string>();
  let duplicates = 0;
  const parts: string[] = new Array(columns.length);
  for (let i = 0; i < dataset.rowCount; i++) {
    for (let j = 0; j < columns.length; j++) {
      const c = columns[j]!;
      const v = c.values[i];
      // Separators that CSV text does not carry keep "a","b|c" apart from "a|b","c".
      parts[j] = typeof v === "number" ? String(v) : v === null || v === undefined ? "\u0001" : v;
    }
    const key = parts.join("\u0000");
    if (seen.has(key)) duplicates++;
    else seen.add(key);
  }
  return duplicates;
}

function memoryBytes(dataset: Dataset): number {
  const n = dataset.rowCount;
  let bytes = 128;
  for (const c of dataset.columns) {
    bytes += 8 * n;
    if (c.kind === "numeric") continue;
    for (const v of c.values) {
      if (v === null) bytes += 16;
      else bytes += 49 + utf8Length(v);
    }
  }
  return bytes;
}

// Counted rather than encoded, so that no copy of the text is made.
function utf8Length(s: string): number {
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // A surrogate pair is 4 bytes: 2 for each half.
    bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdfff ? 2 : 3;
  }
  return bytes;
}
