/**
 * Preprocessing in one place: a table of typed columns (a stored `Dataset`, or JSON records
 * typed by `datasets/records.ts`) becomes the matrix the clustering runs on, with a report of
 * every decision taken on the way (what was read how, dropped, imputed, log-transformed,
 * projected). What a cell is (missing tokens, numbers, dates, ids) is decided once, by
 * `datasets/values.ts`; the stages are `preprocess_fields.ts` (ids and features),
 * `preprocess_features.ts` (imputation, duplicates) and `preprocess_encode.ts` (log1p,
 * one-hot, scaling, PCA).
 *
 * Decisions, each for a reason:
 * - **Numbers**: a numeric column of the table is a numeric feature; so is a text column whose
 *   every present value reads as a number or a flag (missing tokens aside). A text column that
 *   holds mostly numbers and a few words is categorical and reported in `mixed`.
 * - **Booleans**: a column of `true`/`false` (or those strings) is a 0/1 numeric column, imputed
 *   with its most frequent value (a median of 0.5 would name no customer), never log-transformed.
 * - **Dates**: a column of dates (`yyyy-mm-dd`, optionally with a time, or `dd-mm-yyyy` /
 *   `mm-dd-yyyy` with `-`, `/` or `.`) becomes days since its earliest date, because when a
 *   customer joined is a segmentation signal (tenure); the origin and the format are reported.
 *   Day-first or month-first is decided by a day above 12; when none is, day-first is assumed and
 *   reported as ambiguous. `dates: "drop"` leaves date columns out instead (reason `"date"`).
 * - **Ids**: the `idField`, or else the first column the table types `id` (named like an id,
 *   every value present and unique: `datasets/values.ts`), becomes `ids`; any other id column
 *   is dropped as `"id"`. Integer codes under an id name (a store, a region) are categorical.
 *   Integer-coded categories (Channel, Region: `"code"`) and two-level demographics (Gender:
 *   `"demographic"`) are kept out of the distance unless `include` or `categorical` names them,
 *   and profiled all the same (`raw.categorical`).
 *   A text column whose every value differs (a name, an e-mail) is dropped as
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
import type { ColumnTable } from "../datasets/types.ts";
import { MAX_COLUMNS } from "../datasets/values.ts";
import { chooseLog1p, encode, project } from "./preprocess_encode.ts";
import { categoricalStrings, type Feature } from "./preprocess_features.ts";
import { findIds, typeFields } from "./preprocess_fields.ts";
import {
  checkFieldNames,
  type Preprocessed,
  type PreprocessOptions,
  resolveOptions,
} from "./preprocess_options.ts";

export {
  type DropReason,
  PCA_AUTO_MIN_FEATURES,
  PCA_AUTO_SHARE,
  PREPROCESS_DEFAULTS,
  type Preprocessed,
  type PreprocessOptions,
  type PreprocessReport,
} from "./preprocess_options.ts";

/**
 * Turns a table of typed columns into a standardised feature matrix: id detection, imputation,
 * log1p, one-hot encoding, constant and duplicate removal, scaling and PCA, as the module
 * documents. Deterministic: the same table and options give deep-equal results. The table is
 * not changed.
 *
 * @throws {RangeError} when the table has no rows, more than `MAX_COLUMNS` columns or encoded
 *   features, an option names an unknown field or is out of range, the id field has a duplicate
 *   value, or no usable feature is left.
 * @throws {TypeError} when a value of a field in `numeric` is not a number, or the id field
 *   lacks a value (each naming the field and the 0-based record index).
 *
 * @example
 * ```ts
 * import { preprocess } from "./preprocess.ts";
 * import { columnsFromRecords } from "../datasets/records.ts";
 * const p = preprocess(columnsFromRecords([
 *   { id: "a", age: 30, gender: "F" },
 *   { id: "b", age: null, gender: "M" },
 *   { id: "c", age: 50, gender: "F" },
 * ]));
 * if (p.features.join() !== "age,gender=F,gender=M") throw new Error();
 * if (p.report.imputed[0]!.value !== 40 || p.ids[1] !== "b") throw new Error();
 * ```
 */
export function preprocess(table: ColumnTable, options: PreprocessOptions = {}): Preprocessed {
  const o = resolveOptions(options);
  const n = table.rowCount;
  if (n === 0) throw new RangeError("Expected at least one record but found none");
  const names = table.columns.map((c) => c.name);
  if (names.length > MAX_COLUMNS) {
    throw new RangeError(`Expected at most ${MAX_COLUMNS} fields but found ${names.length}`);
  }
  checkFieldNames(o, names);
  const id = findIds(o, table);
  const typed = typeFields(o, table, id?.index ?? -1);
  const { features } = typed;
  const logged = chooseLog1p(features, o);
  const encoded = encode(features, n, o.maxCategories, o.categoricalWeight);
  const projection = project(encoded.x, o.pca);
  return {
    x: projection?.x ?? encoded.x,
    raw: rawColumns([...features, ...typed.profiled]),
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

function rawColumns(features: Feature[]): Preprocessed["raw"] {
  const raw: Preprocessed["raw"] = { numeric: {}, categorical: {} };
  for (const f of features) {
    if (f.type === "numeric") define(raw.numeric, f.name, f.values);
    else define(raw.categorical, f.name, categoricalStrings(f));
  }
  return raw;
}

function rowIds(n: number): string[] {
  const out: string[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = String(i + 1);
  return out;
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
