/// <reference lib="dom" />
// @ts-check
/**
 * The results of a segmentation: the candidates table, the silhouette/elbow curve, the figures
 * of `GET /api/visualizations` and `GET /api/correlation-matrix` (passed to Plotly unchanged, so
 * the page draws exactly what the API describes), and one card per segment.
 *
 * @module
 */
import { getJson } from "./api.js";
import { byId, h, num, replace, show, table } from "./dom.js";
import { t } from "./i18n.js";

/** Plotly's options for every chart: fit the container, no logo, no link to Chart Studio. */
const PLOT_CONFIG = { responsive: true, displaylogo: false };

/** @type {Promise<any> | null} */
let plotly = null;

/**
 * Loads Plotly (`/app/vendor/plotly.min.js`, a classic script that defines `window.Plotly`)
 * once. Started after sign-in so the 1.4 MB is usually there by the time results are.
 *
 * @returns {Promise<any>}
 */
export function loadPlotly() {
  plotly ??= new Promise((resolve, reject) => {
    const existing = /** @type {any} */ (globalThis).Plotly;
    if (existing) return resolve(existing);
    const script = document.createElement("script");
    script.src = "/app/vendor/plotly.min.js";
    script.addEventListener("load", () => resolve(/** @type {any} */ (globalThis).Plotly));
    script.addEventListener("error", () => {
      plotly = null;
      script.remove();
      reject(new Error("Plotly could not be loaded from /app/vendor/plotly.min.js"));
    });
    document.head.append(script);
  });
  return plotly;
}

/**
 * A segmentation's answer: `POST /api/cluster`'s 200 body, its job's result, or
 * `GET /api/cluster-data`.
 *
 * @typedef {{
 *   run_id?: string,
 *   algorithm: string,
 *   n_clusters: number,
 *   metrics: Record<string, number | string | null>,
 *   selection?: { mode: string, why: string },
 *   candidates?: Candidate[],
 *   segments: Segment[],
 *   top_features: Record<string, TopFeature[]>,
 *   cluster_analysis: Record<string, { size: number, percentage: number }>,
 *   params?: Record<string, unknown>,
 * }} Report
 */
/**
 * @typedef {{ algorithm: string, k: number, silhouette: number | null,
 *   davies_bouldin: number | null, calinski_harabasz: number | null, eligible: boolean,
 *   reason: string | null, chosen: boolean }} Candidate
 */
/**
 * @typedef {{ cluster_id: number, name: string, persona_label?: string, persona?: string,
 *   kpis?: Record<string, number | null>, actions?: { key: string, text: string }[],
 *   priority?: string, characteristics?: string[] }} Segment
 */
/** @typedef {{ feature: string, mean: number, effect_size?: number, direction?: string }} TopFeature */

/**
 * Shows `report` in the results section and draws its charts.
 *
 * @param {Report} report
 * @returns {Promise<void>}
 */
export async function showResults(report) {
  const section = byId("results");
  show(section);
  replace(byId("selection-why"), report.selection?.why ?? "");
  renderCandidates(report);
  // The charts need the section laid out (Plotly sizes a plot from its container).
  const [Plotly, vis, optimal, corr] = await Promise.all([
    loadPlotly(),
    getJson("/api/visualizations"),
    getJson("/api/optimal-clusters").catch(() => null),
    getJson("/api/correlation-matrix").catch(() => null),
  ]);
  renderCards(report, colorsOf(vis.scatter_chart));
  show(byId("silhouette-figure"), optimal !== null);
  show(byId("heatmap-figure"), Boolean(corr?.heatmap));
  await Promise.all([
    draw(Plotly, byId("scatter"), vis.scatter_chart),
    draw(Plotly, byId("sizes"), vis.distribution_chart),
    draw(Plotly, byId("means"), vis.feature_means_chart),
    optimal ? drawCurve(Plotly, optimal) : Promise.resolve(),
    corr?.heatmap ? draw(Plotly, byId("heatmap"), heatmapSized(corr.heatmap)) : Promise.resolve(),
  ]);
}

