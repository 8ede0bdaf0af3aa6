/**
 * JSON records (the bodies of documents 000–002, a client's `records`) typed into columns by
 * the same rules as a CSV upload: numbers stay numbers, strings are read as a CSV cell would be,
 * booleans become `"true"`/`"false"` text, null and absent fields are missing, and columns come
 * in order of first appearance.
 *
 * @module
 */
import { type Cell, ColumnBuilder } from "./column_builder.ts";
import { type DatasetOptions, finishDataset } from "./dataset.ts";
import { DatasetError, tooManyColumns } from "./errors.ts";
import type { ColumnTable, Dataset } from "./types.ts";
import { describeValue as describe, MAX_COLUMNS } from "./values.ts";

/**
 * The typed columns of `records`. Errors name the field and the 0-based record both ways
 * (`field "a" of record 2 (records[2].a)`), with `row` = record + 1.
 *
 * @throws {DatasetError} 422 `empty_file` for no records; `invalid_record` for a record that is
 *   not an object; `nested_value` for an object or array value; `invalid_value` for a
 *   non-finite number; `too_many_columns` past `MAX_COLUMNS` fields.
 *
 * @example
 * ```ts
 * import { columnsFromRecords } from "./records.ts";
 * const t = columnsFromRecords([{ id: "a", age: 30 }, { id: "b", age: null }]);
 * if (t.columns[0]!.kind !== "id" || t.columns[1]!.missing !== 1) throw new Error();
 * ```
 */
export function columnsFromRecords(records: readonly Record<string, unknown>[]): ColumnTable {
  if (!Array.isArray(records) || records.length === 0) {
    throw new DatasetError(422, "empty_file", "Expected at least one record but found none");
  }
  const n = records.length;
  const index = new Map<string, ColumnBuilder>();
  const builders: ColumnBuilder[] = [];
  // Records usually share one layout: a record with the previous record's keys reuses their
  // builders and is read with `Object.values`, with no map lookup per cell.
  let layout: string[] = [];
  let layoutBuilders: ColumnBuilder[] = [];
  for (let i = 0; i < n; i++) {
    const record: unknown = records[i];
    if (record === null || typeof record !== "object" || Array.isArray(record)) {
      throw new DatasetError(
        422,
        "invalid_record",
        `Expected record ${i} (records[${i}]) to be an object of fields but found ${
          describe(record)
        }`,
        { row: i + 1 },
      );
    }
    const keys = Object.keys(record);
    if (!sameKeys(keys, layout)) {
      layout = keys;
      layoutBuilders = keys.map((field) => {
        let b = index.get(field);
        if (!b) {
          if (builders.length >= MAX_COLUMNS) {
            throw tooManyColumns(builders.length + 1, { name: field, record: i });
          }
          b = new ColumnBuilder(field);
          index.set(field, b);
          builders.push(b);
        }
        return b;
      });
    }
    const cells = Object.values(record);
    for (let k = 0; k < cells.length; k++) {
      layoutBuilders[k]!.pushAt(i, cellOf(cells[k], i, layout[k]!));
    }
  }
  return { rowCount: n, columns: builders.map((b) => b.finish(n)) };
}

/**
 * A dataset from JSON records (objects of scalars), typed by `columnsFromRecords`.
 *
 * @throws {DatasetError} as `columnsFromRecords`; `no_numeric_columns`, or an override's errors
 *   (see `applyColumnMap`).
 */
export function datasetFromRecords(
  records: readonly Record<string, unknown>[],
  options: DatasetOptions,
): Dataset {
  const table = columnsFromRecords(records);
  return finishDataset([...table.columns], table.rowCount, options);
}

function sameKeys(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}

function cellOf(value: unknown, i: number, field: string): Cell {
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
          `Expected a finite number in field "${field}" of record ${i} (records[${i}].${field}) ` +
            `but found ${value}`,
          { row: i + 1, column: field },
        );
      }
      return value;
    case "boolean":
    case "bigint":
      return String(value);
    default:
      if (value === null) return null;
      throw new DatasetError(
        422,
        "nested_value",
        `Expected a number, string, boolean or null in field "${field}" of record ${i} ` +
          `(records[${i}].${field}) but found ${describe(value)}; nested values are not supported`,
        { row: i + 1, column: field },
      );
  }
}
