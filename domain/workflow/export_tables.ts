/**
 * The export files of document 003's segmentations of the session's dataset: one row per
 * customer with its rule segment and the dataset's key columns (`segmentationTable`), and the
 * clustered dataset narrowed to some columns or to the larger clusters (`clusterCsv`). Plain
 * text out; storing it is `stored_exports.ts`'s.
 *
 * @module
 */
import { type CsvCell, toCsv } from "../reports/csv_export.ts";
import {
  type ColumnRole,
  type Dataset,
  type DatasetColumn,
  numericRole,
  textRole,
} from "../datasets/types.ts";
import { computeClv, MONEY_DIGITS, type RuleSegmentation } from "../segments/rules.ts";
import { round } from "../../compute/numbers.ts";
import type { WorkflowRun } from "../segmentation/workflow_run.ts";
import { clusteredCsv } from "./views.ts";

/** Options of `segmentationTable` and `clusterCsv`. */
export interface TableOptions {
  /** Keep only these columns (in the table's own order); every name must exist. */
  columns?: readonly string[];
  /** Keep only customers whose segment has at least this many customers. */
  minCustomers?: number;
}

/** The key columns of a segmentation export, by role, in this order, where the dataset has them. */
const KEY_ROLES: readonly ColumnRole[] = [
  "gender",
  "region",
  "age",
  "income",
  "spending_score",
  "purchase_amount",
  "purchase_frequency",
  "recency",
  "lifespan",
];

/**
 * One row per customer of `dataset`: `customer_id`, `segment_name` (the customer's segment in
 * `segmentation`), then each key role the dataset maps (named by role; income in currency
 * units, × incomeScale), then `calculated_clv` for a `clv` segmentation.
 *
 * @throws {RangeError} on a column name not in the table (naming it and the table's columns),
 *   a negative `minCustomers`, or a segmentation of another dataset's size.
 */
export function segmentationTable(
  dataset: Dataset,
  segmentation: RuleSegmentation,
  options: TableOptions = {},
): { header: string[]; rows: CsvCell[][] } {
  if (segmentation.total_customers !== dataset.rowCount) {
    throw new RangeError(
      `Expected a segmentation of ${dataset.rowCount} customers but found one of ` +
        `${segmentation.total_customers}`,
    );
  }
  const minCustomers = checkMin(options.minCustomers);
  const n = dataset.rowCount;
  const segmentOf: (string | null)[] = new Array(n).fill(null);
  const kept = new Uint8Array(n);
  for (const s of segmentation.segments) {
    for (const row of s.rows) {
      segmentOf[row] = s.name;
      kept[row] = s.count >= minCustomers ? 1 : 0;
    }
  }
  const columns: { name: string; value: (row: number) => CsvCell }[] = [
    { name: "customer_id", value: (row) => dataset.ids[row] ?? String(row + 1) },
    { name: "segment_name", value: (row) => segmentOf[row] ?? null },
  ];
  for (const role of KEY_ROLES) {
    if (role === "gender" || role === "region") {
      const values = textRole(dataset, role);
      if (values) columns.push({ name: role, value: (row) => values[row] ?? null });
      continue;
    }
    const values = numericRole(dataset, role)?.values;
    if (!values) continue;
    const scale = role === "income" ? dataset.incomeScale : 1;
    columns.push({ name: role, value: (row) => values[row]! * scale });
  }
  if (segmentation.type === "clv") {
    const clv = computeClv(dataset, segmentation.thresholds).clv;
    columns.push({
      name: "calculated_clv",
      value: (row) => round(clv[row]!, MONEY_DIGITS),
    });
  }
  const chosen = pickColumns(columns, options.columns);
  const rows: CsvCell[][] = [];
  for (let row = 0; row < n; row++) {
    if (kept[row]) rows.push(chosen.map((col) => col.value(row)));
  }
  return { header: chosen.map((col) => col.name), rows };
}

/** `segmentationTable` as CSV text (formula-escaped, `toCsv`). */
export function segmentationCsv(
  dataset: Dataset,
  segmentation: RuleSegmentation,
  options: TableOptions = {},
): string {
  const { header, rows } = segmentationTable(dataset, segmentation, options);
  return toCsv(header, rows);
}

/**
 * The clustered CSV of `run` on `dataset` (`clusteredCsv`: the dataset's columns, then
 * `cluster` and `segment`), narrowed to the dataset columns named in `columns` and to the
 * customers of clusters (noise counting as one) with at least `minCustomers` members.
 *
 * @throws {RangeError} on a column the dataset lacks, a negative `minCustomers`, or labels that
 *   do not match the dataset's rows.
 */
export function clusterCsv(dataset: Dataset, run: WorkflowRun, options: TableOptions = {}): string {
  if (run.labels.length !== dataset.rowCount) {
    throw new RangeError(
      `Expected ${dataset.rowCount} labels (one per row) but found ${run.labels.length}`,
    );
  }
  const minCustomers = checkMin(options.minCustomers);
  const sizes = new Map<number, number>();
  for (const l of run.labels) sizes.set(l, (sizes.get(l) ?? 0) + 1);
  const rows = run.labels.flatMap((l, i) => (sizes.get(l)! >= minCustomers ? [i] : []));
  const columns = pickColumns(dataset.columns, options.columns);
  const subset = datasetSubset(dataset, rows, columns);
  return clusteredCsv(subset, { ...run, labels: rows.map((i) => run.labels[i]!) });
}

/** `dataset` restricted to `rows` (in that order) and `columns` (default all). */
export function datasetSubset(
  dataset: Dataset,
  rows: readonly number[],
  columns: readonly DatasetColumn[] = dataset.columns,
): Dataset {
  return {
    ...dataset,
    rowCount: rows.length,
    ids: rows.map((i) => dataset.ids[i]!),
    columns: columns.map((col): DatasetColumn => {
      if (col.kind === "numeric") {
        const values = Float64Array.from(rows, (i) => col.values[i]!);
        return { ...col, values, missing: values.filter(Number.isNaN).length };
      }
      const values = rows.map((i) => col.values[i] ?? null);
      return { ...col, values, missing: values.filter((v) => v === null).length };
    }),
  };
}

function pickColumns<T extends { name: string }>(
  all: readonly T[],
  names: readonly string[] | undefined,
): T[] {
  if (names === undefined) return [...all];
  const known = new Set(all.map((col) => col.name));
  const unknown = names.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new RangeError(
      `Expected columns among ${[...known].join(", ")} but found ` +
        unknown.map((name) => JSON.stringify(name)).join(", "),
    );
  }
  const wanted = new Set(names);
  return all.filter((col) => wanted.has(col.name));
}

function checkMin(minCustomers: number | undefined): number {
  const min = minCustomers ?? 0;
  if (!Number.isInteger(min) || min < 0) {
    throw new RangeError(`Expected min_customers to be a non-negative integer but found ${min}`);
  }
  return min;
}
