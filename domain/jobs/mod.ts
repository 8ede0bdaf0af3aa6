/**
 * Asynchronous work that survives restarts: the job table in KV, the runner that claims and
 * runs jobs, and the job types.
 *
 * @module
 */
export { enqueueJob, getJob, getJobResult, type JobRecord } from "./job_table.ts";
export { JobRunner } from "./runner.ts";
export {
  enqueueSegmentation,
  getSegmentationResult,
  SEGMENTATION_JOB_TYPE,
  segmentationJobType,
} from "./segmentation_job.ts";
