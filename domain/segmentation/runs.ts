/**
 * Segmentation runs: every run any endpoint makes is stored, immutable, as one chunked JSON
 * object (`storage/blobs.ts`) under the tenant, and gets a run id; the tenant's `latest_run`
 * pointer names the newest. Reading another tenant's run id finds nothing. Runs are deleted on
 * request (`deleteRun`) or once older than the retention period (`domain/workflow/retention.ts`).
 */
import {
  atomic,
  deleteBlob,
  getBlob,
  getBlobManifest,
  ImmutableCache,
  keys,
  putBlob,
} from "../../storage/mod.ts";

/** The blob kind of runs. */
export const RUN_KIND = "run";

/** What every stored run carries besides its endpoint-specific body. */
export interface RunRecord<T = unknown> {
  readonly run_id: string;
  /** The endpoint or command that made it, e.g. `purchasing_segmentation`. */
  readonly source: string;
  readonly created_at: string;
  readonly body: T;
}

/** A new run id: `run_` and 24 random hex digits (sortable ids are not needed). */
export function newRunId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return "run_" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Stores `body` as run `runId` of `tenantId` and points `latest_run` at it.
 *
 * @throws {Error} when a run with that id already exists (ids are never reused).
 */
export async function saveRun<T>(
  kv: Deno.Kv,
  tenantId: string,
  runId: string,
  source: string,
  body: T,
  now: number,
): Promise<RunRecord<T>> {
  const record: RunRecord<T> = {
    run_id: runId,
    source,
    created_at: new Date(now).toISOString(),
    body,
  };
  const bytes = new TextEncoder().encode(JSON.stringify(record));
  const manifest = await putBlob(kv, tenantId, RUN_KIND, runId, bytes, {
    createOnly: true,
    now,
    meta: { source },
  });
  if (!manifest) throw new Error(`Run ${runId} already exists`);
  await kv.set(keys.pointer(tenantId, "latest_run"), runId);
  // The next step of a session reads this run: keep it (frozen; callers only read it after).
  parsed.put(kv, tenantId, runId, record, 3 * bytes.byteLength);
  return record;
}

/** Run `runId` of `tenantId`, or null when there is none (another tenant's id included). */
export async function getRun<T = unknown>(
  kv: Deno.Kv,
  tenantId: string,
  runId: string,
): Promise<RunRecord<T> | null> {
  // The cache is per process: a run deleted here or by another instance must read as gone.
  if (!await getBlobManifest(kv, tenantId, RUN_KIND, runId)) return null;
  return await parsed.get(kv, tenantId, runId, async () => {
    const blob = await getBlob(kv, tenantId, RUN_KIND, runId);
    if (!blob) return null;
    // Parsed JSON takes a few times its text; numbers and short ids dominate a big run.
    const value = JSON.parse(new TextDecoder().decode(blob.bytes)) as RunRecord;
    return { value, bytes: 3 * blob.bytes.byteLength };
  }) as RunRecord<T> | null;
}

// Runs are immutable; the steps of a session read the same one again and again.
const parsed = new ImmutableCache<RunRecord>(8, 96 * 2 ** 20);

/** The decoded runs this process keeps for `kv`: how many, and their estimated bytes. */
export function runCacheStats(kv: Deno.Kv): { entries: number; bytes: number } {
  return parsed.stats(kv);
}

/** The id of the tenant's newest run, or null. */
export async function latestRunId(kv: Deno.Kv, tenantId: string): Promise<string | null> {
  return (await kv.get<string>(keys.pointer(tenantId, "latest_run"))).value;
}

/**
 * Deletes run `runId` of `tenantId` and the pointers naming it (`latest_run`, and each
 * session's `current_run:<owner>`), so no step reads a run that is gone.
 *
 * @returns false when the tenant has no such run (another tenant's id included).
 */
export async function deleteRun(kv: Deno.Kv, tenantId: string, runId: string): Promise<boolean> {
  if (!await deleteBlob(kv, tenantId, RUN_KIND, runId)) return false;
  const prefix = keys.pointer(tenantId, "").slice(0, -1);
  for await (const entry of kv.list<string>({ prefix })) {
    const name = entry.key.at(-1);
    const isRunPointer = name === "latest_run" ||
      (typeof name === "string" && name.startsWith("current_run:"));
    // Checked, so a pointer moved to a newer run meanwhile keeps it.
    if (isRunPointer && entry.value === runId) {
      await atomic(kv).check(entry).delete(entry.key).commit();
    }
  }
  return true;
}
