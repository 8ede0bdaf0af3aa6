/**
 * Document 000 through the app: the document's own example, a real segmentation of generated
 * customers, validation naming fields and records, the alias path, and the stored run.
 */
import assert from "node:assert/strict";
import { segmentationService } from "./_service.ts";
import { createRandom } from "../../../compute/random.ts";
import { getRun } from "../../../domain/segmentation/runs.ts";

async function service() {
  const s = await segmentationService();
  const acme = await s.tenant("acme");
  const post = (
    body: unknown,
    extra: Record<string, string> = {},
    path = "/api/v1/ai/purchasing_segmentation",
  ) =>
    s.app.request(path, {
      method: "POST",
      headers: { ...acme.headers, ...extra },
      body: JSON.stringify(body),
    });
  const get = (path: string, h: Record<string, string> = acme.headers) =>
    s.app.request(path, { headers: h });
  const otherTenantHeaders = async () => (await s.tenant("globex")).headers;
  return {
    kv: s.kv,
    post,
    get,
    otherTenantHeaders,
    tenantId: acme.tenantId,
    [Symbol.asyncDispose]: () => s[Symbol.asyncDispose](),
  };
}

/** The document's two example customers. */
const DOC_CUSTOMERS = [
  {
    customer_id: "C-1001",
    features: {
      purchase_total: 17850.55,
      visit_frequency: 62,
      avg_ticket: 287.27,
      product_diversity: 36,
      loyalty_score: 0.97,
      recency_days: 3,
    },
  },
  {
    customer_id: "C-1002",
    features: {
      purchase_total: 2340.00,
      visit_frequency: 18,
      avg_ticket: 130.00,
      product_diversity: 10,
      loyalty_score: 0.72,
      recency_days: 15,
    },
  },
];

/** Customers around the document's two examples and two more personas. */
function customers(n: number) {
  const rng = createRandom(4);
  const personas = [
    DOC_CUSTOMERS[0]!.features,
    DOC_CUSTOMERS[1]!.features,
    {
      purchase_total: 9000,
      visit_frequency: 8,
      avg_ticket: 1100,
      product_diversity: 5,
      loyalty_score: 0.3,
      recency_days: 160,
    },
    {
      purchase_total: 400,
      visit_frequency: 3,
      avg_ticket: 130,
      product_diversity: 2,
      loyalty_score: 0.1,
      recency_days: 10,
    },
  ];
  return Array.from({ length: n }, (_, i) => {
    const p = personas[i % 4]!;
    const j = (v: number, s: number) => Math.max(0, v * (1 + s * rng.nextNormal()));
    return {
      customer_id: `C-${2000 + i}`,
      features: {
        purchase_total: Math.round(j(p.purchase_total, 0.1) * 100) / 100,
        visit_frequency: Math.round(j(p.visit_frequency, 0.1)),
        avg_ticket: Math.round(j(p.avg_ticket, 0.1) * 100) / 100,
        product_diversity: Math.round(j(p.product_diversity, 0.1)),
        loyalty_score: Math.min(1, j(p.loyalty_score, 0.05)),
        recency_days: Math.round(j(p.recency_days, 0.1)),
      },
    };
  });
}

Deno.test("POST /api/v1/ai/purchasing_segmentation answers the document's request field for field", async () => {
  await using s = await service();
  const data = [...DOC_CUSTOMERS, ...customers(200)];
  const res = await s.post({ max_clusters: 10, dbscan_eps: 0.40, dbscan_min_samples: 5, data });
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.ok(["KMeans", "GaussianMixture", "Agglomerative", "DBSCAN"].includes(body.best_algorithm));
  assert.ok(body.evaluation_metrics.length >= 28);
  for (const m of body.evaluation_metrics) {
    for (
      const f of [
        "algorithm",
        "params",
        "silhouette",
        "davies_bouldin",
        "calinski_harabasz",
        "n_clusters",
      ]
    ) {
      assert.ok(f in m, `evaluation_metrics item lacks ${f}`);
    }
  }
  assert.deepEqual(body.feature_names, [
    "purchase_total",
    "visit_frequency",
    "avg_ticket",
    "product_diversity",
    "loyalty_score",
    "recency_days",
  ]);
  assert.equal(body.clusters.length >= 2, true);
  for (const c of body.clusters) {
    assert.equal(typeof c.cluster_id, "number");
    assert.equal(c.centroid.length, 6);
    assert.equal(typeof c.persona_label, "string");
    assert.ok(c.persona.length > 40);
  }
  assert.equal(body.customer_labels.length, data.length);
  assert.deepEqual(body.customer_labels[0], {
    customer_id: "C-1001",
    cluster_id: body.customer_labels[0].cluster_id,
  });
  assert.ok(!JSON.stringify(body).includes("NaN"));
  // The run is stored under the tenant and readable by its id.
  assert.match(body.run_id, /^run_[0-9a-f]{24}$/);
  const run = await getRun<{ response: { best_algorithm: string } }>(s.kv, s.tenantId, body.run_id);
  assert.equal(run?.body.response.best_algorithm, body.best_algorithm);
  assert.equal(await getRun(s.kv, "other-tenant", body.run_id), null);
});

