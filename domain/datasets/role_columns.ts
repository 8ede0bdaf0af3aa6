/**
 * The business roles of a dataset's columns (`description/roles.ts` on the dataset's values and
 * the user's corrections in `columnMap.columns`), and the numbers a column-map role reads when
 * no column is mapped to it: age from a birth year, spend as the sum of the Mnt* columns,
 * purchases as the sum of the Num*Purchases columns, lifespan from a tenure (in years, whatever
 * the tenure's unit) or a date of first purchase (docs/roles.md).
 *
 * Takes structural types rather than `types.ts`'s, because `types.ts` reads roles from here.
 *
 * @module
 */
import {
  measureInLanguage,
  type ReferenceFacts,
  referenceNoteText,
} from "../description/dataset_roles_text.ts";
import type { Language } from "../description/narrative_strings.ts";
import {
  type ColumnRoleReport,
  combineRoles,
  detectRoles,
  measureValues,
  type RoleColumn,
  type RoleCorrection,
  type RoleMeasure,
  rolesInLanguage,
  wordsOf,
} from "../description/roles.ts";
import { isoDate, readDates } from "./values.ts";

/** A column as this module reads it: numbers (NaN missing) or text (null missing). */
export interface RoleSourceColumn {
  readonly name: string;
  readonly kind: "numeric" | "categorical" | "id" | "date";
  readonly values: ArrayLike<number> | readonly (string | null)[];
}

/** What this module reads of a dataset. */
export interface RoleSource {
  readonly columns: readonly RoleSourceColumn[];
  readonly columnMap: { readonly columns?: Readonly<Record<string, RoleCorrection>> };
}

/** The roles of a dataset's columns and how they combine. */
export interface DatasetRoles {
  /** Every column whose name suggests a role: its role (or null) with confidence and evidence. */
  columns: ColumnRoleReport[];
  /** One measure per role found. */
  measures: RoleMeasure[];
  /** The year ages are counted to and where it comes from. */
  reference_year: number;
  reference_note: string;
}

/** The column-map roles a measure can stand in for. */
export type DerivableRole =
  | "age"
  | "income"
  | "purchase_amount"
  | "purchase_frequency"
  | "lifespan"
  | "recency";

/**
 * The roles of `dataset`'s columns (cached per dataset object): detection on names and values,
 * the user's corrections over it, and the measures they combine into. The reference year is
 * the latest year of the date columns, else the current year.
 */
export function datasetRoles(dataset: RoleSource, now = Date.now()): DatasetRoles {
  const cached = CACHE.get(dataset);
  if (cached) return cached.roles;
  const built = build(dataset, now);
  CACHE.set(dataset, built);
  return built.roles;
}

/**
 * `roles` (from `datasetRoles`) worded in `language`: the columns' evidence and questions
 * (`rolesInLanguage`), the measures' phrase labels and left-out reasons, and `reference_note`.
 * English gives `roles` itself; roles this module did not build keep their note.
 *
 * @example
 * ```ts
 * import { datasetRoles, datasetRolesInLanguage } from "./role_columns.ts";
 * const roles = datasetRoles({ columns: [], columnMap: {} }, Date.UTC(2026, 0, 1));
 * const es = datasetRolesInLanguage(roles, "es");
 * if (es.reference_note !== "No hay columna de fechas: las edades se cuentan hasta el año en " +
 *   "curso, 2026.") throw new Error(es.reference_note);
 * if (datasetRolesInLanguage(roles, "en") !== roles) throw new Error("English is the same");
 * ```
 */
export function datasetRolesInLanguage(roles: DatasetRoles, language: Language): DatasetRoles {
  if (language === "en") return roles;
  const facts = FACTS.get(roles);
  return {
    ...roles,
    columns: rolesInLanguage(roles.columns, language),
    measures: roles.measures.map((m) => measureInLanguage(m, language)),
    reference_note: facts ? referenceNoteText(facts, language) : roles.reference_note,
  };
}

/**
 * The values a column-map role reads from the dataset's roles, or undefined when no column
 * backs it: `age` in years, `lifespan` in years, `recency` in days, `purchase_amount` the
 * spend measure, `purchase_frequency` the purchases measure (else a frequency column).
 * `name` says what was combined ("MntWines + MntFruits + …", "2014 − Year_Birth").
 */
export function derivedRole(
  dataset: RoleSource,
  role: DerivableRole,
): { name: string; values: Float64Array } | undefined {
  const roles = datasetRoles(dataset);
  const built = CACHE.get(dataset)!;
  const key = `role:${role}`;
  if (built.values.has(key)) return built.values.get(key);
  const m = measureFor(roles.measures, role);
  const values = m === undefined ? undefined : measureValues(
    m,
    built.read,
    role === "lifespan" ? "years" : role === "recency" ? "days" : undefined,
  );
  const out = m && values ? { name: m.label, values } : undefined;
  built.values.set(key, out);
  return out;
}

/**
 * The values of `column` mapped to a column-map role, in the role's unit: a tenure in months
 * mapped to `lifespan` is divided by 12, a birth year mapped to `age` becomes an age. Undefined
 * when the column needs no conversion.
 */
