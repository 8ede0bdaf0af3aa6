/**
 * The words of the column roles' evidence (`roles.ts`) in English, Spanish and Portuguese. Role
 * detection keeps each sentence as a key and its figures (`RoleEvidence`); the sentences are
 * worded here, so the same detection reads in the reader's language. The English sentences are
 * the ones `roles.ts` has always written.
 *
 * @module
 */
import type { Language } from "./narrative_strings.ts";

/** One sentence of evidence: which one, and what it names. */
export interface RoleEvidence {
  readonly key: EvidenceKey;
  readonly name?: string;
  /** A business role (`spend`, `age` …). */
  readonly role?: string;
  /** A unit (`days`, `birth_year` …). */
  readonly unit?: string;
  /** A column kind (`categorical`, `date` …). */
  readonly kind?: string;
  /** The values' range, already written as the detection writes numbers. */
  readonly min?: string;
  readonly max?: string;
}

/** Every sentence role detection writes. */
export type EvidenceKey =
  | "user_none"
  | "user_set"
  | "user_unit"
  | "name_says"
  | "name_last_purchase"
  | "name_joined"
  | "name_birth_year"
  | "dates_recency"
  | "dates_tenure"
  | "kind"
  | "no_numbers"
  | "one_value"
  | "negative"
  | "not_birth_years"
  | "not_ages"
  | "share_not_money"
  | "share_not_count"
  | "fractions_not_count"
  | "share_not_purchases"
  | "birth_years"
  | "ages"
  | "amounts"
  | "counts"
  | "whole_counts"
  | "rate"
  | "score"
  | "recency_named"
  | "recency_default"
  | "tenure_named"
  | "tenure_fractions"
  | "tenure_window"
  | "tenure_months"
  | "tenure_days"
  | "ask_unit";

/** Rejections end with this, naming the role the name suggested. */
const WITHOUT_BOTH: Record<Language, (role: string) => string> = {
  en: (role) => ` No ${role} role without both.`,
  es: (role) => ` Sin ambas cosas no hay rol de ${role}.`,
  pt: (role) => ` Sem as duas coisas não há papel de ${role}.`,
};

/** The rejections (they take `WITHOUT_BOTH` after them). */
const REJECTIONS: ReadonlySet<EvidenceKey> = new Set([
  "kind",
  "no_numbers",
  "one_value",
  "negative",
  "not_birth_years",
  "not_ages",
  "share_not_money",
  "share_not_count",
  "fractions_not_count",
  "share_not_purchases",
]);

type Words = Record<EvidenceKey, (e: Required<RoleEvidence>, span: string) => string>;

const EN: Words = {
  user_none: () => "The user said this column plays no role.",
  user_set: () => "Set by the user.",
  user_unit: (e) => `Unit ${e.unit} set by the user.`,
  name_says: (e) => `The name "${e.name}" says ${e.role}.`,
  name_last_purchase: (e) => `The name "${e.name}" says the last purchase.`,
  name_joined: (e) => `The name "${e.name}" says when the customer joined.`,
  name_birth_year: (e) => `The name "${e.name}" says a birth year.`,
  dates_recency: () => "Its values are dates: recency is the days from each to the latest date.",
  dates_tenure: () => "Its values are dates: tenure is the time from each to the latest date.",
  kind: (e) => `Its values are ${e.kind}.`,
  no_numbers: () => "It has no numbers.",
  one_value: () => "It holds one value: it says nothing of a customer.",
  negative: (e, s) => `${s}: a ${e.role} is never negative.`,
  not_birth_years: (_, s) => `${s}: not years of birth.`,
  not_ages: (_, s) => `${s}: not ages in years.`,
  share_not_money: (_, s) => `${s}: a share within 0–1, not money.`,
  share_not_count: (_, s) => `${s}: a share within 0–1, not a count.`,
  fractions_not_count: (_, s) => `${s} and include fractions: not a count.`,
  share_not_purchases: (_, s) => `${s}: a share of periods within 0–1, not a number of purchases.`,
  birth_years: (_, s) => `${s}: years of birth, so the age is the reference year minus it.`,
  ages: (_, s) => `${s}: ages in years.`,
  amounts: (_, s) => `${s}: non-negative amounts.`,
  counts: (_, s) => `${s}: counts of purchases.`,
  whole_counts: (_, s) => `${s}, whole numbers: counts of purchases.`,
  rate: (_, s) => `${s}: a rate of purchases.`,
  score: (_, s) => `${s}: a non-negative score.`,
  recency_named: (e, s) => `${s}: ${e.unit} since the last purchase (the name says the unit).`,
  recency_default: (e, s) =>
    `${s}: ${e.unit} since the last purchase (days unless said otherwise).`,
  tenure_named: (e, s) => `${s}; the name says ${e.unit}.`,
  tenure_fractions: (_, s) => `${s}, fractions: read as years.`,
  tenure_window: (_, s) =>
    `${s}, whole numbers up to 12: read as months of a one-year window, not years.`,
  tenure_months: (_, s) => `${s}, whole numbers up to 60: read as months.`,
  tenure_days: (_, s) => `${s}, whole numbers above 60: read as days.`,
  ask_unit: (e) =>
    `Confirm the unit of ${e.name} (days, months or years); it was read as ${e.unit}.`,
};

