/**
 * A segmentation request of documents 000–002 and 004, from task to stored run to response
 * body, the same whether it is answered in the request (200) or by a job (202, then the job's
 * result): `executeSegmentation` runs the task on an engine, stores the run
 * (`domain/segmentation/runs.ts`) and returns the body the endpoint answers, `run_id` first.
 * What a caller adds around the stored run (the workflow's cluster details and session) comes
 * in as `RunHooks`; callers go through `domain/workflow/execute_request.ts`, which passes them.
 *
 * @module
 */
import { storedSummary } from "./analyze.ts";
import type { LabelsSource } from "./profile_request.ts";
import type { EngineTask, SegmentationEngine } from "./engine.ts";
import type { ProgressEvent } from "../../compute/auto.ts";
import { newRunId, type RunRecord, saveRun } from "./runs.ts";
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
 * Runs `request` on `engine`, stores its run for `tenantId` (with what `hooks.beforeStore`
 * adds), calls `hooks.afterStore` and returns the response body
 * (`{ run_id, …the endpoint's fields }`). `onProgress` hears the pipeline's stages
 * (`EngineRunOptions`).
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
  hooks: RunHooks = {},
  onProgress?: (p: ProgressEvent) => void,
): Promise<Record<string, unknown>> {
  const { task, source, params } = request;
  const options = onProgress ? { onProgress } : undefined;
  const customers = customerCount(task);
  const at = now();
  let response: Record<string, unknown>;
  let stored: Record<string, unknown>;
  switch (task.kind) {
    case "purchasing":
    case "purchasing_v2": {
      response = { ...await engine.run(task, options) };
      stored = { response };
      break;
    }
    case "analyze": {
      const result = await engine.run(task, options);
      response = { ...result };
      stored = storedSummary(result);
      break;
    }
    case "profiles": {
      const { labels, segmentation, ...rest } = await engine.run(task, options);
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
      const run = await engine.run(task, options);
      response = workflowResponse(run);
      stored = {
        dataset_id: request.dataset?.id ?? null,
        dataset_name: request.dataset?.name ?? null,
        run,
      };
      break;
    }
    case "optimal_k":
      throw new TypeError("Expected a task that makes a run but found optimal_k");
  }
  const record = {
    run_id: newRunId(),
    source,
    created_at: new Date(at).toISOString(),
    body: { params, customers, ...stored },
  };
  const added = hooks.beforeStore ? await hooks.beforeStore(record, request) : {};
  const saved = await saveRun(kv, tenantId, record.run_id, source, {
    ...record.body,
    ...added,
  }, at);
  await hooks.afterStore?.(saved, request);
  return { run_id: saved.run_id, ...response };
}

/**
 * What a caller does around storing a run. Runs are immutable, so what belongs in one is
 * added before it is stored; what points at one is set after.
 */
export interface RunHooks {
  /** Fields to store with the run (`record`: the run about to be stored). */
  readonly beforeStore?: (
    record: RunRecord<Record<string, unknown>>,
    request: SegmentationRequest,
  ) => Promise<Record<string, unknown>>;
  /** Called once the run is stored, before the body is returned. */
  readonly afterStore?: (
    record: RunRecord<Record<string, unknown>>,
    request: SegmentationRequest,
  ) => Promise<void>;
}
