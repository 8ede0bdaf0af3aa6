/**
 * Business roles of columns (issue 12, docs/roles.md): a column takes a role only on evidence
 * from both its name and its values, with a confidence and the evidence in words, and the roles
 * of several columns combine as an analyst would (Mnt* add up to spend, Num*Purchases to
 * purchases, a birth year becomes an age, a date of first purchase a tenure).
 *
 * Pure functions of column summaries: the dataset, the narratives and the column map all read
 * roles from here, so a role is guessed in one place.
 *
 * @module
 */

import type { Language } from "./narrative_strings.ts";
import { type RoleEvidence, roleEvidenceText } from "./role_text.ts";

/** The business roles a column can take. */
export const BUSINESS_ROLES = [
  "spend",
  "purchases",
  "frequency",
  "ticket",
  "loyalty",
  "tenure",
  "recency",
  "age",
  "income",
] as const;
export type BusinessRole = typeof BUSINESS_ROLES[number];

/**
 * The units a role's column can be in: tenure and recency in days, months or years, or a date
 * (of first purchase, of the last purchase); age in years or a birth year.
 */
export const ROLE_UNITS = ["days", "months", "years", "birth_year", "date"] as const;
export type RoleUnit = typeof ROLE_UNITS[number];

/** The units each role accepts; roles not listed take none. */
export const UNITS_OF: Readonly<Partial<Record<BusinessRole, readonly RoleUnit[]>>> = {
  tenure: ["days", "months", "years", "date"],
  recency: ["days", "months", "years", "date"],
  age: ["years", "birth_year"],
};

/** What detection reads of a column: its name, kind and a summary of its present values. */
export interface RoleColumn {
  readonly name: string;
  readonly kind: "numeric" | "categorical" | "id" | "date";
  /** Smallest and largest present value (numbers; dates in epoch ms). */
  readonly min?: number;
  readonly max?: number;
  readonly mean?: number;
  /** Whether every present value is an integer (unknown when undefined). */
  readonly integer?: boolean;
  /** Distinct present values, counted up to a few dozen (unknown when undefined). */
  readonly distinct?: number;
  /** Share of present values within a role's plausible range, where the caller measured it. */
  readonly birthYearShare?: number;
}

/** A user's correction of one column: its role (null: none) and unit. */
export interface RoleCorrection {
  readonly role?: BusinessRole | null;
  readonly unit?: RoleUnit;
}

/** The role of one column, or why it has none although its name suggested one. */
export interface ColumnRoleReport {
  column: string;
  /** Null: the name suggested a role but the values did not back it (see `evidence`). */
  role: BusinessRole | null;
  /** 0–1: 0.9 name and values agree plainly, 0.6–0.7 the unit or the role is a reading. */
  confidence: number;
  unit?: RoleUnit;
  /** Plain sentences, name evidence first. */
  evidence: string[];
  source: "detected" | "corrected";
  /** Set when the service asks the user to confirm (a unit read from the values alone). */
  ask?: string;
}

/** Options of `detectRoles`. */
export interface DetectOptions {
  /** Per column corrections, applied over the detection. */
  corrections?: Readonly<Record<string, RoleCorrection>>;
  /** The year ages are counted to (default: `referenceYear` of the columns). */
  referenceYear?: number;
}

/**
 * The role of every column whose name suggests one, in column order: the role when the values
 * back it (with confidence and evidence), else `role: null` and why. Columns whose name says
 * nothing are left out. Corrections replace the detection of their column (source
 * `corrected`, confidence 1). Deterministic.
 */
