/**
 * The words of the standalone HTML report (`html_report.ts`) in English, Spanish and Portuguese.
 *
 * @module
 */

/** Every fixed string of the report. */
export interface ReportWords {
  lang: string;
  title: string;
  heading: string;
  run: string;
  dataset: string;
  date: string;
  algorithm: string;
  segments: string;
  customers: string;
  noiseNote: (n: string) => string;
  scatterHeading: string;
  sizesHeading: string;
  meansHeading: string;
  candidatesHeading: string;
  noise: string;
  centreOf: string;
  segmentCentre: string;
  scatterAria: string;
  sizesAria: string;
  meansAria: string;
  sampleCaption: (shown: string, total: string) => string;
  allCaption: (total: string) => string;
  meansAxis: string;
  meansCaption: string;
  notAvailable: string;
  footer: string;
  priority: string;
  segment: string;
  share: string;
  persona: string;
  kpis: string;
  topFeatures: string;
  actions: string;
  noiseColumn: string;
  stability: string;
  meanRank: string;
  status: string;
  chosen: string;
  eligible: string;
  notEligible: string;
  /** The abbreviation of "standard deviations" after a standardised mean. */
  sd: string;
  /** BCP 47 locale of the report's numbers. */
  locale: string;
  /** The label of a KPI key (e.g. `share_of_revenue`); unknown keys are spelled out. */
  kpiLabel: (key: string) => string;
  /** A top feature's direction against all customers. */
  direction: { higher: string; lower: string };
  /** A segment's priority level (`high`, `medium`, `low`); others as given. */
  priorityLevel: (level: string) => string;
}

/** A label from the table, else the key with `_` as spaces and a capital. */
function labelOf(labels: Readonly<Record<string, string>>) {
  return (key: string): string => {
    const known = labels[key];
    if (known !== undefined) return known;
    const words = key.replaceAll("_", " ");
    return words.charAt(0).toUpperCase() + words.slice(1);
  };
}

function levelOf(levels: Readonly<Record<string, string>>) {
  return (level: string): string => levels[level] ?? level;
}

const EN: ReportWords = {
  lang: "en",
  title: "Segmentation report",
  heading: "Customer segmentation report",
  run: "Run",
  dataset: "Dataset",
  date: "Date",
  algorithm: "Algorithm",
  segments: "Segments",
  customers: "Customers",
  noiseNote: (n) => `${n} unassigned as noise`,
  scatterHeading: "Segments on the first two principal components",
  sizesHeading: "Segment sizes",
  meansHeading: "Feature means by segment",
  candidatesHeading: "Candidate models",
  noise: "Noise",
  centreOf: "Centre of",
  segmentCentre: "Segment centre",
  scatterAria: "Scatter of customers on the first two principal components, coloured by segment",
  sizesAria: "Bar chart of customers per segment",
  meansAria: "Standardised feature means by segment",
  sampleCaption: (shown, total) =>
    `Seeded sample of ${shown} of ${total} customers (every segment kept); crosses mark the segment centres.`,
  allCaption: (total) => `All ${total} customers; crosses mark the segment centres.`,
  meansAxis: "Standard deviations from all customers' mean",
  meansCaption:
    "Each bar is a segment's mean of the feature, standardised (0 = all customers' mean, 1 = one standard deviation above) so that every feature shares one axis.",
  notAvailable: "Not available for this run.",
  footer: "This page is self-contained: it loads nothing and runs no script.",
  priority: "Priority",
  segment: "Segment",
  share: "Share",
  persona: "Persona",
  kpis: "KPIs",
  topFeatures: "Top features",
  actions: "Recommended actions",
  noiseColumn: "Noise",
  stability: "Stability",
  meanRank: "Mean rank",
  status: "Status",
  chosen: "chosen",
  eligible: "eligible",
  notEligible: "not eligible",
  sd: "SD",
  locale: "en-US",
  kpiLabel: labelOf({}),
  direction: { higher: "higher", lower: "lower" },
  priorityLevel: levelOf({}),
};

