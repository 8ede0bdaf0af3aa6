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
import { DatasetError, tooManyColumns } from "./errors.ts";
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
 *   bytes are not UTF-8; 422 `empty_file`, `no_data_rows`, `ragged_row` (row and first missing
 *   column named), `invalid_csv` (a quote error, with its row and line), `row_too_large`,
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
  const parser = new Parser({
    bom: true,
    delimiter,
    skip_empty_lines: true,
    // Field counts are checked per record below, to name the data row and the missing column.
    relax_column_count: true,
    max_record_size: MAX_RECORD_CHARS,
    on_record: (record: string[], info: InfoRecord) => {
      table.add(record, info.lines);
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
  const line = typeof err.lines === "number" ? err.lines : undefined;
  const inHeader = table.names === null;
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
    ? "a quoted field is never closed"
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

/** Records folded into column builders: the first record is the header. */
class TableBuilder {
  names: string[] | null = null;
  rows = 0;
  private builders: ColumnBuilder[] = [];

  add(record: string[], line: number): void {
    if (this.names === null) {
      if (record.length > MAX_COLUMNS) throw tooManyColumns(record.length);
      this.names = uniqueNames(record.map((c) => c.trim()));
      this.builders = this.names.map((name) => new ColumnBuilder(name));
      return;
    }
    const d = this.names.length;
    if (record.length !== d) {
      // A line of spaces alone is a blank line, not a one-field row.
      if (record.length === 1 && record[0]!.trim() === "") return;
      const row = this.rows + 1;
      const missingColumn = record.length < d ? this.names[record.length] : undefined;
      throw new DatasetError(
        422,
        "ragged_row",
        `Data row ${row} (line ${line}) has ${record.length} field${
          record.length === 1 ? "" : "s"
        } but the header has ${d}` +
          (missingColumn === undefined ? "" : `; column "${missingColumn}" and after are missing`),
        { row, ...(missingColumn === undefined ? {} : { column: missingColumn }) },
      );
    }
    for (let j = 0; j < d; j++) this.builders[j]!.push(record[j]!);
    this.rows++;
  }

  finish(options: DatasetOptions): Dataset {
    if (this.names === null) throw emptyFile();
    if (this.rows === 0) {
      throw new DatasetError(422, "no_data_rows", "The CSV has a header but no data rows", {
        row: 1,
      });
    }
    const n = this.rows;
    return finishDataset(this.builders.map((b) => b.finish(n)), n, options);
  }
}
