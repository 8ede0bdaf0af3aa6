/**
 * Document 002, `POST /api/analyze` and `POST /api/recommendations`, as a client written from
 * the document alone sees them: the document's example request sent as written
 * (`{"customerData": [{"id": 1, "age": 35, "gender": "Male", "income": 75000, "purchases": 12,
 * "region": "North"}, …]}`), the response's documented fields and their types (clusters with
 * `clusterId`, `customers` as customer objects, `centroid`, `clusterName`, `characteristics`;
 * `featureImportance`; `accuracy`), and `POST /api/recommendations` on "the entire analysis
 * response", on an analysis in the document's own shape made elsewhere, and in the language of
 * `Accept-Language`.
 *
 * The document names no authentication; its requests carry a tenant's credentials, as any
 * deployment asks. Errors are checked for their status and for naming the field at fault (their
 * body's shape is document 001's, checked in doc001_test.ts).
 */
import assert from "node:assert/strict";
import { segmentationService } from "../routes/segmentation/_service.ts";

/** A parsed JSON response, read field by field. */
// deno-lint-ignore no-explicit-any
type Json = any;

/** The document's example customer, as written. */
const EXAMPLE_CUSTOMER = {
  "id": 1,
  "age": 35,
  "gender": "Male",
  "income": 75000,
  "purchases": 12,
  "region": "North",
};

/** "// ... more customer records": the example's fields, in three recognisable groups. */
function customerData(n: number) {
  const groups = [
    { age: 35, income: 75000, purchases: 12, region: "North", gender: "Male" },
    { age: 62, income: 30000, purchases: 2, region: "South", gender: "Female" },
    { age: 24, income: 28000, purchases: 25, region: "East", gender: "Female" },
  ];
  return [
    EXAMPLE_CUSTOMER,
    ...Array.from({ length: n - 1 }, (_, k) => {
      const i = k + 1;
      const g = groups[i % 3]!;
      return {
        id: i + 1,
        age: g.age + (i % 5) - 2,
        gender: i % 7 === 0 ? "Male" : g.gender,
        income: g.income + ((i * 379) % 4000) - 2000,
        purchases: Math.max(0, g.purchases + (i % 3) - 1),
        region: g.region,
      };
    }),
  ];
}