Deno.test("the EchoIntel SDK path is an alias, and personas follow Accept-Language", async () => {
  await using s = await service();
  const data = customers(120);
  const en = await (await s.post({ data })).json();
  const pt =
    await (await s.post({ data }, { "Accept-Language": "pt-BR" }, "/api/purchasing_segmentation"))
      .json();
  assert.equal(pt.best_algorithm, en.best_algorithm);
  assert.deepEqual(pt.customer_labels, en.customer_labels);
  assert.notEqual(pt.clusters[0].persona, en.clusters[0].persona);
});

Deno.test("purchasing_segmentation names each failing field and record index", async () => {
  await using s = await service();
  const bad = customers(10);
  bad[3]!.features.loyalty_score = 1.5;
  bad[7]!.customer_id = bad[2]!.customer_id;
  const res = await s.post({ dbscan_eps: 2, data: bad });
  assert.ok(res.status === 400 || res.status === 422);
  const body = await res.json();
  const paths = body.details.issues.map((i: { path: string }) => i.path);
  assert.ok(paths.includes("data.3.features.loyalty_score"), paths.join(", "));
  assert.ok(paths.includes("data.7.customer_id"), paths.join(", "));
  assert.ok(paths.includes("dbscan_eps"), paths.join(", "));
  assert.ok("errors" in body);
  const missing = await s.post({ max_clusters: 3 });
  assert.equal(missing.status, 400);
  assert.match((await missing.json()).message, /data/);
  const tooFew = await s.post({ data: DOC_CUSTOMERS });
  assert.equal(tooFew.status, 422);
  assert.match((await tooFew.json()).message, /at least 3 customers/);
});

Deno.test("purchasing_segmentation needs credentials", async () => {
  await using s = await service();
  const res = await s.post({ data: DOC_CUSTOMERS }, { "X-Customer-Api-Id": "", "X-Secret": "" });
  assert.equal(res.status, 401);
});

/** Reference 4.1.7's customers: `n` in three groups (occasional, regular, big spenders). */
function echoCustomers(n: number) {
  const rng = createRandom(7);
  const groups = [
    { frequency: 2, amount_spent: 80, types: ["snacks"] },
    { frequency: 12, amount_spent: 900, types: ["snacks", "drinks", "dairy"] },
    {
      frequency: 40,
      amount_spent: 6000,
      types: ["snacks", "drinks", "dairy", "electronics", "garden", "toys"],
    },
  ];
  return Array.from({ length: n }, (_, i) => {
    const g = groups[i % 3]!;
    const j = (v: number) => Math.max(0, v * (1 + 0.1 * rng.nextNormal()));
    return {
      id: i % 2 === 0 ? `E-${i}` : 5000 + i,
      frequency: Math.max(1, Math.round(j(g.frequency))),
      amount_spent: Math.round(j(g.amount_spent) * 100) / 100,
      product_types: g.types.slice(0, Math.max(1, g.types.length - (i % 2))),
    };
  });
}

Deno.test("purchasing_segmentation answers reference 4.1.7's customers shape", async () => {
  await using s = await service();
  const customers = echoCustomers(120);
  const res = await s.post({
    customers,
    k_range: [3, 4, 5, 6],
    algorithms: ["KMeans", "gmm", "Ward"],
  });
  assert.equal(res.status, 200);
  const body = await res.json();
  for (
    const key of [
      "run_id",
      "benchmark",
      "best_model",
      "centroids",
      "labels",
      "interpretations_en",
      "dendrogram",
    ]
  ) {
    assert.ok(key in body, `response lacks ${key}`);
  }
  assert.ok(body.benchmark.length >= 12);
  for (const b of body.benchmark) {
    for (const f of ["algo", "k", "silhouette", "davies_bouldin"]) assert.ok(f in b);
    assert.ok(["kmeans", "gmm", "agglomerative"].includes(b.algo), b.algo);
  }
  for (const f of ["algo", "k", "silhouette", "davies_bouldin", "n_clusters"]) {
    assert.ok(f in body.best_model, `best_model lacks ${f}`);
  }
  assert.ok(body.best_model.k >= 3 && body.best_model.k <= 6, String(body.best_model.k));
  const k = body.best_model.n_clusters;
  assert.equal(body.centroids.length, k);
  for (const row of body.centroids) assert.equal(row.length, 3);
  assert.deepEqual(Object.keys(body.labels).sort(), customers.map((c) => String(c.id)).sort());
  for (const label of Object.values(body.labels)) {
    assert.ok(Number.isInteger(label) && (label as number) >= 0 && (label as number) < k);
  }
  assert.equal(Object.keys(body.interpretations_en).length, k);
  for (let c = 0; c < k; c++) {
    assert.equal(typeof body.interpretations_en[String(c)], "string");
    assert.ok(body.interpretations_en[String(c)].length > 20);
  }
  // The three groups are recovered: customers of one group share a label.
  if (k === 3) {
    for (let g = 0; g < 3; g++) {
      const ls = new Set(customers.filter((_, i) => i % 3 === g).map((c) => body.labels[c.id]));
      assert.equal(ls.size, 1);
    }
  }
  assert.equal(body.dendrogram.merges.length, k - 1);
  for (const m of body.dendrogram.merges) assert.equal(m.length, 4);
  assert.equal(body.dendrogram.merges.at(-1)[3], customers.length);
  assert.ok(!JSON.stringify(body).includes("NaN"));
  const run = await getRun<{ response: { best_model: { k: number } } }>(
    s.kv,
    s.tenantId,
    body.run_id,
  );
  assert.equal(run?.body.response.best_model.k, body.best_model.k);
  // The SDK alias takes the same shape, defaults included.
  const alias = await s.post({ customers }, {}, "/api/purchasing_segmentation");
  assert.equal(alias.status, 200);
  const aliasBody = await alias.json();
  assert.ok(aliasBody.best_model.k >= 3 && aliasBody.best_model.k <= 8);
  assert.ok(aliasBody.benchmark.every((b: { algo: string }) => b.algo !== "dbscan"));
});

