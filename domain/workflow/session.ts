/**
 * Document 004's analyst session, bound to one principal: the current dataset
 * (`domain/datasets/store.ts`) and the session's latest clustering, as pointers named
 * `<what>:<owner>` so that `clearSession` (reset) clears both. The clustering itself is an
 * immutable run (`domain/segmentation/runs.ts`, source `workflow`) that also becomes the tenant's
 * latest run, which document 003's `cluster` segments read.
 *
 * @module
 */
import { atomic, keys } from "../../storage/mod.ts";
import { type StoredWorkflow, WORKFLOW_SOURCE } from "./stored_run.ts";
export { type StoredWorkflow, WORKFLOW_SOURCE };
import type { Dataset } from "../datasets/types.ts";
import { currentDatasetPointer, getCurrentDatasetId, getDataset } from "../datasets/store.ts";
import { getRun, type RunRecord } from "../segmentation/runs.ts";

/** The pointer name of `owner`'s latest clustering. */
export function currentRunPointer(owner: string): string {
  return `current_run:${owner}`;
}

/** Makes run `runId` the session's clustering. */
export async function setSessionRun(
  kv: Deno.Kv,
  tenantId: string,
  owner: string,
  runId: string,
): Promise<void> {
  await kv.set(keys.pointer(tenantId, currentRunPointer(owner)), runId);
}

/**
 * Makes run `runId`, made on dataset `datasetId`, the session's clustering only if that dataset
 * is still the session's current one, checked in the same atomic operation: a run that finishes
 * after another upload must not become the clustering of a dataset it was not made on. Returns
 * whether it did.
 */
export async function setSessionRunIfCurrent(
  kv: Deno.Kv,
  tenantId: string,
  owner: string,
  runId: string,
  datasetId: string,
): Promise<boolean> {
  const datasetKey = keys.pointer(tenantId, currentDatasetPointer(owner));
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await kv.get<string>(datasetKey);
    if (current.value !== datasetId) return false;
    const result = await atomic(kv)
      .check(current)
      .set(keys.pointer(tenantId, currentRunPointer(owner)), runId)
      .commit();
    if (result.ok) return true;
  }
  return false;
}

/** The session's current dataset, or null when none is loaded (or it is gone). */
export async function sessionDataset(
  kv: Deno.Kv,
  tenantId: string,
  owner: string,
): Promise<Dataset | null> {
  const id = await getCurrentDatasetId(kv, tenantId, owner);
  return id === null ? null : await getDataset(kv, tenantId, id);
}

/**
 * The session's latest clustering, or null when there is none or it was made on another
 * dataset than the current one (a new upload starts over).
 */
export async function sessionRun(
  kv: Deno.Kv,
  tenantId: string,
  owner: string,
): Promise<RunRecord<StoredWorkflow> | null> {
  const runId = (await kv.get<string>(keys.pointer(tenantId, currentRunPointer(owner)))).value;
  if (runId === null) return null;
  const run = await getRun<StoredWorkflow>(kv, tenantId, runId);
  if (!run || run.source !== WORKFLOW_SOURCE) return null;
  const datasetId = await getCurrentDatasetId(kv, tenantId, owner);
  return datasetId === run.body.dataset_id ? run : null;
}
