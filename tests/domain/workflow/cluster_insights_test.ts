/** The insights of a clustering: which segment comes first, and the key metrics. */
import assert from "node:assert/strict";
import { clusterInsights, rankSegments } from "../../../domain/workflow/cluster_insights.ts";
import { narrative, workflowRecord } from "./_records.ts";

Deno.test("segments rank by priority, then share of revenue (of customers without), then id", () => {
  const ranked = rankSegments([
    narrative(0, "low", 5, 0.9),
    narrative(1, "high", 1, 0.1),
    narrative(2, "high", 1, 0.3),
    narrative(3, "medium", 2, null),
    narrative(4, "medium", 2, null),
  ]);
  assert.deepEqual(ranked.map((s) => s.cluster_id), [2, 1, 3, 4, 0]);
});

Deno.test("cluster insights leave noise out and name the largest and the top-revenue segment", () => {
  const record = workflowRecord(
    [0, 0, 0, 0, 0, 0, 1, 1, 1, -1],
    [narrative(0, "low", 6, 0.2), narrative(1, "high", 3, 0.8)],
  );
  const found = clusterInsights(record);
  assert.deepEqual(found.insights.map((i) => i.cluster_id), [1, 0]);
  assert.deepEqual(found.insights[0], {
    title: "Name 1: persona 1",
    description: "Persona of 1.",
    severity: "high",
    recommendation: "Act on 1.",
    cluster_id: 1,
    metric: { name: "share_of_customers", value: 0.3 },
  });
  assert.deepEqual(found.key_metrics, {
    total_customers: 10,
    segments: 2,
    unknown_customers: 1,
    algorithm: "kmeans",
    silhouette_score: 0.5123,
    davies_bouldin_score: 0.7,
    model_accuracy: 0.9877,
    largest_segment: "Name 0",
    largest_segment_share: 0.6,
    top_segment: "Name 1",
    top_segment_revenue_share: 0.8,
  });
  assert.equal(found.run_id, "run_1");
  assert.equal(found.dataset_id, "ds_1");
});

Deno.test("without spend data there is no top segment", () => {
  const record = workflowRecord([0, 1], [
    narrative(0, "low", 1, null),
    narrative(1, "low", 1, null),
  ]);
  const { key_metrics } = clusterInsights(record);
  assert.equal(key_metrics.top_segment, null);
  assert.equal(key_metrics.top_segment_revenue_share, null);
  assert.equal(key_metrics.largest_segment, "Name 0");
});
