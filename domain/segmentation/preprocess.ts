/**
 * Preprocessing in one place: customer records (JSON objects or CSV rows) become the matrix the
 * clustering runs on, with a report of every decision taken on the way (what was typed how,
 * dropped, imputed, log-transformed, projected).
 *
 * Decisions, each for a reason:
 * - **Numbers**: a column is numeric when every present value is a finite number, a boolean, or a
 *   string that reads as a decimal number (`"1"`, `" 2.5 "`, `"1e3"`, `"0  "`). Hexadecimal,
 *   octal and binary literals (`"0x1A"`) are codes, not quantities: they are not numbers here.
 *   The number `NaN` or `±Infinity` is an error, since it cannot come from JSON and means a bug
 *   upstream; the strings `"NaN"`, `"NA"`, `"N/A"`, `"null"`, `"None"`, `"-"`, `"?"` are missing
 *   values in an otherwise numeric (or date) column, and ordinary levels in a categorical one
 *   (`"None"` can be a real answer).
 * - **Booleans**: a column of `true`/`false` (or those strings) is a 0/1 numeric column, imputed
 *   with its most frequent value (a median of 0.5 would name no customer), never log-transformed.
 * - **Dates**: a column of dates (`yyyy-mm-dd`, optionally with a time, or `dd-mm-yyyy` /
 *   `mm-dd-yyyy` with `-`, `/` or `.`) becomes days since its earliest date, because when a
 *   customer joined is a segmentation signal (tenure); the origin and the format are reported.
 *   Day-first or month-first is decided by a day above 12; when none is, day-first is assumed and
 *   reported as ambiguous. `dates: "drop"` leaves date columns out instead (reason `"date"`).
 * - **Ids**: the `idField`, or else the first column named like an id (`id`, `ID`, `customer_id`,
 *   `CustomerID`, `CUST_ID`, `uuid`, …) whose values are present, unique and (when numeric)
 *   integers, becomes `ids`; any other such column is dropped as `"id"`. A column named like an
 *   id that is not unique is a reference to something else (a store, a region), so it is typed
 *   categorical. A text column whose every value differs (a name, an e-mail) is dropped as
 *   `"id"` too once it has more than `maxCategories` values: one-hot columns of single customers
 *   carry nothing but outliers.
 * - **Categories**: one-hot, one column per level, levels by frequency (descending) then name.
 *   Beyond `maxCategories` levels the rarer ones share one `"Other"` column, last, so that a
 *   field never yields more than `maxCategories` columns (scikit-learn's `max_categories`). The
 *   one-hot columns are 0 or `categoricalWeight` (0.5), not z-scored (their scaler entry, mean
 *   0 and std 1 / weight, maps them back to 0/1, so centroids read as shares of a cluster): a
 *   z-scored rare level would put its few customers far from everyone, and a full 0/1 lets a
 *   two-level field such as gender double every segment.
 * - **Imputation**: median for numbers and dates, most frequent level for categories and booleans
 *   (ties to the smallest, as scikit-learn's `SimpleImputer`); every imputation is reported.
 * - **log1p**: `auto` takes a non-negative numeric column with more than two distinct values
 *   and a maximum above 1 whose skewness (the adjusted Fisher-Pearson G1 of the present values,
 *   as pandas' `skew`) exceeds `skewThreshold`: money columns are typically long-tailed, and
 *   log1p keeps a few large spenders from deciding every distance. Two-valued columns are left
 *   alone, since a log changes nothing there once standardised, and so are shares and
 *   frequencies within [0, 1], where log1p is nearly linear. `true` takes every such column
 *   whatever its skewness. Booleans and dates are never transformed.
 * - **Dropped**: constant columns (at most one distinct present value), empty columns, and
 *   exact duplicates of an earlier column (after imputation), each reported with its reason.
 * - **PCA**: `auto` projects onto the components keeping 90 % of the variance when the encoded
 *   features number more than 15.
 */
import { type Matrix, matrix } from "../../compute/matrix.ts";
import { pca as fitPca, type PcaModel, transformPca } from "../../compute/pca.ts";
import type { Scaler } from "../../compute/standardize.ts";
import type { Table } from "../datasets/csv_table.ts";

/** Options of `preprocess`; every one is optional. */
export interface PreprocessOptions {
  /**
   * The field holding the customer id: kept aside as `ids`, never a feature. Its values must be
   * present and unique. Without it, a unique column named like an id is taken (see the module).
   */
  idField?: string;
  /** Only these fields become features (the id is found among all fields regardless). */
  include?: readonly string[];
  /** These fields are left out (reported as `"excluded"`); they are not considered as the id. */
  exclude?: readonly string[];
  /** Fields that must be numeric: a value that is not a number is then an error. */
  numeric?: readonly string[];
  /** Fields that are categorical whatever their values (integer codes such as a region). */
  categorical?: readonly string[];
  /** `auto` (default): by skewness; `true`: every eligible column; `false`: none. */
  log1p?: "auto" | boolean;
  /**
   * `auto` (default): keep 90 % of the variance when there are more than 15 encoded features;
   * `false`: never; a number in (0, 1): the share of variance to keep; an integer ≥ 1: the
   * number of components.
   */
  pca?: "auto" | false | number;
  /** Skewness above which `log1p: "auto"` transforms a column (default 1.0). */
  skewThreshold?: number;
  /** One-hot columns per categorical field at most, `"Other"` included (default 20). */
  maxCategories?: number;
  /**
   * The value a one-hot column takes for its level (default 0.5), so that two customers of
   * different levels are √(2·w²) apart: with 0.5, a different category weighs like half a
   * standard deviation of a numeric feature, squared (the weighting k-prototypes recommends),
   * instead of letting a two-level field such as gender double every segment.
   */
  categoricalWeight?: number;
  /** `days` (default): days since the earliest date; `drop`: leave date columns out. */
  dates?: "days" | "drop";
}

