/**
 * Document 003, the segments REST API, as a client written from the document alone sees it:
 * a JWT from `POST /api/auth/login` (§3.1) as `Authorization: Bearer`, then every example
 * request of §1 and §2 sent as written, each answer's envelope (`success`, `data`,
 * `metadata {request_id, timestamp, api_version}`), documented fields and their types (integer
 * ids, money to cents), the query parameters of §1.1 and the status codes of §5 (400 for an
 * invalid type or paging parameter, 401 without a token, 404, 429 with `Retry-After` and the
 * `X-RateLimit-*` headers of §4.2).
 *
 * The document's data comes from somewhere it does not say: here the customers are uploaded
 * first (`POST /api/upload`, document 004) with the fields the document's examples show, and a
 * clustering is made (`POST /api/cluster`). Errors are checked for their status and for naming
 * the field at fault (their envelope is checked by the error-shape tests).
 */
import assert from "node:assert/strict";
import { segmentationService } from "../routes/segmentation/_service.ts";
import { TEST_PASSWORD_COST } from "../../domain/auth/hashing.ts";
import { createTenant } from "../../domain/auth/tenants.ts";
import { segmentationJobType } from "../../domain/jobs/segmentation_job.ts";
import { JobRunner } from "../../domain/jobs/runner.ts";
import { type AppDeps, createApp } from "../../routes/mod.ts";
import { NOW } from "../routes/segmentation/_service.ts";

/** A parsed JSON response, read field by field. */
// deno-lint-ignore no-explicit-any
type Json = any;

const USERNAME = "user@example.com";
const PASSWORD = "secure_password";
const HOUR_MS = 3_600_000;

/**
 * 120 customers with the fields of the document's examples: integer ids from 12340 (so customer
 * 12345 exists), name, email, gender, region, age, income, purchase amount and frequency,
 * lifespan and recency.
 */
function customersCsv(): string {
  const regions = ["North America", "Europe", "Asia"];
  const rows = [
    "customer_id,name,email,gender,region,age,income,purchase_amount," +
    "purchase_frequency,customer_lifespan_years,recency_days",
  ];
  for (let i = 0; i < 120; i++) {
    const group = i % 3;
    rows.push([
      12340 + i,
      `Customer ${i}`,
      `c${i}@example.com`,
      i % 2 === 0 ? "Male" : "Female",
      regions[group],
      22 + ((i * 7) % 45),
      [95000, 42000, 65000][group]! + ((i * 613) % 9000),
      ([4500, 1200, 2500][group]! + ((i * 97) % 700)) + 0.25 * (i % 4),
      [12.5, 6.2, 8][group]! + (i % 3),
      [5.8, 2, 4.2][group]! + (i % 2) * 0.5,
      (i * 37) % 300,
    ].join(","));
  }
  return rows.join("\n") + "\n";
}

