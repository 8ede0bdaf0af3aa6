/**
 * A job's input too large for its record: stored as an object before the job exists, owned by
 * the job once it is enqueued (`EnqueueJobRequest.ownedBlobs`), deleted with the job's outcome.
 * Between the store and the enqueue a `["job_input_pending", …]` marker names the object, so
 * an input whose job never came (the process died, the tenant was over its job limit and the
 * cleanup failed) is found and deleted by `sweepPendingInputs`, which the runner calls on its
 * schedule.
 *
 * @module
 */
import { atomic, type BlobManifest, deleteBlob, keys, putBlob } from "../../storage/mod.ts";

/** What `["job_input_pending", …]` holds: an input object stored before its job is enqueued. */
export interface PendingInput {
  readonly tenantId: string;
  readonly kind: string;
  readonly id: string;
  /** Epoch ms when the store began. */
  readonly since: number;
}

/** How long an input may wait for its job before the sweep deletes it (1 h: far above a store). */
export const PENDING_INPUT_GRACE_MS = 3_600_000;

/**
 * Stores `bytes` as object `kind/id` of `tenantId`, marked pending until a job owning it is
 * enqueued (that enqueue removes the marker in its own atomic operation).
 */
export async function storeJobInput(
  kv: Deno.Kv,
  tenantId: string,
  kind: string,
  id: string,
  bytes: Uint8Array,
  now: number,
): Promise<void> {
  const marker: PendingInput = { tenantId, kind, id, since: now };
  // The marker goes first: whatever part of the object a crash leaves, something names it.
  await kv.set(keys.jobInputPending(tenantId, kind, id), marker);
  await putBlob(kv, tenantId, kind, id, bytes, { now });
}

/** Deletes a pending input whose job will not be enqueued (the enqueue was refused). */
export async function dropJobInput(
  kv: Deno.Kv,
  tenantId: string,
  kind: string,
  id: string,
): Promise<void> {
  await deleteBlob(kv, tenantId, kind, id);
  await kv.delete(keys.jobInputPending(tenantId, kind, id));
}

/**
 * Deletes the inputs that have waited more than `graceMs` for a job. Returns how many.
 * Safe beside a late enqueue: the marker is deleted with a check, and an enqueue that
 * commits first removes it.
 */
export async function sweepPendingInputs(
  kv: Deno.Kv,
  now: number,
  graceMs = PENDING_INPUT_GRACE_MS,
): Promise<number> {
  let swept = 0;
  for await (const entry of kv.list<PendingInput>({ prefix: keys.jobInputPendingPrefix() })) {
    const { tenantId, kind, id, since } = entry.value;
    if (now - since < graceMs) continue;
    // One operation unpublishes the object and removes the marker, so neither outlives the
    // other; the chunks go to `sweepOrphanChunks` (a never-published object's chunks already
    // carry putBlob's own `gc` marker).
    const manifest = await kv.get<BlobManifest>(keys.blob(tenantId, kind, id));
    const op = atomic(kv).check(entry, manifest).delete(entry.key);
    if (manifest.value) {
      const { generation } = manifest.value;
      op.delete(manifest.key).set(keys.gc(generation), {
        tenantId,
        kind,
        id,
        generation,
        since: 0,
      });
    }
    if ((await op.commit()).ok) swept++;
  }
  return swept;
}
