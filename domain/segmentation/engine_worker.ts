/**
 * The Web Worker behind `workerEngine`: holds its own compute backend and runs the tasks it is
 * sent, one at a time, with `runTask`.
 *
 * Protocol: `{ init: BackendChoice }` once (answered `{ ready: true }` or `{ failed }`), then
 * `{ id, task }` answered `{ id, result }` or `{ id, error: SerializedError }`, with
 * `{ id, progress: ProgressEvent }` messages before the answer as the pipeline moves on.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import type { BackendChoice, ComputeBackend } from "../../compute/backend.ts";
import { selectBackend } from "../../compute/select.ts";
import { type EngineTask, runTask, serializeError } from "./engine.ts";

let backend: ComputeBackend | null = null;

self.onmessage = async (event: MessageEvent) => {
  const message = event.data as { init?: BackendChoice; id?: number; task?: EngineTask };
  if (message.init !== undefined) {
    try {
      backend = await selectBackend(message.init, { log: () => {} });
      self.postMessage({ ready: true, info: backend.info });
    } catch (error) {
      self.postMessage({ failed: serializeError(error) });
    }
    return;
  }
  const { id, task } = message;
  try {
    if (!backend) throw new Error("The engine worker was sent a task before it was ready");
    const result = await runTask(task!, backend, (progress) => {
      self.postMessage({ id, progress: { ...progress } });
    });
    self.postMessage({ id, result });
  } catch (error) {
    self.postMessage({ id, error: serializeError(error) });
  }
};
