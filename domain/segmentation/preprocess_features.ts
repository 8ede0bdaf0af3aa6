/**
 * Preprocessing's features: a typed column becomes a numeric feature (imputed with its median,
 * or its most frequent value for a 0/1 flag; its skewness measured) or a categorical one
 * (levels and counts, imputed with the most frequent level), and exact duplicates are found.
 *
 * @module
 */
import { DAY_MS, isoDate } from "../datasets/values.ts";

export interface NumericFeature {
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

export interface CategoricalFeature {
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

export type Feature = NumericFeature | CategoricalFeature;

/**
 * The numeric feature of `values` (NaN missing), imputed in place; `originMs` is a date
 * column's origin, to report its imputed value as a date.
 */
export function numericFeature(
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

/** The categorical feature of `strings` (null missing), imputed with its most frequent level. */
export function categoricalFeature(
  index: number,
  name: string,
  strings: readonly (string | null)[],
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

/** Each row's level. */
export function categoricalStrings(f: CategoricalFeature): string[] {
  const out: string[] = new Array(f.codes.length);
  for (let i = 0; i < f.codes.length; i++) out[i] = f.levels[f.codes[i]!]!;
  return out;
}

/** The features without exact duplicates of an earlier one (reported through `onDuplicate`). */
export function dropDuplicates(
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