/** Why a field is not a feature. */
export type DropReason = "constant" | "duplicate" | "id" | "date" | "empty" | "excluded";

/** What `preprocess` did, in plain data (every list in column order). */
export interface PreprocessReport {
  rows: number;
  /** The field the ids came from, or null when they are the row numbers "1".."n". */
  idField: string | null;
  /** Numeric features: numbers, booleans (0/1) and dates (days). */
  numeric: string[];
  categorical: string[];
  /** Every field that is not a feature, the id field included; `of` names a duplicate's twin. */
  dropped: Array<{ column: string; reason: DropReason; of?: string }>;
  /** Missing values replaced, per feature field; a date's value is an ISO date. */
  imputed: Array<{ column: string; count: number; value: number | string }>;
  /** Columns that were log1p-transformed, with their skewness before it. */
  log1p: Array<{ column: string; skewness: number }>;
  /** Date fields turned into days since `origin` (ISO date). */
  dates: Array<{ column: string; format: string; origin: string; ambiguous: boolean }>;
  /** Categorical fields whose rarer levels were grouped as "Other". */
  grouped: Array<{ column: string; levels: number; rows: number }>;
  /**
   * Fields that hold mostly numbers but were typed categorical because of `value` in `record`
   * (0-based): usually a typo in the data; `numeric` makes it an error instead.
   */
  mixed: Array<{ column: string; record: number; value: string }>;
  /** The PCA projection, when one ran. */
  pca: { components: number; varianceKept: number } | null;
}

/** The preprocessed dataset. */
export interface Preprocessed {
  /** n × (features, or PCA components): what the clustering runs on; every value finite. */
  x: Matrix;
  /**
   * The feature fields in original units, after imputation and before log and scaling (dates in
   * days since the report's origin, booleans as 0/1), for profiles.
   */
  raw: { numeric: Record<string, Float64Array>; categorical: Record<string, string[]> };
  /** One id per record, from the id field or "1".."n". */
  ids: string[];
  /** The encoded columns before PCA: a numeric field's name, or `field=level`. */
  features: string[];
  /** The original fields behind the features, in column order. */
  fields: string[];
  /** For each encoded column, the index of its field in `fields` (to sum importance per field). */
  originalFeatureOf: number[];
  /** The scaling of the encoded columns (one-hot columns: mean 0, std 1). */
  scaler: Scaler;
  pca: PcaModel | null;
  report: PreprocessReport;
}

/** The default options (`pca`'s auto rule uses `PCA_AUTO_MIN_FEATURES` and `PCA_AUTO_SHARE`). */
export const PREPROCESS_DEFAULTS = {
  log1p: "auto",
  pca: "auto",
  skewThreshold: 1.0,
  maxCategories: 20,
  categoricalWeight: 0.5,
  dates: "days",
} as const;

/** `pca: "auto"` projects when there are more encoded features than this. */
export const PCA_AUTO_MIN_FEATURES = 15;
/** The share of variance `pca: "auto"` keeps. */
export const PCA_AUTO_SHARE = 0.9;
/** The most fields a record set may have, and the most encoded features. */
export const MAX_COLUMNS = 1000;

/**
 * Turns records into a standardised feature matrix: typing, id detection, imputation, log1p,
 * one-hot encoding, constant and duplicate removal, scaling and PCA, as the module documents.
 * Records may miss fields (missing values); column order is the order of first appearance.
 * Deterministic: the same records and options give deep-equal results.
 *
 * @throws {RangeError} when there are no records, more than `MAX_COLUMNS` fields or encoded
 *   features, an option names an unknown field or is out of range, the id field has a duplicate
 *   value, or no usable feature is left.
 * @throws {TypeError} when a record is not an object, a value is `NaN`, `±Infinity`, an object or
 *   an array, a value of a field in `numeric` is not a number, or the id field lacks a value
 *   (each naming the field and the 0-based record index).
 *
 * @example
 * ```ts
 * import { preprocess } from "./preprocess.ts";
 * const p = preprocess([
 *   { id: "a", age: 30, gender: "F" },
 *   { id: "b", age: null, gender: "M" },
 *   { id: "c", age: 50, gender: "F" },
 * ]);
 * if (p.features.join() !== "age,gender=F,gender=M") throw new Error();
 * if (p.report.imputed[0]!.value !== 40 || p.ids[1] !== "b") throw new Error();
 * ```
 */
export function preprocess(
  records: readonly Record<string, unknown>[],
  options: PreprocessOptions = {},
): Preprocessed {
  const o = resolveOptions(options);
  if (!Array.isArray(records) || records.length === 0) {
    throw new RangeError("Expected at least one record but found none");
  }
  const n = records.length;
  const { names, values } = collectColumns(records);
  checkFieldNames(o, names);
  const id = findId(o, names, values, n);
  const typed = typeFields(o, names, values, n, id?.index ?? -1);
  const { features } = typed;
  const logged = chooseLog1p(features, o);
  const encoded = encode(features, n, o.maxCategories, o.categoricalWeight);
  const projection = project(encoded.x, o.pca);
  return {
    x: projection?.x ?? encoded.x,
    raw: rawColumns(features),
    ids: id?.ids ?? rowIds(n),
    features: encoded.features,
    fields: features.map((f) => f.name),
    originalFeatureOf: encoded.originalFeatureOf,
    scaler: encoded.scaler,
    pca: projection?.model ?? null,
    report: {
      rows: n,
      idField: id ? names[id.index]! : null,
      numeric: features.filter((f) => f.type === "numeric").map((f) => f.name),
      categorical: features.filter((f) => f.type === "categorical").map((f) => f.name),
      dropped: typed.dropped,
      imputed: features.filter((f) => f.missing > 0).map((f) => ({
        column: f.name,
        count: f.missing,
        value: f.imputedValue,
      })),
      log1p: logged,
      dates: typed.dates,
      grouped: encoded.grouped,
      mixed: typed.mixed,
      pca: projection
        ? {
          components: projection.model.nComponents,
          varianceKept: projection.model.explainedVarianceRatio.reduce((s, v) => s + v, 0),
        }
        : null,
    },
  };
}