export function detectRoles(
  columns: readonly RoleColumn[],
  options: DetectOptions = {},
): ColumnRoleReport[] {
  const corrections = options.corrections ?? {};
  const out: ColumnRoleReport[] = [];
  for (const c of columns) {
    const fix = Object.hasOwn(corrections, c.name) ? corrections[c.name] : undefined;
    const found = detectOne(c);
    if (fix !== undefined && fix.role !== undefined) {
      if (fix.role === null) {
        out.push(withEvidence({
          column: c.name,
          role: null,
          confidence: 1,
          evidence: [],
          source: "corrected",
        }, [{ key: "user_none" }]));
        continue;
      }
      const unit = fix.unit ?? (found?.role === fix.role ? found.unit : defaultUnit(fix.role, c));
      out.push(withEvidence({
        column: c.name,
        role: fix.role,
        confidence: 1,
        ...(unit !== undefined ? { unit } : {}),
        evidence: [],
        source: "corrected",
      }, [{ key: "user_set" }]));
      continue;
    }
    if (found === null) continue;
    if (fix?.unit !== undefined && found.role !== null) {
      const corrected: ColumnRoleReport = {
        ...found,
        unit: fix.unit,
        confidence: 1,
        source: "corrected",
      };
      delete corrected.ask;
      out.push(withEvidence(corrected, [
        ...evidenceOf(found)!.items,
        { key: "user_unit", unit: fix.unit },
      ]));
      continue;
    }
    out.push(found);
  }
  return out;
}

/**
 * The year a birth year is counted to: the latest year of the date columns (epoch-ms `max`)
 * when there are any, else the year of `now`.
 */
export function referenceYear(columns: readonly RoleColumn[], now = Date.now()): number {
  let latest = -Infinity;
  for (const c of columns) {
    if (c.kind === "date" && c.max !== undefined && Number.isFinite(c.max)) {
      latest = Math.max(latest, c.max);
    }
  }
  return new Date(Number.isFinite(latest) ? latest : now).getUTCFullYear();
}

/** How the columns of one role make one measure per customer. */
export interface RoleMeasure {
  role: BusinessRole;
  /** The columns read, in column order. */
  columns: string[];
  /**
   * `sum`: the columns added up; `single`: one column; `age_from_birth_year`: reference year −
   * the column; `since_date`: time from the column's date to the reference date.
   */
  combine: "sum" | "single" | "age_from_birth_year" | "since_date";
  /** The unit of the measure after combining (tenure and recency: `days`, `months`, `years`). */
  unit?: RoleUnit;
  /** The year or date (ISO) counted to, for `age_from_birth_year` and `since_date`. */
  reference?: number | string;
  /** Columns of the role left out, and why. */
  left_out: { column: string; reason: string }[];
  /** The measure in words, e.g. "MntWines + MntFruits + …" or "2014 − Year_Birth". */
  label: string;
}

/**
 * The measure of each role found among `reports`: spend and purchases sum their columns (a
 * total of the others, as PURCHASES = ONEOFF_PURCHASES + INSTALLMENTS_PURCHASES, stands alone;
 * deal or discount counts, a subset of the channel counts, are left out); every other role
 * takes its most confident column. `means` gives column means for the total rule.
 */
export function combineRoles(
  reports: readonly ColumnRoleReport[],
  options: {
    referenceYear: number;
    /** ISO date of the latest date in the data, for `since_date`. */
    referenceDate?: string;
    means?: Readonly<Record<string, number>>;
  },
): RoleMeasure[] {
  const out: RoleMeasure[] = [];
  for (const role of BUSINESS_ROLES) {
    const of = reports.filter((r) => r.role === role);
    if (of.length === 0) continue;
    if (role === "spend" || role === "purchases") {
      const { kept, left_out } = role === "spend"
        ? spendColumns(of.map((r) => r.column), options.means ?? {})
        : purchaseColumns(of.map((r) => r.column));
      out.push({
        role,
        columns: kept,
        combine: kept.length > 1 ? "sum" : "single",
        left_out,
        label: kept.join(" + "),
      });
      continue;
    }
    const best = of.reduce((a, b) => (b.confidence > a.confidence ? b : a));
    const left_out = of.filter((r) => r !== best).map((r) => ({
      column: r.column,
      reason: `${best.column} plays ${role} with more confidence`,
    }));
    if (best.unit === "birth_year") {
      out.push({
        role,
        columns: [best.column],
        combine: "age_from_birth_year",
        unit: "years",
        reference: options.referenceYear,
        left_out,
        label: `${options.referenceYear} − ${best.column}`,
      });
    } else if (best.unit === "date") {
      const ref = options.referenceDate ?? `${options.referenceYear}-12-31`;
      out.push({
        role,
        columns: [best.column],
        combine: "since_date",
        unit: "days",
        reference: ref,
        left_out,
        label: `days from ${best.column} to ${ref}`,
      });
    } else {
      out.push({
        role,
        columns: [best.column],
        combine: "single",
        ...(best.unit !== undefined ? { unit: best.unit } : {}),
        left_out,
        label: best.column,
      });
    }
  }
  return out;
}

