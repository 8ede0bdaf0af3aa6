/**
 * Preprocessing's first stage: the typed columns of a table (`ColumnTable`, typed once by
 * `domain/datasets`) become the customer ids and one feature per usable field, each other field
 * reported with why it is not a feature. What a cell is was decided by `datasets/values.ts`;
 * this stage only reads columns as features: a text column of `true`/`false` is a 0/1 flag, a
 * date column is days since its earliest date, a mostly numeric text column is reported.
 *
 * @module
 */
import type { ColumnTable, DatasetColumn } from "../datasets/types.ts";
import {
  DAY_MS,
  describeValue as describe,
  isCodeName,
  isIdName,
  isNumericMissing,
  isoDate,
  parseBoolean,
  parseNumber,
  readDates,
} from "../datasets/values.ts";
import {
  categoricalFeature,
  dropDuplicates,
  type Feature,
  numericFeature,
} from "./preprocess_features.ts";
import type { DropReason, PreprocessReport, Resolved } from "./preprocess_options.ts";

/** The customer ids and the column they came from (null: the row numbers "1".."n"). */
export interface FoundIds {
  readonly index: number;
  readonly ids: string[];
}

/**
 * The id column: `idField` (its values must be present and unique), or else the first column
 * typed `id` that is not excluded. Null when there is none.
 *
 * @throws {TypeError} naming the record where `idField` has no value.
 * @throws {RangeError} naming the two records where `idField` repeats a value.
 */
export function findIds(o: Resolved, table: ColumnTable): FoundIds | null {
  const columns = table.columns;
  if (o.idField !== undefined) {
    const index = columns.findIndex((c) => c.name === o.idField);
    return { index, ids: strictIds(columns[index]!) };
  }
  const index = columns.findIndex((c) => c.kind === "id" && !o.exclude.has(c.name));
  if (index < 0) return null;
  return { index, ids: (columns[index]!.values as readonly (string | null)[]).map((v) => v!) };
}

/** What `typeFields` found: the features, and the report's lists about fields. */
export interface TypedFields {
  features: Feature[];
  dropped: PreprocessReport["dropped"];
  dates: PreprocessReport["dates"];
  mixed: PreprocessReport["mixed"];
  /** Categorical fields kept out of the distance (`code`, `demographic`) but profiled. */
  profiled: Feature[];
}

/**
 * Builds the feature of every column but the id's, or says why it is dropped; then drops
 * duplicates. Lists come back in column order.
 *
 * @throws {RangeError} when no usable feature is left (naming every field and why).
 * @throws {TypeError} when a field of `numeric` holds a value that is not a number.
 */
export function typeFields(o: Resolved, table: ColumnTable, idIndex: number): TypedFields {
  const n = table.rowCount;
  const dropped: Array<{ index: number; column: string; reason: DropReason; of?: string }> = [];
  const dates: PreprocessReport["dates"] = [];
  const mixed: PreprocessReport["mixed"] = [];
  const kept: Feature[] = [];
  const profiled: Feature[] = [];
  table.columns.forEach((column, j) => {
    const name = column.name;
    const drop = (reason: DropReason) => dropped.push({ index: j, column: name, reason });
    if (j === idIndex) return drop("id");
    if (o.exclude.has(name) || (o.include !== null && !o.include.has(name))) {
      return drop("excluded");
    }
    if (column.kind === "id") return drop("id");
    const typed = typeColumn(column, o.numeric.has(name), o.categorical.has(name));
    if (typed.kind === "empty") return drop("empty");
    if (typed.kind === "date" && o.dates === "drop") return drop("date");
    if (typed.kind === "categorical") {
      const f = categoricalFeature(j, name, typed.strings);
      if (f.levels.length === 1) return drop("constant");
      // Every customer a level of its own (a name, an e-mail): one-hot columns of single
      // customers carry nothing but outliers.
      if (f.levels.length === n - f.missing && n - f.missing > o.maxCategories) return drop("id");
      // An integer-coded category (Channel, Region) describes where a customer is served, not
      // how they buy: clustered on, its codes would split the base along the code. It is kept
      // out of the distance unless the request names it (`include` or `categorical`).
      const named = o.categorical.has(name) || o.include?.has(name) === true;
      if (isIntegerCode(name, f.levels) && !named) {
        profiled.push(f);
        return drop("code");
      }
      // A two-level demographic (gender) says who a customer is, not how they buy: profiled
      // (each segment's share of each level), but kept out of the distance unless named.
      if (isBinaryDemographic(name, f.levels) && !named) {
        profiled.push(f);
        return drop("demographic");
      }
      if (typed.mixed) mixed.push({ column: name, ...typed.mixed });
      kept.push(f);
      return;
    }
    // A demographic coded 0/1 (or 1/2) is the same two-level field as "Male"/"Female": profiled
    // by level, kept out of the distance unless named.
    if (!typed.date && !o.numeric.has(name) && o.include?.has(name) !== true) {
      const strings = Array.from(typed.numbers, (v) => (Number.isNaN(v) ? null : String(v)));
      const levels = new Set(strings.filter((v) => v !== null));
      if (isBinaryDemographic(name, [...levels])) {
        profiled.push(categoricalFeature(j, name, strings));
        return drop("demographic");
      }
    }
    const f = numericFeature(j, name, typed.kind, typed.numbers, typed.date?.originMs);
    if (f.constant) return drop("constant");
    if (typed.date) {
      const { format, origin, ambiguous } = typed.date;
      dates.push({ column: name, format, origin, ambiguous });
    }
    kept.push(f);
  });
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
    dropped: dropped.map(({ column, reason, of }) =>
      of ? { column, reason, of } : { column, reason }
    ),
    dates: dates.filter((d) => keptNames.has(d.column)),
    mixed: mixed.filter((m) => keptNames.has(m.column)),
    profiled,
  };
}

