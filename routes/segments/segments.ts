/**
 * Document 003's `GET /api/segments/{type}` on the session's current dataset, sorted and paged
 * over the segments, in document 003's envelope: the rule-based types (§1.1's fields) and
 * `cluster` (§2's detailed format, with `links`). `segmentsApiRoutes` gathers every route of
 * document 003 but health into one sub-app, mounted at `/api`.
 *
 * @module
 */
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import type { SegmentType } from "../../domain/segments/mod.ts";
import {
  type AnySegmentType,
  needClustering,
  needDataset,
  pagingHook,
  PagingQuery,
  RULE_SORT_FIELDS,
  SEGMENT_KEYS,
  segmentOrExplain,
  type SegmentsDeps,
  segmentSummary,
  SegmentTypeParam,
  sortAndPage,
  ThresholdQuery,
  thresholdsFrom,
} from "./context.ts";
import {
  CLUSTER_SORT_FIELDS,
  clusterDetails,
  clusterSortValue,
} from "../../domain/workflow/mod.ts";
import { clusterRoutes } from "./clusters.ts";
import { customerRoutes } from "./customers.ts";
import { envelope, envelopeSchema } from "../http/envelope.ts";
import { ClusterSegmentsSchema, RuleSegmentsSchema, SegmentLinksSchema } from "./schemas.ts";
import { ClientError } from "../http/errors.ts";
import { exportRoutes } from "./exports.ts";
import { insightRoutes } from "./insights.ts";
import type { AppEnv } from "../env.ts";
import { createRouter, errorResponses } from "../http/openapi.ts";

export type { SegmentsDeps } from "./context.ts";

/** The fields `cluster` segments can be sorted by (re-exported for the route's tests). */
export { CLUSTER_SORT_FIELDS };

const SORT_FIELDS = [
  ...new Set([...RULE_SORT_FIELDS, ...Object.values(SEGMENT_KEYS), ...CLUSTER_SORT_FIELDS]),
] as [string, ...string[]];

const route = createRoute({
  method: "get",
  path: "/segments/{type}",
  tags: ["segments"],
  summary: "Segments of the session's dataset by a rule or by its latest clustering",
  description: "Rule types answer each segment's size and averages (§1.1); `cluster` answers " +
    "the clusters of the latest clustering in the detailed format (§2). Paged over the " +
    "segments; without sort_by in their own order. A type whose columns the dataset lacks is " +
    "400 `missing_columns` naming them.",
  request: {
    params: z.object({ type: SegmentTypeParam }),
    query: z.object({
      ...PagingQuery,
      ...ThresholdQuery,
      sort_by: z.enum(SORT_FIELDS).optional().meta({
        description: "A field of the segments, e.g. total_customers (cluster: customer_count)",
      }),
    }),
  },
  responses: {
    200: {
      description: "A page of segments",
      content: {
        "application/json": {
          schema: envelopeSchema(z.union([RuleSegmentsSchema, ClusterSegmentsSchema])).extend({
            links: SegmentLinksSchema,
          }),
        },
      },
    },
    ...errorResponses(400, 401, 422, 429),
  },
});

/** `GET /api/segments/{type}`, mounted at `/api`. */
export function segmentRoutes(deps: SegmentsDeps): OpenAPIHono<AppEnv> {
  return createRouter().openapi(route, async (c) => {
    const started = performance.now();
    const { type } = c.req.valid("param");
    const query = c.req.valid("query");
    const sortBy = query.sort_by;
    if (sortBy !== undefined && !sortFieldsOf(type).includes(sortBy)) {
      throw new ClientError(
        400,
        "validation_error",
        `Expected sort_by to be one of ${sortFieldsOf(type).join(", ")} for ${type} segments ` +
          `but found ${sortBy}`,
        {
          details: {
            location: "query",
            parameter: "sort_by",
            allowed: sortFieldsOf(type),
          },
        },
      );
    }
    const paging = {
      sortBy,
      sortOrder: query.sort_order.toLowerCase() as "asc" | "desc",
      limit: query.limit,
      offset: query.offset,
    };
    const links = {
      self: `/api/segments/${type}`,
      insights: `/api/insights/${type}`,
      export: `/api/export/${type}`,
      ...(type === "cluster" ? { cluster_details: "/api/clusters" } : {}),
    };

    if (type === "cluster") {
      const { dataset, run } = await needClustering(deps.kv, c);
      const details = clusterDetails(dataset, run);
      const { page, ...summary } = sortAndPage(details, paging, clusterSortValue);
      const body = envelope(c, {
        segmentation_type: "cluster",
        run_id: run.run_id,
        dataset_id: dataset.id,
        algorithm: run.body.run.algorithm,
        noise_customers: run.body.run.labels.filter((l) => l < 0).length,
        request_summary: summary,
        segments: page,
      }, deps.clock());
      return c.json({
        ...body,
        metadata: {
          ...body.metadata,
          response_time_ms: Math.round(performance.now() - started),
        },
        links,
      }, 200) as never;
    }

    const { dataset } = await needDataset(deps.kv, c);
    const segmentation = segmentOrExplain(dataset, type, thresholdsFrom(c.req.valid("query")));
    const items = segmentation.segments.map((s) => segmentSummary(s, type));
    const { page, ...summary } = sortAndPage(
      items,
      { ...paging, sortBy: sortBy === SEGMENT_KEYS[type] ? "segment_name" : sortBy },
    );
    return c.json({
      ...envelope(c, {
        segmentation_type: type,
        ...summary,
        total_customers: segmentation.total_customers,
        dataset_id: dataset.id,
        columns: segmentation.columns,
        cutoffs: segmentation.cutoffs,
        notes: segmentation.notes,
        segments: page,
      }, deps.clock()),
      links,
    }, 200) as never;
    // The route's own hook (document 003's 400 for paging); cast since Hook is typed per route.
  }, pagingHook as never);
}

/**
 * Every route of document 003 but `GET /api/health`: segments, clusters (and their jobs),
 * customers, insights, exports. Mount at `/api`.
 */
export function segmentsApiRoutes(deps: SegmentsDeps): OpenAPIHono<AppEnv> {
  const app = createRouter();
  app.route("/", segmentRoutes(deps));
  app.route("/", clusterRoutes(deps));
  app.route("/", customerRoutes(deps));
  app.route("/", insightRoutes(deps));
  app.route("/", exportRoutes(deps));
  return app;
}

function sortFieldsOf(type: AnySegmentType): readonly string[] {
  return type === "cluster"
    ? CLUSTER_SORT_FIELDS
    : [SEGMENT_KEYS[type as SegmentType], ...RULE_SORT_FIELDS];
}