/**
 * One value per row of `measure`, NaN where a column it reads is missing; `read` gives a
 * column's numbers (dates in epoch ms). `unit` converts tenure and recency (days, months,
 * years: a month is 365.25 / 12 days).
 */
export function measureValues(
  measure: RoleMeasure,
  read: (column: string) => ArrayLike<number> | undefined,
  unit?: "days" | "months" | "years",
): Float64Array | undefined {
  const cols = measure.columns.map(read);
  if (cols.some((c) => c === undefined) || cols.length === 0) return undefined;
  const n = cols[0]!.length;
  const out = new Float64Array(n);
  const refMs = typeof measure.reference === "string" ? Date.parse(measure.reference) : NaN;
  const factor = unit === undefined || measure.unit === undefined
    ? 1
    : DAYS_IN[measure.unit as "days" | "months" | "years"] / DAYS_IN[unit];
  for (let i = 0; i < n; i++) {
    let v = 0;
    for (const c of cols) v += c![i]!;
    if (measure.combine === "age_from_birth_year") v = (measure.reference as number) - v;
    if (measure.combine === "since_date") v = (refMs - v) / DAY_MS;
    out[i] = v * factor;
  }
  return out;
}

const DAY_MS = 86_400_000;
const DAYS_IN = { days: 1, months: 365.25 / 12, years: 365.25 } as const;

// ---------------------------------------------------------------------------------------------
// One column

/** Words of a column that is never spend, purchases, ticket or frequency. */
const NOT_PURCHASES = /(^|_)(balance|cash|advance|credit|limit|payments?|minimum|prc|cost|z)($|_)/;
const VISIT_NOUN = /(^|_)(visits?|sessions?)($|_)/;
const SCORE_WORD = /(^|_)(score|rating|index)($|_)/;
const COUNT_WORD = /(^|_)(num|number|count|cnt|n|nb|no|trx)($|_)/;
const PURCHASE_NOUN = /(^|_)(purchases?|orders?|transactions?|trx|baskets)($|_)/;
const SPEND_WORD =
  /(^|_)(mnt|spend|spent|spending|amount|amt|revenue|monetary|sales|expenditure)($|_)/;
const TICKET_WORD =
  /(ticket|avg_order|average_order|aov|order_value|basket_value|avg_purchase|average_purchase)/;
const FREQ_WORD = /(^|_)(freq|frequency|per_month|per_year|monthly|yearly|per_week)($|_)/;
const LOYALTY_WORD = /(^|_)(loyal|loyalty|points|membership_score|reward|rewards)($|_)/;
const TENURE_WORD =
  /(^|_)(tenure|seniority|lifespan|customer_since|member_since|months_on_book|dt_customer|first_purchase|first_order|signup|sign_up|joined|join_date|registration|registered|enrolled|customer_for|years_as_customer|days_as_customer|months_as_customer)($|_)/;
const TENURE_DATE_WORD =
  /(^|_)(dt_customer|customer|since|first|join|joined|signup|sign_up|registration|registered|enrol|enrolled|created|start)($|_)/;
const RECENCY_WORD =
  /(^|_)(recency|days_since|since_last|last_purchase|last_order|last_seen|inactive|days_inactive)($|_)?/;
