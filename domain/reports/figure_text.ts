/**
 * The words of the figures and of the HTML report in each language the service speaks (en, es,
 * pt), and the label helpers that keep long names inside a chart: `wrapLabel` breaks a name
 * into lines (Plotly's `<br>`), abbreviating past the last line, so a tick label never runs out
 * of its margin; the full name stays in the trace name and the hover text.
 *
 * @module
 */

/** The languages of the figures (those of `domain/description/narrative.ts`). */
export type FigureLanguage = "en" | "es" | "pt";

/** Every string a figure or the report writes, by language. */
export interface FigureWords {
  scatterTitle: string;
  sampleNote: (shown: string, total: string) => string;
  segment: string;
  customers: string;
  centroids: string;
  centreOf: string;
  noise: string;
  sizesTitle: string;
  feature: string;
  meansTitle: string;
  meansSubtitle: string;
  meansAxis: string;
  silhouetteTitle: string;
  bestK: (k: number) => string;
  kAxis: string;
  silhouetteAxis: string;
  inertia: string;
  inertiaAxis: string;
  correlationTitle: string;
}

const EN: FigureWords = {
  scatterTitle: "Segments on the first two principal components",
  sampleNote: (shown, total) =>
    `seeded sample of ${shown} of ${total} customers, every segment kept`,
  segment: "Segment",
  customers: "Customers",
  centroids: "Centroids",
  centreOf: "Centre of",
  noise: "Noise",
  sizesTitle: "Customers per segment",
  feature: "Feature",
  meansTitle: "Feature means per segment",
  meansSubtitle: "standardised: 0 = all customers' mean, 1 = one standard deviation above",
  meansAxis: "Standardised mean (SD)",
  silhouetteTitle: "Silhouette score by number of segments",
  bestK: (k) => `best k = ${k}`,
  kAxis: "Number of segments (k)",
  silhouetteAxis: "Silhouette score (higher is better)",
  inertia: "Inertia",
  inertiaAxis: "Inertia (within-cluster sum of squares)",
  correlationTitle: "Correlation between features",
};

const ES: FigureWords = {
  scatterTitle: "Segmentos en los dos primeros componentes principales",
  sampleNote: (shown, total) =>
    `muestra fija de ${shown} de ${total} clientes, con todos los segmentos`,
  segment: "Segmento",
  customers: "Clientes",
  centroids: "Centroides",
  centreOf: "Centro de",
  noise: "Ruido",
  sizesTitle: "Clientes por segmento",
  feature: "Variable",
  meansTitle: "Medias de las variables por segmento",
  meansSubtitle: "estandarizadas: 0 = media de todos los clientes, 1 = una desviación típica más",
  meansAxis: "Media estandarizada (DT)",
  silhouetteTitle: "Silueta según el número de segmentos",
  bestK: (k) => `mejor k = ${k}`,
  kAxis: "Número de segmentos (k)",
  silhouetteAxis: "Silueta (más es mejor)",
  inertia: "Inercia",
  inertiaAxis: "Inercia (suma de cuadrados intra-segmento)",
  correlationTitle: "Correlación entre variables",
};

const PT: FigureWords = {
  scatterTitle: "Segmentos nos dois primeiros componentes principais",
  sampleNote: (shown, total) =>
    `amostra fixa de ${shown} de ${total} clientes, com todos os segmentos`,
  segment: "Segmento",
  customers: "Clientes",
  centroids: "Centroides",
  centreOf: "Centro de",
  noise: "Ruído",
  sizesTitle: "Clientes por segmento",
  feature: "Variável",
  meansTitle: "Médias das variáveis por segmento",
  meansSubtitle: "padronizadas: 0 = média de todos os clientes, 1 = um desvio padrão acima",
  meansAxis: "Média padronizada (DP)",
  silhouetteTitle: "Silhueta por número de segmentos",
  bestK: (k) => `melhor k = ${k}`,
  kAxis: "Número de segmentos (k)",
  silhouetteAxis: "Silhueta (maior é melhor)",
  inertia: "Inércia",
  inertiaAxis: "Inércia (soma de quadrados intra-segmento)",
  correlationTitle: "Correlação entre variáveis",
};

const WORDS: Record<FigureLanguage, FigureWords> = { en: EN, es: ES, pt: PT };

/** The figure words of `language` (English for anything else). */
export function figureWords(language: string | undefined): FigureWords {
  return WORDS[(language ?? "en") as FigureLanguage] ?? EN;
}

/**
 * `text` (already Plotly-escaped or plain) broken into lines of at most `width` characters at
 * spaces, underscores or hyphens, joined by `<br>`; past `maxLines` the last line ends in `…`.
 * Words longer than a line are cut. Short text comes back unchanged.
 *
 * @example
 * ```ts
 * import { wrapLabel } from "./figure_text.ts";
 * console.assert(wrapLabel("Annual Income (k$)", 10) === "Annual<br>Income<br>(k$)");
 * ```
 */
export function wrapLabel(text: string, width = 14, maxLines = 3): string {
  if (Array.from(text).length <= width) return text;
  const words = text.split(/(?<=[\s_-])/);
  const lines: string[] = [];
  let line = "";
  for (const raw of words) {
    let word = raw;
    while (Array.from(word).length > width) {
      // A word longer than a line: cut it.
      if (line.trim()) lines.push(line.trim());
      const chars = Array.from(word);
      lines.push(chars.slice(0, width).join(""));
      word = chars.slice(width).join("");
      line = "";
    }
    if (Array.from((line + word).trimEnd()).length > width && line.trim()) {
      lines.push(line.trim());
      line = word;
    } else {
      line += word;
    }
  }
  if (line.trim()) lines.push(line.trim());
  if (lines.length > maxLines) {
    const kept = lines.slice(0, maxLines);
    const last = Array.from(kept[maxLines - 1]!);
    kept[maxLines - 1] = last.slice(0, Math.max(1, width - 1)).join("") + "…";
    return kept.join("<br>");
  }
  return lines.join("<br>");
}
