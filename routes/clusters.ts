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
import {
  COLUMN_ROLES,
  columnByName,
  type ColumnRole,
  type Dataset,
  numericRole,
  textRole,
} from "../domain/dataset_types.ts";
import { INSIGHT_DEFAULTS } from "../domain/insights.ts";
import {
  enqueueSegmentation,
  getSegmentationResult,
  SEGMENTATION_JOB_TYPE,
} from "../domain/job_types/segmentation_job.ts";
import { getJob } from "../domain/jobs.ts";
import { parseAcceptLanguage } from "../domain/narrative.ts";
import { computeClv } from "../domain/rules.ts";
import type { RunRecord } from "../domain/runs.ts";
import { datasetRecords, type StoredWorkflow, WORKFLOW_SOURCE } from "../domain/session.ts";
import { clusterNames } from "../domain/workflow_views.ts";
import {
  maybeRound,
  needClustering,
  needDataset,
  principalOf,
  QueryBoolean,
  round,
  type SegmentsDeps,
} from "./_segments_context.ts";
import { envelope, envelopeSchema } from "./envelope.ts";
import { ClientError } from "./errors.ts";
import { jobStatus, JobStatusSchema } from "./jobs.ts";
import type { AppEnv } from "./mod.ts";
import { createRouter, errorResponses } from "./openapi.ts";

const Json = z.record(z.string(), z.unknown());

