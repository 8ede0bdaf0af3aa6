/**
 * Datasets from uploads (DESIGN.md "Dataset", document 004's `POST /api/upload`): a CSV byte
 * stream or JSON records become typed columns (`dataset_types.ts`), with a guessed column map
 * that a client may override. See docs/datasets.md for the rules and the four sample files' maps.
 *
 * Decisions, each for a reason:
 * - **Streaming**: the bytes go through `csv-parse`'s streaming parser chunk by chunk; each
 *   record is folded into its columns as it is parsed (`on_record` returns null, so the parser
 *   queues nothing), and a numeric column is held as float64, with the original text kept only
 *   where it differs from the number's own spelling (`"1.50"`, `"007"`). So the memory beyond the
 *   columns is one chunk and one record, and an over-long upload stops at `maxBytes`.
 * - **Delimiter**: `,`, `;` or tab, whichever occurs most often outside quotes in the header
 *   line (ties go to `,`), as `table.ts` does.
 * - **Header**: names are trimmed; an empty one becomes `column_<position>` and a repeated one
 *   gets `.1`, `.2`, … (as pandas and `preprocess.recordsFromTable` name them), so no value is
 *   lost.
 * - **Missing**: blank, `NA`, `N/A`, `#N/A`, `<NA>`, `null`, `NaN` (any case) are missing in any
 *   column; in a numeric or date column `None`, `nil`, `-` and `?` are missing too, while in a
 *   categorical column they stay levels (`"None"` can be a real answer), as in `preprocess.ts`.
 * - **Kinds**: numeric when every present value reads as a finite decimal number (not `0x1A`:
 *   codes, not quantities, as in `preprocess.ts`); id when the name looks like an id
 *   (`preprocess.isIdName`) and every value is present and unique (integers when numeric; the
 *   values are then kept as text); date when every present value is a date of one layout
 *   (`yyyy-mm-dd`, or `dd-mm-yyyy` / `mm-dd-yyyy` with `-`, `/` or `.`, optionally with a time);
 *   categorical otherwise. A column named like an id whose values are not unique (or not all
 *   present) is a reference to something else (a store, a region) and is typed categorical when
 *   its values are text or integers, as in `preprocess.ts`.
 *   Booleans stay categorical text (`true`/`false`); preprocessing one-hots or reads them later.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { CsvError, type InfoRecord, Parser } from "csv-parse";
import { isIdName, MAX_COLUMNS, uniqueNames } from "../segmentation/preprocess.ts";
import {
  COLUMN_ROLES,
  type ColumnKind,
  type ColumnMap,
  type ColumnRole,
  type Dataset,
  type DatasetColumn,
  type NumericColumn,
  type TextColumn,
} from "./types.ts";

/** Machine names of the ways an input can be refused. */
export type DatasetErrorCode =
  | "empty_file"
  | "no_data_rows"
  | "ragged_row"
  | "invalid_csv"
  | "invalid_encoding"
  | "payload_too_large"
  | "no_numeric_columns"
  | "too_many_columns"
  | "row_too_large"
  | "invalid_record"
  | "nested_value"
  | "invalid_value"
  | "unknown_column"
  | "invalid_column_map"
  | "column_not_numeric"
  | "invalid_id_column";

/**
 * Input that cannot become a dataset. `status` is the HTTP status it deserves (400: not CSV
 * text at all; 413: too large; 422: readable but unusable); `row` is the 1-based data row
 * (the header is row 0) and `column` the column's name, where the problem has a place.
 */
export class DatasetError extends Error {
  readonly row?: number;
  readonly column?: string;
  constructor(
    readonly status: 400 | 413 | 422,
    readonly code: DatasetErrorCode,
    message: string,
    where: { row?: number; column?: string } = {},
  ) {
    super(message);
    this.name = "DatasetError";
    if (where.row !== undefined) this.row = where.row;
    if (where.column !== undefined) this.column = where.column;
  }
}

