/**
 * The automatic selection's "why" and the candidates' "not eligible" reasons in the reader's
 * language. `compute/auto.ts` decides and keeps no words of any language but English for its
 * logs; it hands over the clause and the figures (`SelectionReason`), which are worded here in
 * en, es or pt. The English wording is exactly `AutoResult.why`.
 *
 * Also here, for the answers of document 000: the selection rules in words (`selectionRuleText`,
 * English exactly `SELECTION_RULE`; `silhouetteRuleText`, document 000's literal rule), why that
 * literal rule chose its candidate (`silhouetteWhyText`) and why a feature was log-scaled
 * (`skewReasonText`).
 *
 * @module
 */
import {
  AUTO_DEFAULTS,
  K_SILHOUETTE_SHARE,
  MIN_STABILITY,
  type ModelRef,
  SELECTION_RULE,
  type SelectionReason,
  STABLE,
  TWO_SEGMENT_MARGIN,
} from "../../compute/auto.ts";
import { round } from "../../compute/numbers.ts";
import type { Language } from "./narrative_strings.ts";

interface SelectionWords {
  model: (m: ModelRef) => string;
  stability: (v: string) => string;
  highest: (model: string, silhouette: string) => string;
  within: (model: string, silhouette: string, share: string, peak: string, best: string) => string;
  twoBetter: (model: string, silhouette: string, margin: string) => string;
  onlyTwo: (model: string, silhouette: string) => string;
  density: (model: string, silhouette: string) => string;
  over: (model: string, silhouette: string) => string;
  unstable: (model: string, meanRank: string) => string;
  fixedUnstable: (model: string, meanRank: string) => string;
  /** Candidates' "not eligible" reasons (English as `compute/auto.ts` writes them). */
  fewClusters: string;
  noise: (pct: string) => string;
  smallSegment: (pct: string) => string;
  undefinedMetrics: (detail: string) => string;
  /** The weak-structure note: its start, then the unstable or the stable ending. */
  weak: (silhouette: string) => string;
  weakUnstable: (stability: string) => string;
  weakStable: string;
  unknown: string;
  /** A fixed choice's warnings. */
  unstableWarning: (stability: string, floor: string) => string;
  smallWarning: (share: string, floor: string) => string;
  noiseWarning: (share: string) => string;
}

const EN: SelectionWords = {
  model: (m) => `${m.algorithm} with ${m.k} segments`,
  stability: (v) => ` (stability ${v})`,
  highest: (m, s) =>
    `${m} has the highest silhouette (${s}) among stable candidates with three or more segments`,
  within: (m, s, share, peak, best) =>
    `${m}: the most segments whose silhouette (${s}) is within ${share} of the best (${best}, ${peak})`,
  twoBetter: (m, s, margin) =>
    `${m} separates customers far better (silhouette ${s}, ${margin}× or more the best with ` +
    `three or more segments)`,
  onlyTwo: (m, s) => `${m} is the only stable number of segments (best silhouette ${s})`,
  density: (m, s) => `${m} has the higher silhouette scaled by the customers it assigns (${s})`,
  over: (m, s) => ` over ${m} (${s})`,
  unstable: (m, r) =>
    `no candidate was stable; ${m} has the best mean rank (${r}) over silhouette, ` +
    `Davies-Bouldin and Calinski-Harabasz`,
  fixedUnstable: (m, r) =>
    `${m} is the requested segmentation with the best mean rank (${r}); it is kept although ` +
    `no candidate was stable`,
  fewClusters: "DBSCAN found fewer than 2 clusters",
  noise: (p) => `more than ${p} noise`,
  smallSegment: (p) => `a segment holds under ${p} of the customers`,
  undefinedMetrics: (d) => `metrics undefined: ${d}`,
  weak: (s) => `no clear groups: the best split's silhouette is ${s}`,
  weakUnstable: (st) =>
    ` and its segments change when refitted on a subsample (stability ${st}); treat them as a ` +
    `rough partition, not as distinct customer types`,
  weakStable: "; treat the segments as a rough partition, not as distinct customer types",
  unknown: "unknown",
  unstableWarning: (st, floor) =>
    `unstable: refitted on a subsample, its labels agree by an adjusted Rand index of ${st} ` +
    `(below ${floor})`,
  smallWarning: (p, floor) => `a segment holds ${p} of the customers (under ${floor})`,
  noiseWarning: (p) => `${p} of the customers are noise`,
};

