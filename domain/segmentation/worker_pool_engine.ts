/**
 * A `SegmentationEngine` that runs tasks in a pool of Web Workers (`engine_worker.ts`), each
 * with its own compute backend, so that a long segmentation never blocks the HTTP thread: the
 * server keeps answering health checks, job polls and the request time limit while it runs.
 *
 * Tasks queue in arrival order and each worker runs one at a time. A worker that dies (an
 * uncaught error, out of memory) fails its task with an `Error` and is replaced for the next.
 *
 * @module
 */
import type { BackendChoice, BackendInfo } from "../../compute/backend.ts";
import type { ProgressEvent } from "../../compute/auto.ts";
import {
  deserializeError,
  type EngineResult,
  type EngineRunOptions,
  type EngineTask,
  type SegmentationEngine,
  type SerializedError,
} from "./engine.ts";

/** Options of `workerEngine`. */
export interface WorkerEngineOptions {
  /** The backend every worker selects; `auto` is resolved once per worker. */
  backend: BackendChoice;
  /** Workers, i.e. segmentations run at once (default 1: each already uses every core). */
  workers?: number;
}

interface Pending {
  task: EngineTask;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  onProgress?: (p: ProgressEvent) => void;
}

interface Slot {
  worker: Worker;
  ready: Promise<BackendInfo>;
  busy: Pending | null;
  send?: (job: Pending) => void;
}

/**
 * Starts an engine of `options.workers` workers. Resolves once the first worker's backend is
 * up (its `info` is the engine's).
 *
 * @throws {Error} when a worker cannot start its backend (e.g. `gpu` without an adapter).
 */
export async function workerEngine(options: WorkerEngineOptions): Promise<SegmentationEngine> {
  const size = options.workers ?? 1;
  if (!Number.isInteger(size) || size < 1) {
    throw new RangeError(`Expected workers to be a positive integer but found ${size}`);
  }
  const queue: Pending[] = [];
  const slots: (Slot | null)[] = Array.from({ length: size }, () => null);
  let nextId = 0;
  let disposed = false;

  const spawn = (index: number): Slot => {
    const worker = new Worker(new URL("./engine_worker.ts", import.meta.url).href, {
      type: "module",
    });
    let onReady!: (info: BackendInfo) => void;
    let onFailed!: (error: Error) => void;
    const ready = new Promise<BackendInfo>((resolve, reject) => {
      onReady = resolve;
      onFailed = reject;
    });
    const slot: Slot = { worker, ready, busy: null };
    let currentId = -1;
    worker.onmessage = (event: MessageEvent) => {
      const m = event.data as {
        ready?: boolean;
        info?: BackendInfo;
        failed?: SerializedError;
        id?: number;
        result?: unknown;
        error?: SerializedError;
        progress?: ProgressEvent;
      };
      if (m.ready) return onReady(m.info!);
      if (m.failed) return onFailed(deserializeError(m.failed));
      const job = slot.busy;
      if (!job || m.id !== currentId) return;
      if (m.progress) {
        try {
          job.onProgress?.(m.progress);
        } catch { /* a listener's error is not the task's */ }
        return;
      }
      slot.busy = null;
      if (m.error) job.reject(deserializeError(m.error));
      else job.resolve(m.result);
      pump();
    };
    worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      worker.terminate();
      slots[index] = null;
      const message = `The engine worker stopped: ${event.message}`;
      onFailed(new Error(message));
      slot.busy?.reject(new Error(message));
      slot.busy = null;
      pump();
    };
    slot.send = (job: Pending) => {
      currentId = nextId++;
      slot.busy = job;
      worker.postMessage({ id: currentId, task: job.task });
    };
    worker.postMessage({ init: options.backend });
    return slot;
  };

  const pump = () => {
    if (disposed) return;
    for (let i = 0; i < slots.length && queue.length > 0; i++) {
      const slot = slots[i] ?? (slots[i] = spawn(i));
      if (slot.busy) continue;
      const job = queue.shift()!;
      slot.busy = job;
      slot.ready.then(
        () => slot.send!(job),
        (error) => {
          slot.busy = null;
          job.reject(error);
        },
      );
    }
  };

  const first = spawn(0);
  slots[0] = first;
  let info: BackendInfo;
  try {
    info = await first.ready;
  } catch (error) {
    first.worker.terminate();
    throw error;
  }

  return {
    get info() {
      return info;
    },
    run<T extends EngineTask>(task: T, options?: EngineRunOptions): Promise<EngineResult<T>> {
      if (disposed) return Promise.reject(new Error("The segmentation engine is disposed"));
      return new Promise((resolve, reject) => {
        queue.push({
          task,
          resolve: resolve as (value: unknown) => void,
          reject,
          onProgress: options?.onProgress,
        });
        pump();
      });
    },
    dispose() {
      disposed = true;
      for (const job of queue.splice(0)) {
        job.reject(new Error("The segmentation engine is disposed"));
      }
      for (const slot of slots) {
        if (!slot) continue;
        slot.busy?.reject(new Error("The segmentation engine is disposed"));
        slot.worker.terminate();
      }
      return Promise.resolve();
    },
  };
}
