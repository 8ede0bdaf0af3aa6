/**
 * The standalone HTML report of a segmentation run (document 004's "HTML: standalone report
 * for sharing and archiving"): one page that reads offline and needs no JavaScript — no
 * external script, stylesheet, font or image, charts drawn here as inline SVG, and a
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
  /** Short facts about the features that set the segment apart. */
  topFeatures: readonly string[];
  /** Recommended actions, one sentence each. */
  actions: readonly string[];
  priority?: string;
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
 * algorithm; three inline SVG charts (segment scatter on PC1/PC2 with centroids, segment
 * sizes, standardised feature means); a table of segments (name, size, share, persona, KPIs,
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
  const nameOf = (c: number): string => c < 0 ? w.noise : names.get(c) ?? `Cluster ${c}`;
  const noise = report.noise ?? 0;
  const rowCount = report.rowCount ?? report.segments.reduce((a, s) => a + s.size, noise);
  const date = Number.isFinite(report.createdAt) && Math.abs(report.createdAt) <= 8.64e15
    ? new Date(report.createdAt).toISOString().slice(0, 16).replace("T", " ") + " UTC"
    : "—";
  const title = `${w.title} — ${report.datasetName} — ${report.runId}`;

  const scatter = report.scatter ? scatterSection(report.scatter, nameOf, w) : notAvailable(w);
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
<dt>${w.customers}</dt><dd>${formatCount(rowCount)}${
    noise > 0 ? ` (${w.noiseNote(formatCount(noise))})` : ""
  }</dd>
</dl>
${report.selection ? `<p>${escapeHtml(report.selection)}</p>` : ""}
</header>
<main>
<section>
<h2>${w.scatterHeading}</h2>
${scatter}
</section>
<section>
<h2>${w.sizesHeading}</h2>
${barsSvg(sizes, rowCount, w)}
</section>
<section>
<h2>${w.meansHeading}</h2>
${means}
</section>
<section>
<h2>${w.segments}</h2>
<div class="wide">${segmentsTable(report.segments, w)}</div>
</section>
<section>
<h2>${w.candidatesHeading}</h2>
<div class="wide">${candidatesTable(report.candidates, w)}</div>
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
max-width:1100px;padding:24px;line-height:1.45}
h1{margin:0 0 12px}h2{margin:32px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:0}
dl.meta dt{font-weight:600}dl.meta dd{margin:0}
svg{max-width:100%;height:auto;display:block}svg text{font-size:12px;fill:#222}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{border:1px solid #ddd;padding:6px 8px;vertical-align:top;text-align:left}
th{background:#f4f4f4}td.num{text-align:right;white-space:nowrap}
.wide{overflow-x:auto}
ul{margin:0;padding-left:18px}dl.kpis{margin:0;display:grid;grid-template-columns:max-content auto;
gap:0 8px}dl.kpis dd{margin:0;text-align:right}
.chip{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px}
.caption{color:#555;font-size:13px}tr.chosen{background:#eef6ff}
@media print{body{padding:0}section{break-inside:avoid}}
`;

function notAvailable(w: ReportWords): string {
  return `<p class="caption">${w.notAvailable}</p>`;
}

// ---------------------------------------------------------------------------------------------
// Charts. Each is one <svg> whose coordinates are rounded to 0.1 px to keep the page small.

interface Frame {
  left: number;
  top: number;
  width: number;
  height: number;
}

function scatterSection(
  sc: ReportScatter,
  nameOf: (c: number) => string,
  w: ReportWords,
): string {
  const n = sc.labels.length;
  const xy = readPoints(sc.points, n);
  const shown = scatterSample(sc.labels);
  const plot: Frame = { left: 64, top: 16, width: 600, height: 420 };
  const legendX = plot.left + plot.width + 24;
  const width = legendX + 200;
  const legendRows = (sc.centroids.length + 2) * 51;
  const height = Math.max(plot.top + plot.height + 52, plot.top + legendRows);

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
  const sx = scale(xs, plot.left, plot.left + plot.width);
  const sy = scale(ys, plot.top + plot.height, plot.top);

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
  // Long names wrap onto up to three lines (the full name in a tooltip), never cut to a prefix
  // that several segments share.
  let legendY = plot.top + 8;
  const legend = legendLabels.map((label) => {
    const y = legendY;
    const { svg, lines } = wrappedText(nameOf(label), legendX + 18, y + 1, 24);
    legendY += lines * 15 + 6;
    return `<rect x="${legendX}" y="${y - 9}" width="12" height="12" fill="${
      clusterColor(label)
    }"/>${svg}`;
  }).join("\n") +
    `\n<path d="M${legendX} ${
      legendY - 8
    }l12 12m0 -12l-12 12" stroke="#222" stroke-width="2"/><text x="${legendX + 18}" y="${
      legendY + 1
    }">${w.segmentCentre}</text>`;

  const [r1, r2] = sc.explainedVarianceRatio;
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${w.scatterAria}">
${axes(plot, sx, sy, `PC1 (${percent(r1)})`, `PC2 (${percent(r2)})`)}
${pointsSvg}
${crosses}
${legend}
</svg>`;
  const caption = shown.length < n
    ? w.sampleCaption(formatCount(shown.length), formatCount(n))
    : w.allCaption(formatCount(n));
  return `${svg}\n<p class="caption">${caption}</p>`;
}

function barsSvg(
  bars: readonly { label: number; name: string; value: number }[],
  total: number,
  w: ReportWords,
): string {
  const labelWidth = 200, barWidth = 440, row = 40;
  const width = labelWidth + barWidth + 140;
  const height = Math.max(1, bars.length) * row + 12;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const rows = bars.map((b, i) => {
    const y = 6 + i * row;
    const bw = (Math.max(0, b.value) / max) * barWidth;
    const share = total > 0 ? ` (${percent(b.value / total)})` : "";
    const label = wrappedText(b.name, labelWidth - 8, y + 14, 26, "end", 2);
    return `${label.svg}<rect x="${labelWidth}" y="${y + 2}" width="${px(bw)}" height="${
      row - 8
    }" fill="${clusterColor(b.label)}"/><text x="${px(labelWidth + bw + 6)}" y="${y + 20}">${
      formatCount(b.value)
    }${share}</text>`;
  }).join("\n");
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${w.sizesAria}">
${rows}
</svg>`;
}

