/**
 * The response bodies of document 004's workflow (`workflow.ts`), for the OpenAPI document.
 * Each names the fields the workflow documents; maps keyed by column or cluster id stay open
 * records, and objects the domain may grow are loose (`passthrough`).
 *
 * @module
 */
import { z } from "zod";

const Count = z.int().min(0);
/** cluster id (as a string) → `T`. */
const perCluster = <T extends z.ZodType>(value: T) =>
  z.record(z.string(), value).meta({ description: "By cluster id" });

/** A Plotly figure, ready for `Plotly.newPlot(element, figure.data, figure.layout)`. */
export const PlotlyFigureSchema = z.object({
  data: z.array(z.record(z.string(), z.unknown())),
  layout: z.record(z.string(), z.unknown()),
}).meta({ id: "PlotlyFigure" });

const ColumnStatistics = z.object({
  count: Count,
  mean: z.number().nullable(),
  std: z.number().nullable(),
  min: z.number().nullable(),
  "25%": z.number().nullable(),
  "50%": z.number().nullable(),
  "75%": z.number().nullable(),
  max: z.number().nullable(),
});

/** The dataset fields of every answer that stores or selects a dataset. */
const datasetFields = {
  dataset_id: z.string(),
  name: z.string(),
  rows: Count,
  column_types: z.record(z.string(), z.string()).meta({
    description: "Column → numeric, categorical, id or date",
  }),
  column_map: z.record(z.string(), z.unknown()).meta({
    description: "Role (gender, region, age, income, …) → column name, or null",
  }),
  column_roles: z.array(z.string()).meta({ description: "The roles a client may map" }),
  income_scale: z.number(),
  roles: z.object({
    columns: z.array(z.object({
      column: z.string(),
      role: z.string().nullable(),
      confidence: z.number(),
      unit: z.string().optional(),
      evidence: z.array(z.string()),
      source: z.enum(["detected", "corrected"]),
      ask: z.string().optional(),
    })),
    measures: z.array(z.record(z.string(), z.unknown())),
    reference_year: z.number(),
    reference_note: z.string(),
  }).meta({
    description: "Each column's business role (spend, purchases, age, tenure, …) with its " +
      "confidence, unit and evidence, and how the roles combine (docs/roles.md)",
  }),
};

/** `PUT /api/datasets/current`. */
export const DatasetSelectedSchema = z.object({ success: z.literal(true), ...datasetFields })
  .meta({ id: "WorkflowDataset" });

/** `POST /api/upload`, `POST /api/datasets`, `PUT /api/datasets/current/columns`. */
export const DatasetStoredSchema = z.object({
  success: z.literal(true),
  message: z.string(),
  shape: z.tuple([Count, Count]).meta({ description: "[rows, columns]" }),
  statistics: z.record(z.string(), ColumnStatistics).meta({
    description: "Numeric column → pandas-style describe()",
  }),
  features: z.array(z.string()).meta({ description: "The numeric columns" }),
  processing_time: z.number().meta({ description: "Seconds" }),
  ...datasetFields,
}).meta({ id: "WorkflowDatasetStored" });

/** `GET /api/datasets`. */
export const DatasetListSchema = z.object({
  success: z.literal(true),
  current_dataset_id: z.string().nullable(),
  datasets: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      rowCount: Count,
      columnCount: Count,
      createdAt: z.number(),
      storedAt: z.number(),
    }).passthrough(),
  ).meta({ description: "Newest first; one page of them" }),
  total: Count.meta({ description: "Datasets stored" }),
  limit: Count,
  offset: Count,
  has_more: z.boolean(),
}).meta({ id: "WorkflowDatasetList" });

/** `GET /api/data-quality`. */
export const DataQualitySchema = z.object({
  success: z.literal(true),
  metrics: z.object({
    total_rows: Count,
    total_columns: Count,
    numeric_columns: Count,
    categorical_columns: Count,
    column_types: z.record(z.string(), z.string()),
    duplicate_rows: Count,
    missing_values: z.record(z.string(), Count),
    missing_percentage: z.record(z.string(), z.number()),
    memory_usage_mb: z.number(),
  }).passthrough(),
}).meta({ id: "WorkflowDataQuality" });

