/**
 * What a workflow clustering stores in its run (`StoredWorkflow`), with document 003 §2's
 * cluster details made when it is stored. Types only, shared by the session, the views and
 * the cluster details.
 *
 * @module
 */
import type { WorkflowRun } from "../segmentation/workflow_run.ts";

/** The run source of document 004's clusterings. */
export const WORKFLOW_SOURCE = "workflow";

/** What a workflow run stores besides the clustering. */
export interface StoredWorkflow {
  dataset_id: string;
  dataset_name: string;
  params: Record<string, unknown>;
  customers: number;
  run: WorkflowRun;
  /** Document 003 §2's clusters, made when the run was stored (absent in older runs). */
  cluster_details?: ClusterDetail[];
}

/** One cluster in the format of document 003 §2. */
export interface ClusterDetail {
  cluster_id: number;
  cluster_label: string;
  cluster_name: string;
  /** 1 = act first: by the narrative's priority, then share of revenue (or of customers). */
  cluster_priority: number;
  customer_count: number;
  /** 0–100, one decimal. */
  customer_percentage: number;
  demographics: {
    avg_age: number | null;
    age_range_min: number | null;
    age_range_max: number | null;
    predominant_gender: string | null;
    gender_distribution: Record<string, number> | null;
    /** By members, most first; null without a region column. */
    regions: string[] | null;
  };
  financial_metrics: {
    avg_income: number | null;
    median_income: number | null;
    income_range: { min: number; max: number } | null;
    avg_purchase_amount: number | null;
    total_purchases: number | null;
    avg_purchase_frequency: number | null;
    avg_clv: number | null;
  };
  behavioral_metrics: {
    avg_customer_lifespan_months: number | null;
    /** Share of members buying more than once a year. */
    repeat_purchase_rate: number | null;
    /** Share of members whose last purchase is older than the dormancy threshold (180 days). */
    churn_rate: number | null;
    /** The average spending score. */
    engagement_score: number | null;
    avg_recency_days: number | null;
  };
  features: {
    /** Product columns by the members' average, highest first (at most 3). */
    top_products: string[] | null;
    /** The data has no channel column: always null. */
    preferred_channels: string[] | null;
    avg_order_value: number | null;
    differentiating: { feature: string; direction: string; effect_size: number }[];
  };
  metadata: {
    created_at: string;
    last_updated: string;
    /** Change against an earlier clustering: not tracked, null. */
    member_count_change: string | null;
    description: string;
    persona_label: string;
    priority: string;
    characteristics: string[];
    recommended_actions: string[];
  };
}
