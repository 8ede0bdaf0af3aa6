/**
 * Document 004's workflow through the app: upload (multipart and streamed), the prerequisites'
 * 400s, data quality, optimal k, clustering, figures, correlation, exports (escaping included),
 * reset, column corrections, JSON datasets, jobs, and one tenant's session invisible to another.
 */
import assert from "node:assert/strict";
import { COLUMN_ROLES } from "../../domain/datasets/types.ts";
import { segmentationJobType } from "../../domain/jobs/segmentation_job.ts";
import { JobRunner } from "../../domain/jobs/runner.ts";
import { DEFAULT_MAX_UPLOAD_BYTES } from "../../routes/workflow.ts";
import { NO_CLUSTERING, NO_DATA } from "../../domain/workflow/mod.ts";
import { NOW, segmentationService } from "./segmentation/_service.ts";
import { getRun } from "../../domain/segmentation/runs.ts";
import { workflowResponse } from "../../domain/segmentation/workflow_run.ts";
import type { StoredWorkflow } from "../../domain/workflow/stored_run.ts";
import { candidateReasonText } from "../../domain/description/selection_text.ts";

const MALL = await Deno.readFile(new URL("../data/mall_customers.csv", import.meta.url));

type Service = Awaited<ReturnType<typeof segmentationService>>;

async function session(s: Service, name = "acme") {
  const t = await s.tenant(name);
  const { "Content-Type": _json, ...auth } = t.headers;
  const call = (path: string, init: RequestInit = {}) =>
    s.app.request(path, { ...init, headers: { ...auth, ...(init.headers ?? {}) } });
  const json = (path: string, body: unknown, method = "POST", extra = {}) =>
    call(path, {
      method,
      headers: { "Content-Type": "application/json", ...extra },
      body: JSON.stringify(body),
    });
  const upload = (
    bytes: Uint8Array<ArrayBuffer> | string,
    filename = "mall_customers.csv",
    type = "text/csv",
  ) => {
    const form = new FormData();
    form.append("file", new File([bytes], filename, { type }));
    return call("/api/upload", { method: "POST", body: form });
  };
  return { ...t, auth, call, json, upload };
}

