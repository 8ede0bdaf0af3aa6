/**
 * Document 004, the analyst's workflow, as a client written from the document alone sees it: the
 * document's example workflow sent as written (curl's `-F "file=@customers.csv"`, then
 * `{"n_clusters": 3}`), each endpoint's documented fields and types, every status code of its
 * tables, its error body `{"error": "<a human message>"}`, and "CORS is enabled for all origins".
 *
 * The document has no authentication ("All endpoints are public"): its requests go to the
 * service in open mode (loopback, no credentials), where they act as the local tenant.
 */
import assert from "node:assert/strict";
import { segmentationService } from "../routes/segmentation/_service.ts";
import { TEST_PASSWORD_COST } from "../../domain/auth/hashing.ts";
import { ensureLocalTenant } from "../../domain/auth/tenants.ts";
import { NOW } from "../routes/segmentation/_service.ts";

const CUSTOMERS = await Deno.readFile(new URL("../data/mall_customers.csv", import.meta.url));

const AUTH = {
  jwt: { secret: "c".repeat(40), issuer: "t", audience: "t" },
  refreshTtlSeconds: 3600,
  passwordCost: TEST_PASSWORD_COST,
};

/** The service in open mode, as `OPEN_ACCESS=1` on loopback runs it; no credentials needed. */
async function openService() {
  const s = await segmentationService();
  const openTenantId = await ensureLocalTenant(s.kv, { now: () => NOW });
  const { createApp } = await import("../../routes/mod.ts");
  const app = createApp({
    compute: s.engine,
    engine: s.engine,
    kv: s.kv,
    clock: () => NOW,
    logger: () => {},
    rateLimits: {
      default: { limit: 10_000, periodMs: 3_600_000 },
      export: { limit: 10_000, periodMs: 3_600_000 },
    },
    auth: { ...AUTH, openTenantId },
  });
  const request = (path: string, init?: RequestInit) => app.request(path, init);
  /** curl -X POST /api/upload -F "file=@<name>" */
  const upload = (bytes: Uint8Array<ArrayBuffer> | string, name = "customers.csv", type = "") => {
    const form = new FormData();
    form.append("file", new File([bytes], name, type ? { type } : {}));
    return request("/api/upload", { method: "POST", body: form });
  };
  /** curl -X POST <path> -H "Content-Type: application/json" -d '<body>' */
  const postJson = (path: string, body: string) =>
    request(path, { method: "POST", headers: { "Content-Type": "application/json" }, body });
  return { app, request, upload, postJson, [Symbol.asyncDispose]: () => s[Symbol.asyncDispose]() };
}

/** Document 004's error body: `{"error": "<a human message>"}`. */
async function documentError(res: Response, status: number): Promise<Record<string, unknown>> {
  assert.equal(res.status, status);
  assert.match(res.headers.get("Content-Type") ?? "", /^application\/json/);
  const body = await res.json();
  assert.equal(typeof body.error, "string");
  assert.ok(/\s/.test(body.error), `a human message, not a machine name: ${body.error}`);
  assert.notEqual(body.success, true);
  return body;
}

const isNumber = (v: unknown) => typeof v === "number" && Number.isFinite(v);

