/**
 * Plotly figures of a segmentation run (document 004's `GET /api/visualizations`): plain
 * `{ data, layout }` objects that `Plotly.newPlot(el, fig.data, fig.layout)` renders, built from
 * plain inputs (coordinates, labels, names, numbers), never from an HTTP request.
 *
 * - **Colours**: cluster `i` always gets `CLUSTER_COLORS[i % 8]` (the Okabe-Ito palette, safe
 *   for the common colour-vision deficiencies), in every figure and in the HTML report; from
 *   cluster 8 on, the scatter also changes the marker symbol so that clusters sharing a colour
 *   stay apart. Noise (label −1) is grey.
 * - **Text**: Plotly reads a subset of HTML in trace names, tick labels, titles and hover text,
 *   so every string from data is passed through `plotlyText`, which writes `&`, `<` and `>` as
 *   entities; Plotly shows the entities as the characters, so a name reads as typed and a tag in
 *   it is never interpreted. `customdata` holds the raw values (not rendered).
 * - **Sampling**: the scatter draws every customer up to `MAX_SCATTER_POINTS` (5,000); above,
 *   the seeded stratified sample of `scatterSample` (every cluster kept), and the title says how
 *   many of how many are drawn.
 * - **Language and fit**: every figure takes a `language` (en, es, pt; default English) for its
 *   titles, axes and legend words (`figure_text.ts`). Axes and titles have `automargin`, so
 *   tick labels and titles push the margins instead of being cut; category tick labels are
 *   wrapped (`wrapLabel`) while trace names and hover texts keep the full name; legends sit
 *   above the plot area, horizontally, where they cannot cover an axis.
 * - **Rounding**: coordinates are rounded to 4 decimals and correlations to 3, which is far
 *   below what a plot shows and keeps the JSON small.
 *
 * @module
 */
import { round } from "../../compute/numbers.ts";
import { createRandom, sampleWithoutReplacement } from "../../compute/random.ts";
import { figureWords, wrapLabel } from "./figure_text.ts";
export { type FigureLanguage, figureWords, wrapLabel } from "./figure_text.ts";

/** A Plotly trace: the fields this module sets are typed, the rest is open. */
export interface PlotlyTrace {
  type: "scatter" | "bar" | "heatmap";
  name?: string;
  mode?: string;
  x?: unknown[];
  y?: unknown[];
  z?: unknown[][];
  text?: string[] | string;
  customdata?: unknown[];
  marker?: Record<string, unknown>;
  [key: string]: unknown;
}

/** A figure for `Plotly.newPlot(el, fig.data, fig.layout)`. */
export interface PlotlyFigure {
  data: PlotlyTrace[];
  layout: Record<string, unknown>;
}

/** 2-D points: interleaved `[x0, y0, x1, y1, …]` (2n values) or n rows of `[x, y]`. */
export type Points2d = Float64Array | Float32Array | readonly (readonly number[])[];

/**
 * The Okabe-Ito palette (Okabe & Ito 2008), reordered so that the low-contrast yellow comes
 * late: cluster `i` is drawn in `CLUSTER_COLORS[i % 8]` everywhere.
 */
export const CLUSTER_COLORS: readonly string[] = [
  "#0072B2", // blue
  "#E69F00", // orange
  "#009E73", // bluish green
  "#CC79A7", // reddish purple
  "#56B4E9", // sky blue
  "#D55E00", // vermillion
  "#F0E442", // yellow
  "#000000", // black
];

/** The colour of noise (label −1). */
export const NOISE_COLOR = "#999999";

/** The legend name of noise (label −1). */
export const NOISE_NAME = "Noise";

/** Most points a scatter draws before it samples. */
export const MAX_SCATTER_POINTS = 5_000;

/** Fewest points the sample keeps of a cluster (all of a smaller one). */
export const MIN_POINTS_PER_CLUSTER = 20;

/** Marker symbols by palette cycle: clusters 0–7 circles, 8–15 squares, and so on. */
const CYCLE_SYMBOLS = ["circle", "square", "diamond", "triangle-up", "cross", "star"] as const;

