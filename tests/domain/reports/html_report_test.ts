import assert from "node:assert/strict";
import { createRandom } from "../../../compute/random.ts";
import { CLUSTER_COLORS } from "../../../domain/reports/figures.ts";
import { escapeHtml, htmlReport, type ReportInput } from "../../../domain/reports/html_report.ts";

const XSS = "<img src=x onerror=alert(1)>";

function report(n = 60): ReportInput {
  const rng = createRandom(1);
  const labels = Int32Array.from({ length: n }, (_, i) => (i % 10 === 9 ? -1 : i % 2));
  const points = Float64Array.from({ length: 2 * n }, (_, j) => {
    const label = labels[j >> 1]!;
    return (j % 2 === 0 ? 6 * label : 0) + rng.nextNormal();
  });
  return {
    runId: "run_42",
    datasetName: `mall ${XSS}.csv`,
    createdAt: Date.UTC(2026, 0, 12, 12, 34),
    algorithm: "kmeans",
    noise: 6,
    selection: "Best mean rank over three metrics.",
    segments: [
      {
        clusterId: 0,
        name: XSS,
        personaLabel: "high-value, frequent customers",
        persona: `Spends a lot; "loyal" & <b>bold</b>.`,
        size: 27,
        share: 0.45,
        kpis: { customers: 27, share_of_revenue: 0.61, average_spend: 1234.567, loyalty: null },
        topFeatures: ["Higher income than average"],
        actions: ["Offer a VIP programme"],
        priority: "high",
      },
      {
        clusterId: 1,
        name: "Bargain hunters",
        persona: "Price-sensitive.",
        size: 27,
        share: 0.45,
        kpis: { customers: 27, share_of_revenue: 0.39 },
        topFeatures: [],
        actions: ["Send coupons"],
      },
    ],
    candidates: [
      {
        algorithm: "kmeans",
        k: 2,
        silhouette: 0.7234,
        daviesBouldin: 0.456,
        calinskiHarabasz: 512.34,
        eligible: true,
        chosen: true,
      },
      {
        algorithm: "dbscan",
        k: 1,
        silhouette: null,
        daviesBouldin: null,
        calinskiHarabasz: null,
        noiseShare: 0.6,
        eligible: false,
        reason: `too much noise ${XSS}`,
      },
    ],
    scatter: {
      points,
      labels,
      centroids: [[0, 0], [6, 0]],
      explainedVarianceRatio: [0.8123, 0.1],
    },
    featureMeans: { features: ["Age", `Income ${XSS}`], means: [[0.5, 1.2], [-0.5, -1.2]] },
  };
}

Deno.test("htmlReport escapes every value from data, the XSS name included", () => {
  const html = htmlReport(report());
  assert.ok(!html.includes("<img"), "no raw <img");
  assert.ok(!html.includes("<b>bold"), "no raw markup from a persona");
  assert.ok(html.includes("&lt;img src=x onerror=alert(1)&gt;"));
  assert.ok(html.includes("&quot;loyal&quot; &amp; &lt;b&gt;bold&lt;/b&gt;."));
  assert.ok(html.includes("too much noise &lt;img"));
  assert.equal(escapeHtml(`&<>"'`), "&amp;&lt;&gt;&quot;&#39;");
});

