/**
 * Segmentation from customer data to a stored run: preprocessing, the engine (in-process or
 * on workers) that runs each entry point's computation, and the runs it stores.
 *
 * @module
 */
export { AnalyzeInputError, recommendationLines } from "./analyze.ts";
export {
  type DocumentAnalysisCluster,
  narrativesFromAnalysis,
  narrativesInLanguage,
} from "./analysis_narratives.ts";
export {
  type AnswerMode,
  answerMode,
  type AnswerModeReason,
  MAX_CUSTOMERS,
  SYNC_LIMITS,
  taskSize,
} from "./answer_mode.ts";
export { inProcessEngine, type SegmentationEngine } from "./engine.ts";
export { customerCount, type RunHooks, type SegmentationRequest } from "./execute.ts";
export {
  assignLabels,
  labelsFromRecord,
  labelsFromRun,
  type LabelsSource,
  profileEcho,
} from "./profile_request.ts";
export { getRun, latestRunId, newRunId, runCacheStats, type RunRecord, saveRun } from "./runs.ts";
export { segmentColumns, type SegmentOptions } from "./segment_columns.ts";
export { workerEngine } from "./worker_pool_engine.ts";
export { clusterWorkflow } from "./workflow_run.ts";