/**
 * One record per table row, keyed by the header; a repeated header name gets a `.1`, `.2`, …
 * suffix (as pandas reads it) and an empty one `column_<position>`, so that no value is lost.
 *
 * @example
 * ```ts
 * import { recordsFromTable } from "./preprocess.ts";
 * const r = recordsFromTable({ columns: ["a", "a"], rows: [["1", "2"]] });
 * if (r[0]!["a.1"] !== "2") throw new Error();
 * ```
 */
export function recordsFromTable(table: Table): Record<string, string>[] {
  const names = uniqueNames(table.columns);
  const risky = names.includes("__proto__");
  const d = names.length;
  return table.rows.map((row) => {
    const record: Record<string, string> = {};
    for (let j = 0; j < d; j++) {
      if (risky) define(record, names[j]!, row[j]!);
      else record[names[j]!] = row[j]!;
    }
    return record;
  });
}

/** Whether a field's name says it identifies something (customer_id, CustomerID, CUST_ID, …). */
export function isIdName(name: string): boolean {
  const t = name.trim();
  return ID_EXACT.test(t) || ID_SUFFIX.test(t) || ID_CAMEL.test(t) ||
    ID_COMPOUND.has(t.toLowerCase().replace(/[^a-z0-9]/g, ""));
}

// ---------------------------------------------------------------------------------------------
// Options and columns

interface Resolved {
  idField?: string;
  include: Set<string> | null;
  exclude: Set<string>;
  numeric: Set<string>;
  categorical: Set<string>;
  log1p: "auto" | boolean;
  pca: "auto" | false | number;
  skewThreshold: number;
  maxCategories: number;
  categoricalWeight: number;
  dates: "days" | "drop";
}

function resolveOptions(options: PreprocessOptions): Resolved {
  // An option given as undefined (an absent request field) takes its default.
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const o: typeof PREPROCESS_DEFAULTS & PreprocessOptions = { ...PREPROCESS_DEFAULTS, ...given };
  if (!(o.categoricalWeight > 0 && o.categoricalWeight <= 1)) {
    throw new RangeError(
      `Expected categoricalWeight to be in (0, 1] but found ${o.categoricalWeight}`,
    );
  }
  if (!(Number.isInteger(o.maxCategories) && o.maxCategories >= 2)) {
    throw new RangeError(
      `Expected maxCategories to be an integer of at least 2 but found ${o.maxCategories}`,
    );
  }
  if (!(Number.isFinite(o.skewThreshold) && o.skewThreshold >= 0)) {
    throw new RangeError(
      `Expected skewThreshold to be a non-negative number but found ${o.skewThreshold}`,
    );
  }
  if (o.log1p !== "auto" && typeof o.log1p !== "boolean") {
    throw new TypeError(`Expected log1p to be "auto", true or false but found ${o.log1p}`);
  }
  const p = o.pca;
  if (
    p !== "auto" && p !== false &&
    !(typeof p === "number" && ((p > 0 && p < 1) || (Number.isInteger(p) && p >= 1)))
  ) {
    throw new RangeError(
      `Expected pca to be "auto", false, a share in (0, 1) or a component count but found ${p}`,
    );
  }
  if (o.dates !== "days" && o.dates !== "drop") {
    throw new TypeError(`Expected dates to be "days" or "drop" but found ${o.dates}`);
  }
  const numeric = new Set(o.numeric ?? []);
  for (const name of o.categorical ?? []) {
    if (numeric.has(name)) {
      throw new RangeError(
        `Expected field "${name}" in numeric or categorical but found it in both`,
      );
    }
  }
  return {
    ...o,
    include: o.include ? new Set(o.include) : null,
    exclude: new Set(o.exclude ?? []),
    numeric,
    categorical: new Set(o.categorical ?? []),
  };
}

// Columns in order of first appearance; a field a record lacks reads as undefined (missing).
// Records usually share one layout, so a record with the previous record's keys reuses their
// column positions and is read with `Object.values`: no map lookup and no keyed load per cell.
function collectColumns(
  records: readonly Record<string, unknown>[],
): { names: string[]; values: unknown[][] } {
  const n = records.length;
  const position = new Map<string, number>();
  const names: string[] = [];
  const values: unknown[][] = [];
  let layout: string[] = [];
  let columnOf: number[] = [];
  for (let i = 0; i < n; i++) {
    const record = records[i];
    if (record === null || typeof record !== "object" || Array.isArray(record)) {
      throw new TypeError(
        `Expected record ${i} to be an object but found ${describe(record)}`,
      );
    }
    const keys = Object.keys(record);
    if (!sameKeys(keys, layout)) {
      layout = keys;
      columnOf = keys.map((key) => {
        let j = position.get(key);
        if (j === undefined) {
          j = names.length;
          if (j === MAX_COLUMNS) {
            throw new RangeError(
              `Expected at most ${MAX_COLUMNS} fields but record ${i} brings field "${key}" beyond them`,
            );
          }
          position.set(key, j);
          names.push(key);
          values.push(new Array(n));
        }
        return j;
      });
    }
    const cells = Object.values(record);
    for (let k = 0; k < cells.length; k++) values[columnOf[k]!]![i] = cells[k];
  }
  return { names, values };
}

