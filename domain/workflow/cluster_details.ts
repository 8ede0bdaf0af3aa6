/**
 * The clusters of a workflow run in the format of document 003 §2 (demographics, financial and
 * behavioural metrics, features, metadata), from the run and the dataset it was made on. Made
 * once, when the run is stored (`execute_request.ts`), and kept in the run, so that
 * reading a 200k-customer run's clusters costs no pass over its customers; `clusterDetails`
 * computes them for runs stored before, once per run object.
 *
 * @module
 */
import { round } from "../../compute/numbers.ts";
import {
  columnByName,
  type ColumnRole,
  type Dataset,
  numericRole,
  textRole,
} from "../datasets/types.ts";
import { deepFreeze } from "../../storage/mod.ts";
import { INSIGHT_DEFAULTS } from "../segments/insights.ts";
import { computeClv } from "../segments/rules.ts";
import type { RunRecord } from "../segmentation/runs.ts";
import type { ClusterDetail, StoredWorkflow } from "./stored_run.ts";
import { clusterNames } from "../segmentation/workflow_run.ts";

/**
 * Every cluster (noise excluded) of the run `record` on `dataset` (the dataset it was made on:
 * one label per row) in the format of document 003 §2. Figures are the members' values in the
 * dataset's units (income × incomeScale), null where the dataset lacks the column.
 */
export function clusterDetails(
  dataset: Dataset,
  record: RunRecord<StoredWorkflow>,
): readonly ClusterDetail[] {
  if (record.body.cluster_details) return record.body.cluster_details;
  // A run is immutable and made on one dataset: its details never change (frozen, shared).
  let details = detailsOf.get(record);
  if (!details) {
    details = computeClusterDetails(dataset, record);
    deepFreeze(details);
    detailsOf.set(record, details);
  }
  return details;
}

const detailsOf = new WeakMap<object, ClusterDetail[]>();

/** The details of `record` on `dataset`, computed afresh (what the run stores). */
export function computeClusterDetails(
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
    const ages = stats(age, rows), incomes = stats(income, rows, true);
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

function stats(
  values: ArrayLike<number> | undefined,
  rows: readonly number[],
  withMedian = false,
) {
  if (!values) return null;
  let count = 0, sum = 0, min = Infinity, max = -Infinity;
  // Only the median needs the values sorted: a typed array sorts natively, numerically.
  const kept = withMedian ? new Float64Array(rows.length) : null;
  for (const i of rows) {
    const v = values[i]!;
    if (Number.isNaN(v)) continue;
    if (kept) kept[count] = v;
    count++;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (count === 0) return null;
  let median = NaN;
  if (kept) {
    const xs = kept.subarray(0, count).sort();
    const mid = count >> 1;
    median = count % 2 === 1 ? xs[mid]! : (xs[mid - 1]! + xs[mid]!) / 2;
  }
  return { mean: sum / count, median, min, max, sum };
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

function maybeRound(v: number | null | undefined, digits: number): number | null {
  return v === null || v === undefined || !Number.isFinite(v) ? null : round(v, digits);
}