/**
 * A client's changes to the guessed column map: a role set to a column name replaces the guess,
 * set to null removes it, absent keeps it. `products` replaces the product list. `incomeScale`
 * overrides the income multiplier (otherwise guessed from the income column's name).
 */
export type ColumnMapOverride =
  & { readonly [R in ColumnRole]?: string | null }
  & { readonly products?: readonly string[] | null; readonly incomeScale?: number | null };

/** Options of `datasetFromRecords` (and `parseCsvStream`). */
export interface DatasetOptions {
  /** A file name or a label given by the client. */
  name: string;
  /** Epoch ms, the dataset's `createdAt`. */
  now: number;
  /** The dataset id; a fresh `newDatasetId()` when absent. */
  id?: string;
  /** Applied over the guessed map with `applyColumnMap`. */
  columnMap?: ColumnMapOverride;
}

/** Options of `parseCsvStream`. */
export interface CsvStreamOptions extends DatasetOptions {
  /** The most bytes read before giving up with 413 (default: no limit). */
  maxBytes?: number;
}

/** What `guessColumnMap` returns. */
export interface GuessedColumnMap {
  readonly columnMap: ColumnMap;
  /** 1000 when the income column's name says thousands (`k$`, `(k)`, `thousand`), else 1. */
  readonly incomeScale: number;
}

/** A column as `guessColumnMap` sees it: a name, with its kind when known. */
export type ColumnInfo = string | { readonly name: string; readonly kind?: ColumnKind };

/** The roles whose column must be numeric (products too). */
export const NUMERIC_ROLES: readonly ColumnRole[] = [
  "age",
  "income",
  "spending_score",
  "purchase_amount",
  "purchase_frequency",
  "lifespan",
  "recency",
];

/** The longest record (characters over all fields) accepted: a guard against a runaway quote. */
export const MAX_RECORD_CHARS = 1 << 20;

/** A new dataset id: `ds_` and 24 random hex digits. */
export function newDatasetId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return "ds_" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

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
 * import { parseCsvStream } from "./parse.ts";
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

/**
 * A dataset from JSON records (objects of scalars), typed by the same rules as a CSV: numbers
 * stay numbers, strings are read as a CSV cell would be, booleans become `"true"`/`"false"`
 * text, null and absent fields are missing. Columns come in order of first appearance.
 *
 * @throws {DatasetError} 422 `empty_file` for no records; `invalid_record` for a record that is
 *   not an object; `nested_value` for an object or array value and `invalid_value` for a
 *   non-finite number (each naming `records[i].field`, `row` = i + 1); `too_many_columns`,
 *   `no_numeric_columns`, or an override's errors (see `applyColumnMap`).
 */
export function datasetFromRecords(
  records: readonly Record<string, unknown>[],
  options: DatasetOptions,
): Dataset {
  if (!Array.isArray(records) || records.length === 0) {
    throw new DatasetError(422, "empty_file", "Expected at least one record but found none");
  }
  const index = new Map<string, ColumnBuilder>();
  const builders: ColumnBuilder[] = [];
  for (let i = 0; i < records.length; i++) {
    const record: unknown = records[i];
    if (record === null || typeof record !== "object" || Array.isArray(record)) {
      throw new DatasetError(
        422,
        "invalid_record",
        `Expected records[${i}] to be an object of fields but found ${describe(record)}`,
        { row: i + 1 },
      );
    }
    for (const [field, value] of Object.entries(record)) {
      let b = index.get(field);
      if (!b) {
        if (builders.length >= MAX_COLUMNS) throw tooManyColumns(builders.length + 1);
        b = new ColumnBuilder(field);
        index.set(field, b);
        builders.push(b);
      }
      b.pushAt(i, cellOf(value, i, field));
    }
  }
  const n = records.length;
  return finishDataset(builders.map((b) => b.finish(n)), n, options);
}

