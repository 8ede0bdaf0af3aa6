/**
 * Document 002: `POST /api/analyze` segments customer records with any fields, sent as
 * `customerData` (the document's name) or `data` (automatic model selection, or one algorithm
 * and/or a fixed number of clusters) and answers the document's `clusters` (each with its
 * customers' records), `featureImportance` and `accuracy`, plus `run_id`, `customer_ids`,
 * `preprocessing`, `selection` and `metrics`; `POST /api/recommendations` turns a stored run
 * (`run_id`) or an analysis (`analysis`: ours, or any in the document's shape) into strategy
 * lines in the language of `Accept-Language`. Every analysis is stored as a run of the tenant,
 * without its records.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import {
  type DocumentAnalysisCluster,
  narrativesFromAnalysis,
  narrativesInLanguage,
  recommendationLines,
} from "../../domain/segmentation/mod.ts";
import { parseAcceptLanguage, type SegmentNarrative } from "../../domain/description/mod.ts";
import { getRun } from "../../domain/segmentation/mod.ts";
import { ClientError, wrapClientErrors } from "../http/errors.ts";
import { CASING_CONFLICT } from "../http/casing.ts";
import type { AppEnv } from "../env.ts";
import { createRouter, segmentationPostRoute } from "../http/openapi.ts";
import { answerSegmentation, type SegmentationDeps } from "./answer.ts";
import { MAX_CUSTOMERS, SYNC_LIMITS } from "../../domain/segmentation/mod.ts";
import { requestSchema, withLeanPath } from "../http/validation.ts";
import { isPlainObject, recordsAccepted } from "./lean_arrays.ts";

/** The run source of `POST /api/analyze`. */
export const ANALYZE_SOURCE = "analyze";

// Records are data: a z.record keeps the casing layer off their keys.
const Records = z.array(z.record(z.string(), z.unknown())).min(1).max(MAX_CUSTOMERS);

const AnalyzeFields = z.object({
  customerData: Records.optional().meta({
    description: "Customer records with any fields (document 002's name; required unless " +
      "data is sent); the id field is kept, never a feature",
  }),
  data: Records.optional().meta({
    description: "The same records under their older name (an alias of customerData)",
  }),
  include_records: z.boolean().optional().meta({
    description: "false: clusters list only customer_ids, not the records (smaller response; " +
      "default true)",
  }),
  id_field: z.string().min(1).max(200).optional().meta({
    description: "The field holding the customer id (default: detected by name)",
  }),
  n_clusters: z.int().min(2).max(50).optional().meta({
    description: "A fixed number of clusters (default: chosen automatically)",
  }),
  max_clusters: z.int().min(2).max(30).optional().meta({
    description: "Upper k of the automatic search (default 10)",
  }),
  algorithm: z.enum(["auto", "kmeans", "gmm", "ward", "dbscan"]).optional().meta({
    description: "auto (default): every algorithm, chosen by the selection rule",
  }),
  random_state: z.int().optional(),
  eps: z.number().gt(0).max(10).optional().meta({
    description: "DBSCAN's radius on the standardised features (default 0.4)",
  }),
  min_samples: z.int().min(2).max(1000).optional().meta({
    description: "DBSCAN's core-point threshold (default 5)",
  }),
});

/**
 * The request body of `POST /api/analyze`: `customerData` (or its alias `data`) and options.
 * Records sent as plain objects are checked by the lean path (`leanAnalyze`); any other body by
 * this schema.
 */
export const AnalyzeBody = withLeanPath(
  AnalyzeFields.strict().superRefine((body, ctx) => {
    if (body.customerData === undefined && body.data === undefined) {
      // A missing required parameter (400), named as the document names it.
      ctx.addIssue({
        code: "invalid_type",
        expected: "array",
        path: ["customerData"],
        message: "Required",
        input: undefined,
      });
    } else if (body.customerData !== undefined && body.data !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["customerData"],
        message: "Both 'customerData' and its alias 'data' were given; send one",
        params: { code: CASING_CONFLICT, spellings: ["customerData", "data"] },
      });
    }
  }).meta({ id: "AnalyzeRequest" }),
  leanAnalyze,
);

/** The body's other fields, checked by zod. */
const LeanRest = requestSchema(AnalyzeFields.omit({ customerData: true, data: true }).strict());

/**
 * The lean path: exactly one of `customerData` and `data`, its records checked by
 * `recordsAccepted` (kept as sent, not copied), the other fields by their schema; null (the
 * schema decides) for anything else.
 */
