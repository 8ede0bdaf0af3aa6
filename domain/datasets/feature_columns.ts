/**
 * Which of a dataset's columns a clustering reads when the client names its features: each
 * name is a column or a mapped role (`income` → `Annual Income (k$)`), and the customer id
 * column always travels with the features, so the run keeps the dataset's customer ids.
 *
 * @module
 */
import { type PlainTable, toPlainTable } from "./plain_table.ts";
import { COLUMN_ROLES, columnByName, type ColumnRole, type Dataset } from "./types.ts";

/** `resolveFeatures`' answer: the columns named, and the names that are neither. */
export interface ResolvedFeatures {
  /** Column names, once each, in the order first named. */
  readonly columns: readonly string[];
  /** The names that are neither a column nor a role the column map maps, as given. */
  readonly unknown: readonly string[];
}

/**
 * The columns of `dataset` that `features` name: a column's own name wins over a role of the
 * same name; a role names the column the map gives it. Names that resolve to nothing are
 * returned in `unknown` for the caller to refuse (the request decides how).
 */
export function resolveFeatures(dataset: Dataset, features: readonly string[]): ResolvedFeatures {
  const unknown: string[] = [];
  const columns = new Set<string>();
  for (const f of features) {
    if (columnByName(dataset, f)) columns.add(f);
    else {
      const mapped = isRole(f) ? dataset.columnMap[f] : undefined;
      if (mapped === undefined) unknown.push(f);
      else columns.add(mapped);
    }
  }
  return { columns: [...columns], unknown };
}

/**
 * The table a clustering of `dataset` reads, as plain data: every column, or with `columns`
 * (names of the dataset's columns, `resolveFeatures`) the customer id column and those.
 */
export function featureTable(dataset: Dataset, columns?: readonly string[]): PlainTable {
  if (columns === undefined) return toPlainTable(dataset);
  const id = dataset.columnMap.customer_id;
  return toPlainTable(dataset, id === undefined ? columns : [id, ...columns]);
}

function isRole(name: string): name is ColumnRole {
  return (COLUMN_ROLES as readonly string[]).includes(name);
}
