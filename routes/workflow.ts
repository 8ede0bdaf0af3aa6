/**
 * Document 004, the analyst's workflow on the principal's session (`domain/workflow/session.ts`):
 * `POST /api/upload` (a CSV as multipart field `file`, or the CSV itself as `text/csv`; both
 * streamed into the parser, `routes/http/multipart.ts`),
 * `POST /api/datasets` (JSON records), `GET /api/datasets`, `PUT /api/datasets/current`,
 * `PUT /api/datasets/current/columns`, `GET /api/data-quality`, `GET /api/optimal-clusters`,
 * `POST /api/cluster`, `GET /api/cluster-data`, `GET /api/visualizations`,
 * `GET /api/correlation-matrix`, `GET /api/export`, `POST /api/reset`. Answers keep the
 * document's shapes (`success: true` and its fields); errors are the service's error body, whose
 * `error` and `message` carry the document's messages.
 *
 * @module
 */
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { z } from "zod";
import { correlationMatrix, toPlainTable } from "../domain/datasets/mod.ts";
import { dataQuality, describeDataset } from "../domain/datasets/mod.ts";
import {
  applyColumnMap,
  type ColumnMapOverride,
  datasetFromRecords,
  newDatasetId,
  parseCsvStream,
} from "../domain/datasets/mod.ts";
import {
  clearSession,
  getCurrentDatasetId,
  saveDataset,
  setCurrentDataset,
} from "../domain/datasets/mod.ts";
import { COLUMN_ROLES, type Dataset, datasetRoles } from "../domain/datasets/mod.ts";
import { datasetRolesInLanguage } from "../domain/datasets/role_columns.ts";
import { DATASET_PAGE, deleteDataset, listDatasetPage } from "../domain/datasets/store.ts";
import {
  BUSINESS_ROLES,
  type Language,
  parseAcceptLanguage,
  ROLE_UNITS,
} from "../domain/description/mod.ts";
import {
  requireDataset,
  requireSessionRun,
  sessionOwner,
  WORKFLOW_SOURCE,
} from "../domain/workflow/mod.ts";
import { round } from "../compute/numbers.ts";
import {
  clusteredCsv,
  correlationFigure,
  jsonReport,
  workflowFigures,
  workflowHtmlReport,
} from "../domain/workflow/mod.ts";
import { ClientError, wrapClientErrors } from "./http/errors.ts";
import type { AppEnv } from "./env.ts";
import { createRouter, errorResponses } from "./http/openapi.ts";
import {
  AcceptedJobSchema,
  answerSegmentation,
  type SegmentationDeps,
} from "./segmentation/answer.ts";
import {
  CorrelationSchema,
  DataQualitySchema,
  DatasetListSchema,
  DatasetSelectedSchema,
  DatasetStoredSchema,
  ExportLinksSchema,
  OptimalClustersSchema,
  ResetSchema,
  VisualizationsSchema,
  WorkflowClusteringSchema,
  WorkflowReportSchema,
} from "./workflow_schemas.ts";
import { SYNC_LIMITS } from "../domain/segmentation/mod.ts";
import { multipartBoundary, multipartFile } from "./http/multipart.ts";
import { limitBody } from "./http/validation.ts";

/** What the workflow routes need. */
export interface WorkflowDeps extends SegmentationDeps {
  /** Largest CSV accepted by `POST /api/upload` (default 16 MiB, document 004). */
  maxUploadBytes?: number;
}

/** Document 004's upload limit. */
export const DEFAULT_MAX_UPLOAD_BYTES = 16 * 1024 * 1024;

const ok = (description: string, schema: z.ZodType) => ({
  200: { description, content: { "application/json": { schema } } },
});

const ColumnMapBody = z.object({
  ...Object.fromEntries(
    COLUMN_ROLES.map((r) => [r, z.string().min(1).max(200).nullable().optional()]),
  ),
  products: z.array(z.string().min(1).max(200)).max(200).nullable().optional(),
  income_scale: z.number().positive().finite().nullable().optional().meta({
    description: "Multiplier of the income column to currency units (1000 for k$)",
  }),
  columns: z.record(
    z.string().min(1).max(200),
    z.object({
      role: z.enum(BUSINESS_ROLES).nullable().optional(),
      unit: z.enum(ROLE_UNITS).optional(),
    }).strict().nullable(),
  ).nullable().optional().meta({
    description: "Per column business role (null: none) and unit, over the detected ones " +
      "(docs/roles.md); a column set to null drops its correction",
  }),
}).strict().meta({ id: "ColumnMapOverride" });

