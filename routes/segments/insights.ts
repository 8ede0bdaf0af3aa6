/**
 * Document 003's `GET /api/insights/{type}`: insights and key metrics of a segmentation of the
 * session's dataset, in document 003's envelope. Rule types come from `insightsFor`, `cluster`
 * (the latest clustering's segments, by priority) from `clusterInsights`.
 *
 * @module
 */
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import { insightsFor } from "../../domain/segments/mod.ts";
import { clusterInsights } from "../../domain/workflow/mod.ts";
import {
  needClustering,
  needDataset,
  segmentOrExplain,
  type SegmentsDeps,
  SegmentTypeParam,
  ThresholdQuery,
  thresholdsFrom,
} from "./context.ts";
import { envelope, envelopeSchema } from "../http/envelope.ts";
import { InsightsSchema } from "./schemas.ts";
import type { AppEnv } from "../env.ts";
import { createRouter, errorResponses } from "../http/openapi.ts";

const route = createRoute({
  method: "get",
  path: "/insights/{type}",
  tags: ["segments"],
  summary: "Insights and key metrics of a segmentation of the session's dataset",
  description: "Every figure comes from the data (docs/segments.md). A type whose columns the " +
    "dataset lacks is 400 `missing_columns`; `cluster` needs a clustering.",
  request: { params: z.object({ type: SegmentTypeParam }), query: z.object(ThresholdQuery) },
  responses: {
    200: {
      description: "Insights (title, description, severity, recommendation) and key_metrics",
      content: {
        "application/json": { schema: envelopeSchema(InsightsSchema) },
      },
    },
    ...errorResponses(400, 401, 429),
  },
});

/** `GET /api/insights/{type}`, mounted at `/api`. */
export function insightRoutes(deps: SegmentsDeps): OpenAPIHono<AppEnv> {
  return createRouter().openapi(route, async (c) => {
    const { type } = c.req.valid("param");
    const now = deps.clock();
    const generatedAt = new Date(now).toISOString();
    if (type === "cluster") {
      const { run } = await needClustering(deps.kv, c);
      return c.json(
        envelope(c, { generated_at: generatedAt, ...clusterInsights(run) }, now),
        200,
      ) as never;
    }
    const { dataset } = await needDataset(deps.kv, c);
    const thresholds = thresholdsFrom(c.req.valid("query"));
    const found = insightsFor(dataset, type, segmentOrExplain(dataset, type, thresholds));
    return c.json(
      envelope(c, {
        segmentation_type: found.segmentation_type,
        generated_at: generatedAt,
        dataset_id: dataset.id,
        insights: found.insights,
        key_metrics: found.key_metrics,
      }, now),
      200,
    ) as never;
  });
}