/**
 * Guesses which column plays which role from the names alone (case, spaces and punctuation
 * ignored; camelCase split), first matching column wins, one role per column. When kinds are
 * given, numeric roles and products take only numeric columns, gender and region no id column,
 * and customer_id is the first id column. `Year_Birth` is not an age (no column is derived).
 *
 * @example
 * ```ts
 * import { guessColumnMap } from "./parse.ts";
 * const g = guessColumnMap(["CustomerID", "Gender", "Age", "Annual Income (k$)"]);
 * if (g.columnMap.income !== "Annual Income (k$)" || g.incomeScale !== 1000) throw new Error();
 * ```
 */
export function guessColumnMap(columns: readonly ColumnInfo[]): GuessedColumnMap {
  const infos = columns.map((c) => typeof c === "string" ? { name: c } : c);
  const taken = new Set<string>();
  const map: { -readonly [R in ColumnRole]?: string } & { products?: string[] } = {};
  const idColumn = infos.find((c) => c.kind === undefined ? isIdName(c.name) : c.kind === "id");
  if (idColumn) {
    map.customer_id = idColumn.name;
    taken.add(idColumn.name);
  }
  const named = infos.map((c) => ({ ...c, words: words(c.name) }));
  for (const [role, test] of ROLE_RULES) {
    const numeric = NUMERIC_ROLES.includes(role);
    const hit = named.find((c) => !taken.has(c.name) && fits(c.kind, numeric) && test(c.words));
    if (hit) {
      map[role] = hit.name;
      taken.add(hit.name);
    }
  }
  const products = named
    .filter((c) => !taken.has(c.name) && fits(c.kind, true) && isProduct(c.words))
    .map((c) => c.name);
  if (products.length > 0) map.products = products;
  return {
    columnMap: map,
    incomeScale: map.income === undefined ? 1 : guessIncomeScale(map.income),
  };
}

/**
 * A copy of `dataset` with `override` applied over its column map (see `ColumnMapOverride`).
 * Mapping `customer_id` to a numeric or categorical column makes it an id column (text) and
 * renumbers `ids`; changing `income` re-guesses `incomeScale` unless the override gives one.
 *
 * @throws {DatasetError} 422 `invalid_column_map` for an unknown role, a value that is not a
 *   column name or null, or an `incomeScale` that is not a positive number; `unknown_column`
 *   naming a column the dataset lacks; `column_not_numeric` for a numeric role or product on a
 *   text column; `invalid_id_column` for a customer_id column with a missing or repeated value
 *   (naming the row); `no_numeric_columns` when the change leaves no numeric column.
 */
export function applyColumnMap(dataset: Dataset, override: ColumnMapOverride): Dataset {
  if (override === null || typeof override !== "object" || Array.isArray(override)) {
    throw new DatasetError(422, "invalid_column_map", "Expected the column map to be an object");
  }
  const byName = new Map(dataset.columns.map((c) => [c.name, c]));
  const known = (role: string, value: unknown): DatasetColumn => {
    if (typeof value !== "string") {
      throw new DatasetError(
        422,
        "invalid_column_map",
        `Expected column map role "${role}" to be a column name or null but found ${
          describe(value)
        }`,
      );
    }
    const column = byName.get(value);
    if (!column) {
      throw new DatasetError(
        422,
        "unknown_column",
        `Column map role "${role}" names column "${value}", which the dataset lacks; its columns are: ${
          dataset.columns.map((c) => c.name).join(", ")
        }`,
        { column: value },
      );
    }
    return column;
  };
  const numeric = (role: string, column: DatasetColumn): void => {
    if (column.kind !== "numeric") {
      throw new DatasetError(
        422,
        "column_not_numeric",
        `Column map role "${role}" needs a numeric column but "${column.name}" is ${column.kind}`,
        { column: column.name },
      );
    }
  };

  const map: Record<string, unknown> = { ...dataset.columnMap };
  let incomeScale = dataset.incomeScale;
  let columns = dataset.columns;
  for (const [key, value] of Object.entries(override)) {
    if (key === "incomeScale") continue;
    if (key !== "products" && !(COLUMN_ROLES as readonly string[]).includes(key)) {
      throw new DatasetError(
        422,
        "invalid_column_map",
        `Unknown column map role "${key}"; the roles are: ${
          [...COLUMN_ROLES, "products"].join(", ")
        }`,
      );
    }
    if (value === null || value === undefined) {
      if (value === null) delete map[key];
      if (key === "income" && value === null) incomeScale = 1;
      continue;
    }
    if (key === "products") {
      if (!Array.isArray(value)) {
        throw new DatasetError(
          422,
          "invalid_column_map",
          `Expected column map "products" to be a list of column names but found ${
            describe(value)
          }`,
        );
      }
      const names = [...new Set(value as unknown[])].map((v) => {
        const c = known("products", v);
        numeric("products", c);
        return c.name;
      });
      if (names.length === 0) delete map.products;
      else map.products = names;
      continue;
    }
    const column = known(key, value);
    if (NUMERIC_ROLES.includes(key as ColumnRole)) numeric(key, column);
    if (key === "customer_id") columns = asIdColumn(columns, column);
    if (key === "income" && value !== dataset.columnMap.income) {
      incomeScale = guessIncomeScale(column.name);
    }
    map[key] = column.name;
  }
  const scale = override.incomeScale;
  if (scale !== undefined && scale !== null) {
    if (typeof scale !== "number" || !Number.isFinite(scale) || scale <= 0) {
      throw new DatasetError(
        422,
        "invalid_column_map",
        `Expected incomeScale to be a positive number but found ${describe(scale)}`,
      );
    }
    incomeScale = scale;
  }
  const columnMap = map as ColumnMap;
  requireNumeric(columns);
  return {
    ...dataset,
    columns,
    columnMap,
    incomeScale,
    ids: idsOf(columns, columnMap, dataset.rowCount),
  };
}

