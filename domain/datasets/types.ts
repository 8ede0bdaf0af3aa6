/**
 * The in-memory shape of a tenant's dataset (docs/design.md, "Dataset"): customer records held as
 * typed columns, with the column map that says which columns mean what. Parsing (CSV, JSON
 * records), storage and the modules that read datasets (rule-based segments, insights, data
 * quality, exports) all share these types.
 *
 * @module
 */

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
 * product category, e.g. `MntWines`) used for product affinity.
 */
export type ColumnMap = Partial<Record<ColumnRole, string>> & {
  readonly products?: readonly string[];
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

/** The numeric column playing `role`, or undefined when the map has none or it is not numeric. */
export function numericRole(dataset: Dataset, role: ColumnRole): NumericColumn | undefined {
  const name = dataset.columnMap[role];
  const column = name === undefined ? undefined : columnByName(dataset, name);
  return column?.kind === "numeric" ? column : undefined;
}

/** The column playing `role` as text (numbers written as they read), or undefined. */
export function textRole(dataset: Dataset, role: ColumnRole): (string | null)[] | undefined {
  const name = dataset.columnMap[role];
  const column = name === undefined ? undefined : columnByName(dataset, name);
  if (!column) return undefined;
  if (column.kind !== "numeric") return [...column.values];
  return Array.from(column.values, (v) => (Number.isNaN(v) ? null : String(v)));
}