const AGE_WORD = /(^|_)age($|_)/;
const BIRTH_WORD = /(^|_)(year_birth|birth_year|birthyear|yob|year_of_birth|born|birth)($|_)/;
const INCOME_WORD = /(^|_)(income|salary|earnings|wage|wages)($|_)/;
const UNIT_WORD: readonly [RoleUnit, RegExp][] = [
  ["days", /(^|_)(days?|d)($|_)/],
  ["months", /(^|_)(months?|mo|mths?|m)($|_)/],
  ["years", /(^|_)(years?|yrs?|y)($|_)/],
];

/** A name's lower-case words joined by "_", camelCase split. */
export function wordsOf(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_|_$/g, "");
}

/** The role a column's name suggests, in the order tried; undefined when none. */
export function nameSuggests(name: string): BusinessRole | undefined {
  const w = wordsOf(name);
  if (BIRTH_WORD.test(w) || AGE_WORD.test(w)) return "age";
  if (INCOME_WORD.test(w)) return "income";
  if (RECENCY_WORD.test(w)) return "recency";
  if (TENURE_WORD.test(w)) return "tenure";
  if (LOYALTY_WORD.test(w)) return "loyalty";
  // A score (Spending Score 1–100) and balances, cash advances, credit and payments are never
  // money spent on purchases nor counts of them.
  if (NOT_PURCHASES.test(w) || SCORE_WORD.test(w)) return undefined;
  if (TICKET_WORD.test(w)) return "ticket";
  if (
    FREQ_WORD.test(w) &&
    (PURCHASE_NOUN.test(w) || VISIT_NOUN.test(w) || /^(freq|frequency)$/.test(w))
  ) {
    return "frequency";
  }
  if (PURCHASE_NOUN.test(w) && (COUNT_WORD.test(w) || /(^|_)trx($|_)/.test(w))) {
    return "purchases";
  }
  if (SPEND_WORD.test(w) || /(^|_)purchases?($|_)/.test(w)) return "spend";
  return undefined;
}

function detectOne(c: RoleColumn): ColumnRoleReport | null {
  const w = wordsOf(c.name);
  // A date column named for the start of the relationship is a tenure.
  if (c.kind === "date") {
    if (TENURE_WORD.test(w) || TENURE_DATE_WORD.test(w)) {
      if (RECENCY_WORD.test(w)) {
        return found(c, "recency", 0.9, "date", [
          { key: "name_last_purchase", name: c.name },
          { key: "dates_recency" },
        ]);
      }
      return found(c, "tenure", 0.9, "date", [
        { key: "name_joined", name: c.name },
        { key: "dates_tenure" },
      ]);
    }
    return null;
  }
  const role = nameSuggests(c.name);
  if (role === undefined) return null;
  const nameEvidence: RoleEvidence = { key: "name_says", name: c.name, role };
  if (c.kind !== "numeric") return rejected(c, role, nameEvidence, { key: "kind", kind: c.kind });
  const { min, max } = c;
  if (min === undefined || max === undefined || !Number.isFinite(min) || !Number.isFinite(max)) {
    return rejected(c, role, nameEvidence, { key: "no_numbers" });
  }
  if (c.distinct !== undefined && c.distinct <= 1) {
    return rejected(c, role, nameEvidence, { key: "one_value" });
  }
  const span = { min: short(min), max: short(max) };
  if (min < 0) return rejected(c, role, nameEvidence, { key: "negative", role, ...span });
  switch (role) {
    case "age": {
      if (BIRTH_WORD.test(w)) {
        const share = c.birthYearShare;
        const years = c.integer !== false && min >= 1850 && max <= 2100;
        if (years && (share === undefined || share >= 0.99)) {
          return found(c, "age", 0.9, "birth_year", [
            { key: "name_birth_year", name: c.name },
            { key: "birth_years", ...span },
          ]);
        }
        return rejected(c, "age", nameEvidence, { key: "not_birth_years", ...span });
      }
      if (max <= 120 && max >= 10) {
        return found(c, "age", 0.9, "years", [nameEvidence, { key: "ages", ...span }]);
      }
      return rejected(c, "age", nameEvidence, { key: "not_ages", ...span });
    }
    case "income":
    case "spend":
      if (max <= 1) {
        return rejected(c, role, nameEvidence, { key: "share_not_money", ...span });
      }
      return found(c, role, SPEND_WORD.test(w) || role === "income" ? 0.9 : 0.7, undefined, [
        nameEvidence,
        { key: "amounts", ...span },
      ]);
    case "ticket":
      if (max <= 1) {
        return rejected(c, role, nameEvidence, { key: "share_not_money", ...span });
      }
      return found(c, role, 0.8, undefined, [nameEvidence, { key: "amounts", ...span }]);
    case "purchases":
      if (max <= 1) {
        return rejected(c, role, nameEvidence, { key: "share_not_count", ...span });
      }
      if (c.integer === false) {
        return rejected(c, role, nameEvidence, { key: "fractions_not_count", ...span });
      }
      return found(c, role, c.integer === true ? 0.9 : 0.7, undefined, [
        nameEvidence,
        { key: c.integer === true ? "whole_counts" : "counts", ...span },
      ]);
    case "frequency":
      if (max <= 1) {
        return rejected(c, role, nameEvidence, { key: "share_not_purchases", ...span });
      }
      return found(c, role, 0.7, undefined, [nameEvidence, { key: "rate", ...span }]);
    case "loyalty":
      return found(c, role, 0.7, undefined, [nameEvidence, { key: "score", ...span }]);
    case "recency": {
      const unit = unitInName(w) ?? "days";
      return found(c, role, 0.9, unit, [
        nameEvidence,
        { key: unitInName(w) ? "recency_named" : "recency_default", unit, ...span },
      ]);
    }
    case "tenure":
      return tenure(c, w, nameEvidence, span);
  }
}

