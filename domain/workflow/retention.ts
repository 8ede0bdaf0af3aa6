/**
 * Retention of stored segmentation runs and datasets: whatever was stored more than the
 * retention period ago is deleted by a periodic sweep (`main.ts`, every 10 minutes). They are
 * chunked objects (`storage/blobs.ts`) whose manifest and chunks must go together, so KV's
 * `expireIn` (which expires entries one by one) is not used; the sweep deletes through the same
 * functions as the delete routes, which also clear the pointers naming what they delete. Finished
 * jobs and their results follow the same rule in `domain/jobs/job_retention.ts` (jobs sit
 * above workflow, so `main.ts` runs both sweeps).
 *
 * @module
 */
import { DATASET_KIND, deleteDataset } from "../datasets/store.ts";
import { deleteRun, RUN_KIND } from "../segmentation/runs.ts";
import { type BlobManifest, keys } from "../../storage/mod.ts";

/** Days a run or dataset is kept unless `RETENTION_DAYS` says otherwise (0 keeps them forever). */
export const DEFAULT_RETENTION_DAYS = 30;

/** What one sweep deleted, per kind. */
export interface RetentionReport {
  runs: number;
  datasets: number;
}

/**
 * Deletes every run and dataset of every tenant stored before `now − retentionMs`. Safe to run
 * on several instances at once (a delete that lost the race finds nothing). A `retentionMs` of
 * 0 or less keeps everything.
 */
export async function sweepExpired(
  kv: Deno.Kv,
  now: number,
  retentionMs: number,
): Promise<RetentionReport> {
  const report: RetentionReport = { runs: 0, datasets: 0 };
  if (!(retentionMs > 0)) return report;
  const cutoff = now - retentionMs;
  for await (const tenant of kv.list({ prefix: keys.tenant("").slice(0, -1) })) {
    const tenantId = tenant.key.at(-1);
    if (typeof tenantId !== "string") continue;
    for (const id of await expiredIds(kv, tenantId, RUN_KIND, cutoff)) {
      if (await deleteRun(kv, tenantId, id)) report.runs++;
    }
    for (const id of await expiredIds(kv, tenantId, DATASET_KIND, cutoff)) {
      if (await deleteDataset(kv, tenantId, id)) report.datasets++;
    }
  }
  return report;
}

/** Milliseconds of `days` days. */
export function retentionMs(days: number): number {
  return days * 86_400_000;
}

// Only manifests are listed: their `createdAt` says when the object was stored.
async function expiredIds(
  kv: Deno.Kv,
  tenantId: string,
  kind: string,
  cutoff: number,
): Promise<string[]> {
  const ids: string[] = [];
  for await (const entry of kv.list<BlobManifest>({ prefix: keys.blobPrefix(tenantId, kind) })) {
    if (entry.value.createdAt < cutoff) ids.push(entry.value.id);
  }
  return ids;
}