/** `GET /api/optimal-clusters`. */
export const OptimalClustersSchema = z.object({
  success: z.literal(true),
  silhouette_scores: z.record(z.string(), z.number()).meta({ description: "k → silhouette" }),
  inertia: z.record(z.string(), z.number()).meta({ description: "k → within-cluster SS" }),
  optimal_k: z.int(),
  chart_data: z.object({ x: z.array(z.int()), y: z.array(z.number()) }),
  silhouette_mode: z.enum(["exact", "sampled"]),
  rows_used: Count,
  analysis_time: z.number().meta({ description: "Seconds" }),
}).passthrough().meta({ id: "WorkflowOptimalClusters" });

const clusteringFields = {
  success: z.literal(true),
  run_id: z.string(),
  metrics: z.object({
    silhouette_score: z.number().nullable(),
    davies_bouldin_score: z.number().nullable(),
    calinski_harabasz_score: z.number().nullable(),
    noise_share: z.number(),
    silhouette_mode: z.string(),
  }).passthrough(),
  cluster_analysis: perCluster(
    z.object({
      size: Count,
      percentage: z.number(),
      statistics: z.record(z.string(), z.unknown()),
    }),
  ),
  recommendations: perCluster(z.string()),
  cluster_profiles: perCluster(z.record(z.string(), z.unknown())),
  centroids: perCluster(z.record(z.string(), z.number())).meta({
    description: "By cluster id: each feature's mean as a z-score against the population",
  }),
  feature_importance: z.record(z.string(), z.number()).meta({ description: "Percent" }),
  top_features: perCluster(z.array(z.record(z.string(), z.unknown()))),
  cluster_summaries: perCluster(z.string()),
  segments: z.array(z.record(z.string(), z.unknown())).meta({
    description: "Names, personas, KPIs and actions per cluster",
  }),
  n_clusters: z.int(),
  algorithm: z.string(),
  selection: z.object({ mode: z.enum(["auto", "fixed"]), why: z.string() }).passthrough(),
  candidates: z.array(z.record(z.string(), z.unknown())),
  accuracy: z.number(),
  clustering_time: z.number().meta({ description: "Seconds" }),
};

/** `POST /api/cluster` (and its job's result). */
export const WorkflowClusteringSchema = z.object(clusteringFields).passthrough()
  .meta({ id: "WorkflowClustering" });

/** `GET /api/cluster-data` and the JSON report of `GET /api/export?format=json`. */
export const WorkflowReportSchema = z.object({
  ...clusteringFields,
  created_at: z.string(),
  dataset: z.object({ id: z.string().nullable(), name: z.string().nullable() }),
  customers: Count,
  params: z.record(z.string(), z.unknown()),
  preprocessing: z.record(z.string(), z.unknown()),
}).passthrough().meta({ id: "WorkflowReport" });

/** `GET /api/visualizations`. */
export const VisualizationsSchema = z.object({
  success: z.literal(true),
  run_id: z.string(),
  scatter_chart: PlotlyFigureSchema,
  distribution_chart: PlotlyFigureSchema,
  feature_means_chart: PlotlyFigureSchema,
}).meta({ id: "WorkflowVisualizations" });

/** `GET /api/correlation-matrix`. */
export const CorrelationSchema = z.object({
  success: z.literal(true),
  features: z.array(z.string()),
  matrix: z.array(z.array(z.number().nullable())).meta({
    description: "Pearson r, in the order of features; null where undefined",
  }),
  heatmap: PlotlyFigureSchema,
}).meta({ id: "WorkflowCorrelation" });

/** `GET /api/export` without `format`. */
export const ExportLinksSchema = z.object({
  success: z.literal(true),
  message: z.string(),
  run_id: z.string(),
  files: z.object({ csv: z.string(), json: z.string(), html: z.string() }),
}).meta({ id: "WorkflowExportLinks" });

/** `POST /api/reset`. */
export const ResetSchema = z.object({ success: z.literal(true), message: z.string() })
  .meta({ id: "WorkflowReset" });
