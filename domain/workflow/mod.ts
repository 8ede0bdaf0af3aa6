/**
 * Document 004's analyst workflow: the principal's session (current dataset, latest clustering),
 * what a stored clustering holds, what the workflow shows of it, the exports made from the
 * session (stored, expiring), and the one path from a segmentation request to a stored run.
 *
 * @module
 */
export { clusterDetails } from "./cluster_details.ts";
export { executeRequest } from "./execute_request.ts";
export { clusterInsights, rankSegments } from "./cluster_insights.ts";
export { CLUSTER_SORT_FIELDS, type ClusterSortField, clusterSortValue } from "./cluster_sort.ts";
export { type CustomerCluster, customerCluster } from "./customer_cluster.ts";
export { sessionDataset, sessionRun } from "./session.ts";
export {
  latestClustering,
  NO_CLUSTERING,
  NO_DATA,
  requireClustering,
  requireDataset,
  requireSessionRun,
  sessionOwner,
  SessionPrerequisiteError,
} from "./session_rules.ts";
export { type ClusterDetail, type StoredWorkflow, WORKFLOW_SOURCE } from "./stored_run.ts";
export {
  clusterCsv,
  segmentationCsv,
  segmentationTable,
  type TableOptions,
} from "./export_tables.ts";
export {
  EXPORT_FORMATS,
  type ExportFile,
  getExport,
  isExpired,
  saveExport,
  sweepExpiredExports,
} from "./stored_exports.ts";
export {
  clusteredCsv,
  clusterNames,
  correlationFigure,
  jsonReport,
  workflowFigures,
  workflowHtmlReport,
} from "./views.ts";
export { DEFAULT_RETENTION_DAYS, retentionMs, sweepExpired } from "./retention.ts";
