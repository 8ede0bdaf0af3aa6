/**
 * Insights computed from the data (document 003: `GET /api/insights/{type}` §1.5 and the
 * `insights` of `GET /api/customers/{id}/segment` §1.4). Every number comes from the dataset
 * and a rule-based segmentation (`rules.ts`); the rules and their cut points are written out in
 * docs/segments.md. Severities use the document's words: `high`, `medium`, `low`.
 *
 * "Spend" and "revenue" are the `purchase_amount` column (negative amounts count as 0 in the
 * concentration figures, which are undefined for negative holdings).
 *
 * Figures are rounded where they are made, as responses show them: money to cents, shares and
 * ratios (and each insight's `metric.value`) to `RATIO_DIGITS` decimals, a customer's expected
 * purchase interval and overdue ratio to two; the rules themselves compare exact values.
 *
 * @module
 */
import { type Dataset, numericRole } from "../datasets/types.ts";
import { round } from "../../compute/numbers.ts";
import {
  assertRow,
  computeClv,
  type RuleSegment,
  type RuleSegmentation,
  type SegmentType,
  type Thresholds,
  UNKNOWN_SEGMENT,
} from "./rules.ts";

/**
 * Insights and key metrics of one segmentation: revenue concentration (Gini coefficient of
 * spend, share of the top 20 %), the segment that over-contributes most to revenue, tier
 * migration opportunities (`clv`, `purchase_tier`), revenue at risk, dormant and champion
 * shares (`rfm`), spending gaps (demographic types), the largest segment, dormancy by recency
 * and customers the rule could not place. Insights are ordered high, medium, low severity, then
 * in that order.
 *
 * @param segmentation the result of `segmentDataset(dataset, type, …)`.
 * @throws {RangeError} when `segmentation` is of another type or another dataset's size.
 */
export function insightsFor(
  dataset: Dataset,
  type: SegmentType,
  segmentation: RuleSegmentation,
  options?: Partial<InsightOptions>,
): SegmentInsights {
  if (segmentation.type !== type) {
    throw new RangeError(
      `Expected a segmentation of type ${type} but found one of type ${segmentation.type}`,
    );
  }
  if (segmentation.total_customers !== dataset.rowCount) {
    throw new RangeError(
      `Expected a segmentation of ${dataset.rowCount} customers but found one of ` +
        `${segmentation.total_customers}`,
    );
  }
  const o = { ...INSIGHT_DEFAULTS, ...definedOnly(options) };
  const named = segmentation.segments.filter((s) => s.name !== UNKNOWN_SEGMENT);
  const occupied = named.filter((s) => s.count > 0);
  const unknown = segmentation.segments.find((s) => s.name === UNKNOWN_SEGMENT);
  const spendColumn = numericRole(dataset, "purchase_amount")?.values;
  const spend = spendColumn ? knownValues(spendColumn).map((v) => Math.max(0, v)) : null;
  const totalRevenue = spend ? spend.reduce((a, b) => a + b, 0) : null;
  const g = spend && spend.length > 0 ? gini(spend) : null;
  const top20 = spend && totalRevenue ? topShare(spend, 0.2, totalRevenue) : null;

  let clvMean: number | null = null;
  if (numericRole(dataset, "purchase_amount") && numericRole(dataset, "purchase_frequency")) {
    const clv = knownValues(computeClv(dataset, segmentation.thresholds).clv);
    clvMean = clv.length === 0 ? null : clv.reduce((a, b) => a + b, 0) / clv.length;
  }
  const topSegment = occupied.length === 0
    ? null
    : spend && totalRevenue
    ? maxBy(occupied, (s) => s.spend_share ?? 0)
    : maxBy(occupied, (s) => s.count);

  const found: Insight[] = [];
  if (spend && totalRevenue && occupied.length >= 2) found.push(dominance(occupied));
  if (spend && spend.length >= 2 && totalRevenue) found.push(concentration(g!, top20!));
  switch (type) {
    case "clv":
      found.push(...clvMigration(dataset, segmentation));
      break;
    case "purchase_tier":
      found.push(...spendMigration(dataset, segmentation, o.nearTierMargin));
      break;
    case "rfm":
      found.push(...rfmInsights(segmentation, totalRevenue));
      break;
    default:
      if (spend && totalRevenue) {
        const gap = spendingGap(occupied, type);
        if (gap) found.push(gap);
      }
  }
  if (occupied.length > 0) found.push(largest(maxBy(occupied, (s) => s.count)));
  if (type !== "rfm") {
    const d = dormancy(dataset, o.dormantDays);
    if (d) found.push(d);
  }
  if (unknown && unknown.count > 0) found.push(incomplete(unknown, segmentation));

  const rank = { high: 0, medium: 1, low: 2 } as const;
  const insights = found
    .map((insight, k) => ({ insight, k }))
    .sort((a, b) => rank[a.insight.severity] - rank[b.insight.severity] || a.k - b.k)
    .map(({ insight }) =>
      insight.metric
        ? {
          ...insight,
          metric: { ...insight.metric, value: round(insight.metric.value, RATIO_DIGITS) },
        }
        : insight
    );

  return {
    segmentation_type: type,
    insights,
    key_metrics: {
      total_customers: segmentation.total_customers,
      segments: occupied.length,
      unknown_customers: unknown?.count ?? 0,
      total_revenue: cents(totalRevenue),
      avg_spend: cents(spend && spend.length > 0 ? mean(knownValues(spendColumn!)) : null),
      avg_clv: cents(clvMean),
      gini_coefficient: ratio(g),
      revenue_concentration: g === null ? null : `Gini coefficient: ${g.toFixed(2)}`,
      top_20_percent_revenue_share: ratio(top20),
      top_segment: topSegment?.name ?? null,
      top_segment_revenue_share: ratio(topSegment?.spend_share ?? null),
    },
  };
}

