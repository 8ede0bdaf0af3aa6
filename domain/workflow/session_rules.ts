/**
 * What a request on the analyst's session needs before it can be answered: a current dataset,
 * and for most views a clustering of it. One set of rules for documents 003 and 004, which must
 * agree on what "no data" and "no clustering" mean and say.
 *
 * @module
 */
import type { Dataset } from "../datasets/types.ts";
import { getRun, latestRunId, type RunRecord } from "../segmentation/runs.ts";
import { sessionDataset, sessionRun } from "./session.ts";
import { type StoredWorkflow, WORKFLOW_SOURCE } from "./stored_run.ts";

/** The answer when the session has no current dataset. */
export const NO_DATA = "No data loaded. Upload a CSV file first (POST /api/upload).";
/** The answer when the session's dataset has no clustering yet. */
export const NO_CLUSTERING = "No clustering performed. Run clustering first (POST /api/cluster).";

/** A prerequisite of the session is missing; `code` names which (the route answers 400). */
export class SessionPrerequisiteError extends Error {
  override readonly name = "SessionPrerequisiteError";
  constructor(readonly code: "no_data" | "no_clustering") {
    super(code === "no_data" ? NO_DATA : NO_CLUSTERING);
  }
}

/**
 * The session owner of a principal, its kind and id: two users of one tenant have separate
 * sessions, and an API key has its own.
 */
export function sessionOwner(principal: { readonly kind: string; readonly id: string }): string {
  return `${principal.kind}.${principal.id}`;
}

/**
 * The session's current dataset.
 *
 * @throws {SessionPrerequisiteError} `no_data` when none is loaded (or it is gone).
 */
export async function requireDataset(
  kv: Deno.Kv,
  tenantId: string,
  owner: string,
): Promise<Dataset> {
  const dataset = await sessionDataset(kv, tenantId, owner);
  if (!dataset) throw new SessionPrerequisiteError("no_data");
  return dataset;
}

/**
 * The session's own clustering of its current dataset (document 004's views, which show what
 * this analyst ran).
 *
 * @throws {SessionPrerequisiteError} `no_clustering` when there is none, or no dataset at all.
 */
export async function requireSessionRun(
  kv: Deno.Kv,
  tenantId: string,
  owner: string,
): Promise<RunRecord<StoredWorkflow>> {
  const run = await sessionRun(kv, tenantId, owner);
  if (!run) throw new SessionPrerequisiteError("no_clustering");
  return run;
}

/**
 * The current dataset and its latest clustering (`latestClustering`), for document 003's views,
 * which read whoever of the tenant clustered the dataset last.
 *
 * @throws {SessionPrerequisiteError} `no_data` without a dataset, then `no_clustering`.
 */
export async function requireClustering(
  kv: Deno.Kv,
  tenantId: string,
  owner: string,
): Promise<{ dataset: Dataset; run: RunRecord<StoredWorkflow> }> {
  const dataset = await requireDataset(kv, tenantId, owner);
  const run = await latestClustering(kv, tenantId, owner, dataset);
  if (!run) throw new SessionPrerequisiteError("no_clustering");
  return { dataset, run };
}

/**
 * The latest clustering of `dataset`: the session's own (`sessionRun`), else the tenant's latest
 * run when it is a workflow run of that same dataset (another user of the tenant clustered it).
 * A run whose labels do not match the dataset's rows is not used.
 */
export async function latestClustering(
  kv: Deno.Kv,
  tenantId: string,
  owner: string,
  dataset: Dataset,
): Promise<RunRecord<StoredWorkflow> | null> {
  const fits = (run: RunRecord<StoredWorkflow> | null) =>
    run !== null && run.source === WORKFLOW_SOURCE && run.body.dataset_id === dataset.id &&
    run.body.run.labels.length === dataset.rowCount;
  const own = await sessionRun(kv, tenantId, owner);
  if (fits(own)) return own;
  const latest = await latestRunId(kv, tenantId);
  const run = latest === null ? null : await getRun<StoredWorkflow>(kv, tenantId, latest);
  return fits(run) ? run : null;
}
