/**
 * The one path from a segmentation request to a stored run and its response body, for answers
 * in the request and for jobs alike: `executeSegmentation` with the workflow's hooks. A
 * workflow run is stored with document 003 §2's cluster details (made once, from the dataset
 * it was made on) and becomes its principal's session clustering once stored, if its dataset is
 * still the session's current one.
 *
 * @module
 */
import { getDataset } from "../datasets/store.ts";
import type { SegmentationEngine } from "../segmentation/engine.ts";
import {
  executeSegmentation,
  type RunHooks,
  type SegmentationRequest,
} from "../segmentation/execute.ts";
import type { RunRecord } from "../segmentation/runs.ts";
import type { WorkflowRun } from "../segmentation/workflow_run.ts";
import { computeClusterDetails } from "./cluster_details.ts";
import { setSessionRun, setSessionRunIfCurrent } from "./session.ts";
import type { StoredWorkflow } from "./stored_run.ts";

/**
 * Runs `request` on `engine`, stores its run for `tenantId` and returns the body the endpoint
 * answers (`{ run_id, …the endpoint's fields }`); see `executeSegmentation`.
 *
 * @throws the engine's errors (`RangeError`, `AnalyzeInputError`) unchanged; nothing is stored
 *   then.
 */
export function executeRequest(
  kv: Deno.Kv,
  tenantId: string,
  engine: SegmentationEngine,
  request: SegmentationRequest,
  now: () => number,
): Promise<Record<string, unknown>> {
  return executeSegmentation(kv, tenantId, engine, request, now, workflowHooks(kv, tenantId));
}

/** The workflow's part of storing a run of `tenantId`. */
export function workflowHooks(kv: Deno.Kv, tenantId: string): RunHooks {
  return {
    async beforeStore(record, request) {
      if (request.task.kind !== "workflow" || !request.dataset) return {};
      const run = record.body.run as WorkflowRun;
      const dataset = await getDataset(kv, tenantId, request.dataset.id);
      // A dataset gone or of another size cannot describe the run: its details are then made
      // on read, if ever (`clusterDetails`).
      if (!dataset || dataset.rowCount !== run.labels.length) return {};
      const stored = record as unknown as RunRecord<StoredWorkflow>;
      return { cluster_details: computeClusterDetails(dataset, stored) };
    },
    async afterStore(record, request) {
      if (request.sessionOwner === undefined) return;
      if (request.dataset) {
        await setSessionRunIfCurrent(
          kv,
          tenantId,
          request.sessionOwner,
          record.run_id,
          request.dataset.id,
        );
      } else {
        await setSessionRun(kv, tenantId, request.sessionOwner, record.run_id);
      }
    },
  };
}