// ---------------------------------------------------------------------------------------------
// Streaming

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
function detectDelimiter(line: string): string {
  const counts: Record<string, number> = { ",": 0, ";": 0, "\t": 0 };
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch in counts) counts[ch]!++;
  }
  let best = ",";
  for (const d of [";", "\t"]) if (counts[d]! > counts[best]!) best = d;
  return best;
}

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

function tooManyColumns(found: number): DatasetError {
  return new DatasetError(
    422,
    "too_many_columns",
    `Expected at most ${MAX_COLUMNS} columns but found ${found}`,
  );
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

// ---------------------------------------------------------------------------------------------
// Columns

const MISSING = new Set(["", "na", "n/a", "#n/a", "<na>", "null", "nan"]);
const NUMERIC_MISSING = new Set([...MISSING, "none", "nil", "-", "?"]);

function isMissing(t: string): boolean {
  return t.length <= 4 && MISSING.has(t.toLowerCase());
}

function isNumericMissing(t: string): boolean {
  return t.length <= 4 && NUMERIC_MISSING.has(t.toLowerCase());
}

/** A decimal number (surrounding spaces allowed), or NaN; `0x…`, `0o…`, `0b…` are codes. */
function parseNumber(s: string): number {
  const x = Number(s);
  if (!Number.isFinite(x) || s.trim() === "") return NaN;
  const t = s.trim();
  if (t.length > 2 && t.charCodeAt(0) === 48) {
    const c = t.charCodeAt(1) | 32;
    if (c === 120 || c === 111 || c === 98) return NaN;
  }
  return x;
}

/**
 * One column's values as they arrive: float64 while every value is a number or missing, with
 * the original text of the few values a number would not spell back; text from the first
 * value that is not a number on.
 */
class ColumnBuilder {
  private numbers: Float64Array | null = new Float64Array(64);
  private texts: (string | null)[] | null = null;
  private exceptions = new Map<number, string>();
  private length = 0;

  constructor(readonly name: string) {}

  push(cell: string | number | null): void {
    this.pushAt(this.length, cell);
  }

  /** Sets row `i` (rows skipped since the last call are missing). */
  pushAt(i: number, cell: string | number | null): void {
    while (this.length < i) this.set(this.length, null);
    this.set(i, cell);
  }

  finish(n: number): DatasetColumn {
    while (this.length < n) this.set(this.length, null);
    const name = this.name;
    if (this.numbers) {
      const values = this.numbers.slice(0, n);
      let present = 0;
      let integers = true;
      for (let i = 0; i < n; i++) {
        const v = values[i]!;
        if (v === v) {
          present++;
          if (integers && !Number.isInteger(v)) integers = false;
        }
      }
      // Integers under an id name are codes: the customer's when unique and complete, else
      // a store's or a region's, which are categories and not quantities.
      const code = present > 0 && integers && isIdName(name);
      if (present > 0 && !code) {
        return { name, kind: "numeric", values, missing: n - present } satisfies NumericColumn;
      }
      if (code && present === n && new Set(values).size === n) {
        return { name, kind: "id", values: this.toText(), missing: 0 };
      }
    }
    return textColumn(name, this.toText());
  }

  private set(i: number, cell: string | number | null): void {
    this.length = i + 1;
    if (this.numbers) {
      if (i >= this.numbers.length) {
        const grown = new Float64Array(this.numbers.length * 2);
        grown.set(this.numbers);
        this.numbers = grown;
      }
      if (cell === null) {
        this.numbers[i] = NaN;
        return;
      }
      if (typeof cell === "number") {
        this.numbers[i] = cell;
        return;
      }
      const x = parseNumber(cell);
      if (x === x) {
        this.numbers[i] = x;
        if (String(x) !== cell) this.exceptions.set(i, cell.trim());
        return;
      }
      const t = cell.trim();
      if (t === "" || isNumericMissing(t)) {
        this.numbers[i] = NaN;
        if (t !== "") this.exceptions.set(i, t);
        return;
      }
      this.texts = this.toText(i);
    }
    const texts = this.texts!;
    if (cell === null) texts.push(null);
    else if (typeof cell === "number") texts.push(String(cell));
    else {
      const t = cell.trim();
      texts.push(t === "" ? null : this.intern(t));
    }
  }

  // Categories repeat ("Female" 100,000 times): one string per distinct value, not per row.
  private interned = new Map<string, string>();
  private intern(t: string): string {
    if (t.length > 64) return t;
    const known = this.interned.get(t);
    if (known !== undefined) return known;
    if (this.interned.size < 100_000) this.interned.set(t, t);
    return t;
  }

  // The first `count` values as text, leaving the float64 form behind for good.
  private toText(count = this.length): (string | null)[] {
    if (!this.numbers) return this.texts!;
    const out: (string | null)[] = new Array(count);
    for (let i = 0; i < count; i++) {
      const v = this.numbers[i]!;
      out[i] = this.exceptions.get(i) ?? (v === v ? String(v) : null);
    }
    this.numbers = null;
    this.exceptions.clear();
    return out;
  }
}

function textColumn(name: string, raw: (string | null)[]): TextColumn {
  const n = raw.length;
  let missing = 0;
  const values = raw.map((t) => (t === null || isMissing(t) ? null : t));
  for (const v of values) if (v === null) missing++;
  if (missing === 0 && isIdName(name) && new Set(values).size === n) {
    return { name, kind: "id", values, missing: 0 };
  }
  if (missing < n && isDateColumn(values)) {
    const dates = values.map((t) => (t === null || isNumericMissing(t) ? null : t));
    return { name, kind: "date", values: dates, missing: dates.filter((v) => v === null).length };
  }
  return { name, kind: "categorical", values, missing };
}

// The layouts `preprocess.ts` reads as dates.
const YEAR_FIRST =
  /^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?\s*(Z|[+-]\d{2}:?\d{2})?)?$/i;
