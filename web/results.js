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
import { language, t } from "./i18n.js";

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
 *   cluster_analysis: Record<string, { size: number, percentage: number,
 *     statistics?: Record<string, Record<string, number>> }>,
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
  const mine = ++shown;
  const lang = language();
  section.setAttribute("aria-busy", "true");
  show(section);
  replace(byId("selection-why"), report.selection?.why ?? "");
  renderCandidates(report);
  // The charts need the section laid out (Plotly sizes a plot from its container).
  const [Plotly, vis, optimal, corr] = await Promise.all([
    loadPlotly(),
    getJson("/api/visualizations"),
    getJson("/api/optimal-clusters").catch(() => null),
    getJson("/api/correlation-matrix").catch(() => null),
  ]).catch((error) => {
    if (mine === shown) section.removeAttribute("aria-busy");
    throw error;
  });
  // A later call (a second language switch, a new run) has drawn, or is drawing, newer results.
  if (mine !== shown) return;
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
  if (mine !== shown) return;
  // Drawn, in this language: what a test (or an assistive technology) waits for.
  section.dataset.language = lang;
  section.removeAttribute("aria-busy");
}

/** How many times results have been asked for: only the latest call draws them. */
let shown = 0;

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
 * Draws `figure` in `el` afresh, fitted to the chart's width (`fitFigure`). A plot redrawn with
 * `Plotly.react` (a language switch) keeps the width of its first drawing and stops following
 * the window; a new plot follows it.
 *
 * @param {any} Plotly
 * @param {HTMLElement} el
 * @param {{ data: any[], layout: Record<string, any> }} figure
 */
function draw(Plotly, el, figure) {
  drawn.set(el, figure);
  // One drawing of a chart at a time: a purge in the middle of a drawing leaves its promise
  // unsettled (a refit while the results are drawn).
  const next = (drawing.get(el) ?? Promise.resolve()).catch(() => {}).then(() =>
    drawn.get(el) === figure ? drawNow(Plotly, el, figure) : undefined
  );
  drawing.set(el, next);
  return next;
}

/** Each chart's drawing under way. */
const drawing = new WeakMap();

/**
 * @param {any} Plotly
 * @param {HTMLElement} el
 * @param {{ data: any[], layout: Record<string, any> }} figure
 */
async function drawNow(Plotly, el, figure) {
  setCaption(el, figure.layout?.title?.text);
  // The chart keeps its height while it is redrawn: emptied, it would shrink the page, drop the
  // scroll bar and change the very width being measured (a refit loop at the threshold).
  el.style.minHeight = `${el.offsetHeight}px`;
  Plotly.purge(el);
  const width = el.clientWidth;
  drawnWidth.set(el, width);
  refit.observe(el);
  const fitted = fitFigure(figure, width || 600);
  // The width inside the chart's border (Plotly's own would be the border's, 2 px wider).
  const layout = width > 0 ? { ...fitted.layout, width } : fitted.layout;
  try {
    await Plotly.newPlot(el, fitted.data, layout, PLOT_CONFIG);
  } finally {
    el.style.minHeight = "";
  }
  await keepPlotArea(Plotly, el);
}

/** The figure each chart was drawn from, to fit it again when the window's width changes. */
const drawn = new WeakMap();

/** The least height, in px, left to a chart's plot area once its legend and axes have theirs. */
const MIN_PLOT_HEIGHT = 220;

/**
 * Grows a chart whose legend and axes leave its plot area less than `MIN_PLOT_HEIGHT` px (long
 * segment names on a phone), so the axis titles keep beside the plot and under no legend.
 *
 * @param {any} Plotly
 * @param {any} el
 */
async function keepPlotArea(Plotly, el) {
  const size = el._fullLayout?._size;
  const height = el._fullLayout?.height;
  if (!size || !height || size.h >= MIN_PLOT_HEIGHT) return;
  await Plotly.relayout(el, { height: Math.ceil(height + MIN_PLOT_HEIGHT - size.h) });
}

/**
 * The chart's title as the HTML caption above it (a `figcaption` of its `figure`), where it
 * wraps like any text and no legend can cover it; the chart is labelled by it. A figure whose
 * caption is in the page already (the heat map) keeps that one.
 *
 * @param {HTMLElement} el
 * @param {unknown} title Plotly title text: a line, `<br>`, then `<sub>(a note)</sub>`
 */