const ES: ReportWords = {
  lang: "es",
  title: "Informe de segmentación",
  heading: "Informe de segmentación de clientes",
  run: "Ejecución",
  dataset: "Conjunto de datos",
  date: "Fecha",
  algorithm: "Algoritmo",
  segments: "Segmentos",
  customers: "Clientes",
  noiseNote: (n) => `${n} sin asignar (ruido)`,
  scatterHeading: "Segmentos en los dos primeros componentes principales",
  sizesHeading: "Tamaño de los segmentos",
  meansHeading: "Medias de las variables por segmento",
  candidatesHeading: "Modelos candidatos",
  noise: "Ruido",
  centreOf: "Centro de",
  segmentCentre: "Centro del segmento",
  scatterAria: "Dispersión de los clientes en los dos primeros componentes, por segmento",
  sizesAria: "Gráfico de barras de clientes por segmento",
  meansAria: "Medias estandarizadas de las variables por segmento",
  sampleCaption: (shown, total) =>
    `Muestra fija de ${shown} de ${total} clientes (con todos los segmentos); las cruces marcan los centros.`,
  allCaption: (total) => `Los ${total} clientes; las cruces marcan los centros de los segmentos.`,
  meansAxis: "Desviaciones típicas respecto a la media de todos los clientes",
  meansCaption:
    "Cada barra es la media del segmento en la variable, estandarizada (0 = media de todos los clientes, 1 = una desviación típica más) para que todas compartan un eje.",
  notAvailable: "No disponible para esta ejecución.",
  footer: "Esta página es autónoma: no carga nada ni ejecuta ningún script.",
  priority: "Prioridad",
  segment: "Segmento",
  share: "Proporción",
  persona: "Perfil",
  kpis: "Indicadores",
  topFeatures: "Rasgos principales",
  actions: "Acciones recomendadas",
  noiseColumn: "Ruido",
  stability: "Estabilidad",
  meanRank: "Rango medio",
  status: "Estado",
  chosen: "elegido",
  eligible: "apto",
  notEligible: "no apto",
  sd: "DE",
  locale: "es-ES",
  kpiLabel: labelOf({
    customers: "Clientes",
    share_of_customers: "Proporción de clientes",
    share_of_revenue: "Proporción de ingresos",
    average_spend: "Gasto medio",
    average_ticket: "Ticket medio",
    frequency: "Frecuencia",
    recency_days: "Recencia (días)",
    loyalty: "Fidelidad",
  }),
  direction: { higher: "mayor", lower: "menor" },
  priorityLevel: levelOf({ high: "alta", medium: "media", low: "baja" }),
};

const PT: ReportWords = {
  lang: "pt",
  title: "Relatório de segmentação",
  heading: "Relatório de segmentação de clientes",
  run: "Execução",
  dataset: "Conjunto de dados",
  date: "Data",
  algorithm: "Algoritmo",
  segments: "Segmentos",
  customers: "Clientes",
  noiseNote: (n) => `${n} sem segmento (ruído)`,
  scatterHeading: "Segmentos nos dois primeiros componentes principais",
  sizesHeading: "Tamanho dos segmentos",
  meansHeading: "Médias das variáveis por segmento",
  candidatesHeading: "Modelos candidatos",
  noise: "Ruído",
  centreOf: "Centro de",
  segmentCentre: "Centro do segmento",
  scatterAria: "Dispersão dos clientes nos dois primeiros componentes, por segmento",
  sizesAria: "Gráfico de barras de clientes por segmento",
  meansAria: "Médias padronizadas das variáveis por segmento",
  sampleCaption: (shown, total) =>
    `Amostra fixa de ${shown} de ${total} clientes (com todos os segmentos); as cruzes marcam os centros.`,
  allCaption: (total) => `Todos os ${total} clientes; as cruzes marcam os centros dos segmentos.`,
  meansAxis: "Desvios padrão em relação à média de todos os clientes",
  meansCaption:
    "Cada barra é a média do segmento na variável, padronizada (0 = média de todos os clientes, 1 = um desvio padrão acima) para que todas compartilhem um eixo.",
  notAvailable: "Indisponível para esta execução.",
  footer: "Esta página é autônoma: não carrega nada nem executa nenhum script.",
  priority: "Prioridade",
  segment: "Segmento",
  share: "Parcela",
  persona: "Perfil",
  kpis: "Indicadores",
  topFeatures: "Principais características",
  actions: "Ações recomendadas",
  noiseColumn: "Ruído",
  stability: "Estabilidade",
  meanRank: "Posição média",
  status: "Situação",
  chosen: "escolhido",
  eligible: "elegível",
  notEligible: "não elegível",
  sd: "DP",
  locale: "pt-BR",
  kpiLabel: labelOf({
    customers: "Clientes",
    share_of_customers: "Parcela dos clientes",
    share_of_revenue: "Parcela da receita",
    average_spend: "Gasto médio",
    average_ticket: "Ticket médio",
    frequency: "Frequência",
    recency_days: "Recência (dias)",
    loyalty: "Fidelidade",
  }),
  direction: { higher: "maior", lower: "menor" },
  priorityLevel: levelOf({ high: "alta", medium: "média", low: "baixa" }),
};

const WORDS: Record<string, ReportWords> = { en: EN, es: ES, pt: PT };

/** The report's words in `language` (English for anything else). */
export function reportWords(language: string | undefined): ReportWords {
  return WORDS[language ?? "en"] ?? EN;
}