async function leanAnalyze(input: unknown) {
  if (!isPlainObject(input)) return null;
  const { customerData, data, ...rest } = input;
  const field = customerData === undefined ? "data" : data === undefined ? "customerData" : null;
  const records = field === "data" ? data : customerData;
  if (field === null || !Array.isArray(records)) return null;
  if (records.length < 1 || records.length > MAX_CUSTOMERS || !recordsAccepted(records)) {
    return null;
  }
  const parsed = await LeanRest.safeParseAsync(rest);
  if (!parsed.success) return null;
  return { ...parsed.data, [field]: records as Record<string, unknown>[] };
}

const CustomerId = z.union([z.string(), z.number()]);

const Cluster = z.object({
  clusterId: z.int(),
  customers: z.array(z.record(z.string(), z.unknown())).optional().meta({
    description: "The cluster's customers: the request's records, unchanged (absent with " +
      "include_records: false)",
  }),
  customer_ids: z.array(CustomerId).meta({
    description: "Their ids as sent (integers stay integers), or record numbers 1..n",
  }),
  size: z.int(),
  share: z.number(),
  centroid: z.record(z.string(), z.number()),
  clusterName: z.string(),
  characteristics: z.array(z.string()),
}).passthrough();

const AnalyzeResponse = z.object({
  run_id: z.string(),
  clusters: z.array(Cluster),
  noise: z.object({
    customers: z.array(z.record(z.string(), z.unknown())).optional(),
    customer_ids: z.array(CustomerId),
    size: z.int(),
    share: z.number(),
  }).nullable(),
  featureImportance: z.record(z.string(), z.number()),
  accuracy: z.number(),
  algorithm: z.string(),
  n_clusters: z.int(),
  selection: z.object({
    mode: z.string(),
    rule: z.string(),
    why: z.string(),
    structure: z.enum(["clear", "weak"]).meta({
      description: "weak: no clear groups (no stable candidate, or silhouette under 0.25)",
    }),
    note: z.string().nullable().meta({ description: "With weak structure, what it means" }),
    warnings: z.array(z.string()).meta({
      description: "Filters a fixed algorithm or n_clusters was let through (e.g. unstable)",
    }),
  }),
  metrics: z.record(z.string(), z.unknown()),
  preprocessing: z.record(z.string(), z.unknown()),
}).passthrough().meta({ id: "AnalyzeResponse" });

/** The part of a segment narrative that the recommendations read. */
const Narrative = z.object({
  cluster_id: z.int(),
  name: z.string(),
  persona_label: z.string(),
  priority: z.enum(["high", "medium", "low"]),
  kpis: z.object({
    share_of_customers: z.number(),
    share_of_revenue: z.number().nullable(),
  }).passthrough(),
  actions: z.array(z.object({ key: z.string(), text: z.string() }).passthrough()),
}).passthrough();

/** One cluster of an analysis sent back: ours (with `narrative`) or the document's shape. */
const AnalysisCluster = z.object({
  clusterId: z.int().optional(),
  clusterName: z.string().max(500).optional(),
  characteristics: z.array(z.string().max(1000)).max(100).optional(),
  centroid: z.record(z.string(), z.number().finite()).optional().meta({
    description: "Mean of each numeric feature (the document's centroid)",
  }),
  customers: z.array(z.unknown()).max(MAX_CUSTOMERS).optional().meta({
    description: "The cluster's customer records (or ids)",
  }),
  size: z.int().min(0).optional(),
  narrative: Narrative.optional(),
}).passthrough();

/** The request body of `POST /api/recommendations`. */
export const RecommendationsBody = z.object({
  run_id: z.string().min(1).max(100).optional(),
  analysis: z.object({
    run_id: z.string().min(1).max(100).optional(),
    clusters: z.array(AnalysisCluster).max(100).optional(),
    language: z.string().max(20).optional().meta({
      description: "The language the analysis's narratives are written in (en, es, pt)",
    }),
  }).passthrough().optional().meta({
    description: "An analysis: a response of POST /api/analyze, or any analysis in document " +
      "002's shape (clusters with clusterName and centroid; customers optional)",
  }),
}).strict().refine((b) => (b.run_id === undefined) !== (b.analysis === undefined), {
  message: "Send either run_id or analysis (a previous /api/analyze response), not both",
}).meta({ id: "RecommendationsRequest" });

