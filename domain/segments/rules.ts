/**
 * Rule-based segmentations of a dataset (document 003, `GET /api/segments/{type}` and
 * `GET /api/customers/{id}/segment`): by gender, region, age group, income bracket, purchase
 * tier, customer lifetime value tier and RFM segment. Pure functions of a `Dataset`; the rules,
 * thresholds and tables are written out in docs/segments.md.
 *
 * Conventions every segmentation shares:
 *
 * - A row whose value for the rule's column is missing (NaN, null or empty) goes to the
 *   "Unknown" segment, reported last and only when it has members; for `clv` that is a missing
 *   purchase amount or frequency, for `rfm` a missing recency, frequency or amount.
 * - Segments come in a fixed order: by value (`gender`, `region`) largest first, ties by name;
 *   bins (`age_group`, `income_bracket`, `purchase_tier`) low to high; CLV tiers Platinum to
 *   Bronze; RFM segments in `RFM_SEGMENT_NAMES` order. Every bin is listed, empty or not.
 * - Income is in currency units: the income column times `dataset.incomeScale`. Money roles
 *   (`purchase_amount`) are read in the dataset's own unit, unscaled.
 * - `purchase_amount` is the customer's average purchase value: the purchase tier bins it and
 *   CLV multiplies it by purchases a year and lifespan; the insights call it spend.
 *
 * @module
 */
import { type ColumnRole, type Dataset, numericRole, textRole } from "../datasets/types.ts";
import { clvReadsTotals } from "../datasets/role_columns.ts";
import { quantileSorted } from "../description/profile.ts";
import { round } from "../../compute/numbers.ts";
import {
  FM_BAND_LOWER_BOUNDS,
  RFM_GRID,
  RFM_SEGMENT_NAMES,
  RFM_SEGMENT_TABLE,
  rfmCode,
  type RfmScores,
  scoreRfm,
} from "./rfm.ts";

/**
 * Segments every customer of `dataset` by the rule of `type` and reports each segment's size,
 * share, averages and members.
 *
 * @param dataset the customers; income is scaled by `incomeScale` into currency units.
 * @param type one of `SEGMENT_TYPES`.
 * @param thresholds overrides of `DEFAULT_THRESHOLDS` (income and spend in currency units, ages
 *   in years, lifespan in years).
 * @throws {MissingColumnsError} when the column map lacks a role the rule needs (see
 *   `SEGMENT_ROLES`), or maps it to a column that is not numeric where a number is needed.
 * @throws {RangeError} on an unknown type or thresholds out of order or not finite.
 *
 * @example
 * ```ts
 * import { segmentDataset } from "./rules.ts";
 * const dataset = {
 *   id: "d", name: "d", createdAt: 0, rowCount: 2, ids: ["1", "2"], incomeScale: 1,
 *   columnMap: { age: "Age" },
 *   columns: [{ name: "Age", kind: "numeric" as const, values: new Float64Array([18, 61]), missing: 0 }],
 * };
 * const s = segmentDataset(dataset, "age_group");
 * if (s.segments.find((g) => g.name === "60+")!.count !== 1) throw new Error();
 * ```
 */
export function segmentDataset(
  dataset: Dataset,
  type: SegmentType,
  thresholds?: Partial<Thresholds>,
): RuleSegmentation {
  const t = resolveThresholds(thresholds);
  const a = assign(dataset, type, t);
  const measures = readMeasures(dataset, t);
  const n = dataset.rowCount;
  const members: number[][] = a.labels.map(() => []);
  const unknown: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = a.of[i]!;
    (s < 0 ? unknown : members[s]!).push(i);
  }
  let totalSpend: number | null = null;
  if (measures.spend) {
    totalSpend = 0;
    for (const v of measures.spend) if (!Number.isNaN(v)) totalSpend += v;
  }
  const segments = a.labels.map((name, s) =>
    buildSegment(name, a.rules[s]!, members[s]!, n, measures, totalSpend)
  );
  if (unknown.length > 0) {
    const rule = `missing ${a.required.join(" or ")}`;
    segments.push(buildSegment(UNKNOWN_SEGMENT, rule, unknown, n, measures, totalSpend));
  }
  return {
    type,
    total_customers: n,
    columns: a.columns,
    thresholds: t,
    cutoffs: roundedCutoffs(a.cutoffs),
    notes: a.notes,
    segments,
  };
}

