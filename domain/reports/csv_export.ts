/**
 * CSV export (document 004's "CSV: original data with cluster assignments", document 003
 * §1.6): RFC 4180 text with spreadsheet formula-injection escaping, written by hand because
 * the whole grammar is a dozen lines.
 *
 * - **Records** end with CRLF, the last one included (RFC 4180 §2.1–2.2; Excel and every CSV
 *   reader take it). Fields are separated by `,`.
 * - **Quoting**: a field containing `,`, `"`, CR or LF is enclosed in double quotes, with each
 *   `"` doubled; other fields are written bare.
 * - **Formula injection** (OWASP "CSV Injection"): a text cell (header included) whose first
 *   character is `=`, `+`, `-`, `@`, tab or CR gets a leading `'`, which makes a spreadsheet
 *   show it as text instead of evaluating it. Text that is a plain decimal number (`-5`,
 *   `+1.5`, `1e3`, matched by `PLAIN_NUMBER`) is left as it is: a spreadsheet reads it as that
 *   number, which no formula can hide in, and a prefix would corrupt numeric ids and codes.
 *   JavaScript numbers are never prefixed (−5 is written `-5`).
 * - **Missing**: null, NaN and ±Infinity are empty fields.
 * - **Encoding**: the caller encodes the string as UTF-8; `bom: true` starts it with U+FEFF,
 *   which Excel needs to read UTF-8 (off by default because other readers keep it in the first
 *   header name).
 *
 * @module
 */
import type { Dataset } from "../datasets/types.ts";

/** One cell: text, a number, or null (missing). */
export type CsvCell = string | number | null;

/** Options of `toCsv`, `datasetCsv` and `datasetCsvLines`. */
export interface CsvOptions {
  /** Start with a UTF-8 byte order mark (U+FEFF) for Excel (default false). */
  bom?: boolean;
}

/** A column added to a dataset export, e.g. the cluster labels. */
export interface ExtraColumn {
  name: string;
  /** One value per dataset row. */
  values: ArrayLike<CsvCell>;
}

/** Text that is a plain decimal number and is therefore never prefixed. */
export const PLAIN_NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** The line end of every record (RFC 4180). */
export const CSV_EOL = "\r\n";

/**
 * The CSV text of `header` and `rows`: RFC 4180 records ending with CRLF, text cells escaped
 * against formula injection, numbers written as JavaScript writes them (`String(v)`), null and
 * non-finite numbers as empty fields.
 *
 * @throws {RangeError} when a row's length differs from the header's (naming the row, 0-based).
 *
 * @example
 * ```ts
 * import { toCsv } from "./csv_export.ts";
 * const csv = toCsv(["name", "spend"], [["=SUM(A1)", -5], ['say "hi"', null]]);
 * if (csv !== "name,spend\r\n'=SUM(A1),-5\r\n\"say \"\"hi\"\"\",\r\n") throw new Error(csv);
 * ```
 */
export function toCsv(
  header: readonly string[],
  rows: readonly (readonly CsvCell[])[],
  options: CsvOptions = {},
): string {
  const parts: string[] = [(options.bom ? "\uFEFF" : "") + csvRecord(header)];
  rows.forEach((row, i) => {
    if (row.length !== header.length) {
      throw new RangeError(
        `Expected row ${i} to have ${header.length} fields (one per header name) but found ${row.length}`,
      );
    }
    parts.push(csvRecord(row));
  });
  return parts.join("");
}

/**
 * The CSV text of a dataset: every column in file order (numeric ones as numbers, missing as
 * empty), then each of `extraColumns` (e.g. `{ name: "cluster", values: labels }`). An extra
 * column whose name is taken is renamed `name_2` (then `_3` …), so a re-uploaded export that
 * already has a `cluster` column exports without loss.
 *
 * @throws {RangeError} when an extra column does not have one value per row.
 */
export function datasetCsv(
  dataset: Dataset,
  extraColumns: readonly ExtraColumn[] = [],
  options: CsvOptions = {},
): string {
  return [...datasetCsvLines(dataset, extraColumns, options)].join("");
}

/**
 * The records of `datasetCsv` one at a time (header first, each ending with CRLF), to stream a
 * large export without holding it whole.
 *
 * @throws {RangeError} as `datasetCsv`, before the first record.
 */
export function* datasetCsvLines(
  dataset: Dataset,
  extraColumns: readonly ExtraColumn[] = [],
  options: CsvOptions = {},
): Generator<string> {
  const n = dataset.rowCount;
  for (const extra of extraColumns) {
    if (extra.values.length !== n) {
      throw new RangeError(
        `Expected column "${extra.name}" to have ${n} values (one per row) but found ${extra.values.length}`,
      );
    }
  }
  const taken = new Set(dataset.columns.map((c) => c.name));
  const header = dataset.columns.map((c) => c.name);
  for (const extra of extraColumns) {
    let name = extra.name;
    for (let i = 2; taken.has(name); i++) name = `${extra.name}_${i}`;
    taken.add(name);
    header.push(name);
  }
  yield (options.bom ? "\uFEFF" : "") + csvRecord(header);
  const cells: CsvCell[] = new Array(header.length);
  for (let i = 0; i < n; i++) {
    let j = 0;
    for (const column of dataset.columns) cells[j++] = column.values[i] ?? null;
    for (const extra of extraColumns) cells[j++] = extra.values[i] ?? null;
    yield csvRecord(cells);
  }
}

/**
 * One cell as a CSV field: formula-escaped when it is text, then quoted when it needs to be.
 */
export function csvField(cell: CsvCell): string {
  if (cell === null) return "";
  if (typeof cell === "number") return Number.isFinite(cell) ? String(cell + 0) : ""; // −0 → 0
  const text = FORMULA_START.test(cell) && !PLAIN_NUMBER.test(cell) ? `'${cell}` : cell;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

function csvRecord(cells: readonly CsvCell[]): string {
  return cells.map(csvField).join(",") + CSV_EOL;
}
