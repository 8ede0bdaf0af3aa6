/**
 * Document 000, `POST /api/v1/ai/purchasing_segmentation`, as a client written from the document
 * alone sees it: its example request sent as written (headers `X-Customer-Api-Id`, `X-Secret`,
 * `Content-Type`), the schema table's types and ranges, the response keys and their types, and
 * `selection: "silhouette"` for the document's literal rule of `best_algorithm`.
 *
 * The example has two customers, too few to segment (three are needed for any metric): it is
 * answered 422 with `errors`, as docs/conformance.md records.
 */
import assert from "node:assert/strict";
import { segmentationService } from "../routes/segmentation/_service.ts";
import { createRandom } from "../../compute/random.ts";

const PATH = "/api/v1/ai/purchasing_segmentation";

/** The document's request body, as written. */
const EXAMPLE = {
  "max_clusters": 10,
  "dbscan_eps": 0.40,
  "dbscan_min_samples": 5,
  "data": [
    {
      "customer_id": "C-1001",
      "features": {
        "purchase_total": 17850.55,
        "visit_frequency": 62,
        "avg_ticket": 287.27,
        "product_diversity": 36,
        "loyalty_score": 0.97,
        "recency_days": 3,
      },
    },
    {
      "customer_id": "C-1002",
      "features": {
        "purchase_total": 2340.00,
        "visit_frequency": 18,
        "avg_ticket": 130.00,
        "product_diversity": 10,
        "loyalty_score": 0.72,
        "recency_days": 15,
      },
    },
  ],
};

/** `n` customers around the example's two, with two more kinds, in the document's shape. */
function customers(n: number) {
  const rng = createRandom(11);
  const kinds = [
    EXAMPLE.data[0]!.features,
    EXAMPLE.data[1]!.features,
    {
      purchase_total: 400,
      visit_frequency: 3,
      avg_ticket: 130,
      product_diversity: 2,
      loyalty_score: 0.1,
      recency_days: 160,
    },
  ];
  return Array.from({ length: n }, (_, i) => {
    const f = kinds[i % kinds.length]!;
    const j = (v: number) => Math.max(0, v * (1 + 0.08 * rng.nextNormal()));
    return {
      customer_id: `C-${3000 + i}`,
      features: {
        purchase_total: Math.round(j(f.purchase_total) * 100) / 100,
        visit_frequency: Math.round(j(f.visit_frequency)),
        avg_ticket: Math.round(j(f.avg_ticket) * 100) / 100,
        product_diversity: Math.round(j(f.product_diversity)),
        loyalty_score: Math.min(1, j(f.loyalty_score)),
        recency_days: Math.round(j(f.recency_days)),
      },
    };
  });
}