const ES: SelectionWords = {
  model: (m) => `${m.algorithm} con ${m.k} segmentos`,
  stability: (v) => ` (estabilidad ${v})`,
  highest: (m, s) =>
    `${m} tiene la silueta más alta (${s}) entre los candidatos estables con tres o más segmentos`,
  within: (m, s, share, peak, best) =>
    `${m}: el mayor número de segmentos cuya silueta (${s}) queda dentro del ${share} de la ` +
    `mejor (${best}, ${peak})`,
  twoBetter: (m, s, margin) =>
    `${m} separa a los clientes mucho mejor (silueta ${s}, ${margin}× o más que la mejor con ` +
    `tres o más segmentos)`,
  onlyTwo: (m, s) => `${m} es el único número de segmentos estable (mejor silueta ${s})`,
  density: (m, s) => `${m} tiene la silueta más alta ponderada por los clientes que asigna (${s})`,
  over: (m, s) => ` frente a ${m} (${s})`,
  unstable: (m, r) =>
    `ningún candidato fue estable; ${m} tiene el mejor rango medio (${r}) en silueta, ` +
    `Davies-Bouldin y Calinski-Harabasz`,
  fixedUnstable: (m, r) =>
    `${m} es la segmentación pedida con el mejor rango medio (${r}); se mantiene aunque ningún ` +
    `candidato fue estable`,
  fewClusters: "DBSCAN encontró menos de 2 grupos",
  noise: (p) => `más del ${p} de ruido`,
  smallSegment: (p) => `un segmento reúne menos del ${p} de los clientes`,
  undefinedMetrics: (d) => `métricas no definidas: ${d}`,
  weak: (s) => `no hay grupos claros: la silueta de la mejor división es ${s}`,
  weakUnstable: (st) =>
    ` y sus segmentos cambian al reajustarlos en una submuestra (estabilidad ${st}); tómelos ` +
    `como una partición aproximada, no como tipos de cliente distintos`,
  weakStable:
    "; tome los segmentos como una partición aproximada, no como tipos de cliente distintos",
  unknown: "desconocida",
  unstableWarning: (st, floor) =>
    `inestable: reajustadas en una submuestra, sus etiquetas coinciden con un índice de Rand ` +
    `ajustado de ${st} (menos de ${floor})`,
  smallWarning: (p, floor) => `un segmento reúne el ${p} de los clientes (menos del ${floor})`,
  noiseWarning: (p) => `el ${p} de los clientes es ruido`,
};

const PT: SelectionWords = {
  model: (m) => `${m.algorithm} com ${m.k} segmentos`,
  stability: (v) => ` (estabilidade ${v})`,
  highest: (m, s) =>
    `${m} tem a maior silhueta (${s}) entre os candidatos estáveis com três ou mais segmentos`,
  within: (m, s, share, peak, best) =>
    `${m}: o maior número de segmentos cuja silhueta (${s}) fica dentro de ${share} da melhor ` +
    `(${best}, ${peak})`,
  twoBetter: (m, s, margin) =>
    `${m} separa os clientes muito melhor (silhueta ${s}, ${margin}× ou mais a melhor com ` +
    `três ou mais segmentos)`,
  onlyTwo: (m, s) => `${m} é o único número de segmentos estável (melhor silhueta ${s})`,
  density: (m, s) => `${m} tem a maior silhueta ponderada pelos clientes que atribui (${s})`,
  over: (m, s) => ` sobre ${m} (${s})`,
  unstable: (m, r) =>
    `nenhum candidato foi estável; ${m} tem a melhor posição média (${r}) em silhueta, ` +
    `Davies-Bouldin e Calinski-Harabasz`,
  fixedUnstable: (m, r) =>
    `${m} é a segmentação pedida com a melhor posição média (${r}); é mantida embora nenhum ` +
    `candidato tenha sido estável`,
  fewClusters: "o DBSCAN encontrou menos de 2 grupos",
  noise: (p) => `mais de ${p} de ruído`,
  smallSegment: (p) => `um segmento reúne menos de ${p} dos clientes`,
  undefinedMetrics: (d) => `métricas indefinidas: ${d}`,
  weak: (s) => `não há grupos claros: a silhueta da melhor divisão é ${s}`,
  weakUnstable: (st) =>
    ` e seus segmentos mudam quando reajustados numa subamostra (estabilidade ${st}); trate-os ` +
    `como uma partição aproximada, não como tipos de cliente distintos`,
  weakStable:
    "; trate os segmentos como uma partição aproximada, não como tipos de cliente distintos",
  unknown: "desconhecida",
  unstableWarning: (st, floor) =>
    `instável: reajustados numa subamostra, seus rótulos concordam com um índice de Rand ` +
    `ajustado de ${st} (abaixo de ${floor})`,
  smallWarning: (p, floor) => `um segmento reúne ${p} dos clientes (menos de ${floor})`,
  noiseWarning: (p) => `${p} dos clientes são ruído`,
};