const ClusterBody = z.object({
  n_clusters: z.int().min(2).max(10).optional().meta({
    description: "A fixed number of clusters, 2–10 (without it: chosen automatically)",
  }),
  algorithm: z.enum(["auto", "kmeans", "gmm", "ward", "dbscan"]).optional().meta({
    description: "Default kmeans with n_clusters, else auto (every algorithm, k = 2..10)",
  }),
  max_clusters: z.int().min(2).max(10).optional(),
  random_state: z.int().optional(),
  eps: z.number().gt(0).max(10).optional().meta({
    description: "DBSCAN's radius on the standardised features (default 0.4)",
  }),
  min_samples: z.int().min(2).max(1000).optional().meta({
    description: "DBSCAN's core-point threshold (default 5)",
  }),
}).strict().meta({ id: "ClusterRequest" });

const routes = {
  upload: createRoute({
    method: "post",
    path: "/upload",
    tags: ["workflow"],
    summary: "Upload a CSV as the session's current dataset",
    description: "Multipart with the file in field `file` (document 004), or the CSV itself as " +
      "the body with Content-Type text/csv (streamed). At most 16 MiB (413 above). The column " +
      "types and the column map (gender, region, age, income, …) are guessed and returned.",
    request: {
      query: z.object({ name: z.string().min(1).max(200).optional() }),
    },
    responses: {
      ...ok("The stored dataset's summary", DatasetStoredSchema),
      ...errorResponses(400, 401, 413, 422),
    },
  }),
  datasetsPost: createRoute({
    method: "post",
    path: "/datasets",
    tags: ["workflow"],
    summary: "Store JSON records as a dataset and make it the session's current one",
    request: {
      body: {
        required: true,
        content: {
          "application/json": {
            schema: z.object({
              name: z.string().min(1).max(200).optional(),
              records: z.array(z.record(z.string(), z.unknown())).min(1).max(1_000_000),
              column_map: ColumnMapBody.optional(),
            }).strict(),
          },
        },
      },
    },
    responses: {
      ...ok("The stored dataset's summary", DatasetStoredSchema),
      ...errorResponses(400, 401, 413, 422),
    },
  }),
  datasetsList: createRoute({
    method: "get",
    path: "/datasets",
    tags: ["workflow"],
    summary: "The tenant's stored datasets, newest first (paged), and the session's current one",
    request: {
      query: z.object({
        limit: z.coerce.number().int().min(1).max(DATASET_PAGE.maxLimit)
          .default(DATASET_PAGE.defaultLimit).meta({
            description:
              `Datasets per page (default ${DATASET_PAGE.defaultLimit}, at most ${DATASET_PAGE.maxLimit})`,
          }),
        offset: z.coerce.number().int().min(0).default(0).meta({
          description: "Datasets skipped (default 0)",
        }),
      }),
    },
    responses: { ...ok("Datasets", DatasetListSchema), ...errorResponses(401, 422) },
  }),
  datasetsDelete: createRoute({
    method: "delete",
    path: "/datasets/{id}",
    tags: ["workflow"],
    summary: "Delete a stored dataset (and any session's pointer to it; its runs are kept)",
    request: { params: z.object({ id: z.string().min(1).max(200) }) },
    responses: {
      204: { description: "Deleted" },
      ...errorResponses(401, 404),
    },
  }),
  datasetsSelect: createRoute({
    method: "put",
    path: "/datasets/current",
    tags: ["workflow"],
    summary: "Make a stored dataset the session's current one",
    request: {
      body: {
        required: true,
        content: {
          "application/json": {
            schema: z.object({ dataset_id: z.string().min(1).max(200) }).strict(),
          },
        },
      },
    },
    responses: {
      ...ok("The dataset's summary", DatasetSelectedSchema),
      ...errorResponses(400, 401, 404),
    },
  }),
  datasetsCurrent: createRoute({
    method: "get",
    path: "/datasets/current",
    tags: ["workflow"],
    summary: "The session's current dataset (a read: nothing changes)",
    responses: {
      ...ok("The dataset's summary", DatasetSelectedSchema),
      ...errorResponses(400, 401),
    },
  }),
  columns: createRoute({
    method: "put",
    path: "/datasets/current/columns",
    tags: ["workflow"],
    summary: "Correct the column map of the current dataset (stored as a new dataset)",
    request: {
      body: { required: true, content: { "application/json": { schema: ColumnMapBody } } },
    },
    responses: {
      ...ok("The corrected dataset's summary", DatasetStoredSchema),
      ...errorResponses(400, 401, 422),
    },
  }),
  quality: createRoute({
    method: "get",
    path: "/data-quality",
    tags: ["workflow"],
    summary: "Data quality of the current dataset",
    responses: {
      ...ok("Counts, types, duplicates, missing values", DataQualitySchema),
      ...errorResponses(400, 401),
    },
  }),
  optimal: createRoute({
    method: "get",
    path: "/optimal-clusters",
    tags: ["workflow"],
    summary: "Silhouette of KMeans for k = 2..10 and the best k",
    request: {
      query: z.object({
        max_k: z.coerce.number().int().min(2).max(10).optional(),
        random_state: z.coerce.number().int().optional(),
      }),
    },
    responses: {
      ...ok("Scores per k, optimal_k, chart_data", OptimalClustersSchema),
      ...errorResponses(400, 401),
    },
  }),
  cluster: createRoute({
    method: "post",
    path: "/cluster",
    tags: ["workflow"],
    summary: "Segment the current dataset",
    description: "n_clusters (2–10) for KMeans, an algorithm, or neither for automatic " +
      "selection. Above 50,000 rows, or with Prefer: respond-async, answered 202 with a job.",
    request: {
      headers: z.object({
        "accept-language": z.string().optional(),
        prefer: z.string().optional(),
      }),
      body: { required: false, content: { "application/json": { schema: ClusterBody } } },
    },
    responses: {
      ...ok("The clustering, profiles, names, recommendations", WorkflowClusteringSchema),
      202: {
        description: "Queued as a job; its result is the 200 body",
        content: { "application/json": { schema: AcceptedJobSchema } },
      },
      ...errorResponses(400, 401, 422),
    },
  }),
  clusterData: createRoute({
    method: "get",
    path: "/cluster-data",
    tags: ["workflow"],
    summary: "The session's latest clustering",
    responses: { ...ok("The clustering", WorkflowReportSchema), ...errorResponses(400, 401) },
  }),
  visualizations: createRoute({
    method: "get",
    path: "/visualizations",
    tags: ["workflow"],
    summary: "Plotly figures of the latest clustering",
    responses: {
      ...ok(
        "scatter_chart, distribution_chart, feature_means_chart (Plotly.newPlot JSON)",
        VisualizationsSchema,
      ),
      ...errorResponses(400, 401),
    },
  }),
  correlation: createRoute({
    method: "get",
    path: "/correlation-matrix",
    tags: ["workflow"],
    summary: "Pearson correlations of the current dataset's numeric columns",
    responses: {
      ...ok("features, matrix, heatmap", CorrelationSchema),
      ...errorResponses(400, 401),
    },
  }),
  export: createRoute({
    method: "get",
    path: "/export",
    tags: ["workflow"],
    summary: "Export the latest clustering: CSV, JSON report, HTML report",
    description: "Without `format`, the document's answer listing the three files' URLs; with " +
      "`format=csv|json|html`, the file itself as an attachment.",
    request: { query: z.object({ format: z.enum(["csv", "json", "html"]).optional() }) },
    responses: {
      200: {
        description: "The files' URLs, or the file",
        content: {
          "application/json": {
            schema: z.union([ExportLinksSchema, WorkflowReportSchema]).meta({
              description: "Without format: the files' URLs; with format=json: the report",
            }),
          },
          "text/csv": { schema: z.string() },
          "text/html": { schema: z.string() },
        },
      },
      ...errorResponses(400, 401),
    },
  }),
  reset: createRoute({
    method: "post",
    path: "/reset",
    tags: ["workflow"],
    summary: "Clear the session's dataset and clustering (stored datasets and runs are kept)",
    responses: { ...ok("Reset", ResetSchema), ...errorResponses(401) },
  }),
};

