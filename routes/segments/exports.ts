/**
 * Document 003's exports: `POST /api/export/{type}` generates the file at once from the
 * session's dataset (or its latest clustering, for `cluster`), stores it
 * (`domain/workflow/stored_exports.ts`) and answers 202 with its id, download URL and expiry;
 * `GET /api/exports/{export_id}/download` serves it until it expires (then 410 `gone`). Another
 * tenant's export is 404.
 *
 * Two levels: one row per customer (the default), or one row per segment with the segment's
 * figures (`level: "segments"`, or `columns` that name segment figures, as the document's
 * example does: `segment_name`, `total_customers`, `avg_purchase_amount`), where
 * `filters.min_customers` keeps the segments that large (`domain/reports/summary_table.ts`).
 *
 * @module
 */
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import {
  clusterCsv,
  EXPORT_FORMATS,
  type ExportFile,
  getExport,
  isExpired,
  saveExport,
  segmentationCsv,
  segmentationTable,
  type TableOptions,
} from "../../domain/workflow/mod.ts";
import { clusterDetails, jsonReport, workflowHtmlReport } from "../../domain/workflow/mod.ts";
import {
  EXPORT_LEVELS,
  type ExportLevel,
  exportLevel,
  flattenScalars,
  summaryFields,
  summaryTable,
  toCsv,
} from "../../domain/reports/mod.ts";
import type { Dataset } from "../../domain/datasets/mod.ts";
import { typedCustomerIds } from "../../domain/segments/mod.ts";
import {
  needClustering,
  needDataset,
  principalOf,
  segmentOrExplain,
  type SegmentsDeps,
  segmentSummary,
  SegmentTypeParam,
  ThresholdQuery,
  thresholdsFrom,
} from "./context.ts";
import { round } from "../../compute/numbers.ts";
import { envelope, envelopeSchema } from "../http/envelope.ts";
import { ExportCreatedSchema, RuleExportFileSchema, SegmentSummaryFileSchema } from "./schemas.ts";
import { WorkflowReportSchema } from "../workflow_schemas.ts";
import { ClientError, wrapClientErrors } from "../http/errors.ts";
import type { AppEnv } from "../env.ts";
import { createRouter, errorResponses } from "../http/openapi.ts";

/** The Content-Security-Policy of a downloaded HTML report: no script, no fetch. */
export const HTML_EXPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const ExportBody = z.object({
  format: z.enum(EXPORT_FORMATS).default("csv").meta({
    description: "csv (default) or json; html (the standalone report) for cluster only",
  }),
  include_charts: z.boolean().optional().meta({
    description: "Accepted; the HTML report always embeds its charts, CSV and JSON have none",
  }),
  level: z.enum(EXPORT_LEVELS).optional().meta({
    description: "customers: one row per customer; segments: one row per segment with its " +
      "figures. Default: segments when columns names segment figures (total_customers, " +
      "avg_purchase_amount, …), else customers",
  }),
  columns: z.array(z.string().min(1).max(200)).min(1).max(200).optional().meta({
    description: "The columns to keep (customer level, CSV only: customer_id, segment_name " +
      "and the role names, or for cluster the dataset's column names; segment level: the " +
      "segments' fields, e.g. segment_name, total_customers, avg_purchase_amount)",
  }),
  filters: z.object({
    min_customers: z.int().min(0).optional().meta({
      description: "Keep segments (segment level), or the customers of segments (customer " +
        "level, CSV only), with at least this many customers",
    }),
  }).strict().optional(),
}).strict().meta({ id: "ExportRequest" });

