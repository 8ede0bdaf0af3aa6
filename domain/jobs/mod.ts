/**
 * Asynchronous work that survives restarts: the job table in KV, the runner that claims and
 * runs jobs, and the job types.
 *
 * @module
 */
export { enqueueJob } from "./enqueue.ts";
export { getJob, getJobResult } from "./job_reads.ts";
export {
  DEFAULT_MAX_ACTIVE_JOBS_PER_TENANT,
  type JobRecord,
  type JobStage,
  TooManyActiveJobsError,
} from "./job_record.ts";
export { cancelJob, cancelOrDeleteJob, type CancelOrDeleteOutcome } from "./outcomes.ts";
export { type JobRetentionReport, sweepExpiredJobs } from "./job_retention.ts";
export { JobRunner } from "./runner.ts";
export {
  enqueueSegmentation,
  getSegmentationResult,
  SEGMENTATION_JOB_TYPE,
  segmentationJobType,
} from "./segmentation_job.ts";