function setCaption(el, title) {
  const figure = el.closest("figure");
  if (!figure || typeof title !== "string") return;
  const existing = figure.querySelector("figcaption");
  if (existing && !existing.classList.contains("chart-title")) return;
  const [main = "", ...rest] = title.split(/<br\s*\/?>/i).map(plainText);
  const id = `${el.id}-title`;
  const caption = h(
    "figcaption",
    { class: "chart-title", id },
    main,
    ...(rest.length ? [h("span", { class: "chart-note" }, rest.join(" "))] : []),
  );
  if (existing) existing.replaceWith(caption);
  else figure.prepend(caption);
  el.setAttribute("aria-labelledby", id);
}

/**
 * The text of a Plotly label: its tags dropped and the entities `plotlyText` wrote read back.
 *
 * @param {string} text
 */
function plainText(text) {
  return text.replace(/<[^>]*>/g, "").replaceAll("&lt;", "<").replaceAll("&gt;", ">")
    .replaceAll("&quot;", '"').replaceAll("&#39;", "'").replaceAll("&amp;", "&").trim();
}

/**
 * The figure fitted to a chart `width` px wide, presentation only:
 * - no title inside the plot (the caption above shows it), so the top margin is the legend's;
 * - legend names wrapped to the chart's width (a legend wider than the chart runs past its
 *   edges and over the axis titles), the full name kept in the hover;
 * - on a narrow chart, a heat map's column labels upright so they cannot run past its edge.
 *
 * @param {{ data: any[], layout: Record<string, any> }} figure
 * @param {number} width
 */
export function fitFigure(figure, width) {
  const { title: _title, ...rest } = figure.layout ?? {};
  /** @type {Record<string, any>} */
  const layout = { ...rest, margin: { ...rest.margin, t: 10 } };
  if (width < 560 && layout.xaxis?.tickangle === -45) {
    layout.xaxis = { ...layout.xaxis, tickangle: -90 };
  }
  // The y axis and the legend's symbol take about 120 px; 6.5 px a character at 13 px.
  const chars = Math.max(14, Math.floor((width - 130) / 6.5));
  const data = figure.data.map((trace) => {
    if (typeof trace?.name !== "string" || trace.name.length <= chars) return trace;
    return { ...trace, name: wrapWords(trace.name, chars).join("<br>") };
  });
  // A horizontal legend puts its title on the left of the first row; above it, on a narrow
  // chart, the names have the whole width.
  if (layout.legend?.title?.text && width < 700) {
    layout.legend = { ...layout.legend, title: { ...layout.legend.title, side: "top" } };
  }
  return { data, layout };
}

/** The width each chart was last drawn at. */
const drawnWidth = new WeakMap();

/** @type {ReturnType<typeof setTimeout> | undefined} */
let resizeTimer;

/**
 * Draws again, 150 ms after the last change, every chart whose width is no longer the one it
 * was drawn at: a window resized, a scroll bar come or gone, the grid down to one column.
 */
const refit = new ResizeObserver(() => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => {
    const Plotly = /** @type {any} */ (globalThis).Plotly;
    if (!Plotly) return;
    for (const el of document.querySelectorAll(".chart")) {
      const chart = /** @type {HTMLElement} */ (el);
      const figure = drawn.get(chart);
      if (!figure || !chart.offsetParent || chart.clientWidth === drawnWidth.get(chart)) continue;
      draw(Plotly, chart, figure).catch(() => {});
    }
  }, 150);
});

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
  shown++;
  delete byId("results").dataset.language;
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
      statisticsOf(report.cluster_analysis?.[String(s.cluster_id)]?.statistics),
    );
    const color = colors.get(s.cluster_id);
    if (color && /^#[0-9a-f]{3,8}$/i.test(color)) card.style.borderTopColor = color;
    return card;
  });
  replace(byId("cards"), cards);
}

/**
 * A segment's per-column statistics, folded away (a disclosure the keyboard opens with Enter or
 * Space): the cards stay short, the figures are one step away.
 *
 * @param {Record<string, Record<string, number>> | undefined} statistics
 */
function statisticsOf(statistics) {
  const columns = Object.entries(statistics ?? {});
  if (columns.length === 0) return null;
  const stats = /** @type {const} */ (["mean", "median", "min", "max"]);
  return h(
    "details",
    { class: "segment-details", "data-testid": "segment-details" },
    h("summary", {}, t("segment_details")),
    h(
      "div",
      { class: "table-wrap", tabindex: "0" },
      table(
        [t("column"), ...stats.map((k) => t(`stat_${k}`))],
        columns.map(([name, values]) => [name, ...stats.map((k) => num(values[k], 2))]),
      ),
    ),
  );
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