/** The document's severities. */
export type Severity = "high" | "medium" | "low";

/** One insight (document 003 §1.5), with the figure it rests on. */
export interface Insight {
  title: string;
  description: string;
  severity: Severity;
  recommendation: string;
  metric?: { name: string; value: number };
}

/** Headline numbers of a segmentation; null where the dataset lacks the column. */
export interface KeyMetrics {
  total_customers: number;
  /** Segments with at least one customer, "Unknown" not counted. */
  segments: number;
  unknown_customers: number;
  /** Sum of purchase amounts (negative ones as 0). */
  total_revenue: number | null;
  avg_spend: number | null;
  avg_clv: number | null;
  gini_coefficient: number | null;
  /** The document's wording: "Gini coefficient: 0.68". */
  revenue_concentration: string | null;
  /** Share of revenue from the top 20 % of customers by spend (ceil(0.2 · n) customers). */
  top_20_percent_revenue_share: number | null;
  /** The segment with the largest share of revenue, or of customers without spend. */
  top_segment: string | null;
  top_segment_revenue_share: number | null;
}

/** The result of `insightsFor`. */
export interface SegmentInsights {
  segmentation_type: SegmentType;
  insights: Insight[];
  key_metrics: KeyMetrics;
}

/** Options of `insightsFor`. */
export interface InsightOptions {
  /** Fraction below a purchase-tier bound within which a customer counts as near it. */
  nearTierMargin: number;
  /** Days since the last purchase beyond which a customer counts as dormant. */
  dormantDays: number;
}

export const INSIGHT_DEFAULTS: Readonly<InsightOptions> = Object.freeze({
  nearTierMargin: 0.1,
  dormantDays: 180,
});

