/**
 * A segmentation request of documents 000–002, from task to stored run to response body, the
 * same whether it is answered in the request (200) or by a job (202, then the job's result):
 * `executeSegmentation` runs the task on an engine, stores the run (`domain/segmentation/runs.ts`) and
 * returns the body the endpoint answers, `run_id` first.
 *
 * @module
 */
import { storedSummary } from "./analyze.ts";
import type { LabelsSource } from "./profile_request.ts";
import type { EngineTask, SegmentationEngine } from "./engine.ts";
import { newRunId, saveRun } from "./runs.ts";
import { computeClusterDetails } from "../workflow/cluster_details.ts";
import { getDataset } from "../datasets/store.ts";
import { setSessionRun, type StoredWorkflow } from "../workflow/session.ts";
import { workflowResponse, workflowRows } from "./workflow_run.ts";

/** What a segmentation endpoint asks for: the task and how its run is recorded. */
export interface SegmentationRequest {
  readonly task: EngineTask;
  /** The run's `source` (the endpoint family). */
  readonly source: string;
  /** The request's parameters, stored with the run (no customer data). */
  readonly params: Record<string, unknown>;
  /** Profiles only: where the labels came from (`computed` when segmented first). */
  readonly labelsSource?: LabelsSource;
  /** Workflow only: the stored dataset segmented. */
  readonly dataset?: { readonly id: string; readonly name: string };
  /** Workflow only: the principal whose session's clustering the run becomes. */
  readonly sessionOwner?: string;
}

/** Customers in the request's task. */
export function customerCount(task: EngineTask): number {
  switch (task.kind) {
    case "purchasing":
    case "analyze":
      return task.request.data.length;
    case "workflow":
    case "optimal_k":
      return workflowRows(task.request);
    case "purchasing_v2":
      return task.request.customers.length;
    case "profiles":
      return task.data.length;
  }
}

/**
 * Runs `request` on `engine`, stores its run for `tenantId` and returns the response body
 * (`{ run_id, …the endpoint's fields }`).
 *
 * @throws the engine's errors (`RangeError`, `AnalyzeInputError`) unchanged; nothing is stored
 *   then.
 */
export async function executeSegmentation(
  kv: Deno.Kv,
  tenantId: string,
  engine: SegmentationEngine,
  request: SegmentationRequest,
  now: () => number,
): Promise<Record<string, unknown>> {
  const { task, source, params } = request;
  const customers = customerCount(task);
  const at = now();
  let response: Record<string, unknown>;
  let stored: Record<string, unknown>;
  switch (task.kind) {
    case "purchasing":
    case "purchasing_v2": {
      response = { ...await engine.run(task) };
      stored = { response };
      break;
    }
    case "analyze": {
      const result = await engine.run(task);
      response = { ...result };
      stored = storedSummary(result);
      break;
    }
    case "profiles": {
      const { labels, segmentation, ...rest } = await engine.run(task);
      response = {
        ...rest,
        labels_source: request.labelsSource ?? (task.labels ? "request" : "computed"),
        ...(segmentation ? { segmentation } : {}),
        customer_labels: task.data.map((d, i) => ({
          customer_id: d.customer_id,
          cluster_id: labels[i]!,
        })),
      };
      stored = { response };
      break;
    }
    case "workflow": {
      const run = await engine.run(task);
      response = workflowResponse(run);
      stored = {
        dataset_id: request.dataset?.id ?? null,
        dataset_name: request.dataset?.name ?? null,
        run,
      };
      const dataset = request.dataset ? await getDataset(kv, tenantId, request.dataset.id) : null;
      if (dataset && dataset.rowCount === run.labels.length) {
        stored.cluster_details = computeClusterDetails(dataset, {
          run_id: "",
          source,
          created_at: new Date(at).toISOString(),
          body: { ...stored, params, customers } as StoredWorkflow,
        });
      }
      break;
    }
    case "optimal_k":
      throw new TypeError("Expected a task that makes a run but found optimal_k");
  }
  const runId = newRunId();
  await saveRun(kv, tenantId, runId, source, { params, customers, ...stored }, at);
  if (request.sessionOwner !== undefined) {
    await setSessionRun(kv, tenantId, request.sessionOwner, runId);
  }
  return { run_id: runId, ...response };
}
