/**
 * Value typing: the one place that says what a cell of customer data is. Uploads (CSV streams),
 * JSON records, the CLI's CSV tables and preprocessing all read cells through these rules, so a
 * value typed here is typed the same everywhere (docs/pipeline.md, "Typing rules").
 *
 * @module
 */

/** The most columns (fields) a dataset may have. */
export const MAX_COLUMNS = 1000;

/** Cells that are missing in any column (compared trimmed, any case). */
export const MISSING_TOKENS: readonly string[] = ["", "na", "n/a", "#n/a", "<na>", "null", "nan"];

/**
 * Cells that are missing too in a numeric or date column, while a categorical column keeps them
 * as levels (`"None"` can be a real answer).
 */
export const NUMERIC_MISSING_TOKENS: readonly string[] = ["none", "nil", "-", "?"];

const MISSING = new Set(MISSING_TOKENS);
const NUMERIC_MISSING = new Set([...MISSING_TOKENS, ...NUMERIC_MISSING_TOKENS]);

/** Whether trimmed text `t` is missing in any column. */
export function isMissing(t: string): boolean {
  return t.length <= 4 && MISSING.has(t.toLowerCase());
}

/** Whether trimmed text `t` is missing in a numeric or date column. */
export function isNumericMissing(t: string): boolean {
  return t.length <= 4 && NUMERIC_MISSING.has(t.toLowerCase());
}

/**
 * The largest magnitude a value of a numeric column may have: 1e15 (messages spell it so). Larger values are refused
 * (`outOfRangeAt`), because the pipeline sums squares of a column (standardisation, distances)
 * and `1e300` squared is Infinity; with |x| ≤ 1e15 the sum of squares of ten million values stays
 * below float32's maximum (3.4e38), so neither backend can overflow, and every integer up to it
 * is exact in float64. No customer quantity (money in any currency, counts, days) comes near.
 */
export const MAX_MAGNITUDE = 1e15;

/** The index of the first value of `values` beyond ±`MAX_MAGNITUDE` (NaN is missing), or -1. */
export function outOfRangeAt(values: ArrayLike<number>): number {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v > MAX_MAGNITUDE || v < -MAX_MAGNITUDE) return i;
  }
  return -1;
}

/** Whether `s` is empty or white space only. */
export function isBlank(s: string): boolean {
  return s.length === 0 || (s.charCodeAt(0) <= 32 && s.trim().length === 0);
}

/**
 * `s` as a decimal number (surrounding white space allowed), or NaN. `0x…`, `0o…` and `0b…`
 * literals are codes in customer data, not quantities, so they are not numbers here.
 */
export function parseNumber(s: string): number {
  const x = Number(s);
  if (!Number.isFinite(x) || isBlank(s)) return NaN;
  const t = s.charCodeAt(0) <= 32 ? s.trim() : s;
  if (t.length > 2 && t.charCodeAt(0) === 48) {
    const c = t.charCodeAt(1) | 32;
    if (c === 120 || c === 111 || c === 98) return NaN;
  }
  return x;
}

/**
 * A column of text read as numbers when every present value (`NUMERIC_MISSING_TOKENS` are
 * missing) is a number as people format them: thousands separators (`1,200.50`), a currency
 * symbol (`$1,200.50`, `12 €`), a percent sign (`12%` is 12) or, when `decimalComma` (a
 * `;`-delimited file, as European spreadsheets write), a decimal comma (`1,5`, `1.234,56`). A
 * column of such money is a quantity, not a category of unique levels. Null otherwise (then
 * the column is text).
 *
 * @example
 * ```ts
 * import { readFormattedNumbers } from "./values.ts";
 * const x = readFormattedNumbers(["$1,200.50", null, "-$3", "12%"], false)!;
 * if (x[0] !== 1200.5 || x[1] === x[1] || x[2] !== -3 || x[3] !== 12) throw new Error();
 * if (readFormattedNumbers(["1,5", "2"], true)![0] !== 1.5) throw new Error();
 * if (readFormattedNumbers(["1,5", "Porto"], true) !== null) throw new Error();
 * ```
 */