/** Inputs of `clusterScatter`. */
export interface ClusterScatterInput {
  /** n projected points (usually `projectForScatter(...).points`). */
  points: Points2d;
  /** n cluster labels in [0, clusterNames.length), or −1 for noise. */
  labels: ArrayLike<number>;
  /** The name of every cluster, by cluster id. */
  clusterNames: readonly string[];
  /** The centre of every cluster in the same 2-D space, by cluster id; non-finite ones skipped. */
  centroids2d: readonly (readonly number[])[];
  /** Shares of the variance along PC1 and PC2, in [0, 1]. */
  explainedVarianceRatio: readonly [number, number];
  /** n customer ids (hover text and `customdata`); default the 1-based row number. */
  ids?: readonly string[];
  /** The language of titles and axes (default English). */
  language?: string;
}

/** Options of `clusterScatter` and `scatterSample`. */
export interface ScatterOptions {
  /** Most points drawn before sampling (default `MAX_SCATTER_POINTS`). */
  maxPoints?: number;
  /** Seed of the sample (default 0): the same seed draws the same customers. */
  seed?: number;
}

const SCATTER_DEFAULTS: Required<ScatterOptions> = { maxPoints: MAX_SCATTER_POINTS, seed: 0 };

/**
 * The segment scatter: one `scatter` trace (mode "markers") per cluster, named by the cluster,
 * with the customer ids as hover `text` and `customdata`, a grey "Noise" trace first when any
 * label is −1, and a last "Centroids" trace (symbol "x", larger, `customdata` = cluster ids).
 * Every cluster has its trace even when it is empty, so trace `i` of a run is always cluster
 * `i` (after the noise trace). Axes read "PC1 (45.3 %)". Up to `maxPoints` customers every
 * point is drawn; above, `scatterSample` picks them and the title gives the count.
 *
 * @throws {RangeError} when `points`, `ids` and `labels` differ in length, or a label is below
 *   −1 or has no name.
 *
 * @example
 * ```ts
 * import { clusterScatter } from "./figures.ts";
 * const fig = clusterScatter({
 *   points: [[0, 0], [1, 1], [5, 5]],
 *   labels: new Int32Array([0, 0, 1]),
 *   clusterNames: ["Savers", "Spenders"],
 *   centroids2d: [[0.5, 0.5], [5, 5]],
 *   explainedVarianceRatio: [0.9, 0.1],
 * });
 * if (fig.data.length !== 3) throw new Error("two clusters and the centroids");
 * ```
 */
export function clusterScatter(
  input: ClusterScatterInput,
  options: ScatterOptions = {},
): PlotlyFigure {
  const { maxPoints, seed } = { ...SCATTER_DEFAULTS, ...options };
  const { labels, clusterNames, ids } = input;
  const w = figureWords(input.language);
  const n = labels.length;
  const xy = readPoints(input.points, n);
  if (ids !== undefined && ids.length !== n) {
    throw new RangeError(`Expected ${n} ids (one per label) but found ${ids.length}`);
  }
  checkLabels(labels, clusterNames.length);

  const shown = scatterSample(labels, { maxPoints, seed });
  const k = clusterNames.length;
  const members: number[][] = Array.from({ length: k + 1 }, () => []); // [k] is noise
  for (const i of shown) {
    const label = labels[i]!;
    members[label < 0 ? k : label]!.push(i);
  }
  const markerSize = shown.length <= 1_000 ? 7 : 5;
  const pointTrace = (rows: number[], name: string, label: number): PlotlyTrace => {
    const customerIds = rows.map((i) => ids?.[i] ?? String(i + 1));
    return {
      type: "scatter",
      mode: "markers",
      name: plotlyText(name),
      x: rows.map((i) => round(xy[2 * i]!, 4)),
      y: rows.map((i) => round(xy[2 * i + 1]!, 4)),
      text: customerIds.map(plotlyText),
      customdata: customerIds,
      hovertemplate: "%{text}<br>PC1 %{x:.2f}<br>PC2 %{y:.2f}<extra>%{fullData.name}</extra>",
      marker: {
        color: clusterColor(label),
        size: label < 0 ? markerSize - 1 : markerSize,
        opacity: label < 0 ? 0.5 : 0.75,
        symbol: label < 0 ? "circle" : CYCLE_SYMBOLS[
          Math.floor(label / CLUSTER_COLORS.length) % CYCLE_SYMBOLS.length
        ],
      },
    };
  };

  const data: PlotlyTrace[] = [];
  if (members[k]!.length > 0) data.push(pointTrace(members[k]!, w.noise, -1));
  for (let c = 0; c < k; c++) data.push(pointTrace(members[c]!, clusterNames[c]!, c));

  const centroidIds: number[] = [];
  input.centroids2d.forEach((p, c) => {
    if (c < k && Number.isFinite(p[0]) && Number.isFinite(p[1])) centroidIds.push(c);
  });
  data.push({
    type: "scatter",
    mode: "markers",
    name: w.centroids,
    x: centroidIds.map((c) => round(input.centroids2d[c]![0]!, 4)),
    y: centroidIds.map((c) => round(input.centroids2d[c]![1]!, 4)),
    text: centroidIds.map((c) => plotlyText(clusterNames[c]!)),
    customdata: centroidIds,
    hovertemplate: `${w.centreOf} %{text}<br>PC1 %{x:.2f}<br>PC2 %{y:.2f}<extra></extra>`,
    marker: {
      symbol: "x",
      size: 16,
      color: centroidIds.map(clusterColor),
      line: { color: "#FFFFFF", width: 1.5 },
    },
  });

  const [r1, r2] = input.explainedVarianceRatio;
  let title = w.scatterTitle;
  if (shown.length < n) {
    title += `<br><sub>(${w.sampleNote(count(shown.length), count(n))})</sub>`;
  }
  return {
    data,
    layout: {
      ...BASE_LAYOUT,
      title: titleOf(title),
      xaxis: { title: { text: `PC1 (${percent(r1)})` }, zeroline: false, automargin: true },
      yaxis: { title: { text: `PC2 (${percent(r2)})` }, zeroline: false, automargin: true },
      legend: { ...LEGEND_ABOVE, title: { text: w.segment } },
      hovermode: "closest",
    },
  };
}