/**
 * The Gini coefficient of non-negative holdings (0 = everyone holds the same, 1 − 1/n = one
 * holder has everything): G = 2 Σᵢ i·x₍ᵢ₎ / (n Σ x) − (n + 1) / n over the values sorted
 * ascending, i from 1, the same as Σᵢ Σⱼ |xᵢ − xⱼ| / (2 n² mean). NaN values are ignored; no
 * value or a zero total gives 0.
 *
 * @throws {RangeError} on a negative value.
 *
 * @example
 * ```ts
 * import { gini } from "./insights.ts";
 * if (gini([5, 5, 5]) !== 0) throw new Error();
 * if (Math.abs(gini([0, 0, 0, 10]) - 0.75) > 1e-12) throw new Error();
 * ```
 */
export function gini(values: ArrayLike<number>): number {
  const x: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) continue;
    if (v < 0) throw new RangeError(`Expected non-negative values but found ${v} at ${i}`);
    x.push(v);
  }
  const n = x.length;
  x.sort((a, b) => a - b);
  let total = 0, weighted = 0;
  x.forEach((v, i) => {
    total += v;
    weighted += (i + 1) * v;
  });
  if (n === 0 || total === 0) return 0;
  return Math.max(0, (2 * weighted) / (n * total) - (n + 1) / n);
}

/** Insights on one customer (document 003 §1.4 `insights`). */
export interface CustomerInsights {
  /** 0–100: the customer's percentile rank of CLV (or of spend); null without either. */
  value_score: number | null;
  value_basis: "clv" | "purchase_amount" | null;
  churn_risk: "Low" | "Medium" | "High" | null;
  /** `cadence`: recency against the customer's own purchase interval; `recency`: days alone. */
  churn_basis: "cadence" | "recency" | null;
  churn_detail: {
    recency_days: number | null;
    /** 365 / purchases a year. */
    expected_interval_days: number | null;
    /** recency / expected interval. */
    overdue_ratio: number | null;
  };
  /** Product columns the customer favours more than the population does, strongest first. */
  product_affinity?: string[];
  product_affinity_detail?: {
    product: string;
    /** The product's share of the customer's product total. */
    customer_share: number;
    /** The product's share of the population's product total. */
    population_share: number;
    /** customer_share / population_share. */
    index: number;
  }[];
}

/** Options of `customerInsights`. */
export interface CustomerInsightOptions {
  /** For the CLV (the default lifespan). */
  thresholds?: Partial<Thresholds>;
  /** Without a frequency: recency above this many days is Medium risk… */
  churnMediumDays: number;
  /** …and above this many days, High. */
  churnHighDays: number;
  /** With a frequency: recency above this many expected intervals is Medium risk… */
  overdueMedium: number;
  /** …and above this many, High. */
  overdueHigh: number;
  /** How many products `product_affinity` lists at most. */
  topProducts: number;
}

export const CUSTOMER_INSIGHT_DEFAULTS: Readonly<Omit<CustomerInsightOptions, "thresholds">> =
  Object.freeze({
    churnMediumDays: 90,
    churnHighDays: 180,
    overdueMedium: 1,
    overdueHigh: 2,
    topProducts: 3,
  });

/**
 * Value score, churn risk and product affinity of the customer at `rowIndex`.
 *
 * - `value_score` = round(100 · (below + equal / 2) / n), the mid-rank percentile of the
 *   customer's CLV among the customers with one (else of the purchase amount, `value_basis`
 *   says which); null when the customer has neither.
 * - `churn_risk`: with recency (days) and a frequency f (purchases a year), the expected interval
 *   is 365 / f days and overdue = recency / interval: Low ≤ 1, Medium ≤ 2, High above (f ≤ 0 is
 *   High). With recency alone: Low ≤ 90 days, Medium ≤ 180, High above. Null without recency.
 * - `product_affinity`: for each `columnMap.products` column, the customer's share of their own
 *   product total over the population's share; products with an index above 1 (the customer
 *   buys them relatively more), highest first, at most `topProducts`; if none is above 1, the
 *   customer's largest product. Empty when the customer's product total is 0; absent without
 *   product columns.
 *
 * @throws {RangeError} when `rowIndex` is not a row of the dataset.
 */