export function readFormattedNumbers(
  values: readonly (string | null)[],
  decimalComma: boolean,
): Float64Array | null {
  const out = new Float64Array(values.length).fill(NaN);
  let present = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined || isBlank(v)) continue;
    const t = v.trim();
    if (isNumericMissing(t)) continue;
    const x = parseFormattedNumber(t, decimalComma);
    if (x !== x) return null;
    out[i] = x;
    present++;
  }
  return present > 0 ? out : null;
}

const FORMATTED =
  /^([-+]?)\s*([$€£¥]?)\s*([-+]?)(\d{1,3}(?:([,.\s\u00a0'])\d{3})*|\d+)(?:([.,])(\d+))?\s*(%?)\s*([$€£¥]?)$/;

// A trimmed cell as a formatted number, or NaN. The thousands separator and the decimal mark
// must differ, and a comma is a decimal mark only in a decimal-comma file (there `1,234` is
// 1.234, and `1.234` stays the plain number it is everywhere).
function parseFormattedNumber(t: string, decimalComma: boolean): number {
  const plain = parseNumber(t);
  if (plain === plain) return plain;
  const m = FORMATTED.exec(t);
  if (m === null) return NaN;
  const [, sign1, cur1, sign2, whole, group, mark, fraction, , cur2] = m;
  if ((sign1 && sign2) || (cur1 && cur2)) return NaN;
  let digits = whole!;
  let decimals = fraction;
  if (group === "," && mark === undefined && decimalComma) {
    const parts = whole!.split(",");
    if (parts.length !== 2) return NaN;
    [digits, decimals] = parts as [string, string];
  } else {
    if (mark !== undefined && (mark === group || (mark === ",") !== decimalComma)) return NaN;
    if (group !== undefined) digits = whole!.split(group).join("");
  }
  const x = Number(`${digits}${decimals === undefined ? "" : "." + decimals}`);
  return sign1 === "-" || sign2 === "-" ? -x : x;
}

/** 1 for `true`, 0 for `false` (any case, trimmed), −1 for anything else. */
export function parseBoolean(s: string): 1 | 0 | -1 {
  // The first character rules out nearly every level before any string is allocated.
  const c = s.charCodeAt(0) | 32;
  if (s.length > 7 || (c !== 116 && c !== 102 && c !== 32 && c !== 41)) return -1;
  const t = s.trim().toLowerCase();
  return t === "true" ? 1 : t === "false" ? 0 : -1;
}

const ID_EXACT = /^(?:id|uuid|guid)$/i;
const ID_SUFFIX = /[\s_.:-](?:id|uuid|guid)$/i;
const ID_CAMEL = /[a-z0-9](?:ID|Id|UUID|Uuid|GUID|Guid)$/;
const ID_COMPOUND = new Set(
  ["customer", "cust", "client", "user", "member", "account"].flatMap((p) =>
    ["id", "no", "number"].map((s) => p + s)
  ),
);

/** Whether a column's name says it identifies something (customer_id, CustomerID, CUST_ID, …). */
export function isIdName(name: string): boolean {
  const t = name.trim();
  return ID_EXACT.test(t) || ID_SUFFIX.test(t) || ID_CAMEL.test(t) ||
    ID_COMPOUND.has(t.toLowerCase().replace(/[^a-z0-9]/g, ""));
}

/**
 * What a column of numbers (NaN missing) is: `id` when named like an id and its values are
 * integers, all present and unique; `code` when named like an id and its values are integers
 * but repeat or miss (a store's or a region's code: a category, not a quantity), or when named
 * like a category code (`isCodeName`) with at most `MAX_CODE_LEVELS` distinct integers; `empty`
 * when nothing is present; `numeric` otherwise.
 */
export function numberColumnKind(
  name: string,
  values: ArrayLike<number>,
): "numeric" | "id" | "code" | "empty" {
  const n = values.length;
  let present = 0;
  let integers = true;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (v === v) {
      present++;
      if (integers && !Number.isInteger(v)) integers = false;
    }
  }
  if (present === 0) return "empty";
  if (!integers) return "numeric";
  if (isIdName(name)) {
    return present === n && new Set(Array.from(values)).size === n ? "id" : "code";
  }
  return isCodeName(name) && distinctAtMost(values, MAX_CODE_LEVELS) ? "code" : "numeric";
}

/** The most distinct integers a column named like a code may hold and still be a category. */
export const MAX_CODE_LEVELS = 12;

const CODE_WORDS =
  /(?:^|[\s_.:-])(?:channel|region|segment|type|code|category|class|group|zone|area|branch|store|tier)$/i;
const CODE_CAMEL = /[a-z0-9](?:Channel|Region|Segment|Type|Code|Category|Class|Group|Zone|Area)$/;

/**
 * Whether a column's name says its integers label categories (Channel, Region, store_type,
 * ZoneCode, …): the name's last word is one of a few category nouns. The values must agree too
 * (`numberColumnKind`: few distinct integers), so "Region" holding incomes stays numeric.
 */
export function isCodeName(name: string): boolean {
  const t = name.trim();
  return CODE_WORDS.test(t) || CODE_CAMEL.test(t);
}

function distinctAtMost(values: ArrayLike<number>, limit: number): boolean {
  const seen = new Set<number>();
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v === v) {
      seen.add(v);
      if (seen.size > limit) return false;
    }
  }
  return true;
}

/**
 * What a column of trimmed text (null missing, `MISSING_TOKENS` already null) is: `id` when
 * named like an id with every value present and unique; `date` when every present value is a
 * date of one layout (`readDates`); `categorical` otherwise.
 */
export function textColumnKind(
  name: string,
  values: readonly (string | null)[],
): "id" | "date" | "categorical" {
  const n = values.length;
  let missing = 0;
  for (const v of values) if (v === null) missing++;
  if (missing === 0 && isIdName(name) && new Set(values).size === n) return "id";
  if (missing < n && readDates(values) !== null) return "date";
  return "categorical";
}

/** The least share of numbers among a column's present values for it to count as numeric. */
export const NUMERIC_SHARE = 0.95;

/**
 * The indices of the stray values of a column of text that is numeric but for a few: when at
 * least `NUMERIC_SHARE` of its present values (`NUMERIC_MISSING_TOKENS` are missing here) are
 * numbers, and there are at least 19 numbers, the rest are typos or junk (`"abc"`, `"12,5"`,
 * `"1e400"`) in a numeric column, not the levels of a category, and reading the column as
 * text would silently drop a numeric feature. Null for any other column, and for id-named ones
 * (codes like `A-100` may mix with numbers).
 */
export function strayNonNumbers(name: string, values: readonly (string | null)[]): number[] | null {
  if (isIdName(name)) return null;
  let numbers = 0;
  const strays: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined || isBlank(v) || isNumericMissing(v.trim())) continue;
    if (parseNumber(v) === parseNumber(v)) numbers++;
    else strays.push(i);
    // Past this many strays the column cannot be numeric-but-for-a-few: stop looking.
    if (strays.length > values.length * (1 - NUMERIC_SHARE) + 1) return null;
  }
  const present = numbers + strays.length;
  if (strays.length === 0 || numbers < 19 || numbers < NUMERIC_SHARE * present) return null;
  return strays;
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