const routes = {
  create: createRoute({
    method: "post",
    path: "/export/{type}",
    tags: ["segments"],
    summary: "Export a segmentation of the session's dataset (CSV, JSON, or HTML for cluster)",
    description: "The file is generated at once and kept for 24 hours; the 202 answer names " +
      "its `download_url` and `expires_at`. A rule type's CSV has one row per customer with " +
      "its segment and the key columns, formula-escaped. Rate limited (20 an hour).",
    request: {
      params: z.object({ type: SegmentTypeParam }),
      query: z.object(ThresholdQuery),
      body: { required: false, content: { "application/json": { schema: ExportBody } } },
    },
    responses: {
      202: {
        description: "Stored; download it from download_url until expires_at",
        content: { "application/json": { schema: envelopeSchema(ExportCreatedSchema) } },
      },
      ...errorResponses(400, 401, 422, 429),
    },
  }),
  download: createRoute({
    method: "get",
    path: "/exports/{export_id}/download",
    tags: ["segments"],
    summary: "Download a stored export",
    request: { params: z.object({ export_id: z.string().min(1).max(200) }) },
    responses: {
      200: {
        description: "The file, as an attachment",
        content: {
          "text/csv": { schema: z.string() },
          "application/json": {
            schema: z.union([RuleExportFileSchema, SegmentSummaryFileSchema, WorkflowReportSchema])
              .meta({
                description:
                  "A rule type's export, a segment-level export, or a clustering's report",
              }),
          },
          "text/html": { schema: z.string() },
        },
      },
      ...errorResponses(401, 404, 410, 429),
    },
  }),
};

/** The export routes, mounted at `/api`. */
export function exportRoutes(deps: SegmentsDeps): OpenAPIHono<AppEnv> {
  const app = createRouter();

  app.openapi(routes.create, async (c) => {
    const { type } = c.req.valid("param");
    const body = c.req.valid("json") ?? { format: "csv" as const };
    const format = body.format ?? "csv";
    const now = deps.clock();
    const day = new Date(now).toISOString().slice(0, 10).replaceAll("-", "");
    const minCustomers = body.filters?.min_customers;
    const table: TableOptions = {
      ...(body.columns ? { columns: body.columns } : {}),
      ...(minCustomers !== undefined ? { minCustomers } : {}),
    };
    let file: ExportFile;
    let level: ExportLevel;
    if (type === "cluster") {
      const { dataset, run } = await needClustering(deps.kv, c);
      const segments = clusterDetails(dataset, run).map((d) => ({
        segment_name: d.cluster_name,
        total_customers: d.customer_count,
        ...flattenScalars(d),
      }));
      level = levelOf(body, segments, dataset.columns.map((col) => col.name));
      checkFormat(type, format, level, body);
      const base = `segments_cluster_${run.run_id}`;
      if (level === "segments") {
        file = summaryFile(type, format, `${base}_summary`, segments, table, dataset, now);
      } else {
        const content = format === "json"
          ? JSON.stringify(jsonReport(run), null, 2)
          : format === "html"
          ? workflowHtmlReport(run)
          : asInvalidParameter(() => clusterCsv(dataset, run.body.run, table));
        file = { type, format, filename: `${base}.${format}`, content };
      }
    } else {
      const { dataset } = await needDataset(deps.kv, c);
      const segmentation = segmentOrExplain(dataset, type, thresholdsFrom(c.req.valid("query")));
      const segments = segmentation.segments.map((s) => segmentSummary(s, type));
      const customerColumns = segmentationTable(dataset, segmentation).header;
      level = levelOf(body, segments, customerColumns);
      checkFormat(type, format, level, body);
      if (level === "segments") {
        const base = `segments_${type}_summary_${day}`;
        file = summaryFile(type, format, base, segments, table, dataset, now);
      } else if (format === "csv") {
        const content = asInvalidParameter(() => segmentationCsv(dataset, segmentation, table));
        file = { type, format, filename: `segments_${type}_${day}.${format}`, content };
      } else {
        const { header, rows } = segmentationTable(dataset, segmentation);
        const ids = typedCustomerIds(dataset);
        const content = JSON.stringify(
          {
            segmentation_type: type,
            dataset: { id: dataset.id, name: dataset.name },
            generated_at: new Date(now).toISOString(),
            total_customers: segmentation.total_customers,
            columns: segmentation.columns,
            cutoffs: segmentation.cutoffs,
            notes: segmentation.notes,
            segments,
            customers: rows.map((row, i) =>
              Object.fromEntries(
                header.map((h, k) => [h, h === "customer_id" ? ids[i] ?? row[k] : row[k]]),
              )
            ),
          },
          null,
          2,
        );
        file = { type, format, filename: `segments_${type}_${day}.${format}`, content };
      }
    }
    const info = await saveExport(deps.kv, principalOf(c).tenantId, file, {
      now,
      ...(deps.exportTtlMs !== undefined ? { ttlMs: deps.exportTtlMs } : {}),
    });
    const downloadUrl = `/api/exports/${info.export_id}/download`;
    c.header("Location", downloadUrl);
    return c.json(
      envelope(c, {
        export_id: info.export_id,
        status: "completed",
        segmentation_type: type,
        level,
        format: info.format,
        filename: info.filename,
        size_bytes: info.size_bytes,
        estimated_size_mb: round(info.size_bytes / (1024 * 1024), 6),
        download_url: downloadUrl,
        expires_at: new Date(info.expires_at).toISOString(),
      }, now),
      202,
    ) as never;
  });

  app.openapi(routes.download, async (c) => {
    const { tenantId } = principalOf(c);
    const { export_id } = c.req.valid("param");
    const found = await getExport(deps.kv, tenantId, export_id);
    if (!found) throw new ClientError(404, "not_found", `No export with id "${export_id}"`);
    const { info, bytes } = found;
    if (bytes === null || isExpired(info, deps.clock())) {
      throw new ClientError(
        410,
        "gone",
        `Export ${export_id} expired at ${new Date(info.expires_at).toISOString()}; ` +
          `request a new one (POST /api/export/${info.type})`,
        { details: { export_id, expired_at: new Date(info.expires_at).toISOString() } },
      );
    }
    const headers: Record<string, string> = {
      "Content-Type": info.content_type,
      "Content-Disposition": `attachment; filename="${info.filename}"`,
      "Cache-Control": "private, no-store",
    };
    // The report is a document of its own: no script may run in it, whoever opens it.
    if (info.format === "html") headers["Content-Security-Policy"] = HTML_EXPORT_CSP;
    return c.body(bytes.slice().buffer, 200, headers) as never;
  });

  return app;
}

