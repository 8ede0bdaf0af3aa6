/**
 * The words of a dataset's roles answer besides the columns' evidence (`role_text.ts`), in
 * English, Spanish and Portuguese: the note saying what ages and tenures are counted to, a
 * measure's label when it is a phrase (`days from Dt_Customer to 2014-06-29`) and why a column
 * was left out of a measure. The English sentences are the ones `roles.ts` and
 * `datasets/role_columns.ts` have always written; column names, dates and years stay as they are.
 *
 * @module
 */
import type { Language } from "./narrative_strings.ts";
import type { RoleMeasure } from "./roles.ts";

/** What ages and tenures are counted to: the latest date of a date column, else a year. */
export interface ReferenceFacts {
  /** ISO date of the latest date in the data, with the column holding it. */
  readonly date?: string;
  readonly column?: string;
  /** The year counted to (the latest date's year, else the current year). */
  readonly year: number;
}

interface Words {
  /** The note with a date column. */
  datedNote: (date: string, column: string) => string;
  /** The note without one. */
  yearNote: (year: number) => string;
  /** A `since_date` measure's label. */
  daysFrom: (column: string, reference: string) => string;
  /** Left out: another column plays the role with more confidence. */
  moreConfident: (best: string, role: string) => string;
  /** Left out of spend: a part of the total kept. */
  partOf: (total: string) => string;
  /** Left out of purchases: counts of deals. */
  deals: string;
}

const EN: Words = {
  datedNote: (d, c) => `Ages and tenures are counted to ${d}, the latest date of ${c}.`,
  yearNote: (y) => `No date column: ages are counted to the current year, ${y}.`,
  daysFrom: (c, r) => `days from ${c} to ${r}`,
  moreConfident: (b, role) => `${b} plays ${role} with more confidence`,
  partOf: (t) => `a part of ${t}`,
  deals: "purchases on deals are also counted by channel",
};

const ES: Words = {
  datedNote: (d, c) =>
    `Las edades y las antigüedades se cuentan hasta el ${d}, la fecha más reciente de ${c}.`,
  yearNote: (y) => `No hay columna de fechas: las edades se cuentan hasta el año en curso, ${y}.`,
  daysFrom: (c, r) => `días desde ${c} hasta ${r}`,
  moreConfident: (b) => `${b} cumple este rol con más confianza`,
  partOf: (t) => `una parte de ${t}`,
  deals: "las compras en oferta ya se cuentan por canal",
};

const PT: Words = {
  datedNote: (d, c) =>
    `Idades e tempos de casa são contados até ${d}, a data mais recente de ${c}.`,
  yearNote: (y) => `Não há coluna de datas: as idades são contadas até o ano corrente, ${y}.`,
  daysFrom: (c, r) => `dias desde ${c} até ${r}`,
  moreConfident: (b) => `${b} cumpre este papel com mais confiança`,
  partOf: (t) => `uma parte de ${t}`,
  deals: "as compras em promoção já são contadas por canal",
};

const WORDS: Record<Language, Words> = { en: EN, es: ES, pt: PT };

function wordsOf(language: Language): Words {
  return WORDS[language] ?? EN;
}

/**
 * The roles answer's `reference_note` in `language`.
 *
 * @example
 * ```ts
 * import { referenceNoteText } from "./dataset_roles_text.ts";
 * const facts = { date: "2014-06-29", column: "Dt_Customer", year: 2014 };
 * if (referenceNoteText(facts) !== "Ages and tenures are counted to 2014-06-29, the latest " +
 *   "date of Dt_Customer.") throw new Error("English changed");
 * if (!referenceNoteText(facts, "pt").startsWith("Idades e tempos de casa")) throw new Error();
 * ```
 */
export function referenceNoteText(facts: ReferenceFacts, language: Language = "en"): string {
  const w = wordsOf(language);
  return facts.date !== undefined && facts.column !== undefined
    ? w.datedNote(facts.date, facts.column)
    : w.yearNote(facts.year);
}

/**
 * `measure` with its label and its left-out reasons in `language`. Only the phrases
 * `combineRoles` writes are worded again (recognised by rebuilding the English from the
 * measure's own fields, so a column name is never parsed); a label that is column names
 * (`MntWines + MntFruits`, `2014 − Year_Birth`) and any other text are kept. English: the same
 * object.
 */
export function measureInLanguage(measure: RoleMeasure, language: Language): RoleMeasure {
  if (language === "en" || !WORDS[language]) return measure;
  const w = WORDS[language];
  const first = measure.columns[0] ?? "";
  const reference = String(measure.reference ?? "");
  const label = measure.combine === "since_date" && measure.label === EN.daysFrom(first, reference)
    ? w.daysFrom(first, reference)
    : measure.label;
  const reason = (text: string) => {
    if (text === EN.moreConfident(first, measure.role)) return w.moreConfident(first, measure.role);
    if (text === EN.partOf(first)) return w.partOf(first);
    if (text === EN.deals) return w.deals;
    return text;
  };
  return {
    ...measure,
    left_out: measure.left_out.map((l) => ({ ...l, reason: reason(l.reason) })),
    label,
  };
}