async function service() {
  const s = await segmentationService();
  const { headers } = await s.tenant("acme");
  const post = async (body: unknown, extra: Record<string, string> = {}) => {
    const res = await s.app.request(PATH, {
      method: "POST",
      headers: { ...headers, ...extra },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  };
  return { post, [Symbol.asyncDispose]: () => s[Symbol.asyncDispose]() };
}

const METRIC_KEYS = [
  "algorithm",
  "params",
  "silhouette",
  "davies_bouldin",
  "calinski_harabasz",
  "n_clusters",
];

Deno.test("the document's example (two customers) is 422 with errors, in document 001's error body", async () => {
  await using s = await service();
  const { status, body } = await s.post(EXAMPLE);
  assert.equal(status, 422);
  assert.equal(body.error, "Validation failed");
  assert.equal(body.code, "INVALID_PARAMETER");
  assert.match(body.message, /at least 3 customers/);
  assert.deepEqual(Object.keys(body.errors), ["data"]);
  assert.equal(typeof body.request_id, "string");
});

Deno.test("the example's parameters with enough customers answer every documented key and type", async () => {
  await using s = await service();
  const { status, body } = await s.post({ ...EXAMPLE, data: [...EXAMPLE.data, ...customers(60)] });
  assert.equal(status, 200);
  assert.ok(["KMeans", "GaussianMixture", "Agglomerative", "DBSCAN"].includes(body.best_algorithm));
  assert.ok(Array.isArray(body.evaluation_metrics) && body.evaluation_metrics.length > 0);
  for (const m of body.evaluation_metrics) {
    for (const key of METRIC_KEYS) assert.ok(key in m, key);
    assert.equal(typeof m.params, "object");
    assert.ok(Number.isInteger(m.n_clusters));
  }
  assert.ok(body.clusters.length >= 2);
  for (const c of body.clusters) {
    assert.ok(Number.isInteger(c.cluster_id) && Number.isInteger(c.size));
    assert.equal(c.centroid.length, 6);
  }
  assert.equal(body.customer_labels.length, 62);
  assert.deepEqual(Object.keys(body.customer_labels[0]), ["customer_id", "cluster_id"]);
  assert.equal(body.customer_labels[0].customer_id, "C-1001");
  assert.equal(body.selection.rule, "auto");
});

Deno.test("selection silhouette gives the highest-silhouette eligible candidate, ties by lowest Davies-Bouldin", async () => {
  await using s = await service();
  const data = customers(90);
  const { status, body } = await s.post({ ...EXAMPLE, data, selection: "silhouette" });
  assert.equal(status, 200);
  assert.equal(body.selection.rule, "silhouette");
  const eligible = body.evaluation_metrics.filter((m: { eligible: boolean; silhouette: unknown }) =>
    m.eligible && m.silhouette !== null
  );
  const top = Math.max(...eligible.map((m: { silhouette: number }) => m.silhouette));
  const tied = eligible.filter((m: { silhouette: number }) => m.silhouette === top);
  const bestDb = Math.min(...tied.map((m: { davies_bouldin: number }) => m.davies_bouldin));
  const chosen = tied.find((m: { davies_bouldin: number }) => m.davies_bouldin === bestDb);
  assert.equal(body.best_algorithm, chosen.algorithm);
  assert.equal(body.selection.chosen.n_clusters, chosen.n_clusters);
  const clustered = body.clusters.length;
  assert.equal(clustered, chosen.n_clusters);
  assert.equal(body.customer_labels.length, 90);
});

Deno.test("without selection, the service's own rule chooses, and the response says so", async () => {
  await using s = await service();
  const { body } = await s.post({ data: customers(60) });
  assert.equal(body.selection.rule, "auto");
  assert.equal(typeof body.selection.description, "string");
  assert.equal((await s.post({ data: customers(60), selection: "best" })).status, 400);
});

Deno.test("a missing data is 400 MISSING_PARAMETER naming data in the body", async () => {
  await using s = await service();
  const { status, body } = await s.post({ max_clusters: 10 });
  assert.equal(status, 400);
  assert.equal(body.code, "MISSING_PARAMETER");
  assert.equal(body.details.parameter, "data");
  assert.equal(body.details.location, "body");
});

Deno.test("the schema table's ranges are enforced, naming the field and the record", async () => {
  await using s = await service();
  const cases: [Record<string, unknown>, string][] = [
    [{ max_clusters: 1 }, "max_clusters"],
    [{ dbscan_eps: 0 }, "dbscan_eps"],
    [{ dbscan_eps: 1.5 }, "dbscan_eps"],
    [{ dbscan_min_samples: 2 }, "dbscan_min_samples"],
  ];
  for (const [extra, field] of cases) {
    const { status, body } = await s.post({ ...extra, data: customers(10) });
    assert.equal(status, 422, field);
    assert.ok(field in body.errors, field);
  }
  const features: [string, number][] = [
    ["purchase_total", -1],
    ["visit_frequency", 1.5],
    ["loyalty_score", 1.2],
    ["recency_days", -3],
  ];
  for (const [name, value] of features) {
    const data = customers(10);
    (data[4]!.features as Record<string, number>)[name] = value;
    const { status, body } = await s.post({ data });
    assert.ok(status === 400 || status === 422, name);
    assert.ok(`data.4.features.${name}` in body.errors, name);
  }
});

Deno.test("without the tenant headers the answer is 401 AUTH_FAILED", async () => {
  await using s = await service();
  const { status, body } = await s.post(EXAMPLE, { "X-Customer-Api-Id": "", "X-Secret": "" });
  assert.equal(status, 401);
  assert.equal(body.code, "AUTH_FAILED");
  assert.equal(body.error, "Unauthorized");
});