/**
 * The customers a scatter draws: all of them (in order) when there are at most `maxPoints`;
 * otherwise a seeded stratified sample of exactly `maxPoints` rows, sorted by row. Each group
 * (cluster, and noise as one group) first keeps min(size, f) rows, f = min(20,
 * ⌊maxPoints / groups⌋) but at least 1; the rest of the budget goes to the groups in proportion
 * to their remaining rows (largest remainder, ties to the lower label), and each group's rows
 * are drawn uniformly (partial Fisher-Yates, one generator seeded with `seed`, groups in label
 * order). Only when there are more groups than `maxPoints` does the sample exceed it, by
 * keeping one row per group.
 *
 * @throws {RangeError} when `maxPoints` is not a positive integer or `seed` not a safe integer.
 */
export function scatterSample(labels: ArrayLike<number>, options: ScatterOptions = {}): Int32Array {
  const { maxPoints, seed } = { ...SCATTER_DEFAULTS, ...options };
  if (!Number.isInteger(maxPoints) || maxPoints < 1) {
    throw new RangeError(`Expected maxPoints to be a positive integer but found ${maxPoints}`);
  }
  const n = labels.length;
  if (n <= maxPoints) return Int32Array.from({ length: n }, (_, i) => i);

  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const label = labels[i]!;
    const rows = groups.get(label);
    if (rows) rows.push(i);
    else groups.set(label, [i]);
  }
  const order = [...groups.keys()].sort((a, b) => a - b);
  const sizes = order.map((g) => groups.get(g)!.length);
  const floor = Math.max(1, Math.min(MIN_POINTS_PER_CLUSTER, Math.floor(maxPoints / order.length)));
  const quota = sizes.map((s) => Math.min(s, floor));
  const rest = maxPoints - quota.reduce((a, b) => a + b, 0);
  if (rest > 0) {
    const spare = sizes.map((s, g) => s - quota[g]!);
    const spareTotal = spare.reduce((a, b) => a + b, 0);
    const exact = spare.map((s) => (rest * s) / spareTotal);
    let given = 0;
    exact.forEach((e, g) => {
      quota[g]! += Math.floor(e);
      given += Math.floor(e);
    });
    const byRemainder = exact
      .map((e, g) => ({ g, r: e - Math.floor(e) }))
      .sort((a, b) => b.r - a.r || a.g - b.g);
    for (let j = 0; j < rest - given; j++) quota[byRemainder[j]!.g]! += 1;
  }

  const rng = createRandom(seed);
  const chosen: number[] = [];
  order.forEach((label, g) => {
    const rows = groups.get(label)!;
    for (const j of sampleWithoutReplacement(rng, rows.length, quota[g]!)) chosen.push(rows[j]!);
  });
  return Int32Array.from(chosen).sort();
}

