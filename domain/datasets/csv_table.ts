/**
 * A parsed CSV table held as columns of strings, and the numeric matrix taken from it. The
 * CSV grammar is RFC 4180 through `csv-parse` (quotes, CRLF, BOM), with `,`, `;` or tab
 * detected from the header line.
 */
import { parse } from "csv-parse/sync";
import { type Matrix, matrix } from "../../compute/matrix.ts";

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
      const v = raw === "" ? NaN : Number(raw);
      if (raw === "") {
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
      data[i * d + c] = v;
    }
  }
  return matrix(data, n, d);
}

function detectDelimiter(line: string): string {
  const counts: Array<[string, number]> = [",", ";", "\t"].map((c) => [c, line.split(c).length]);
  counts.sort((a, b) => b[1] - a[1]);
  return counts[0]![0];
}