/** The rule-based segmentation types, in the order document 003 lists them (plus `rfm`). */
export const SEGMENT_TYPES = [
  "gender",
  "region",
  "age_group",
  "income_bracket",
  "purchase_tier",
  "clv",
  "rfm",
] as const;
export type SegmentType = typeof SEGMENT_TYPES[number];

/** The column roles each type needs (`required`) and reads when present (`optional`). */
export const SEGMENT_ROLES: Readonly<
  Record<SegmentType, { required: readonly ColumnRole[]; optional: readonly ColumnRole[] }>
> = {
  gender: { required: ["gender"], optional: [] },
  region: { required: ["region"], optional: [] },
  age_group: { required: ["age"], optional: [] },
  income_bracket: { required: ["income"], optional: [] },
  purchase_tier: { required: ["purchase_amount"], optional: [] },
  clv: { required: ["purchase_amount", "purchase_frequency"], optional: ["lifespan"] },
  rfm: { required: ["recency", "purchase_frequency", "purchase_amount"], optional: [] },
};

/** The name of the segment of rows whose value for the rule's column is missing. */
export const UNKNOWN_SEGMENT = "Unknown";

/** The CLV tiers, highest first: the top quartile of CLV is Platinum. */
export const CLV_TIERS = ["Platinum", "Gold", "Silver", "Bronze"] as const;

/** The bounds of the binned rules. Every bound is inclusive as written in the docs. */
export interface Thresholds {
  /** Youngest age of the first adult group, in years: younger is "Under 18". */
  ageMin: number;
  /**
   * Inclusive upper bounds of the groups from `ageMin` on, increasing; older than the last is
   * "60+" (labels assume whole years: 18-25, 26-40, 41-60).
   */
  ageUpperBounds: readonly number[];
  /** Income below this (currency units) is Low; from it up to `incomeHigh` inclusive, Middle. */
  incomeLow: number;
  /** Income above this is High. */
  incomeHigh: number;
  /** Spend (purchase amount) below this is Low; from it up to `spendHigh` inclusive, Medium. */
  spendLow: number;
  /** Spend above this is High. */
  spendHigh: number;
  /** Years a customer is expected to stay when the dataset has no lifespan for them. */
  defaultLifespanYears: number;
}

/** Document 003's bounds, and a lifespan of 3 years where the data has none. */
export const DEFAULT_THRESHOLDS: Readonly<Thresholds> = Object.freeze({
  ageMin: 18,
  ageUpperBounds: Object.freeze([25, 40, 60]),
  incomeLow: 30_000,
  incomeHigh: 70_000,
  spendLow: 1_000,
  spendHigh: 3_000,
  defaultLifespanYears: 3,
});

/** The dataset lacks the columns a segmentation type needs (the route answers 400). */
export class MissingColumnsError extends Error {
  override readonly name = "MissingColumnsError";
  readonly type: SegmentType;
  readonly missing: ColumnRole[];
  constructor(type: SegmentType, missing: ColumnRole[]) {
    super(
      `Expected the dataset to have ${missing.length === 1 ? "a column" : "columns"} for ` +
        `${missing.join(", ")} to segment by ${type} but found none mapped`,
    );
    this.type = type;
    this.missing = missing;
  }
}

/** Averages over a segment's members with a value; null when the role is absent or no member has one. */
export interface SegmentAverages {
  avg_age: number | null;
  /** Currency units (income × incomeScale). */
  avg_income: number | null;
  avg_spending_score: number | null;
  avg_purchase_amount: number | null;
  /** Purchases a year. */
  avg_frequency: number | null;
  /** From the lifespan column only (defaults are not averaged in). */
  avg_lifespan_years: number | null;
  avg_recency_days: number | null;
  /** Null when the dataset lacks purchase amount or frequency. */
  avg_clv: number | null;
}

