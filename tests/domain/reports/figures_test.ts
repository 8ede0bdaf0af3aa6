import assert from "node:assert/strict";
import { createRandom } from "../../../compute/random.ts";
import {
  CLUSTER_COLORS,
  clusterScatter,
  clusterSizes,
  correlationHeatmap,
  countLabels,
  featureMeans,
  MAX_SCATTER_POINTS,
  type PlotlyFigure,
  scatterSample,
  silhouetteCurve,
} from "../../../domain/reports/figures.ts";

// n points in k blobs along a line, labels by blob (the last blob gets `tail` points only).
function blobs(n: number, k: number, tail?: number) {
  const rng = createRandom(7);
  const labels = new Int32Array(n);
  const points = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const c = tail !== undefined && i >= n - tail ? k - 1 : i % (tail === undefined ? k : k - 1);
    labels[i] = c;
    points[2 * i] = 10 * c + rng.nextNormal();
    points[2 * i + 1] = rng.nextNormal();
  }
  const names = Array.from({ length: k }, (_, c) => `Segment ${c}`);
  const centroids = names.map((_, c) => [10 * c, 0]);
  return { labels, points, names, centroids };
}

function pointCount(fig: PlotlyFigure): number {
  return fig.data.filter((t) => t.name !== "Centroids").reduce((a, t) => a + t.x!.length, 0);
}

Deno.test("clusterScatter draws every point up to 5000, one trace per cluster plus centroids", () => {
  const n = MAX_SCATTER_POINTS;
  const { labels, points, names, centroids } = blobs(n, 4);
  const fig = clusterScatter({
    points,
    labels,
    clusterNames: names,
    centroids2d: centroids,
    explainedVarianceRatio: [0.4567, 0.1234],
  });
  assert.equal(fig.data.length, 4 + 1);
  assert.deepEqual(fig.data.map((t) => t.name), [...names, "Centroids"]);
  assert.equal(pointCount(fig), n);
  for (const t of fig.data) {
    assert.equal(t.type, "scatter");
    assert.equal(t.mode, "markers");
  }
  const centroidTrace = fig.data.at(-1)!;
  assert.equal(centroidTrace.marker!.symbol, "x");
  assert.equal(centroidTrace.x!.length, 4);
  assert.ok((centroidTrace.marker!.size as number) > (fig.data[0]!.marker!.size as number));
  const layout = fig.layout as {
    xaxis: { title: { text: string } };
    yaxis: { title: { text: string } };
  };
  assert.equal(layout.xaxis.title.text, "PC1 (45.7 %)");
  assert.equal(layout.yaxis.title.text, "PC2 (12.3 %)");
  // The hover text and customdata are the customer ids (row numbers without ids).
  assert.equal(fig.data[0]!.customdata![0], "1");
  assert.equal((fig.data[0]!.text as string[])[1], "5");
});

Deno.test("clusterScatter keeps empty clusters and puts noise in a grey first trace", () => {
  const fig = clusterScatter({
    points: [[0, 0], [1, 1], [2, 2]],
    labels: Int32Array.from([-1, 0, 0]),
    clusterNames: ["A", "B"],
    centroids2d: [[0.5, 0.5], [NaN, NaN]],
    explainedVarianceRatio: [0.9, 0.1],
    ids: ["c1", "c2", "c3"],
  });
  assert.deepEqual(fig.data.map((t) => t.name), ["Noise", "A", "B", "Centroids"]);
  assert.deepEqual(fig.data.map((t) => t.x!.length), [1, 2, 0, 1]);
  assert.equal(fig.data[0]!.marker!.color, "#999999");
  assert.deepEqual(fig.data[1]!.customdata, ["c2", "c3"]);
});

Deno.test("clusterScatter refuses labels without a name and points of the wrong length", () => {
  const base = { clusterNames: ["A"], centroids2d: [], explainedVarianceRatio: [1, 0] as const };
  assert.throws(
    () => clusterScatter({ ...base, points: [[0, 0]], labels: Int32Array.from([1]) }),
    RangeError,
  );
  assert.throws(
    () => clusterScatter({ ...base, points: new Float64Array(3), labels: Int32Array.from([0]) }),
    /Expected 2 coordinates/,
  );
});

