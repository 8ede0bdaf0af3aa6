/**
 * A parsed CSV table held as rows of strings (the CLI's input), the numeric matrix taken from
 * it, and its rows as records. The CSV grammar is RFC 4180 through `csv-parse` (quotes, CRLF,
 * BOM); the delimiter and the cells are read by the rules of `values.ts`.
 */
import { parse } from "csv-parse/sync";
import { type Matrix, matrix } from "../../compute/matrix.ts";
import { detectDelimiter, isMissing, MAX_MAGNITUDE, parseNumber, uniqueNames } from "./values.ts";

/** A table: its header and its rows, every row as long as the header. */
export interface Table {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/** A problem with the input that names where it is (1-based data row, column name). */
export class TableError extends Error {
  constructor(message: string, readonly row?: number, readonly column?: string) {
    super(message);
    this.name = "TableError";
  }
}

/**
 * Parses CSV text with a header row.
 *
 * @throws {TableError} on an empty file, a malformed quote, or a row whose field count differs
 *   from the header's (naming the line).
 */
export function parseCsv(text: string): Table {
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const delimiter = detectDelimiter(firstLine);
  let records: string[][];
  try {
    records = parse(text, {
      bom: true,
      delimiter,
      skip_empty_lines: true,
      relax_column_count: false,
    });
  } catch (err) {
    const e = err as { message?: string; lines?: number };
    throw new TableError(`The CSV could not be parsed at line ${e.lines ?? "?"}: ${e.message}`);
  }
  if (records.length === 0) throw new TableError("The CSV is empty: expected a header row");
  const [header, ...rows] = records;
  const columns = header!.map((c) => c.trim());
  if (rows.length === 0) throw new TableError("The CSV has a header but no data rows");
  return { columns, rows };
}

/**
 * The named columns (default: all) as an n × d float32 matrix in row order.
 *
 * @throws {TableError} naming the column (and the first offending row) when a column is
 *   unknown, holds a non-numeric value, or has a missing value.
 */
export function numericMatrix(table: Table, columns?: readonly string[]): Matrix {
  const names = columns ?? table.columns;
  const index = names.map((name) => {
    const j = table.columns.indexOf(name);
    if (j < 0) {
      throw new TableError(
        `Unknown column "${name}"; the columns are: ${table.columns.join(", ")}`,
        undefined,
        name,
      );
    }
    return j;
  });
  const n = table.rows.length;
  const d = names.length;
  const data = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const row = table.rows[i]!;
    for (let c = 0; c < d; c++) {
      const raw = row[index[c]!]!.trim();
      const v = parseNumber(raw);
      if (isMissing(raw)) {
        throw new TableError(
          `Column "${names[c]}" has a missing value at data row ${i + 1}`,
          i + 1,
          names[c],
        );
      }
      if (!Number.isFinite(v)) {
        throw new TableError(
          `Column "${names[c]}" is not numeric (data row ${i + 1} holds "${raw}"); ` +
            "leave it out with --columns",
          i + 1,
          names[c],
        );
      }
      if (Math.abs(v) > MAX_MAGNITUDE) {
        throw new TableError(
          `Column "${names[c]}" holds ${raw} at data row ${i + 1}, beyond ±1e15: too large to ` +
            "compute on",
          i + 1,
          names[c],
        );
      }
      data[i * d + c] = v;
    }
  }
  return matrix(data, n, d);
}

/**
 * One record per table row, keyed by the header; a repeated header name gets a `.1`, `.2`, …
 * suffix (as pandas reads it) and an empty one `column_<position>`, so that no value is lost.
 *
 * @example
 * ```ts
 * import { recordsFromTable } from "./csv_table.ts";
 * const r = recordsFromTable({ columns: ["a", "a"], rows: [["1", "2"]] });
 * if (r[0]!["a.1"] !== "2") throw new Error();
 * ```
 */
export function recordsFromTable(table: Table): Record<string, string>[] {
  const names = uniqueNames(table.columns);
  // A plain assignment to "__proto__" would set the prototype: such a header is defined instead.
  const risky = names.includes("__proto__");
  return table.rows.map((row) => {
    const record: Record<string, string> = {};
    names.forEach((name, j) => {
      if (!risky) record[name] = row[j]!;
      else {
        Object.defineProperty(record, name, {
          value: row[j]!,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
    });
    return record;
  });
}