/** One segment of a rule-based segmentation. */
export interface RuleSegment extends SegmentAverages {
  name: string;
  /** The rule in words, e.g. `18 <= age <= 25`. */
  rule: string;
  count: number;
  /** count / all customers, 0–1. */
  share: number;
  /** Sum of the members' purchase amounts; null without a purchase amount column. */
  total_spend: number | null;
  /** total_spend / the dataset's total spend, 0–1; null without spend or when the total is 0. */
  spend_share: number | null;
  /** 0-based row indices of the members, ascending (`dataset.ids[row]` is the customer id). */
  rows: number[];
}

/** The result of `segmentDataset`. */
export interface RuleSegmentation {
  type: SegmentType;
  total_customers: number;
  /** The columns the rule read, by role. */
  columns: Partial<Record<ColumnRole, string>>;
  /** The thresholds in force (defaults merged with the overrides). */
  thresholds: Thresholds;
  /**
   * Cut points found in the data: `clv` → `{ clv: [q25, q50, q75] }`; `rfm` → `{ recency,
   * frequency_rank, monetary }` quintile edges. Empty for the other types.
   */
  cutoffs: Record<string, number[]>;
  /** Things a reader should know, e.g. that CLV used the default lifespan. */
  notes: string[];
  segments: RuleSegment[];
}

/** Digits of money (CLV: cents) and of reported cut-offs and scores. */
export const MONEY_DIGITS = 2;

/**
 * The cut-offs as reported: two decimals (cents for money; days, ranks and scores alike), so
 * that quantiles show no float noise (87.80000000000001). Binning uses the exact values.
 */
function roundedCutoffs(cutoffs: Record<string, number[]>): Record<string, number[]> {
  return Object.fromEntries(
    Object.entries(cutoffs).map(([k, v]) => [k, v.map((c) => round(c, MONEY_DIGITS))]),
  );
}

/** Every applicable segmentation of one customer (document 003 §1.4 `segments`). */
export interface CustomerSegments {
  customer_id: string;
  row: number;
  segments: {
    gender?: string;
    region?: string;
    age_group?: string;
    income_bracket?: string;
    purchase_tier?: string;
    clv_tier?: string;
    /** Null when the customer's amount or frequency is missing. */
    calculated_clv?: number | null;
    rfm_segment?: string;
    /** "543" (R, F, M scores), null when one is missing. */
    rfm_score?: string | null;
  };
  /** The types left out because the dataset lacks their columns. */
  skipped: { type: SegmentType; missing: ColumnRole[] }[];
}

/**
 * Every segmentation of the customer at `rowIndex` whose columns the dataset has; the others are
 * listed in `skipped`. CLV tiers and RFM scores are relative to the whole dataset.
 *
 * @throws {RangeError} when `rowIndex` is not a row of the dataset, or on bad thresholds.
 */
export function customerSegments(
  dataset: Dataset,
  rowIndex: number,
  thresholds?: Partial<Thresholds>,
): CustomerSegments {
  assertRow(dataset, rowIndex);
  const t = resolveThresholds(thresholds);
  const out: CustomerSegments = {
    customer_id: dataset.ids[rowIndex] ?? String(rowIndex + 1),
    row: rowIndex,
    segments: {},
    skipped: [],
  };
  for (const type of SEGMENT_TYPES) {
    const missing = missingRoles(dataset, type);
    if (missing.length > 0) {
      out.skipped.push({ type, missing });
      continue;
    }
    const a = assign(dataset, type, t);
    const s = a.of[rowIndex]!;
    const name = s < 0 ? UNKNOWN_SEGMENT : a.labels[s]!;
    if (type === "clv") {
      out.segments.clv_tier = name;
      const v = a.clv![rowIndex]!;
      out.segments.calculated_clv = Number.isNaN(v) ? null : round(v, MONEY_DIGITS);
    } else if (type === "rfm") {
      out.segments.rfm_segment = name;
      const { r, f, m } = a.rfm!;
      out.segments.rfm_score = rfmCode(r[rowIndex]!, f[rowIndex]!, m[rowIndex]!);
    } else {
      out.segments[type] = name;
    }
  }
  return out;
}