/**
 * A numeric tenure's unit: the name's when it says one; else read from the values and asked
 * for. Whole numbers no larger than 12 are months (a year's statement window, as cc_general's
 * TENURE of 6–12): read as years they would make every customer a decade old and CLV twelve
 * times too large. Up to 60 whole numbers are months too; beyond, days.
 */
function tenure(
  c: RoleColumn,
  w: string,
  nameEvidence: RoleEvidence,
  span: { min: string; max: string },
): ColumnRoleReport {
  const max = c.max!;
  const named = unitInName(w);
  if (named !== undefined) {
    return found(c, "tenure", 0.9, named, [
      nameEvidence,
      { key: "tenure_named", unit: named, ...span },
    ]);
  }
  const integer = c.integer !== false;
  const unit: RoleUnit = !integer ? "years" : max <= 60 ? "months" : "days";
  const key = !integer
    ? "tenure_fractions"
    : max <= 12
    ? "tenure_window"
    : max <= 60
    ? "tenure_months"
    : "tenure_days";
  return found(
    c,
    "tenure",
    max <= 12 && integer ? 0.7 : 0.5,
    unit,
    [nameEvidence, { key, ...span }],
    { key: "ask_unit", name: c.name, unit },
  );
}

function unitInName(w: string): RoleUnit | undefined {
  return UNIT_WORD.find(([, re]) => re.test(w))?.[0];
}

function defaultUnit(role: BusinessRole, c: RoleColumn): RoleUnit | undefined {
  if (c.kind === "date" && (role === "tenure" || role === "recency")) return "date";
  if (role === "recency") return "days";
  if (role === "age") return "years";
  if (role === "tenure") return "months";
  return undefined;
}

function found(
  c: RoleColumn,
  role: BusinessRole,
  confidence: number,
  unit: RoleUnit | undefined,
  evidence: RoleEvidence[],
  ask?: RoleEvidence,
): ColumnRoleReport {
  return withEvidence(
    {
      column: c.name,
      role,
      confidence,
      ...(unit !== undefined ? { unit } : {}),
      evidence: [],
      source: "detected",
    },
    evidence,
    ask,
  );
}

