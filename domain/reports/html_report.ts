/**
 * The standalone HTML report of a segmentation run (document 004's "HTML: standalone report
 * for sharing and archiving"): one page that reads offline and needs no JavaScript — no
 * external script, stylesheet, font or image, charts drawn here (HTML bars and legends, the
 * scatter as inline SVG) so that the browser fits them to any width, and a
 * Content-Security-Policy meta that forbids everything else (`default-src 'none';
 * style-src 'unsafe-inline'; img-src data:`), so even a page saved and opened from disk
 * cannot load or run anything.
 *
 * Every value that comes from data (names, personas, actions, features, ids, the dataset
 * name) goes through `escapeHtml` (`& < > " '`) wherever it is written, text and attributes
 * alike; numbers are formatted here. The scatter draws the same customers as the Plotly
 * scatter (`scatterSample` with its defaults) and uses the same colours (`clusterColor`).
 *
 * @module
 */
import { clusterColor, type Points2d, readPoints, scatterSample } from "./figures.ts";
import { type ReportWords, reportWords } from "./report_text.ts";

/** One segment of the report. */
export interface ReportSegment {
  /** Cluster id (0-based); picks the colour and the scatter's and means' rows. */
  clusterId: number;
  name: string;
  /** Short label, e.g. "high-value, frequent, recent customers". */
  personaLabel?: string;
  /** A few sentences. */
  persona: string;
  /** Customers in the segment. */
  size: number;
  /** Share of all customers, in [0, 1]. */
  share: number;
  /**
   * KPI name → value (e.g. narrative's `SegmentKpis`): keys are shown with `_` as spaces; a
   * number under a key containing "share" is a ratio shown as a percentage; null is "—".
   */
  kpis: Readonly<Record<string, number | string | null>>;
  /**
   * The features that set the segment apart: a short fact each, or a feature and whether the
   * segment's mean is higher or lower than all customers' (worded in the report's language).
   */
  topFeatures: readonly (string | TopFeature)[];
  /** Recommended actions, one sentence each. */
  actions: readonly string[];
  priority?: string;
}

/** A feature that sets a segment apart, and which way. */
export interface TopFeature {
  feature: string;
  direction: "higher" | "lower";
}

/** One candidate model's row of metrics. */
export interface ReportCandidate {
  algorithm: string;
  k: number | null;
  silhouette: number | null;
  daviesBouldin: number | null;
  calinskiHarabasz: number | null;
  /** Share of customers left as noise, in [0, 1]. */
  noiseShare?: number | null;
  stability?: number | null;
  meanRank?: number | null;
  eligible?: boolean;
  /** Why it is not eligible. */
  reason?: string | null;
  /** The model the run kept. */
  chosen?: boolean;
}

/** The 2-D projection to draw (e.g. `projectForScatter`'s result with the run's labels). */
export interface ReportScatter {
  points: Points2d;
  /** One per point: a cluster id or −1 (noise). */
  labels: ArrayLike<number>;
  /** Centre of each cluster id in the same space; non-finite ones are not drawn. */
  centroids: readonly (readonly number[])[];
  explainedVarianceRatio: readonly [number, number];
}

/** Standardised feature means by cluster id (z-scores of the means, k × d). */
export interface ReportFeatureMeans {
  features: readonly string[];
  means: readonly (readonly number[])[];
}

/** Everything the report shows: plain data, filled from a stored run. */
export interface ReportInput {
  runId: string;
  datasetName: string;
  /** When the run was made, epoch ms (shown in UTC). */
  createdAt: number;
  /** The algorithm of the kept model, e.g. "kmeans". */
  algorithm: string;
  /** Customers clustered; default the segments' sizes plus `noise`. */
  rowCount?: number;
  /** Customers labelled noise (DBSCAN). */
  noise?: number;
  /** Why this model was chosen (e.g. `AutoResult.why`). */
  selection?: string;
  segments: readonly ReportSegment[];
  candidates: readonly ReportCandidate[];
  /** Without it the scatter section says it is not available. */
  scatter?: ReportScatter;
  /** Without it the feature-means section says it is not available. */
  featureMeans?: ReportFeatureMeans;
  /** The language of the report's own words: en, es or pt (default English). */
  language?: string;
}