/** The row of the customer whose id is `id` (`dataset.ids`), or −1. */
export function rowOfCustomer(dataset: Dataset, id: string): number {
  return dataset.ids.indexOf(id);
}

/** The roles `type` needs that the dataset lacks (empty when it can be segmented). */
export function missingRoles(dataset: Dataset, type: SegmentType): ColumnRole[] {
  const roles = SEGMENT_ROLES[type];
  if (!roles) {
    throw new RangeError(
      `Expected a segmentation type (${SEGMENT_TYPES.join(", ")}) but found ${type}`,
    );
  }
  return roles.required.filter((role) =>
    role === "gender" || role === "region"
      ? textRole(dataset, role) === undefined
      : numericRole(dataset, role) === undefined
  );
}

/**
 * Each customer's CLV = purchase amount × purchases a year × lifespan in years, the lifespan
 * from the `lifespan` column where the customer has one, else `defaultLifespanYears`. NaN where
 * the amount or frequency is missing.
 *
 * @throws {MissingColumnsError} (type `clv`) without purchase amount or frequency columns.
 */
export function computeClv(
  dataset: Dataset,
  thresholds?: Partial<Thresholds>,
): {
  clv: Float64Array;
  lifespan: Float64Array;
  defaulted: number;
  lifespanColumn: boolean;
  totals: boolean;
} {
  const t = resolveThresholds(thresholds);
  const amount = numericRole(dataset, "purchase_amount");
  const frequency = numericRole(dataset, "purchase_frequency");
  if (!amount || !frequency) throw new MissingColumnsError("clv", missingRoles(dataset, "clv"));
  const life = numericRole(dataset, "lifespan");
  // Totals (spend and a count of purchases over one window) are not multiplied: docs/roles.md.
  const totals = clvReadsTotals(dataset, amount.name, frequency.name);
  const n = dataset.rowCount;
  const clv = new Float64Array(n);
  const lifespan = new Float64Array(n);
  let defaulted = 0;
  for (let i = 0; i < n; i++) {
    const own = life ? life.values[i]! : NaN;
    const years = Number.isNaN(own) ? t.defaultLifespanYears : own;
    if (Number.isNaN(own)) defaulted++;
    lifespan[i] = years;
    clv[i] = totals ? amount.values[i]! * years : amount.values[i]! * frequency.values[i]! * years;
  }
  return { clv, lifespan, defaulted, lifespanColumn: life !== undefined, totals };
}

/** `DEFAULT_THRESHOLDS` with the given overrides (undefined ones ignored), checked. */
export function resolveThresholds(overrides?: Partial<Thresholds>): Thresholds {
  const t: Thresholds = { ...DEFAULT_THRESHOLDS };
  for (const [key, value] of Object.entries(overrides ?? {})) {
    if (value !== undefined) (t as unknown as Record<string, unknown>)[key] = value;
  }
  const finite = (name: string, v: unknown) => {
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new RangeError(`Expected ${name} to be a finite number but found ${String(v)}`);
    }
  };
  for (
    const key of [
      "ageMin",
      "incomeLow",
      "incomeHigh",
      "spendLow",
      "spendHigh",
      "defaultLifespanYears",
    ] as const
  ) finite(key, t[key]);
  if (!Array.isArray(t.ageUpperBounds) || t.ageUpperBounds.length === 0) {
    throw new RangeError(
      `Expected ageUpperBounds to be a non-empty array but found ${String(t.ageUpperBounds)}`,
    );
  }
  let previous = t.ageMin;
  t.ageUpperBounds.forEach((b, i) => {
    finite(`ageUpperBounds[${i}]`, b);
    if (b < previous) {
      throw new RangeError(
        `Expected ageUpperBounds to increase from ageMin (${t.ageMin}) but found ` +
          `[${t.ageUpperBounds.join(", ")}]`,
      );
    }
    previous = b + 1;
  });
  if (t.incomeLow >= t.incomeHigh) {
    throw new RangeError(
      `Expected incomeLow < incomeHigh but found ${t.incomeLow} and ${t.incomeHigh}`,
    );
  }
  if (t.spendLow >= t.spendHigh) {
    throw new RangeError(
      `Expected spendLow < spendHigh but found ${t.spendLow} and ${t.spendHigh}`,
    );
  }
  if (t.defaultLifespanYears < 0) {
    throw new RangeError(
      `Expected defaultLifespanYears to be at least 0 but found ${t.defaultLifespanYears}`,
    );
  }
  t.ageUpperBounds = [...t.ageUpperBounds];
  return t;
}