/** Seconds per customer and feature of a workflow job (as `routes/segmentation.ts` measures). */
const SECONDS_PER_CUSTOMER_FEATURE = 1.8e-5;

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
        content: { "application/json": { schema: envelopeSchema(Json) } },
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
        content: { "application/json": { schema: envelopeSchema(Json) } },
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
            schema: envelopeSchema(JobStatusSchema.extend({ result: Json.nullable() })),
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
    const { records, idField } = datasetRecords(dataset);
    const data = body.features === undefined
      ? records
      : selectFeatures(records, idField, resolveFeatures(dataset, body.features));
    const algorithm = body.algorithm ?? (body.n_clusters !== undefined ? "kmeans" : "auto");
    const { job } = await enqueueSegmentation(deps.kv, tenantId, {
      task: {
        kind: "workflow",
        request: {
          data,
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
    }, deps.clock());
    const statusUrl = `/api/clusters/jobs/${job.id}`;
    c.header("Location", statusUrl);
    const features = Math.max(1, Object.keys(data[0] ?? {}).length);
    return c.json(
      envelope(c, {
        job_id: job.id,
        status: job.state,
        message: "Clustering job queued successfully",
        estimated_time_seconds: Math.max(
          1,
          Math.ceil(data.length * features * SECONDS_PER_CUSTOMER_FEATURE),
        ),
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
    return c.json(envelope(c, { ...jobStatus(job), result }, deps.clock()), 200) as never;
  });

  return app;
}

/** The dataset's column names of `features`, each a column name or a mapped role. */
function resolveFeatures(dataset: Dataset, features: readonly string[]): string[] {
  const unknown: string[] = [];
  const names = features.map((f) => {
    if (columnByName(dataset, f)) return f;
    const mapped = (COLUMN_ROLES as readonly string[]).includes(f)
      ? dataset.columnMap[f as ColumnRole]
      : undefined;
    if (mapped === undefined) unknown.push(f);
    return mapped ?? f;
  });
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
  return [...new Set(names)];
}

function selectFeatures(
  records: Record<string, unknown>[],
  idField: string | undefined,
  names: string[],
): Record<string, unknown>[] {
  const kept = idField !== undefined && !names.includes(idField) ? [idField, ...names] : names;
  return records.map((r) => Object.fromEntries(kept.map((k) => [k, r[k] ?? null])));
}

/** One cluster in the format of document 003 §2. */
export interface ClusterDetail {
  cluster_id: number;
  cluster_label: string;
  cluster_name: string;
  /** 1 = act first: by the narrative's priority, then share of revenue (or of customers). */
  cluster_priority: number;
  customer_count: number;
  /** 0–100, one decimal. */
  customer_percentage: number;
  demographics: {
    avg_age: number | null;
    age_range_min: number | null;
    age_range_max: number | null;
    predominant_gender: string | null;
    gender_distribution: Record<string, number> | null;
    /** By members, most first; null without a region column. */
    regions: string[] | null;
  };
  financial_metrics: {
    avg_income: number | null;
    median_income: number | null;
    income_range: { min: number; max: number } | null;
    avg_purchase_amount: number | null;
    total_purchases: number | null;
    avg_purchase_frequency: number | null;
    avg_clv: number | null;
  };
  behavioral_metrics: {
    avg_customer_lifespan_months: number | null;
    /** Share of members buying more than once a year. */
    repeat_purchase_rate: number | null;
    /** Share of members whose last purchase is older than the dormancy threshold (180 days). */
    churn_rate: number | null;
    /** The average spending score. */
    engagement_score: number | null;
    avg_recency_days: number | null;
  };
  features: {
    /** Product columns by the members' average, highest first (at most 3). */
    top_products: string[] | null;
    /** The data has no channel column: always null. */
    preferred_channels: string[] | null;
    avg_order_value: number | null;
    differentiating: { feature: string; direction: string; effect_size: number }[];
  };
  metadata: {
    created_at: string;
    last_updated: string;
    /** Change against an earlier clustering: not tracked, null. */
    member_count_change: string | null;
    description: string;
    persona_label: string;
    priority: string;
    characteristics: string[];
    recommended_actions: string[];
  };
}

/**
 * Every cluster (noise excluded) of the run `record` on `dataset` (the dataset it was made on:
 * one label per row) in the format of document 003 §2. Figures are the members' values in the
 * dataset's units (income × incomeScale), null where the dataset lacks the column.
 */
export function clusterDetails(
  dataset: Dataset,
  record: RunRecord<StoredWorkflow>,
): ClusterDetail[] {
  const run = record.body.run;
  const names = clusterNames(run);
  const narratives = new Map(run.segments.map((s) => [s.cluster_id, s]));
  const profiles = new Map(run.profiles.clusters.map((p) => [p.cluster_id, p]));
  const members: number[][] = Array.from({ length: run.n_clusters }, () => []);
  run.labels.forEach((l, i) => {
    if (l >= 0 && l < run.n_clusters) members[l]!.push(i);
  });
  const num = (role: ColumnRole) => numericRole(dataset, role)?.values;
  const incomeRaw = num("income");
  const income = incomeRaw && dataset.incomeScale !== 1
    ? incomeRaw.map((v) => v * dataset.incomeScale)
    : incomeRaw;
  const age = num("age"), spend = num("purchase_amount"), frequency = num("purchase_frequency");
  const lifespan = num("lifespan"), recency = num("recency"), score = num("spending_score");
  const clv = spend && frequency ? computeClv(dataset).clv : undefined;
  const gender = textRole(dataset, "gender"), region = textRole(dataset, "region");
  const products = (dataset.columnMap.products ?? []).flatMap((name) => {
    const col = columnByName(dataset, name);
    return col?.kind === "numeric" ? [col] : [];
  });
  const n = dataset.rowCount;
  const rank = { high: 0, medium: 1, low: 2 } as const;
  const order = members
    .map((rows, id) => ({ id, rows, s: narratives.get(id) }))
    .sort((a, b) =>
      (rank[a.s?.priority ?? "low"] - rank[b.s?.priority ?? "low"]) ||
      (weight(b.s, b.rows.length, n) - weight(a.s, a.rows.length, n)) || a.id - b.id
    );
  const priorityOf = new Map(order.map((o, k) => [o.id, k + 1]));

  return members.map((rows, id) => {
    const s = narratives.get(id);
    const p = profiles.get(id);
    const ages = stats(age, rows), incomes = stats(income, rows);
    const spends = stats(spend, rows);
    const genders = gender ? counts(gender, rows) : null;
    const regions = region ? counts(region, rows) : null;
    const label = s?.persona_label ?? names[id]!;
    return {
      cluster_id: id,
      cluster_label: label.charAt(0).toUpperCase() + label.slice(1),
      cluster_name: names[id]!,
      cluster_priority: priorityOf.get(id)!,
      customer_count: rows.length,
      customer_percentage: n === 0 ? 0 : round((rows.length / n) * 100, 1),
      demographics: {
        avg_age: maybeRound(ages?.mean, 1),
        age_range_min: ages?.min ?? null,
        age_range_max: ages?.max ?? null,
        predominant_gender: genders ? (genders[0]?.[0] ?? null) : null,
        gender_distribution: genders ? Object.fromEntries(genders) : null,
        regions: regions ? regions.map(([level]) => level) : null,
      },
      financial_metrics: {
        avg_income: maybeRound(incomes?.mean, 2),
        median_income: maybeRound(incomes?.median, 2),
        income_range: incomes ? { min: round(incomes.min, 2), max: round(incomes.max, 2) } : null,
        avg_purchase_amount: maybeRound(spends?.mean, 2),
        total_purchases: maybeRound(spends?.sum, 2),
        avg_purchase_frequency: maybeRound(stats(frequency, rows)?.mean, 2),
        avg_clv: maybeRound(stats(clv, rows)?.mean, 2),
      },
      behavioral_metrics: {
        avg_customer_lifespan_months: maybeRound(
          (stats(lifespan, rows)?.mean ?? NaN) * 12,
          1,
        ),
        repeat_purchase_rate: shareAbove(frequency, rows, 1),
        churn_rate: shareAbove(recency, rows, INSIGHT_DEFAULTS.dormantDays),
        engagement_score: maybeRound(stats(score, rows)?.mean, 1),
        avg_recency_days: maybeRound(stats(recency, rows)?.mean, 1),
      },
      features: {
        top_products: products.length === 0 ? null : products
          .map((col) => ({ name: col.name, mean: stats(col.values, rows)?.mean ?? 0 }))
          .filter((x) => x.mean > 0)
          .sort((a, b) => b.mean - a.mean || (a.name < b.name ? -1 : 1))
          .slice(0, 3)
          .map((x) => x.name),
        preferred_channels: null,
        avg_order_value: maybeRound(spends?.mean, 2),
        differentiating: (p?.differentiating ?? []).slice(0, 3).map((d) => ({
          feature: d.feature,
          direction: d.direction,
          effect_size: round(d.effect_size, 3),
        })),
      },
      metadata: {
        created_at: record.created_at,
        last_updated: record.created_at,
        member_count_change: null,
        description: s?.persona ?? "",
        persona_label: s?.persona_label ?? "",
        priority: s?.priority ?? "low",
        characteristics: s?.characteristics ?? [],
        recommended_actions: (s?.actions ?? []).map((a) => a.text),
      },
    };
  });
}

function weight(
  s: { kpis: { share_of_revenue: number | null } } | undefined,
  size: number,
  n: number,
): number {
  return s?.kpis.share_of_revenue ?? (n === 0 ? 0 : size / n);
}

function stats(values: ArrayLike<number> | undefined, rows: readonly number[]) {
  if (!values) return null;
  const xs: number[] = [];
  for (const i of rows) {
    const v = values[i]!;
    if (!Number.isNaN(v)) xs.push(v);
  }
  if (xs.length === 0) return null;
  xs.sort((a, b) => a - b);
  const sum = xs.reduce((a, b) => a + b, 0);
  const mid = xs.length >> 1;
  return {
    mean: sum / xs.length,
    median: xs.length % 2 === 1 ? xs[mid]! : (xs[mid - 1]! + xs[mid]!) / 2,
    min: xs[0]!,
    max: xs[xs.length - 1]!,
    sum,
  };
}

/** [level, members], most first (ties by level); missing values left out. */
function counts(values: readonly (string | null)[], rows: readonly number[]): [string, number][] {
  const m = new Map<string, number>();
  for (const i of rows) {
    const v = values[i];
    if (v !== null && v !== undefined && v !== "") m.set(v, (m.get(v) ?? 0) + 1);
  }
  return [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

function shareAbove(
  values: ArrayLike<number> | undefined,
  rows: readonly number[],
  bound: number,
): number | null {
  if (!values) return null;
  let known = 0, above = 0;
  for (const i of rows) {
    const v = values[i]!;
    if (Number.isNaN(v)) continue;
    known++;
    if (v > bound) above++;
  }
  return known === 0 ? null : round(above / known, 3);
}