export function customerInsights(
  dataset: Dataset,
  rowIndex: number,
  options?: Partial<CustomerInsightOptions>,
): CustomerInsights {
  assertRow(dataset, rowIndex);
  const o = { ...CUSTOMER_INSIGHT_DEFAULTS, ...definedOnly(options) };
  const amount = numericRole(dataset, "purchase_amount")?.values;
  const frequency = numericRole(dataset, "purchase_frequency")?.values;
  const recency = numericRole(dataset, "recency")?.values;

  let valueScore: number | null = null;
  let valueBasis: CustomerInsights["value_basis"] = null;
  const clv = amount && frequency ? computeClv(dataset, o.thresholds).clv : undefined;
  if (clv && !Number.isNaN(clv[rowIndex]!)) {
    valueScore = percentileRank(clv, clv[rowIndex]!);
    valueBasis = "clv";
  } else if (amount && !Number.isNaN(amount[rowIndex]!)) {
    valueScore = percentileRank(amount, amount[rowIndex]!);
    valueBasis = "purchase_amount";
  }

  const r = recency ? recency[rowIndex]! : NaN;
  const f = frequency ? frequency[rowIndex]! : NaN;
  let churn: CustomerInsights["churn_risk"] = null;
  let churnBasis: CustomerInsights["churn_basis"] = null;
  let interval: number | null = null;
  let overdue: number | null = null;
  if (!Number.isNaN(r)) {
    if (!Number.isNaN(f)) {
      churnBasis = "cadence";
      if (f <= 0) churn = "High";
      else {
        interval = 365 / f;
        overdue = r / interval;
        churn = overdue <= o.overdueMedium ? "Low" : overdue <= o.overdueHigh ? "Medium" : "High";
      }
    } else {
      churnBasis = "recency";
      churn = r <= o.churnMediumDays ? "Low" : r <= o.churnHighDays ? "Medium" : "High";
    }
  }

  const out: CustomerInsights = {
    value_score: valueScore,
    value_basis: valueBasis,
    churn_risk: churn,
    churn_basis: churnBasis,
    churn_detail: {
      recency_days: Number.isNaN(r) ? null : r,
      expected_interval_days: interval === null ? null : round(interval, 2),
      overdue_ratio: overdue === null ? null : round(overdue, 2),
    },
  };
  const affinity = productAffinity(dataset, rowIndex, o.topProducts);
  if (affinity) {
    out.product_affinity = affinity.map((a) => a.product);
    out.product_affinity_detail = affinity.map((a) => ({
      ...a,
      customer_share: round(a.customer_share, RATIO_DIGITS),
      population_share: round(a.population_share, RATIO_DIGITS),
      index: round(a.index, 2),
    }));
  }
  return out;
}

/** Decimals of the shares and ratios in insights (0.2167 = 21.67 %). */
export const RATIO_DIGITS = 4;

/** A sum or mean of money to cents (null stays null). */
function cents(v: number | null): number | null {
  return v === null || !Number.isFinite(v) ? null : round(v, 2);
}

/** A share or ratio to `RATIO_DIGITS` decimals (null stays null). */
function ratio(v: number | null): number | null {
  return v === null || !Number.isFinite(v) ? null : round(v, RATIO_DIGITS);
}

function productAffinity(dataset: Dataset, row: number, top: number) {
  const columns = (dataset.columnMap.products ?? []).flatMap((name) => {
    const c = dataset.columns.find((col) => col.name === name);
    return c?.kind === "numeric" ? [c] : [];
  });
  if (columns.length === 0) return undefined;
  const clean = (v: number) => (Number.isNaN(v) ? 0 : Math.max(0, v));
  const population = columns.map((c) => c.values.reduce((a, v) => a + clean(v), 0));
  const own = columns.map((c) => clean(c.values[row]!));
  const populationTotal = population.reduce((a, b) => a + b, 0);
  const ownTotal = own.reduce((a, b) => a + b, 0);
  if (ownTotal === 0 || populationTotal === 0) return [];
  const scored = columns.flatMap((c, p) => {
    if (own[p]! === 0) return [];
    const customerShare = own[p]! / ownTotal;
    const populationShare = population[p]! / populationTotal;
    return [{
      product: c.name,
      customer_share: customerShare,
      population_share: populationShare,
      index: customerShare / populationShare,
    }];
  });
  // Stable sort: equal indices keep the column order.
  scored.sort((a, b) => b.index - a.index || b.customer_share - a.customer_share);
  const above = scored.filter((s) => s.index > 1).slice(0, Math.max(0, top));
  if (above.length > 0) return above;
  return [...scored].sort((a, b) => b.customer_share - a.customer_share).slice(0, 1);
}

