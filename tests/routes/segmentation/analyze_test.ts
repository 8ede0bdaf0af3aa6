/**
 * Document 002 through the app: `POST /api/analyze` on the document's example fields and on four
 * real datasets (tests/data), its errors, the stored run, and `POST /api/recommendations` from a
 * run id, from a previous analysis, and for another tenant's run.
 */
import assert from "node:assert/strict";
import { segmentationService } from "./_service.ts";
import { createRandom } from "../../../compute/random.ts";
import { recordsFromTable } from "../../../domain/datasets/csv_table.ts";
import { getRun } from "../../../domain/segmentation/runs.ts";
import { parseCsv } from "../../../domain/datasets/csv_table.ts";

/** A parsed JSON response, read field by field. */
// deno-lint-ignore no-explicit-any
type Json = any;

async function service() {
  const s = await segmentationService();
  const acme = await s.tenant("acme");
  const post = (
    path: string,
    body: unknown,
    extra: Record<string, string> = {},
    headers = acme.headers,
  ) =>
    s.app.request(path, {
      method: "POST",
      headers: { ...headers, ...extra },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  return {
    kv: s.kv,
    post,
    tenant: s.tenant,
    headers: acme.headers,
    tenantId: acme.tenantId,
    [Symbol.asyncDispose]: () => s[Symbol.asyncDispose](),
  };
}

/** Records like the document's example: id, age, gender, income, purchases, region. */
function customers(n: number) {
  const rng = createRandom(7);
  const personas = [
    { age: 35, income: 75000, purchases: 12, region: "North", gender: "Male" },
    { age: 62, income: 30000, purchases: 2, region: "South", gender: "Female" },
    { age: 24, income: 28000, purchases: 25, region: "East", gender: "Female" },
  ];
  return Array.from({ length: n }, (_, i) => {
    const p = personas[i % 3]!;
    return {
      id: i + 1,
      age: Math.round(p.age * (1 + 0.08 * rng.nextNormal())),
      gender: rng.nextFloat() < 0.8 ? p.gender : (p.gender === "Male" ? "Female" : "Male"),
      income: Math.round(p.income * (1 + 0.1 * rng.nextNormal())),
      purchases: Math.max(0, Math.round(p.purchases * (1 + 0.15 * rng.nextNormal()))),
      region: p.region,
    };
  });
}

/** Every number where the response promises one, and nothing JSON cannot say. */
function checkResponse(body: Json, n: number) {
  const text = JSON.stringify(body);
  assert.ok(!/NaN|Infinity/.test(text), "NaN or Infinity in the response");
  assert.match(body.run_id, /^run_[0-9a-f]{24}$/);
  assert.ok(body.clusters.length >= 2);
  const seen = new Set<string>();
  for (const c of body.clusters) {
    assert.equal(typeof c.clusterId, "number");
    assert.equal(c.customers.length, c.size);
    assert.equal(c.customer_ids.length, c.size);
    assert.ok(c.customers.every((r: unknown) => typeof r === "object" && r !== null));
    for (const id of c.customer_ids) {
      assert.ok(!seen.has(id), `customer ${id} is in two clusters`);
      seen.add(id);
    }
    assert.ok(Object.keys(c.centroid).length > 0);
    for (const [k, v] of Object.entries(c.centroid)) {
      assert.ok(typeof v === "number" && Number.isFinite(v), `centroid ${k} = ${v}`);
    }
    assert.equal(typeof c.clusterName, "string");
    assert.ok(Array.isArray(c.characteristics));
  }
  for (const id of body.noise?.customer_ids ?? []) {
    assert.ok(!seen.has(id), `noise customer ${id} is also in a cluster`);
    seen.add(id);
  }
  assert.equal(seen.size, n, "every customer labelled exactly once");
  const names = body.clusters.map((c: { clusterName: string }) => c.clusterName);
  assert.equal(new Set(names).size, names.length, `names not unique: ${names}`);
  const importances = Object.values(body.featureImportance) as number[];
  assert.ok(importances.every((v) => typeof v === "number" && v >= 0));
  const sum = importances.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(sum - 1) < 1e-6, `featureImportance sums to ${sum}`);
  assert.ok(typeof body.accuracy === "number" && body.accuracy >= 0 && body.accuracy <= 1);
  for (const m of ["silhouette", "davies_bouldin", "calinski_harabasz"]) {
    assert.ok(Number.isFinite(body.metrics[m]), `metrics.${m} = ${body.metrics[m]}`);
  }
  assert.equal(typeof body.selection.rule, "string");
  assert.equal(typeof body.selection.why, "string");
  assert.equal(body.preprocessing.rows, n);
}

const labelsOf = (body: { clusters: { customer_ids: (string | number)[] }[] }) =>
  body.clusters.map((c) => c.customer_ids.map(String).sort());

Deno.test("POST /api/analyze answers document 002's fields and stores a small run", async () => {
  await using s = await service();
  const data = customers(90);
  const res = await s.post("/api/analyze", { data });
  assert.equal(res.status, 200);
  const body = await res.json();
  checkResponse(body, 90);
  assert.equal(body.preprocessing.idField, "id");
  // Gender is profiled, not clustered on, unless the request names it (issue 12).
  assert.deepEqual(Object.keys(body.featureImportance).sort(), [
    "age",
    "income",
    "purchases",
    "region",
  ]);
  for (const c of body.clusters) {
    assert.deepEqual(Object.keys(c.centroid).sort(), ["age", "income", "purchases"]);
  }
  // The records come back as sent, in their clusters; integer ids stay integers.
  assert.ok(body.clusters.some((c: { customer_ids: unknown[] }) => c.customer_ids.includes(1)));
  const returned = body.clusters.flatMap((c: { customers: unknown[] }) => c.customers);
  assert.deepEqual(
    [...returned].sort((a: Json, b: Json) => a.id - b.id),
    data,
  );

  const run = await getRun<Json>(s.kv, s.tenantId, body.run_id);
  assert.equal(run?.source, "analyze");
  assert.equal(run.body.customers, 90);
  assert.equal(run.body.narratives.length, body.clusters.length);
  assert.ok(!("data" in run.body.params), "no raw records stored");
  assert.ok(!("customers" in run.body.clusters[0]));
  assert.equal(await getRun(s.kv, "other-tenant", body.run_id), null);
});

Deno.test("POST /api/analyze: fixed algorithm and n_clusters, id_field, Accept-Language", async () => {
  await using s = await service();
  const data = customers(60).map(({ id, ...r }) => ({ ...r, code: `C${id}` }));
  const res = await s.post("/api/analyze", {
    data,
    idField: "code",
    n_clusters: 4,
    algorithm: "kmeans",
  }, { "Accept-Language": "es" });
  assert.equal(res.status, 200);
  const body = await res.json();
  checkResponse(body, 60);
  assert.equal(body.algorithm, "kmeans");
  assert.equal(body.clusters.length, 4);
  assert.equal(body.selection.mode, "fixed");
  assert.equal(body.preprocessing.idField, "code");
  assert.ok(
    body.clusters.flatMap((c: { customer_ids: string[] }) => c.customer_ids).includes("C1"),
  );
  const en = await (await s.post("/api/analyze", { data, id_field: "code", n_clusters: 4 }))
    .json();
  assert.notEqual(en.clusters[0].narrative.persona, body.clusters[0].narrative.persona);
  // The rule is worded in the language asked too (it was compute's English constant).
  assert.notEqual(body.selection.rule, en.selection.rule);
  assert.doesNotMatch(body.selection.rule, /\b(eligible|segments|stable|only)\b/);
});

Deno.test("POST /api/analyze rejects empty data, Infinity, too few rows and a bad id field", async () => {
  await using s = await service();
  const empty = await s.post("/api/analyze", { data: [] });
  assert.ok(empty.status === 400 || empty.status === 422);
  assert.match((await empty.json()).message, /data/);

  const missing = await s.post("/api/analyze", {});
  assert.equal(missing.status, 400);
  assert.match((await missing.json()).message, /customerData/);

  // JSON has no Infinity, but 1e999 parses to it.
  const raw = JSON.stringify({ data: customers(10) }).replace('"income":', '"income":1e999,"x":');
  const inf = await s.post("/api/analyze", raw);
  assert.equal(inf.status, 422);
  const infBody = await inf.json();
  assert.match(infBody.message, /record 0\b/);
  assert.equal(infBody.details.parameter, "data");
  assert.match(infBody.message, /income/);

  const few = await s.post("/api/analyze", { data: customers(2) });
  assert.equal(few.status, 422);
  const fewBody = await few.json();
  assert.match(fewBody.message, /at least 3 records/);
  assert.equal(fewBody.details.parameter, "data");

  const k = await s.post("/api/analyze", { data: customers(5), n_clusters: 5 });
  assert.equal(k.status, 422);
  assert.equal((await k.json()).details.parameter, "n_clusters");

  const id = await s.post("/api/analyze", { data: customers(10), id_field: "region" });
  assert.equal(id.status, 422);
  assert.equal((await id.json()).details.parameter, "id_field");

  const alg = await s.post("/api/analyze", { data: customers(10), algorithm: "spectral" });
  assert.equal(alg.status, 400);
});

Deno.test("POST /api/analyze and /api/recommendations need credentials", async () => {
  await using s = await service();
  const anonymous = { "Content-Type": "application/json" } as typeof s.headers;
  const a = await s.post("/api/analyze", { data: customers(10) }, {}, anonymous);
  assert.equal(a.status, 401);
  const r = await s.post("/api/recommendations", { run_id: "run_x" }, {}, anonymous);
  assert.equal(r.status, 401);
});

Deno.test("POST /api/recommendations from a run id and from the analysis itself", async () => {
  await using s = await service();
  const analysis = await (await s.post("/api/analyze", { data: customers(90) })).json();

  const byRun = await s.post("/api/recommendations", { run_id: analysis.run_id });
  assert.equal(byRun.status, 200);
  const fromRun = await byRun.json();
  assert.ok(fromRun.recommendations.length >= analysis.clusters.length);
  assert.ok(fromRun.recommendations.every((r: unknown) => typeof r === "string" && r.length > 10));
  const names = analysis.clusters.map((c: { clusterName: string }) => c.clusterName);
  for (const line of fromRun.strategies) assert.ok(names.includes(line.segment));
  assert.equal(fromRun.run_id, analysis.run_id);

  const byAnalysis = await s.post("/api/recommendations", { analysis });
  assert.equal(byAnalysis.status, 200);
  assert.deepEqual((await byAnalysis.json()).recommendations, fromRun.recommendations);

  // Only the run id of the analysis: read from the store.
  const idOnly = await s.post("/api/recommendations", { analysis: { run_id: analysis.run_id } });
  assert.equal(idOnly.status, 200);
  assert.deepEqual((await idOnly.json()).recommendations, fromRun.recommendations);

  const es = await (await s.post("/api/recommendations", { run_id: analysis.run_id }, {
    "Accept-Language": "es",
  })).json();
  assert.equal(es.recommendations.length, fromRun.recommendations.length);
  assert.notDeepEqual(
    es.strategies.map((l: { rationale: string }) => l.rationale),
    fromRun.strategies.map((l: { rationale: string }) => l.rationale),
  );

  const unknown = await s.post("/api/recommendations", { run_id: "run_000000000000000000000000" });
  assert.equal(unknown.status, 404);

  const other = await s.tenant("globex");
  const foreign = await s.post(
    "/api/recommendations",
    { run_id: analysis.run_id },
    {},
    other.headers,
  );
  assert.equal(foreign.status, 404);

  const neither = await s.post("/api/recommendations", {});
  assert.ok(neither.status === 400 || neither.status === 422);
  const both = await s.post("/api/recommendations", { run_id: analysis.run_id, analysis });
  assert.ok(both.status === 400 || both.status === 422);
  const bare = await s.post("/api/recommendations", { analysis: { clusters: [] } });
  assert.equal(bare.status, 422);
});

/** A real-data check: four public customer datasets, read as the CSV upload would read them. */
const REAL_DATA: Array<[file: string, rows: number, options: Record<string, unknown>]> = [
  ["mall_customers.csv", 200, {}],
  ["wholesale_customers.csv", 440, {}],
  ["marketing_campaign.csv", 2240, {}],
  // 8,950 rows: a smaller search keeps the test (two runs) within seconds.
  ["cc_general.csv", 8950, { max_clusters: 4 }],
];

for (const [file, rows, options] of REAL_DATA) {
  Deno.test(`POST /api/analyze on real data: ${file} is labelled once, finite and stable`, async () => {
    await using s = await service();
    const text = await Deno.readTextFile(new URL(`../../data/${file}`, import.meta.url));
    const data = recordsFromTable(parseCsv(text));
    assert.equal(data.length, rows);
    const t0 = performance.now();
    const first = await s.post("/api/analyze", { data, ...options });
    const ms = Math.round(performance.now() - t0);
    assert.equal(first.status, 200, await first.clone().text());
    const body = await first.json();
    checkResponse(body, rows);
    const second = await (await s.post("/api/analyze", { data, ...options })).json();
    assert.equal(second.algorithm, body.algorithm);
    assert.deepEqual(labelsOf(second), labelsOf(body));
    assert.deepEqual(second.featureImportance, body.featureImportance);
    assert.equal(second.accuracy, body.accuracy);
    console.log(
      `${file}: ${rows} rows, ${ms} ms, ${body.algorithm} k=${body.n_clusters}, ` +
        `accuracy ${body.accuracy.toFixed(3)}, ${
          body.clusters.map((c: Json) => c.clusterName).join(" | ")
        }`,
    );
  });
}