function sameKeys(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}

function checkFieldNames(o: Resolved, names: string[]): void {
  const known = new Set(names);
  const lists: Array<[string, Iterable<string>]> = [
    ["idField", o.idField === undefined ? [] : [o.idField]],
    ["include", o.include ?? []],
    ["exclude", o.exclude],
    ["numeric", o.numeric],
    ["categorical", o.categorical],
  ];
  for (const [option, list] of lists) {
    for (const name of list) {
      if (!known.has(name)) {
        const shown = names.slice(0, 50).map((c) => `"${c}"`).join(", ");
        throw new RangeError(
          `Expected ${option} to name a field of the records but found "${name}"; ` +
            `the fields are: ${shown}${names.length > 50 ? ", …" : ""}`,
        );
      }
    }
  }
  if (o.include !== null && o.include.size === 0) {
    throw new RangeError("Expected include to name at least one field but found none");
  }
}

/** Header names made unique as pandas does (`a`, `a.1`; an empty one `column_<j+1>`). */
export function uniqueNames(columns: readonly string[]): string[] {
  const seen = new Set<string>();
  return columns.map((c, j) => {
    const base = c === "" ? `column_${j + 1}` : c;
    let name = base;
    for (let k = 1; seen.has(name); k++) name = `${base}.${k}`;
    seen.add(name);
    return name;
  });
}

// Assigns an own property, even one named "__proto__" (a plain assignment would set the prototype).
function define<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return "an object";
  if (typeof v === "string") return `"${v.length > 40 ? v.slice(0, 40) + "…" : v}"`;
  return `${typeof v} ${String(v)}`;
}

// ---------------------------------------------------------------------------------------------
// Ids

const ID_EXACT = /^(?:id|uuid|guid)$/i;
const ID_SUFFIX = /[\s_.:-](?:id|uuid|guid)$/i;
const ID_CAMEL = /[a-z0-9](?:ID|Id|UUID|Uuid|GUID|Guid)$/;
const ID_COMPOUND = new Set(
  ["customer", "cust", "client", "user", "member", "account"].flatMap((p) =>
    ["id", "no", "number"].map((s) => p + s)
  ),
);

function findId(
  o: Resolved,
  names: string[],
  values: unknown[][],
  n: number,
): { index: number; ids: string[] } | null {
  if (o.idField !== undefined) {
    const index = names.indexOf(o.idField);
    return { index, ids: idStrings(o.idField, values[index]!, n, true)! };
  }
  for (let j = 0; j < names.length; j++) {
    const name = names[j]!;
    if (o.exclude.has(name) || !isIdName(name)) continue;
    const ids = idStrings(name, values[j]!, n, false);
    if (ids) return { index: j, ids };
  }
  return null;
}

/**
 * The values of an id column as strings, or null when one is missing, repeated, not a string or
 * number, or a non-integer number (`strict`: throw instead, naming the record).
 */
function idStrings(name: string, values: unknown[], n: number, strict: boolean): string[] | null {
  const out: string[] = new Array(n);
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const v = values[i];
    let s: string | null = null;
    if (typeof v === "string") s = v.trim();
    else if (typeof v === "number" && Number.isFinite(v)) s = String(v);
    else if (typeof v === "bigint") s = String(v);
    if (s === null || s === "") {
      if (!strict) return null;
      throw new TypeError(
        `Expected an id (a string or number) in field "${name}" of record ${i} but found ` +
          (s === "" || v === undefined ? "none" : describe(v)),
      );
    }
    if (!strict && !isIntegerLike(v, s)) return null;
    if (seen.has(s)) {
      if (!strict) return null;
      throw new RangeError(
        `Expected unique ids in field "${name}" but records ${out.indexOf(s)} and ${i} both ` +
          `hold "${s}"`,
      );
    }
    seen.add(s);
    out[i] = s;
  }
  return out;
}

// A numeric id must be an integer (a unique column of measurements is not an id); text passes.
function isIntegerLike(v: unknown, s: string): boolean {
  if (typeof v === "number") return Number.isInteger(v);
  const x = parseNumber(s);
  return Number.isNaN(x) || Number.isInteger(x);
}