const WORDS: Record<Language, SelectionWords> = { en: EN, es: ES, pt: PT };
const LOCALES: Record<Language, string> = { en: "en-US", es: "es-ES", pt: "pt-BR" };

/**
 * `why` in `language`: in English, the very sentence `compute/auto.ts` wrote (figures to two
 * decimals, shares as whole percentages); in Spanish and Portuguese the same clause and figures
 * with the language's decimal comma.
 *
 * @example
 * ```ts
 * import { selectionWhy } from "./selection_text.ts";
 * const why = selectionWhy({
 *   clause: "highest", chosen: { algorithm: "kmeans", k: 4 }, silhouette: 0.5512, stability: 0.97,
 * }, "es");
 * if (!why.startsWith("kmeans con 4 segmentos tiene la silueta más alta (0,55)")) throw new Error(why);
 * ```
 */
export function selectionWhy(reason: SelectionReason, language: Language = "en"): string {
  const w = WORDS[language] ?? EN;
  const num = (v: number | undefined) => fixed(v ?? NaN, 2, language);
  const model = w.model(reason.chosen);
  const stability = reason.stability === null ? "" : w.stability(num(reason.stability));
  switch (reason.clause) {
    case "highest":
      return w.highest(model, num(reason.silhouette)) + stability;
    case "within":
      return w.within(
        model,
        num(reason.silhouette),
        percent(reason.share ?? NaN, language),
        w.model(reason.peak!),
        num(reason.peak?.silhouette),
      ) + stability;
    case "two_better":
      return w.twoBetter(model, num(reason.silhouette), plain(reason.margin ?? NaN, language)) +
        stability;
    case "only_two":
      return w.onlyTwo(model, num(reason.silhouette)) + stability;
    case "density":
      return w.density(model, num(reason.silhouette)) +
        (reason.over ? w.over(w.model(reason.over), num(reason.over.silhouette)) : "");
    case "unstable":
      return w.unstable(model, num(reason.meanRank)) + stability;
    case "fixed_unstable":
      return w.fixedUnstable(model, num(reason.meanRank)) + stability;
  }
}

/**
 * A candidate's "not eligible" reason, written in English by `compute/auto.ts`, in `language`;
 * a reason it does not know is returned as it is.
 */
export function candidateReasonText(reason: string, language: Language = "en"): string {
  if (language === "en") return reason;
  const w = WORDS[language] ?? EN;
  if (reason === EN.fewClusters) return w.fewClusters;
  let m = /^more than (\d+(?:\.\d+)?) % noise$/.exec(reason);
  if (m) return w.noise(`${plain(Number(m[1]), language)} %`);
  m = /^a segment holds under (\d+(?:\.\d+)?) % of the customers$/.exec(reason);
  if (m) return w.smallSegment(`${plain(Number(m[1]), language)} %`);
  m = /^metrics undefined: (.*)$/s.exec(reason);
  if (m) return w.undefinedMetrics(m[1]!);
  return reason;
}

/**
 * The weak-structure note in `language` (English: `AutoResult.note` exactly): the chosen
 * split's silhouette, and whether nothing was stable (`unstable`, the reason's clause) with its
 * stability.
 */
export function selectionNote(
  unstable: boolean,
  silhouette: number,
  stability: number | null,
  language: Language = "en",
): string {
  const w = WORDS[language] ?? EN;
  const num = (v: number) => fixed(v, 2, language);
  return w.weak(num(silhouette)) +
    (unstable ? w.weakUnstable(stability === null ? w.unknown : num(stability)) : w.weakStable);
}