export function convertedColumn(
  dataset: RoleSource,
  role: DerivableRole,
  column: string,
): { name: string; values: Float64Array } | undefined {
  const roles = datasetRoles(dataset);
  const report = roles.columns.find((r) => r.column === column && r.role !== null);
  if (report === undefined || report.unit === undefined) return undefined;
  const wanted = role === "lifespan" ? "years" : role === "recency" ? "days" : null;
  const convert = (role === "age" && report.unit === "birth_year") ||
    (wanted !== null && report.unit !== wanted);
  if (!convert) return undefined;
  const single = combineRoles([{ ...report }], {
    referenceYear: roles.reference_year,
    ...(CACHE.get(dataset)!.referenceDate
      ? { referenceDate: CACHE.get(dataset)!.referenceDate }
      : {}),
  })[0];
  if (single === undefined) return undefined;
  const values = measureValues(single, CACHE.get(dataset)!.read, wanted ?? undefined);
  return values ? { name: `${single.label} (${wanted ?? "years"})`, values } : undefined;
}

// ---------------------------------------------------------------------------------------------

interface Built {
  roles: DatasetRoles;
  read: (column: string) => ArrayLike<number> | undefined;
  referenceDate?: string;
  values: Map<string, { name: string; values: Float64Array } | undefined>;
}

const CACHE = new WeakMap<RoleSource, Built>();
/** What each built roles object's `reference_note` says, to word it in another language. */
const FACTS = new WeakMap<DatasetRoles, ReferenceFacts>();

function build(dataset: RoleSource, now: number): Built {
  const dates = new Map<string, Float64Array>();
  for (const c of dataset.columns) {
    if (c.kind !== "date") continue;
    const reading = readDates(c.values as readonly (string | null)[]);
    if (reading) dates.set(c.name, reading.ms);
  }
  let latest = -Infinity;
  for (const ms of dates.values()) for (const v of ms) if (v > latest) latest = v;
  const referenceYear = new Date(Number.isFinite(latest) ? latest : now).getUTCFullYear();
  const referenceDate = Number.isFinite(latest) ? isoDate(latest) : undefined;
  const latestColumn = [...dates].find(([, ms]) => ms.includes(latest))?.[0];
  const summaries = dataset.columns.map((c) => summary(c, dates.get(c.name), referenceYear));
  const corrections = dataset.columnMap.columns ?? {};
  const reports = detectRoles(summaries, { corrections, referenceYear });
  const means: Record<string, number> = {};
  for (const s of summaries) if (s.mean !== undefined) means[s.name] = s.mean;
  const measures = combineRoles(reports, {
    referenceYear,
    ...(referenceDate ? { referenceDate } : {}),
    means,
  });
  const byName = new Map(dataset.columns.map((c) => [c.name, c]));
  const read = (name: string) => {
    const c = byName.get(name);
    if (c === undefined) return undefined;
    if (c.kind === "numeric") return c.values as ArrayLike<number>;
    return dates.get(name);
  };
  const facts: ReferenceFacts = latestColumn && referenceDate
    ? { date: referenceDate, column: latestColumn, year: referenceYear }
    : { year: referenceYear };
  const roles: DatasetRoles = {
    columns: reports,
    measures,
    reference_year: referenceYear,
    reference_note: referenceNoteText(facts),
  };
  FACTS.set(roles, facts);
  return {
    roles,
    read,
    ...(referenceDate ? { referenceDate } : {}),
    values: new Map(),
  };
}

function measureFor(
  measures: readonly RoleMeasure[],
  role: DerivableRole,
): RoleMeasure | undefined {
  const of = (r: string) => measures.find((m) => m.role === r);
  switch (role) {
    case "age":
    case "income":
    case "recency":
      return of(role);
    case "purchase_amount":
      return of("spend");
    case "purchase_frequency":
      return of("purchases") ?? of("frequency");
    case "lifespan":
      return of("tenure");
  }
}

/** What detection reads of a column: min, max, mean, integers, distinct values (up to 50). */
function summary(
  c: RoleSourceColumn,
  dates: Float64Array | undefined,
  referenceYear: number,
): RoleColumn {
  const values = c.kind === "numeric" ? c.values as ArrayLike<number> : dates;
  if (values === undefined) return { name: c.name, kind: c.kind };
  let min = Infinity, max = -Infinity, sum = 0, n = 0, integer = true;
  const distinct = new Set<number>();
  const birth = /(^|_)(year_birth|birth_year|birthyear|yob|year_of_birth|born|birth)($|_)/
    .test(wordsOf(c.name));
  let plausible = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v !== v) continue;
    n++;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
    if (integer && !Number.isInteger(v)) integer = false;
    if (distinct.size <= 50) distinct.add(v);
    if (birth && v <= referenceYear && v >= referenceYear - 110) plausible++;
  }
  if (n === 0) return { name: c.name, kind: c.kind };
  return {
    name: c.name,
    kind: c.kind === "numeric" ? "numeric" : "date",
    min,
    max,
    mean: sum / n,
    integer,
    distinct: distinct.size,
    ...(birth ? { birthYearShare: plausible / n } : {}),
  };
}

/**
 * Whether a CLV reads totals: the amount is a spend (a column or the Mnt* sum) and the frequency
 * a count of purchases over the same window (Num*Purchases, PURCHASES_TRX), so amount ×
 * frequency would count every purchase twice; CLV is then spend × lifespan, the window read as a
 * year. A frequency that is a rate (`purchase_frequency`) keeps document 003's average purchase
 * value × purchases a year × lifespan.
 */
export function clvReadsTotals(dataset: RoleSource, amount: string, frequency: string): boolean {
  const { columns, measures } = datasetRoles(dataset);
  const roleOf = (name: string) =>
    columns.find((r) => r.column === name)?.role ??
      measures.find((m) => m.label === name)?.role;
  return roleOf(amount) === "spend" && roleOf(frequency) === "purchases";
}