function rowIds(n: number): string[] {
  const out: string[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = String(i + 1);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Typing

type Typed =
  | { kind: "empty" }
  | { kind: "numeric" | "boolean"; numbers: Float64Array; date?: undefined }
  | { kind: "date"; numbers: Float64Array; date: DateInfo }
  | {
    kind: "categorical";
    strings: (string | null)[];
    mixed: { record: number; value: string } | null;
  };

interface DateInfo {
  format: string;
  origin: string;
  originMs: number;
  ambiguous: boolean;
}

const NA_TOKENS = new Set(["na", "n/a", "#n/a", "<na>", "nan", "null", "none", "nil", "-", "?"]);

/**
 * Types one column in one pass, filling a float64 copy (NaN for missing) as it goes, since most
 * columns are numeric; only a column that turns out otherwise is read again.
 */
function typeColumn(
  name: string,
  values: unknown[],
  n: number,
  forceNumeric: boolean,
  forceCategorical: boolean,
): Typed {
  const numbers = new Float64Array(n);
  let present = 0;
  let numericCount = 0;
  let booleanCount = 0;
  let other = 0;
  let firstOther = -1;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === undefined || v === null) {
      numbers[i] = NaN;
      continue;
    }
    switch (typeof v) {
      case "number":
        if (!Number.isFinite(v)) {
          throw new TypeError(
            `Expected a finite number in field "${name}" of record ${i} but found ${v}`,
          );
        }
        numbers[i] = v;
        present++;
        numericCount++;
        break;
      case "boolean":
        numbers[i] = v ? 1 : 0;
        present++;
        booleanCount++;
        break;
      case "bigint":
        numbers[i] = Number(v);
        if (!Number.isFinite(numbers[i])) {
          throw new TypeError(`Expected a float64-sized number in field "${name}" of record ${i}`);
        }
        present++;
        numericCount++;
        break;
      case "string": {
        if (isBlank(v)) {
          numbers[i] = NaN;
          continue;
        }
        const x = parseNumber(v);
        if (x === x) {
          numbers[i] = x;
          present++;
          numericCount++;
          break;
        }
        numbers[i] = NaN;
        const b = parseBoolean(v);
        if (b >= 0) {
          numbers[i] = b;
          present++;
          booleanCount++;
        } else if (!isNaToken(v)) {
          present++;
          other++;
          if (firstOther < 0) firstOther = i;
        }
        break;
      }
      default:
        if (v instanceof Date) {
          if (Number.isNaN(v.getTime())) {
            throw new TypeError(
              `Expected a valid date in field "${name}" of record ${i} but found an invalid Date`,
            );
          }
          numbers[i] = NaN;
          present++;
          other++;
          if (firstOther < 0) firstOther = i;
          break;
        }
        throw new TypeError(
          `Expected a number, string, boolean or null in field "${name}" of record ${i} but found ${
            describe(v)
          }`,
        );
    }
  }

  if (forceNumeric && other > 0) {
    throw new TypeError(
      `Expected a number in field "${name}" of record ${firstOther} but found ${
        describe(values[firstOther])
      }`,
    );
  }
  if (!forceCategorical) {
    if (other === 0) {
      if (present === 0) return { kind: "empty" };
      return { kind: numericCount === 0 ? "boolean" : "numeric", numbers };
    }
    if (numericCount === 0 && booleanCount === 0) {
      const date = parseDates(values, n, numbers);
      if (date) return { kind: "date", numbers, date };
    }
  }
  const strings = categoricalValues(values, n);
  if (strings === null) return { kind: "empty" };
  const mixed = other > 0 && numericCount > other
    ? { record: firstOther, value: String(values[firstOther]) }
    : null;
  return { kind: "categorical", strings, mixed };
}

function isBlank(s: string): boolean {
  return s.length === 0 || (s.charCodeAt(0) <= 32 && s.trim().length === 0);
}

/** A decimal number (surrounding spaces allowed), or NaN. */
function parseNumber(s: string): number {
  const x = Number(s);
  if (!Number.isFinite(x) || isBlank(s)) return NaN;
  // Number() also reads 0x/0o/0b literals, which in customer data are codes, not quantities.
  const t = s.charCodeAt(0) <= 32 ? s.trim() : s;
  if (t.length > 2 && t.charCodeAt(0) === 48) {
    const c = t.charCodeAt(1) | 32;
    if (c === 120 || c === 111 || c === 98) return NaN;
  }
  return x;
}

// 1, 0, or −1 when the string is not "true"/"false" in any case.
function parseBoolean(s: string): number {
  // The first character rules out nearly every level before any string is allocated.
  const c = s.charCodeAt(0) | 32;
  if (s.length > 7 || (c !== 116 && c !== 102 && c !== 32 && c !== 41)) return -1;
  const t = s.trim().toLowerCase();
  return t === "true" ? 1 : t === "false" ? 0 : -1;
}

// The first characters of the NA tokens (n, #, <, -, ?) and of surrounding white space.
const NA_FIRST = new Set([110, 35, 60, 45, 63, 32, 41]);

function isNaToken(s: string): boolean {
  return s.length <= 8 && NA_FIRST.has(s.charCodeAt(0) | 32) &&
    NA_TOKENS.has(s.trim().toLowerCase());
}

// Trimmed strings, null for missing; null altogether when nothing is present.
function categoricalValues(values: unknown[], n: number): (string | null)[] | null {
  const out: (string | null)[] = new Array(n);
  let present = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    let s: string | null = null;
    if (typeof v === "string") s = isBlank(v) ? null : v.trim();
    else if (v instanceof Date) s = v.toISOString();
    else if (v !== undefined && v !== null) s = String(v);
    if (s !== null) present++;
    out[i] = s;
  }
  return present === 0 ? null : out;
}

// ---------------------------------------------------------------------------------------------
// Dates

const DAY_MS = 86_400_000;
const YEAR_FIRST =
  /^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?\s*(Z|[+-]\d{2}:?\d{2})?)?$/i;
const YEAR_LAST =
  /^(\d{1,2})([-/.])(\d{1,2})\2(\d{4})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?)?$/;

/**
 * Fills `days` with days since the earliest date when every present value (string or Date) is
 * a date of one layout; null otherwise. Times without an offset are read as UTC, so the result
 * does not depend on the machine's time zone.
 */