/** Inputs of `clusterSizes`. */
export interface ClusterSizesInput {
  clusterNames: readonly string[];
  /** Customers per cluster, by cluster id. */
  sizes: readonly number[];
  /** Customers labelled noise (−1); a grey bar when above 0. */
  noise?: number;
  /** The language of titles and axes (default English). */
  language?: string;
}

/**
 * A bar chart of customers per segment (document 004's `distribution_chart`), one bar per
 * cluster in its colour, labelled with its share of all customers (noise included).
 *
 * @throws {RangeError} when `sizes` and `clusterNames` differ in length.
 */
export function clusterSizes(input: ClusterSizesInput): PlotlyFigure {
  const { clusterNames, sizes, noise = 0 } = input;
  if (sizes.length !== clusterNames.length) {
    throw new RangeError(
      `Expected ${clusterNames.length} sizes (one per cluster) but found ${sizes.length}`,
    );
  }
  const w = figureWords(input.language);
  const names = clusterNames.map(plotlyText);
  const values = [...sizes];
  const colors = clusterNames.map((_, c) => clusterColor(c));
  if (noise > 0) {
    names.push(w.noise);
    values.push(noise);
    colors.push(NOISE_COLOR);
  }
  const total = values.reduce((a, b) => a + b, 0);
  return {
    data: [{
      type: "bar",
      name: w.customers,
      // Wrapped tick labels on the axis; the full name in the hover.
      x: names.map((name) => wrapLabel(name)),
      y: values,
      text: values.map((v) => percent(total > 0 ? v / total : 0)),
      customdata: names,
      textposition: "auto",
      hovertemplate: `%{customdata}<br>%{y} ${w.customers.toLowerCase()} (%{text})<extra></extra>`,
      marker: { color: colors },
    }],
    layout: {
      ...BASE_LAYOUT,
      title: titleOf(w.sizesTitle),
      xaxis: { title: { text: w.segment }, type: "category", automargin: true },
      yaxis: { title: { text: w.customers }, rangemode: "tozero", automargin: true },
      showlegend: false,
    },
  };
}

/** Inputs of `featureMeans`. */
export interface FeatureMeansInput {
  features: readonly string[];
  clusterNames: readonly string[];
  /**
   * k × d cluster means, by cluster id: standardised (z-scores of the means, e.g. centroids in
   * the standardised space) unless `populationMean` and `populationStd` are given.
   */
  means: readonly (readonly number[])[];
  /** With `populationStd`: d population means, to standardise raw `means`. */
  populationMean?: readonly number[];
  /** With `populationMean`: d population standard deviations; a zero one gives 0. */
  populationStd?: readonly number[];
  /** The language of titles and axes (default English). */
  language?: string;
}

/**
 * Grouped bars of each feature's mean per segment, on one axis of standard deviations from the
 * population mean (so that age and income can share it; the title says so). One bar trace per
 * cluster in its colour; a non-finite mean is a gap.
 *
 * @throws {RangeError} when `means` is not k × d, or only one of the population arrays is
 *   given, or one of them is not d long.
 */
export function featureMeans(input: FeatureMeansInput): PlotlyFigure {
  const { features, clusterNames, means, populationMean, populationStd } = input;
  const d = features.length;
  if (means.length !== clusterNames.length) {
    throw new RangeError(
      `Expected ${clusterNames.length} rows of means (one per cluster) but found ${means.length}`,
    );
  }
  means.forEach((row, c) => {
    if (row.length !== d) {
      throw new RangeError(`Expected ${d} means for cluster ${c} but found ${row.length}`);
    }
  });
  if ((populationMean === undefined) !== (populationStd === undefined)) {
    throw new RangeError("Expected both populationMean and populationStd or neither");
  }
  if (
    populationMean && populationStd && (populationMean.length !== d || populationStd.length !== d)
  ) {
    throw new RangeError(
      `Expected ${d} population means and stds but found ${populationMean.length} and ` +
        `${populationStd.length}`,
    );
  }
  const z = (v: number, j: number): number => {
    if (!populationMean || !populationStd) return v;
    const s = populationStd[j]!;
    return s > 0 ? (v - populationMean[j]!) / s : 0;
  };
  const w = figureWords(input.language);
  const full = features.map(plotlyText);
  const x = full.map((f) => wrapLabel(f));
  return {
    data: means.map((row, c) => ({
      type: "bar",
      name: plotlyText(clusterNames[c]!),
      x,
      y: row.map((v, j) => finiteOrNull(round(z(v, j), 4))),
      customdata: full,
      hovertemplate: "%{customdata}: %{y:.2f} SD<extra>%{fullData.name}</extra>",
      marker: { color: clusterColor(c) },
    })),
    layout: {
      ...BASE_LAYOUT,
      title: titleOf(`${w.meansTitle}<br><sub>(${w.meansSubtitle})</sub>`),
      barmode: "group",
      xaxis: { title: { text: w.feature }, type: "category", automargin: true },
      yaxis: { title: { text: w.meansAxis }, zeroline: true, automargin: true },
      legend: { ...LEGEND_ABOVE, title: { text: w.segment } },
    },
  };
}