const YEAR_LAST =
  /^(\d{1,2})([-/.])(\d{1,2})\2(\d{4})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?)?$/;

/** Every present value a date of one layout; day-first and month-first may not both be seen. */
function isDateColumn(values: readonly (string | null)[]): boolean {
  let layout: "ymd" | "xxy" | null = null;
  let firstAbove12 = false;
  let secondAbove12 = false;
  let seen = 0;
  for (const v of values) {
    if (v === null || isNumericMissing(v)) continue;
    const m: RegExpExecArray | null = (layout !== "xxy" ? YEAR_FIRST.exec(v) : null) ??
      (layout !== "ymd" ? YEAR_LAST.exec(v) : null);
    if (!m) return false;
    const l: "ymd" | "xxy" = m[1]!.length === 4 ? "ymd" : "xxy";
    layout ??= l;
    const a = Number(m[l === "ymd" ? 3 : 1]);
    const b = Number(m[l === "ymd" ? 4 : 3]);
    if (l === "ymd") {
      if (a < 1 || a > 12 || b < 1 || b > 31) return false;
    } else {
      if (a < 1 || a > 31 || b < 1 || b > 31) return false;
      if (a > 12) firstAbove12 = true;
      if (b > 12) secondAbove12 = true;
      if (firstAbove12 && secondAbove12) return false;
    }
    seen++;
  }
  return seen > 0;
}