const RecommendationsResponse = z.object({
  recommendations: z.array(z.string()),
  strategies: z.array(z.object({
    cluster_id: z.int(),
    segment: z.string(),
    priority: z.string(),
    action: z.string(),
    rationale: z.string(),
  })),
  run_id: z.string().nullable(),
}).meta({ id: "RecommendationsResponse" });

const analyzeRoute = segmentationPostRoute({
  path: "/analyze",
  summary: "Segment customer records with any fields (document 002)",
  body: AnalyzeBody,
  response: AnalyzeResponse,
  description: "Clusters with their customers, centroids, names and characteristics",
  errors: [400, 401, 403, 413, 415, 422, 429],
});

const recommendationsRoute = segmentationPostRoute({
  path: "/recommendations",
  summary: "Strategic recommendations from an analysis (document 002)",
  body: RecommendationsBody,
  response: RecommendationsResponse,
  description: "One recommendation per segment action, by priority",
  errors: [400, 401, 403, 404, 415, 422, 429],
});

/** What an analyze run stores (`storedSummary`, plus the request's parameters). */
interface StoredAnalysis {
  narratives: SegmentNarrative[];
  clusters?: DocumentAnalysisCluster[];
  language?: Language;
}

type Language = ReturnType<typeof parseAcceptLanguage>;
const LANGUAGES: readonly string[] = ["en", "es", "pt"];

/** A language tag an analysis says it was written in, if it is one of ours. */
function writtenIn(tag: string | undefined): Language | undefined {
  return tag !== undefined && LANGUAGES.includes(tag) ? tag as Language : undefined;
}

/** The document-002 sub-app, mounted at `/api`. */
export function analyzeRoutes(deps: SegmentationDeps): OpenAPIHono<AppEnv> {
  const app = createRouter();

  app.openapi(analyzeRoute, async (c) => {
    const principal = c.get("principal");
    if (!principal) throw new ClientError(401, "unauthorized", "Authentication required");
    const body = c.req.valid("json");
    const language = parseAcceptLanguage(c.req.header("Accept-Language"));
    const { customerData, data, ...params } = body;
    const parameter = customerData !== undefined ? "customerData" : "data";
    const request = { ...params, data: (customerData ?? data)!, records_parameter: parameter };
    return await answerSegmentation(
      c,
      deps,
      principal.tenantId,
      {
        task: { kind: "analyze", request, language },
        source: ANALYZE_SOURCE,
        params,
      },
      SYNC_LIMITS.analyze,
      parameter,
    );
  });

  app.openapi(recommendationsRoute, async (c) => {
    const principal = c.get("principal");
    if (!principal) throw new ClientError(401, "unauthorized", "Authentication required");
    const body = c.req.valid("json");
    const language = parseAcceptLanguage(c.req.header("Accept-Language"));
    const clusters = body.analysis?.clusters ?? [];
    const embedded = clusters.map((cl) => cl.narrative);
    let narratives: SegmentNarrative[];
    let runId: string | null = body.run_id ?? body.analysis?.run_id ?? null;
    if (embedded.length > 0 && embedded.every((n) => n !== undefined)) {
      // A (possibly edited) analysis sent back carries its own segments.
      narratives = narrativesInLanguage(
        embedded as unknown as SegmentNarrative[],
        clusters as DocumentAnalysisCluster[],
        writtenIn(body.analysis?.language),
        language,
      );
      if (body.run_id === undefined) runId = body.analysis?.run_id ?? null;
    } else if (runId === null && clusters.length > 0) {
      // An analysis in the document's shape, from anywhere: described from its centroids.
      narratives = wrapClientErrors(
        () => narrativesFromAnalysis(clusters as DocumentAnalysisCluster[], language),
        { details: { parameter: "analysis.clusters" } },
      );
    } else if (runId !== null) {
      const run = await getRun<StoredAnalysis>(deps.kv, principal.tenantId, runId);
      if (!run || run.source !== ANALYZE_SOURCE || !Array.isArray(run.body.narratives)) {
        throw new ClientError(404, "not_found", `No analysis run ${runId}`, {
          details: { run_id: runId },
        });
      }
      narratives = narrativesInLanguage(
        run.body.narratives,
        run.body.clusters ?? [],
        run.body.language,
        language,
      );
    } else {
      throw new ClientError(
        422,
        "invalid_parameter",
        "Expected an analysis with clusters (clusterName and centroid, as /api/analyze " +
          "answers) or a run_id but found neither",
        { details: { parameter: "analysis" } },
      );
    }
    return c.json({ ...recommendationLines(narratives, language), run_id: runId }, 200);
  });

  return app;
}