/**
 * The optimal-k chart (document 004's `chart_data`: x = k, y = silhouette): silhouette score by
 * k as lines and markers, the best k (highest finite silhouette, the smaller k on a tie) marked
 * by a dotted line and named in the title, and the inertia (within-cluster sum of squares, for
 * the elbow) on a right-hand axis when given. Non-finite values are gaps.
 *
 * @throws {RangeError} when the arrays differ in length.
 */
export function silhouetteCurve(
  ks: readonly number[],
  silhouettes: readonly (number | null)[],
  inertias?: readonly (number | null)[],
  options: { language?: string } = {},
): PlotlyFigure {
  const w = figureWords(options.language);
  if (silhouettes.length !== ks.length) {
    throw new RangeError(
      `Expected ${ks.length} silhouettes (one per k) but found ${silhouettes.length}`,
    );
  }
  if (inertias !== undefined && inertias.length !== ks.length) {
    throw new RangeError(`Expected ${ks.length} inertias (one per k) but found ${inertias.length}`);
  }
  let best = -1;
  silhouettes.forEach((s, i) => {
    if (s !== null && Number.isFinite(s) && (best < 0 || s > silhouettes[best]!)) best = i;
  });
  const data: PlotlyTrace[] = [{
    type: "scatter",
    mode: "lines+markers",
    name: w.silhouetteAxis.split(" (")[0]!,
    x: [...ks],
    y: silhouettes.map((s) => finiteOrNull(s === null ? NaN : round(s, 4))),
    hovertemplate: "k = %{x}<br>silhouette %{y:.3f}<extra></extra>",
    marker: { color: CLUSTER_COLORS[0] },
    line: { color: CLUSTER_COLORS[0] },
  }];
  if (inertias !== undefined) {
    data.push({
      type: "scatter",
      mode: "lines+markers",
      name: w.inertia,
      x: [...ks],
      y: inertias.map((v) => finiteOrNull(v ?? NaN)),
      yaxis: "y2",
      hovertemplate: "k = %{x}<br>inertia %{y:.4g}<extra></extra>",
      marker: { color: CLUSTER_COLORS[1] },
      line: { color: CLUSTER_COLORS[1], dash: "dot" },
    });
  }
  const bestK = best >= 0 ? ks[best] : undefined;
  const layout: Record<string, unknown> = {
    ...BASE_LAYOUT,
    title: titleOf(w.silhouetteTitle + (bestK === undefined ? "" : ` (${w.bestK(bestK)})`)),
    xaxis: { title: { text: w.kAxis }, dtick: 1, automargin: true },
    yaxis: { title: { text: w.silhouetteAxis }, automargin: true },
    legend: LEGEND_ABOVE,
    hovermode: "x unified",
  };
  if (inertias !== undefined) {
    layout.yaxis2 = {
      title: { text: w.inertiaAxis },
      automargin: true,
      overlaying: "y",
      side: "right",
      showgrid: false,
    };
  }
  if (bestK !== undefined) {
    layout.shapes = [{
      type: "line",
      xref: "x",
      yref: "paper",
      x0: bestK,
      x1: bestK,
      y0: 0,
      y1: 1,
      line: { color: "#666666", dash: "dot", width: 1 },
    }];
  }
  return { data, layout };
}

/**
 * A correlation heatmap (document 004's `GET /api/correlation-matrix`): `matrix[i][j]` is the
 * correlation of `columns[i]` and `columns[j]`, on a fixed blue–white–orange scale from −1 to
 * 1 (colour-blind safe), with the values written in the cells and the first column at the top
 * left. Non-finite values are blank cells.
 *
 * @throws {RangeError} when `matrix` is not columns.length × columns.length.
 */