function cellOf(value: unknown, i: number, field: string): string | number | null {
  switch (typeof value) {
    case "undefined":
      return null;
    case "string":
      return value;
    case "number":
      if (!Number.isFinite(value)) {
        throw new DatasetError(
          422,
          "invalid_value",
          `Expected a finite number in records[${i}].${field} but found ${value}`,
          { row: i + 1, column: field },
        );
      }
      return value;
    case "boolean":
      return String(value);
    case "bigint":
      return String(value);
    default:
      if (value === null) return null;
      throw new DatasetError(
        422,
        "nested_value",
        `Expected a number, string, boolean or null in records[${i}].${field} but found ${
          describe(value)
        }; nested values are not supported`,
        { row: i + 1, column: field },
      );
  }
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return "an object";
  if (typeof v === "string") return `"${v.length > 40 ? v.slice(0, 40) + "…" : v}"`;
  return String(v);
}

// ---------------------------------------------------------------------------------------------
// Dataset

function finishDataset(
  columns: DatasetColumn[],
  rowCount: number,
  options: DatasetOptions,
): Dataset {
  const guessed = guessColumnMap(columns);
  const base: Dataset = {
    id: options.id ?? newDatasetId(),
    name: options.name,
    createdAt: options.now,
    rowCount,
    columns,
    columnMap: guessed.columnMap,
    ids: idsOf(columns, guessed.columnMap, rowCount),
    incomeScale: guessed.incomeScale,
  };
  if (options.columnMap) return applyColumnMap(base, options.columnMap);
  requireNumeric(columns);
  return base;
}

function requireNumeric(columns: readonly DatasetColumn[]): void {
  if (columns.some((c) => c.kind === "numeric")) return;
  throw new DatasetError(
    422,
    "no_numeric_columns",
    "Expected at least one numeric column but found none (" +
      columns.map((c) => `"${c.name}": ${c.kind}`).join(", ") +
      "); segmentation needs numbers such as age, income or spend",
  );
}

function idsOf(columns: readonly DatasetColumn[], map: ColumnMap, n: number): string[] {
  const column = map.customer_id === undefined
    ? undefined
    : columns.find((c) => c.name === map.customer_id);
  if (column && column.kind !== "numeric") return column.values.map((v) => v ?? "");
  return Array.from({ length: n }, (_, i) => String(i + 1));
}

// The columns with `column` turned into an id column, checked to be present and unique.
function asIdColumn(columns: readonly DatasetColumn[], column: DatasetColumn): DatasetColumn[] {
  const values: (string | null)[] = column.kind === "numeric"
    ? Array.from(column.values, (v) => (v === v ? String(v) : null))
    : [...column.values];
  const seen = new Map<string, number>();
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) {
      throw new DatasetError(
        422,
        "invalid_id_column",
        `Column "${column.name}" cannot be the customer id: data row ${i + 1} has no value`,
        { row: i + 1, column: column.name },
      );
    }
    const first = seen.get(v);
    if (first !== undefined) {
      throw new DatasetError(
        422,
        "invalid_id_column",
        `Column "${column.name}" cannot be the customer id: data row ${
          i + 1
        } repeats "${v}" of row ${first}`,
        { row: i + 1, column: column.name },
      );
    }
    seen.set(v, i + 1);
  }
  const id: TextColumn = { name: column.name, kind: "id", values, missing: 0 };
  return columns.map((c) => (c.name === column.name ? id : c));
}