Deno.test("clusterScatter samples above 5000 points with a seed, keeping every cluster", () => {
  const n = 20_000;
  const { labels, points, names, centroids } = blobs(n, 5, 3); // cluster 4 has 3 customers
  const input = {
    points,
    labels,
    clusterNames: names,
    centroids2d: centroids,
    explainedVarianceRatio: [0.5, 0.2] as const,
  };
  const fig = clusterScatter(input);
  assert.equal(pointCount(fig), MAX_SCATTER_POINTS);
  assert.equal(fig.data.length, 5 + 1);
  assert.equal(fig.data[4]!.x!.length, 3, "the tiny cluster is kept whole");
  for (const t of fig.data) assert.ok(t.x!.length > 0);
  const title = (fig.layout.title as { text: string }).text;
  assert.match(title, /5,000 of 20,000 customers/);

  assert.deepEqual(clusterScatter(input), fig, "same seed, same figure");
  const other = clusterScatter(input, { seed: 1 });
  assert.notDeepEqual(other.data[0]!.customdata, fig.data[0]!.customdata);
  assert.equal(pointCount(other), MAX_SCATTER_POINTS);
});

Deno.test("scatterSample is proportional, sorted, distinct and returns everything below the limit", () => {
  const labels = new Int32Array(10_000);
  for (let i = 0; i < labels.length; i++) labels[i] = i < 7_500 ? 0 : 1;
  const s = scatterSample(labels, { maxPoints: 1_000, seed: 3 });
  assert.equal(s.length, 1_000);
  assert.equal(new Set(s).size, 1_000);
  for (let i = 1; i < s.length; i++) assert.ok(s[i]! > s[i - 1]!);
  const inFirst = s.filter((i) => labels[i] === 0).length;
  assert.ok(Math.abs(inFirst - 750) <= 10, `about 75 % from cluster 0, got ${inFirst}`);
  assert.deepEqual(Array.from(scatterSample(labels.slice(0, 5))), [0, 1, 2, 3, 4]);
  assert.throws(() => scatterSample(labels, { maxPoints: 0 }), RangeError);
});

Deno.test("figures give cluster c the same colour everywhere", () => {
  const names = ["A", "B", "C"];
  const scatter = clusterScatter({
    points: [[0, 0], [1, 1], [2, 2]],
    labels: Int32Array.from([0, 1, 2]),
    clusterNames: names,
    centroids2d: [[0, 0], [1, 1], [2, 2]],
    explainedVarianceRatio: [0.7, 0.3],
  });
  const sizes = clusterSizes({ clusterNames: names, sizes: [1, 1, 1] });
  const means = featureMeans({ features: ["age"], clusterNames: names, means: [[1], [0], [-1]] });
  for (let c = 0; c < 3; c++) {
    assert.equal(scatter.data[c]!.marker!.color, CLUSTER_COLORS[c]);
    assert.equal((sizes.data[0]!.marker!.color as string[])[c], CLUSTER_COLORS[c]);
    assert.equal(means.data[c]!.marker!.color, CLUSTER_COLORS[c]);
    assert.equal((scatter.data[3]!.marker!.color as string[])[c], CLUSTER_COLORS[c]);
  }
});

Deno.test("figures write names as Plotly text entities, never as markup", () => {
  const evil = "<img src=x onerror=alert(1)>";
  const fig = clusterSizes({ clusterNames: [evil, "R&D"], sizes: [2, 1], noise: 1 });
  // The full names in the hover's customdata; the axis's wrapped labels add only <br>.
  assert.deepEqual(fig.data[0]!.customdata, [
    "&lt;img src=x onerror=alert(1)&gt;",
    "R&amp;D",
    "Noise",
  ]);
  for (const label of fig.data[0]!.x as string[]) {
    assert.ok(!label.replaceAll("<br>", "").includes("<"), label);
  }
  assert.deepEqual(fig.data[0]!.text, ["50.0 %", "25.0 %", "25.0 %"]);
  assert.ok(!JSON.stringify(fig).includes("<img"));
});

