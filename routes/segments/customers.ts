/**
 * Document 003's `GET /api/customers/{id}/segment`: every rule segmentation of one customer of
 * the session's dataset whose columns the dataset has, the cluster of the latest clustering,
 * and with `include_insights=true` the customer's value score, churn risk and product affinity,
 * in document 003's envelope. An id the dataset does not hold is 404.
 *
 * @module
 */
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import type { Dataset } from "../../domain/datasets/mod.ts";
import { customerInsights } from "../../domain/segments/mod.ts";
import { customerSegments, rowOfCustomer, typedCustomerId } from "../../domain/segments/mod.ts";
import { customerCluster, latestClustering } from "../../domain/workflow/mod.ts";
import {
  needDataset,
  QueryBoolean,
  type SegmentsDeps,
  ThresholdQuery,
  thresholdsFrom,
} from "./context.ts";
import { envelope, envelopeSchema } from "../http/envelope.ts";
import { CustomerSegmentSchema } from "./schemas.ts";
import { ClientError } from "../http/errors.ts";
import type { AppEnv } from "../env.ts";
import { createRouter, errorResponses } from "../http/openapi.ts";

const route = createRoute({
  method: "get",
  path: "/customers/{id}/segment",
  tags: ["segments"],
  summary: "Every segment of one customer of the session's dataset",
  description: "`segments` holds each rule segmentation the dataset's columns allow (the " +
    "others are listed in `unavailable_segments`) and the cluster of the latest clustering " +
    "(null fields without one). `id` is the dataset's customer id (its row number when it has " +
    "no id column); `customer_id` answers it as an integer when the dataset's ids are integers.",
  request: {
    params: z.object({ id: z.string().min(1).max(200) }),
    query: z.object({
      include_insights: QueryBoolean.default("false").meta({
        description: "Add value_score, churn_risk and product_affinity",
      }),
      ...ThresholdQuery,
    }),
  },
  responses: {
    200: {
      description: "The customer's segments",
      content: {
        "application/json": { schema: envelopeSchema(CustomerSegmentSchema) },
      },
    },
    ...errorResponses(400, 401, 404, 429),
  },
});

/** `GET /api/customers/{id}/segment`, mounted at `/api`. */
export function customerRoutes(deps: SegmentsDeps): OpenAPIHono<AppEnv> {
  return createRouter().openapi(route, async (c) => {
    const { tenantId, owner, dataset } = await needDataset(deps.kv, c);
    const { id } = c.req.valid("param");
    const row = rowOfCustomer(dataset, id);
    if (row < 0) throw new ClientError(404, "not_found", `No customer with id "${id}"`);
    const own = customerSegments(dataset, row, thresholdsFrom(c.req.valid("query")));
    const record = await latestClustering(deps.kv, tenantId, owner, dataset);
    const cluster = customerCluster(record, row);
    const wantInsights = c.req.valid("query").include_insights === "true";
    const insights = wantInsights ? customerInsights(dataset, row) : undefined;
    return c.json(
      envelope(c, {
        customer_id: typedCustomerId(dataset, row),
        name: textField(dataset, row, NAME_COLUMN),
        email: textField(dataset, row, EMAIL_COLUMN),
        segments: { ...own.segments, ...cluster },
        unavailable_segments: own.skipped.map((s) => ({
          segmentation_type: s.type,
          missing_columns: s.missing,
        })),
        ...(insights
          ? {
            insights: {
              ...insights,
              product_affinity: insights.product_affinity ?? null,
            },
          }
          : {}),
      }, deps.clock()),
      200,
    ) as never;
  });
}

const NAME_COLUMN = /^((customer|full)[ _]?)?name$/i;
const EMAIL_COLUMN = /^e-?mail([ _]?address)?$/i;

/** The customer's value in the first text column whose name matches, or null. */
function textField(dataset: Dataset, row: number, name: RegExp): string | null {
  const column = dataset.columns.find((col) => col.kind !== "numeric" && name.test(col.name));
  return column && column.kind !== "numeric" ? column.values[row] ?? null : null;
}