/** A CSV header line's delimiter: `,`, `;` or tab, the most frequent outside double quotes. */
export function detectDelimiter(line: string): string {
  const counts: Record<string, number> = { ",": 0, ";": 0, "\t": 0 };
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && Object.hasOwn(counts, ch)) counts[ch]!++;
  }
  let best = ",";
  for (const d of [";", "\t"]) if (counts[d]! > counts[best]!) best = d;
  return best;
}

/** A value as an error message shows it (strings quoted and cut at 40 characters). */
export function describeValue(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return "an object";
  if (typeof v === "string") return `"${v.length > 40 ? v.slice(0, 40) + "…" : v}"`;
  return String(v);
}

// ---------------------------------------------------------------------------------------------
// Dates

/** Milliseconds in a day. */
export const DAY_MS = 86_400_000;

const YEAR_FIRST =
  /^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?\s*(Z|[+-]\d{2}:?\d{2})?)?$/i;
const YEAR_LAST =
  /^(\d{1,2})([-/.])(\d{1,2})\2(\d{4})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?)?$/;

/** A column of dates read as instants. */
export interface DateReading {
  /** Epoch ms of every value, NaN where missing. */
  readonly ms: Float64Array;
  /** The earliest instant. */
  readonly originMs: number;
  /** `yyyy-mm-dd`, `dd/mm/yyyy`, … with the column's separator. */
  readonly format: string;
  /** True when no day above 12 told day-first from month-first (day-first is assumed). */
  readonly ambiguous: boolean;
}