Deno.test("the workflow of document 004 runs end to end on the Mall dataset", async () => {
  await using s = await segmentationService();
  const a = await session(s);

  const up = await a.upload(MALL);
  assert.equal(up.status, 200);
  const uploaded = await up.json();
  assert.equal(uploaded.success, true);
  assert.deepEqual(uploaded.shape, [200, 5]);
  assert.match(uploaded.message, /^File uploaded successfully\. 200 rows processed in /);
  assert.deepEqual(uploaded.features, ["Age", "Annual Income (k$)", "Spending Score (1-100)"]);
  assert.equal(uploaded.statistics.Age.count, 200);
  assert.equal(uploaded.statistics.Age.mean, 38.85);
  assert.equal(uploaded.column_map.gender, "Gender");
  assert.equal(uploaded.column_map.income, "Annual Income (k$)");
  assert.equal(uploaded.income_scale, 1000);
  assert.deepEqual(uploaded.column_roles, [...COLUMN_ROLES]);

  const quality = await (await a.call("/api/data-quality")).json();
  assert.equal(quality.metrics.total_rows, 200);
  assert.equal(quality.metrics.duplicate_rows, 0);
  assert.equal(quality.metrics.missing_values.Age, 0);

  const optimal = await (await a.call("/api/optimal-clusters")).json();
  assert.deepEqual(optimal.chart_data.x, [2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.equal(optimal.chart_data.y.length, 9);
  const bestScore = Math.max(...optimal.chart_data.y);
  assert.equal(optimal.silhouette_scores[String(optimal.optimal_k)], bestScore);

  const clustered = await a.json("/api/cluster", { n_clusters: 5, random_state: 0 });
  assert.equal(clustered.status, 200);
  const result = await clustered.json();
  assert.equal(result.success, true);
  assert.equal(result.n_clusters, 5);
  assert.equal(result.algorithm, "kmeans");
  assert.match(result.run_id, /^run_/);
  const ids = Object.keys(result.cluster_analysis);
  assert.deepEqual(ids, ["0", "1", "2", "3", "4"]);
  const sizes = ids.map((id) => result.cluster_analysis[id].size);
  assert.equal(sizes.reduce((x: number, y: number) => x + y, 0), 200);
  for (const id of ids) {
    const p = result.cluster_profiles[id];
    assert.equal(p.count, result.cluster_analysis[id].size);
    for (const key of ["mean_values", "median_values", "std_values", "min_values", "max_values"]) {
      assert.deepEqual(Object.keys(p[key]), uploaded.features);
    }
    assert.equal(typeof result.recommendations[id], "string");
    assert.equal(typeof result.cluster_summaries[id], "string");
    assert.ok(result.top_features[id].length >= 1);
    assert.deepEqual(Object.keys(result.centroids[id]), uploaded.features);
  }
  const importance = Object.values(result.feature_importance) as number[];
  assert.ok(Math.abs(importance.reduce((x, y) => x + y, 0) - 100) < 0.1);
  assert.ok(result.metrics.silhouette_score > 0.3);
  const names = result.segments.map((x: { name: string }) => x.name);
  assert.equal(new Set(names).size, 5);

  const data = await (await a.call("/api/cluster-data")).json();
  assert.equal(data.run_id, result.run_id);
  assert.deepEqual(data.cluster_analysis, result.cluster_analysis);

  const figures = await (await a.call("/api/visualizations")).json();
  const scatter = figures.scatter_chart;
  const points = scatter.data
    .filter((t: { name: string }) => names.includes(t.name))
    .reduce((n: number, t: { x: number[] }) => n + t.x.length, 0);
  assert.equal(points, 200);
  assert.equal(figures.distribution_chart.data[0].type, "bar");
  assert.ok(figures.feature_means_chart.data.length >= 1);

  const corr = await (await a.call("/api/correlation-matrix")).json();
  assert.deepEqual(corr.features, uploaded.features);
  assert.equal(corr.matrix[0][0], 1);
  assert.ok(Math.abs(corr.matrix[0][2] - -0.327227) < 1e-5);

  const files = await (await a.call("/api/export")).json();
  assert.deepEqual(Object.keys(files.files), ["csv", "json", "html"]);
  const csv = await a.call(files.files.csv);
  assert.match(csv.headers.get("Content-Type")!, /text\/csv/);
  assert.match(csv.headers.get("Content-Disposition")!, /attachment; filename="segments_run_/);
  const lines = (await csv.text()).trimEnd().split("\r\n");
  assert.equal(lines.length, 201);
  assert.equal(
    lines[0],
    "CustomerID,Gender,Age,Annual Income (k$),Spending Score (1-100),cluster,segment",
  );
  const report = await a.call(files.files.html);
  assert.match(report.headers.get("Content-Security-Policy")!, /default-src 'none'/);
  const html = await report.text();
  assert.ok(html.startsWith("<!DOCTYPE html>"));
  assert.ok(!html.includes("<script"));
  for (const name of names) assert.ok(html.includes(name.replaceAll("&", "&amp;")), name);
  const json = await (await a.call(files.files.json)).json();
  assert.equal(json.run_id, result.run_id);
  assert.equal(json.dataset.name, "mall_customers.csv");

  const reset = await a.json("/api/reset", {});
  assert.deepEqual(await reset.json(), { success: true, message: "Analysis reset successfully" });
  const after = await a.call("/api/cluster-data");
  assert.equal(after.status, 400);
  const quality2 = await a.call("/api/data-quality");
  assert.equal(quality2.status, 400);
});

Deno.test("each step answers 400 with the document's message until its prerequisite exists", async () => {
  await using s = await segmentationService();
  const a = await session(s);
  for (const path of ["/api/data-quality", "/api/optimal-clusters", "/api/correlation-matrix"]) {
    const res = await a.call(path);
    assert.equal(res.status, 400, path);
    const body = await res.json();
    assert.equal(body.code, "NO_DATA");
    assert.equal(body.message, NO_DATA);
  }
  assert.equal((await a.json("/api/cluster", { n_clusters: 3 })).status, 400);
  await a.upload(MALL);
  for (const path of ["/api/cluster-data", "/api/visualizations", "/api/export"]) {
    const res = await a.call(path);
    assert.equal(res.status, 400, path);
    assert.equal((await res.json()).message, NO_CLUSTERING);
  }
});

Deno.test("uploads: text/csv streams, non-CSV is 400, too large is 413, ragged rows are 400", async () => {
  await using s = await segmentationService({ maxUploadBytes: 4096 });
  const a = await session(s);
  const csv = 'id,spend,visits\r\n1,10,2\r\n2,20,4\r\n3,"1,000",9\r\n';
  const streamed = await a.call("/api/upload?name=tiny.csv", {
    method: "POST",
    headers: { "Content-Type": "text/csv" },
    body: csv,
  });
  assert.equal(streamed.status, 200);
  const body = await streamed.json();
  assert.equal(body.name, "tiny.csv");
  assert.deepEqual(body.shape, [3, 3]);

  const pdf = await a.upload("%PDF-1.4", "report.pdf", "application/pdf");
  assert.equal(pdf.status, 400);
  assert.equal((await pdf.json()).message, "Only CSV files are allowed");
  const json = await a.json("/api/upload", { a: 1 });
  assert.equal(json.status, 400);
  assert.equal((await json.json()).message, "Only CSV files are allowed");

  const noFile = await a.call("/api/upload", { method: "POST", body: new FormData() });
  assert.equal(noFile.status, 400);
  assert.equal((await noFile.json()).details.parameter, "file");

  const big = "a,b\n" + "1,2\n".repeat(2000);
  const tooLarge = await a.upload(big);
  assert.equal(tooLarge.status, 413);

  // Document 004 lists no 422: a file that cannot be used is its 400.
  const ragged = await a.upload("a,b\n1,2\n3\n");
  assert.equal(ragged.status, 400);
  const error = await ragged.json();
  assert.equal(error.details.row, 2);

  const words = await a.upload("name,city\nann,rome\nbob,oslo\n");
  assert.equal(words.status, 400);
  assert.equal((await words.json()).code, "NO_NUMERIC_COLUMNS");
  // Nothing of the refused uploads replaced the session's dataset.
  const quality = await (await a.call("/api/data-quality")).json();
  assert.equal(quality.metrics.total_rows, 3);
});

Deno.test("exports escape spreadsheet formulas and the report escapes markup from the data", async () => {
  await using s = await segmentationService();
  const a = await session(s);
  const rows = ["id,Name,spend,visits"];
  for (let i = 1; i <= 30; i++) {
    const name = i === 1
      ? '=HYPERLINK("http://x")'
      : i === 2
      ? "<img src=x onerror=alert(1)>"
      : `c${i}`;
    rows.push(`${i},"${name.replaceAll('"', '""')}",${(i % 3) * 100 + i},${i % 3}`);
  }
  assert.equal((await a.upload(rows.join("\n"), "xss.csv")).status, 200);
  assert.equal((await a.json("/api/cluster", { n_clusters: 3 })).status, 200);
  const csv = await (await a.call("/api/export?format=csv")).text();
  assert.ok(csv.includes(`1,"'=HYPERLINK(""http://x"")"`), csv.slice(0, 200));
  const html = await (await a.call("/api/export?format=html")).text();
  assert.ok(!html.includes("<img src=x"));
});

Deno.test("a corrected column map is stored as a new current dataset; bad columns are 422", async () => {
  await using s = await segmentationService();
  const a = await session(s);
  const first = await (await a.upload(MALL)).json();
  const res = await a.json(
    "/api/datasets/current/columns",
    { region: "Gender", gender: null },
    "PUT",
  );
  assert.equal(res.status, 200);
  const fixed = await res.json();
  assert.notEqual(fixed.dataset_id, first.dataset_id);
  assert.equal(fixed.column_map.region, "Gender");
  assert.equal(fixed.column_map.gender, undefined);
  const bad = await a.json("/api/datasets/current/columns", { age: "Nope" }, "PUT");
  assert.equal(bad.status, 422);
  assert.match((await bad.json()).message, /Nope/);

  const list = await (await a.call("/api/datasets")).json();
  assert.equal(list.current_dataset_id, fixed.dataset_id);
  assert.equal(list.datasets.length, 2);
  const back = await a.json("/api/datasets/current", { dataset_id: first.dataset_id }, "PUT");
  assert.equal((await back.json()).column_map.gender, "Gender");
  assert.equal(
    (await a.json("/api/datasets/current", { dataset_id: "ds_nope" }, "PUT")).status,
    404,
  );
});

Deno.test("JSON records become a dataset, and a clustering job sets the session's run", async () => {
  await using s = await segmentationService();
  const a = await session(s);
  const records = Array.from({ length: 60 }, (_, i) => ({
    customer_id: `C${i}`,
    spend: (i % 3) * 500 + i,
    visits: (i % 3) * 4 + (i % 2),
    region: ["north", "south", "east"][i % 3],
  }));
  const res = await a.json("/api/datasets", { name: "crm", records });
  assert.equal(res.status, 200);
  const ds = await res.json();
  assert.deepEqual(ds.shape, [60, 4]);
  assert.equal(ds.column_map.customer_id, "customer_id");

  const queued = await a.json("/api/cluster", {}, "POST", { Prefer: "respond-async" });
  assert.equal(queued.status, 202);
  const job = await queued.json();
  assert.equal((await a.call("/api/cluster-data")).status, 400);
  await new JobRunner(s.kv, [segmentationJobType(s.engine)], {
    clock: () => NOW,
    onError: () => {},
  })
    .drain();
  const result = await (await a.call(job.result_url)).json();
  const data = await (await a.call("/api/cluster-data")).json();
  assert.equal(data.run_id, result.run_id);
  assert.equal(data.customers, 60);
});

Deno.test("one tenant's session, datasets and runs are invisible to another", async () => {
  await using s = await segmentationService();
  const a = await session(s, "acme");
  const b = await session(s, "globex");
  const uploaded = await (await a.upload(MALL)).json();
  await a.json("/api/cluster", { n_clusters: 4 });
  assert.equal((await b.call("/api/data-quality")).status, 400);
  assert.equal((await b.call("/api/cluster-data")).status, 400);
  assert.equal((await b.call("/api/export?format=csv")).status, 400);
  assert.deepEqual((await (await b.call("/api/datasets")).json()).datasets, []);
  const steal = await b.json("/api/datasets/current", { dataset_id: uploaded.dataset_id }, "PUT");
  assert.equal(steal.status, 404);
});

Deno.test("a 16 MiB + 1 byte upload is 413 and the service goes on serving", async () => {
  await using s = await segmentationService();
  const a = await session(s);
  const limit = DEFAULT_MAX_UPLOAD_BYTES;
  const header = "a,b\n";
  const row = "1,2\n";
  let csv = header + row.repeat(Math.floor((limit - header.length) / row.length));
  csv += "9".repeat(limit + 1 - csv.length);
  assert.equal(csv.length, limit + 1);
  const res = await a.upload(csv, "big.csv");
  assert.equal(res.status, 413);
  assert.equal((await res.json()).code, "PAYLOAD_TOO_LARGE");
  const streamed = await a.call("/api/upload", {
    method: "POST",
    headers: { "Content-Type": "text/csv" },
    body: csv,
  });
  assert.equal(streamed.status, 413);
  assert.deepEqual((await (await a.call("/api/datasets")).json()).datasets, []);
  assert.equal((await a.upload(MALL)).status, 200);
  assert.equal((await a.call("/api/api-does-not-exist")).status, 404);
  assert.equal((await s.app.request("/api/health")).status, 200);
});

Deno.test("a malformed CSV is 400 naming its row and stores nothing", async () => {
  await using s = await segmentationService();
  const a = await session(s);
  const res = await a.upload('id,v\n1,2\n2,"unclosed\n3,4\n', "bad.csv");
  assert.equal(res.status, 400);
  const body = await res.json();
  assert.equal(typeof body.details.row, "number");
  assert.match(body.message, /row|line/i);
  assert.deepEqual((await (await a.call("/api/datasets")).json()).datasets, []);
  assert.equal((await a.call("/api/data-quality")).status, 400);
});

Deno.test("two tenants uploading at once each see only their own data", async () => {
  await using s = await segmentationService();
  const a = await session(s, "acme");
  const b = await session(s, "globex");
  const small = "id,spend,visits\n" +
    Array.from({ length: 30 }, (_, i) => `${i + 1},${i * 10},${i % 4}`).join("\n");
  const [ua, ub] = await Promise.all([a.upload(MALL), b.upload(small, "small.csv")]);
  assert.equal(ua.status, 200);
  assert.equal(ub.status, 200);
  await Promise.all([
    a.json("/api/cluster", { n_clusters: 4 }),
    b.json("/api/cluster", { n_clusters: 2 }),
  ]);
  const [qa, qb] = await Promise.all([a.call("/api/data-quality"), b.call("/api/data-quality")]);
  assert.equal((await qa.json()).metrics.total_rows, 200);
  assert.equal((await qb.json()).metrics.total_rows, 30);
  const [da, db] = await Promise.all([a.call("/api/cluster-data"), b.call("/api/cluster-data")]);
  assert.equal((await da.json()).n_clusters, 4);
  assert.equal((await db.json()).n_clusters, 2);
  const listA = (await (await a.call("/api/datasets")).json()).datasets;
  const listB = (await (await b.call("/api/datasets")).json()).datasets;
  assert.deepEqual(listA.map((d: { name: string }) => d.name), ["mall_customers.csv"]);
  assert.deepEqual(listB.map((d: { name: string }) => d.name), ["small.csv"]);
});

Deno.test("POST /api/cluster takes DBSCAN's eps and min_samples, and refuses them out of range", async () => {
  await using s = await segmentationService();
  const a = await session(s);
  await a.upload(MALL);
  const tight = await (await a.json("/api/cluster", {
    algorithm: "dbscan",
    eps: 0.5,
    min_samples: 4,
  })).json();
  assert.equal(tight.algorithm, "dbscan");
  const chosen = tight.candidates.find((c: { chosen: boolean }) => c.chosen);
  assert.deepEqual(chosen.params, { eps: 0.5, min_samples: 4 });
  const wider = await a.json("/api/cluster", { algorithm: "dbscan", eps: 0.6, min_samples: 4 });
  assert.equal(wider.status, 200);
  const wide = await wider.json();
  // A wider radius keeps every core point and reaches more: noise can only shrink.
  assert.ok(wide.metrics.noise_share <= tight.metrics.noise_share);
  assert.equal(wide.candidates.find((c: { chosen: boolean }) => c.chosen).params.eps, 0.6);
  assert.equal((await a.json("/api/cluster", { eps: 0 })).status, 400);
  assert.equal((await a.json("/api/cluster", { min_samples: 1 })).status, 400);
});

Deno.test("a Spanish run's recommendations and candidates' reasons have no English", async () => {
  await using s = await segmentationService();
  const a = await session(s);
  await a.upload(MALL);
  const es = await (await a.json("/api/cluster", {}, "POST", { "Accept-Language": "es" })).json();
  for (const line of Object.values(es.recommendations) as string[]) {
    assert.match(line, /^Segmento \d+ \(.+ - \d+(,\d)?%\): /);
  }
  // Mall leaves every candidate eligible: give the stored run one English reason, as compute
  // writes them, and read it back in Spanish.
  const record = (await getRun<StoredWorkflow>(s.kv, a.tenantId, es.run_id))!;
  const run = record.body.run;
  const withReason = {
    ...run,
    candidates: run.candidates.map((c, i) =>
      i === 0 ? { ...c, eligible: false, reason: "more than 50 % noise" } : c
    ),
  };
  const reworded = workflowResponse(withReason);
  assert.equal(reworded.candidates[0]!.reason, candidateReasonText("more than 50 % noise", "es"));
  assert.doesNotMatch(reworded.candidates[0]!.reason!, /noise/);
  // Switching back reads the same run in English: the words change, not the segments.
  const en = await (await a.call("/api/cluster-data", { headers: { "Accept-Language": "en" } }))
    .json();
  assert.equal(en.n_clusters, es.n_clusters);
  assert.match(Object.values(en.recommendations)[0] as string, /^Segment \d+ \(/);
});