async function service() {
  const s = await segmentationService();
  const acme = await s.tenant("acme");
  /** curl -X POST <path> -H "Content-Type: application/json" -d '<body>' */
  const post = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
    const res = await s.app.request(path, {
      method: "POST",
      headers: { ...acme.headers, ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() as Json };
  };
  return { post, [Symbol.asyncDispose]: () => s[Symbol.asyncDispose]() };
}

const isNumber = (v: unknown) => typeof v === "number" && Number.isFinite(v);

/** The response of §1 as the document shows it: every field, with its type. */
function assertDocumentedAnalysis(body: Json, sent: readonly Record<string, unknown>[]) {
  assert.ok(Array.isArray(body.clusters) && body.clusters.length >= 2);
  const returned: Json[] = [];
  for (const cluster of body.clusters) {
    assert.ok(Number.isInteger(cluster.clusterId));
    assert.ok(Array.isArray(cluster.customers), "customers: array of customer objects");
    for (const customer of cluster.customers) {
      assert.equal(typeof customer, "object");
      returned.push(customer);
    }
    assert.equal(typeof cluster.centroid, "object");
    for (const field of ["age", "income", "purchases"]) {
      assert.ok(isNumber(cluster.centroid[field]), `centroid.${field}`);
    }
    assert.equal(typeof cluster.clusterName, "string");
    assert.ok(cluster.clusterName.length > 0);
    assert.ok(Array.isArray(cluster.characteristics));
    for (const c of cluster.characteristics) assert.equal(typeof c, "string");
  }
  // Every customer object comes back once, as it was sent (ids keep their type).
  assert.deepEqual(
    [...returned].sort((a, b) => a.id - b.id),
    [...sent].sort((a, b) => (a.id as number) - (b.id as number)),
  );
  assert.equal(typeof body.featureImportance, "object");
  for (const field of ["age", "income", "purchases"]) {
    assert.ok(isNumber(body.featureImportance[field]), `featureImportance.${field}`);
  }
  assert.ok(isNumber(body.accuracy) && body.accuracy >= 0 && body.accuracy <= 1);
}

Deno.test("POST /api/analyze with the document's example body answers its documented fields", async () => {
  await using s = await service();
  const sent = customerData(60);
  const res = await s.post("/api/analyze", { customerData: sent });
  assert.equal(res.status, 200);
  assertDocumentedAnalysis(res.body, sent);
  const first = res.body.clusters.find((c: Json) => c.customers.some((x: Json) => x.id === 1));
  assert.deepEqual(first.customers.find((x: Json) => x.id === 1), EXAMPLE_CUSTOMER);
});

Deno.test("POST /api/analyze with the document's own example record list as the request", async () => {
  await using s = await service();
  // The request body as the document prints it, comments removed, three records long.
  const body = `{
  "customerData": [
    {
      "id": 1,
      "age": 35,
      "gender": "Male",
      "income": 75000,
      "purchases": 12,
      "region": "North"
    },
    {"id": 2, "age": 62, "gender": "Female", "income": 30000, "purchases": 2, "region": "South"},
    {"id": 3, "age": 24, "gender": "Female", "income": 28000, "purchases": 25, "region": "East"}
  ]
}`;
  const res = await s.post("/api/analyze", body);
  assert.equal(res.status, 200);
  assertDocumentedAnalysis(res.body, JSON.parse(body).customerData);
});

Deno.test("POST /api/analyze: records with ids that are text keep them as text", async () => {
  await using s = await service();
  const sent = customerData(30).map((c) => ({ ...c, id: `C${c.id}` }));
  const res = await s.post("/api/analyze", { customerData: sent });
  assert.equal(res.status, 200);
  const ids = res.body.clusters.flatMap((c: Json) => c.customers.map((x: Json) => x.id));
  assert.ok(ids.every((id: unknown) => typeof id === "string"));
  assert.ok(ids.includes("C1"));
});

Deno.test("POST /api/analyze: the document's Python model, any other fields accepted", async () => {
  await using s = await service();
  // `class CustomerData`: id, age, gender, income, purchases, region "# Add any other fields".
  const sent = customerData(45).map((c, i) => ({ ...c, loyalty_tier: ["a", "b", "c"][i % 3] }));
  const res = await s.post("/api/analyze", { customerData: sent });
  assert.equal(res.status, 200);
  assert.ok("loyalty_tier" in res.body.featureImportance);
});

Deno.test("POST /api/analyze without customerData is 400 naming customerData", async () => {
  await using s = await service();
  const res = await s.post("/api/analyze", {});
  assert.equal(res.status, 400);
  assert.match(JSON.stringify(res.body), /customerData/);
});

Deno.test("POST /api/analyze with customerData that is not a list of records is 400", async () => {
  await using s = await service();
  for (const customerData of ["x", [1, 2, 3], {}]) {
    const res = await s.post("/api/analyze", { customerData });
    assert.equal(res.status, 400, JSON.stringify(customerData));
    assert.match(JSON.stringify(res.body), /customerData/);
  }
});

Deno.test("POST /api/analyze with too few customers to segment names customerData", async () => {
  await using s = await service();
  const res = await s.post("/api/analyze", { customerData: [EXAMPLE_CUSTOMER] });
  assert.ok(res.status === 400 || res.status === 422, String(res.status));
  assert.match(JSON.stringify(res.body), /customerData/);
});

Deno.test("POST /api/recommendations on the entire analysis response answers strings", async () => {
  await using s = await service();
  const analysis = (await s.post("/api/analyze", { customerData: customerData(60) })).body;
  const res = await s.post("/api/recommendations", { analysis });
  assert.equal(res.status, 200);
  assert.ok(Array.isArray(res.body.recommendations) && res.body.recommendations.length > 0);
  for (const line of res.body.recommendations) assert.equal(typeof line, "string");
  const names = analysis.clusters.map((c: Json) => c.clusterName);
  for (const line of res.body.recommendations) {
    assert.ok(names.some((n: string) => line.includes(`“${n}”`)), line);
  }
});

/** An analysis in the document's shape, as another implementation of document 002 answers it. */
const DOCUMENT_ANALYSIS = {
  "clusters": [
    {
      "clusterId": 0,
      "customers": [],
      "centroid": { "age": 35.5, "income": 72000, "purchases": 14.3 },
      "clusterName": "High-Value Customers",
      "characteristics": [
        "Higher income bracket",
        "Medium purchase frequency",
        "Primarily from North region",
      ],
    },
    {
      "clusterId": 1,
      "customers": [],
      "centroid": { "age": 27, "income": 31000, "purchases": 4.1 },
      "clusterName": "New Potentials",
      "characteristics": ["Lower income bracket", "Low purchase frequency"],
    },
  ],
  "featureImportance": { "age": 0.15, "income": 0.65, "purchases": 0.20 },
  "accuracy": 0.85,
};

Deno.test("POST /api/recommendations on an analysis in the document's shape, with no run", async () => {
  await using s = await service();
  const res = await s.post("/api/recommendations", { analysis: DOCUMENT_ANALYSIS });
  assert.equal(res.status, 200);
  const lines: string[] = res.body.recommendations;
  assert.ok(lines.length >= 2);
  assert.ok(lines.some((l) => l.includes("High-Value Customers")));
  assert.ok(lines.some((l) => l.includes("New Potentials")));
  // The higher-value segment comes first.
  assert.ok(lines[0]!.includes("High-Value Customers"), lines[0]);
});

Deno.test("POST /api/recommendations answers in the language of Accept-Language", async () => {
  await using s = await service();
  const answers: Record<string, string[]> = {};
  for (const language of ["en", "es", "pt"]) {
    const res = await s.post("/api/recommendations", { analysis: DOCUMENT_ANALYSIS }, {
      "Accept-Language": language,
    });
    assert.equal(res.status, 200);
    answers[language] = res.body.recommendations;
  }
  assert.notDeepEqual(answers.es, answers.en);
  assert.notDeepEqual(answers.pt, answers.en);
  assert.notDeepEqual(answers.pt, answers.es);
  // Our own analysis, written in English, sent back with Accept-Language: es.
  const analysis = (await s.post("/api/analyze", { customerData: customerData(60) })).body;
  const en = (await s.post("/api/recommendations", { analysis })).body.recommendations;
  const es = (await s.post("/api/recommendations", { analysis }, { "Accept-Language": "es" }))
    .body.recommendations;
  assert.notDeepEqual(es, en);
});

Deno.test("POST /api/recommendations without an analysis is refused naming analysis", async () => {
  await using s = await service();
  const none = await s.post("/api/recommendations", {});
  assert.ok(none.status === 400 || none.status === 422, String(none.status));
  assert.match(JSON.stringify(none.body), /analysis/);
  const empty = await s.post("/api/recommendations", { analysis: {} });
  assert.ok(empty.status === 400 || empty.status === 422, String(empty.status));
  assert.match(JSON.stringify(empty.body), /analysis/);
  const noCentroid = await s.post("/api/recommendations", {
    analysis: { clusters: [{ clusterId: 0, clusterName: "Only a name" }] },
  });
  assert.ok(noCentroid.status === 400 || noCentroid.status === 422);
  assert.match(JSON.stringify(noCentroid.body), /analysis/);
});
