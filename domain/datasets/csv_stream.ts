/**
 * CSV uploads (document 004's `POST /api/upload`) read as they stream in: the bytes go through
 * `csv-parse`'s streaming parser chunk by chunk and each record is folded into its columns
 * (`column_builder.ts`) as it is parsed (`on_record` returns null, so the parser queues
 * nothing). The memory beyond the columns is one chunk and one record, and an over-long upload
 * stops at `maxBytes`. The delimiter is decided from the header line (`values.detectDelimiter`);
 * header names are trimmed and made unique (`values.uniqueNames`), so no value is lost.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { CsvError, type InfoRecord, Parser } from "csv-parse";
import { ColumnBuilder } from "./column_builder.ts";
import { type DatasetOptions, finishDataset } from "./dataset.ts";
import { DatasetError, IssueList, tooManyColumns } from "./errors.ts";
import type { Dataset } from "./types.ts";
import { detectDelimiter, MAX_COLUMNS, uniqueNames } from "./values.ts";

/** Options of `parseCsvStream`. */
export interface CsvStreamOptions extends DatasetOptions {
  /** The most bytes read before giving up with 413 (default: no limit). */
  maxBytes?: number;
}

/** The longest record (characters over all fields) accepted: a guard against a runaway quote. */
export const MAX_RECORD_CHARS = 1 << 20;

/**
 * Reads a CSV upload (UTF-8, header row, RFC 4180 quoting, optional BOM, LF or CRLF, `,` `;` or
 * tab) as it streams in, types its columns and guesses its column map (then applies
 * `options.columnMap`). The stream is cancelled on any error.
 *
 * @throws {DatasetError} 413 `payload_too_large` past `maxBytes`; 400 `invalid_encoding` when the
 *   bytes are not UTF-8; 422 `empty_file`, `no_data_rows`, `ragged_row` (every ragged row in
 *   `issues`, up to 100, each with its line and first missing column), `invalid_csv` (a quote
 *   error, with its row, line and column: an unclosed quote's where it opened), `row_too_large`,
 *   `too_many_columns`, `no_numeric_columns`, or an override's errors (see `applyColumnMap`).
 *
 * @example
 * ```ts
 * import { parseCsvStream } from "./csv_stream.ts";
 * const body = new Blob(["id,age,city\n1,30,Porto\n2,41,Lisboa\n"]).stream();
 * const ds = await parseCsvStream(body, { name: "x.csv", now: 0 });
 * if (ds.rowCount !== 2 || ds.columns[1]!.kind !== "numeric") throw new Error();
 * if (ds.columnMap.customer_id !== "id" || ds.columnMap.region !== "city") throw new Error();
 * ```
 */
export async function parseCsvStream(
  stream: ReadableStream<Uint8Array>,
  options: CsvStreamOptions,
): Promise<Dataset> {
  const maxBytes = options.maxBytes ?? Infinity;
  const table = new TableBuilder();
  const reader = stream.getReader();
  const utf8 = new TextDecoder("utf-8", { fatal: true });
  let parser: Parser | null = null;
  let head: Uint8Array[] = [];
  let headBytes = 0;
  let total = 0;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      if (value.byteLength === 0) continue;
      if (total === 0) refuseUtf16(value);
      total += value.byteLength;
      if (total > maxBytes) {
        throw new DatasetError(
          413,
          "payload_too_large",
          `The file is larger than the limit of ${maxBytes} bytes`,
        );
      }
      try {
        utf8.decode(value, { stream: true });
      } catch {
        throw notUtf8(total - value.byteLength, total);
      }
      if (parser) {
        await write(parser, value);
        continue;
      }
      // The delimiter is decided from the header line, so bytes wait until it is complete.
      head.push(value);
      headBytes += value.byteLength;
      if (value.includes(0x0a) || headBytes > HEADER_SCAN_BYTES) {
        parser = startParser(head, table);
        for (const chunk of head) await write(parser, chunk);
        head = [];
      }
    }
    try {
      utf8.decode();
    } catch {
      throw notUtf8(total - 4, total);
    }
    if (!parser) {
      if (headBytes === 0) throw emptyFile();
      parser = startParser(head, table);
      for (const chunk of head) await write(parser, chunk);
    }
    await end(parser);
  } catch (err) {
    await reader.cancel().catch(() => {});
    throw translate(err, table);
  } finally {
    reader.releaseLock();
  }
  return table.finish(options);
}

/** Bytes read while looking for the end of the header line before deciding anyway. */
const HEADER_SCAN_BYTES = 64 * 1024;

function startParser(head: Uint8Array[], table: TableBuilder): Parser {
  const delimiter = detectDelimiter(headerLine(head));
  table.decimalComma = delimiter === ";";
  const parser = new Parser({
    bom: true,
    delimiter,
    skip_empty_lines: true,
    // Field counts are checked per record below, to name the data row and the missing column.
    relax_column_count: true,
    max_record_size: MAX_RECORD_CHARS,
    on_record: (record: string[], info: InfoRecord) => {
      table.add(record, info.lines, info.empty_lines);
      return null;
    },
  });
  // Errors reach us through the write and end callbacks; without a listener Node would throw.
  parser.on("error", () => {});
  return parser;
}

function write(parser: Parser, chunk: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    parser.write(
      Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength),
      (err?: Error | null) => err ? reject(err) : resolve(),
    );
  });
}

function end(parser: Parser): Promise<void> {
  return new Promise((resolve, reject) => {
    parser.once("error", reject);
    parser.once("finish", resolve);
    parser.end();
  });
}