/** The segment with the largest share of revenue, against its share of customers. */
function dominance(occupied: RuleSegment[]): Insight {
  const s = maxBy(occupied, (x) => x.spend_share ?? 0);
  const revenue = s.spend_share ?? 0;
  const lift = revenue / s.share;
  const severity: Severity = lift >= 2 ? "high" : lift >= 1.25 ? "medium" : "low";
  const metric = { name: "revenue_to_customer_share_ratio", value: lift };
  if (lift < 1.25) {
    return {
      title: "Revenue in Line With Segment Sizes",
      description: `The top revenue segment, ${s.name}, holds ${pct(revenue)} of revenue with ` +
        `${pct(s.share)} of customers: no segment over-contributes by 25% or more`,
      severity,
      recommendation: "Grow revenue with offers for the whole base rather than one segment",
      metric,
    };
  }
  return {
    title: `${s.name} Dominance`,
    description: `${s.name} customers (${s.count}) generate ${pct(revenue)} of total revenue ` +
      `despite being only ${pct(s.share)} of the customer base`,
    severity,
    recommendation: `Implement a retention programme for ${s.name} customers`,
    metric,
  };
}

function concentration(g: number, top20: number): Insight {
  const severity: Severity = g >= 0.6 ? "high" : g >= 0.4 ? "medium" : "low";
  return {
    title: "Revenue Concentration",
    description: `The top 20% of customers account for ${pct(top20)} of revenue ` +
      `(Gini coefficient of spend: ${g.toFixed(2)})`,
    severity,
    recommendation: severity === "low"
      ? "Revenue is broadly spread: grow it with offers for the whole base"
      : "Reduce dependence on the top spenders: retain them and develop the middle of the base",
    metric: { name: "gini_coefficient", value: g },
  };
}

/** Customers whose CLV would pass the next tier's cut point with one more purchase a year. */
function clvMigration(dataset: Dataset, seg: RuleSegmentation): Insight[] {
  const cut = seg.cutoffs.clv;
  if (!cut || cut.length !== 3) return [];
  const { clv, lifespan } = computeClv(dataset, seg.thresholds);
  const amount = numericRole(dataset, "purchase_amount")!.values;
  // Tier k's customers move up when their CLV passes the bound of tier k − 1.
  const pairs = [["Gold", "Platinum", cut[2]!], ["Silver", "Gold", cut[1]!], [
    "Bronze",
    "Silver",
    cut[0]!,
  ]] as const;
  return pairs.flatMap(([lower, upper, bound]) => {
    const rows = seg.segments.find((s) => s.name === lower)?.rows ?? [];
    const near = rows.filter((i) => {
      const step = amount[i]! * lifespan[i]!;
      return step > 0 && clv[i]! + step > bound;
    }).length;
    if (near === 0) return [];
    return [{
      title: `${lower}-to-${upper} Migration Opportunity`,
      description: `${near} ${lower} tier customers are 1 purchase a year away from the ` +
        `${upper} tier threshold (CLV above ${money(bound)})`,
      severity: "medium" as const,
      recommendation: `Create targeted upsell campaigns for ${lower} customers`,
      metric: { name: "customers_near_next_tier", value: near },
    }];
  });
}

