/**
 * The options, defaults and report of preprocessing (`preprocess.ts`), and the options'
 * validation: the contract every stage of preprocessing reads.
 *
 * @module
 */
import type { Matrix } from "../../compute/matrix.ts";
import type { PcaModel } from "../../compute/pca.ts";
import type { Scaler } from "../../compute/standardize.ts";

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

/**
 * Why a field is not a feature; `code` is an integer-coded category (Channel, Region) and
 * `demographic` a two-level demographic (Gender), both kept out of the distance but profiled,
 * unless the request names them (`include` or `categorical`).
 */
export type DropReason =
  | "constant"
  | "duplicate"
  | "id"
  | "date"
  | "empty"
  | "excluded"
  | "code"
  | "demographic";

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
   * days since the report's origin, booleans as 0/1), for profiles; `categorical` also holds the
   * fields kept out of the distance as `code` or `demographic`, which are profiled all the same.
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

/** Options with their defaults filled in, the field lists as sets. */
export interface Resolved {
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

/**
 * The options with defaults filled in (an option given as undefined takes its default).
 *
 * @throws {RangeError | TypeError} naming an option out of range or of the wrong type.
 */
export function resolveOptions(options: PreprocessOptions): Resolved {
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

/**
 * @throws {RangeError} when an option names a field the table lacks, or `include` names none.
 */
export function checkFieldNames(o: Resolved, names: string[]): void {
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
