/**
 * Document 003's clusters: `GET /api/clusters` (the clusters of the latest clustering of the
 * session's dataset), `POST /api/clusters/run` (always 202 with a job, the `workflow` task of
 * `POST /api/cluster`) and `GET /api/clusters/jobs/{job_id}` (its status, progress and, once it
 * has succeeded, its result), in document 003's envelope. `clusterDetails` is the per-cluster
 * format of §2, which `GET /api/segments/cluster` pages.
 *
 * @module
 */
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import { type Dataset, featureTable, resolveFeatures } from "../../domain/datasets/mod.ts";
import {
  enqueueSegmentation,
  getSegmentationResult,
  SEGMENTATION_JOB_TYPE,
} from "../../domain/jobs/mod.ts";
import { getJob } from "../../domain/jobs/mod.ts";
import { parseAcceptLanguage } from "../../domain/description/mod.ts";
import {
  answerMode,
  type SegmentationRequest,
  SYNC_LIMITS,
  taskSize,
} from "../../domain/segmentation/mod.ts";
import { clusterDetails } from "../../domain/workflow/mod.ts";
import { WORKFLOW_SOURCE } from "../../domain/workflow/mod.ts";
import {
  maybeRound,
  needClustering,
  needDataset,
  principalOf,
  QueryBoolean,
  type SegmentsDeps,
} from "./context.ts";
import { documentJobStatus, envelope, envelopeSchema } from "../http/envelope.ts";
import { ClientError } from "../http/errors.ts";
import { jobLimitAs429 } from "../platform/job_limit.ts";
import { jobStatus } from "../platform/jobs.ts";
import { ClusterJobSchema, ClustersRunAcceptedSchema, ClustersSchema } from "./schemas.ts";
import type { AppEnv } from "../env.ts";
import { createRouter, errorResponses } from "../http/openapi.ts";

const RunBody = z.object({
  n_clusters: z.int().min(2).max(10).optional().meta({
    description: "A fixed number of clusters, 2–10 (without it: chosen automatically)",
  }),
  algorithm: z.enum(["auto", "kmeans", "gmm", "ward", "dbscan"]).optional().meta({
    description: "Default kmeans with n_clusters, else auto (every algorithm, k = 2..10)",
  }),
  max_clusters: z.int().min(2).max(10).optional(),
  features: z.array(z.string().min(1).max(200)).min(1).max(200).optional().meta({
    description: "Columns to cluster on, by column name or by role (income, age, …); " +
      "default every column",
  }),
  normalize: z.boolean().optional().meta({
    description: "Features are always standardised (z-score); false is refused",
  }),
  random_state: z.int().optional(),
}).strict().meta({ id: "ClustersRunRequest" });

const routes = {
  list: createRoute({
    method: "get",
    path: "/clusters",
    tags: ["segments"],
    summary: "The clusters of the latest clustering of the session's dataset",
    request: {
      query: z.object({
        include_metadata: QueryBoolean.default("true").meta({
          description: "Descriptions, personas, priorities and differentiating features",
        }),
        include_stats: QueryBoolean.default("true").meta({
          description: "Sizes' shares, averages and the clustering's quality metrics",
        }),
      }),
    },
    responses: {
      200: {
        description: "The clusters",
        content: { "application/json": { schema: envelopeSchema(ClustersSchema) } },
      },
      ...errorResponses(400, 401, 429),
    },
  }),
  run: createRoute({
    method: "post",
    path: "/clusters/run",
    tags: ["segments"],
    summary: "Cluster the session's dataset as a job (always 202)",
    description: "Queues the clustering of `POST /api/cluster` on the current dataset; poll " +
      "`status_url` (`GET /api/clusters/jobs/{job_id}`). Once it has succeeded, its run is the " +
      "session's latest clustering. Rate limited as an expensive operation (10 an hour).",
    request: {
      headers: z.object({ "accept-language": z.string().optional() }),
      body: { required: false, content: { "application/json": { schema: RunBody } } },
    },
    responses: {
      202: {
        description: "Queued",
        content: { "application/json": { schema: envelopeSchema(ClustersRunAcceptedSchema) } },
      },
      ...errorResponses(400, 401, 422, 429),
    },
  }),
  job: createRoute({
    method: "get",
    path: "/clusters/jobs/{job_id}",
    tags: ["segments"],
    summary: "Status and progress of a clustering job, and its result once it has succeeded",
    request: { params: z.object({ job_id: z.string().min(1).max(200) }) },
    responses: {
      200: {
        description: "The job (`result`: the clustering, null until it has succeeded)",
        content: {
          "application/json": {
            schema: envelopeSchema(ClusterJobSchema),
          },
        },
      },
      ...errorResponses(401, 404, 429),
    },
  }),
};