/** The segment of every row (−1 = Unknown) and what the segments are. */
interface Assignment {
  labels: string[];
  rules: string[];
  of: Int32Array;
  required: readonly ColumnRole[];
  columns: Partial<Record<ColumnRole, string>>;
  cutoffs: Record<string, number[]>;
  notes: string[];
  clv?: Float64Array;
  rfm?: RfmScores;
}

function assign(dataset: Dataset, type: SegmentType, t: Thresholds): Assignment {
  const missing = missingRoles(dataset, type);
  if (missing.length > 0) throw new MissingColumnsError(type, missing);
  const { required, optional } = SEGMENT_ROLES[type];
  const columns: Partial<Record<ColumnRole, string>> = {};
  for (const role of [...required, ...optional]) {
    // A role no column is mapped to may read a measure of the columns' roles (docs/roles.md).
    const name = dataset.columnMap[role] ?? numericRole(dataset, role)?.name;
    if (name !== undefined && (role !== "lifespan" || numericRole(dataset, role))) {
      columns[role] = name;
    }
  }
  const base = { required, columns, cutoffs: {}, notes: [] as string[] };
  const n = dataset.rowCount;
  switch (type) {
    case "gender":
    case "region":
      return { ...base, ...byValue(textRole(dataset, type)!, type) };
    case "age_group": {
      const { labels, rules } = ageBins(t);
      const age = numericRole(dataset, "age")!.values;
      const bounds = [t.ageMin, ...t.ageUpperBounds];
      // "Under 18" is strict below ageMin; each later group ends at its inclusive upper bound.
      const of = binRows(n, age, (v) => {
        if (v < t.ageMin) return 0;
        for (let k = 1; k < bounds.length; k++) if (v <= bounds[k]!) return k;
        return bounds.length;
      });
      return { ...base, labels, rules, of };
    }
    case "income_bracket": {
      const income = numericRole(dataset, "income")!.values;
      const scale = dataset.incomeScale;
      const lo = t.incomeLow, hi = t.incomeHigh;
      return {
        ...base,
        labels: [
          `Low Income (<${kilo(lo)})`,
          `Middle Income (${kilo(lo)}-${kilo(hi)})`,
          `High Income (>${kilo(hi)})`,
        ],
        rules: [`income < ${lo}`, `${lo} <= income <= ${hi}`, `income > ${hi}`],
        of: binRows(n, income, (v) => threeWay(v * scale, lo, hi)),
        notes: scale === 1 ? [] : [`Income is the ${columns.income} column × ${scale}.`],
      };
    }
    case "purchase_tier": {
      const spend = numericRole(dataset, "purchase_amount")!.values;
      const lo = t.spendLow, hi = t.spendHigh;
      return {
        ...base,
        labels: [
          `Low Spender (<${kilo(lo)})`,
          `Medium Spender (${kilo(lo)}-${kilo(hi)})`,
          `High Spender (>${kilo(hi)})`,
        ],
        rules: [
          `purchase_amount < ${lo}`,
          `${lo} <= purchase_amount <= ${hi}`,
          `purchase_amount > ${hi}`,
        ],
        of: binRows(n, spend, (v) => threeWay(v, lo, hi)),
      };
    }
    case "clv":
      return { ...base, ...clvTiers(dataset, t) };
    case "rfm":
      return { ...base, ...rfmSegments(dataset) };
  }
}