/**
 * The report as one HTML document (UTF-8, no scripts): header with run id, dataset, date and
 * algorithm; three charts (segment scatter on PC1/PC2 with centroids, segment sizes,
 * standardised feature means); a table of segments (name, size, share, persona, KPIs,
 * top features, actions) and one of the candidate models' metrics. Deterministic: the same
 * input gives the same bytes.
 *
 * @throws {RangeError} when the scatter's points and labels differ in length.
 *
 * @example
 * ```ts
 * import { htmlReport } from "./html_report.ts";
 * const html = htmlReport({
 *   runId: "run_1", datasetName: "<b>mall</b>", createdAt: 0, algorithm: "kmeans",
 *   segments: [], candidates: [],
 * });
 * if (html.includes("<b>mall")) throw new Error("unescaped");
 * ```
 */
export function htmlReport(report: ReportInput): string {
  const w = reportWords(report.language);
  const names = new Map(report.segments.map((s) => [s.clusterId, s.name]));
  const nameOf = (c: number): string => c < 0 ? w.noise : names.get(c) ?? `${w.segment} ${c}`;
  const noise = report.noise ?? 0;
  const rowCount = report.rowCount ?? report.segments.reduce((a, s) => a + s.size, noise);
  const date = Number.isFinite(report.createdAt) && Math.abs(report.createdAt) <= 8.64e15
    ? new Date(report.createdAt).toISOString().slice(0, 16).replace("T", " ") + " UTC"
    : "—";
  const title = `${w.title} — ${report.datasetName} — ${report.runId}`;

  const scatter = report.scatter ? scatterSection(report.scatter, nameOf, w) : notAvailable(w);
  const sized = report.segments.length > 0 || noise > 0;
  const sizes = report.segments.map((s) => ({ label: s.clusterId, name: s.name, value: s.size }));
  if (noise > 0) sizes.push({ label: -1, name: w.noise, value: noise });
  const means = report.featureMeans
    ? meansSection(report.featureMeans, nameOf, w)
    : notAvailable(w);

  return `<!DOCTYPE html>
<html lang="${w.lang}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${w.heading}</h1>
<dl class="meta">
<dt>${w.run}</dt><dd><code>${escapeHtml(report.runId)}</code></dd>
<dt>${w.dataset}</dt><dd>${escapeHtml(report.datasetName)}</dd>
<dt>${w.date}</dt><dd>${date}</dd>
<dt>${w.algorithm}</dt><dd>${escapeHtml(report.algorithm)}</dd>
<dt>${w.segments}</dt><dd>${report.segments.length}</dd>
<dt>${w.customers}</dt><dd>${formatCount(rowCount, w)}${
    noise > 0 ? ` (${w.noiseNote(formatCount(noise, w))})` : ""
  }</dd>
</dl>
${report.selection ? `<p class="why">${escapeHtml(report.selection)}</p>` : ""}
</header>
<main>
<section>
<h2>${w.scatterHeading}</h2>
${scatter}
</section>
<section>
<h2>${w.sizesHeading}</h2>
${sized ? barsChart(sizes, rowCount, w) : notAvailable(w)}
</section>
<section>
<h2>${w.meansHeading}</h2>
${means}
</section>
<section>
<h2>${w.segments}</h2>
<div class="wide" tabindex="0" role="region" aria-label="${w.segments}">${
    segmentsTable(report.segments, w)
  }</div>
</section>
<section>
<h2>${w.candidatesHeading}</h2>
<div class="wide" tabindex="0" role="region" aria-label="${w.candidatesHeading}">${
    candidatesTable(report.candidates, w)
  }</div>
</section>
</main>
<footer><p>${w.run} <code>${escapeHtml(report.runId)}</code>. ${w.footer}</p></footer>
</body>
</html>
`;
}

/** `text` safe in HTML text and in quoted attributes: `& < > " '` as entities. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** The report's Content-Security-Policy: nothing may load; only inline styles apply. */
export const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

