/**
 * Document 000: `POST /api/v1/ai/purchasing_segmentation`, also served at the path EchoIntel's
 * SDKs call, `POST /api/purchasing_segmentation` (docs/documents.md). Answered in the request
 * up to `SYNC_LIMITS.purchasing` customers, with 202 and a job above (`routes/segmentation/answer.ts`, `answerMode`);
 * every run is stored and its `run_id` returned. The request is validated as the document's schema table
 * says, naming each failing field by its path (`data.3.features.loyalty_score`).
 *
 * Two request shapes share the paths (docs/documents.md), told apart by `data` (document 000,
 * shape 1) versus `customers` (reference 4.1.7, shape 2: frequency, amount_spent, product_types →
 * benchmark, best_model, centroids, labels, interpretations_en, dendrogram). One strict schema
 * holds both; the handler refuses a body with both or neither (400).
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { recordPhase } from "../http/server_timing.ts";
import { decodePurchasingBody } from "./purchasing_bytes.ts";
import { z } from "zod";
import { parseAcceptLanguage } from "../../domain/description/mod.ts";
import { ClientError } from "../http/errors.ts";
import { shapeError } from "./shape_error.ts";
import type { AppEnv } from "../env.ts";
import { createRouter, segmentationPostRoute } from "../http/openapi.ts";
import { answerSegmentation, type SegmentationDeps } from "./answer.ts";
import { MAX_CUSTOMERS, SYNC_LIMITS } from "../../domain/segmentation/mod.ts";
import {
  pinJsonBody,
  refuseDuplicateIds,
  requestSchema,
  withLeanPath,
} from "../http/validation.ts";
import { isPlainObject, purchasingDataColumns } from "./lean_arrays.ts";
import { type PurchasingColumns, purchasingColumns } from "../../domain/segmentation/purchasing.ts";

const nonNegative = z.number().finite().min(0);
const Features = z.object({
  purchase_total: nonNegative.meta({ description: "Revenue in the observation window" }),
  visit_frequency: z.int().min(0).meta({ description: "Distinct purchase sessions" }),
  avg_ticket: nonNegative.meta({ description: "Mean value per purchase" }),
  product_diversity: z.int().min(0).meta({ description: "Distinct product categories" }),
  loyalty_score: z.number().min(0).max(1).meta({ description: "Normalised loyalty, 0–1" }),
  recency_days: z.int().min(0).meta({ description: "Days since the last order" }),
}).strict();

const Customer = z.object({
  customer_id: z.union([z.string().min(1).max(200), z.int()]),
  features: Features,
}).strict();

const CustomerV2 = z.object({
  id: z.union([z.string().min(1).max(200), z.int()]),
  frequency: z.int().min(1).meta({ description: "Purchases in the window" }),
  amount_spent: nonNegative.meta({ description: "Total spend in the window" }),
  product_types: z.array(z.string().min(1).max(200)).min(1).max(10_000).meta({
    description: "Product types bought; their distinct count is the third feature",
  }),
}).strict();

const ALGORITHM_PATTERN = /^(kmeans|gmm|agglomerative|ward|dbscan)$/i;

const PurchasingFields = z.object({
  max_clusters: z.int().min(2).max(30).optional().meta({
    description: "Shape 1: upper k for KMeans, GMM, Ward",
  }),
  dbscan_eps: z.number().gt(0).max(1).optional().meta({
    description: "Shape 1: DBSCAN radius (z-scores)",
  }),
  dbscan_min_samples: z.int().min(3).optional(),
  random_state: z.int().optional(),
  skew_handling: z.enum(["auto", "off"]).optional(),
  selection: z.enum(["auto", "silhouette"]).optional().meta({
    description: "Shape 1: the rule that chooses best_algorithm. auto (default): the service's " +
      "rule (stable candidates, the largest k on the silhouette plateau); silhouette: the " +
      "document's literal rule, the highest silhouette among eligible candidates, ties by the " +
      "lowest Davies-Bouldin. The response's selection.rule says which chose.",
  }),
  data: z.array(Customer).min(1).max(MAX_CUSTOMERS).optional().meta({
    description: "Shape 1 (document 000): customers with six purchasing features",
  }),
  customers: z.array(CustomerV2).min(1).max(MAX_CUSTOMERS).optional().meta({
    description: "Shape 2 (reference 4.1.7): frequency, amount_spent, product_types",
  }),
  k_range: z.array(z.int().min(3).max(30)).min(1).max(28).optional().meta({
    description: "Shape 2: cluster counts to try (default 3..8); the range min..max is searched",
  }),
  algorithms: z.array(z.string().regex(ALGORITHM_PATTERN)).min(1).max(10).optional().meta({
    description:
      "Shape 2: kmeans, gmm, agglomerative (= ward), dbscan, any case; default all but dbscan",
  }),
});

/**
 * The request body: document 000 (`data`) or reference 4.1.7 (`customers`). A `data` body sent
 * as the document writes it is checked and decoded into columns by the lean path
 * (`leanPurchasing`); any other body by this schema.
 */