// ---------------------------------------------------------------------------------------------
// Column map guesses

/** A name as lower-case words (camelCase and punctuation split) and as one run of letters. */
interface Words {
  readonly list: readonly string[];
  readonly flat: string;
}

function words(name: string): Words {
  const list = name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== "");
  return { list, flat: list.join("") };
}

function fits(kind: ColumnKind | undefined, numeric: boolean): boolean {
  if (kind === undefined) return true;
  return numeric ? kind === "numeric" : kind !== "id";
}

const REGION_WORDS = new Set([
  "region",
  "country",
  "city",
  "state",
  "province",
  "territory",
  "location",
]);
const PURCHASE_AMOUNT = new Set([
  "purchaseamount",
  "purchasesamount",
  "amountspent",
  "amountspend",
  "totalspend",
  "totalspent",
  "totalspending",
  "totalamount",
  "totalpurchaseamount",
  "monetary",
  "monetaryvalue",
  "purchases",
  "spend",
  "spending",
  "sales",
  "totalsales",
  "revenue",
]);
// Per-year counts only: `PURCHASES_FREQUENCY` (cc_general) is a 0–1 score and is left unmapped.
const PURCHASE_FREQUENCY = new Set([
  "frequency",
  "purchasefrequency",
  "orderfrequency",
  "numpurchases",
  "numberofpurchases",
  "purchasecount",
  "ordercount",
  "numorders",
  "numberoforders",
  "totalorders",
  "orders",
  "transactions",
  "numtransactions",
]);
const RECENCY = new Set([
  "recency",
  "dayssincelastpurchase",
  "dayssincelastorder",
  "lastpurchasedays",
]);
// Names that say years: a bare `tenure` is as often months (cc_general's `TENURE`), and CLV
// would be twelve times too large; the CLV rule then uses its default lifespan.
const LIFESPAN = new Set([
  "lifespan",
  "customerlifespan",
  "tenureyears",
  "lifespanyears",
  "yearsascustomer",
]);
const PRODUCTS = new Set([
  "fresh",
  "milk",
  "grocery",
  "frozen",
  "detergentspaper",
  "delicassen",
  "delicatessen",
]);

/** In the order the roles are tried; customer_id is decided first, products last. */
const ROLE_RULES: readonly [ColumnRole, (w: Words) => boolean][] = [
  ["gender", (w) => w.list.some((x) => x === "gender" || x === "sex")],
  ["region", (w) => w.list.some((x) => REGION_WORDS.has(x))],
  ["age", (w) => w.list.includes("age")],
  ["income", (w) => w.list.some((x) => x === "income" || x === "salary")],
  [
    "spending_score",
    (w) => w.list.includes("score") && w.list.some((x) => x.startsWith("spend")),
  ],
  ["purchase_amount", (w) => PURCHASE_AMOUNT.has(w.flat) || w.flat.startsWith("purchaseamount")],
  ["purchase_frequency", (w) => PURCHASE_FREQUENCY.has(w.flat)],
  ["recency", (w) => w.list.includes("recency") || RECENCY.has(w.flat)],
  ["lifespan", (w) => LIFESPAN.has(w.flat)],
];

function isProduct(w: Words): boolean {
  return (w.list[0] === "mnt" && w.list.length > 1) || PRODUCTS.has(w.flat);
}

/** 1000 for an income column named in thousands (`k$`, `(k)`, `thousand(s)`, `'000`), else 1. */
function guessIncomeScale(name: string): number {
  const w = words(name).list;
  const lower = name.toLowerCase();
  return w.includes("k") || w.includes("thousand") || w.includes("thousands") ||
      lower.includes("k$") || lower.includes("'000")
    ? 1000
    : 1;
}