// ---------------------------------------------------------------------------------------------
// A column as a feature

type Typed =
  | { kind: "empty" }
  | { kind: "numeric" | "boolean"; numbers: Float64Array; date?: undefined }
  | { kind: "date"; numbers: Float64Array; date: DateInfo }
  | {
    kind: "categorical";
    strings: readonly (string | null)[];
    mixed: { record: number; value: string } | null;
  };

interface DateInfo {
  format: string;
  origin: string;
  originMs: number;
  ambiguous: boolean;
}

/**
 * How a typed column enters as a feature. Numbers are copied (imputation writes into them and
 * the table is shared); `forceNumeric` and `forceCategorical` are the `numeric` and
 * `categorical` options.
 */
function typeColumn(
  column: DatasetColumn,
  forceNumeric: boolean,
  forceCategorical: boolean,
): Typed {
  const n = column.values.length;
  if (column.kind === "numeric") {
    if (column.missing === n) return { kind: "empty" };
    if (!forceCategorical) return { kind: "numeric", numbers: Float64Array.from(column.values) };
    const strings = Array.from(column.values, (v) => (v === v ? String(v) : null));
    return { kind: "categorical", strings, mixed: null };
  }
  const values = column.values;
  if (column.missing === n) return { kind: "empty" };
  if (forceCategorical) return { kind: "categorical", strings: values, mixed: null };
  // Read once as numbers and flags, since a text column may be a column of flags (JSON
  // booleans arrive as "true"/"false") or of numbers with a stray word.
  const numbers = new Float64Array(n);
  let numericCount = 0;
  let booleanCount = 0;
  let other = 0;
  let firstOther = -1;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    numbers[i] = NaN;
    if (v === null || v === undefined || isNumericMissing(v)) continue;
    const x = parseNumber(v);
    if (x === x) {
      numbers[i] = x;
      numericCount++;
      continue;
    }
    const b = parseBoolean(v);
    if (b >= 0) {
      numbers[i] = b;
      booleanCount++;
      continue;
    }
    other++;
    if (firstOther < 0) firstOther = i;
  }
  if (forceNumeric && other > 0) {
    throw new TypeError(
      `Expected a number in field "${column.name}" of record ${firstOther} but found ${
        describe(values[firstOther])
      }`,
    );
  }
  if (column.kind === "date" && !forceNumeric) {
    const reading = readDates(values);
    if (reading) {
      for (let i = 0; i < n; i++) numbers[i] = (reading.ms[i]! - reading.originMs) / DAY_MS;
      return {
        kind: "date",
        numbers,
        date: {
          format: reading.format,
          origin: isoDate(reading.originMs),
          originMs: reading.originMs,
          ambiguous: reading.ambiguous,
        },
      };
    }
  }
  // Integer codes under an id name (a store's id) or a category name (Channel, Region) are
  // categories, not quantities; the dataset's typing (`numberColumnKind`) sent them here as text.
  const codes = (isIdName(column.name) || isCodeName(column.name)) && !forceNumeric;
  if (other === 0 && !codes && numericCount + booleanCount > 0) {
    return { kind: numericCount === 0 ? "boolean" : "numeric", numbers };
  }
  const mixed = other > 0 && numericCount > other
    ? { record: firstOther, value: values[firstOther]! }
    : null;
  return { kind: "categorical", strings: values, mixed };
}

// The values of an id column as strings, every one present and unique.
function strictIds(column: DatasetColumn): string[] {
  const name = column.name;
  const n = column.values.length;
  const out: string[] = new Array(n);
  const first = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const v = column.values[i];
    const s = typeof v === "number" ? (v === v ? String(v) : null) : v ?? null;
    if (s === null || s === "") {
      throw new TypeError(
        `Expected an id (a string or number) in field "${name}" of record ${i} but found none`,
      );
    }
    const seen = first.get(s);
    if (seen !== undefined) {
      throw new RangeError(
        `Expected unique ids in field "${name}" but records ${seen} and ${i} both hold "${s}"`,
      );
    }
    first.set(s, i);
    out[i] = s;
  }
  return out;
}

/** Name words of a demographic: who a customer is rather than how they buy. */
const DEMOGRAPHIC =
  /(?:^|[\s_.:-])(?:gender|sex|marital[\s_.:-]?status|married|senior[\s_.:-]?citizen)$/i;

// Whether a categorical field is a binary demographic: named like one, with two levels.
function isBinaryDemographic(name: string, levels: readonly string[]): boolean {
  return levels.length === 2 && DEMOGRAPHIC.test(name.trim());
}

// Whether a categorical field is an integer-coded category: named like a code and every level
// an integer written plainly.
function isIntegerCode(name: string, levels: readonly string[]): boolean {
  return isCodeName(name) && levels.every((l) => /^-?\d{1,9}$/.test(l));
}