export const PurchasingBody = withLeanPath(
  PurchasingFields.strict().superRefine((body, ctx) => {
    if (body.data) {
      refuseDuplicateIds(body.data.map((c) => c.customer_id), "data", "customer_id", ctx);
    }
    if (body.customers) {
      refuseDuplicateIds(body.customers.map((c) => c.id), "customers", "id", ctx);
    }
  }).meta({ id: "PurchasingSegmentationRequest" }),
  leanPurchasing,
);

/** The body's other fields, checked by zod (they are few). */
const LeanRest = requestSchema(PurchasingFields.omit({ data: true, customers: true }).strict());

/**
 * The lean path of document 000's shape 1: `data` checked and decoded by
 * `purchasingDataColumns`, the other fields by their schema; null (the schema decides) for
 * anything else. The columns are remembered for the handler.
 */
async function leanPurchasing(input: unknown) {
  if (!isPlainObject(input) || !Array.isArray(input.data) || "customers" in input) return null;
  const { data, ...rest } = input;
  if (data.length < 1 || data.length > MAX_CUSTOMERS) return null;
  // Decoded from the body's bytes already (`decodeLargeBody`), or checked and decoded here.
  const columns = DECODED.get(data) ?? purchasingDataColumns(data);
  if (!columns) return null;
  const parsed = await LeanRest.safeParseAsync(rest);
  if (!parsed.success) return null;
  DECODED.set(data, columns);
  return { ...parsed.data, data: data as z.output<typeof Customer>[] };
}

// The columns the lean path decoded, by the array they came from (or stand in for).
const DECODED = new WeakMap<object, PurchasingColumns>();

/** Bodies from this size on are decoded from their bytes (below, JSON.parse is as quick). */
export const BYTE_DECODE_MIN_BYTES = 256 * 1024;

/**
 * Route middleware, before the JSON gate: a JSON body of at least `BYTE_DECODE_MIN_BYTES` that
 * `decodePurchasingBody` reads and whose other fields pass their schema is handed on as its
 * fields with `data` an empty array of the customers' length, standing in for the records, whose
 * columns `DECODED` holds; the gate and the validator then read that instead of parsing the
 * body. Any other body is left to them untouched (read once here, parsed there).
 */
const decodeLargeBody: MiddlewareHandler<AppEnv> = async (c, next) => {
  const type = c.req.header("Content-Type")?.split(";")[0]?.trim() ?? "";
  const length = Number(c.req.header("Content-Length"));
  if (JSON_TYPE.test(type) && length >= BYTE_DECODE_MIN_BYTES) {
    const t0 = performance.now();
    const decoded = decodePurchasingBody(new Uint8Array(await c.req.arrayBuffer()));
    if (decoded && decoded.columns.length <= MAX_CUSTOMERS) {
      const rest = await LeanRest.safeParseAsync(decoded.rest);
      if (rest.success) {
        const data: unknown[] = new Array(decoded.columns.length);
        DECODED.set(data, decoded.columns);
        pinJsonBody(c, { ...decoded.rest, data });
      }
    }
    recordPhase(c.req.raw, "parse", performance.now() - t0);
  }
  await next();
};

const JSON_TYPE = /^application\/([\w.-]+\+)?json$/i;

const Metric = z.number().nullable();
const PurchasingResponse = z.object({
  run_id: z.string(),
  best_algorithm: z.string(),
  evaluation_metrics: z.array(
    z.object({
      algorithm: z.string(),
      params: z.record(z.string(), z.number()),
      silhouette: Metric,
      davies_bouldin: Metric,
      calinski_harabasz: Metric,
      n_clusters: z.int(),
    }).passthrough(),
  ),
  feature_names: z.array(z.string()),
  clusters: z.array(
    z.object({
      cluster_id: z.int(),
      size: z.int(),
      centroid: z.array(z.number()),
      persona_label: z.string(),
      name: z.string(),
      persona: z.string(),
    }).passthrough(),
  ),
  customer_labels: z.array(z.object({
    customer_id: z.union([z.string(), z.int()]),
    cluster_id: z.int(),
  })),
}).passthrough();

