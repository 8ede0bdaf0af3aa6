/**
 * Document 001: `POST /api/v1/ai/echointel/customer-intelligence/segment-cluster-profiles`, also
 * served at the paths of EchoIntel's SDKs (`/api/segment_cluster_profiles`) and backend reference
 * (`/api/v1/ai/segment_cluster_profiles`), one handler (docs/documents.md, "EchoIntel
 * compatibility"). Two request shapes, told apart by `data` (general) versus `customers`
 * (reference 4.1.11); see `domain/segmentation/profile_request.ts`. Every run is stored and its
 * `run_id` returned. The general shape is answered in the request up to `SYNC_LIMITS.profiles`
 * customers, with 202 and a job above (`routes/segmentation/answer.ts`, `answerMode`); the
 * 4.1.11 shape only profiles, always in the request.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import {
  assignLabels,
  labelsFromRecord,
  labelsFromRun,
  type LabelsSource,
  profileEcho,
} from "../../domain/segmentation/mod.ts";
import { parseAcceptLanguage } from "../../domain/description/mod.ts";
import { getRun, newRunId, saveRun } from "../../domain/segmentation/mod.ts";
import { type GeneralCustomer, runCustomers } from "../../domain/segmentation/profile_request.ts";
import { getDataset } from "../../domain/datasets/store.ts";
import { ClientError, wrapClientErrors } from "../http/errors.ts";
import { shapeError } from "./shape_error.ts";
import type { AppEnv } from "../env.ts";
import { createRouter, segmentationPostRoute } from "../http/openapi.ts";
import { answerSegmentation, type SegmentationDeps, timedJson } from "./answer.ts";
import { MAX_CUSTOMERS, SYNC_LIMITS } from "../../domain/segmentation/mod.ts";
import { refuseDuplicateIds, requestSchema, withLeanPath } from "../http/validation.ts";
import { isPlainObject, labelsAccepted, profileDataAccepted } from "./lean_arrays.ts";

const CustomerId = z.union([z.string().min(1).max(200), z.int()]);
const ClusterId = z.int().min(-1).meta({ description: "Cluster id; −1 = noise" });

const GeneralCustomer = z.object({
  customer_id: CustomerId,
  features: z.record(z.string().min(1).max(200), z.number().finite()).meta({
    description: "Numeric features by name; the same names in every record",
  }),
  attributes: z.record(z.string().min(1).max(200), z.string().max(200)).optional().meta({
    description: "Categorical attributes by name (gender, region, …)",
  }),
}).strict();

const EchoCustomer = z.object({
  id: CustomerId,
  frequency: z.int().min(1),
  amount_spent: z.number().finite().min(0),
  product_types: z.array(z.string().min(1).max(200)).min(1),
}).strict();

const ProfileFields = z.object({
  data: z.array(GeneralCustomer).min(1).max(MAX_CUSTOMERS).optional().meta({
    description: "General shape: customers with numeric features and categorical attributes",
  }),
  customers: z.array(EchoCustomer).min(1).max(MAX_CUSTOMERS).optional().meta({
    description: "EchoIntel 4.1.11 shape: frequency, amount_spent, product_types",
  }),
  labels: z.record(z.string(), ClusterId).nullable().optional().meta({
    description: "customer id → cluster id; required with customers unless run_id is given",
  }),
  run_id: z.string().min(1).max(100).optional().meta({
    description: "Read the labels from this stored run of the tenant",
  }),
  max_clusters: z.int().min(2).max(30).optional().meta({
    description: "Upper k when the labels are computed here",
  }),
  random_state: z.int().optional(),
  language: z.enum(["en", "es", "pt"]).optional().meta({
    description: "Language of the narratives; overrides Accept-Language",
  }),
});

/**
 * The request body: the general shape (`data`) or reference 4.1.11 (`customers`). A `data` body
 * sent as the document writes it is checked by the lean path (`leanProfiles`); any other body by
 * this schema.
 */
