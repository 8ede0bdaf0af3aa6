/**
 * The storage module: the only code that touches Deno KV. Routes and the domain call these
 * functions with a `Deno.Kv` handle that `main.ts` opened (tests pass `:memory:` or a temporary
 * file), never a module-level handle, so expiry and restarts stay testable.
 */
import { retryingKv } from "./retry.ts";

export { atomic, type GuardedAtomic, KV_LIMITS, KvLimitError, valueSize } from "./atomic.ts";
export {
  type BlobManifest,
  CHUNK_BYTES,
  deleteBlob,
  getBlob,
  getBlobManifest,
  putBlob,
  sweepOrphanChunks,
} from "./blobs.ts";
export { deepFreeze, ImmutableCache } from "./immutable_cache.ts";
export { keys } from "./keys.ts";
export {
  DEFAULT_RETRY,
  isTransient,
  retryingKv,
  type RetryPolicy,
  StoreUnavailable,
  withRetry,
} from "./retry.ts";

/**
 * Opens the store named by `path` (the `KV_PATH` setting): `:memory:` for tests, a file path
 * (its folder is created; default `./data/kv.sqlite3`), or an `http(s)://` URL of a remote KV
 * (KV Connect: Deno Deploy or a self-hosted denokv server; the token comes from
 * `DENO_KV_ACCESS_TOKEN`), which lets many instances share one store. Every operation on the
 * handle is retried on transient contention (`retryingKv`), and throws `StoreUnavailable` when
 * the store stays busy.
 */
export async function openStore(path = "./data/kv.sqlite3"): Promise<Deno.Kv> {
  if (path !== ":memory:" && !/^https?:\/\//.test(path)) {
    const slash = path.lastIndexOf("/");
    if (slash > 0) await Deno.mkdir(path.slice(0, slash), { recursive: true });
  }
  return retryingKv(await Deno.openKv(path));
}