const ES: Words = {
  user_none: () => "El usuario indicó que esta columna no tiene ningún rol.",
  user_set: () => "Indicado por el usuario.",
  user_unit: (e) => `Unidad ${e.unit} indicada por el usuario.`,
  name_says: (e) => `El nombre "${e.name}" indica ${e.role}.`,
  name_last_purchase: (e) => `El nombre "${e.name}" indica la última compra.`,
  name_joined: (e) => `El nombre "${e.name}" indica cuándo llegó el cliente.`,
  name_birth_year: (e) => `El nombre "${e.name}" indica un año de nacimiento.`,
  dates_recency: () =>
    "Sus valores son fechas: la recencia son los días de cada una a la fecha más reciente.",
  dates_tenure: () =>
    "Sus valores son fechas: la antigüedad es el tiempo de cada una a la fecha más reciente.",
  kind: (e) => `Sus valores son ${e.kind}.`,
  no_numbers: () => "No tiene números.",
  one_value: () => "Tiene un solo valor: no dice nada de un cliente.",
  negative: (e, s) => `${s}: ${e.role} nunca es negativo.`,
  not_birth_years: (_, s) => `${s}: no son años de nacimiento.`,
  not_ages: (_, s) => `${s}: no son edades en años.`,
  share_not_money: (_, s) => `${s}: una proporción entre 0 y 1, no dinero.`,
  share_not_count: (_, s) => `${s}: una proporción entre 0 y 1, no un recuento.`,
  fractions_not_count: (_, s) => `${s} e incluyen decimales: no es un recuento.`,
  share_not_purchases: (_, s) =>
    `${s}: una proporción de periodos entre 0 y 1, no un número de compras.`,
  birth_years: (_, s) =>
    `${s}: años de nacimiento, así que la edad es el año de referencia menos el valor.`,
  ages: (_, s) => `${s}: edades en años.`,
  amounts: (_, s) => `${s}: importes no negativos.`,
  counts: (_, s) => `${s}: recuentos de compras.`,
  whole_counts: (_, s) => `${s}, números enteros: recuentos de compras.`,
  rate: (_, s) => `${s}: un ritmo de compras.`,
  score: (_, s) => `${s}: una puntuación no negativa.`,
  recency_named: (e, s) => `${s}: ${e.unit} desde la última compra (el nombre indica la unidad).`,
  recency_default: (e, s) =>
    `${s}: ${e.unit} desde la última compra (días salvo que se indique otra cosa).`,
  tenure_named: (e, s) => `${s}; el nombre indica ${e.unit}.`,
  tenure_fractions: (_, s) => `${s}, con decimales: se leen como años.`,
  tenure_window: (_, s) =>
    `${s}, enteros hasta 12: se leen como meses de una ventana de un año, no como años.`,
  tenure_months: (_, s) => `${s}, enteros hasta 60: se leen como meses.`,
  tenure_days: (_, s) => `${s}, enteros por encima de 60: se leen como días.`,
  ask_unit: (e) =>
    `Confirme la unidad de ${e.name} (días, meses o años); se ha leído como ${e.unit}.`,
};

