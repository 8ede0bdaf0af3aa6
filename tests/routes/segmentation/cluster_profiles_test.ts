/**
 * Document 001 through the app: both request shapes, the three sources of labels (request, a
 * stored run, computed here), tenant scoping of runs, the EchoIntel 4.1.11 fields, languages,
 * validation naming fields and record indexes, and the three paths.
 */
import assert from "node:assert/strict";
import { segmentationService } from "./_service.ts";
import { createRandom } from "../../../compute/random.ts";
import { getRun } from "../../../domain/segmentation/runs.ts";

const PATH = "/api/v1/ai/echointel/customer-intelligence/segment-cluster-profiles";

async function service() {
  const s = await segmentationService();
  const acme = await s.tenant("acme");
  const other = await s.tenant("other");
  const post = async (
    body: unknown,
    extra: Record<string, string> = {},
    path = PATH,
    headers: Record<string, string> = acme.headers,
  ) => {
    const res = await s.app.request(path, {
      method: "POST",
      headers: { ...headers, ...extra },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    assert.ok(!text.includes("NaN"), `NaN in the response: ${text.slice(0, 300)}`);
    assert.ok(!text.includes("undefined"), `undefined in the response: ${text.slice(0, 300)}`);
    return { status: res.status, body: JSON.parse(text) };
  };
  return {
    kv: s.kv,
    post,
    tenantId: acme.tenantId,
    otherHeaders: other.headers,
    [Symbol.asyncDispose]: () => s[Symbol.asyncDispose](),
  };
}

/** Three personas of customers with general features and attributes. */
function general(n: number) {
  const rng = createRandom(7);
  const personas = [
    { spend: 5000, visits: 40, recency_days: 5, gender: "F", region: "north" },
    { spend: 800, visits: 10, recency_days: 40, gender: "M", region: "south" },
    { spend: 150, visits: 2, recency_days: 200, gender: "F", region: "east" },
  ];
  return Array.from({ length: n }, (_, i) => {
    const p = personas[i % 3]!;
    const j = (v: number) => Math.max(0, Math.round(v * (1 + 0.08 * rng.nextNormal()) * 100) / 100);
    return {
      customer_id: `C-${i}`,
      features: { spend: j(p.spend), visits: j(p.visits), recency_days: j(p.recency_days) },
      attributes: { gender: i % 5 === 0 ? "M" : p.gender, region: p.region },
    };
  });
}

/** Purchasing customers (document 000's six features), four personas. */
function purchasing(n: number) {
  const rng = createRandom(4);
  const personas = [
    [17850, 62, 287, 36, 0.97, 3],
    [2340, 18, 130, 10, 0.72, 15],
    [9000, 8, 1100, 5, 0.3, 160],
    [400, 3, 130, 2, 0.1, 10],
  ];
  return Array.from({ length: n }, (_, i) => {
    const p = personas[i % 4]!;
    const j = (k: number) => Math.max(0, p[k]! * (1 + 0.1 * rng.nextNormal()));
    return {
      customer_id: `P-${i}`,
      features: {
        purchase_total: Math.round(j(0) * 100) / 100,
        visit_frequency: Math.round(j(1)),
        avg_ticket: Math.round(j(2) * 100) / 100,
        product_diversity: Math.round(j(3)),
        loyalty_score: Math.min(1, j(4)),
        recency_days: Math.round(j(5)),
      },
    };
  });
}

/** EchoIntel 4.1.11 customers in three known clusters, and their labels. */
function echo() {
  const clusters = [
    { spend: [1200, 1500, 1800, 2100], frequency: 20, types: ["electronics", "gaming", "audio"] },
    { spend: [300, 350, 400], frequency: 8, types: ["groceries", "household", "electronics"] },
    { spend: [50, 60, 70, 80, 90], frequency: 2, types: ["books", "stationery"] },
  ];
  const customers: {
    id: string;
    frequency: number;
    amount_spent: number;
    product_types: string[];
  }[] = [];
  const labels: Record<string, number> = {};
  clusters.forEach((c, k) =>
    c.spend.forEach((s, i) => {
      const id = `cust_${k}_${i}`;
      customers.push({
        id,
        frequency: c.frequency + i,
        amount_spent: s,
        product_types: c.types.slice(0, 1 + (i % c.types.length)),
      });
      labels[id] = k;
    })
  );
  return { customers, labels, clusters };
}

Deno.test("general shape with labels from the request", async () => {
  await using s = await service();
  const data = general(60);
  const labels = Object.fromEntries(data.map((c, i) => [c.customer_id, i % 3]));
  const { status, body } = await s.post({ data, labels });
  assert.equal(status, 200, JSON.stringify(body));
  assert.equal(body.labels_source, "request");
  assert.equal(body.n_customers, 60);
  assert.equal(body.n_clusters, 3);
  assert.deepEqual(body.feature_names, ["spend", "visits", "recency_days"]);
  assert.equal(body.profiles.clusters.length, 3);
  const c0 = body.profiles.clusters[0];
  assert.equal(c0.size, 20);
  assert.ok(c0.features.spend.mean > 4000);
  assert.equal(c0.categorical.region.north.share, 1);
  assert.equal(c0.top_categories.region[0].level, "north");
  assert.equal(body.segments.length, 3);
  assert.equal(typeof body.segments[0].persona_label, "string");
  assert.deepEqual(body.customer_labels[4], { customer_id: "C-4", cluster_id: 1 });
  // Stored under the tenant, invisible to another.
  assert.match(body.run_id, /^run_[0-9a-f]{24}$/);
  const run = await getRun<{ response: { n_clusters: number } }>(s.kv, s.tenantId, body.run_id);
  assert.equal(run?.source, "segment_cluster_profiles");
  assert.equal(run?.body.response.n_clusters, 3);
  assert.equal(await getRun(s.kv, "other-tenant", body.run_id), null);
});

Deno.test("general shape with the labels of a prior purchasing_segmentation run", async () => {
  await using s = await service();
  const data = purchasing(80);
  const seg = await s.post({ data }, {}, "/api/v1/ai/purchasing_segmentation");
  assert.equal(seg.status, 200, JSON.stringify(seg.body));
  const { status, body } = await s.post({ data, run_id: seg.body.run_id });
  assert.equal(status, 200, JSON.stringify(body));
  assert.equal(body.labels_source, "run");
  assert.deepEqual(body.customer_labels, seg.body.customer_labels);
  assert.equal(body.n_clusters, seg.body.clusters.length);
  // The same profile sizes as the segmentation's clusters.
  assert.deepEqual(
    body.profiles.clusters.map((c: { size: number }) => c.size),
    seg.body.clusters.map((c: { size: number }) => c.size),
  );
  // Another tenant cannot use the run id.
  const foreign = await s.post({ data, run_id: seg.body.run_id }, s.otherHeaders);
  assert.equal(foreign.status, 404);
  assert.equal(foreign.body.code, "NOT_FOUND");
  const unknown = await s.post({ data, run_id: "run_000000000000000000000000" });
  assert.equal(unknown.status, 404);
});

Deno.test("general shape without labels segments first", async () => {
  await using s = await service();
  const data = general(90);
  const { status, body } = await s.post(
    { data, max_clusters: 5 },
    {},
    "/api/segment_cluster_profiles",
  );
  assert.equal(status, 200, JSON.stringify(body));
  assert.equal(body.labels_source, "computed");
  assert.ok(body.n_clusters >= 2 && body.n_clusters <= 5);
  assert.equal(body.customer_labels.length, 90);
  assert.equal(typeof body.segmentation.algorithm, "string");
  // labels: null means the same.
  const again = await s.post({ data, labels: null, max_clusters: 5 });
  assert.equal(again.status, 200);
  assert.equal(again.body.labels_source, "computed");
  assert.deepEqual(again.body.customer_labels, body.customer_labels);
});

Deno.test("EchoIntel 4.1.11 shape: cluster_profiles field for field", async () => {
  await using s = await service();
  const { customers, labels, clusters } = echo();
  const { status, body } = await s.post(
    { customers, labels },
    {},
    "/api/v1/ai/segment_cluster_profiles",
  );
  assert.equal(status, 200, JSON.stringify(body));
  assert.equal(body.labels_source, "request");
  const cp = body.cluster_profiles;
  assert.deepEqual(cp.map((c: { cluster_id: number }) => c.cluster_id), [0, 1, 2]);
  const total = clusters.flatMap((c) => c.spend).reduce((a, b) => a + b, 0);
  clusters.forEach((c, k) => {
    const p = cp[k];
    const sorted = [...c.spend].sort((a, b) => a - b);
    const mid = sorted.length / 2;
    const median = sorted.length % 2
      ? sorted[Math.floor(mid)]!
      : (sorted[mid - 1]! + sorted[mid]!) / 2;
    const sum = c.spend.reduce((a, b) => a + b, 0);
    assert.equal(p.n_customers, c.spend.length);
    assert.equal(p.avg_spend, Math.round((sum / c.spend.length) * 100) / 100);
    assert.equal(p.median_spend, median);
    assert.ok(Math.abs(p.share_of_revenue_pct - (100 * sum) / total) < 0.01);
    const freqs = c.spend.map((_, i) => c.frequency + i);
    assert.equal(
      p.avg_frequency,
      Math.round(freqs.reduce((a, b) => a + b, 0) / freqs.length * 100) / 100,
    );
    assert.equal(typeof p.top_categories, "string");
    const cats = p.top_categories.split(", ");
    assert.ok(cats.length >= 1 && cats.length <= 5);
    assert.equal(cats[0], c.types[0] === "electronics" && k === 1 ? "groceries" : c.types[0]);
    assert.ok(cats.every((t: string) => c.types.includes(t)), p.top_categories);
    assert.equal(typeof p.insight, "string");
    assert.ok(p.insight.length > 5);
  });
  // Cluster 1's most distinctive type is its own (groceries), not the shared electronics.
  assert.ok(!cp[1].top_categories.startsWith("electronics"), cp[1].top_categories);
  const pct = cp.reduce(
    (a: number, c: { share_of_revenue_pct: number }) => a + c.share_of_revenue_pct,
    0,
  );
  assert.ok(Math.abs(pct - 100) < 0.02, String(pct));
  // The richer statistics come alongside.
  assert.equal(body.profiles.clusters.length, 3);
  assert.equal(body.profiles.clusters[0].features.amount_spent.median, cp[0].median_spend);
  assert.deepEqual(body.feature_names, ["frequency", "amount_spent", "n_product_types"]);
});

Deno.test("narratives follow Accept-Language, and the body's language wins", async () => {
  await using s = await service();
  const { customers, labels } = echo();
  const en = await s.post({ customers, labels });
  const es = await s.post({ customers, labels }, { "Accept-Language": "es-ES,es;q=0.9" });
  assert.equal(en.status, 200);
  assert.equal(es.status, 200);
  assert.deepEqual(
    es.body.cluster_profiles.map((c: { avg_spend: number }) => c.avg_spend),
    en.body.cluster_profiles.map((c: { avg_spend: number }) => c.avg_spend),
  );
  assert.notEqual(es.body.segments[0].persona, en.body.segments[0].persona);
  assert.notEqual(es.body.cluster_profiles[0].insight, en.body.cluster_profiles[0].insight);
  const data = general(30);
  const labels2 = Object.fromEntries(data.map((c, i) => [c.customer_id, i % 3]));
  const gEn = await s.post({ data, labels: labels2 }, { "Accept-Language": "es" });
  const gEs = await s.post({ data, labels: labels2, language: "en" }, { "Accept-Language": "es" });
  assert.notEqual(gEn.body.segments[0].persona, gEs.body.segments[0].persona);
  const plain = await s.post({ data, labels: labels2 });
  assert.equal(plain.body.segments[0].persona, gEs.body.segments[0].persona);
});

Deno.test("a customer without a label is refused, naming it", async () => {
  await using s = await service();
  const { customers, labels } = echo();
  delete labels["cust_1_2"];
  const res = await s.post({ customers, labels });
  assert.equal(res.status, 422);
  assert.match(res.body.message, /cust_1_2/);
  assert.match(res.body.message, /customers\.6/);
  const data = general(12);
  const partial = Object.fromEntries(data.slice(1).map((c) => [c.customer_id, 0]));
  const g = await s.post({ data, labels: partial });
  assert.equal(g.status, 422);
  assert.match(g.body.message, /"C-0"/);
  const none = await s.post({ customers });
  assert.equal(none.status, 400);
  assert.match(none.body.message, /labels/);
});

Deno.test("validation names each field path and record index", async () => {
  await using s = await service();
  const data: { customer_id: string; features: Record<string, unknown> }[] = general(10);
  data[3]!.features.spend = "lots";
  delete data[5]!.features.visits;
  data[6]!.features.extra = 1;
  const { status, body } = await s.post({ data });
  assert.ok(status === 400 || status === 422);
  const paths = body.details.issues.map((i: { path: string }) => i.path);
  assert.ok(paths.includes("data.3.features.spend"), paths.join(", "));
  assert.ok("errors" in body);
  // The feature sets once the types are right.
  data[3]!.features.spend = 5;
  const sets = await s.post({ data });
  assert.equal(sets.status, 422);
  const setPaths = sets.body.details.issues.map((i: { path: string }) => i.path);
  assert.ok(setPaths.includes("data.5.features"), setPaths.join(", "));
  assert.ok(setPaths.includes("data.6.features"), setPaths.join(", "));
  const { customers, labels } = echo();
  customers[2]!.frequency = 0;
  customers[4]!.product_types = [];
  const bad = await s.post({ customers, labels });
  assert.equal(bad.status, 422);
  const echoPaths = bad.body.details.issues.map((i: { path: string }) => i.path);
  assert.ok(echoPaths.includes("customers.2.frequency"), echoPaths.join(", "));
  assert.ok(echoPaths.includes("customers.4.product_types"), echoPaths.join(", "));
  const missing = await s.post({ labels: {} });
  assert.equal(missing.status, 400);
  assert.match(missing.body.message, /data/);
  // camelCase parameters are accepted; label keys (customer ids) are left as they are.
  const { customers: cs, labels: ls } = echo();
  const camel = await s.post({
    customers: cs.map(({ amount_spent, product_types, ...c }) => ({
      ...c,
      amountSpent: amount_spent,
      productTypes: product_types,
    })),
    labels: ls,
  });
  assert.equal(camel.status, 200, JSON.stringify(camel.body));
});

Deno.test("segment cluster profiles needs credentials", async () => {
  await using s = await service();
  const { customers, labels } = echo();
  const res = await s.post({ customers, labels }, { "X-Customer-Api-Id": "", "X-Secret": "" });
  assert.equal(res.status, 401);
});