function byValue(values: readonly (string | null)[], role: ColumnRole) {
  const counts = new Map<string, number>();
  for (const v of values) if (v !== null && v !== "") counts.set(v, (counts.get(v) ?? 0) + 1);
  const labels = [...counts.keys()].sort((a, b) =>
    counts.get(b)! - counts.get(a)! || (a < b ? -1 : a > b ? 1 : 0)
  );
  const index = new Map(labels.map((l, k) => [l, k]));
  const of = new Int32Array(values.length);
  values.forEach((v, i) => of[i] = v === null || v === "" ? -1 : index.get(v)!);
  return { labels, rules: labels.map((l) => `${role} = ${JSON.stringify(l)}`), of };
}

function ageBins(t: Thresholds): { labels: string[]; rules: string[] } {
  const labels = [`Under ${t.ageMin}`];
  const rules = [`age < ${t.ageMin}`];
  let lower = t.ageMin;
  t.ageUpperBounds.forEach((upper, k) => {
    labels.push(`${lower}-${upper}`);
    rules.push(k === 0 ? `${lower} <= age <= ${upper}` : `${lower - 1} < age <= ${upper}`);
    lower = upper + 1;
  });
  const last = t.ageUpperBounds[t.ageUpperBounds.length - 1]!;
  labels.push(`${last}+`);
  rules.push(`age > ${last}`);
  return { labels, rules };
}

function clvTiers(dataset: Dataset, t: Thresholds) {
  const { clv, defaulted, lifespanColumn, totals } = computeClv(dataset, t);
  const known = Array.from(clv).filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  const notes: string[] = [];
  if (totals) {
    notes.push(
      "The purchase amount is total spend and the frequency a count of the same purchases: " +
        "CLV = spend × lifespan in years (docs/roles.md).",
    );
  }
  if (!lifespanColumn) {
    notes.push(
      `No lifespan column: CLV uses the default lifespan of ${t.defaultLifespanYears} years.`,
    );
  } else if (defaulted > 0) {
    notes.push(
      `${defaulted} customers without a lifespan use the default of ${t.defaultLifespanYears} years.`,
    );
  }
  const n = dataset.rowCount;
  if (known.length === 0) {
    return {
      labels: [...CLV_TIERS],
      rules: CLV_TIERS.map(() => "no customer has a CLV"),
      of: new Int32Array(n).fill(-1),
      cutoffs: { clv: [] },
      notes,
      clv,
    };
  }
  const [q1, q2, q3] = [0.25, 0.5, 0.75].map((q) => quantileSorted(known, q)) as [
    number,
    number,
    number,
  ];
  const [c1, c2, c3] = [q1, q2, q3].map((q) => round(q, MONEY_DIGITS));
  // pandas.qcut(clv, 4): right-closed bins, so equal CLVs always share a tier.
  const of = binRows(n, clv, (v) => (v > q3 ? 0 : v > q2 ? 1 : v > q1 ? 2 : 3));
  return {
    labels: [...CLV_TIERS],
    rules: [`CLV > ${c3}`, `${c2} < CLV <= ${c3}`, `${c1} < CLV <= ${c2}`, `CLV <= ${c1}`],
    of,
    cutoffs: { clv: [q1, q2, q3] },
    notes,
    clv,
  };
}

function rfmSegments(dataset: Dataset) {
  const rfm = scoreRfm(
    numericRole(dataset, "recency")!.values,
    numericRole(dataset, "purchase_frequency")!.values,
    numericRole(dataset, "purchase_amount")!.values,
  );
  const index = new Map<string, number>(RFM_SEGMENT_NAMES.map((name, k) => [name, k]));
  const of = new Int32Array(dataset.rowCount);
  for (let i = 0; i < of.length; i++) {
    const code = rfmCode(rfm.r[i]!, rfm.f[i]!, rfm.m[i]!);
    of[i] = code === null ? -1 : index.get(RFM_SEGMENT_TABLE[code]!)!;
  }
  return {
    labels: [...RFM_SEGMENT_NAMES],
    rules: RFM_SEGMENT_NAMES.map(rfmRuleText),
    of,
    cutoffs: rfm.cutoffs,
    rfm,
  };
}