function parseDates(values: unknown[], n: number, days: Float64Array): DateInfo | null {
  let layout: "ymd" | "xxy" | "date" | null = null;
  let separator = "-";
  let firstAbove12 = false;
  let secondAbove12 = false;
  const matches: (RegExpExecArray | null)[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v instanceof Date) {
      if (layout !== null && layout !== "date") return null;
      layout = "date";
      continue;
    }
    if (typeof v !== "string" || isBlank(v) || isNaToken(v)) continue;
    const s = v.trim();
    const m: RegExpExecArray | null =
      (layout === null || layout === "ymd" ? YEAR_FIRST.exec(s) : null) ??
        (layout === null || layout === "xxy" ? YEAR_LAST.exec(s) : null);
    if (m === null) return null;
    const l: "ymd" | "xxy" = m[1]!.length === 4 ? "ymd" : "xxy";
    if (layout === null) {
      layout = l;
      separator = m[2]!;
    }
    if (l === "xxy") {
      if (Number(m[1]) > 12) firstAbove12 = true;
      if (Number(m[3]) > 12) secondAbove12 = true;
    }
    matches[i] = m;
  }
  if (layout === null || (firstAbove12 && secondAbove12)) return null;
  const dayFirst = !secondAbove12;

  let min = Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    const m = matches[i];
    let ms = NaN;
    if (v instanceof Date) ms = v.getTime();
    else if (m) {
      ms = layout === "ymd"
        ? utc(+m[1]!, +m[3]!, +m[4]!, m[5], m[6], m[7], m[8])
        : utc(+m[4]!, +(dayFirst ? m[3]! : m[1]!), +(dayFirst ? m[1]! : m[3]!), m[5], m[6], m[7]);
      if (Number.isNaN(ms)) return null;
    }
    days[i] = ms;
    if (ms < min) min = ms;
  }
  for (let i = 0; i < n; i++) days[i] = (days[i]! - min) / DAY_MS;
  const s = separator;
  const format = layout === "date"
    ? "Date"
    : layout === "ymd"
    ? `yyyy${s}mm${s}dd`
    : dayFirst
    ? `dd${s}mm${s}yyyy`
    : `mm${s}dd${s}yyyy`;
  return {
    format,
    origin: isoDate(min),
    originMs: min,
    ambiguous: layout === "xxy" && !firstAbove12 && !secondAbove12,
  };
}

// Milliseconds since the epoch, or NaN for an impossible date or time (31-02, 25:00).
function utc(
  y: number,
  mo: number,
  d: number,
  h?: string,
  mi?: string,
  sec?: string,
  offset?: string,
): number {
  if (mo < 1 || mo > 12 || d < 1 || d > new Date(Date.UTC(y, mo, 0)).getUTCDate()) return NaN;
  const hours = h === undefined ? 0 : +h;
  const minutes = mi === undefined ? 0 : +mi;
  const seconds = sec === undefined ? 0 : +sec;
  if (hours > 23 || minutes > 59 || seconds >= 60) return NaN;
  let shift = 0;
  if (offset !== undefined && offset.toUpperCase() !== "Z") {
    const digits = offset.replace(":", "");
    shift = (offset[0] === "-" ? -1 : 1) * (+digits.slice(1, 3) * 60 + +digits.slice(3, 5));
  }
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d); // Date.UTC maps years 0–99 to 1900–1999
  return date.getTime() + ((hours * 60 + minutes - shift) * 60 + seconds) * 1000;
}

function isoDate(ms: number): string {
  const iso = new Date(ms).toISOString();
  return ms % DAY_MS === 0 ? iso.slice(0, 10) : iso;
}

// ---------------------------------------------------------------------------------------------
// Features: imputation, constants, duplicates

interface NumericFeature {
  type: "numeric";
  index: number;
  name: string;
  kind: "numeric" | "boolean" | "date";
  /** After imputation, in original units. */
  values: Float64Array;
  /** What gets scaled: `values`, or its log1p. */
  transformed: Float64Array;
  missing: number;
  imputedValue: number | string;
  constant: boolean;
  /** Eligible for log1p: a non-negative quantity beyond [0, 1], of more than two values. */
  loggable: boolean;
  skewness: number;
}

interface CategoricalFeature {
  type: "categorical";
  index: number;
  name: string;
  /** Level of each row after imputation (index into `levels`). */
  codes: Int32Array;
  /** Levels in order of first appearance. */
  levels: string[];
  counts: number[];
  missing: number;
  imputedValue: string;
}

type Feature = NumericFeature | CategoricalFeature;

/**
 * Types every field but the id and builds its feature, or says why it is dropped; then drops
 * duplicates. Lists come back in column order.
 */
function typeFields(
  o: Resolved,
  names: string[],
  values: unknown[][],
  n: number,
  idIndex: number,
): {
  features: Feature[];
  dropped: PreprocessReport["dropped"];
  dates: PreprocessReport["dates"];
  mixed: PreprocessReport["mixed"];
} {
  const dropped: Array<{ index: number; column: string; reason: DropReason; of?: string }> = [];
  const dates: PreprocessReport["dates"] = [];
  const mixed: PreprocessReport["mixed"] = [];
  const kept: Feature[] = [];
  for (let j = 0; j < names.length; j++) {
    const name = names[j]!;
    const drop = (reason: DropReason) => dropped.push({ index: j, column: name, reason });
    if (j === idIndex) drop("id");
    else if (o.exclude.has(name) || (o.include !== null && !o.include.has(name))) drop("excluded");
    else if (isIdName(name) && idStrings(name, values[j]!, n, false) !== null) drop("id");
    else {
      const forceCategorical = o.categorical.has(name) ||
        (isIdName(name) && !o.numeric.has(name));
      const typed = typeColumn(name, values[j]!, n, o.numeric.has(name), forceCategorical);
      if (typed.kind === "empty") drop("empty");
      else if (typed.kind === "date" && o.dates === "drop") drop("date");
      else if (typed.kind === "categorical") {
        const f = categoricalFeature(j, name, typed.strings);
        if (f.levels.length === 1) drop("constant");
        else if (f.levels.length === n - f.missing && n - f.missing > o.maxCategories) drop("id");
        else {
          if (typed.mixed) mixed.push({ column: name, ...typed.mixed });
          kept.push(f);
        }
      } else {
        const f = numericFeature(j, name, typed.kind, typed.numbers, typed.date?.originMs);
        if (f.constant) drop("constant");
        else {
          if (typed.date) {
            const { format, origin, ambiguous } = typed.date;
            dates.push({ column: name, format, origin, ambiguous });
          }
          kept.push(f);
        }
      }
    }
  }
  const features = dropDuplicates(kept, (f, of) => {
    dropped.push({ index: f.index, column: f.name, reason: "duplicate", of: of.name });
  });
  if (features.length === 0) {
    const why = dropped.map((c) => `${c.column} (${c.reason})`).join(", ");
    throw new RangeError(`Expected at least one usable feature but none is left: ${why}`);
  }
  const keptNames = new Set(features.map((f) => f.name));
  dropped.sort((a, b) => a.index - b.index);
  return {
    features,
    dropped: dropped.map((
      { column, reason, of },
    ) => (of ? { column, reason, of } : { column, reason })),
    dates: dates.filter((d) => keptNames.has(d.column)),
    mixed: mixed.filter((m) => keptNames.has(m.column)),
  };
}