function meansSection(
  fm: ReportFeatureMeans,
  nameOf: (c: number) => string,
  w: ReportWords,
): string {
  const d = fm.features.length;
  const k = fm.means.length;
  const labelWidth = 180, plotWidth = 520, legendRow = 50;
  const bar = k > 6 ? 6 : 9;
  const band = k * bar + 12;
  const top = Math.ceil(k / 4) * legendRow + 12;
  const plot: Frame = { left: labelWidth, top, width: plotWidth, height: d * band };
  const width = labelWidth + plotWidth + 40;
  const height = top + plot.height + 44;

  const values = fm.means.flatMap((row) => row.filter(Number.isFinite));
  const extent = Math.max(1, ...values.map(Math.abs));
  const sx = scale([-extent, extent], plot.left, plot.left + plot.width);
  const zero = sx.to(0);

  const legend = Array.from({ length: k }, (_, c) => {
    const x = 8 + (c % 4) * 180, y = 8 + Math.floor(c / 4) * legendRow;
    return `<rect x="${x}" y="${y}" width="12" height="12" fill="${clusterColor(c)}"/>${
      wrappedText(nameOf(c), x + 18, y + 10, 22).svg
    }`;
  }).join("\n");

  const bands = fm.features.map((feature, j) => {
    const y0 = top + j * band;
    const bars = fm.means.map((row, c) => {
      const v = row[j] ?? NaN;
      if (!Number.isFinite(v)) return "";
      const x = sx.to(v);
      return `<rect x="${px(Math.min(x, zero))}" y="${px(y0 + 6 + c * bar)}" width="${
        px(Math.abs(x - zero))
      }" height="${bar - 1}" fill="${clusterColor(c)}"><title>${escapeHtml(nameOf(c))}: ${
        escapeHtml(feature)
      } ${formatNumber(v)} SD</title></rect>`;
    }).join("");
    return `${wrappedText(feature, labelWidth - 8, y0 + band / 2 + 4, 24, "end", 1).svg}${bars}`;
  }).join("\n");

  const ticks = sx.ticks.map((t) => {
    const x = px(sx.to(t));
    return `<line x1="${x}" y1="${top}" x2="${x}" y2="${top + plot.height}" stroke="#eee"/>` +
      `<text x="${x}" y="${top + plot.height + 16}" text-anchor="middle">${formatTick(t)}</text>`;
  }).join("");

  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${w.meansAria}">
${legend}
${ticks}
${bands}
<line x1="${px(zero)}" y1="${top}" x2="${px(zero)}" y2="${top + plot.height}" stroke="#444"/>
<text x="${px(plot.left + plot.width / 2)}" y="${
      top + plot.height + 36
    }" text-anchor="middle">${w.meansAxis}</text>
