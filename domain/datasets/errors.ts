/**
 * The refusals of dataset input (uploads, records, column maps): one error class whose code,
 * HTTP status and place (data row, column) the routes answer with.
 *
 * @module
 */
import { MAX_COLUMNS } from "./values.ts";

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
