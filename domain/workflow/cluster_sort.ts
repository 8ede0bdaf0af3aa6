/**
 * The fields document 003 §2's clusters can be sorted by (`GET /api/segments/cluster`), and the
 * value each one reads from a cluster's detail, where the format nests it.
 *
 * @module
 */
import type { ClusterDetail } from "./stored_run.ts";

/** The fields clusters can be sorted by (`total_customers` is `customer_count`). */
export const CLUSTER_SORT_FIELDS = [
  "cluster_id",
  "cluster_name",
  "cluster_label",
  "cluster_priority",
  "customer_count",
  "total_customers",
  "customer_percentage",
  "avg_age",
  "avg_income",
  "avg_purchase_amount",
  "avg_clv",
  "engagement_score",
] as const;

/** A field clusters can be sorted by. */
export type ClusterSortField = typeof CLUSTER_SORT_FIELDS[number];

/** The value of `detail` that sorting by `field` compares (undefined for an unknown field). */
export function clusterSortValue(detail: ClusterDetail, field: string): unknown {
  switch (field) {
    case "total_customers":
    case "customer_count":
      return detail.customer_count;
    case "avg_age":
      return detail.demographics.avg_age;
    case "avg_income":
    case "avg_purchase_amount":
    case "avg_clv":
      return detail.financial_metrics[field];
    case "engagement_score":
      return detail.behavioral_metrics.engagement_score;
    default:
      return (detail as unknown as Record<string, unknown>)[field];
  }
}
