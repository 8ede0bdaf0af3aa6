/**
 * The Web Worker that runs argon2id for `hash_pool.ts`, off the HTTP thread: one job at a time,
 * `{ id, op: "hash", password, options }` or `{ id, op: "verify", password, hash }`, answered
 * `{ id, ok: true, value }` or `{ id, ok: false, message }`.
 *
 * @module
 */
import { argon2id, argon2Verify } from "hash-wasm";

/** A job for the worker. */
export type HashJob =
  | {
    id: number;
    op: "hash";
    password: string;
    options: {
      salt: Uint8Array;
      parallelism: number;
      iterations: number;
      memorySize: number;
      hashLength: number;
    };
  }
  | { id: number; op: "verify"; password: string; hash: string };

/** The worker's answer to job `id`. */
export type HashAnswer =
  | { id: number; ok: true; value: string | boolean }
  | { id: number; ok: false; message: string };

/** Runs one job (exported for tests; the worker calls it per message). */
export async function runHashJob(job: HashJob): Promise<HashAnswer> {
  try {
    const value = job.op === "hash"
      ? await argon2id({
        password: job.password,
        ...job.options,
        outputType: "encoded",
      })
      : await argon2Verify({ password: job.password, hash: job.hash });
    return { id: job.id, ok: true, value };
  } catch (error) {
    return { id: job.id, ok: false, message: error instanceof Error ? error.message : "failed" };
  }
}

// Only inside a worker: `self` is then a DedicatedWorkerGlobalScope without a `window`.
if (typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== "undefined") {
  self.onmessage = async (event: MessageEvent<HashJob>) => {
    self.postMessage(await runHashJob(event.data));
  };
}