Deno.test("purchasing_segmentation refuses both shapes, neither, and duplicate customer ids", async () => {
  await using s = await service();
  const customers = echoCustomers(12);
  const both = await s.post({ data: DOC_CUSTOMERS, customers });
  assert.equal(both.status, 400);
  assert.match((await both.json()).message, /either data or customers/);
  const neither = await s.post({ k_range: [3] });
  assert.equal(neither.status, 400);
  const dup = echoCustomers(12);
  dup[9]!.id = dup[4]!.id;
  const res = await s.post({ customers: dup });
  assert.equal(res.status, 422);
  const body = await res.json();
  const paths = body.details.issues.map((i: { path: string }) => i.path);
  assert.ok(paths.includes("customers.9.id"), paths.join(", "));
  assert.match(JSON.stringify(body), /customers\.4/);
  const bad = echoCustomers(12);
  bad[3]!.frequency = 0;
  bad[5]!.product_types = [];
  const invalid = await s.post({ customers: bad, k_range: [2], algorithms: ["spectral"] });
  assert.ok(invalid.status === 400 || invalid.status === 422);
  const issues = (await invalid.json()).details.issues.map((i: { path: string }) => i.path);
  for (
    const p of ["customers.3.frequency", "customers.5.product_types", "k_range.0", "algorithms.0"]
  ) {
    assert.ok(issues.includes(p), `${p} not in ${issues.join(", ")}`);
  }
  const tooFew = await s.post({ customers: echoCustomers(3) });
  assert.equal(tooFew.status, 422);
});

Deno.test("GET /api/runs/{run_id} returns the stored run to its tenant only", async () => {
  await using s = await service();
  const posted = await (await s.post({ data: customers(60) })).json();
  const res = await s.get(`/api/runs/${posted.run_id}`);
  assert.equal(res.status, 200);
  const run = await res.json();
  assert.equal(run.run_id, posted.run_id);
  assert.equal(run.source, "purchasing_segmentation");
  assert.equal(run.body.response.best_algorithm, posted.best_algorithm);
  const other = await s.get(`/api/runs/${posted.run_id}`, await s.otherTenantHeaders());
  assert.equal(other.status, 404);
  assert.equal((await s.get("/api/runs/run_000000000000000000000000")).status, 404);
});

Deno.test("purchasing_segmentation reports its log-scaling and skew_handling off turns it off, in either casing", async () => {
  await using s = await service();
  const data = [...DOC_CUSTOMERS, ...customers(120)];
  const auto = await (await s.post({ max_clusters: 6, data })).json();
  assert.equal(auto.preprocessing.skew_handling, "auto");
  for (const item of auto.preprocessing.log_scaled) {
    assert.ok(auto.feature_names.includes(item.feature));
    assert.equal(typeof item.reason, "string");
  }
  for (const body of [{ skew_handling: "off" }, { skewHandling: "off" }]) {
    const res = await s.post({ max_clusters: 6, data, ...body });
    assert.equal(res.status, 200);
    const off = await res.json();
    assert.equal(off.preprocessing.skew_handling, "off");
    assert.deepEqual(off.preprocessing.log_scaled, []);
  }
  const bad = await s.post({ max_clusters: 6, data, skew_handling: "sometimes" });
  assert.equal(bad.status, 400);
  assert.match(JSON.stringify(await bad.json()), /skew_handling/);
});
