/** Sorting clusters reads each field where document 003 §2's format nests it. */
import assert from "node:assert/strict";
import { CLUSTER_SORT_FIELDS, clusterSortValue } from "../../../domain/workflow/cluster_sort.ts";
import type { ClusterDetail } from "../../../domain/workflow/stored_run.ts";

const detail = {
  cluster_id: 2,
  cluster_label: "Loyal",
  cluster_name: "Loyal spenders",
  cluster_priority: 1,
  customer_count: 40,
  customer_percentage: 20,
  demographics: { avg_age: 41.5 },
  financial_metrics: { avg_income: 52000, avg_purchase_amount: 310, avg_clv: 1200 },
  behavioral_metrics: { engagement_score: 77 },
} as unknown as ClusterDetail;

Deno.test("every sort field reads a value of the cluster's detail", () => {
  const values = Object.fromEntries(
    CLUSTER_SORT_FIELDS.map((f) => [f, clusterSortValue(detail, f)]),
  );
  assert.deepEqual(values, {
    cluster_id: 2,
    cluster_name: "Loyal spenders",
    cluster_label: "Loyal",
    cluster_priority: 1,
    customer_count: 40,
    total_customers: 40,
    customer_percentage: 20,
    avg_age: 41.5,
    avg_income: 52000,
    avg_purchase_amount: 310,
    avg_clv: 1200,
    engagement_score: 77,
  });
});