const BenchmarkRow = z.object({
  algo: z.string(),
  k: z.int(),
  silhouette: Metric,
  davies_bouldin: Metric,
}).passthrough();

const PurchasingResponseV2 = z.object({
  run_id: z.string(),
  benchmark: z.array(BenchmarkRow),
  best_model: z.object({
    algo: z.string(),
    k: z.int(),
    silhouette: Metric,
    davies_bouldin: Metric,
    n_clusters: z.int(),
  }),
  centroids: z.array(z.array(z.number())).meta({
    description: "Per cluster: [frequency, amount_spent, avg number of product types]",
  }),
  labels: z.record(z.string(), z.int()).meta({ description: "customer id → cluster id" }),
  interpretations_en: z.record(z.string(), z.string()).meta({
    description: "cluster id → English persona",
  }),
  dendrogram: z.object({
    method: z.string(),
    level: z.string(),
    leaves: z.array(z.int()),
    merges: z.array(z.array(z.number())).meta({
      description: "Ward tree on the cluster centroids, scipy linkage rows [a, b, distance, size]",
    }),
  }).passthrough(),
}).passthrough();

const PurchasingAnyResponse = z.union([PurchasingResponse, PurchasingResponseV2]).meta({
  id: "PurchasingSegmentationResponse",
});

function route(path: string, summary: string) {
  return {
    ...segmentationPostRoute({
      path,
      summary,
      body: PurchasingBody,
      response: PurchasingAnyResponse,
      description:
        "The chosen segmentation, every candidate's metrics, personas and labels (shape 1 or 2)",
      errors: [400, 401, 403, 413, 415, 422, 429],
    }),
    middleware: [decodeLargeBody],
  };
}

/** The document's path and the EchoIntel SDKs' alias, served by one handler. */
export const PURCHASING_PATHS = [
  ["/v1/ai/purchasing_segmentation", "Segment customers by six purchasing features"],
  ["/purchasing_segmentation", "Alias of /api/v1/ai/purchasing_segmentation (EchoIntel SDKs)"],
] as const;

/** The document-000 sub-app, mounted at `/api`. */
export function purchasingRoutes(deps: SegmentationDeps): OpenAPIHono<AppEnv> {
  const app = createRouter();
  for (const [path, summary] of PURCHASING_PATHS) {
    app.openapi(route(path, summary), async (c) => {
      const principal = c.get("principal");
      if (!principal) throw new ClientError(401, "unauthorized", "Authentication required");
      const body = c.req.valid("json");
      if (body.data && body.customers) {
        throw shapeError("customers", "Send either data or customers, not both", "conflict");
      }
      if (!body.data && !body.customers) {
        throw shapeError(
          "data",
          "Required parameter 'data' (or 'customers', reference 4.1.7) is missing",
        );
      }
      const language = parseAcceptLanguage(c.req.header("Accept-Language"));
      if (body.customers) {
        const { customers, ...rest } = body;
        const misplaced = (
          ["max_clusters", "dbscan_eps", "dbscan_min_samples", "selection"] as const
        )
          .find((k) => rest[k] !== undefined);
        if (misplaced) {
          throw shapeError(
            misplaced,
            `${misplaced} belongs to the data shape`,
            "unrecognized_keys",
          );
        }
        return await answerSegmentation(
          c,
          deps,
          principal.tenantId,
          {
            task: { kind: "purchasing_v2", request: { ...rest, customers }, language },
            source: "purchasing_segmentation",
            params: { ...rest, shape: "customers" },
          },
          SYNC_LIMITS.purchasing,
          "customers",
        );
      }
      const { data, customers: _customers, k_range, algorithms, ...params } = body;
      for (const [key, v] of [["k_range", k_range], ["algorithms", algorithms]] as const) {
        if (v !== undefined) {
          throw shapeError(key, `${key} belongs to the customers shape`, "unrecognized_keys");
        }
      }
      return await answerSegmentation(
        c,
        deps,
        principal.tenantId,
        {
          task: {
            kind: "purchasing",
            // Columns: decoded by the lean path, or read off the records the schema checked.
            request: { ...params, data: DECODED.get(data!) ?? purchasingColumns(data!) },
            language,
          },
          source: "purchasing_segmentation",
          params,
        },
        SYNC_LIMITS.purchasing,
        "data",
      );
    });
  }
  return app;
}