/** The clusters sub-app, mounted at `/api`. */
export function clusterRoutes(deps: SegmentsDeps): OpenAPIHono<AppEnv> {
  const app = createRouter();

  app.openapi(routes.list, async (c) => {
    const { dataset, run } = await needClustering(deps.kv, c);
    const query = c.req.valid("query");
    const stats = query.include_stats === "true";
    const metadata = query.include_metadata === "true";
    const metrics = run.body.run.metrics;
    const clusters = clusterDetails(dataset, run).map((d) => ({
      cluster_id: d.cluster_id,
      cluster_label: d.cluster_label,
      cluster_name: d.cluster_name,
      customer_count: d.customer_count,
      ...(stats
        ? {
          customer_percentage: d.customer_percentage,
          avg_age: d.demographics.avg_age,
          avg_income: d.financial_metrics.avg_income,
          avg_purchase_amount: d.financial_metrics.avg_purchase_amount,
          avg_clv: d.financial_metrics.avg_clv,
          engagement_score: d.behavioral_metrics.engagement_score,
        }
        : {}),
      ...(metadata
        ? {
          description: d.metadata.description,
          cluster_priority: d.cluster_priority,
          priority: d.metadata.priority,
          characteristics: d.metadata.characteristics,
          differentiating_features: d.features.differentiating,
        }
        : {}),
    }));
    return c.json(
      envelope(c, {
        total_clusters: clusters.length,
        run_id: run.run_id,
        created_at: run.created_at,
        algorithm: run.body.run.algorithm,
        dataset_id: run.body.dataset_id,
        ...(stats
          ? {
            metrics: {
              silhouette_score: maybeRound(metrics.silhouette, 4),
              davies_bouldin_score: maybeRound(metrics.davies_bouldin, 4),
              calinski_harabasz_score: maybeRound(metrics.calinski_harabasz, 4),
              noise_share: metrics.noise_share,
            },
          }
          : {}),
        clusters,
      }, deps.clock()),
      200,
    ) as never;
  });

  app.openapi(routes.run, async (c) => {
    const { tenantId, owner, dataset } = await needDataset(deps.kv, c);
    const body = c.req.valid("json") ?? {};
    if (body.normalize === false) {
      throw new ClientError(
        422,
        "invalid_parameter",
        "Expected normalize to be true or absent: features are always standardised",
        { details: { parameter: "normalize" } },
      );
    }
    const idField = dataset.columnMap.customer_id;
    const table = featureTable(
      dataset,
      body.features === undefined ? undefined : knownFeatures(dataset, body.features),
    );
    const algorithm = body.algorithm ?? (body.n_clusters !== undefined ? "kmeans" : "auto");
    const request: SegmentationRequest = {
      task: {
        kind: "workflow",
        request: {
          table,
          algorithm,
          ...(idField !== undefined ? { id_field: idField } : {}),
          ...(body.n_clusters !== undefined ? { n_clusters: body.n_clusters } : {}),
          ...(body.max_clusters !== undefined ? { max_clusters: body.max_clusters } : {}),
          ...(body.random_state !== undefined ? { random_state: body.random_state } : {}),
        },
        language: parseAcceptLanguage(c.req.header("Accept-Language")),
      },
      source: WORKFLOW_SOURCE,
      params: { ...body, algorithm },
      dataset: { id: dataset.id, name: dataset.name },
      sessionOwner: owner,
    };
    // Always a job (SYNC_LIMITS.clustersRun is 0): the decision is asked for its estimate.
    const { estimatedSeconds } = answerMode({
      ...taskSize(request.task),
      syncLimit: SYNC_LIMITS.clustersRun,
      prefersAsync: true,
    });
    const { job } = await enqueueSegmentation(deps.kv, tenantId, request, deps.clock(), {
      maxActivePerTenant: deps.maxActiveJobsPerTenant,
    })
      .catch(jobLimitAs429);
    const statusUrl = `/api/clusters/jobs/${job.id}`;
    c.header("Location", statusUrl);
    return c.json(
      envelope(c, {
        job_id: job.id,
        status: documentJobStatus(job.state),
        state: job.state,
        message: "Clustering job queued successfully",
        estimated_time_seconds: estimatedSeconds,
        status_url: statusUrl,
        dataset_id: dataset.id,
      }, deps.clock()),
      202,
    ) as never;
  });

  app.openapi(routes.job, async (c) => {
    const { tenantId } = principalOf(c);
    const { job_id } = c.req.valid("param");
    const job = await getJob(deps.kv, tenantId, job_id);
    if (!job || job.type !== SEGMENTATION_JOB_TYPE) {
      throw new ClientError(404, "not_found", `No clustering job with id "${job_id}"`);
    }
    const bytes = job.state === "succeeded"
      ? await getSegmentationResult(deps.kv, tenantId, job_id)
      : null;
    const result = bytes === null ? null : JSON.parse(new TextDecoder().decode(bytes));
    const view = {
      ...jobStatus(job),
      status: documentJobStatus(job.state),
      state: job.state,
      result,
    };
    return c.json(envelope(c, view, deps.clock()), 200) as never;
  });

  return app;
}

/** The columns `features` name (`resolveFeatures`); any name that is neither is a 422. */
function knownFeatures(dataset: Dataset, features: readonly string[]): readonly string[] {
  const { columns, unknown } = resolveFeatures(dataset, features);
  if (unknown.length > 0) {
    throw new ClientError(
      422,
      "invalid_parameter",
      `Expected features to name columns or mapped roles of the dataset but found ` +
        unknown.map((f) => JSON.stringify(f)).join(", "),
      {
        details: {
          parameter: "features",
          unknown,
          columns: dataset.columns.map((col) => col.name),
          roles: dataset.columnMap,
        },
      },
    );
  }
  return columns;
}