function rawColumns(features: Feature[]): Preprocessed["raw"] {
  const raw: Preprocessed["raw"] = { numeric: {}, categorical: {} };
  for (const f of features) {
    if (f.type === "numeric") define(raw.numeric, f.name, f.values);
    else define(raw.categorical, f.name, categoricalStrings(f));
  }
  return raw;
}

function numericFeature(
  index: number,
  name: string,
  kind: "numeric" | "boolean" | "date",
  values: Float64Array,
  originMs = 0,
): NumericFeature {
  const n = values.length;
  let missing = 0;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let ones = 0;
  // Up to three distinct values, to tell flags (two values) from quantities.
  let a = NaN;
  let b = NaN;
  let many = false;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (v !== v) {
      missing++;
      continue;
    }
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    if (v === 1) ones++;
    if (!many && v !== a && v !== b) {
      if (a !== a) a = v;
      else if (b !== b) b = v;
      else many = true;
    }
  }
  const present = n - missing;
  const constant = present === 0 || min === max;
  const skewness = kind === "numeric" && !constant ? skew(values, sum / present, present) : 0;

  let imputed = NaN;
  if (missing > 0 && !constant) {
    imputed = kind === "boolean" ? (ones > present - ones ? 1 : 0) : median(values, present);
    for (let i = 0; i < n; i++) if (values[i] !== values[i]) values[i] = imputed;
  }
  return {
    type: "numeric",
    index,
    name,
    kind,
    values,
    transformed: values,
    missing,
    imputedValue: kind === "date" && missing > 0 ? isoDate(originMs + imputed * DAY_MS) : imputed,
    constant,
    loggable: kind === "numeric" && min >= 0 && max > 1 && many,
    skewness,
  };
}

// The adjusted Fisher-Pearson skewness G1 (pandas' `skew`) of the present (non-NaN) values.
function skew(values: Float64Array, mean: number, present: number): number {
  if (present < 3) return 0;
  let m2 = 0;
  let m3 = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v !== v) continue;
    const t = v - mean;
    m2 += t * t;
    m3 += t * t * t;
  }
  m2 /= present;
  m3 /= present;
  if (m2 <= 0) return 0;
  const g1 = m3 / Math.pow(m2, 1.5);
  return g1 * Math.sqrt(present * (present - 1)) / (present - 2);
}

// The median of the present values (mean of the middle two for an even count, as numpy).
function median(values: Float64Array, present: number): number {
  const sorted = new Float64Array(present);
  let k = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v === v) sorted[k++] = v;
  }
  sorted.sort();
  const mid = present >> 1;
  return present % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function categoricalFeature(
  index: number,
  name: string,
  strings: (string | null)[],
): CategoricalFeature {
  const n = strings.length;
  const codes = new Int32Array(n);
  const position = new Map<string, number>();
  const levels: string[] = [];
  const counts: number[] = [];
  let missing = 0;
  for (let i = 0; i < n; i++) {
    const s = strings[i]!;
    if (s === null) {
      codes[i] = -1;
      missing++;
      continue;
    }
    let c = position.get(s);
    if (c === undefined) {
      c = levels.length;
      position.set(s, c);
      levels.push(s);
      counts.push(0);
    }
    counts[c]!++;
    codes[i] = c;
  }
  let imputedValue = "";
  if (missing > 0 && levels.length > 1) {
    // The most frequent level, ties to the smallest (scikit-learn's SimpleImputer).
    let best = 0;
    for (let c = 1; c < levels.length; c++) {
      if (
        counts[c]! > counts[best]! || (counts[c] === counts[best] && levels[c]! < levels[best]!)
      ) {
        best = c;
      }
    }
    for (let i = 0; i < n; i++) if (codes[i] === -1) codes[i] = best;
    counts[best]! += missing;
    imputedValue = levels[best]!;
  }
  return { type: "categorical", index, name, codes, levels, counts, missing, imputedValue };
}

function categoricalStrings(f: CategoricalFeature): string[] {
  const out: string[] = new Array(f.codes.length);
  for (let i = 0; i < f.codes.length; i++) out[i] = f.levels[f.codes[i]!]!;
  return out;
}

/** The features without exact duplicates of an earlier one (reported through `onDuplicate`). */
function dropDuplicates(
  features: Feature[],
  onDuplicate: (f: Feature, of: Feature) => void,
): Feature[] {
  const out: Feature[] = [];
  for (const f of features) {
    const twin = out.find((g) => sameValues(f, g));
    if (twin) onDuplicate(f, twin);
    else out.push(f);
  }
  return out;
}