const PT: Words = {
  user_none: () => "O usuário indicou que esta coluna não tem papel nenhum.",
  user_set: () => "Definido pelo usuário.",
  user_unit: (e) => `Unidade ${e.unit} definida pelo usuário.`,
  name_says: (e) => `O nome "${e.name}" indica ${e.role}.`,
  name_last_purchase: (e) => `O nome "${e.name}" indica a última compra.`,
  name_joined: (e) => `O nome "${e.name}" indica quando o cliente chegou.`,
  name_birth_year: (e) => `O nome "${e.name}" indica um ano de nascimento.`,
  dates_recency: () =>
    "Seus valores são datas: a recência são os dias de cada uma até a data mais recente.",
  dates_tenure: () =>
    "Seus valores são datas: o tempo de casa é o tempo de cada uma até a data mais recente.",
  kind: (e) => `Seus valores são ${e.kind}.`,
  no_numbers: () => "Não tem números.",
  one_value: () => "Tem um só valor: não diz nada de um cliente.",
  negative: (e, s) => `${s}: ${e.role} nunca é negativo.`,
  not_birth_years: (_, s) => `${s}: não são anos de nascimento.`,
  not_ages: (_, s) => `${s}: não são idades em anos.`,
  share_not_money: (_, s) => `${s}: uma proporção entre 0 e 1, não dinheiro.`,
  share_not_count: (_, s) => `${s}: uma proporção entre 0 e 1, não uma contagem.`,
  fractions_not_count: (_, s) => `${s} e incluem decimais: não é uma contagem.`,
  share_not_purchases: (_, s) =>
    `${s}: uma proporção de períodos entre 0 e 1, não um número de compras.`,
  birth_years: (_, s) =>
    `${s}: anos de nascimento, então a idade é o ano de referência menos o valor.`,
  ages: (_, s) => `${s}: idades em anos.`,
  amounts: (_, s) => `${s}: valores não negativos.`,
  counts: (_, s) => `${s}: contagens de compras.`,
  whole_counts: (_, s) => `${s}, números inteiros: contagens de compras.`,
  rate: (_, s) => `${s}: um ritmo de compras.`,
  score: (_, s) => `${s}: uma pontuação não negativa.`,
  recency_named: (e, s) => `${s}: ${e.unit} desde a última compra (o nome indica a unidade).`,
  recency_default: (e, s) =>
    `${s}: ${e.unit} desde a última compra (dias, salvo indicação em contrário).`,
  tenure_named: (e, s) => `${s}; o nome indica ${e.unit}.`,
  tenure_fractions: (_, s) => `${s}, com decimais: lidos como anos.`,
  tenure_window: (_, s) =>
    `${s}, inteiros até 12: lidos como meses de uma janela de um ano, não como anos.`,
  tenure_months: (_, s) => `${s}, inteiros até 60: lidos como meses.`,
  tenure_days: (_, s) => `${s}, inteiros acima de 60: lidos como dias.`,
  ask_unit: (e) =>
    `Confirme a unidade de ${e.name} (dias, meses ou anos); foi lida como ${e.unit}.`,
};

const SPAN: Record<Language, (min: string, max: string) => string> = {
  en: (min, max) => `Its values run from ${min} to ${max}`,
  es: (min, max) => `Sus valores van de ${min} a ${max}`,
  pt: (min, max) => `Seus valores vão de ${min} a ${max}`,
};

const ROLES: Record<Exclude<Language, "en">, Record<string, string>> = {
  es: {
    spend: "gasto",
    purchases: "compras",
    frequency: "frecuencia",
    ticket: "ticket medio",
    loyalty: "fidelidad",
    tenure: "antigüedad",
    recency: "recencia",
    age: "edad",
    income: "ingresos",
  },
  pt: {
    spend: "gasto",
    purchases: "compras",
    frequency: "frequência",
    ticket: "ticket médio",
    loyalty: "fidelidade",
    tenure: "tempo de casa",
    recency: "recência",
    age: "idade",
    income: "renda",
  },
};

const UNITS: Record<Exclude<Language, "en">, Record<string, string>> = {
  es: {
    days: "días",
    months: "meses",
    years: "años",
    birth_year: "año de nacimiento",
    date: "fecha",
  },
  pt: {
    days: "dias",
    months: "meses",
    years: "anos",
    birth_year: "ano de nascimento",
    date: "data",
  },
};

const KINDS: Record<Exclude<Language, "en">, Record<string, string>> = {
  es: { numeric: "numéricos", categorical: "categorías", id: "identificadores", date: "fechas" },
  pt: { numeric: "numéricos", categorical: "categorias", id: "identificadores", date: "datas" },
};

const WORDS: Record<Language, Words> = { en: EN, es: ES, pt: PT };

/**
 * One sentence of evidence in `language` (English for anything else): column names and
 * numbers as they are, roles, units and kinds in the language's words.
 *
 * @example
 * ```ts
 * import { roleEvidenceText } from "./role_text.ts";
 * const text = roleEvidenceText({ key: "name_says", name: "MntWines", role: "spend" }, "es");
 * if (text !== 'El nombre "MntWines" indica gasto.') throw new Error(text);
 * ```
 */
export function roleEvidenceText(e: RoleEvidence, language: Language = "en"): string {
  const lang: Language = WORDS[language] ? language : "en";
  const word = (table: Record<Exclude<Language, "en">, Record<string, string>>, v: string) =>
    lang === "en" ? v : table[lang][v] ?? v;
  const filled: Required<RoleEvidence> = {
    key: e.key,
    name: e.name ?? "",
    role: word(ROLES, e.role ?? ""),
    unit: word(UNITS, e.unit ?? ""),
    kind: word(KINDS, e.kind ?? ""),
    min: e.min ?? "",
    max: e.max ?? "",
  };
  const text = WORDS[lang][e.key](filled, SPAN[lang](filled.min, filled.max));
  return REJECTIONS.has(e.key) ? text + WITHOUT_BOTH[lang](filled.role) : text;
}
