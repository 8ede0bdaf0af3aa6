/**
 * The segmentation engine: the one entry point through which the segmentation endpoints
 * (documents 000–002) and their jobs run a segmentation. A task is plain data (structured-clone
 * and JSON safe), so the same task runs in the request's thread (`inProcessEngine`, tests and
 * small tools), in a pool of Web Workers (`domain/segmentation/worker_pool_engine.ts`, the server: the HTTP
 * thread stays free while a 200k-customer segmentation runs), or later in a job.
 *
 * Errors keep their meaning across a worker boundary: `RangeError` (input the data cannot
 * support) and `AnalyzeInputError` (with its `parameter`) come back as themselves, so a route
 * maps them to 422 wherever the task ran.
 *
 * @module
 */
import type { BackendInfo, ComputeBackend } from "../../compute/backend.ts";
import type { ProgressEvent } from "../../compute/auto.ts";
import { analyze, AnalyzeInputError, type AnalyzeRequest } from "./analyze.ts";
import { type GeneralCustomer, type GeneralOptions, profileGeneral } from "./profile_request.ts";
import type { Language } from "../description/narrative.ts";
import {
  type PurchasingRequest,
  type PurchasingRequestV2,
  purchasingSegmentation,
  purchasingSegmentationV2,
} from "./purchasing.ts";
import {
  clusterWorkflow,
  type OptimalClusters,
  optimalClusters,
  type OptimalClustersRequest,
  type WorkflowRequest,
  type WorkflowRun,
} from "./workflow_run.ts";

/** One segmentation to run: which endpoint's computation, on which input. */
export type EngineTask =
  | { kind: "purchasing"; request: PurchasingRequest; language: Language }
  | { kind: "purchasing_v2"; request: PurchasingRequestV2; language?: Language }
  | { kind: "analyze"; request: AnalyzeRequest; language: Language }
  | { kind: "workflow"; request: WorkflowRequest; language: Language }
  | { kind: "optimal_k"; request: OptimalClustersRequest }
  | {
    kind: "profiles";
    data: readonly GeneralCustomer[];
    /** The customers' cluster labels (request or run), or null to segment first. */
    labels: readonly number[] | null;
    options: GeneralOptions;
    language: Language;
  };

/** What each kind of task returns. */
export interface EngineResults {
  purchasing: Awaited<ReturnType<typeof purchasingSegmentation>>;
  purchasing_v2: Awaited<ReturnType<typeof purchasingSegmentationV2>>;
  analyze: Awaited<ReturnType<typeof analyze>>;
  profiles: Awaited<ReturnType<typeof profileGeneral>>;
  workflow: WorkflowRun;
  optimal_k: OptimalClusters;
}

/** The result of task `T`. */
export type EngineResult<T extends EngineTask> = EngineResults[T["kind"]];

/** Runs segmentation tasks somewhere (this thread, workers). */
export interface SegmentationEngine {
  /** The compute backend the tasks run on. */
  readonly info: BackendInfo;
  /**
   * Runs `task`. Rejects with the domain's errors (`RangeError`, `AnalyzeInputError`) for input
   * the data cannot support, and with other errors for failures of the engine itself.
   * `options.onProgress` hears the pipeline's stages (every task but `optimal_k`).
   */
  run<T extends EngineTask>(task: T, options?: EngineRunOptions): Promise<EngineResult<T>>;
  /** Releases the backend and any worker. */
  dispose(): Promise<void>;
}

/** What a caller of `SegmentationEngine.run` may ask besides the task. */
export interface EngineRunOptions {
  /**
   * Called at each stage of the pipeline (`preprocess`, `candidates` with `done`/`total`,
   * `selection`, `profiles`, `narratives`, `importance`); a worker engine forwards them.
   */
  onProgress?: (p: ProgressEvent) => void;
}

/** Runs `task` on `backend` in this thread, its stages told to `onProgress`. */
export async function runTask<T extends EngineTask>(
  task: T,
  backend: ComputeBackend,
  onProgress?: (p: ProgressEvent) => void,
): Promise<EngineResult<T>> {
  const t = task as EngineTask;
  switch (t.kind) {
    case "purchasing":
      return await purchasingSegmentation(
        t.request,
        backend,
        t.language,
        onProgress,
      ) as EngineResult<
        T
      >;
    case "purchasing_v2":
      return await purchasingSegmentationV2(
        t.request,
        backend,
        t.language ?? "en",
        onProgress,
      ) as EngineResult<T>;
    case "analyze":
      return await analyze(t.request, backend, t.language, onProgress) as EngineResult<T>;
    case "workflow":
      return await clusterWorkflow(t.request, backend, t.language, onProgress) as EngineResult<
        T
      >;
    case "optimal_k":
      return await optimalClusters(t.request, backend) as EngineResult<T>;
    case "profiles":
      return await profileGeneral(
        t.data,
        t.labels ? Int32Array.from(t.labels) : null,
        t.options,
        backend,
        t.language,
        onProgress,
      ) as EngineResult<T>;
  }
}

/** An engine that runs every task in the calling thread on `backend` (which it owns). */
export function inProcessEngine(backend: ComputeBackend): SegmentationEngine {
  return {
    get info() {
      return backend.info;
    },
    run: (task, options) => runTask(task, backend, options?.onProgress),
    dispose: () => backend.dispose(),
  };
}

/** An error as it crosses a worker boundary. */
export interface SerializedError {
  name: string;
  message: string;
  parameter?: string;
}

/** `error` as plain data (`deserializeError` rebuilds it). */
export function serializeError(error: unknown): SerializedError {
  if (error instanceof AnalyzeInputError) {
    return { name: error.name, message: error.message, parameter: error.parameter };
  }
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: "Error", message: String(error) };
}

/** Rebuilds an error of the class it had, for the classes callers tell apart. */
export function deserializeError(e: SerializedError): Error {
  if (e.name === "AnalyzeInputError") return new AnalyzeInputError(e.message, e.parameter ?? "");
  if (e.name === "RangeError") return new RangeError(e.message);
  if (e.name === "TypeError") return new TypeError(e.message);
  const error = new Error(e.message);
  error.name = e.name;
  return error;
}