Deno.test("the document's example workflow, sent as written, answers every step with its fields", async () => {
  await using s = await openService();
  // 1. Upload data
  const up = await s.upload(CUSTOMERS);
  assert.equal(up.status, 200);
  const uploaded = await up.json();
  assert.equal(uploaded.success, true);
  assert.match(uploaded.message, /^File uploaded successfully\. 200 rows processed in [\d.]+s\.$/);
  assert.deepEqual(uploaded.shape, [200, 5]);
  for (const key of ["count", "mean", "std"]) assert.ok(isNumber(uploaded.statistics.Age[key]));
  assert.ok(uploaded.features.includes("Age"));
  assert.ok(isNumber(uploaded.processing_time));

  // 2. Check data quality
  const quality = await (await s.request("/api/data-quality")).json();
  assert.equal(quality.success, true);
  for (
    const key of ["total_rows", "total_columns", "numeric_columns", "categorical_columns"]
  ) assert.ok(Number.isInteger(quality.metrics[key]), key);
  assert.equal(quality.metrics.total_rows, 200);
  assert.equal(quality.metrics.duplicate_rows, 0);
  assert.equal(quality.metrics.missing_values.Age, 0);
  assert.equal(quality.metrics.missing_percentage.Age, 0);
  assert.ok(isNumber(quality.metrics.memory_usage_mb));

  // 3. Find optimal clusters
  const optimal = await (await s.request("/api/optimal-clusters")).json();
  assert.equal(optimal.success, true);
  assert.deepEqual(Object.keys(optimal.silhouette_scores).slice(0, 4), ["2", "3", "4", "5"]);
  assert.ok(Number.isInteger(optimal.optimal_k));
  assert.deepEqual(optimal.chart_data.x.slice(0, 3), [2, 3, 4]);
  assert.equal(optimal.chart_data.y.length, optimal.chart_data.x.length);
  assert.ok(isNumber(optimal.analysis_time));

  // 4. Perform clustering
  const res = await s.postJson("/api/cluster", '{"n_clusters": 3}');
  assert.equal(res.status, 200);
  const clustered = await res.json();
  assert.equal(clustered.success, true);
  assert.ok(isNumber(clustered.metrics.silhouette_score));
  assert.ok(isNumber(clustered.metrics.davies_bouldin_score));
  assert.equal(clustered.n_clusters, 3);
  assert.deepEqual(Object.keys(clustered.cluster_analysis).sort(), ["0", "1", "2"]);
  const sizes = Object.values(clustered.cluster_analysis).map((c) => (c as { size: number }).size);
  assert.equal(sizes.reduce((a, b) => a + b, 0), 200);
  for (const id of ["0", "1", "2"]) {
    assert.ok(isNumber(clustered.cluster_analysis[id].percentage));
    assert.equal(typeof clustered.cluster_analysis[id].statistics, "object");
    // Figures are rounded (four decimals at most), never binary noise such as 45007.60807692307.
    for (const stats of Object.values(clustered.cluster_analysis[id].statistics)) {
      for (const v of Object.values(stats as Record<string, number>)) {
        assert.ok(Math.abs(v * 1e4 - Math.round(v * 1e4)) < 1e-6, `unrounded ${v}`);
      }
    }
    assert.equal(typeof clustered.recommendations[id], "string");
    const profile = clustered.cluster_profiles[id];
    assert.ok(Number.isInteger(profile.count));
    for (const key of ["mean_values", "median_values", "std_values", "min_values", "max_values"]) {
      assert.ok(isNumber(profile[key].Age), `${key}.Age`);
    }
    assert.ok(isNumber(clustered.centroids[id].Age));
    const top = clustered.top_features[id];
    assert.ok(top.length >= 1);
    assert.equal(typeof top[0].feature, "string");
    assert.ok(isNumber(top[0].mean) && isNumber(top[0].std));
    assert.match(clustered.cluster_summaries[id], new RegExp(`\\d+ customers`));
  }
  assert.ok(isNumber(clustered.feature_importance.Age));
  assert.ok(isNumber(clustered.clustering_time));

  // 5. Get visualizations: Plotly figures
  const figures = await (await s.request("/api/visualizations")).json();
  assert.equal(figures.success, true);
  for (const chart of [figures.scatter_chart, figures.distribution_chart]) {
    assert.ok(Array.isArray(chart.data));
    assert.equal(typeof chart.layout, "object");
  }

  // 6. Get comprehensive analysis
  const data = await (await s.request("/api/cluster-data")).json();
  assert.equal(data.success, true);
  for (
    const key of [
      "cluster_analysis",
      "recommendations",
      "metrics",
      "cluster_profiles",
      "centroids",
      "feature_importance",
      "top_features",
      "cluster_summaries",
    ]
  ) assert.equal(typeof data[key], "object", key);
  assert.equal(data.n_clusters, 3);

  // 7. Export results
  const exported = await (await s.request("/api/export")).json();
  assert.equal(exported.success, true);
  assert.equal(exported.message, "Results exported successfully");
  for (const format of ["csv", "json", "html"]) {
    assert.equal(typeof exported.files[format], "string");
    const file = await s.request(exported.files[format]);
    assert.equal(file.status, 200, format);
    await file.body?.cancel();
  }
});

Deno.test("GET /api/correlation-matrix answers the features and a square matrix with 1 on the diagonal", async () => {
  await using s = await openService();
  assert.equal((await s.upload(CUSTOMERS)).status, 200);
  const body = await (await s.request("/api/correlation-matrix")).json();
  assert.equal(body.success, true);
  assert.equal(body.matrix.length, body.features.length);
  body.matrix.forEach((row: number[], i: number) => {
    assert.equal(row.length, body.features.length);
    assert.equal(row[i], 1);
  });
});

Deno.test("POST /api/reset answers the document's message, and the data is gone afterwards", async () => {
  await using s = await openService();
  await s.upload(CUSTOMERS);
  const res = await s.request("/api/reset", { method: "POST" });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { success: true, message: "Analysis reset successfully" });
  await documentError(await s.request("/api/data-quality"), 400);
});

Deno.test("a non-CSV file is 400 'Only CSV files are allowed', whatever it holds", async () => {
  await using s = await openService();
  const text = await s.upload("just some notes\nnot a table", "customers.txt", "text/plain");
  const body = await documentError(text, 400);
  assert.equal(body.error, "Only CSV files are allowed");
  // A CSV's content under a .txt name is still not a CSV file.
  await documentError(await s.upload(CUSTOMERS, "customers.txt", "text/plain"), 400);
  await documentError(await s.upload("%PDF-1.4", "report.pdf", "application/pdf"), 400);
});

