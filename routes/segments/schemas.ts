/**
 * The `data` of document 003's responses (inside its envelope, `envelope.ts`), for the OpenAPI
 * document. Each names the fields the document lists; per-segment and per-cluster records stay
 * loose (`passthrough`), since what they carry depends on the dataset's columns.
 *
 * @module
 */
import { z } from "zod";
import { JobStatusSchema } from "../platform/jobs.ts";
import { DOCUMENT_JOB_STATUSES } from "../http/envelope.ts";

/** A job's status in document 003's words, and the service's own state beside it. */
const documentJobFields = {
  status: z.enum(DOCUMENT_JOB_STATUSES).meta({
    description: "Document 003's words: processing (queued or running), completed, failed, " +
      "cancelled",
  }),
  state: JobStatusSchema.shape.status.meta({
    description: "The service's own state (as GET /api/jobs/{job_id} answers it)",
  }),
};
import { WorkflowClusteringSchema } from "../workflow_schemas.ts";

const Count = z.int().min(0);

const pagingFields = {
  total_records: Count,
  limit: z.int(),
  offset: Count,
  has_more: z.boolean(),
};

/** One rule segment (`segmentSummary`): the type's key field, then the document's figures. */
const RuleSegment = z.object({
  segment_name: z.string(),
  rule: z.string(),
  total_customers: Count,
  customer_percentage: z.number(),
  avg_purchase_amount: z.number().nullable(),
  avg_clv: z.number().nullable(),
  revenue_percentage: z.number().nullable(),
}).passthrough();

/** `GET /api/segments/{type}` for a rule type. */
export const RuleSegmentsSchema = z.object({
  segmentation_type: z.string(),
  ...pagingFields,
  total_customers: Count,
  dataset_id: z.string(),
  columns: z.record(z.string(), z.unknown()).meta({ description: "Role → column used" }),
  cutoffs: z.record(z.string(), z.unknown()),
  notes: z.array(z.string()),
  segments: z.array(RuleSegment),
}).meta({ id: "RuleSegments" });

/** One cluster in document 003 §2's format (`ClusterDetail`). */
const ClusterDetail = z.object({
  cluster_id: z.int(),
  cluster_label: z.string(),
  cluster_name: z.string(),
  cluster_priority: z.int(),
  customer_count: Count,
  customer_percentage: z.number(),
  demographics: z.record(z.string(), z.unknown()),
  financial_metrics: z.record(z.string(), z.unknown()),
  behavioral_metrics: z.record(z.string(), z.unknown()),
}).passthrough().meta({ id: "ClusterDetail" });

/** `GET /api/segments/cluster`. */
export const ClusterSegmentsSchema = z.object({
  segmentation_type: z.literal("cluster"),
  run_id: z.string(),
  dataset_id: z.string(),
  algorithm: z.string(),
  noise_customers: Count,
  request_summary: z.object(pagingFields),
  segments: z.array(ClusterDetail),
}).meta({ id: "ClusterSegments" });

/** The `links` beside the envelope of `GET /api/segments/{type}`. */
export const SegmentLinksSchema = z.object({
  self: z.string(),
  insights: z.string(),
  export: z.string(),
  cluster_details: z.string().optional(),
});

/** `GET /api/clusters`. */
export const ClustersSchema = z.object({
  total_clusters: Count,
  run_id: z.string(),
  created_at: z.string(),
  algorithm: z.string(),
  dataset_id: z.string(),
  metrics: z.object({
    silhouette_score: z.number().nullable(),
    davies_bouldin_score: z.number().nullable(),
    calinski_harabasz_score: z.number().nullable(),
    noise_share: z.number(),
  }).optional().meta({ description: "With include_stats" }),
  clusters: z.array(
    z.object({
      cluster_id: z.int(),
      cluster_label: z.string(),
      cluster_name: z.string(),
      customer_count: Count,
    }).passthrough().meta({
      description: "With include_stats: shares and averages; with include_metadata: " +
        "description, priorities, characteristics, differentiating features",
    }),
  ),
}).meta({ id: "Clusters" });