/** The document-004 sub-app, mounted at `/api`. */
export function workflowRoutes(deps: WorkflowDeps): OpenAPIHono<AppEnv> {
  const app = createRouter();
  const maxUpload = deps.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  // Multipart framing adds a little to the file; the file's own size is checked exactly below.
  app.use("/upload", limitBody(maxUpload + 64 * 1024));

  const who = (c: Context<AppEnv>) => {
    const p = c.get("principal");
    if (!p) throw new ClientError(401, "unauthorized", "Authentication required");
    return { tenantId: p.tenantId, owner: sessionOwner(p) };
  };
  const needData = async (c: Context<AppEnv>) => {
    const { tenantId, owner } = who(c);
    return { tenantId, owner, dataset: await requireDataset(deps.kv, tenantId, owner) };
  };
  // Document 004's views show the analyst's own clustering, not another user's.
  const needRun = async (c: Context<AppEnv>) => {
    const { tenantId, owner } = who(c);
    return { tenantId, owner, run: await requireSessionRun(deps.kv, tenantId, owner) };
  };
  const store = async (
    tenantId: string,
    owner: string,
    dataset: Dataset,
    t0: number,
    language: Language,
  ) => {
    await saveDataset(deps.kv, tenantId, dataset, deps.clock());
    await setCurrentDataset(deps.kv, tenantId, owner, dataset.id);
    const seconds = round((performance.now() - t0) / 1000, 3);
    return {
      success: true,
      message: `File uploaded successfully. ${dataset.rowCount} rows processed in ${seconds}s.`,
      ...describeDataset(dataset),
      processing_time: seconds,
      ...summary(dataset, language),
    };
  };

  app.openapi(routes.upload, async (c) => {
    const t0 = performance.now();
    const { tenantId, owner } = who(c);
    const type = (c.req.header("Content-Type") ?? "").toLowerCase();
    let stream: ReadableStream<Uint8Array>;
    let name = c.req.valid("query").name ?? "upload.csv";
    if (type.startsWith("multipart/form-data")) {
      const boundary = multipartBoundary(c.req.header("Content-Type") ?? "");
      if (boundary === null || !c.req.raw.body) {
        throw new ClientError(400, "invalid_multipart", "The multipart body has no boundary");
      }
      const file = await wrapClientErrors(() => multipartFile(c.req.raw.body!, boundary, "file"));
      if (!file) {
        throw new ClientError(400, "missing_file", "No file in form field 'file'", {
          details: { parameter: "file" },
        });
      }
      if (!isCsv(file.filename, file.contentType)) {
        await file.stream.cancel();
        throw new ClientError(400, "invalid_file_type", "Only CSV files are allowed", {
          details: {
            parameter: "file",
            filename: file.filename,
            content_type: file.contentType || null,
          },
        });
      }
      name = c.req.valid("query").name ?? (file.filename || name);
      stream = file.stream;
    } else if (type.startsWith("text/csv") || type.startsWith("application/csv")) {
      if (!c.req.raw.body) throw new ClientError(400, "missing_file", "The CSV body is empty");
      stream = c.req.raw.body;
    } else {
      throw new ClientError(400, "invalid_file_type", "Only CSV files are allowed", {
        details: {
          content_type: type || null,
          expected: "multipart/form-data with field 'file', or text/csv",
        },
      });
    }
    const dataset = await wrapClientErrors(() =>
      parseCsvStream(stream, { name, now: deps.clock(), maxBytes: maxUpload })
    );
    return c.json(
      await store(
        tenantId,
        owner,
        dataset,
        t0,
        parseAcceptLanguage(c.req.header("Accept-Language")),
      ),
      200,
    ) as never;
  });

  app.openapi(routes.datasetsPost, async (c) => {
    const t0 = performance.now();
    const { tenantId, owner } = who(c);
    const body = c.req.valid("json");
    const dataset = wrapClientErrors(() =>
      datasetFromRecords(body.records, {
        name: body.name ?? "records",
        now: deps.clock(),
        ...(body.column_map ? { columnMap: override(body.column_map) } : {}),
      })
    );
    return c.json(
      await store(
        tenantId,
        owner,
        dataset,
        t0,
        parseAcceptLanguage(c.req.header("Accept-Language")),
      ),
      200,
    ) as never;
  });

  app.openapi(routes.datasetsList, async (c) => {
    const { tenantId, owner } = who(c);
    const { limit, offset } = c.req.valid("query");
    const { datasets, total } = await listDatasetPage(deps.kv, tenantId, { limit, offset });
    const current = await getCurrentDatasetId(deps.kv, tenantId, owner);
    return c.json(
      {
        success: true,
        current_dataset_id: current,
        datasets,
        total,
        limit,
        offset,
        has_more: offset + datasets.length < total,
      },
      200,
    ) as never;
  });

  app.openapi(routes.datasetsDelete, async (c) => {
    const { tenantId } = who(c);
    const { id } = c.req.valid("param");
    // Another tenant's id is not found, exactly as an unknown one.
    if (!await deleteDataset(deps.kv, tenantId, id)) {
      throw new ClientError(404, "not_found", `No dataset with id "${id}"`);
    }
    return c.body(null, 204) as never;
  });

  app.openapi(routes.datasetsSelect, async (c) => {
    const { tenantId, owner } = who(c);
    const { dataset_id } = c.req.valid("json");
    if (!await setCurrentDataset(deps.kv, tenantId, owner, dataset_id)) {
      throw new ClientError(404, "not_found", `No dataset with id "${dataset_id}"`);
    }
    const dataset = await requireDataset(deps.kv, tenantId, owner);
    return c.json({
      success: true,
      ...summary(dataset, parseAcceptLanguage(c.req.header("Accept-Language"))),
    }, 200) as never;
  });

  app.openapi(routes.datasetsCurrent, async (c) => {
    const { dataset } = await needData(c);
    return c.json({
      success: true,
      ...summary(dataset, parseAcceptLanguage(c.req.header("Accept-Language"))),
    }, 200) as never;
  });

  app.openapi(routes.columns, async (c) => {
    const t0 = performance.now();
    const { tenantId, owner, dataset } = await needData(c);
    const changed = wrapClientErrors(() => applyColumnMap(dataset, override(c.req.valid("json"))));
    // Datasets are immutable: the corrected one is stored anew and becomes current.
    const fresh = { ...changed, id: newDatasetId() };
    return c.json(
      await store(tenantId, owner, fresh, t0, parseAcceptLanguage(c.req.header("Accept-Language"))),
      200,
    ) as never;
  });

  app.openapi(routes.quality, async (c) => {
    const { dataset } = await needData(c);
    return c.json({ success: true, metrics: dataQuality(dataset) }, 200) as never;
  });

  app.openapi(routes.optimal, async (c) => {
    const { dataset } = await needData(c);
    const query = c.req.valid("query");
    const idField = dataset.columnMap.customer_id;
    const result = await wrapClientErrors(() =>
      deps.engine.run({
        kind: "optimal_k",
        request: {
          table: toPlainTable(dataset),
          ...(idField !== undefined ? { id_field: idField } : {}),
          ...(query.max_k !== undefined ? { max_k: query.max_k } : {}),
          ...(query.random_state !== undefined ? { random_state: query.random_state } : {}),
        },
      })
    );
    return c.json({ success: true, ...result }, 200) as never;
  });

  app.openapi(routes.cluster, async (c) => {
    const { tenantId, owner, dataset } = await needData(c);
    const body = c.req.valid("json") ?? {};
    const language = parseAcceptLanguage(c.req.header("Accept-Language"));
    const idField = dataset.columnMap.customer_id;
    const algorithm = body.algorithm ?? (body.n_clusters !== undefined ? "kmeans" : "auto");
    const params = { ...body, algorithm };
    return await answerSegmentation(
      c,
      deps,
      tenantId,
      {
        task: {
          kind: "workflow",
          request: {
            table: toPlainTable(dataset),
            algorithm,
            ...(idField !== undefined ? { id_field: idField } : {}),
            ...(body.n_clusters !== undefined ? { n_clusters: body.n_clusters } : {}),
            ...(body.max_clusters !== undefined ? { max_clusters: body.max_clusters } : {}),
            ...(body.random_state !== undefined ? { random_state: body.random_state } : {}),
            ...(body.eps !== undefined ? { eps: body.eps } : {}),
            ...(body.min_samples !== undefined ? { min_samples: body.min_samples } : {}),
          },
          language,
        },
        source: WORKFLOW_SOURCE,
        params,
        dataset: { id: dataset.id, name: dataset.name },
        sessionOwner: owner,
      },
      SYNC_LIMITS.analyze,
      "n_clusters",
    );
  });

  // The views of a stored run speak the request's language: its segment texts are described
  // again from the stored profiles when it differs from the run's (never computed again).
  const language = (c: Context<AppEnv>) =>
    c.req.header("Accept-Language") === undefined
      ? undefined
      : parseAcceptLanguage(c.req.header("Accept-Language"));

  app.openapi(routes.clusterData, async (c) => {
    const { run } = await needRun(c);
    return c.json(jsonReport(run, language(c)), 200) as never;
  });

  app.openapi(routes.visualizations, async (c) => {
    const { run } = await needRun(c);
    return c.json(
      { success: true, run_id: run.run_id, ...workflowFigures(run.body.run, language(c)) },
      200,
    ) as never;
  });

  app.openapi(routes.correlation, async (c) => {
    const { dataset } = await needData(c);
    const m = correlationMatrix(dataset);
    if (m.columns.length === 0) {
      throw new ClientError(400, "no_numeric_features", "No numeric features available");
    }
    return c.json({
      success: true,
      features: m.columns,
      matrix: m.matrix,
      heatmap: correlationFigure(m, language(c)),
    }, 200) as never;
  });

  app.openapi(routes.export, async (c) => {
    const { tenantId, owner, run } = await needRun(c);
    const format = c.req.valid("query").format;
    if (format === undefined) {
      return c.json({
        success: true,
        message: "Results exported successfully",
        run_id: run.run_id,
        files: {
          csv: "/api/export?format=csv",
          json: "/api/export?format=json",
          html: "/api/export?format=html",
        },
      }, 200) as never;
    }
    const base = `segments_${run.run_id}`;
    if (format === "json") {
      const body = JSON.stringify(jsonReport(run, language(c)), null, 2);
      return attachment(c, body, `${base}.json`, "json");
    }
    if (format === "html") {
      return attachment(c, workflowHtmlReport(run, language(c)), `${base}.html`, "html");
    }
    const dataset = await requireDataset(deps.kv, tenantId, owner);
    return attachment(c, clusteredCsv(dataset, run.body.run), `${base}.csv`, "csv");
  });

  app.openapi(routes.reset, async (c) => {
    const { tenantId, owner } = who(c);
    await clearSession(deps.kv, tenantId, owner);
    return c.json({ success: true, message: "Analysis reset successfully" }, 200) as never;
  });

  return app;
}

