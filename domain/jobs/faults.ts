/**
 * Crash points for tests: a `FaultHook` given to the runner (`JobRunnerOptions.faults`) is
 * called before each step of a job's life that writes to the store, so a test can stop a worker
 * there (a hook that never resolves is a process that died at that point) or make the step fail
 * (a hook that throws), without killing processes. Production code passes none.
 *
 * @module
 */

/** A step about to happen: the claimed job starts, the run returns, a write of the result. */
export type FaultPoint =
  | { readonly step: "claim" }
  | { readonly step: "compute" }
  | { readonly step: "result_chunk"; readonly index: number }
  | { readonly step: "publish" }
  | { readonly step: "flip" };

/** Called before the step; a rejection fails the step, a promise that never settles stops it. */
export type FaultHook = (point: FaultPoint) => void | Promise<void>;

/**
 * `kv` with `hook` called before each atomic commit that `putBlob` makes for a result of
 * `chunkOps` chunk writes: `result_chunk` i for the chunk writes, then `publish` for the
 * manifest. Only for the one `putBlob` call it is passed to.
 */
export function faultingKv(kv: Deno.Kv, hook: FaultHook, chunkOps: number): Deno.Kv {
  let commits = 0;
  return new Proxy(kv, {
    get(target, prop) {
      if (prop === "atomic") {
        return () => {
          const op = target.atomic();
          const commit = op.commit.bind(op);
          op.commit = async () => {
            const index = commits++;
            await hook(index < chunkOps ? { step: "result_chunk", index } : { step: "publish" });
            return await commit();
          };
          return op;
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