/** What a fixed choice's warnings are computed from (the kept segmentation's figures). */
export interface FixedChoiceFacts {
  stability: number | null;
  /** Share of the clustered customers in the smallest segment. */
  smallestShare: number;
  noiseShare: number;
}

/**
 * The warnings of a fixed choice in `language` (English: `AutoResult.warnings` exactly): the
 * filters automatic selection applies (stability, the smallest segment, noise) that the
 * client's algorithm or k was let through.
 */
export function selectionWarnings(facts: FixedChoiceFacts, language: Language = "en"): string[] {
  const w = WORDS[language] ?? EN;
  const out: string[] = [];
  if (facts.stability !== null && facts.stability < MIN_STABILITY) {
    out.push(
      w.unstableWarning(fixed(facts.stability, 2, language), plain(MIN_STABILITY, language)),
    );
  }
  if (facts.smallestShare < AUTO_DEFAULTS.minSegmentShare) {
    out.push(
      w.smallWarning(
        percent(facts.smallestShare, language),
        `${plain(AUTO_DEFAULTS.minSegmentShare * 100, language)} %`,
      ),
    );
  }
  if (facts.noiseShare > AUTO_DEFAULTS.maxNoiseShare) {
    out.push(w.noiseWarning(percent(facts.noiseShare, language)));
  }
  return out;
}

/** The figures the rules' words name, written in the reader's language. */
interface RuleFigures {
  /** Smallest segment, in % of the customers. */
  minShare: string;
  /** Most noise DBSCAN may have, in %. */
  maxNoise: string;
  stable: string;
  minStability: string;
  /** Share of the best silhouette over k ≥ 3 the chosen k keeps, in %. */
  kShare: string;
  margin: string;
}

interface RuleWords {
  /** `SELECTION_RULE`, the service's rule. */
  rule: (f: RuleFigures) => string;
  /** Document 000's literal rule (`selection: "silhouette"`). */
  silhouetteRule: (f: RuleFigures) => string;
  /** Why the literal rule chose `model`: the highest silhouette of `eligible` candidates. */
  silhouetteBest: (model: string, silhouette: string, eligible: number, db: string) => string;
  /** No eligible candidate had a silhouette: the service's rule chose `model`. */
  silhouetteNone: (model: string) => string;
  /** Why a feature was log-scaled. */
  skew: (skewness: string, threshold: string) => string;
}

const RULE_EN: RuleWords = {
  rule: (f) =>
    `eligible: metrics defined, smallest segment ≥ ${f.minShare} % of customers, DBSCAN ≥ 2 ` +
    `clusters and ≤ ${f.maxNoise} % noise; every eligible candidate is refitted on a subsample ` +
    `and only stable ones (ARI ≥ ${f.stable}, else ≥ ${f.minStability}) compete; number of ` +
    `segments: the largest k ≥ 3 whose best silhouette is ≥ ${f.kShare} % of the best over ` +
    `k ≥ 3 (two segments only at ≥ ${f.margin}× that silhouette); at that k, the highest ` +
    `silhouette wins; DBSCAN only if its silhouette × coverage is higher`,
  silhouetteRule: (f) =>
    `document 000's rule: among the eligible candidates (metrics defined, smallest segment ≥ ` +
    `${f.minShare} % of customers, DBSCAN ≥ 2 clusters and ≤ ${f.maxNoise} % noise), the ` +
    `highest silhouette wins; ties go to the lowest Davies-Bouldin`,
  silhouetteBest: (m, s, n, db) =>
    `${m} has the highest silhouette (${s}) of the ${n} eligible candidates, Davies-Bouldin ${db}`,
  silhouetteNone: (m) => `No eligible candidate has a silhouette, so the service's rule chose ${m}`,
  skew: (s, t) =>
    `skewness ${s} above ${t}: a few large values would otherwise decide every distance, so ` +
    `log1p is taken before z-scoring`,
};

