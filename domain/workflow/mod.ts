/**
 * Document 004's analyst workflow: the principal's session (current dataset, latest clustering),
 * what a stored clustering holds, and what the workflow shows of it.
 *
 * @module
 */
export { clusterDetails } from "./cluster_details.ts";
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
  clusteredCsv,
  clusterNames,
  correlationFigure,
  jsonReport,
  workflowFigures,
  workflowHtmlReport,
} from "./views.ts";
