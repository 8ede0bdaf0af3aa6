/**
 * What the dashboard reads: the current dataset without a write, and a stored run's texts and
 * figures in another language without computing the segmentation again.
 */
import assert from "node:assert/strict";
import { segmentationService } from "../segmentation/_service.ts";

const MALL = await Deno.readFile(new URL("../../data/mall_customers.csv", import.meta.url));

async function analyst() {
  const s = await segmentationService();
  const t = await s.tenant("acme");
  const { "Content-Type": _json, ...auth } = t.headers;
  const call = (path: string, init: RequestInit = {}) =>
    s.app.request(path, { ...init, headers: { ...auth, ...(init.headers ?? {}) } });
  const form = new FormData();
  form.append("file", new File([MALL], "mall_customers.csv", { type: "text/csv" }));
  assert.equal((await call("/api/upload", { method: "POST", body: form })).status, 200);
  return { s, call, [Symbol.asyncDispose]: () => s[Symbol.asyncDispose]() };
}

Deno.test("GET /api/datasets/current answers the current dataset's summary and roles", async () => {
  await using a = await analyst();
  const res = await a.call("/api/datasets/current");
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.rows, 200);
  assert.equal(body.column_map.income, "Annual Income (k$)");
  assert.ok(body.roles.columns);
});

Deno.test("a run's segment names, chart titles and HTML report follow Accept-Language without a new run", async () => {
  await using a = await analyst();
  const ran = await a.call("/api/cluster", {
    method: "POST",
    headers: { "Content-Type": "application/json", "Accept-Language": "en" },
    body: JSON.stringify({ algorithm: "kmeans", n_clusters: 5, random_state: 42 }),
  });
  assert.equal(ran.status, 200);
  const en = await (await a.call("/api/cluster-data", { headers: { "Accept-Language": "en" } }))
    .json();
  const pt = await (await a.call("/api/cluster-data", { headers: { "Accept-Language": "pt" } }))
    .json();
  assert.equal(pt.run_id, en.run_id);
  assert.deepEqual(
    pt.segments.map((s: { cluster_id: number }) => s.cluster_id),
    en.segments.map((s: { cluster_id: number }) => s.cluster_id),
  );
  assert.notDeepEqual(
    pt.segments.map((s: { name: string }) => s.name),
    en.segments.map((s: { name: string }) => s.name),
  );
  // The same language again gives the run's own texts, unchanged.
  const again = await (await a.call("/api/cluster-data", { headers: { "Accept-Language": "en" } }))
    .json();
  assert.deepEqual(again.segments, en.segments);

  const vis = await (await a.call("/api/visualizations", { headers: { "Accept-Language": "es" } }))
    .json();
  assert.match(vis.distribution_chart.layout.title.text, /Clientes por segmento/);
  assert.equal(vis.scatter_chart.layout.legend.title.text, "Segmento");
  const heat = await (await a.call("/api/correlation-matrix", {
    headers: { "Accept-Language": "pt" },
  })).json();
  assert.match(heat.heatmap.layout.title.text, /Correlação/);
  const html = await (await a.call("/api/export?format=html", {
    headers: { "Accept-Language": "es" },
  })).text();
  assert.match(html, /<html lang="es">/);
  assert.match(html, /Informe de segmentación de clientes/);
});