export function correlationHeatmap(
  columns: readonly string[],
  matrix: readonly (readonly number[])[],
  options: { language?: string } = {},
): PlotlyFigure {
  const w = figureWords(options.language);
  const d = columns.length;
  if (matrix.length !== d || matrix.some((row) => row.length !== d)) {
    throw new RangeError(`Expected a ${d} × ${d} matrix (one row and column per feature)`);
  }
  const names = columns.map(plotlyText);
  // Wrapped labels on the axes (automargin keeps them whole); full names in the hover.
  const labels = names.map((name) => wrapLabel(name, 16, 2));
  return {
    data: [{
      type: "heatmap",
      x: labels,
      y: labels,
      customdata: names.map((row) => names.map((col) => [row, col])),
      z: matrix.map((row) => row.map((v) => finiteOrNull(round(v, 3)))),
      zmin: -1,
      zmax: 1,
      colorscale: [[0, "#0072B2"], [0.5, "#FFFFFF"], [1, "#D55E00"]],
      texttemplate: "%{z:.2f}",
      hovertemplate: "%{customdata[0]} × %{customdata[1]}<br>r = %{z:.3f}<extra></extra>",
      colorbar: { title: { text: "r" } },
    }],
    layout: {
      ...BASE_LAYOUT,
      title: titleOf(w.correlationTitle),
      xaxis: { type: "category", tickangle: -45, automargin: true },
      yaxis: { type: "category", autorange: "reversed", automargin: true },
    },
  };
}

/**
 * `text` with `&`, `<` and `>` written as entities, for any string Plotly renders: Plotly reads
 * a subset of HTML tags there and shows entities as their characters.
 */
export function plotlyText(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/** The colour of cluster `label` (−1: noise). */
export function clusterColor(label: number): string {
  if (label < 0) return NOISE_COLOR;
  return CLUSTER_COLORS[label % CLUSTER_COLORS.length]!;
}

/** Customers per cluster id (0 … k − 1) and the noise count (label −1) of `labels`. */
export function countLabels(
  labels: ArrayLike<number>,
  k: number,
): { sizes: number[]; noise: number } {
  const sizes = new Array<number>(k).fill(0);
  let noise = 0;
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (label < 0) noise++;
    else if (label < k) sizes[label]! += 1;
  }
  return { sizes, noise };
}

/** Reads `points` as interleaved x, y pairs, checking that there are `n`. */
export function readPoints(points: Points2d, n: number): Float64Array {
  if (points instanceof Float64Array || points instanceof Float32Array) {
    if (points.length !== 2 * n) {
      throw new RangeError(`Expected ${2 * n} coordinates (n × 2) but found ${points.length}`);
    }
    return points instanceof Float64Array ? points : Float64Array.from(points);
  }
  if (points.length !== n) {
    throw new RangeError(`Expected ${n} points (one per label) but found ${points.length}`);
  }
  const out = new Float64Array(2 * n);
  points.forEach((p, i) => {
    out[2 * i] = p[0] ?? NaN;
    out[2 * i + 1] = p[1] ?? NaN;
  });
  return out;
}

// Plotly's own defaults put the legend over wide plots; a white template prints well.
const BASE_LAYOUT = {
  template: "none",
  paper_bgcolor: "#FFFFFF",
  plot_bgcolor: "#FFFFFF",
  font: { family: "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", size: 13 },
  margin: { l: 20, r: 20, t: 40, b: 20, pad: 2 },
  autosize: true,
} as const;

/** A horizontal legend above the plot area: it pushes the top margin and covers no axis. */
const LEGEND_ABOVE = {
  orientation: "h",
  x: 0,
  xanchor: "left",
  y: 1.02,
  yanchor: "bottom",
} as const;

/** A title anchored to the figure's left edge, pushing the top margin to fit its lines. */
function titleOf(text: string) {
  return {
    text,
    x: 0,
    xanchor: "left",
    xref: "container",
    y: 1,
    yref: "container",
    yanchor: "top",
    pad: { t: 8, l: 10 },
    automargin: true,
    font: { size: 15 },
  };
}

function checkLabels(labels: ArrayLike<number>, k: number): void {
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (!Number.isInteger(label) || label < -1 || label >= k) {
      throw new RangeError(
        `Expected label ${i} to be −1 or an integer in [0, ${k}) (a named cluster) but found ${label}`,
      );
    }
  }
}

function finiteOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(1)} %`;
}

function count(n: number): string {
  return n.toLocaleString("en-US");
}