</svg>`;
  return `${svg}\n<p class="caption">${w.meansCaption}</p>`;
}

function axes(
  plot: Frame,
  sx: Scale,
  sy: Scale,
  xTitle: string,
  yTitle: string,
): string {
  const bottom = plot.top + plot.height, right = plot.left + plot.width;
  const parts = [
    `<rect x="${plot.left}" y="${plot.top}" width="${plot.width}" height="${plot.height}" fill="none" stroke="#ccc"/>`,
  ];
  for (const t of sx.ticks) {
    const x = px(sx.to(t));
    parts.push(
      `<line x1="${x}" y1="${plot.top}" x2="${x}" y2="${bottom}" stroke="#eee"/>` +
        `<text x="${x}" y="${bottom + 16}" text-anchor="middle">${formatTick(t)}</text>`,
    );
  }
  for (const t of sy.ticks) {
    const y = px(sy.to(t));
    parts.push(
      `<line x1="${plot.left}" y1="${y}" x2="${right}" y2="${y}" stroke="#eee"/>` +
        `<text x="${plot.left - 6}" y="${px(sy.to(t) + 4)}" text-anchor="end">${
          formatTick(t)
        }</text>`,
    );
  }
  parts.push(
    `<text x="${px(plot.left + plot.width / 2)}" y="${bottom + 40}" text-anchor="middle">${
      escapeHtml(xTitle)
    }</text>`,
    `<text transform="translate(16 ${
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
      `<dt>${escapeHtml(kpiLabel(key))}</dt><dd>${kpiValue(key, value)}</dd>`
    ).join("");
    return `<tr>
<td><span class="chip" style="background:${clusterColor(s.clusterId)}"></span><strong>${
      escapeHtml(s.name)
    }</strong>${s.personaLabel ? `<br><em>${escapeHtml(s.personaLabel)}</em>` : ""}${
      s.priority ? `<br>${w.priority}: ${escapeHtml(s.priority)}` : ""
    }</td>
<td class="num">${formatCount(s.size)}</td>
<td class="num">${percent(s.share)}</td>
<td>${escapeHtml(s.persona)}</td>
<td><dl class="kpis">${kpis}</dl></td>
<td>${list(s.topFeatures)}</td>
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
      `<td class="num">${c.k === null ? "—" : formatCount(c.k)}</td>` +
      `<td class="num">${fixed(c.silhouette, 3)}</td>` +
      `<td class="num">${fixed(c.daviesBouldin, 3)}</td>` +
      `<td class="num">${fixed(c.calinskiHarabasz, 1)}</td>` +
      `<td class="num">${c.noiseShare == null ? "—" : percent(c.noiseShare)}</td>` +
      `<td class="num">${fixed(c.stability ?? null, 2)}</td>` +
      `<td class="num">${fixed(c.meanRank ?? null, 2)}</td>` +
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

function kpiLabel(key: string): string {
  const words = key.replaceAll("_", " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function kpiValue(key: string, value: number | string | null): string {
  if (value === null) return "—";
  if (typeof value === "string") return escapeHtml(value);
  return key.includes("share") ? percent(value) : formatNumber(value);
}

// ---------------------------------------------------------------------------------------------
// Numbers: formatted here, never taken as text from the input.

function formatCount(v: number): string {
  return Number.isFinite(v) ? Math.round(v).toLocaleString("en-US") : "—";
}

function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return "—";
  return v.toLocaleString("en-US", { maximumFractionDigits: Math.abs(v) >= 100 ? 1 : 2 });
}

function fixed(v: number | null, digits: number): string {
  return v !== null && Number.isFinite(v) ? v.toFixed(digits) : "—";
}

function percent(ratio: number): string {
  return Number.isFinite(ratio) ? `${(ratio * 100).toFixed(1)} %` : "—";
}

function formatTick(t: number): string {
  return String(Number(t.toPrecision(6)) + 0).replace("-", "−");
}

function px(v: number): string {
  return String(Math.round(v * 10) / 10 + 0);
}

/**
 * `text` as an SVG `<text>` at (x, y) broken at spaces into lines of at most `width` characters
 * (`maxLines` at most, the last abbreviated with `…`), each a `<tspan>` 15 px below the last,
 * with the full text as its tooltip (`<title>`). Escaped here.
 */
function wrappedText(
  text: string,
  x: number,
  y: number,
  width: number,
  anchor: "start" | "end" = "start",
  maxLines = 3,
): { svg: string; lines: number } {
  const words = text.split(/(?<=[\s_])/);
  const lines: string[] = [];
  let line = "";
  for (const word of words) {
    if (Array.from((line + word).trimEnd()).length > width && line.trim()) {
      lines.push(line.trim());
      line = word;
    } else {
      line += word;
    }
  }
  if (line.trim()) lines.push(line.trim());
  let shown = lines.map((l) => {
    const chars = Array.from(l);
    return chars.length <= width ? l : chars.slice(0, width - 1).join("") + "…";
  });
  if (shown.length > maxLines) {
    shown = shown.slice(0, maxLines);
    const last = Array.from(shown[maxLines - 1]!);
    shown[maxLines - 1] = last.slice(0, Math.max(1, width - 1)).join("") + "…";
  }
  const anchorAttr = anchor === "end" ? ' text-anchor="end"' : "";
  const spans = shown.map((l, i) =>
    `<tspan x="${px(x)}"${i === 0 ? "" : ' dy="15"'}>${escapeHtml(l)}</tspan>`
  ).join("");
  return {
    svg: `<text x="${px(x)}" y="${px(y)}"${anchorAttr}><title>${
      escapeHtml(text)
    }</title>${spans}</text>`,
    lines: shown.length,
  };
}