/** `POST /api/clusters/run`. */
export const ClustersRunAcceptedSchema = z.object({
  job_id: z.string(),
  ...documentJobFields,
  message: z.string(),
  estimated_time_seconds: z.int(),
  status_url: z.string(),
  dataset_id: z.string(),
}).meta({ id: "ClustersRunAccepted" });

/** `GET /api/clusters/jobs/{job_id}`. */
export const ClusterJobSchema = JobStatusSchema.extend({
  ...documentJobFields,
  result: WorkflowClusteringSchema.nullable().meta({
    description: "The clustering, once the job has succeeded",
  }),
}).meta({ id: "ClusterJob" });

/** `GET /api/customers/{id}/segment`. */
export const CustomerSegmentSchema = z.object({
  customer_id: z.union([z.int(), z.string()]).meta({
    description: "An integer when the dataset's ids are integers (12345), else the id's text",
  }),
  name: z.string().nullable(),
  email: z.string().nullable(),
  segments: z.object({
    cluster_id: z.int().nullable(),
    cluster_label: z.string().nullable(),
    cluster_name: z.string().nullable(),
    cluster_run_id: z.string().optional(),
  }).passthrough().meta({ description: "Type → the customer's segment, then its cluster" }),
  unavailable_segments: z.array(
    z.object({ segmentation_type: z.string(), missing_columns: z.array(z.string()) }),
  ),
  insights: z.object({
    value_score: z.number().nullable(),
    churn_risk: z.enum(["Low", "Medium", "High"]).nullable(),
  }).passthrough().optional().meta({ description: "With include_insights" }),
}).meta({ id: "CustomerSegment" });

/** `GET /api/insights/{type}`. */
export const InsightsSchema = z.object({
  segmentation_type: z.string(),
  generated_at: z.string(),
  dataset_id: z.string(),
  run_id: z.string().optional().meta({ description: "cluster only" }),
  insights: z.array(z.record(z.string(), z.unknown())),
  key_metrics: z.record(z.string(), z.unknown()),
}).meta({ id: "Insights" });

/** `POST /api/export/{type}`. */
export const ExportCreatedSchema = z.object({
  export_id: z.string(),
  status: z.literal("completed").meta({
    description: "The file is generated before the answer: it can be downloaded at once",
  }),
  segmentation_type: z.string(),
  level: z.enum(["customers", "segments"]).meta({
    description: "customers: one row per customer; segments: one row per segment",
  }),
  format: z.enum(["csv", "json", "html"]),
  filename: z.string(),
  size_bytes: Count,
  estimated_size_mb: z.number(),
  download_url: z.string(),
  expires_at: z.string(),
}).meta({ id: "ExportCreated" });

/** The JSON file of a rule type's export (a cluster's is the workflow's report). */
export const RuleExportFileSchema = z.object({
  segmentation_type: z.string(),
  dataset: z.object({ id: z.string(), name: z.string() }),
  generated_at: z.string(),
  total_customers: Count,
  columns: z.record(z.string(), z.unknown()),
  cutoffs: z.record(z.string(), z.unknown()),
  notes: z.array(z.string()),
  segments: z.array(RuleSegment),
  customers: z.array(z.record(z.string(), z.unknown())),
}).meta({ id: "RuleExportFile" });

/** The JSON file of a segment-level export (`level: "segments"`). */
export const SegmentSummaryFileSchema = z.object({
  segmentation_type: z.string(),
  level: z.literal("segments"),
  dataset: z.object({ id: z.string(), name: z.string() }),
  generated_at: z.string(),
  columns: z.array(z.string()),
  segments: z.array(z.record(z.string(), z.unknown())),
}).meta({ id: "SegmentSummaryFile" });
