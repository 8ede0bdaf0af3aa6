/**
 * One customer's cluster in a clustering, as document 003's customer segments show it
 * (`GET /api/customers/{id}/segment`).
 *
 * @module
 */
import type { RunRecord } from "../segmentation/runs.ts";
import { clusterNames } from "../segmentation/workflow_run.ts";
import type { StoredWorkflow } from "./stored_run.ts";

/** A customer's cluster; every field null when there is no clustering. */
export interface CustomerCluster {
  cluster_id: number | null;
  /** The segment's persona label, capitalised; `Noise` for DBSCAN's noise. */
  cluster_label: string | null;
  cluster_name: string | null;
  /** Only with a clustering. */
  cluster_run_id?: string;
}

/**
 * The cluster of row `row` in the clustering `record` (made on the dataset that row belongs
 * to), or null fields without one. Noise is labelled and named `Noise`; a segment without a
 * persona label has a null label rather than an empty one.
 */
export function customerCluster(
  record: RunRecord<StoredWorkflow> | null,
  row: number,
): CustomerCluster {
  if (!record) return { cluster_id: null, cluster_label: null, cluster_name: null };
  const run = record.body.run;
  const label = run.labels[row]!;
  if (label < 0) {
    return {
      cluster_id: label,
      cluster_label: "Noise",
      cluster_name: "Noise",
      cluster_run_id: record.run_id,
    };
  }
  const persona = run.segments.find((s) => s.cluster_id === label)?.persona_label ?? "";
  return {
    cluster_id: label,
    cluster_label: persona.charAt(0).toUpperCase() + persona.slice(1) || null,
    cluster_name: clusterNames(run)[label] ?? null,
    cluster_run_id: record.run_id,
  };
}