/** The service with a KV probe for health, and the given rate limits (generous by default). */
async function service(rateLimits: AppDeps["rateLimits"] = generous()) {
  const s = await segmentationService();
  const tenant = await createTenant(
    s.kv,
    { name: "acme", user: { username: USERNAME, password: PASSWORD } },
    { now: () => NOW, passwordCost: TEST_PASSWORD_COST },
  );
  const app = createApp({
    compute: s.engine,
    engine: s.engine,
    kv: s.kv,
    clock: () => NOW,
    logger: () => {},
    rateLimits,
    healthChecks: { database: () => s.kv.get(["health"]).then(() => true) },
    auth: {
      jwt: { secret: "d".repeat(40), issuer: "t", audience: "t" },
      refreshTtlSeconds: 3600,
      passwordCost: TEST_PASSWORD_COST,
    },
  });
  const request = async (method: string, path: string, body?: unknown, token?: string) => {
    const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const res = await app.request(path, {
      method,
      headers,
      ...(body === undefined
        ? {}
        : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    const json = /json/.test(res.headers.get("Content-Type") ?? "") ? JSON.parse(text) : null;
    return { status: res.status, body: json as Json, text, headers: res.headers };
  };
  // §3.1: POST /api/auth/login {"username", "password"} → access_token.
  const login = await request("POST", "/api/auth/login", {
    "username": USERNAME,
    "password": PASSWORD,
  });
  assert.equal(login.status, 200, login.text);
  assert.equal(login.body.token_type, "Bearer");
  assert.equal(typeof login.body.refresh_token, "string");
  assert.ok(Number.isInteger(login.body.expires_in));
  const token: string = login.body.access_token;
  const get = (path: string) => request("GET", path, undefined, token);
  const post = (path: string, body?: unknown) => request("POST", path, body, token);
  return {
    kv: s.kv,
    engine: s.engine,
    tenantId: tenant.tenantId,
    request,
    get,
    post,
    async withData() {
      const form = new FormData();
      form.append("file", new File([customersCsv()], "customers.csv", { type: "text/csv" }));
      const up = await app.request("/api/upload", {
        method: "POST",
        headers: { Authorization: `Bearer ${token}` },
        body: form,
      });
      assert.equal(up.status, 200, await up.clone().text());
      await up.body?.cancel();
      const clustered = await post("/api/cluster", { n_clusters: 3, random_state: 42 });
      assert.equal(clustered.status, 200, clustered.text);
    },
    [Symbol.asyncDispose]: () => s[Symbol.asyncDispose](),
  };
}

function generous(): AppDeps["rateLimits"] {
  const policy = { limit: 10_000, periodMs: HOUR_MS };
  return { default: policy, clusters_run: policy, export: policy };
}

/** Document 003's envelope around `data`; returns `data`. */
function enveloped(res: { status: number; body: Json; text: string }, status = 200): Json {
  assert.equal(res.status, status, res.text);
  assert.equal(res.body.success, true);
  assert.equal(typeof res.body.data, "object");
  assert.equal(typeof res.body.metadata.request_id, "string");
  assert.ok(!Number.isNaN(Date.parse(res.body.metadata.timestamp)));
  assert.equal(res.body.metadata.api_version, "1.0");
  return res.body.data;
}

const isNumber = (v: unknown) => typeof v === "number" && Number.isFinite(v);
/** A figure shown to cents or two decimals at most. */
const twoDecimals = (v: unknown) =>
  isNumber(v) && Math.abs((v as number) * 100 - Math.round((v as number) * 100)) < 1e-6;

Deno.test("§1.1 GET /api/segments/clv answers the documented page of CLV tiers", async () => {
  await using s = await service();
  await s.withData();
  const data = enveloped(await s.get("/api/segments/clv"));
  assert.equal(data.segmentation_type, "clv");
  assert.equal(data.total_records, 4);
  assert.equal(data.limit, 50);
  assert.equal(data.offset, 0);
  assert.deepEqual(data.segments.map((t: Json) => t.clv_tier), [
    "Platinum",
    "Gold",
    "Silver",
    "Bronze",
  ]);
  for (const tier of data.segments) {
    assert.ok(Number.isInteger(tier.total_customers));
    for (
      const field of [
        "avg_purchase_amount",
        "avg_frequency",
        "avg_clv",
        "avg_income",
        "avg_lifespan_years",
      ]
    ) {
      assert.ok(twoDecimals(tier[field]), `${field} = ${tier[field]}`);
    }
  }
});

Deno.test("§1.1 every documented segmentation type answers, Gender as the document writes it", async () => {
  await using s = await service();
  await s.withData();
  const types = [
    "Gender",
    "region",
    "age_group",
    "income_bracket",
    "cluster",
    "purchase_tier",
    "clv",
  ];
  for (const type of types) {
    const data = enveloped(await s.get(`/api/segments/${type}`));
    assert.equal(data.segmentation_type, type.toLowerCase());
    assert.ok(Array.isArray(data.segments) && data.segments.length > 0, type);
  }
});

Deno.test("§1.1 limit, offset, sort_by and sort_order page and sort the segments", async () => {
  await using s = await service();
  await s.withData();
  const all = enveloped(await s.get("/api/segments/age_group")).segments;
  const page = enveloped(
    await s.get("/api/segments/age_group?limit=2&offset=1&sort_by=total_customers&sort_order=ASC"),
  );
  assert.equal(page.limit, 2);
  assert.equal(page.offset, 1);
  assert.equal(page.segments.length, Math.min(2, all.length - 1));
  const counts = page.segments.map((g: Json) => g.total_customers);
  assert.deepEqual(counts, [...counts].sort((a, b) => a - b));
  const desc = enveloped(await s.get("/api/segments/age_group?sort_by=total_customers"));
  const sizes = desc.segments.map((g: Json) => g.total_customers);
  assert.deepEqual(sizes, [...sizes].sort((a, b) => b - a), "DESC by default");
});

Deno.test("§1.1 and §5: an invalid type or paging parameter is 400, no token 401", async () => {
  await using s = await service();
  await s.withData();
  const invalid = await s.get("/api/segments/shoe_size");
  assert.equal(invalid.status, 400);
  assert.match(invalid.text, /type/);
  for (const query of ["limit=501", "limit=0", "offset=-1"]) {
    const res = await s.get(`/api/segments/clv?${query}`);
    assert.equal(res.status, 400, query);
    assert.match(res.text, new RegExp(query.split("=")[0]!));
  }
  const anonymous = await s.request("GET", "/api/segments/clv");
  assert.equal(anonymous.status, 401);
  assert.equal(anonymous.body.success, false);
});

Deno.test("§1.2 GET /api/clusters lists the clusters with their documented fields", async () => {
  await using s = await service();
  await s.withData();
  const data = enveloped(await s.get("/api/clusters?include_metadata=true&include_stats=true"));
  assert.equal(data.total_clusters, 3);
  assert.equal(data.clusters.length, 3);
  for (const c of data.clusters) {
    assert.ok(Number.isInteger(c.cluster_id));
    for (const f of ["cluster_label", "cluster_name", "description"]) {
      assert.equal(typeof c[f], "string", f);
    }
    assert.ok(Number.isInteger(c.customer_count));
    assert.ok(twoDecimals(c.avg_income) && twoDecimals(c.avg_purchase_amount));
  }
  const bare = enveloped(await s.get("/api/clusters?include_metadata=false&include_stats=false"));
  assert.equal(bare.clusters[0].description, undefined);
});

Deno.test("§1.3 POST /api/clusters/run with the document's body is a 202 job to poll", async () => {
  await using s = await service();
  await s.withData();
  const accepted = await s.post("/api/clusters/run", {
    "n_clusters": 5,
    "algorithm": "kmeans",
    "features": ["income", "purchase_amount", "purchase_frequency"],
    "normalize": true,
    "random_state": 42,
  });
  const job = enveloped(accepted, 202);
  assert.equal(typeof job.job_id, "string");
  assert.equal(job.status, "processing");
  assert.equal(typeof job.message, "string");
  assert.ok(Number.isInteger(job.estimated_time_seconds));

  const polled = enveloped(await s.get(`/api/clusters/jobs/${job.job_id}`));
  assert.equal(polled.status, "processing");
  await new JobRunner(s.kv, [segmentationJobType(s.engine)], {
    clock: () => NOW,
    onError: () => {},
  }).drain();
  const done = enveloped(await s.get(`/api/clusters/jobs/${job.job_id}`));
  assert.equal(done.status, "completed");
  assert.notEqual(done.result, null, "results when complete");
  const clusters = enveloped(await s.get("/api/clusters"));
  assert.equal(clusters.total_clusters, 5);

  const unknown = await s.get("/api/clusters/jobs/job_clust_20260112_1");
  assert.equal(unknown.status, 404);
});

Deno.test("§1.4 GET /api/customers/12345/segment answers the customer's segments", async () => {
  await using s = await service();
  await s.withData();
  const data = enveloped(await s.get("/api/customers/12345/segment?include_insights=true"));
  assert.equal(data.customer_id, 12345);
  assert.equal(data.name, "Customer 5");
  assert.equal(data.email, "c5@example.com");
  const seg = data.segments;
  for (
    const f of ["gender", "region", "age_group", "income_bracket", "purchase_tier", "clv_tier"]
  ) {
    assert.equal(typeof seg[f], "string", f);
  }
  assert.equal(seg.gender, "Female");
  assert.equal(seg.region, "Asia");
  assert.ok(Number.isInteger(seg.cluster_id));
  assert.equal(typeof seg.cluster_label, "string");
  assert.ok(twoDecimals(seg.calculated_clv));
  assert.ok(Number.isInteger(data.insights.value_score));
  assert.ok(["Low", "Medium", "High"].includes(data.insights.churn_risk));
  assert.ok("product_affinity" in data.insights);

  const plain = enveloped(await s.get("/api/customers/12345/segment"));
  assert.equal(plain.insights, undefined, "include_insights defaults to false");
  assert.equal((await s.get("/api/customers/99999/segment")).status, 404);
});

Deno.test("§1.5 GET /api/insights/clv answers titled insights and the key metrics", async () => {
  await using s = await service();
  await s.withData();
  const data = enveloped(await s.get("/api/insights/clv"));
  assert.equal(data.segmentation_type, "clv");
  assert.ok(!Number.isNaN(Date.parse(data.generated_at)));
  assert.ok(data.insights.length > 0);
  for (const insight of data.insights) {
    for (const f of ["title", "description", "recommendation"]) {
      assert.equal(typeof insight[f], "string");
    }
    assert.ok(["high", "medium", "low"].includes(insight.severity));
  }
  assert.equal(data.key_metrics.total_customers, 120);
  assert.ok(twoDecimals(data.key_metrics.avg_clv));
  assert.match(data.key_metrics.revenue_concentration, /^Gini coefficient: \d\.\d\d$/);
  for (const type of ["gender", "region", "cluster"]) {
    enveloped(await s.get(`/api/insights/${type}`));
  }
});

Deno.test("§1.6 POST /api/export/clv with the document's body exports segment-level columns", async () => {
  await using s = await service();
  await s.withData();
  const accepted = await s.post("/api/export/clv", {
    "format": "csv",
    "include_charts": true,
    "columns": ["segment_name", "total_customers", "avg_purchase_amount"],
    "filters": {
      "min_customers": 10,
    },
  });
  const e = enveloped(accepted, 202);
  assert.match(e.export_id, /^exp_/);
  assert.equal(typeof e.status, "string");
  assert.equal(e.format, "csv");
  assert.ok(isNumber(e.estimated_size_mb));
  assert.equal(e.download_url, `/api/exports/${e.export_id}/download`);
  assert.ok(Date.parse(e.expires_at) > NOW);

  const file = await s.get(e.download_url);
  assert.equal(file.status, 200);
  const lines = file.text.trimEnd().split("\r\n");
  assert.equal(lines[0], "segment_name,total_customers,avg_purchase_amount");
  const tiers = enveloped(await s.get("/api/segments/clv")).segments
    .filter((t: Json) => t.total_customers >= 10);
  assert.deepEqual(
    lines.slice(1),
    tiers.map((t: Json) => `${t.clv_tier},${t.total_customers},${t.avg_purchase_amount}`),
  );
  const small = await s.post("/api/export/clv", {
    "format": "csv",
    "columns": ["segment_name", "total_customers"],
    "filters": { "min_customers": 1000 },
  });
  const none = (await s.get(enveloped(small, 202).download_url)).text.trimEnd().split("\r\n");
  assert.deepEqual(none, ["segment_name,total_customers"]);
});

Deno.test("§1.6 POST /api/export/{type} for the other types and formats", async () => {
  await using s = await service();
  await s.withData();
  for (const type of ["gender", "region", "cluster"]) {
    for (const format of ["csv", "json"]) {
      const res = await s.post(`/api/export/${type}`, { format });
      const e = enveloped(res, 202);
      assert.equal(e.format, format);
      assert.equal((await s.get(e.download_url)).status, 200);
    }
  }
  const unknownColumn = await s.post("/api/export/clv", { columns: ["no_such_column"] });
  assert.equal(unknownColumn.status, 400);
  assert.match(unknownColumn.text, /columns/);
});

Deno.test("§1.7 GET /api/health needs no token and reports its components", async () => {
  await using s = await service();
  const res = await s.request("GET", "/api/health");
  assert.equal(res.status, 200);
  assert.equal(res.body.status, "healthy");
  assert.ok(!Number.isNaN(Date.parse(res.body.timestamp)));
  assert.equal(res.body.components.database, "connected");
  assert.equal(typeof res.body.components.cache, "string");
  assert.equal(res.body.components.api_version, "1.0");
});

Deno.test("§2 GET /api/segments/cluster answers the detailed format with links", async () => {
  await using s = await service();
  await s.withData();
  const res = await s.get("/api/segments/cluster");
  const data = enveloped(res);
  assert.equal(data.segmentation_type, "cluster");
  assert.deepEqual(data.request_summary, {
    total_records: 3,
    limit: 50,
    offset: 0,
    has_more: false,
  });
  for (const c of data.segments) {
    assert.ok(Number.isInteger(c.cluster_id) && Number.isInteger(c.cluster_priority));
    assert.ok(Number.isInteger(c.customer_count));
    assert.ok(isNumber(c.customer_percentage));
    for (const f of ["avg_age", "age_range_min", "age_range_max"]) {
      assert.ok(isNumber(c.demographics[f]), f);
    }
    assert.equal(typeof c.demographics.predominant_gender, "string");
    assert.equal(typeof c.demographics.gender_distribution, "object");
    assert.ok(Array.isArray(c.demographics.regions));
    const money = c.financial_metrics;
    for (const f of ["avg_income", "median_income", "avg_purchase_amount", "total_purchases"]) {
      assert.ok(twoDecimals(money[f]), `${f} = ${money[f]}`);
    }
    assert.ok(isNumber(money.income_range.min) && isNumber(money.income_range.max));
    for (const f of ["repeat_purchase_rate", "churn_rate"]) {
      assert.ok(isNumber(c.behavioral_metrics[f]), f);
    }
    assert.ok("top_products" in c.features && "avg_order_value" in c.features);
    assert.equal(typeof c.metadata.description, "string");
  }
  assert.ok(isNumber(res.body.metadata.response_time_ms));
  assert.deepEqual(res.body.links, {
    self: "/api/segments/cluster",
    insights: "/api/insights/cluster",
    export: "/api/export/cluster",
    cluster_details: "/api/clusters",
  });
});

Deno.test("§4 the export class allows 20 requests an hour, then 429 with Retry-After", async () => {
  await using s = await service({
    default: { limit: 10_000, periodMs: HOUR_MS },
    export: { limit: 20, periodMs: HOUR_MS },
  });
  await s.withData();
  for (let i = 0; i < 20; i++) {
    const ok = await s.post("/api/export/gender", { format: "csv" });
    assert.equal(ok.status, 202);
    assert.equal(ok.headers.get("X-RateLimit-Limit"), "20");
    assert.equal(ok.headers.get("X-RateLimit-Remaining"), String(19 - i));
    assert.ok(Number(ok.headers.get("X-RateLimit-Reset")) > 0);
  }
  const limited = await s.post("/api/export/gender", { format: "csv" });
  assert.equal(limited.status, 429);
  assert.ok(Number(limited.headers.get("Retry-After")) > 0);
  assert.equal(limited.body.success, false);
});