/** The grid cells of a segment in words, e.g. `R 4-5, FM >= 4`. */
function rfmRuleText(name: string): string {
  const parts: { r: number[]; text: string }[] = [];
  for (const r of [5, 4, 3, 2, 1] as const) {
    const bands = RFM_GRID[r].flatMap((cell, b) => (cell === name ? [b] : []));
    if (bands.length === 0) continue;
    const lo = bands[0]!, hi = bands[bands.length - 1]!;
    const lower = FM_BAND_LOWER_BOUNDS[lo]!;
    const upper = FM_BAND_LOWER_BOUNDS[hi + 1];
    const text = upper === undefined
      ? (lo === 0 ? "any FM" : `FM >= ${lower}`)
      : lo === 0
      ? `FM < ${upper}`
      : `${lower} <= FM < ${upper}`;
    const last = parts[parts.length - 1];
    if (last && last.text === text) last.r.push(r);
    else parts.push({ r: [r], text });
  }
  return parts.map(({ r, text }) =>
    `R ${r.length === 1 ? r[0] : `${r[r.length - 1]}-${r[0]}`}, ${text}`
  ).join("; ") + " (FM = (F + M) / 2)";
}

function binRows(n: number, values: Float64Array, bin: (v: number) => number): Int32Array {
  const of = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    of[i] = Number.isNaN(v) ? -1 : bin(v);
  }
  return of;
}

function threeWay(v: number, lo: number, hi: number): number {
  return v < lo ? 0 : v <= hi ? 1 : 2;
}

/** 30000 → "30k", 2500 → "2.5k". */
function kilo(v: number): string {
  return `${Number((v / 1000).toFixed(3))}k`;
}

/** The per-row values averaged into every segment. */
interface Measures {
  age?: Float64Array;
  income?: Float64Array;
  spendingScore?: Float64Array;
  spend?: Float64Array;
  frequency?: Float64Array;
  lifespan?: Float64Array;
  recency?: Float64Array;
  clv?: Float64Array;
}

function readMeasures(dataset: Dataset, t: Thresholds): Measures {
  const get = (role: ColumnRole) => numericRole(dataset, role)?.values;
  const income = get("income");
  const spend = get("purchase_amount");
  const frequency = get("purchase_frequency");
  return {
    age: get("age"),
    income: income && dataset.incomeScale !== 1
      ? income.map((v) => v * dataset.incomeScale)
      : income,
    spendingScore: get("spending_score"),
    spend,
    frequency,
    lifespan: get("lifespan"),
    recency: get("recency"),
    clv: spend && frequency ? computeClv(dataset, t).clv : undefined,
  };
}

function buildSegment(
  name: string,
  rule: string,
  rows: number[],
  total: number,
  m: Measures,
  totalSpend: number | null,
): RuleSegment {
  const mean = (values: Float64Array | undefined): number | null => {
    if (!values) return null;
    let sum = 0, count = 0;
    for (const i of rows) {
      const v = values[i]!;
      if (!Number.isNaN(v)) {
        sum += v;
        count++;
      }
    }
    return count === 0 ? null : sum / count;
  };
  let spend: number | null = null;
  if (m.spend) {
    spend = 0;
    for (const i of rows) if (!Number.isNaN(m.spend[i]!)) spend += m.spend[i]!;
  }
  return {
    name,
    rule,
    count: rows.length,
    share: total === 0 ? 0 : rows.length / total,
    avg_age: mean(m.age),
    avg_income: mean(m.income),
    avg_spending_score: mean(m.spendingScore),
    avg_purchase_amount: mean(m.spend),
    avg_frequency: mean(m.frequency),
    avg_lifespan_years: mean(m.lifespan),
    avg_recency_days: mean(m.recency),
    avg_clv: mean(m.clv),
    total_spend: spend,
    spend_share: spend === null || !totalSpend ? null : spend / totalSpend,
    rows,
  };
}

/** Throws a RangeError unless `rowIndex` is a row of `dataset`. */
export function assertRow(dataset: Dataset, rowIndex: number): void {
  if (!Number.isInteger(rowIndex) || rowIndex < 0 || rowIndex >= dataset.rowCount) {
    throw new RangeError(
      `Expected a row index in [0, ${dataset.rowCount - 1}] but found ${rowIndex}`,
    );
  }
}
