/**
 * Document 003's `GET /api/insights/{type}`: insights and key metrics of rule segmentations and
 * of the latest clustering, and the 400s.
 */
import assert from "node:assert/strict";
import { clusteredMall, NOW, segmentsService, session } from "./_service.ts";

Deno.test("GET /api/insights/{type} answers insights and key metrics for gender and age_group", async () => {
  await using s = await segmentsService();
  const a = await clusteredMall(s);
  for (const type of ["gender", "age_group"]) {
    const { status, body } = await a.get(`/api/insights/${type}`);
    assert.equal(status, 200, type);
    assert.equal(body.success, true);
    const data = body.data;
    assert.equal(data.segmentation_type, type);
    assert.equal(data.generated_at, new Date(NOW).toISOString());
    assert.equal(data.key_metrics.total_customers, 200);
    assert.ok(data.insights.length >= 1);
    for (const insight of data.insights) {
      assert.ok(["high", "medium", "low"].includes(insight.severity));
      assert.equal(typeof insight.title, "string");
      assert.equal(typeof insight.recommendation, "string");
    }
  }
  const gender = (await a.get("/api/insights/gender")).body.data;
  assert.equal(gender.key_metrics.segments, 2);
  assert.equal(gender.key_metrics.revenue_concentration, null);
});

Deno.test("GET /api/insights/cluster answers one insight per segment of the clustering", async () => {
  await using s = await segmentsService();
  const a = await clusteredMall(s);
  const { status, body } = await a.get("/api/insights/cluster");
  assert.equal(status, 200);
  const data = body.data;
  assert.equal(data.segmentation_type, "cluster");
  assert.match(data.run_id, /^run_/);
  assert.equal(data.insights.length, 5);
  const rank = { high: 0, medium: 1, low: 2 } as Record<string, number>;
  const ranks = data.insights.map((i: { severity: string }) => rank[i.severity]);
  assert.deepEqual(ranks, [...ranks].sort());
  assert.equal(data.key_metrics.total_customers, 200);
  assert.equal(data.key_metrics.segments, 5);
  assert.equal(typeof data.key_metrics.silhouette_score, "number");
  assert.equal(typeof data.key_metrics.largest_segment, "string");
});

Deno.test("GET /api/insights/{type} answers 400 for missing columns, data or clustering", async () => {
  await using s = await segmentsService();
  const a = await session(s);
  assert.equal((await a.get("/api/insights/gender")).body.code, "NO_DATA");
  await a.upload(await Deno.readFile(new URL("../../data/mall_customers.csv", import.meta.url)));
  const missing = await a.get("/api/insights/purchase_tier");
  assert.equal(missing.status, 400);
  assert.deepEqual(missing.body.details.missing_columns, ["purchase_amount"]);
  assert.equal((await a.get("/api/insights/cluster")).body.code, "NO_CLUSTERING");
  assert.equal((await a.get("/api/insights/horoscope")).status, 400);
});
