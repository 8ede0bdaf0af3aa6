/** A hand-made workflow run record: only what the session's views read, no clustering. */
import type { SegmentNarrative } from "../../../domain/description/narrative.ts";
import type { RunRecord } from "../../../domain/segmentation/runs.ts";
import type { WorkflowRun } from "../../../domain/segmentation/workflow_run.ts";
import type { StoredWorkflow } from "../../../domain/workflow/stored_run.ts";

/** A narrative of cluster `id` with the given priority, customers and revenue share. */
export function narrative(
  id: number,
  priority: SegmentNarrative["priority"],
  customers: number,
  shareOfRevenue: number | null,
  total = 10,
): SegmentNarrative {
  return {
    cluster_id: id,
    name: `Name ${id}`,
    persona_label: `persona ${id}`,
    persona: `Persona of ${id}.`,
    characteristics: [],
    archetype: "steady" as SegmentNarrative["archetype"],
    levels: {},
    kpis: {
      customers,
      share_of_customers: customers / total,
      share_of_revenue: shareOfRevenue,
      average_spend: null,
      average_ticket: null,
      frequency: null,
      recency_days: null,
      loyalty: null,
    },
    actions: [{
      key: "retain" as SegmentNarrative["actions"][number]["key"],
      text: `Act on ${id}.`,
    }],
    priority,
  };
}

/** A run record of `labels` (−1 noise) described by `segments`. */
export function workflowRecord(
  labels: number[],
  segments: SegmentNarrative[],
): RunRecord<StoredWorkflow> {
  const run = {
    algorithm: "kmeans",
    n_clusters: segments.length,
    ids: labels.map((_, i) => String(i + 1)),
    labels,
    metrics: {
      silhouette: 0.512345,
      davies_bouldin: 0.7,
      calinski_harabasz: null,
      noise_share: labels.filter((l) => l < 0).length / labels.length,
      stability: null,
      params: {},
      silhouette_mode: "exact",
      silhouette_rows: labels.length,
    },
    segments,
    accuracy: 0.98765,
  } as unknown as WorkflowRun;
  return {
    run_id: "run_1",
    source: "workflow",
    created_at: new Date(0).toISOString(),
    body: { dataset_id: "ds_1", dataset_name: "d", params: {}, customers: labels.length, run },
  };
}
