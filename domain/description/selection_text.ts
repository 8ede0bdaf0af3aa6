/**
 * The automatic selection's "why" and the candidates' "not eligible" reasons in the reader's
 * language. `compute/auto.ts` decides and keeps no words of any language but English for its
 * logs; it hands over the clause and the figures (`SelectionReason`), which are worded here in
 * en, es or pt. The English wording is exactly `AutoResult.why`.
 *
 * @module
 */
import type { ModelRef, SelectionReason } from "../../compute/auto.ts";
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
