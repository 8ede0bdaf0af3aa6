/**
 * What the routes of document 003 (`segments.ts`, `clusters.ts`, `customers.ts`,
 * `insights.ts`, `exports.ts`) share: their dependencies, the principal's session (current
 * dataset and latest clustering, by the rules of `domain/workflow/session_rules.ts`), the
 * summary of a rule segment in the document's field names, and sorting and paging.
 *
 * @module
 */
import type { Context } from "hono";
import { z } from "zod";
import type { Dataset } from "../../domain/datasets/mod.ts";
import {
  resolveThresholds,
  type RuleSegment,
  type RuleSegmentation,
  SEGMENT_TYPES,
  segmentDataset,
  type SegmentType,
  type Thresholds,
} from "../../domain/segments/mod.ts";
import { requireClustering, requireDataset, sessionOwner } from "../../domain/workflow/mod.ts";
import { round } from "../../compute/numbers.ts";
import { ClientError, wrapClientErrors } from "../http/errors.ts";
import { validationHook } from "../http/validation.ts";
import type { AppEnv } from "../env.ts";
import type { SegmentationDeps } from "../segmentation/answer.ts";

/** What the document-003 routes need. */
export interface SegmentsDeps extends SegmentationDeps {
  /** How long a stored export can be downloaded, in ms (default `DEFAULT_EXPORT_TTL_MS`, 24 h). */
  exportTtlMs?: number;
}

/** Every type of `GET /api/segments/{type}`: the rule-based ones and `cluster`. */
export const ALL_SEGMENT_TYPES = [...SEGMENT_TYPES, "cluster"] as const;
export type AnySegmentType = typeof ALL_SEGMENT_TYPES[number];

/**
 * The path parameter `type`, in any letter case (document 003 writes `/api/segments/Gender`),
 * read in lower case; an unknown value is a 400 (document 003 §1.1).
 */
export const SegmentTypeParam = z.preprocess(
  (value) => typeof value === "string" ? value.toLowerCase() : value,
  z.enum(ALL_SEGMENT_TYPES),
).meta({
  description: "gender, region, age_group, income_bracket, purchase_tier, clv, rfm or cluster " +
    "(any letter case)",
});

/** A query boolean as clients write it. */
export const QueryBoolean = z.enum(["true", "false"]);

/** The field that names a rule segment in the document's examples (`clv_tier` for `clv`). */
export const SEGMENT_KEYS: Readonly<Record<SegmentType, string>> = {
  gender: "gender",
  region: "region",
  age_group: "age_group",
  income_bracket: "income_bracket",
  purchase_tier: "purchase_tier",
  clv: "clv_tier",
  rfm: "rfm_segment",
};

/** The request's tenant and session owner; 401 without a principal. */
export function principalOf(c: Context<AppEnv>): { tenantId: string; owner: string } {
  const p = c.get("principal");
  if (!p) throw new ClientError(401, "unauthorized", "Authentication required");
  return { tenantId: p.tenantId, owner: sessionOwner(p) };
}

/** The session's current dataset (`requireDataset`: 400 `no_data` without one). */
export async function needDataset(kv: Deno.Kv, c: Context<AppEnv>) {
  const { tenantId, owner } = principalOf(c);
  return { tenantId, owner, dataset: await requireDataset(kv, tenantId, owner) };
}

/** The dataset and its latest clustering (`requireClustering`: 400 `no_data`/`no_clustering`). */
export async function needClustering(kv: Deno.Kv, c: Context<AppEnv>) {
  const { tenantId, owner } = principalOf(c);
  return { tenantId, owner, ...await requireClustering(kv, tenantId, owner) };
}

/**
 * `segmentDataset`, with a dataset lacking the type's columns answered 400 naming them, and
 * thresholds out of order 422.
 */
export function segmentOrExplain(
  dataset: Dataset,
  type: SegmentType,
  thresholds: Partial<Thresholds> = {},
): RuleSegmentation {
  return wrapClientErrors(() => segmentDataset(dataset, type, thresholds), {
    details: { parameter: "thresholds" },
  });
}

const money = (description: string) =>
  z.coerce.number().finite().min(0).optional().meta({ description });

/**
 * The rule thresholds a request may change (document 003's bounds by default): query
 * parameters of the segments, insights, customer and export routes.
 */
export const ThresholdQuery = {
  age_bounds: z.string().regex(/^\d{1,3}(,\d{1,3}){0,9}$/).optional().meta({
    description: "Inclusive upper bounds of the adult age groups, increasing (default 25,40,60)",
  }),
  income_low: money("Income below this is Low, in currency units (default 30000)"),
  income_high: money("Income above this is High (default 70000)"),
  spend_low: money("Spend below this is Low (default 1000)"),
  spend_high: money("Spend above this is High (default 3000)"),
  lifespan_years: z.coerce.number().finite().gt(0).max(100).optional().meta({
    description: "Expected customer lifespan where the data has none, for CLV (default 3)",
  }),
};

