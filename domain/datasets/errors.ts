/**
 * The refusals of dataset input (uploads, records, column maps): one error class whose code,
 * HTTP status and place (data row, column) the routes answer with.
 *
 * @module
 */
import { describeValue, MAX_COLUMNS, outOfRangeAt } from "./values.ts";

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
  | "value_out_of_range"
  | "not_a_number"
  | "unknown_column"
  | "invalid_column_map"
  | "column_not_numeric"
  | "invalid_id_column";

/** One place of a problem found in many places (every ragged row, every stray value). */
export interface DatasetIssue {
  /** The 1-based data row. */
  row: number;
  /** The 1-based line of the file, for CSV. */
  line?: number;
  column?: string;
  message: string;
}

/** The most `DatasetIssue`s an error lists; `issueCount` counts them all. */
export const MAX_DATASET_ISSUES = 100;

/**
 * Input that cannot become a dataset. `status` is the HTTP status it deserves (400: not CSV
 * text at all; 413: too large; 422: readable but unusable); `row` is the 1-based data row
 * (the header is row 0) and `column` the column's name, where the problem has a place. A
 * problem found in several places lists the first `MAX_DATASET_ISSUES` in `issues` (the first
 * is also `row` and `column`), and counts them all in `issueCount`.
 */
export class DatasetError extends Error {
  readonly row?: number;
  readonly column?: string;
  readonly issues?: readonly DatasetIssue[];
  readonly issueCount?: number;
  constructor(
    readonly status: 400 | 413 | 422,
    readonly code: DatasetErrorCode,
    message: string,
    where: {
      row?: number;
      column?: string;
      issues?: readonly DatasetIssue[];
      issueCount?: number;
    } = {},
  ) {
    super(message);
    this.name = "DatasetError";
    if (where.row !== undefined) this.row = where.row;
    if (where.column !== undefined) this.column = where.column;
    if (where.issues !== undefined) {
      this.issues = where.issues.slice(0, MAX_DATASET_ISSUES);
      this.issueCount = Math.max(where.issueCount ?? 0, where.issues.length);
    }
  }
}

/**
 * The first `MAX_DATASET_ISSUES` problems of one kind, and how many there were: what a
 * reader that goes on past the first bad row keeps.
 */
export class IssueList {
  readonly issues: DatasetIssue[] = [];
  count = 0;

  add(issue: DatasetIssue): void {
    this.count++;
    if (this.issues.length < MAX_DATASET_ISSUES) this.issues.push(issue);
  }

  /** The error for every problem listed, led by the first (nothing when there were none). */
  toError(code: DatasetErrorCode): DatasetError | null {
    const first = this.issues[0];
    if (!first) return null;
    const more = this.count > 1 ? ` (and ${this.count - 1} more in details.issues)` : "";
    return new DatasetError(422, code, first.message + more, {
      row: first.row,
      ...(first.column === undefined ? {} : { column: first.column }),
      issues: this.issues,
      issueCount: this.count,
    });
  }
}

/** 422 `too_many_columns`: more than `MAX_COLUMNS` columns (`field` names the first beyond). */
export function tooManyColumns(
  found: number,
  field?: { name: string; record: number },
): DatasetError {
  return new DatasetError(
    422,
    "too_many_columns",
    field
      ? `Expected at most ${MAX_COLUMNS} fields but record ${field.record} brings field "${field.name}" beyond them`
      : `Expected at most ${MAX_COLUMNS} columns but found ${found}`,
  );
}

/**
 * Refuses a numeric column with a value beyond ±`MAX_MAGNITUDE` (the bound of `values.ts`),
 * for code that builds numeric columns without a `ColumnBuilder`.
 *
 * @throws {DatasetError} 422 `value_out_of_range` naming the column and the first such row.
 */
export function refuseOutOfRange(column: { name: string; values: ArrayLike<number> }): void {
  const i = outOfRangeAt(column.values);
  if (i >= 0) throw valueOutOfRange(column.name, i, column.values[i]!);
}

/**
 * 422 `value_out_of_range`: a numeric column holds `value` beyond ±`MAX_MAGNITUDE` at 0-based
 * index `i` (data row `i + 1`; in JSON, record `i`).
 */
export function valueOutOfRange(column: string, i: number, value: number): DatasetError {
  return new DatasetError(
    422,
    "value_out_of_range",
    `Expected numbers between -1e15 and 1e15 in column "${column}" but data row ${i + 1} ` +
      `holds ${value}, too large to compute on`,
    { row: i + 1, column },
  );
}

/**
 * 422 `not_a_number`: column `column` is numeric but for the values at 0-based `indices`
 * (`values.strayNonNumbers`), each listed with its data row.
 */
export function strayValues(
  column: string,
  indices: readonly number[],
  valueAt: (i: number) => string,
): DatasetError {
  const list = new IssueList();
  for (const i of indices) {
    list.add({
      row: i + 1,
      column,
      message: `Column "${column}" holds numbers, but data row ${i + 1} holds ${
        describeValue(valueAt(i))
      }, which is not a number; correct it, or leave the cell empty to mark it missing`,
    });
  }
  return list.toError("not_a_number")!;
}