/**
 * The heat map with a height that gives every feature a readable row.
 *
 * @param {{ data: any[], layout: Record<string, unknown> }} figure
 */
function heatmapSized(figure) {
  const d = Array.isArray(figure.data[0]?.y) ? figure.data[0].y.length : 0;
  return { ...figure, layout: { ...figure.layout, height: Math.max(420, 200 + d * 30) } };
}

/**
 * Draws `figure` in `el` afresh. A plot redrawn with `Plotly.react` (a language switch) keeps
 * the width of its first drawing and stops following the window; a new plot follows it.
 *
 * @param {any} Plotly
 * @param {HTMLElement} el
 * @param {{ data: unknown[], layout: Record<string, unknown> }} figure
 */
function draw(Plotly, el, figure) {
  Plotly.purge(el);
  drawn.set(el, figure.layout);
  const layout = fitLayout(figure.layout, el.clientWidth || 600);
  return Plotly.newPlot(el, figure.data, layout, PLOT_CONFIG);
}

/** The layout each chart was drawn from, to fit it again when the window's width changes. */
const drawn = new WeakMap();

/**
 * The layout fitted to a chart `width` px wide: the title wrapped (`fitTitle`); on a narrow
 * chart, a heat map's column labels upright so they cannot run past its left edge.
 *
 * @param {Record<string, any>} layout
 * @param {number} width
 */
function fitLayout(layout, width) {
  const fitted = fitTitle(layout, width);
  if (width < 560 && layout?.xaxis?.tickangle === -45) {
    return { ...fitted, xaxis: { ...fitted.xaxis, tickangle: -90 } };
  }
  return fitted;
}

/** @type {ReturnType<typeof setTimeout> | undefined} */
let resizeTimer;
globalThis.addEventListener("resize", () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => {
    const Plotly = /** @type {any} */ (globalThis).Plotly;
    if (!Plotly) return;
    for (const el of document.querySelectorAll(".chart")) {
      const layout = drawn.get(el);
      if (!layout || !(/** @type {HTMLElement} */ (el)).offsetParent) continue;
      const fitted = fitLayout(layout, /** @type {HTMLElement} */ (el).clientWidth);
      Plotly.relayout(el, {
        "title.text": fitted.title?.text,
        ...(fitted.xaxis?.tickangle !== undefined
          ? { "xaxis.tickangle": fitted.xaxis.tickangle }
          : {}),
      }).catch(() => {});
    }
  }, 150);
});

/**
 * The layout with its title wrapped to the chart's width, so a long title (or a translation of
 * one) is never cut at the edges. Presentation only: the traces are untouched.
 *
 * @param {Record<string, any>} layout
 * @param {number} width the chart's width in px
 */
function fitTitle(layout, width) {
  const text = layout?.title?.text;
  if (typeof text !== "string") return layout;
  // About 8 px a character at the title's 15 px; the subtitle is smaller.
  const chars = Math.max(16, Math.floor((width - 30) / 9));
  const lines = text.split("<br>").flatMap((part) => {
    const sub = /^<sub>(.*)<\/sub>$/.exec(part);
    const inner = sub ? sub[1] ?? "" : part;
    const wrapped = wrapWords(inner, sub ? Math.floor(chars * 1.25) : chars);
    return sub ? wrapped.map((l) => `<sub>${l}</sub>`) : wrapped;
  });
  return { ...layout, title: { ...layout.title, text: lines.join("<br>") } };
}

/**
 * @param {string} text
 * @param {number} width
 * @returns {string[]}
 */