const MEDIA = {
  csv: "text/csv; charset=utf-8",
  json: "application/json; charset=utf-8",
  html: "text/html; charset=utf-8",
} as const;

function attachment(
  c: Context<AppEnv>,
  text: string,
  filename: string,
  kind: keyof typeof MEDIA,
): never {
  const headers: Record<string, string> = {
    "Content-Type": MEDIA[kind],
    "Content-Disposition": `attachment; filename="${filename}"`,
  };
  // The report is a document of its own: no script may run in it, whoever opens it.
  if (kind === "html") {
    headers["Content-Security-Policy"] =
      "default-src 'none'; style-src 'unsafe-inline'; img-src data:";
  }
  return c.body(text, 200, headers) as never;
}

/** The dataset's roles as every dataset answer carries them, worded in `language`. */
function rolesOf(dataset: Dataset, language: Language) {
  return datasetRolesInLanguage(datasetRoles(dataset), language);
}

/** What the dataset routes answer about `dataset`, its role evidence worded in `language`. */
function summary(dataset: Dataset, language: Language) {
  return {
    dataset_id: dataset.id,
    name: dataset.name,
    rows: dataset.rowCount,
    column_types: Object.fromEntries(dataset.columns.map((col) => [col.name, col.kind])),
    column_map: dataset.columnMap,
    // The roles a client may map (the dashboard builds its column-map form from them).
    column_roles: COLUMN_ROLES,
    income_scale: dataset.incomeScale,
    // Each column's business role with its confidence, unit and evidence (docs/roles.md).
    roles: rolesOf(dataset, language),
  };
}

function override(body: z.infer<typeof ColumnMapBody>): ColumnMapOverride {
  const { income_scale, ...roles } = body;
  return {
    ...roles,
    ...(income_scale !== undefined ? { incomeScale: income_scale } : {}),
  } as ColumnMapOverride;
}

/**
 * Whether an uploaded file is a CSV, as document 004 asks ("Only CSV files are allowed"): by its
 * name's extension when it has one (`.csv`, or `.tsv` for tab-separated values; `customers.txt`
 * is not a CSV whatever it holds), else by its part's content type (`text/csv`,
 * `application/csv`, `text/tab-separated-values`).
 */
function isCsv(filename: string, type: string): boolean {
  const lower = filename.toLowerCase();
  const dot = lower.lastIndexOf(".");
  if (dot > 0 && dot < lower.length - 1) return lower.endsWith(".csv") || lower.endsWith(".tsv");
  return /^(text\/csv|application\/csv|text\/tab-separated-values)/i.test(type);
}
