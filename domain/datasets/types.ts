/**
 * The in-memory shape of a tenant's dataset (docs/design.md, "Dataset"): customer records held as
 * typed columns, with the column map that says which columns mean what. Parsing (CSV, JSON
 * records), storage and the modules that read datasets (rule-based segments, insights, data
 * quality, exports) all share these types.
 *
 * @module
 */
import type { RoleCorrection } from "../description/roles.ts";
import { convertedColumn, type DerivableRole, derivedRole } from "./role_columns.ts";

/** What a column holds, as inferred from its values (and overridable). */
export type ColumnKind = "numeric" | "categorical" | "id" | "date";

/** A numeric column: missing values are NaN. */
export interface NumericColumn {
  readonly name: string;
  readonly kind: "numeric";
  readonly values: Float64Array;
  /** Count of missing (NaN) values. */
  readonly missing: number;
}

/** A text column (categorical, id or date): missing values are null; text is trimmed. */
export interface TextColumn {
  readonly name: string;
  readonly kind: "categorical" | "id" | "date";
  readonly values: readonly (string | null)[];
  readonly missing: number;
}

export type DatasetColumn = NumericColumn | TextColumn;

/**
 * The roles of the column map (docs/design.md, "Dataset"). `income` and money roles are in the
 * dataset's own unit (see `Dataset.incomeUnit`); `recency` is in days since the last purchase;
 * `purchase_frequency` is purchases per year unless the dataset says otherwise; `lifespan` in
 * years.
 */
export const COLUMN_ROLES = [
  "customer_id",
  "gender",
  "region",
  "age",
  "income",
  "spending_score",
  "purchase_amount",
  "purchase_frequency",
  "lifespan",
  "recency",
] as const;
export type ColumnRole = typeof COLUMN_ROLES[number];

/**
 * Which column plays which role (column names), plus the product columns (spend or counts per
 * product category, e.g. `MntWines`) used for product affinity, and the user's corrections of
 * each column's business role and unit (`columns`, docs/roles.md).
 */
export type ColumnMap = Partial<Record<ColumnRole, string>> & {
  readonly products?: readonly string[];
  readonly columns?: Readonly<Record<string, RoleCorrection>>;
};

/** Typed columns of `rowCount` values each: what preprocessing reads (a `Dataset` is one). */
export interface ColumnTable {
  readonly rowCount: number;
  readonly columns: readonly DatasetColumn[];
}

/** A dataset held in memory. Every column has `rowCount` values. */
export interface Dataset extends ColumnTable {
  readonly id: string;
  /** A file name or a label given by the client. */
  readonly name: string;
  /** Epoch ms. */
  readonly createdAt: number;
  readonly rowCount: number;
  /** In file order. */
  readonly columns: readonly DatasetColumn[];
  readonly columnMap: ColumnMap;
  /**
   * The customer id of every row: the `customer_id` column's text when the map has one, else
   * the 1-based row number as text.
   */
  readonly ids: readonly string[];
  /**
   * The multiplier that turns the income column into currency units (1000 when the column is
   * in thousands, e.g. `Annual Income (k$)`), 1 otherwise.
   */
  readonly incomeScale: number;
}

/** The column named `name`, or undefined. */
export function columnByName(dataset: Dataset, name: string): DatasetColumn | undefined {
  return dataset.columns.find((c) => c.name === name);
}

/**
 * The numbers playing `role`: the mapped column (in the role's unit: a tenure in months mapped
 * to `lifespan` is read in years), or, when the map names none, the measure the columns' business
 * roles combine into (`role_columns.ts`: age from Year_Birth, spend as the sum of Mnt*, …).
 * Undefined when neither is there or the mapped column is not numeric.
 */
export function numericRole(dataset: Dataset, role: ColumnRole): NumericColumn | undefined {
  const name = dataset.columnMap[role];
  const derivable = DERIVABLE.has(role) ? role as DerivableRole : undefined;
  if (name === undefined) {
    const d = derivable && derivedRole(dataset, derivable);
    return d
      ? { name: d.name, kind: "numeric", values: d.values, missing: countNaN(d.values) }
      : undefined;
  }
  const column = columnByName(dataset, name);
  if (column?.kind !== "numeric") return undefined;
  const converted = derivable && convertedColumn(dataset, derivable, name);
  return converted
    ? { name: converted.name, kind: "numeric", values: converted.values, missing: column.missing }
    : column;
}

const DERIVABLE = new Set<ColumnRole>([
  "age",
  "income",
  "purchase_amount",
  "purchase_frequency",
  "lifespan",
  "recency",
]);

function countNaN(values: Float64Array): number {
  let n = 0;
  for (const v of values) if (v !== v) n++;
  return n;
}

/** The column playing `role` as text (numbers written as they read), or undefined. */
export function textRole(dataset: Dataset, role: ColumnRole): (string | null)[] | undefined {
  const name = dataset.columnMap[role];
  const column = name === undefined ? undefined : columnByName(dataset, name);
  if (!column) return undefined;
  if (column.kind !== "numeric") return [...column.values];
  return Array.from(column.values, (v) => (Number.isNaN(v) ? null : String(v)));
}