function wrapWords(text, width) {
  /** @type {string[]} */
  const lines = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && (line + " " + word).length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** Hides the results (a new dataset makes them stale). */
export function hideResults() {
  show(byId("results"), false);
}

/**
 * @param {Report} report
 */
function renderCandidates(report) {
  /** @type {Candidate[]} */
  const candidates = report.candidates?.length ? report.candidates : [{
    // A run of one algorithm with a fixed k has no candidates: the run itself is the one.
    algorithm: report.algorithm,
    k: report.n_clusters,
    silhouette: asNumber(report.metrics.silhouette_score),
    davies_bouldin: asNumber(report.metrics.davies_bouldin_score),
    calinski_harabasz: asNumber(report.metrics.calinski_harabasz_score),
    eligible: true,
    reason: null,
    chosen: true,
  }];
  const rows = candidates.map((c) => [
    c.algorithm,
    c.k,
    num(c.silhouette),
    num(c.davies_bouldin),
    num(c.calinski_harabasz, 1),
    c.chosen ? `✔ ${t("chosen")}` : c.eligible ? t("eligible") : (c.reason ?? "–"),
  ]);
  const el = table(
    [
      t("algorithm"),
      t("k"),
      t("silhouette"),
      t("davies_bouldin"),
      t("calinski_harabasz"),
      t(
        "status",
      ),
    ],
    rows,
    { "data-testid": "candidates" },
    (i) => (candidates[i]?.chosen ? { class: "chosen", "aria-current": "true" } : {}),
  );
  el.id = "candidates";
  el.prepend(h("caption", {}, t("candidates")));
  byId("candidates").replaceWith(el);
}

/**
 * @param {unknown} v
 * @returns {number | null}
 */
function asNumber(v) {
  return typeof v === "number" ? v : null;
}

/**
 * The silhouette (left axis) and inertia (right axis) of KMeans over k, the best k marked.
 *
 * @param {any} Plotly
 * @param {{ chart_data: { x: number[], y: number[] }, inertia?: Record<string, number>,
 *   optimal_k: number }} optimal
 */
function drawCurve(Plotly, optimal) {
  const { x, y } = optimal.chart_data;
  const inertia = optimal.inertia ? x.map((k) => optimal.inertia?.[String(k)] ?? null) : null;
  const best = x.indexOf(optimal.optimal_k);
  const data = [
    {
      type: "scatter",
      mode: "lines+markers",
      name: t("silhouette"),
      x,
      y,
      line: { color: "#0072B2" },
    },
    ...(inertia
      ? [{
        type: "scatter",
        mode: "lines+markers",
        name: t("inertia"),
        x,
        y: inertia,
        yaxis: "y2",
        line: { color: "#D55E00", dash: "dot" },
      }]
      : []),
    ...(best >= 0
      ? [{
        type: "scatter",
        mode: "markers",
        name: `k = ${optimal.optimal_k}`,
        x: [optimal.optimal_k],
        y: [y[best]],
        marker: { size: 14, symbol: "star", color: "#009E73" },
      }]
      : []),
  ];
  const layout = {
    title: {
      text: t("k_curve"),
      x: 0,
      xanchor: "left",
      xref: "container",
      y: 1,
      yref: "container",
      yanchor: "top",
      pad: { t: 8, l: 10 },
      automargin: true,
      font: { size: 15 },
    },
    margin: { l: 20, r: 20, t: 40, b: 20, pad: 2 },
    xaxis: { title: { text: "k" }, dtick: 1, automargin: true },
    yaxis: { title: { text: t("silhouette") }, automargin: true },
    yaxis2: {
      title: { text: t("inertia") },
      overlaying: "y",
      side: "right",
      showgrid: false,
      automargin: true,
    },
    legend: { orientation: "h", x: 0, xanchor: "left", y: 1.02, yanchor: "bottom" },
    font: { family: "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", size: 13 },
  };
  return draw(Plotly, byId("silhouette"), { data, layout });
}

/**
 * The colour of each segment in the scatter (its centroid trace), so a card matches its points.
 *
 * @param {{ data: any[] }} scatter
 * @returns {Map<number, string>}
 */
function colorsOf(scatter) {
  const colors = new Map();
  for (const trace of scatter.data) {
    const ids = trace.customdata;
    const marker = trace.marker?.color;
    if (Array.isArray(marker) && Array.isArray(ids) && ids.length === marker.length) {
      ids.forEach((id, i) => {
        if (typeof id === "number") colors.set(id, marker[i]);
      });
    }
  }
  return colors;
}

/**
 * @param {Report} report
 * @param {Map<number, string>} colors
 */
function renderCards(report, colors) {
  const cards = report.segments.map((s) => {
    const card = h(
      "article",
      { class: "card", "data-testid": "segment-card", "aria-labelledby": `seg-${s.cluster_id}` },
      h("h4", { id: `seg-${s.cluster_id}`, "data-testid": "segment-name" }, s.name),
      s.persona_label ? h("p", { class: "persona-label" }, s.persona_label) : null,
      s.priority
        ? h(
          "p",
          { class: "priority" },
          `${t("priority")}: ${word(`priority_${s.priority}`, s.priority)}`,
        )
        : null,
      s.persona ? h("p", { class: "persona" }, s.persona) : null,
      h("h5", {}, t("kpis")),
      kpiList(s, report),
      featureList(report.top_features?.[String(s.cluster_id)] ?? []),
      s.actions?.length
        ? [h("h5", {}, t("actions")), h("ul", {}, s.actions.map((a) => h("li", {}, a.text)))]
        : null,
    );
    const color = colors.get(s.cluster_id);
    if (color && /^#[0-9a-f]{3,8}$/i.test(color)) card.style.borderTopColor = color;
    return card;
  });
  replace(byId("cards"), cards);
}

/**
 * @param {Segment} s
 * @param {Report} report
 */
function kpiList(s, report) {
  const analysis = report.cluster_analysis?.[String(s.cluster_id)];
  /** @type {[string, string][]} */
  const items = [
    [t("customers"), num(s.kpis?.customers ?? analysis?.size)],
  ];
  for (const [key, value] of Object.entries(s.kpis ?? {})) {
    if (key === "customers" || value === null || value === undefined) continue;
    const shown = key.startsWith("share_of_") && typeof value === "number"
      ? `${num(value * 100, 1)} %`
      : num(value, 2);
    items.push([key === "share_of_customers" ? t("share") : humanise(key), shown]);
  }
  return h("dl", { class: "kpis" }, items.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
}

/**
 * @param {TopFeature[]} features
 */
function featureList(features) {
  if (features.length === 0) return null;
  return [
    h("h5", {}, t("top_features")),
    h(
      "ul",
      { class: "features" },
      features.map((f) =>
        h(
          "li",
          {},
          h("span", { class: `dir dir-${f.direction ?? "none"}`, "aria-hidden": "true" }, arrow(f)),
          ` ${f.feature}: ${num(f.mean, 2)}`,
          f.direction ? ` (${word(f.direction, f.direction)}${effect(f)})` : "",
        )
      ),
    ),
  ];
}

/** @param {TopFeature} f */
function arrow(f) {
  return f.direction === "higher" ? "▲" : f.direction === "lower" ? "▼" : "•";
}

/** @param {TopFeature} f */
function effect(f) {
  return typeof f.effect_size === "number" ? `, d = ${num(f.effect_size, 2)}` : "";
}

/**
 * The dictionary's word for one of the API's fixed values (`higher`, `priority_low`), else the
 * value as the API wrote it.
 *
 * @param {string} key
 * @param {string} fallback
 */
function word(key, fallback) {
  const translated = t(/** @type {any} */ (key));
  return translated === key ? fallback : translated;
}

/** @param {string} key */
function humanise(key) {
  const s = key.replace(/_/g, " ");
  return s.charAt(0).toUpperCase() + s.slice(1);
}