Deno.test("a missing file is 400", async () => {
  await using s = await openService();
  const form = new FormData();
  form.append("other", "x");
  await documentError(await s.request("/api/upload", { method: "POST", body: form }), 400);
});

Deno.test("a header-only or one-line file is 400", async () => {
  await using s = await openService();
  await documentError(await s.upload("Age,Income\n"), 400);
  await documentError(await s.upload("Age,Income"), 400);
  await documentError(await s.upload(""), 400);
});

Deno.test("a file over 16 MB is 413", async () => {
  await using s = await openService();
  const line = "1,2,3,4,5,6,7,8,9,10\n";
  const big = "a,b,c,d,e,f,g,h,i,j\n" + line.repeat(Math.ceil((16 * 1024 * 1024) / line.length));
  const res = await s.upload(big);
  await documentError(res, 413);
});

Deno.test("every view before an upload is 400 'no data loaded'", async () => {
  await using s = await openService();
  for (const path of ["/api/data-quality", "/api/optimal-clusters", "/api/correlation-matrix"]) {
    await documentError(await s.request(path), 400);
  }
  await documentError(await s.postJson("/api/cluster", '{"n_clusters": 3}'), 400);
});

Deno.test("every result view before a clustering is 400 'no clustering performed'", async () => {
  await using s = await openService();
  await s.upload(CUSTOMERS);
  for (const path of ["/api/cluster-data", "/api/visualizations", "/api/export"]) {
    await documentError(await s.request(path), 400);
  }
});

Deno.test("n_clusters outside 2-10, or not an integer, is 400", async () => {
  await using s = await openService();
  await s.upload(CUSTOMERS);
  for (const body of ['{"n_clusters": 1}', '{"n_clusters": 11}', '{"n_clusters": "3"}']) {
    const error = await documentError(await s.postJson("/api/cluster", body), 400);
    assert.match(String(error.error), /n_clusters/, body);
  }
  for (const n of [2, 10]) {
    assert.equal((await s.postJson("/api/cluster", `{"n_clusters": ${n}}`)).status, 200, `${n}`);
  }
});

Deno.test("correlation without numeric features is 400", async () => {
  await using s = await openService();
  await (await s.upload("name,city\nann,rome\nbob,oslo\ncid,nice\n")).body?.cancel();
  const res = await s.request("/api/correlation-matrix");
  await documentError(res, 400);
});

Deno.test("an unknown endpoint is 404 in the document's error body", async () => {
  await using s = await openService();
  await documentError(await s.request("/api/nothing-here"), 404);
});

Deno.test("CORS: a preflight from any origin is answered with '*', never with credentials", async () => {
  const s = await segmentationService();
  try {
    const res = await s.app.request("/api/cluster", {
      method: "OPTIONS",
      headers: {
        Origin: "https://analyst.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, authorization",
      },
    });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get("Access-Control-Allow-Origin"), "*");
    assert.equal(res.headers.get("Access-Control-Allow-Credentials"), null);
    assert.match(res.headers.get("Access-Control-Allow-Methods") ?? "", /POST/);
    const t = await s.tenant("acme");
    const get = await s.app.request("/api/data-quality", {
      headers: { ...t.headers, Origin: "https://analyst.example" },
    });
    await get.body?.cancel();
    assert.equal(get.headers.get("Access-Control-Allow-Origin"), "*");
  } finally {
    await s[Symbol.asyncDispose]();
  }
});

Deno.test("CORS in open mode: an anonymous request stays same-origin, a credentialed one gets '*'", async () => {
  await using s = await openService();
  const anonymous = await s.request("/api/data-quality", {
    headers: { Origin: "https://evil.example" },
  });
  await anonymous.body?.cancel();
  assert.equal(anonymous.headers.get("Access-Control-Allow-Origin"), null);
  const preflight = await s.request("/api/cluster", {
    method: "OPTIONS",
    headers: {
      Origin: "https://evil.example",
      "Access-Control-Request-Method": "POST",
      "Access-Control-Request-Headers": "content-type",
    },
  });
  await preflight.body?.cancel();
  assert.equal(preflight.headers.get("Access-Control-Allow-Origin"), null);
  const withToken = await s.request("/api/cluster", {
    method: "OPTIONS",
    headers: {
      Origin: "https://app.example",
      "Access-Control-Request-Method": "POST",
      "Access-Control-Request-Headers": "authorization, content-type",
    },
  });
  await withToken.body?.cancel();
  assert.equal(withToken.headers.get("Access-Control-Allow-Origin"), "*");
  assert.equal(withToken.headers.get("Access-Control-Allow-Credentials"), null);
});