function rejected(
  c: RoleColumn,
  role: BusinessRole,
  nameEvidence: RoleEvidence,
  why: RoleEvidence,
): ColumnRoleReport {
  return withEvidence({
    column: c.name,
    role: null,
    confidence: 0,
    evidence: [],
    source: "detected",
  }, [nameEvidence, { ...why, role }]);
}

// The sentences' keys and figures ride along with a report under a symbol, out of its JSON and
// of deep comparisons (not enumerable), so `rolesInLanguage` can word them again.
const EVIDENCE = Symbol("evidence");

interface EvidenceOf {
  items: RoleEvidence[];
  ask?: RoleEvidence;
}

/** `report` with its evidence (and question) written in English from `items`. */
function withEvidence(
  report: ColumnRoleReport,
  items: RoleEvidence[],
  ask?: RoleEvidence,
): ColumnRoleReport {
  report.evidence = items.map((e) => roleEvidenceText(e));
  if (ask) report.ask = roleEvidenceText(ask);
  Object.defineProperty(report, EVIDENCE, { value: { items, ask }, enumerable: false });
  return report;
}

function evidenceOf(report: ColumnRoleReport): EvidenceOf | undefined {
  return (report as unknown as Record<symbol, EvidenceOf | undefined>)[EVIDENCE];
}

/**
 * The reports with their evidence and question in `language`. Reports made by `detectRoles`
 * in this process are worded again; any other (read back from JSON) keeps its English text.
 */
export function rolesInLanguage(
  reports: readonly ColumnRoleReport[],
  language: Language,
): ColumnRoleReport[] {
  return reports.map((r) => {
    const of = evidenceOf(r);
    if (!of || language === "en") return r;
    return {
      ...r,
      evidence: of.items.map((e) => roleEvidenceText(e, language)),
      ...(of.ask ? { ask: roleEvidenceText(of.ask, language) } : {}),
    };
  });
}

function short(x: number): string {
  return Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(4)));
}

// ---------------------------------------------------------------------------------------------
// Combinations

/**
 * Spend columns to sum: all of them, unless one's mean is the sum of the others' (within 1 %)
 * and every other name holds its words, as PURCHASES = ONEOFF_PURCHASES +
 * INSTALLMENTS_PURCHASES: then that one alone.
 */
export function spendColumns(
  names: readonly string[],
  means: Readonly<Record<string, number>>,
): { kept: string[]; left_out: { column: string; reason: string }[] } {
  if (names.length >= 3 && names.every((n) => Number.isFinite(means[n]))) {
    const all = names.reduce((s, n) => s + means[n]!, 0);
    for (const n of names) {
      const m = means[n]!;
      if (!(m > 0)) continue;
      const own = wordsOf(n).split("_");
      const parts = names.filter((o) => o !== n);
      const named = parts.every((o) => own.every((w) => wordsOf(o).split("_").includes(w)));
      if (named && Math.abs(all - 2 * m) <= 0.01 * m) {
        return {
          kept: [n],
          left_out: parts.map((o) => ({ column: o, reason: `a part of ${n}` })),
        };
      }
    }
  }
  return { kept: [...names], left_out: [] };
}

/**
 * Purchase counts to sum: all of them, except counts of deals or discounts when channel counts
 * are there too, since a purchase on a deal is also a web, catalogue or store purchase
 * (marketing_campaign: NumDealsPurchases ≤ the channels' sum for 2,237 of 2,240 customers).
 */
export function purchaseColumns(
  names: readonly string[],
): { kept: string[]; left_out: { column: string; reason: string }[] } {
  const deal = (n: string) =>
    /(^|_)(deals?|discounts?|promo|promos|coupons?)($|_)/.test(wordsOf(n));
  const channels = names.filter((n) => !deal(n));
  if (channels.length === 0 || channels.length === names.length) {
    return { kept: [...names], left_out: [] };
  }
  return {
    kept: channels,
    left_out: names.filter(deal).map((n) => ({
      column: n,
      reason: "purchases on deals are also counted by channel",
    })),
  };
}