/** Customers within `margin` below the next purchase tier's bound. */
function spendMigration(dataset: Dataset, seg: RuleSegmentation, margin: number): Insight[] {
  const amount = numericRole(dataset, "purchase_amount")!.values;
  const [low, medium, high] = seg.segments;
  if (!low || !medium || !high) return [];
  const t = seg.thresholds;
  const pairs = [[medium, high, t.spendHigh], [low, medium, t.spendLow]] as const;
  return pairs.flatMap(([from, to, bound]) => {
    const near = from.rows.filter((i) => amount[i]! >= (1 - margin) * bound).length;
    if (near === 0) return [];
    return [{
      title: `${tierWord(from.name)}-to-${tierWord(to.name)} Migration Opportunity`,
      description: `${near} ${from.name} customers spend within ${pct(margin)} of the ` +
        `${to.name} threshold (${money(bound)})`,
      severity: "medium" as const,
      recommendation: `Create targeted upsell campaigns for ${from.name} customers`,
      metric: { name: "customers_near_next_tier", value: near },
    }];
  });
}

function rfmInsights(seg: RuleSegmentation, totalRevenue: number | null): Insight[] {
  const get = (name: string) => seg.segments.find((s) => s.name === name);
  const sum = (names: string[], f: (s: RuleSegment) => number) =>
    names.reduce((a, n) => a + (get(n) ? f(get(n)!) : 0), 0);
  const out: Insight[] = [];
  const risk = ["At Risk", "Can't Lose Them"];
  const riskCount = sum(risk, (s) => s.count);
  if (riskCount > 0) {
    const share = totalRevenue ? sum(risk, (s) => s.spend_share ?? 0) : 0;
    out.push({
      title: "Revenue At Risk",
      description: `${riskCount} At Risk and Can't Lose Them customers ` +
        `(${pct(riskCount / seg.total_customers)} of the base) account for ${pct(share)} of ` +
        `revenue but have not bought recently`,
      severity: share >= 0.2 ? "high" : share >= 0.1 ? "medium" : "low",
      recommendation: "Launch personalised win-back campaigns for At Risk and Can't Lose Them " +
        "customers",
      metric: { name: "at_risk_revenue_share", value: share },
    });
  }
  const dormant = ["Hibernating", "Lost"];
  const dormantCount = sum(dormant, (s) => s.count);
  if (dormantCount > 0) {
    const share = dormantCount / seg.total_customers;
    out.push({
      title: "Dormant Customers",
      description: `${dormantCount} customers (${pct(share)}) are Hibernating or Lost: low ` +
        `recency, frequency and spend`,
      severity: share >= 0.3 ? "high" : share >= 0.15 ? "medium" : "low",
      recommendation: "Run low-cost reactivation offers and stop spending on those who do not " +
        "respond",
      metric: { name: "dormant_share", value: share },
    });
  }
  const champions = get("Champions");
  if (champions && champions.count > 0) {
    out.push({
      title: "Champions",
      description: `${champions.count} Champions (${pct(champions.share)} of the base) ` +
        `generate ${pct(champions.spend_share ?? 0)} of revenue`,
      severity: "low",
      recommendation: "Reward Champions, give them early access and ask them for referrals",
      metric: { name: "champions_revenue_share", value: champions.spend_share ?? 0 },
    });
  }
  return out;
}

function spendingGap(occupied: RuleSegment[], type: SegmentType): Insight | undefined {
  const spenders = occupied.filter((s) => s.avg_purchase_amount !== null);
  if (spenders.length < 2) return undefined;
  const hi = maxBy(spenders, (s) => s.avg_purchase_amount!);
  const lo = maxBy(spenders, (s) => -s.avg_purchase_amount!);
  const ratio = lo.avg_purchase_amount! > 0 ? hi.avg_purchase_amount! / lo.avg_purchase_amount! : 0;
  return {
    title: `Spending Gap by ${TYPE_TITLES[type]}`,
    description: `${hi.name} customers spend ${money(hi.avg_purchase_amount!)} on average` +
      (ratio > 0 ? `, ${ratio.toFixed(1)}× the ${lo.name} segment ` : `; the ${lo.name} segment `) +
      `(${money(lo.avg_purchase_amount!)})`,
    severity: ratio >= 2 || ratio === 0 ? "medium" : "low",
    recommendation: `Focus premium offers on ${hi.name} customers and test value offers for ` +
      `${lo.name}`,
    metric: { name: "spend_ratio_highest_to_lowest", value: ratio },
  };
}

