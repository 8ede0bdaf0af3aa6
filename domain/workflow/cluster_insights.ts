/**
 * Document 003's insights of a clustering (`GET /api/insights/cluster`): one insight per
 * segment from its narrative (persona, priority, first action), ordered by what to act on
 * first, and the clustering's key metrics.
 *
 * @module
 */
import { round } from "../../compute/numbers.ts";
import type { SegmentNarrative } from "../description/narrative.ts";
import type { RunRecord } from "../segmentation/runs.ts";
import { clusterNames } from "../segmentation/workflow_run.ts";
import type { StoredWorkflow } from "./stored_run.ts";

/**
 * The insights of the clustering `record`: its segments (noise left out) ordered high, medium,
 * low priority, then by share of revenue (of customers where the data has no spend), then by
 * cluster id; and its key metrics (sizes, quality, the largest and the top-revenue segment).
 * Figures are rounded to 4 decimals, null where undefined.
 */
export function clusterInsights(record: RunRecord<StoredWorkflow>) {
  const run = record.body.run;
  const names = clusterNames(run);
  const nameOf = (s: SegmentNarrative) => names[s.cluster_id] ?? s.name;
  const segments = rankSegments(run.segments.filter((s) => s.cluster_id >= 0));
  const insights = segments.map((s) => ({
    title: `${nameOf(s)}: ${s.persona_label}`,
    description: s.persona,
    severity: s.priority,
    recommendation: s.actions[0]?.text ?? "",
    cluster_id: s.cluster_id,
    metric: { name: "share_of_customers", value: round(s.kpis.share_of_customers, 4) },
  }));
  const largest =
    [...segments].sort((a, b) =>
      b.kpis.customers - a.kpis.customers || a.cluster_id - b.cluster_id
    )[0];
  // Without a spend column no segment has a revenue share, and "top" would mean nothing.
  const topRevenue = segments.some((s) => s.kpis.share_of_revenue !== null)
    ? [...segments].sort((a, b) =>
      (b.kpis.share_of_revenue ?? 0) - (a.kpis.share_of_revenue ?? 0) ||
      a.cluster_id - b.cluster_id
    )[0]
    : undefined;
  return {
    segmentation_type: "cluster" as const,
    run_id: record.run_id,
    dataset_id: record.body.dataset_id,
    insights,
    key_metrics: {
      total_customers: run.labels.length,
      segments: run.n_clusters,
      unknown_customers: run.labels.filter((l) => l < 0).length,
      algorithm: run.algorithm,
      silhouette_score: maybeRound(run.metrics.silhouette),
      davies_bouldin_score: maybeRound(run.metrics.davies_bouldin),
      model_accuracy: maybeRound(run.accuracy),
      largest_segment: largest ? nameOf(largest) : null,
      largest_segment_share: largest ? round(largest.kpis.share_of_customers, 4) : null,
      top_segment: topRevenue ? nameOf(topRevenue) : null,
      top_segment_revenue_share: topRevenue?.kpis.share_of_revenue ?? null,
    },
  };
}

/**
 * `segments` in the order to act on them: high, medium, low priority, then the larger share
 * of revenue (of customers without spend data), then cluster id.
 */
export function rankSegments(segments: readonly SegmentNarrative[]): SegmentNarrative[] {
  const rank = { high: 0, medium: 1, low: 2 } as const;
  const weight = (s: SegmentNarrative) => s.kpis.share_of_revenue ?? s.kpis.share_of_customers;
  return [...segments].sort((a, b) =>
    rank[a.priority] - rank[b.priority] || weight(b) - weight(a) || a.cluster_id - b.cluster_id
  );
}

function maybeRound(v: number | null | undefined): number | null {
  return v === null || v === undefined || !Number.isFinite(v) ? null : round(v, 4);
}
