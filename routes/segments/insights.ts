/**
 * Document 003's `GET /api/insights/{type}`: insights and key metrics of a segmentation of the
 * session's dataset, in document 003's envelope. Rule types come from `insightsFor`; `cluster`
 * turns the latest clustering's segment narratives (persona, priority, first action) into
 * insights, ordered high, medium, low priority, then by share of revenue (or of customers).
 *
 * @module
 */
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import { insightsFor } from "../../domain/segments/mod.ts";
import type { RunRecord } from "../../domain/segmentation/mod.ts";
import type { StoredWorkflow } from "../../domain/workflow/mod.ts";
import { clusterNames } from "../../domain/workflow/mod.ts";
import {
  maybeRound,
  needClustering,
  needDataset,
  segmentOrExplain,
  type SegmentsDeps,
  SegmentTypeParam,
  ThresholdQuery,
  thresholdsFrom,
} from "./context.ts";
import { round } from "../../compute/numbers.ts";
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

/** The insights of a clustering: one per segment, from its narrative. */
function clusterInsights(record: RunRecord<StoredWorkflow>) {
  const run = record.body.run;
  const names = clusterNames(run);
  const n = run.labels.length;
  const rank = { high: 0, medium: 1, low: 2 } as const;
  const weight = (s: (typeof run.segments)[number]) =>
    s.kpis.share_of_revenue ?? s.kpis.share_of_customers;
  const segments = run.segments
    .filter((s) => s.cluster_id >= 0)
    .sort((a, b) =>
      rank[a.priority] - rank[b.priority] || weight(b) - weight(a) || a.cluster_id - b.cluster_id
    );
  const insights = segments.map((s) => ({
    title: `${names[s.cluster_id] ?? s.name}: ${s.persona_label}`,
    description: s.persona,
    severity: s.priority,
    recommendation: s.actions[0]?.text ?? "",
    cluster_id: s.cluster_id,
    metric: { name: "share_of_customers", value: round(s.kpis.share_of_customers, 4) },
  }));
  const largest =
    [...segments].sort((a, b) =>
      b.kpis.customers - a.kpis.customers || a.cluster_id - b.cluster_id
    )[0];
  const topRevenue = segments.some((s) => s.kpis.share_of_revenue !== null)
    ? [...segments].sort((a, b) =>
      (b.kpis.share_of_revenue ?? 0) - (a.kpis.share_of_revenue ?? 0) ||
      a.cluster_id - b.cluster_id
    )[0]
    : undefined;
  return {
    segmentation_type: "cluster" as const,
    run_id: record.run_id,
    dataset_id: record.body.dataset_id,
    insights,
    key_metrics: {
      total_customers: n,
      segments: run.n_clusters,
      unknown_customers: run.labels.filter((l) => l < 0).length,
      algorithm: run.algorithm,
      silhouette_score: maybeRound(run.metrics.silhouette, 4),
      davies_bouldin_score: maybeRound(run.metrics.davies_bouldin, 4),
      model_accuracy: maybeRound(run.accuracy, 4),
      largest_segment: largest ? (names[largest.cluster_id] ?? largest.name) : null,
      largest_segment_share: largest ? round(largest.kpis.share_of_customers, 4) : null,
      top_segment: topRevenue ? (names[topRevenue.cluster_id] ?? topRevenue.name) : null,
      top_segment_revenue_share: topRevenue?.kpis.share_of_revenue ?? null,
    },
  };
}