const CSP = escapeHtml(REPORT_CSP);

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#222;margin:0 auto;
max-width:1100px;padding:24px;line-height:1.45;overflow-wrap:break-word}
h1{margin:0 0 12px}h2{margin:32px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
dl.meta{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:2px 16px;margin:0}
dl.meta dt{font-weight:600}dl.meta dd{margin:0;min-width:0}
figure.chart{margin:0;max-width:760px}
svg{max-width:100%;height:auto;display:block}svg text{font-size:15px;fill:#222}
ul.legend{list-style:none;margin:0 0 8px;padding:0;display:flex;flex-wrap:wrap;gap:4px 18px;
font-size:14px}
ul.legend li{display:flex;align-items:baseline;gap:6px;max-width:100%;min-width:0}
.swatch{flex:none;width:12px;height:12px;border-radius:2px;align-self:center}
.cross{flex:none;font-weight:700;width:12px;text-align:center}
ul.bars{list-style:none;margin:0;padding:0;display:grid;gap:8px;font-size:14px;
grid-template-columns:minmax(6em,30%) minmax(0,1fr);align-items:center}
ul.bars li{display:contents}
.bar-label{text-align:right;min-width:0}
.bar-row{display:flex;align-items:center;gap:6px;min-width:0}
.bar-row .bar{flex:none;display:block;height:22px;min-width:1px}
.bar-value{white-space:nowrap}
.means{font-size:13px}
.mrow{display:grid;grid-template-columns:minmax(6em,28%) minmax(0,1fr);gap:8px;align-items:center;
margin-bottom:2px}
.mlabel{text-align:right;min-width:0}
.mtrack,.mticks{position:relative;display:block;margin:0 1.5em;background:#fafafa}
.mticks{height:1.4em;background:none}
.mticks span{position:absolute;top:0;transform:translateX(-50%);white-space:nowrap}
.mtrack .bar{position:absolute;display:block;min-width:1px}
.mtrack .grid{position:absolute;top:0;bottom:0;width:1px;background:#e4e4e4}
.mtrack .zero{position:absolute;top:0;bottom:0;width:1px;background:#444}
.maxis{text-align:center;margin:4px 0 0}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{border:1px solid #ddd;padding:6px 8px;vertical-align:top;text-align:left}
th{background:#f4f4f4}td.num{text-align:right;white-space:nowrap}
.wide{overflow-x:auto}
ul{margin:0;padding-left:18px}dl.kpis{margin:0;display:grid;grid-template-columns:max-content auto;
gap:0 8px}dl.kpis dd{margin:0;text-align:right}
.chip{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px}
.caption{color:#555;font-size:13px}tr.chosen{background:#eef6ff}
@media (max-width:600px){body{padding:12px}
ul.bars{grid-template-columns:minmax(0,1fr);row-gap:2px}
.bar-label{grid-column:1/-1;text-align:left;margin-top:6px}
.mrow{grid-template-columns:minmax(0,1fr)}.mrow>span:first-child:empty{display:none}
.mlabel{text-align:left}}
@media print{body{padding:0}section{break-inside:avoid}}
`;

function notAvailable(w: ReportWords): string {
  return `<p class="caption">${w.notAvailable}</p>`;
}

// ---------------------------------------------------------------------------------------------
// Charts. The page runs no script, so nothing can measure the reader's screen: every chart is
// laid out to fit any width by the browser itself. Legends and bar labels are HTML, where long
// segment names wrap in full instead of being cut to a prefix several segments share; only the
// scatter's plot area is SVG, sized by its viewBox, with its axis labels inside it and clear
// of the points' frame. Coordinates are rounded to 0.1 px to keep the page small.

interface Frame {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** The legend of `labels` (cluster ids, −1 for noise): one swatch and full name each. */
function legendList(
  labels: readonly number[],
  nameOf: (c: number) => string,
  extra = "",
): string {
  const items = labels.map((label) =>
    `<li><span class="swatch" style="background:${clusterColor(label)}"></span>${
      escapeHtml(nameOf(label))
    }</li>`
  ).join("");
  return `<ul class="legend">${items}${extra}</ul>`;
}

function scatterSection(
  sc: ReportScatter,
  nameOf: (c: number) => string,
  w: ReportWords,
): string {
  const n = sc.labels.length;
  const xy = readPoints(sc.points, n);
  const shown = scatterSample(sc.labels);

  const centroids = sc.centroids
    .map((p, c) => ({ c, x: p[0] ?? NaN, y: p[1] ?? NaN }))
    .filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  const xs: number[] = centroids.map((p) => p.x);
  const ys: number[] = centroids.map((p) => p.y);
  for (const i of shown) {
    if (Number.isFinite(xy[2 * i]!) && Number.isFinite(xy[2 * i + 1]!)) {
      xs.push(xy[2 * i]!);
      ys.push(xy[2 * i + 1]!);
    }
  }
  // The y tick labels' room (about 9 px a character at 15 px) sets the plot's left edge, so
  // that no label runs into the rotated axis title.
  const top = 14, plotHeight = 380;
  const sy = scale(ys, top + plotHeight, top);
  const tickChars = Math.max(...sy.ticks.map((t) => formatTick(t, w).length));
  const plot: Frame = { left: 40 + 9 * tickChars, top, width: 560, height: plotHeight };
  const sx = scale(xs, plot.left, plot.left + plot.width);
  const width = plot.left + plot.width + 24;
  const height = plot.top + plot.height + 68;

  const groups = new Map<number, string[]>();
  const radius = shown.length <= 1_000 ? 3.5 : 2.5;
  for (const i of shown) {
    const x = xy[2 * i]!, y = xy[2 * i + 1]!;
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    const label = sc.labels[i]!;
    const circle = `<circle cx="${px(sx.to(x))}" cy="${px(sy.to(y))}" r="${radius}"/>`;
    const list = groups.get(label);
    if (list) list.push(circle);
    else groups.set(label, [circle]);
  }
  const order = [...groups.keys()].sort((a, b) => a - b); // noise (−1) first, underneath
  const pointsSvg = order.map((label) =>
    `<g fill="${clusterColor(label)}" fill-opacity="${label < 0 ? 0.4 : 0.7}">${
      groups.get(label)!.join("")
    }</g>`
  ).join("\n");

  const crosses = centroids.map(({ c, x, y }) => {
    const cx = sx.to(x), cy = sy.to(y), r = 7;
    const d = `M${px(cx - r)} ${px(cy - r)}L${px(cx + r)} ${px(cy + r)}M${px(cx - r)} ${
      px(cy + r)
    }L${px(cx + r)} ${px(cy - r)}`;
    return `<g><title>${w.centreOf} ${escapeHtml(nameOf(c))}</title>` +
      `<path d="${d}" stroke="#FFFFFF" stroke-width="6"/>` +
      `<path d="${d}" stroke="${clusterColor(c)}" stroke-width="3"/></g>`;
  }).join("\n");

  const legendLabels = [...new Set([...order, ...centroids.map((p) => p.c)])].sort((a, b) => a - b);
  const centre = `<li><span class="cross" aria-hidden="true">×</span>${w.segmentCentre}</li>`;

  const [r1, r2] = sc.explainedVarianceRatio;
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${w.scatterAria}">
${axes(plot, sx, sy, `PC1 (${percent(r1, w)})`, `PC2 (${percent(r2, w)})`, w)}
${pointsSvg}
${crosses}
</svg>`;
  const caption = shown.length < n
    ? w.sampleCaption(formatCount(shown.length, w), formatCount(n, w))
    : w.allCaption(formatCount(n, w));
  return `<figure class="chart" id="scatter-chart">
${legendList(legendLabels, nameOf, centre)}
${svg}
<figcaption class="caption">${caption}</figcaption>
</figure>`;
}

/** Customers per segment as HTML bars: the names wrap in full beside (or, narrow, above) them. */
function barsChart(
  bars: readonly { label: number; name: string; value: number }[],
  total: number,
  w: ReportWords,
): string {
  const max = Math.max(1, ...bars.map((b) => b.value));
  const rows = bars.map((b) => {
    const share = total > 0 ? ` (${percent(b.value / total, w)})` : "";
    const fraction = Math.round((Math.max(0, b.value) / max) * 1000) / 1000;
    // The bars share the track's width less room for the longest value, which follows its bar.
    return `<li><span class="bar-label">${escapeHtml(b.name)}</span><span class="bar-row">` +
      `<span class="bar" data-plot style="width:calc((100% - 10em) * ${fraction});` +
      `background:${clusterColor(b.label)}"></span>` +
      `<span class="bar-value">${formatCount(b.value, w)}${share}</span></span></li>`;
  }).join("\n");
  return `<figure class="chart" id="sizes-chart">
<ul class="bars" aria-label="${w.sizesAria}">
${rows}
</ul>
</figure>`;
}

/**
 * Standardised means as HTML bars, one row per feature (its full name, wrapped, beside a band
 * with one bar per segment), the axis's ticks in a row of their own below the bands.
 */
function meansSection(
  fm: ReportFeatureMeans,
  nameOf: (c: number) => string,
  w: ReportWords,
): string {
  const k = fm.means.length;
  const bar = k > 6 ? 6 : 9;
  const band = k * bar + 8;
  const values = fm.means.flatMap((row) => row.filter(Number.isFinite));
  const extent = Math.max(1, ...values.map(Math.abs));
  const sx = scale([-extent, extent], 0, 100);
  const zero = sx.to(0);
  const grid = sx.ticks.map((t) => `<span class="grid" style="left:${px(sx.to(t))}%"></span>`).join(
    "",
  );

  const rows = fm.features.map((feature, j) => {
    const bars = fm.means.map((row, c) => {
      const v = row[j] ?? NaN;
      if (!Number.isFinite(v)) return "";
      const x = sx.to(v);
      return `<span class="bar" style="left:${px(Math.min(x, zero))}%;width:${
        px(Math.abs(x - zero))
      }%;top:${4 + c * bar}px;height:${bar - 1}px;background:${clusterColor(c)}" title="${
        escapeHtml(nameOf(c))
      }: ${escapeHtml(feature)} ${formatNumber(v, w)} ${w.sd}"></span>`;
    }).join("");
    return `<div class="mrow"><span class="mlabel">${breakable(feature)}</span>` +
      `<span class="mtrack" data-plot style="height:${band}px">${grid}` +
      `<span class="zero" style="left:${px(zero)}%"></span>${bars}</span></div>`;
  }).join("\n");

  const ticks = sx.ticks.map((t) =>
    `<span style="left:${px(sx.to(t))}%">${formatTick(t, w)}</span>`
  ).join("");

  return `<figure class="chart" id="means-chart">
${legendList(Array.from({ length: k }, (_, c) => c), nameOf)}
<div class="means" role="group" aria-label="${w.meansAria}">
${rows}
<div class="mrow"><span></span><span class="mticks">${ticks}</span></div>
<p class="maxis">${w.meansAxis}</p>
</div>
<figcaption class="caption">${w.meansCaption}</figcaption>
</figure>`;
}

/** Escaped text that may break after an underscore (column names with no spaces). */
function breakable(text: string): string {
  return escapeHtml(text).replaceAll("_", "_<wbr>");
}

function axes(
  plot: Frame,
  sx: Scale,
  sy: Scale,
  xTitle: string,
  yTitle: string,
  w: ReportWords,
): string {
  const bottom = plot.top + plot.height, right = plot.left + plot.width;
  const parts = [
    `<rect x="${plot.left}" y="${plot.top}" width="${plot.width}" height="${plot.height}" fill="none" stroke="#ccc" data-plot=""/>`,
  ];
  for (const t of sx.ticks) {
    const x = px(sx.to(t));
    parts.push(
      `<line x1="${x}" y1="${plot.top}" x2="${x}" y2="${bottom}" stroke="#eee"/>` +
        `<text x="${x}" y="${bottom + 26}" text-anchor="middle">${formatTick(t, w)}</text>`,
    );
  }
  for (const t of sy.ticks) {
    const y = px(sy.to(t));
    parts.push(
      `<line x1="${plot.left}" y1="${y}" x2="${right}" y2="${y}" stroke="#eee"/>` +
        `<text x="${plot.left - 8}" y="${px(sy.to(t) + 5)}" text-anchor="end">${
          formatTick(t, w)
        }</text>`,
    );
  }
  parts.push(
    `<text x="${px(plot.left + plot.width / 2)}" y="${bottom + 56}" text-anchor="middle">${
      escapeHtml(xTitle)
    }</text>`,
    `<text transform="translate(20 ${
      px(plot.top + plot.height / 2)
    }) rotate(-90)" text-anchor="middle">${escapeHtml(yTitle)}</text>`,
  );
  return parts.join("\n");
}

interface Scale {
  to(v: number): number;
  ticks: number[];
}

// A linear map from the data's range (widened to round tick values) onto [from, to] pixels.
function scale(values: readonly number[], from: number, to: number): Scale {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(lo <= hi)) [lo, hi] = [-1, 1];
  if (lo === hi) [lo, hi] = [lo - 1, hi + 1];
  const step = niceStep((hi - lo) / 5);
  lo = Math.floor(lo / step) * step;
  hi = Math.ceil(hi / step) * step;
  const ticks: number[] = [];
  for (let t = lo; t <= hi + step / 2; t += step) ticks.push(Math.round(t / step) * step);
  return { to: (v) => from + ((v - lo) / (hi - lo)) * (to - from), ticks };
}

function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  const f = raw / power;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * power;
}

// ---------------------------------------------------------------------------------------------
// Tables.

function segmentsTable(segments: readonly ReportSegment[], w: ReportWords): string {
  if (segments.length === 0) return notAvailable(w);
  const rows = segments.map((s) => {
    const kpis = Object.entries(s.kpis).map(([key, value]) =>
      `<dt>${escapeHtml(w.kpiLabel(key))}</dt><dd>${kpiValue(key, value, w)}</dd>`
    ).join("");
    const features = s.topFeatures.map((f) =>
      typeof f === "string" ? f : `${f.feature} (${w.direction[f.direction]})`
    );
    return `<tr>
<td><span class="chip" style="background:${clusterColor(s.clusterId)}"></span><strong>${
      escapeHtml(s.name)
    }</strong>${s.personaLabel ? `<br><em>${escapeHtml(s.personaLabel)}</em>` : ""}${
      s.priority ? `<br>${w.priority}: ${escapeHtml(w.priorityLevel(s.priority))}` : ""
    }</td>
<td class="num">${formatCount(s.size, w)}</td>
<td class="num">${percent(s.share, w)}</td>
<td>${escapeHtml(s.persona)}</td>
<td><dl class="kpis">${kpis}</dl></td>
<td>${list(features)}</td>
<td>${list(s.actions)}</td>
</tr>`;
  }).join("\n");
  return `<table>
<thead><tr><th>${w.segment}</th><th>${w.customers}</th><th>${w.share}</th><th>${w.persona}</th><th>${w.kpis}</th><th>${w.topFeatures}</th><th>${w.actions}</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`;
}

function candidatesTable(candidates: readonly ReportCandidate[], w: ReportWords): string {
  if (candidates.length === 0) return notAvailable(w);
  const rows = candidates.map((c) => {
    const status = c.chosen
      ? `<strong>${w.chosen}</strong>`
      : c.eligible === false
      ? `${w.notEligible}${c.reason ? `: ${escapeHtml(c.reason)}` : ""}`
      : c.eligible
      ? w.eligible
      : "";
    return `<tr${c.chosen ? ' class="chosen"' : ""}><td>${escapeHtml(c.algorithm)}</td>` +
      `<td class="num">${c.k === null ? "—" : formatCount(c.k, w)}</td>` +
      `<td class="num">${fixed(c.silhouette, 3, w)}</td>` +
      `<td class="num">${fixed(c.daviesBouldin, 3, w)}</td>` +
      `<td class="num">${fixed(c.calinskiHarabasz, 1, w)}</td>` +
      `<td class="num">${c.noiseShare == null ? "—" : percent(c.noiseShare, w)}</td>` +
      `<td class="num">${fixed(c.stability ?? null, 2, w)}</td>` +
      `<td class="num">${fixed(c.meanRank ?? null, 2, w)}</td>` +
      `<td>${status}</td></tr>`;
  }).join("\n");
  return `<table>
<thead><tr><th>${w.algorithm}</th><th>k</th><th>Silhouette ↑</th><th>Davies-Bouldin ↓</th><th>Calinski-Harabasz ↑</th><th>${w.noiseColumn}</th><th>${w.stability}</th><th>${w.meanRank}</th><th>${w.status}</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`;
}

function list(items: readonly string[]): string {
  if (items.length === 0) return "—";
  return `<ul>${items.map((t) => `<li>${escapeHtml(t)}</li>`).join("")}</ul>`;
}

function kpiValue(key: string, value: number | string | null, w: ReportWords): string {
  if (value === null) return "—";
  if (typeof value === "string") return escapeHtml(value);
  return key.includes("share") ? percent(value, w) : formatNumber(value, w);
}

// ---------------------------------------------------------------------------------------------
// Numbers: formatted here in the report's locale, never taken as text from the input.

function formatCount(v: number, w: ReportWords): string {
  return Number.isFinite(v) ? Math.round(v).toLocaleString(w.locale) : "—";
}

function formatNumber(v: number, w: ReportWords): string {
  if (!Number.isFinite(v)) return "—";
  return v.toLocaleString(w.locale, { maximumFractionDigits: Math.abs(v) >= 100 ? 1 : 2 });
}

function fixed(v: number | null, digits: number, w: ReportWords): string {
  if (v === null || !Number.isFinite(v)) return "—";
  return v.toLocaleString(w.locale, {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
    useGrouping: false,
  });
}

function percent(ratio: number, w: ReportWords): string {
  return Number.isFinite(ratio) ? `${fixed(ratio * 100, 1, w)} %` : "—";
}

function formatTick(t: number, w: ReportWords): string {
  return (Number(t.toPrecision(6)) + 0)
    .toLocaleString(w.locale, { maximumFractionDigits: 6, useGrouping: false })
    .replace("-", "−");
}

function px(v: number): string {
  return String(Math.round(v * 10) / 10 + 0);
}