function sameValues(f: Feature, g: Feature): boolean {
  if (f.type === "numeric" && g.type === "numeric") {
    const a = f.values;
    const b = g.values;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  if (f.type === "categorical" && g.type === "categorical") {
    if (f.levels.length !== g.levels.length) return false;
    // Same strings row by row means the code maps of first appearance coincide too.
    for (let c = 0; c < f.levels.length; c++) {
      if (f.levels[c] !== g.levels[c] || f.counts[c] !== g.counts[c]) return false;
    }
    const a = f.codes;
    const b = g.codes;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// log1p, encoding, scaling, PCA

function chooseLog1p(features: Feature[], o: Resolved): PreprocessReport["log1p"] {
  const out: PreprocessReport["log1p"] = [];
  if (o.log1p === false) return out;
  for (const f of features) {
    if (f.type !== "numeric" || !f.loggable) continue;
    if (o.log1p === "auto" && !(f.skewness > o.skewThreshold)) continue;
    out.push({ column: f.name, skewness: f.skewness });
    // `values` stays in original units for profiles; the transform works on a copy.
    const v = f.values;
    const logged = new Float64Array(v.length);
    for (let i = 0; i < v.length; i++) logged[i] = Math.log1p(v[i]!);
    f.transformed = logged;
  }
  return out;
}

interface Encoded {
  x: Matrix;
  features: string[];
  originalFeatureOf: number[];
  scaler: Scaler;
  grouped: PreprocessReport["grouped"];
}

/**
 * The n × d encoded matrix: numeric columns z-scored (population std, in float64 before the
 * float32 store), one-hot columns 0 or `weight` (their scaler std is 1 / weight).
 */
function encode(
  features: Feature[],
  n: number,
  maxCategories: number,
  weight: number,
): Encoded {
  const names: string[] = [];
  const originalFeatureOf: number[] = [];
  const grouped: PreprocessReport["grouped"] = [];
  // Per categorical feature: level code → column offset within the field, and the field's width.
  const slots: Array<{ slot: Int32Array; width: number }> = [];
  features.forEach((f, field) => {
    if (f.type === "numeric") {
      names.push(f.name);
      originalFeatureOf.push(field);
      return;
    }
    const { order, other } = levelOrder(f, maxCategories);
    const slot = new Int32Array(f.levels.length).fill(order.length);
    order.forEach((c, k) => {
      slot[c] = k;
      names.push(`${f.name}=${f.levels[c]}`);
      originalFeatureOf.push(field);
    });
    if (other > 0) {
      names.push(`${f.name}=Other`);
      originalFeatureOf.push(field);
      grouped.push({ column: f.name, levels: f.levels.length, rows: other });
    }
    slots.push({ slot, width: order.length + (other > 0 ? 1 : 0) });
  });

  const d = names.length;
  if (d > MAX_COLUMNS) {
    throw new RangeError(
      `Expected at most ${MAX_COLUMNS} encoded features but found ${d}; ` +
        "lower maxCategories or exclude fields",
    );
  }
  const data = new Float32Array(n * d);
  const mean = new Float64Array(d);
  const std = new Float64Array(d).fill(1);
  let col = 0;
  let cat = 0;
  for (const f of features) {
    if (f.type === "numeric") {
      const v = f.transformed;
      const { m, s } = meanStd(v);
      mean[col] = m;
      std[col] = s;
      const inv = s === 0 ? 1 : 1 / s;
      for (let i = 0, p = col; i < n; i++, p += d) data[p] = (v[i]! - m) * inv;
      col++;
    } else {
      const { slot, width } = slots[cat++]!;
      const codes = f.codes;
      for (let i = 0; i < n; i++) data[i * d + col + slot[codes[i]!]!] = weight;
      // The scaler maps a weighted column back to 0/1, so centroids read as shares.
      for (let j = col; j < col + width; j++) std[j] = 1 / weight;
      col += width;
    }
  }
  return {
    x: matrix(data, n, d),
    features: names,
    originalFeatureOf,
    scaler: { mean, std },
    grouped,
  };
}

// Levels kept (frequency descending, then name), and the rows of the levels grouped as Other.
function levelOrder(
  f: CategoricalFeature,
  maxCategories: number,
): { order: number[]; other: number } {
  const all = f.levels.map((_, c) => c).sort((a, b) =>
    f.counts[b]! - f.counts[a]! || (f.levels[a]! < f.levels[b]! ? -1 : 1)
  );
  if (all.length <= maxCategories) return { order: all, other: 0 };
  // A real "Other" level joins the group rather than standing beside it under the same name.
  const order = all.filter((c) => f.levels[c] !== "Other").slice(0, maxCategories - 1);
  const keep = new Set(order);
  let other = 0;
  for (let c = 0; c < f.levels.length; c++) if (!keep.has(c)) other += f.counts[c]!;
  return { order, other };
}

// Mean and population std (ddof 0), two passes in float64; a std below rounding is 0.
function meanStd(v: Float64Array): { m: number; s: number } {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i]!;
  const m = sum / v.length;
  let ss = 0;
  for (let i = 0; i < v.length; i++) {
    const t = v[i]! - m;
    ss += t * t;
  }
  const s = Math.sqrt(ss / v.length);
  return { m, s: s <= 1e-12 * Math.max(1, Math.abs(m)) ? 0 : s };
}

function project(
  x: Matrix,
  option: "auto" | false | number,
): { x: Matrix; model: PcaModel } | null {
  if (option === false || x.n < 2) return null;
  let model: PcaModel;
  if (option === "auto") {
    if (x.d <= PCA_AUTO_MIN_FEATURES) return null;
    model = fitPca(x, { varianceToKeep: PCA_AUTO_SHARE });
  } else if (option < 1) model = fitPca(x, { varianceToKeep: option });
  else model = fitPca(x, { nComponents: option });
  return { x: transformPca(model, x), model };
}
