/**
 * The column map (docs/design.md, "Dataset"): which column plays which role, guessed from the names
 * and overridable by the client, and the customer ids it implies.
 *
 * @module
 */
import { DatasetError } from "./errors.ts";
import {
  COLUMN_ROLES,
  type ColumnKind,
  type ColumnMap,
  type ColumnRole,
  type Dataset,
  type DatasetColumn,
  type TextColumn,
} from "./types.ts";
import { describeValue as describe, isIdName } from "./values.ts";
import { mergeRoleCorrections, type RoleCorrectionsOverride } from "./role_corrections.ts";

/**
 * A client's changes to the guessed column map: a role set to a column name replaces the guess,
 * set to null removes it, absent keeps it. `products` replaces the product list. `incomeScale`
 * overrides the income multiplier (otherwise guessed from the income column's name). `columns`
 * corrects business roles and units per column (`role_corrections.ts`).
 */
export type ColumnMapOverride =
  & { readonly [R in ColumnRole]?: string | null }
  & { readonly products?: readonly string[] | null; readonly incomeScale?: number | null }
  & { readonly columns?: RoleCorrectionsOverride | null };

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

/**
 * Guesses which column plays which role from the names alone (case, spaces and punctuation
 * ignored; camelCase split), first matching column wins, one role per column. When kinds are
 * given, numeric roles and products take only numeric columns, gender and region no id column,
 * and customer_id is the first id column. `Year_Birth` is not an age (no column is derived).
 *
 * @example
 * ```ts
 * import { guessColumnMap } from "./column_map.ts";
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
    // Per column business roles and units (docs/roles.md).
    if (key === "columns") {
      const merged = mergeRoleCorrections(
        dataset.columns.map((c) => c.name),
        dataset.columnMap.columns,
        value,
      );
      if (merged === undefined) delete map.columns;
      else map.columns = merged;
      continue;
    }
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

/** @throws {DatasetError} 422 `no_numeric_columns` when no column is numeric. */
export function requireNumeric(columns: readonly DatasetColumn[]): void {
  if (columns.some((c) => c.kind === "numeric")) return;
  throw new DatasetError(
    422,
    "no_numeric_columns",
    "Expected at least one numeric column but found none (" +
      columns.map((c) => `"${c.name}": ${c.kind}`).join(", ") +
      "); segmentation needs numbers such as age, income or spend",
  );
}

/** Each row's customer id: the `customer_id` column's text, else the 1-based row number. */
export function idsOf(columns: readonly DatasetColumn[], map: ColumnMap, n: number): string[] {
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