/** The thresholds of a request's `ThresholdQuery` parameters (unset ones keep their default). */
export function thresholdsFrom(
  q: { [K in keyof typeof ThresholdQuery]?: string | number | undefined },
): Partial<Thresholds> {
  const t: Partial<Thresholds> = {};
  if (typeof q.age_bounds === "string") t.ageUpperBounds = q.age_bounds.split(",").map(Number);
  if (typeof q.income_low === "number") t.incomeLow = q.income_low;
  if (typeof q.income_high === "number") t.incomeHigh = q.income_high;
  if (typeof q.spend_low === "number") t.spendLow = q.spend_low;
  if (typeof q.spend_high === "number") t.spendHigh = q.spend_high;
  if (typeof q.lifespan_years === "number") t.defaultLifespanYears = q.lifespan_years;
  wrapClientErrors(() => resolveThresholds(t), { details: { parameter: "thresholds" } });
  return t;
}

/** One rule segment in document 003's field names (§1.1), money rounded to cents. */
export function segmentSummary(segment: RuleSegment, type: SegmentType) {
  return {
    [SEGMENT_KEYS[type]]: segment.name,
    segment_name: segment.name,
    rule: segment.rule,
    total_customers: segment.count,
    customer_percentage: round(segment.share * 100, 1),
    avg_purchase_amount: maybeRound(segment.avg_purchase_amount, 2),
    avg_frequency: maybeRound(segment.avg_frequency, 2),
    avg_clv: maybeRound(segment.avg_clv, 2),
    avg_income: maybeRound(segment.avg_income, 2),
    avg_lifespan_years: maybeRound(segment.avg_lifespan_years, 2),
    avg_age: maybeRound(segment.avg_age, 1),
    avg_spending_score: maybeRound(segment.avg_spending_score, 1),
    avg_recency_days: maybeRound(segment.avg_recency_days, 1),
    total_purchases: maybeRound(segment.total_spend, 2),
    revenue_percentage: segment.spend_share === null ? null : round(segment.spend_share * 100, 1),
  };
}

/** The fields a rule segmentation's segments can be sorted by (besides its `SEGMENT_KEYS`). */
export const RULE_SORT_FIELDS = [
  "segment_name",
  "total_customers",
  "customer_percentage",
  "avg_purchase_amount",
  "avg_frequency",
  "avg_clv",
  "avg_income",
  "avg_lifespan_years",
  "avg_age",
  "avg_spending_score",
  "avg_recency_days",
  "total_purchases",
  "revenue_percentage",
] as const;

/**
 * Sorts `items` by the field `sortBy` (read with `read`; stable; missing values last whatever
 * the order; without `sortBy` the order is kept), then returns the
 * page `[offset, offset + limit)` and the paging fields of document 003.
 */
export function sortAndPage<T>(
  items: readonly T[],
  options: { sortBy?: string; sortOrder: "asc" | "desc"; limit: number; offset: number },
  read: (item: T, field: string) => unknown = (item, field) =>
    (item as Record<string, unknown>)[field],
) {
  let sorted = [...items];
  const field = options.sortBy;
  if (field !== undefined) {
    const sign = options.sortOrder === "asc" ? 1 : -1;
    sorted = sorted
      .map((item, k) => ({ item, k }))
      .sort((a, b) => {
        const x = read(a.item, field), y = read(b.item, field);
        const xMissing = x === null || x === undefined, yMissing = y === null || y === undefined;
        if (xMissing || yMissing) return xMissing === yMissing ? a.k - b.k : xMissing ? 1 : -1;
        const order = typeof x === "number" && typeof y === "number"
          ? x - y
          : String(x) < String(y)
          ? -1
          : String(x) > String(y)
          ? 1
          : 0;
        return order * sign || a.k - b.k;
      })
      .map(({ item }) => item);
  }
  const page = sorted.slice(options.offset, options.offset + options.limit);
  return {
    page,
    total_records: items.length,
    limit: options.limit,
    offset: options.offset,
    has_more: options.offset + page.length < items.length,
  };
}

/** The query of a sorted, paged list (document 003 §1.1); `ASC`/`DESC` in either case. */
export const PagingQuery = {
  limit: z.coerce.number().int().min(1).max(500).default(50).meta({
    description: "Records per page (default 50, at most 500)",
  }),
  offset: z.coerce.number().int().min(0).default(0).meta({ description: "Records skipped" }),
  sort_order: z.enum(["asc", "desc", "ASC", "DESC"]).default("desc").meta({
    description: "With sort_by: ascending or descending (default desc)",
  }),
};

/** The paging parameters whose out-of-range values document 003 answers 400 (§1.1). */
const PAGING_PARAMETERS: ReadonlySet<string> = new Set(["limit", "offset"]);

/**
 * The validation hook of document 003's list routes: `validationHook`, except that a query
 * whose only failures are out-of-range paging parameters (`limit=501`, `limit=0`, `offset=-1`)
 * is 400 `validation_error`, as the document lists, rather than the service's 422. Every other
 * failure keeps the service's rule.
 */
export function pagingHook(result: Parameters<typeof validationHook>[0]): undefined {
  try {
    validationHook(result);
    return undefined;
  } catch (error) {
    if (!(error instanceof ClientError)) throw error;
    const issues = error.status === 422 && result.target === "query"
      ? error.details?.issues
      : undefined;
    if (
      Array.isArray(issues) && issues.length > 0 &&
      issues.every((issue) => PAGING_PARAMETERS.has(String(issue?.path)))
    ) {
      throw new ClientError(400, "validation_error", error.message, {
        details: error.details,
        cause: error.cause,
      });
    }
    throw error;
  }
}

export function maybeRound(v: number | null | undefined, digits: number): number | null {
  return v === null || v === undefined || !Number.isFinite(v) ? null : round(v, digits);
}