Deno.test("htmlReport has one figure per chart, no script and a locked-down CSP", () => {
  const html = htmlReport(report());
  assert.equal(html.match(/<figure class="chart"/g)?.length, 3);
  // Only the scatter is SVG; the bars and legends are HTML, where names wrap.
  assert.equal(html.match(/<svg/g)?.length, 1);
  assert.ok(!/<script/i.test(html));
  // Inside tags only: the escaped name's "onerror=" is text, which is fine.
  // Outside quoted attribute values: a tooltip may hold an escaped name with "onerror=".
  assert.ok(!/<[a-z](?:[^>"]|"[^"]*")*\son[a-z]+=/i.test(html), "no event-handler attributes");
  assert.ok(!/<[a-z](?:[^>"]|"[^"]*")*\s(src|href)=/i.test(html), "nothing loaded from anywhere");
  assert.ok(html.startsWith("<!DOCTYPE html>"));
  assert.ok(html.includes('<meta charset="utf-8">'));
  assert.ok(
    html.includes(
      `content="default-src &#39;none&#39;; style-src &#39;unsafe-inline&#39;; img-src data:"`,
    ),
  );
  assert.match(html, /<title>Segmentation report — mall &lt;img[^<]*— run_42<\/title>/);
});

Deno.test("htmlReport shows the run, the segments, the candidates and every scatter point", () => {
  const html = htmlReport(report());
  for (const text of ["run_42", "2026-01-12 12:34 UTC", "kmeans", "Bargain hunters"]) {
    assert.ok(html.includes(text), text);
  }
  assert.ok(html.includes("Share of revenue</dt><dd>61.0 %"));
  assert.ok(html.includes("Average spend</dt><dd>1,234.6"));
  assert.ok(html.includes("PC1 (81.2 %)"));
  assert.equal(html.match(/<circle/g)?.length, 60);
  assert.ok(html.includes(`fill="${CLUSTER_COLORS[1]}"`));
  assert.ok(html.includes("Centre of &lt;img"));
  assert.ok(html.includes("<strong>chosen</strong>"));
  assert.ok(html.includes('<td class="num">0.723</td>'));
  assert.equal(htmlReport(report()), html, "deterministic");
});

Deno.test("htmlReport draws a seeded sample of a large scatter and says so", () => {
  const html = htmlReport(report(12_000));
  assert.equal(html.match(/<circle/g)?.length, 5_000);
  assert.ok(html.includes("Seeded sample of 5,000 of 12,000 customers"));
});

Deno.test("htmlReport without a projection or means keeps the tables", () => {
  const { scatter: _s, featureMeans: _f, ...rest } = report();
  const html = htmlReport({ ...rest, segments: [], candidates: [] });
  assert.equal(html.match(/<svg/g), null);
  assert.equal(html.match(/Not available for this run\./g)?.length, 4, "all but the sizes (noise)");
});

Deno.test("htmlReport's legends name every segment in full, however long the shared start", () => {
  // cc_general once showed three legend entries "Core Customers (lower pur…".
  const names = ["purchases", "cash advance", "balance"].map((f) =>
    `Core Customers (lower purchases frequency, higher ${f} than most other customers)`
  );
  const base = report();
  const html = htmlReport({
    ...base,
    segments: names.map((name, i) => ({ ...base.segments[i % 2]!, clusterId: i, name })),
    scatter: {
      ...base.scatter!,
      labels: Int32Array.from(base.scatter!.labels, (l) => (l < 0 ? l : 2 * l)),
      centroids: [[0, 0], [3, 0], [6, 0]],
    },
    featureMeans: { features: ["Age", "Income"], means: [[0.5, 1], [0, 0], [-0.5, -1]] },
  });
  const legends = [...html.matchAll(/<ul class="legend">(.*?)<\/ul>/g)].map((m) =>
    [...m[1]!.matchAll(/<li>(?:<span[^>]*><\/span>|<span[^>]*>[^<]*<\/span>)([^<]*)<\/li>/g)].map((
      l,
    ) => l[1])
  );
  assert.equal(legends.length, 2, "the scatter's legend and the means' legend");
  for (const legend of legends) {
    for (const name of names) assert.ok(legend.includes(name), name);
    assert.equal(new Set(legend).size, legend.length, "no entry twice");
    assert.ok(legend.every((entry) => !entry!.endsWith("…")), "no entry cut");
  }
  // The bars' labels are the full names too.
  for (const name of names) assert.ok(html.includes(`<span class="bar-label">${name}</span>`));
});

Deno.test("htmlReport in Spanish and Portuguese words its labels, levels and numbers", () => {
  const es = htmlReport({
    ...report(),
    language: "es",
    segments: report().segments.map((s) => ({
      ...s,
      topFeatures: [{ feature: "Income", direction: "higher" as const }],
    })),
  });
  assert.ok(es.includes('<html lang="es">'));
  assert.ok(es.includes("Proporción de ingresos</dt><dd>61,0 %"), "KPI label and decimal comma");
  assert.ok(es.includes("Gasto medio</dt><dd>1234,6"));
  assert.ok(es.includes("Prioridad: alta"));
  assert.ok(es.includes("<li>Income (mayor)</li>"));
  assert.ok(es.includes('<td class="num">0,723</td>'));
  for (const english of ["Share of revenue", "Average spend", "(higher)", ": high<", ' SD"']) {
    assert.ok(!es.includes(english), english);
  }
  const pt = htmlReport({ ...report(), language: "pt" });
  assert.ok(pt.includes("Parcela da receita</dt><dd>61,0 %"));
  assert.ok(pt.includes("Prioridade: alta"));
  assert.ok(pt.includes(' DP"'));
});
