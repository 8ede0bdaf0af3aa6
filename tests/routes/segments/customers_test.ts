/**
 * Document 003's `GET /api/customers/{id}/segment`: every rule segment of a Mall customer, the
 * cluster of the latest clustering, the insights on request, and the 404 and 400s.
 */
import assert from "node:assert/strict";
import { clusteredMall, segmentsService, session } from "./_service.ts";

Deno.test("GET /api/customers/{id}/segment answers customer 1's segments and insights", async () => {
  await using s = await segmentsService();
  const a = await clusteredMall(s);
  const { status, body } = await a.get("/api/customers/1/segment?include_insights=true");
  assert.equal(status, 200);
  assert.equal(body.success, true);
  const data = body.data;
  assert.equal(data.customer_id, 1, "the dataset's integer ids answer as integers");
  assert.equal(data.name, null);
  assert.equal(data.email, null);
  assert.equal(data.segments.gender, "Male");
  assert.equal(data.segments.age_group, "18-25");
  assert.equal(data.segments.income_bracket, "Low Income (<30k)");
  assert.equal(data.segments.purchase_tier, undefined);
  assert.ok(Number.isInteger(data.segments.cluster_id) && data.segments.cluster_id >= 0);
  assert.equal(typeof data.segments.cluster_label, "string");
  assert.equal(typeof data.segments.cluster_name, "string");
  assert.deepEqual(
    data.unavailable_segments.map((u: { segmentation_type: string }) => u.segmentation_type),
    ["region", "purchase_tier", "clv", "rfm"],
  );
  // The Mall data has no purchase amount, recency or products: nothing to score.
  assert.deepEqual(
    [data.insights.value_score, data.insights.churn_risk, data.insights.product_affinity],
    [null, null, null],
  );

  const clusters = (await a.get("/api/segments/cluster")).body.data.segments;
  const mine = clusters.find((c: { cluster_id: number }) =>
    c.cluster_id === data.segments.cluster_id
  );
  assert.equal(mine.cluster_name, data.segments.cluster_name);
});

Deno.test("GET /api/customers/{id}/segment scores value and churn where the data allows", async () => {
  await using s = await segmentsService();
  const a = await session(s);
  await a.upload(
    "customer_id,gender,age,income,purchase_amount,purchase_frequency,recency\n" +
      "c1,F,30,50000,4000,12,10\nc2,M,45,80000,500,1,800\nc3,F,22,20000,1500,4,60\n" +
      "c4,M,60,90000,2500,6,30\n",
  );
  const plain = (await a.get("/api/customers/c2/segment")).body.data;
  assert.equal(plain.insights, undefined);
  assert.equal(plain.segments.cluster_id, null);
  assert.equal(plain.segments.purchase_tier, "Low Spender (<1k)");
  const data = (await a.get("/api/customers/c1/segment?include_insights=true")).body.data;
  assert.equal(data.segments.clv_tier, "Platinum");
  assert.equal(data.insights.value_score, 88);
  assert.equal(data.insights.churn_risk, "Low");
  const c2 = (await a.get("/api/customers/c2/segment?include_insights=true")).body.data;
  assert.equal(c2.insights.churn_risk, "High");
});

Deno.test("GET /api/customers/{id}/segment keeps text ids text, and 007 is not 7", async () => {
  await using s = await segmentsService();
  const a = await session(s);
  await a.upload("customer_id,age\nc1,30\nc2,40\nc3,50\n");
  assert.equal((await a.get("/api/customers/c2/segment")).body.data.customer_id, "c2");
  await a.upload("customer_id,age\n007,30\n8,40\n9,50\n");
  assert.equal((await a.get("/api/customers/8/segment")).body.data.customer_id, "8");
  await a.upload("age,income\n30,40000\n40,50000\n", "no_ids.csv");
  assert.equal((await a.get("/api/customers/2/segment")).body.data.customer_id, 2);
});

Deno.test("customer insights show their interval and overdue ratio to two decimals", async () => {
  await using s = await segmentsService();
  const a = await session(s);
  await a.upload(
    "customer_id,purchase_amount,purchase_frequency,recency\n" +
      "1,100,7,45\n2,200,3,30\n3,300,11,10\n",
  );
  const data = (await a.get("/api/customers/1/segment?include_insights=true")).body.data;
  assert.equal(data.insights.churn_detail.expected_interval_days, 52.14); // 365 / 7
  assert.equal(data.insights.churn_detail.overdue_ratio, 0.86); // 45 / 52.142…
});

Deno.test("calculated_clv and the CLV and RFM cut-offs show no float noise", async () => {
  await using s = await segmentsService();
  const a = await session(s);
  // 763.2 × 1 × 3 years is 2289.6000000000004 in floating point.
  await a.upload(
    "customer_id,purchase_amount,purchase_frequency,recency\n" +
      "c1,763.2,1,10.1\nc2,29.1,3,87.3\nc3,1500.7,4,60.7\nc4,2500.3,6,30.9\nc5,0.1,3,200.3\n" +
      "c6,99.9,7,5.5\n",
  );
  const c1 = (await a.get("/api/customers/c1/segment")).body.data;
  assert.equal(c1.segments.calculated_clv, 2289.6);
  const c5 = (await a.get("/api/customers/c5/segment")).body.data;
  assert.equal(c5.segments.calculated_clv, 0.9);
  const twoDecimals = (v: number) => Math.abs(v * 100 - Math.round(v * 100)) < 1e-6;
  for (const type of ["clv", "rfm"]) {
    const data = (await a.get(`/api/segments/${type}`)).body.data;
    const cuts = Object.values(data.cutoffs as Record<string, number[]>).flat();
    assert.ok(cuts.length > 0, type);
    for (const c of cuts) assert.ok(String(c).replace(/^-?\d+\.?/, "").length <= 2, `${c}`);
    for (const c of cuts) assert.ok(twoDecimals(c), `${type}: ${c}`);
    for (const seg of data.segments) assert.ok(!/\d\.\d{3,}/.test(seg.rule), seg.rule);
  }
});

Deno.test("GET /api/customers/{id}/segment answers 404 for an unknown customer", async () => {
  await using s = await segmentsService();
  const a = await clusteredMall(s);
  const { status, body } = await a.get("/api/customers/9999/segment");
  assert.equal(status, 404);
  assert.equal(body.code, "NOT_FOUND");
  assert.equal((await a.get("/api/customers/1/segment?include_insights=maybe")).status, 400);
});

Deno.test("GET /api/customers/{id}/segment never reads another tenant's customers", async () => {
  await using s = await segmentsService();
  await clusteredMall(s, "acme");
  const b = await session(s, "globex");
  const none = await b.get("/api/customers/1/segment");
  assert.equal(none.status, 400);
  assert.equal(none.body.code, "NO_DATA");
  await b.upload("id,gender,age\n7,F,30\n8,M,40\n");
  assert.equal((await b.get("/api/customers/1/segment")).status, 404);
  const own = (await b.get("/api/customers/7/segment")).body.data;
  assert.equal(own.segments.gender, "F");
  assert.equal(own.segments.cluster_id, null);
});
