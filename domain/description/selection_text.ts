/**
 * The automatic selection's "why" and the candidates' "not eligible" reasons in the reader's
 * language. `compute/auto.ts` decides and keeps no words of any language but English for its
 * logs; it hands over the clause and the figures (`SelectionReason`), which are worded here in
 * en, es or pt. The English wording is exactly `AutoResult.why`.
 *
 * @module
 */
import {
  AUTO_DEFAULTS,
  MIN_STABILITY,
  type ModelRef,
  type SelectionReason,
} from "../../compute/auto.ts";
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