const RULE_ES: RuleWords = {
  rule: (f) =>
    `elegibles: métricas definidas, segmento más pequeño ≥ ${f.minShare} % de los clientes, ` +
    `DBSCAN ≥ 2 grupos y ≤ ${f.maxNoise} % de ruido; cada candidato elegible se reajusta en una ` +
    `submuestra y solo compiten los estables (ARI ≥ ${f.stable}, si no ≥ ${f.minStability}); ` +
    `número de segmentos: el mayor k ≥ 3 cuya mejor silueta es ≥ ${f.kShare} % de la mejor con ` +
    `k ≥ 3 (dos segmentos solo con ≥ ${f.margin}× esa silueta); con ese k gana la silueta más ` +
    `alta; DBSCAN solo si su silueta × cobertura es mayor`,
  silhouetteRule: (f) =>
    `la regla del documento 000: entre los candidatos elegibles (métricas definidas, segmento ` +
    `más pequeño ≥ ${f.minShare} % de los clientes, DBSCAN ≥ 2 grupos y ≤ ${f.maxNoise} % de ` +
    `ruido), gana la silueta más alta; los empates se resuelven por el Davies-Bouldin más bajo`,
  silhouetteBest: (m, s, n, db) =>
    `${m} tiene la silueta más alta (${s}) de los ${n} candidatos elegibles, Davies-Bouldin ${db}`,
  silhouetteNone: (m) =>
    `Ningún candidato elegible tiene silueta, así que la regla del servicio eligió ${m}`,
  skew: (s, t) =>
    `asimetría ${s} por encima de ${t}: de lo contrario, unos pocos valores grandes decidirían ` +
    `todas las distancias, así que se aplica log1p antes de estandarizar (z-score)`,
};

const RULE_PT: RuleWords = {
  rule: (f) =>
    `elegíveis: métricas definidas, menor segmento ≥ ${f.minShare} % dos clientes, DBSCAN ≥ 2 ` +
    `grupos e ≤ ${f.maxNoise} % de ruído; cada candidato elegível é reajustado numa subamostra ` +
    `e só os estáveis competem (ARI ≥ ${f.stable}, senão ≥ ${f.minStability}); número de ` +
    `segmentos: o maior k ≥ 3 cuja melhor silhueta é ≥ ${f.kShare} % da melhor com k ≥ 3 ` +
    `(dois segmentos só com ≥ ${f.margin}× essa silhueta); nesse k vence a maior silhueta; ` +
    `DBSCAN só se sua silhueta × cobertura for maior`,
  silhouetteRule: (f) =>
    `a regra do documento 000: entre os candidatos elegíveis (métricas definidas, menor ` +
    `segmento ≥ ${f.minShare} % dos clientes, DBSCAN ≥ 2 grupos e ≤ ${f.maxNoise} % de ruído), ` +
    `vence a maior silhueta; empates vão para o menor Davies-Bouldin`,
  silhouetteBest: (m, s, n, db) =>
    `${m} tem a maior silhueta (${s}) dos ${n} candidatos elegíveis, Davies-Bouldin ${db}`,
  silhouetteNone: (m) =>
    `Nenhum candidato elegível tem silhueta, então a regra do serviço escolheu ${m}`,
  skew: (s, t) =>
    `assimetria ${s} acima de ${t}: do contrário uns poucos valores grandes decidiriam todas ` +
    `as distâncias, então log1p é aplicado antes de padronizar (z-score)`,
};

const RULE_WORDS: Record<Language, RuleWords> = { en: RULE_EN, es: RULE_ES, pt: RULE_PT };

/** The rules' figures from `compute/auto.ts`'s constants, in `language`'s decimal form. */
function ruleFigures(language: Language): RuleFigures {
  return {
    minShare: plain(AUTO_DEFAULTS.minSegmentShare * 100, language),
    maxNoise: plain(AUTO_DEFAULTS.maxNoiseShare * 100, language),
    stable: plain(STABLE, language),
    minStability: plain(MIN_STABILITY, language),
    kShare: plain(Math.round(K_SILHOUETTE_SHARE * 100), language),
    margin: plain(TWO_SEGMENT_MARGIN, language),
  };
}

