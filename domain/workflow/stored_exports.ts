/**
 * Stored exports (document 003 §1.6): a file generated at once when it is asked for, kept as a
 * chunked object (`storage/blobs.ts`, kind `export`) under the tenant with its format, file
 * name, media type and expiry time in the manifest, and downloaded by id until it expires.
 * Expiry is a field checked on read (KV's `expireIn` only garbage-collects, at some later time,
 * so it cannot promise a 410): an expired export is still found, so the route can tell "gone"
 * from "never existed". What goes into the files is `export_tables.ts`'s and `views.ts`'s.
 *
 * @module
 */
import { deleteBlob, getBlob, getBlobManifest, keys, putBlob } from "../../storage/mod.ts";

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