/**
 * Reads a column of text as dates when every present value (missing and `NUMERIC_MISSING_TOKENS`
 * skipped) is a real date of one layout: `yyyy-mm-dd` (optionally with a time and offset), or
 * `dd-mm-yyyy` / `mm-dd-yyyy` with `-`, `/` or `.` (optionally with a time). Day-first or
 * month-first is decided by a day above 12; seeing both is not a date column. Times without an
 * offset are UTC, so the result does not depend on the machine's time zone. Null otherwise.
 *
 * @example
 * ```ts
 * import { readDates } from "./values.ts";
 * const r = readDates(["30-07-2012", null, "01-08-2012"])!;
 * if (r.format !== "dd-mm-yyyy" || r.ms[2]! - r.ms[0]! !== 2 * 86_400_000) throw new Error();
 * if (readDates(["31-02-2020"]) !== null) throw new Error("no 31 February");
 * ```
 */
export function readDates(values: readonly (string | null)[]): DateReading | null {
  const n = values.length;
  let layout: "ymd" | "xxy" | null = null;
  let separator = "-";
  let firstAbove12 = false;
  let secondAbove12 = false;
  const matches: (RegExpExecArray | null)[] = new Array(n).fill(null);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null || v === undefined || isBlank(v)) continue;
    const s = v.trim();
    if (isNumericMissing(s)) continue;
    const m: RegExpExecArray | null = (layout !== "xxy" ? YEAR_FIRST.exec(s) : null) ??
      (layout !== "ymd" ? YEAR_LAST.exec(s) : null);
    if (m === null) return null;
    const l: "ymd" | "xxy" = m[1]!.length === 4 ? "ymd" : "xxy";
    if (layout === null) {
      layout = l;
      separator = m[2]!;
    }
    if (l === "xxy") {
      if (Number(m[1]) > 12) firstAbove12 = true;
      if (Number(m[3]) > 12) secondAbove12 = true;
      if (firstAbove12 && secondAbove12) return null;
    }
    matches[i] = m;
  }
  if (layout === null) return null;
  const dayFirst = !secondAbove12;
  const ms = new Float64Array(n).fill(NaN);
  let min = Infinity;
  for (let i = 0; i < n; i++) {
    const m = matches[i];
    if (!m) continue;
    const t = layout === "ymd"
      ? utc(+m[1]!, +m[3]!, +m[4]!, m[5], m[6], m[7], m[8])
      : utc(+m[4]!, +(dayFirst ? m[3]! : m[1]!), +(dayFirst ? m[1]! : m[3]!), m[5], m[6], m[7]);
    if (Number.isNaN(t)) return null;
    ms[i] = t;
    if (t < min) min = t;
  }
  const s = separator;
  return {
    ms,
    originMs: min,
    format: layout === "ymd"
      ? `yyyy${s}mm${s}dd`
      : dayFirst
      ? `dd${s}mm${s}yyyy`
      : `mm${s}dd${s}yyyy`,
    ambiguous: layout === "xxy" && !firstAbove12 && !secondAbove12,
  };
}

/** An instant as an ISO date (`2012-07-30`), or a full ISO timestamp when it has a time. */
export function isoDate(ms: number): string {
  const iso = new Date(ms).toISOString();
  return ms % DAY_MS === 0 ? iso.slice(0, 10) : iso;
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