export const ClusterProfilesBody = withLeanPath(
  ProfileFields.strict().superRefine((body, ctx) => {
    if (body.customers) refuseDuplicateIds(body.customers.map((c) => c.id), "customers", "id", ctx);
    // An empty data array is already an issue (min 1), and the checks below read its first item.
    if (!body.data || body.data.length === 0) return;
    refuseDuplicateIds(body.data.map((c) => c.customer_id), "data", "customer_id", ctx);
    const first = Object.keys(body.data[0]!.features);
    const expected = new Set(first);
    body.data.forEach((c, i) => {
      const names = Object.keys(c.features);
      if (names.length === 0) {
        ctx.addIssue({
          code: "custom",
          path: ["data", i, "features"],
          message: "Expected at least one numeric feature",
        });
        return;
      }
      if (i === 0) return;
      const missing = first.filter((f) => !Object.hasOwn(c.features, f));
      const extra = names.filter((f) => !expected.has(f));
      if (missing.length > 0 || extra.length > 0) {
        const parts = [
          ...(missing.length ? [`missing ${missing.join(", ")}`] : []),
          ...(extra.length ? [`unexpected ${extra.join(", ")}`] : []),
        ];
        ctx.addIssue({
          code: "custom",
          path: ["data", i, "features"],
          message: `Expected the features of data.0 (${first.join(", ")}): ${parts.join("; ")}`,
        });
      }
    });
  }).meta({ id: "SegmentClusterProfilesRequest" }),
  leanProfiles,
);

/** The body's other fields, checked by zod (the labels too: a record of one number each). */
const LeanRest = requestSchema(ProfileFields.omit({ data: true, customers: true }).strict());

/**
 * The lean path of the general shape: `data` checked by `profileDataAccepted`, the other fields
 * by their schema; null (the schema decides) for anything else.
 */
async function leanProfiles(input: unknown) {
  if (!isPlainObject(input) || !Array.isArray(input.data) || "customers" in input) return null;
  const { data, labels, ...rest } = input;
  if (data.length < 1 || data.length > MAX_CUSTOMERS || !profileDataAccepted(data)) return null;
  // The labels (one per customer) checked by hand too; anything unusual goes to the schema.
  if (labels !== undefined && labels !== null && !labelsAccepted(labels)) return null;
  const parsed = await LeanRest.safeParseAsync(rest);
  if (!parsed.success) return null;
  return {
    ...parsed.data,
    ...(labels !== undefined ? { labels: labels as Record<string, number> | null } : {}),
    data: data as z.output<typeof GeneralCustomer>[],
  };
}

const EchoClusterProfile = z.object({
  cluster_id: z.int(),
  n_customers: z.int(),
  avg_spend: z.number(),
  median_spend: z.number(),
  avg_frequency: z.number(),
  top_categories: z.string(),
  share_of_revenue_pct: z.number(),
  insight: z.string(),
});

const ClusterProfilesResponse = z.object({
  run_id: z.string(),
  n_customers: z.int(),
  n_clusters: z.int(),
  feature_names: z.array(z.string()),
  labels_source: z.enum(["request", "run", "computed"]),
  cluster_profiles: z.array(EchoClusterProfile).optional().meta({
    description: "Reference 4.1.11's profiles (customers shape only)",
  }),
  profiles: z.record(z.string(), z.unknown()).meta({
    description: "Full statistics of every cluster (profileClusters)",
  }),
  segments: z.array(z.record(z.string(), z.unknown())).meta({
    description: "Names, personas, KPIs and actions per cluster, in the request's language",
  }),
}).passthrough().meta({ id: "SegmentClusterProfilesResponse" });

function route(path: string, summary: string) {
  return segmentationPostRoute({
    path,
    summary,
    body: ClusterProfilesBody,
    response: ClusterProfilesResponse,
    description: "Profiles, narratives and (customers shape) the reference's cluster_profiles",
    errors: [400, 401, 403, 404, 413, 415, 422, 429],
  });
}

/** Document 001's path and its two aliases, served by one handler. */
export const CLUSTER_PROFILE_PATHS = [
  [
    "/v1/ai/echointel/customer-intelligence/segment-cluster-profiles",
    "Profile the clusters of a customer segmentation",
  ],
  [
    "/v1/ai/segment_cluster_profiles",
    "Alias of segment-cluster-profiles (EchoIntel backend reference)",
  ],
  ["/segment_cluster_profiles", "Alias of segment-cluster-profiles (EchoIntel SDKs)"],
] as const;

/** The run source of these routes. */
const PROFILES_SOURCE = "segment_cluster_profiles";