// The first line of the buffered head, without BOM or CR (it may be cut at HEADER_SCAN_BYTES).
function headerLine(head: Uint8Array[]): string {
  const bytes = new Uint8Array(head.reduce((s, c) => s + c.byteLength, 0));
  let offset = 0;
  for (const c of head) {
    bytes.set(c, offset);
    offset += c.byteLength;
  }
  const lf = bytes.indexOf(0x0a);
  const line = new TextDecoder().decode(lf < 0 ? bytes : bytes.subarray(0, lf));
  return line.endsWith("\r") ? line.slice(0, -1) : line;
}

/** `,`, `;` or tab: the most frequent outside double quotes (`,` on a tie). */
function refuseUtf16(first: Uint8Array): void {
  const [a, b] = first;
  if ((a === 0xff && b === 0xfe) || (a === 0xfe && b === 0xff)) {
    throw new DatasetError(
      400,
      "invalid_encoding",
      "The file is UTF-16 text; save it as CSV in UTF-8",
    );
  }
}

function notUtf8(from: number, to: number): DatasetError {
  return new DatasetError(
    400,
    "invalid_encoding",
    `The file is not UTF-8 text (an invalid byte sequence in bytes ${Math.max(0, from)}–${to}); ` +
      "save it as CSV in UTF-8",
  );
}

function emptyFile(): DatasetError {
  return new DatasetError(422, "empty_file", "The CSV is empty: expected a header row");
}

// csv-parse's errors become DatasetErrors placed at the data row being read.
function translate(err: unknown, table: TableBuilder): unknown {
  if (err instanceof DatasetError) return err;
  if (!(err instanceof CsvError)) return err;
  const inHeader = table.names === null;
  // csv-parse reports an unclosed quote at the end of the file; the record it opened in starts
  // on the line after the last record read (and the blank lines skipped since).
  const line = err.code === "CSV_QUOTE_NOT_CLOSED" && typeof err.empty_lines === "number"
    ? table.lastLine + 1 + err.empty_lines - table.lastEmptyLines
    : typeof err.lines === "number"
    ? err.lines
    : undefined;
  const row = inHeader ? undefined : table.rows + 1;
  const index = typeof err.index === "number" ? err.index : undefined;
  const column = index === undefined ? undefined : table.names?.[index];
  const where = inHeader ? "in the header" : `at data row ${row}`;
  const at = `${where}${line === undefined ? "" : ` (line ${line})`}`;
  if (err.code === "CSV_MAX_RECORD_SIZE") {
    return new DatasetError(
      422,
      "row_too_large",
      `A record ${at} is longer than ${MAX_RECORD_CHARS} characters (an unclosed quote?)`,
      { row, column },
    );
  }
  const reason = err.code === "CSV_QUOTE_NOT_CLOSED"
    ? `a quoted field is never closed${
      column === undefined ? "" : ` (it opens in column "${column}")`
    }`
    : err.code === "INVALID_OPENING_QUOTE"
    ? "a quote appears inside an unquoted field (quote the whole field and double inner quotes)"
    : err.code === "CSV_INVALID_CLOSING_QUOTE" ||
        err.code === "CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE"
    ? "a closing quote is followed by other characters"
    : err.message;
  return new DatasetError(422, "invalid_csv", `The CSV could not be parsed ${at}: ${reason}`, {
    row,
    column,
  });
}

/**
 * Records folded into column builders: the first record is the header. A ragged row is noted
 * and reading goes on, so that the error lists every one (up to `MAX_DATASET_ISSUES`).
 */
class TableBuilder {
  names: string[] | null = null;
  rows = 0;
  /** `;`-delimited: numbers may be written with a decimal comma. */
  decimalComma = false;
  /** The line the last record ended on, and the blank lines skipped until then. */
  lastLine = 0;
  lastEmptyLines = 0;
  private builders: ColumnBuilder[] = [];
  private ragged = new IssueList();

  add(record: string[], line: number, emptyLines: number): void {
    this.lastLine = line;
    this.lastEmptyLines = emptyLines;
    if (this.names === null) {
      if (record.length > MAX_COLUMNS) throw tooManyColumns(record.length);
      this.names = uniqueNames(record.map((c) => c.trim()));
      this.builders = this.names.map((name) => new ColumnBuilder(name, this.decimalComma));
      return;
    }
    const d = this.names.length;
    if (record.length !== d) {
      // A line of spaces alone is a blank line, not a one-field row.
      if (record.length === 1 && record[0]!.trim() === "") return;
      // The row keeps its number, so that the rows after it are named as the client counts.
      const row = ++this.rows;
      const missingColumn = record.length < d ? this.names[record.length] : undefined;
      this.ragged.add({
        row,
        line,
        ...(missingColumn === undefined ? {} : { column: missingColumn }),
        message:
          `Data row ${row} (line ${line}) has ${record.length} field${
            record.length === 1 ? "" : "s"
          } but the header has ${d}` +
          (missingColumn === undefined ? "" : `; column "${missingColumn}" and after are missing`),
      });
      return;
    }
    // Rows after a ragged one are only counted: the dataset will not be built.
    if (this.ragged.count > 0) {
      this.rows++;
      return;
    }
    for (let j = 0; j < d; j++) this.builders[j]!.push(record[j]!);
    this.rows++;
  }

  finish(options: DatasetOptions): Dataset {
    if (this.names === null) throw emptyFile();
    const ragged = this.ragged.toError("ragged_row");
    if (ragged) throw ragged;
    if (this.rows === 0) {
      throw new DatasetError(422, "no_data_rows", "The CSV has a header but no data rows", {
        row: 1,
      });
    }
    const n = this.rows;
    return finishDataset(this.builders.map((b) => b.finish(n)), n, options);
  }
}