/**
 * The service's selection rule in words, in `language`: in English exactly `SELECTION_RULE`
 * (`compute/auto.ts`); in Spanish and Portuguese the same rule with the same figures, taken
 * from compute's constants.
 *
 * @example
 * ```ts
 * import { SELECTION_RULE } from "../../compute/auto.ts";
 * import { selectionRuleText } from "./selection_text.ts";
 * if (selectionRuleText("en") !== SELECTION_RULE) throw new Error("English changed");
 * if (!selectionRuleText("pt").startsWith("elegíveis: métricas definidas")) throw new Error();
 * ```
 */
export function selectionRuleText(language: Language = "en"): string {
  const lang = RULE_WORDS[language] ? language : "en";
  return lang === "en" ? SELECTION_RULE : RULE_WORDS[lang].rule(ruleFigures(lang));
}

/**
 * `selectionRuleText`'s English built from compute's constants, the way es and pt are: equal to
 * `SELECTION_RULE` while the constants and the sentence agree (a test checks it).
 */
export function selectionRuleFromFigures(language: Language = "en"): string {
  const lang = RULE_WORDS[language] ? language : "en";
  return RULE_WORDS[lang].rule(ruleFigures(lang));
}

/** Document 000's literal rule (`selection: "silhouette"`) in words, in `language`. */
export function silhouetteRuleText(language: Language = "en"): string {
  const lang = RULE_WORDS[language] ? language : "en";
  return RULE_WORDS[lang].silhouetteRule(ruleFigures(lang));
}

/** What document 000's literal rule chose and from how many candidates. */
export interface SilhouetteChoiceFacts {
  /** The chosen candidate: the document's algorithm name (`KMeans` …) and k. */
  chosen: { algorithm: string; k: number };
  /** Whether the literal rule chose (false: no eligible candidate had a silhouette). */
  literal: boolean;
  silhouette: number | null;
  daviesBouldin: number | null;
  /** Eligible candidates with a silhouette. */
  eligible: number;
}

/**
 * Why document 000's literal rule chose its candidate, in `language`; in English the sentence
 * the service has always written (figures rounded to four decimals, as JavaScript prints them).
 *
 * @example
 * ```ts
 * import { silhouetteWhyText } from "./selection_text.ts";
 * const facts = { chosen: { algorithm: "KMeans", k: 4 }, literal: true, silhouette: 0.61234,
 *   daviesBouldin: 0.5, eligible: 12 };
 * const es = silhouetteWhyText(facts, "es");
 * if (es !== "KMeans con 4 segmentos tiene la silueta más alta (0,6123) de los 12 candidatos " +
 *   "elegibles, Davies-Bouldin 0,5") throw new Error(es);
 * ```
 */
export function silhouetteWhyText(facts: SilhouetteChoiceFacts, language: Language = "en"): string {
  const lang: Language = RULE_WORDS[language] ? language : "en";
  const model = WORDS[lang].model(facts.chosen as unknown as ModelRef);
  const w = RULE_WORDS[lang];
  if (!facts.literal) return w.silhouetteNone(model);
  const num = (v: number | null) => {
    const r = round(v ?? NaN, 4);
    return lang === "en" ? String(r) : plain(r, lang);
  };
  return w.silhouetteBest(model, num(facts.silhouette), facts.eligible, num(facts.daviesBouldin));
}

/**
 * Why a feature was log-scaled before z-scoring (document 000's `preprocessing.log_scaled`), in
 * `language`: its skewness (to two decimals) above the threshold.
 */
export function skewReasonText(
  skewness: number,
  threshold: number,
  language: Language = "en",
): string {
  const lang: Language = RULE_WORDS[language] ? language : "en";
  const r = round(skewness, 2);
  return lang === "en"
    ? RULE_EN.skew(String(r), String(threshold))
    : RULE_WORDS[lang].skew(plain(r, lang), plain(threshold, lang));
}

function fixed(v: number, digits: number, language: Language): string {
  if (!Number.isFinite(v)) return "—";
  const text = v.toFixed(digits);
  return language === "en" ? text : text.replace(".", ",");
}

// As JavaScript writes the number in English (1.5, 90), with the language's decimal sign.
function plain(v: number, language: Language): string {
  return Number.isFinite(v)
    ? v.toLocaleString(LOCALES[language] ?? "en-US", {
      maximumFractionDigits: 6,
      useGrouping: false,
    })
    : "—";
}

function percent(v: number, language: Language): string {
  return `${plain(Math.round(v * 100), language)} %`;
}