const TYPE_TITLES: Record<SegmentType, string> = {
  gender: "Gender",
  region: "Region",
  age_group: "Age Group",
  income_bracket: "Income Bracket",
  purchase_tier: "Purchase Tier",
  clv: "CLV Tier",
  rfm: "RFM Segment",
};

function largest(s: RuleSegment): Insight {
  return {
    title: "Largest Segment",
    description: `${s.name} is the largest segment: ${s.count} customers (${pct(s.share)})`,
    severity: s.share >= 0.6 ? "medium" : "low",
    recommendation: s.share >= 0.6
      ? `Most customers are ${s.name}: check that the main offer fits them and that smaller ` +
        `segments are not neglected`
      : `Tailor the main offer to ${s.name} customers`,
    metric: { name: "largest_segment_share", value: s.share },
  };
}

function dormancy(dataset: Dataset, days: number): Insight | undefined {
  const recency = numericRole(dataset, "recency")?.values;
  if (!recency || dataset.rowCount === 0) return undefined;
  const count = recency.filter((v) => v > days).length;
  if (count === 0) return undefined;
  const share = count / dataset.rowCount;
  return {
    title: "Dormant Customers",
    description: `${count} customers (${pct(share)}) have not bought for more than ${days} days`,
    severity: share >= 0.3 ? "high" : share >= 0.15 ? "medium" : "low",
    recommendation: "Run reactivation campaigns before these customers are lost",
    metric: { name: "dormant_share", value: share },
  };
}

function incomplete(unknown: RuleSegment, seg: RuleSegmentation): Insight {
  const roles = Object.keys(seg.columns).join(", ");
  return {
    title: "Customers Without Data",
    description: `${unknown.count} customers (${pct(unknown.share)}) lack a value for ` +
      `${roles} and are in the Unknown segment`,
    severity: unknown.share >= 0.2 ? "high" : unknown.share >= 0.05 ? "medium" : "low",
    recommendation: `Collect ${roles} for these customers to segment them`,
    metric: { name: "unknown_share", value: unknown.share },
  };
}

/** Share of `total` held by the top `fraction` of holders (at least one). */
function topShare(values: number[], fraction: number, total: number): number {
  const sorted = [...values].sort((a, b) => b - a);
  const k = Math.max(1, Math.ceil(fraction * sorted.length));
  let sum = 0;
  for (let i = 0; i < k; i++) sum += sorted[i]!;
  return sum / total;
}

/** Mid-rank percentile of `v` among the non-NaN `values`, 0–100, rounded. */
function percentileRank(values: ArrayLike<number>, v: number): number {
  let below = 0, equal = 0, n = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (Number.isNaN(x)) continue;
    n++;
    if (x < v) below++;
    else if (x === v) equal++;
  }
  return Math.round((100 * (below + equal / 2)) / n);
}

function knownValues(values: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i]!)) out.push(values[i]!);
  return out;
}

function mean(values: number[]): number | null {
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}

/** The first item with the largest key (stable). */
function maxBy<T>(items: readonly T[], key: (item: T) => number): T {
  let best: T = items[0] as T;
  for (const item of items) if (key(item) > key(best)) best = item;
  return best;
}

function definedOnly<T extends object>(o: T | undefined): Partial<T> {
  return Object.fromEntries(
    Object.entries(o ?? {}).filter(([, v]) => v !== undefined),
  ) as Partial<T>;
}

function tierWord(name: string): string {
  return name.split(" ")[0]!;
}

function pct(x: number): string {
  return `${Number((x * 100).toFixed(1))}%`;
}

function money(x: number): string {
  return `${Number(x.toFixed(2))}`;
}
