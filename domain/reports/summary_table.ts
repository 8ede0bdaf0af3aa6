/**
 * Segment-level export tables (document 003 §1.6: `"columns": ["segment_name",
 * "total_customers", "avg_purchase_amount"]` with `"filters": {"min_customers": 10}`): one row
 * per segment with the segment's own figures, beside the customer-level exports of
 * `domain/workflow/export_tables.ts`. Plain records in, header and rows out; `toCsv` writes them.
 *
 * @module
 */
import type { CsvCell } from "./csv_export.ts";

/** The two levels of an export: one row per customer, or one per segment. */
export const EXPORT_LEVELS = ["customers", "segments"] as const;
export type ExportLevel = typeof EXPORT_LEVELS[number];

/** Options of `summaryTable`. */
export interface SummaryTableOptions {
  /** Keep only these fields, in this order; every name must be a field of the segments. */
  columns?: readonly string[];
  /** Keep only segments whose `total_customers` is at least this. */
  minCustomers?: number;
}

/** The field a segment's size is read from by `minCustomers`. */
export const SIZE_FIELD = "total_customers";

/**
 * The fields of `segments` that hold a scalar (text, number, boolean or null) in some segment,
 * in order of first appearance: the columns a segment-level export can have.
 */
export function summaryFields(segments: readonly Readonly<Record<string, unknown>>[]): string[] {
  const fields = new Set<string>();
  for (const segment of segments) {
    for (const [key, value] of Object.entries(segment)) {
      if (isScalar(value)) fields.add(key);
    }
  }
  return [...fields];
}

/**
 * One row per segment of `segments` (flat records, `flattenScalars`): the fields named in
 * `options.columns` (default: every `summaryFields` field), of the segments with at least
 * `options.minCustomers` customers (`SIZE_FIELD`). A field a segment lacks is null; booleans
 * are written `true`/`false`.
 *
 * @throws {RangeError} on a column that is not a field of the segments (naming the fields),
 *   or a `minCustomers` that is not a non-negative integer (naming `min_customers`).
 *
 * @example
 * ```ts
 * import { summaryTable } from "./summary_table.ts";
 * const t = summaryTable(
 *   [{ segment_name: "Gold", total_customers: 12 }, { segment_name: "Bronze", total_customers: 3 }],
 *   { columns: ["segment_name"], minCustomers: 10 },
 * );
 * if (JSON.stringify(t) !== '{"header":["segment_name"],"rows":[["Gold"]]}') throw new Error();
 * ```
 */
export function summaryTable(
  segments: readonly Readonly<Record<string, unknown>>[],
  options: SummaryTableOptions = {},
): { header: string[]; rows: CsvCell[][] } {
  const min = options.minCustomers ?? 0;
  if (!Number.isInteger(min) || min < 0) {
    throw new RangeError(`Expected min_customers to be a non-negative integer but found ${min}`);
  }
  const fields = summaryFields(segments);
  const header = options.columns ? [...options.columns] : fields;
  const known = new Set(fields);
  const unknown = header.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new RangeError(
      `Expected columns among the segments' fields ${fields.join(", ")} but found ` +
        unknown.map((name) => JSON.stringify(name)).join(", "),
    );
  }
  const rows = segments
    .filter((s) => min === 0 || (typeof s[SIZE_FIELD] === "number" && s[SIZE_FIELD] >= min))
    .map((s) => header.map((name) => cell(s[name])));
  return { header, rows };
}

/**
 * `record` with the scalar fields of its nested objects lifted to the top (one level deep: a
 * nested object's own objects and every array are left out), the record's own scalar fields
 * first and winning a clash: `{a: 1, m: {b: 2, a: 3, r: {…}}, list: […]}` → `{a: 1, b: 2}`.
 */
export function flattenScalars(record: object): Record<string, CsvCell | boolean> {
  const flat: Record<string, CsvCell | boolean> = {};
  const put = (key: string, value: unknown) => {
    if (isScalar(value) && !Object.hasOwn(flat, key)) {
      Object.defineProperty(flat, key, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  };
  for (const [key, value] of Object.entries(record)) put(key, value);
  for (const value of Object.values(record)) {
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      for (const [key, inner] of Object.entries(value)) put(key, inner);
    }
  }
  return flat;
}

/**
 * The level an export request asks for: `level` when given; else `segments` when every named
 * column is a segment field and one of them is not a customer-level column (document 003's
 * example names `total_customers` and `avg_purchase_amount`); else `customers`.
 */
export function exportLevel(
  level: ExportLevel | undefined,
  columns: readonly string[] | undefined,
  segmentFields: readonly string[],
  customerFields: readonly string[],
): ExportLevel {
  if (level !== undefined) return level;
  if (columns === undefined || columns.length === 0) return "customers";
  const segment = new Set(segmentFields), customer = new Set(customerFields);
  return columns.every((c) => segment.has(c)) && columns.some((c) => !customer.has(c))
    ? "segments"
    : "customers";
}

function isScalar(value: unknown): value is string | number | boolean | null {
  return value === null || typeof value === "string" || typeof value === "number" ||
    typeof value === "boolean";
}

function cell(value: unknown): CsvCell {
  if (typeof value === "boolean") return String(value);
  return typeof value === "string" || typeof value === "number" ? value : null;
}