Deno.test("featureMeans standardises raw means and says so in the title", () => {
  const fig = featureMeans({
    features: ["age", "income"],
    clusterNames: ["A", "B"],
    means: [[30, 50], [50, 50]],
    populationMean: [40, 50],
    populationStd: [10, 0],
  });
  assert.equal(fig.layout.barmode, "group");
  assert.deepEqual(fig.data.map((t) => t.y), [[-1, 0], [1, 0]]);
  assert.match((fig.layout.title as { text: string }).text, /standardised/);
  assert.throws(
    () => featureMeans({ features: ["a"], clusterNames: ["A"], means: [[1, 2]] }),
    RangeError,
  );
});

Deno.test("silhouetteCurve marks the best k and puts inertia on a second axis", () => {
  const fig = silhouetteCurve([2, 3, 4], [0.645, 0.723, 0.689], [300, 200, 150]);
  assert.deepEqual(fig.data[0]!.x, [2, 3, 4]);
  assert.deepEqual(fig.data[0]!.y, [0.645, 0.723, 0.689]);
  assert.equal(fig.data[1]!.yaxis, "y2");
  assert.match((fig.layout.title as { text: string }).text, /best k = 3/);
  assert.equal((fig.layout.shapes as { x0: number }[])[0]!.x0, 3);
  assert.equal(silhouetteCurve([2, 3], [null, NaN]).data[0]!.y!.every((v) => v === null), true);
  assert.throws(() => silhouetteCurve([2, 3], [0.5]), RangeError);
});

Deno.test("correlationHeatmap draws a square matrix from −1 to 1 and refuses another shape", () => {
  const fig = correlationHeatmap(["a", "b"], [[1, 0.23456], [0.23456, 1]]);
  const t = fig.data[0]!;
  assert.equal(t.type, "heatmap");
  assert.deepEqual(t.z, [[1, 0.235], [0.235, 1]]);
  assert.equal(t.zmin, -1);
  assert.equal(t.zmax, 1);
  assert.throws(() => correlationHeatmap(["a", "b"], [[1, 0]]), RangeError);
});

Deno.test("countLabels counts clusters and noise", () => {
  assert.deepEqual(countLabels(Int32Array.from([0, 1, 1, -1]), 3), { sizes: [1, 2, 0], noise: 1 });
});

Deno.test("figures speak the language asked: titles, axes, legend words and noise", () => {
  const es = clusterSizes({ clusterNames: ["A"], sizes: [2], noise: 1, language: "es" });
  assert.match((es.layout.title as { text: string }).text, /Clientes por segmento/);
  assert.deepEqual(es.data[0]!.customdata, ["A", "Ruido"]);
  const pt = featureMeans({ features: ["age"], clusterNames: ["A"], means: [[1]], language: "pt" });
  assert.match((pt.layout.title as { text: string }).text, /Médias das variáveis/);
  assert.equal(
    (pt.layout.yaxis as { title: { text: string } }).title.text,
    "Média padronizada (DP)",
  );
});

Deno.test("long category labels are wrapped on the axis, with the full name in the hover, and every axis has automargin", () => {
  const long = "Core Customers (lower purchases, higher balance)";
  const fig = featureMeans({
    features: ["PURCHASES_INSTALLMENTS_FREQUENCY"],
    clusterNames: [long],
    means: [[0.5]],
  });
  assert.equal(fig.data[0]!.name, long);
  assert.deepEqual(fig.data[0]!.x, ["PURCHASES_<br>INSTALLMENTS_<br>FREQUENCY"]);
  assert.deepEqual(fig.data[0]!.customdata, ["PURCHASES_INSTALLMENTS_FREQUENCY"]);
  const layout = fig.layout as Record<string, { automargin?: boolean; y?: number }>;
  assert.equal(layout.xaxis!.automargin, true);
  assert.equal(layout.yaxis!.automargin, true);
  // The legend sits above the plot area.
  assert.ok((layout.legend!.y ?? 0) >= 1);
});
