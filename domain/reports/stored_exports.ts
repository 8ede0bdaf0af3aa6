/**
 * Stored exports (document 003 §1.6): a file generated at once when it is asked for, kept as a
 * chunked object (`storage/blobs.ts`, kind `export`) under the tenant with its format, file
 * name, media type and expiry time in the manifest, and downloaded by id until it expires.
 * Expiry is a field checked on read (KV's `expireIn` only garbage-collects, at some later time,
 * so it cannot promise a 410): an expired export is still found, so the route can tell "gone"
 * from "never existed".
 *
 * Also the export files of rule segmentations: one row per customer with its segment and the
 * dataset's key columns (`segmentationTable`), and the clustered dataset narrowed to some
 * columns or to the larger clusters (`clusterCsv`).
 *
 * @module
 */
import { deleteBlob, getBlob, getBlobManifest, keys, putBlob } from "../../storage/mod.ts";
import { type CsvCell, toCsv } from "./csv_export.ts";
import {
  type ColumnRole,
  type Dataset,
  type DatasetColumn,
  numericRole,
  textRole,
} from "../datasets/types.ts";
import { computeClv, type RuleSegmentation } from "../segments/rules.ts";
import type { WorkflowRun } from "../segmentation/workflow_run.ts";
import { clusteredCsv } from "../workflow/views.ts";

/** The blob kind of exports. */
export const EXPORT_KIND = "export";

/** How long an export can be downloaded by default: 24 hours (document 003's example). */
export const DEFAULT_EXPORT_TTL_MS = 24 * 3_600_000;

/** The formats of an export. */
export const EXPORT_FORMATS = ["csv", "json", "html"] as const;
export type ExportFormat = typeof EXPORT_FORMATS[number];

/** The Content-Type of each format. */
export const EXPORT_MEDIA_TYPES: Readonly<Record<ExportFormat, string>> = {
  csv: "text/csv; charset=utf-8",
  json: "application/json; charset=utf-8",
  html: "text/html; charset=utf-8",
};

/** What is known of a stored export besides its bytes. */
export interface ExportInfo {
  export_id: string;
  /** The segmentation type exported (`gender`, …, `cluster`). */
  type: string;
  format: ExportFormat;
  filename: string;
  content_type: string;
  size_bytes: number;
  /** Epoch ms. */
  created_at: number;
  /** Epoch ms; from then on the export is gone. */
  expires_at: number;
}

/** A file to store as an export. */
export interface ExportFile {
  type: string;
  format: ExportFormat;
  filename: string;
  content: string;
}

/** Options of `saveExport`. */
export interface SaveExportOptions {
  /** Epoch ms. */
  now: number;
  /** Lifetime in ms (default `DEFAULT_EXPORT_TTL_MS`). */
  ttlMs?: number;
}

const EXPORT_ID = /^exp_[0-9a-f]{24}$/;

/** A new export id: `exp_` and 24 random hex digits. */
export function newExportId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return "exp_" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Stores `file` as a new export of `tenantId`, downloadable until `now + ttlMs`.
 *
 * @throws {RangeError} when `ttlMs` is not a positive number.
 *
 * @example
 * ```ts
 * import { getExport, saveExport } from "./stored_exports.ts";
 * const kv = await Deno.openKv(":memory:");
 * const file = { type: "gender", format: "csv" as const, filename: "g.csv", content: "a\r\n" };
 * const info = await saveExport(kv, "t1", file, { now: 0, ttlMs: 1000 });
 * if ((await getExport(kv, "t1", info.export_id))?.info.expires_at !== 1000) throw new Error();
 * if (await getExport(kv, "t2", info.export_id) !== null) throw new Error();
 * kv.close();
 * ```
 */
export async function saveExport(
  kv: Deno.Kv,
  tenantId: string,
  file: ExportFile,
  options: SaveExportOptions,
): Promise<ExportInfo> {
  const ttlMs = options.ttlMs ?? DEFAULT_EXPORT_TTL_MS;
  if (!(ttlMs > 0) || !Number.isFinite(ttlMs)) {
    throw new RangeError(
      `Expected the export lifetime to be a positive number of ms but found ${ttlMs}`,
    );
  }
  const bytes = new TextEncoder().encode(file.content);
  const info: ExportInfo = {
    export_id: newExportId(),
    type: file.type,
    format: file.format,
    filename: file.filename,
    content_type: EXPORT_MEDIA_TYPES[file.format],
    size_bytes: bytes.byteLength,
    created_at: options.now,
    expires_at: options.now + ttlMs,
  };
  const manifest = await putBlob(kv, tenantId, EXPORT_KIND, info.export_id, bytes, {
    createOnly: true,
    now: options.now,
    meta: { ...info },
  });
  if (!manifest) throw new Error(`Export ${info.export_id} already exists`);
  await kv.set(keys.exportExpiry(info.expires_at, tenantId, info.export_id), true);
  return info;
}

/** How long a swept export's record is kept, so that its id answers 410 rather than 404. */
export const GONE_RECORD_MS = 30 * 24 * 3_600_000;

/**
 * Deletes the bytes of every export that expired before `now` (epoch ms), of every tenant,
 * keeping a small record of each for `GONE_RECORD_MS` (its download then still answers 410).
 * Returns how many were swept. Safe to run on several instances at once.
 */
export async function sweepExpiredExports(kv: Deno.Kv, now: number): Promise<number> {
  let swept = 0;
  const due = kv.list<boolean>({
    start: keys.exportExpiryPrefix(),
    end: [...keys.exportExpiryPrefix(), now],
  });
  for await (const entry of due) {
    const [, , tenantId, exportId] = entry.key as [string, number, string, string];
    const manifest = await getBlobManifest(kv, tenantId, EXPORT_KIND, exportId);
    if (manifest?.meta) {
      await kv.set(keys.exportGone(tenantId, exportId), manifest.meta, {
        expireIn: GONE_RECORD_MS,
      });
      await deleteBlob(kv, tenantId, EXPORT_KIND, exportId);
      swept++;
    }
    await kv.delete(entry.key);
  }
  return swept;
}

/**
 * Export `exportId` of `tenantId` and its bytes, expired or not (bytes null once the sweeper has
 * deleted them); null when the tenant has no such export (another tenant's id included, and any
 * text that cannot be an export id).
 */
export async function getExport(
  kv: Deno.Kv,
  tenantId: string,
  exportId: string,
): Promise<{ info: ExportInfo; bytes: Uint8Array | null } | null> {
  if (!EXPORT_ID.test(exportId)) return null;
  const blob = await getBlob(kv, tenantId, EXPORT_KIND, exportId);
  if (blob?.manifest.meta) {
    return { info: blob.manifest.meta as unknown as ExportInfo, bytes: blob.bytes };
  }
  // Swept after it expired: its info is all that is left.
  const gone = await kv.get<ExportInfo>(keys.exportGone(tenantId, exportId));
  return gone.value ? { info: gone.value, bytes: null } : null;
}

/** True when `info` has expired at `now` (epoch ms). */
export function isExpired(info: ExportInfo, now: number): boolean {
  return now >= info.expires_at;
}

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
    columns.push({ name: "calculated_clv", value: (row) => clv[row]! });
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
