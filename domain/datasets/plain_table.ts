/**
 * A table of typed columns as plain JSON-safe data, for the segmentation tasks that carry a
 * dataset across a worker or into a job's stored request (JSON has no Float64Array and no
 * NaN). The columns keep their kinds, so nothing is typed again on the other side.
 *
 * @module
 */
import type { ColumnKind, ColumnTable, DatasetColumn } from "./types.ts";

/** One column: numbers (null missing) for a numeric column, text (null missing) otherwise. */
export interface PlainColumn {
  readonly name: string;
  readonly kind: ColumnKind;
  readonly values: readonly (number | null)[] | readonly (string | null)[];
}

/** A `ColumnTable` as plain data. */
export interface PlainTable {
  readonly rowCount: number;
  readonly columns: readonly PlainColumn[];
}

/**
 * `table` (a `Dataset`, say) as plain data. `columns` keeps only the named ones, in the order
 * named (a feature order chosen by a client is the order its profiles list); a name the table
 * lacks, or one named twice, is skipped.
 */
export function toPlainTable(table: ColumnTable, columns?: readonly string[]): PlainTable {
  const kept = columns === undefined ? table.columns : pick(table, columns);
  return {
    rowCount: table.rowCount,
    columns: kept.map((c) => ({
      name: c.name,
      kind: c.kind,
      values: c.kind === "numeric"
        ? Array.from(c.values, (v) => (v === v ? v : null))
        : [...c.values],
    })),
  };
}

/**
 * The typed columns of `plain`.
 *
 * @throws {RangeError} when a column's length is not `rowCount` or its values do not fit its
 *   kind.
 */
export function fromPlainTable(plain: PlainTable): ColumnTable {
  const n = plain.rowCount;
  const columns = plain.columns.map((c): DatasetColumn => {
    if (c.values.length !== n) {
      throw new RangeError(
        `Expected column "${c.name}" to hold ${n} values but found ${c.values.length}`,
      );
    }
    let missing = 0;
    if (c.kind === "numeric") {
      const values = new Float64Array(n);
      c.values.forEach((v, i) => {
        if (v === null) missing++;
        else if (typeof v !== "number") {
          throw new RangeError(`Expected a number in column "${c.name}" at row ${i + 1}`);
        }
        values[i] = v ?? NaN;
      });
      return { name: c.name, kind: "numeric", values, missing };
    }
    const values = c.values.map((v, i) => {
      if (v === null) missing++;
      else if (typeof v !== "string") {
        throw new RangeError(`Expected text in column "${c.name}" at row ${i + 1}`);
      }
      return v as string | null;
    });
    return { name: c.name, kind: c.kind, values, missing };
  });
  return { rowCount: n, columns };
}

function pick(table: ColumnTable, names: readonly string[]): DatasetColumn[] {
  const byName = new Map(table.columns.map((c) => [c.name, c]));
  const kept: DatasetColumn[] = [];
  for (const name of new Set(names)) {
    const column = byName.get(name);
    if (column) kept.push(column);
  }
  return kept;
}