/** The export's level (`exportLevel`) from the body and the fields of each level. */
function levelOf(
  body: { level?: ExportLevel; columns?: string[] },
  segments: readonly Record<string, unknown>[],
  customerColumns: readonly string[],
): ExportLevel {
  return exportLevel(body.level, body.columns, summaryFields(segments), customerColumns);
}

/**
 * Refuses what a format cannot do (422 naming the option): HTML but for the cluster report,
 * and columns or filters in a customer-level file other than CSV.
 */
function checkFormat(
  type: string,
  format: string,
  level: ExportLevel,
  body: { columns?: unknown; filters?: unknown },
): void {
  if (format === "html" && (type !== "cluster" || level === "segments")) {
    throw new ClientError(
      422,
      "invalid_parameter",
      `Expected format csv or json for ${type} ${
        level === "segments" ? "segment summaries" : "segments"
      } but found html (the HTML report is the cluster report)`,
      { details: { parameter: "format", allowed: ["csv", "json"] } },
    );
  }
  if (
    level === "customers" && format !== "csv" &&
    (body.columns !== undefined || body.filters !== undefined)
  ) {
    throw new ClientError(
      422,
      "invalid_parameter",
      `Expected columns and filters of a customer-level export only with format csv but found format ${format}`,
      { details: { parameter: body.columns !== undefined ? "columns" : "filters" } },
    );
  }
}

/** The segment-level file: one row per segment (`summaryTable`), as CSV or JSON. */
function summaryFile(
  type: string,
  format: "csv" | "json" | "html",
  base: string,
  segments: readonly Record<string, unknown>[],
  table: TableOptions,
  dataset: Dataset,
  now: number,
): ExportFile {
  const { header, rows } = asInvalidParameter(() => summaryTable(segments, table));
  const content = format === "json"
    ? JSON.stringify(
      {
        segmentation_type: type,
        level: "segments",
        dataset: { id: dataset.id, name: dataset.name },
        generated_at: new Date(now).toISOString(),
        columns: header,
        segments: rows.map((row) => Object.fromEntries(header.map((h, k) => [h, row[k]]))),
      },
      null,
      2,
    )
    : toCsv(header, rows);
  return { type, format, filename: `${base}.${format}`, content };
}

/** `make`, its `RangeError`s answered 422 naming the export option at fault. */
function asInvalidParameter<T>(make: () => T): T {
  return wrapClientErrors(make, {
    // Which option is at fault shows only in the message: the filters' bound or a column.
    details: (err) => ({ parameter: /min_customers/.test(err.message) ? "filters" : "columns" }),
  });
}