/** The document-001 sub-app, mounted at `/api`. */
export function clusterProfileRoutes(deps: SegmentationDeps): OpenAPIHono<AppEnv> {
  const app = createRouter();
  for (const [path, summary] of CLUSTER_PROFILE_PATHS) {
    app.openapi(route(path, summary), async (c) => {
      const principal = c.get("principal");
      if (!principal) throw new ClientError(401, "unauthorized", "Authentication required");
      const body = c.req.valid("json");
      const language = body.language ?? parseAcceptLanguage(c.req.header("Accept-Language"));
      if (body.data && body.customers) {
        throw shapeError("customers", "Send either data or customers, not both", "conflict");
      }
      if (!body.data && !body.customers && body.run_id === undefined) {
        throw shapeError("data", "Required parameter 'data' is missing");
      }
      if (body.labels && body.run_id !== undefined) {
        throw shapeError("run_id", "Send either labels or run_id, not both", "conflict");
      }
      const field = body.customers ? "customers" : "data";

      let labelMap: Map<string, number> | null = null;
      let source: LabelsSource = "computed";
      // run_id alone: the stored run's own customers, from the dataset it segmented.
      let runData: GeneralCustomer[] | null = null;
      if (!body.data && !body.customers) {
        const stored = await storedRunCustomers(deps.kv, principal.tenantId, body.run_id!);
        runData = stored.data;
        labelMap = new Map(stored.data.map((d, i) => [String(d.customer_id), stored.labels[i]!]));
        source = "run";
      } else if (body.labels) {
        labelMap = labelsFromRecord(body.labels);
        source = "request";
      } else if (body.run_id !== undefined) {
        const run = await getRun(deps.kv, principal.tenantId, body.run_id);
        if (!run) {
          throw new ClientError(404, "not_found", `No run ${body.run_id}`, {
            details: { run_id: body.run_id },
          });
        }
        labelMap = labelsFromRun(run.body);
        if (!labelMap) {
          throw new ClientError(422, "invalid_parameter", `Run ${body.run_id} has no labels`, {
            details: { parameter: "run_id", run_id: body.run_id },
          });
        }
        source = "run";
      } else if (body.customers) {
        throw shapeError("labels", "Required parameter 'labels' is missing");
      }

      const data = body.data ?? runData;
      const ids = data ? data.map((d) => d.customer_id) : body.customers!.map((d) => d.id);
      const labels = labelMap === null ? null : wrapClientErrors(
        () => assignLabels(ids, labelMap, field),
        { details: { parameter: source === "run" ? "run_id" : "labels" } },
      );

      const { data: _data, customers: _customers, labels: _labels, ...params } = body;
      if (data) {
        return await answerSegmentation(
          c,
          deps,
          principal.tenantId,
          {
            task: {
              kind: "profiles",
              data,
              labels: labels ? Array.from(labels) : null,
              options: {
                ...(body.max_clusters !== undefined ? { max_clusters: body.max_clusters } : {}),
                ...(body.random_state !== undefined ? { random_state: body.random_state } : {}),
              },
              language,
            },
            source: PROFILES_SOURCE,
            params: { ...params, shape: field, language },
            labelsSource: source,
          },
          SYNC_LIMITS.profiles,
          "data",
        );
      }
      const { labels: assigned, cluster_profiles, ...rest } = profileEcho(
        body.customers!,
        labels!,
        language,
      );
      const response: Record<string, unknown> = {
        cluster_profiles,
        ...rest,
        labels_source: source,
        customer_labels: ids.map((id, i) => ({ customer_id: id, cluster_id: assigned[i]! })),
      };
      const runId = newRunId();
      await saveRun(deps.kv, principal.tenantId, runId, PROFILES_SOURCE, {
        params: { ...params, shape: field, language },
        customers: ids.length,
        response,
      }, deps.clock());
      return timedJson(c, { run_id: runId, ...response }, 200) as never;
    });
  }
  return app;
}

/**
 * The customers and labels of run `runId` of `tenantId`, for a request with `run_id` alone:
 * 404 when there is no such run; 422 naming `data` when the run keeps no customer data (runs of
 * documents 000–002 store their results, not the customers sent) or its dataset is gone.
 */
async function storedRunCustomers(kv: Deno.Kv, tenantId: string, runId: string) {
  const run = await getRun<{ dataset_id?: unknown }>(kv, tenantId, runId);
  if (!run) {
    throw new ClientError(404, "not_found", `No run ${runId}`, { details: { run_id: runId } });
  }
  const datasetId = run.body?.dataset_id;
  const dataset = typeof datasetId === "string" ? await getDataset(kv, tenantId, datasetId) : null;
  const customers = dataset ? runCustomers(run.body, dataset) : null;
  if (!customers) {
    const why = typeof datasetId === "string"
      ? `its dataset ${datasetId} is no longer stored`
      : "it keeps no customer data (runs of documents 000-002 store results, not the customers " +
        "sent)";
    throw new ClientError(
      422,
      "invalid_parameter",
      `Run ${runId} cannot be profiled without data: ${why}; send data with run_id`,
      { details: { parameter: "data", run_id: runId } },
    );
  }
  return customers;
}
