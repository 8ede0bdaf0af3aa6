/**
 * Datasets in Deno KV: each dataset is one immutable chunked object (`storage/blobs.ts`, kind
 * `dataset`) under its tenant, so another tenant's id finds nothing; the manifest's `meta`
 * carries the summary that `listDatasets` returns without reading any chunk. The "current
 * dataset" of document 004's session is a pointer per principal, `current_dataset:<owner>`,
 * so two analysts of one tenant do not see each other's workspace.
 *
 * Encoding (version 1), little-endian: a u32 header length, the header as UTF-8 JSON
 * (`id`, `name`, `createdAt`, `rowCount`, `columnMap`, `incomeScale`, and per column its name,
 * kind, missing count, byte offset and length), then each column padded to 8 bytes: a numeric
 * column as float64 (8 bytes a row; NaN is missing), a text column as a UTF-8 JSON array of
 * strings and nulls. `ids` are not stored: they follow from the map.
 *
 * @module
 */
import {
  atomic,
  deleteBlob,
  getBlob,
  getBlobManifest,
  ImmutableCache,
  keys,
  putBlob,
} from "../../storage/mod.ts";
import type { ColumnKind, ColumnMap, Dataset, DatasetColumn, TextColumn } from "./types.ts";

/** The blob kind of datasets. */
export const DATASET_KIND = "dataset";

/** The pointer name of `owner`'s current dataset. */
export function currentDatasetPointer(owner: string): string {
  return `current_dataset:${owner}`;
}

/** What `listDatasets` gives per dataset (no values). */
export interface DatasetSummary {
  readonly id: string;
  readonly name: string;
  readonly rowCount: number;
  readonly columnCount: number;
  /**
   * Name, kind and missing count per column; left out (only `columnCount` kept) when they would
   * not fit in the manifest's 64 KiB.
   */
  readonly columns?: readonly { name: string; kind: ColumnKind; missing: number }[];
  readonly columnMap: ColumnMap;
  readonly incomeScale: number;
  /** Epoch ms the dataset was parsed. */
  readonly createdAt: number;
  /** Epoch ms it was stored. */
  readonly storedAt: number;
  /** Encoded size in bytes. */
  readonly bytes: number;
}

/**
 * Stores `dataset` for `tenantId` under its id and returns its summary. Datasets are
 * immutable: the id must be new.
 *
 * @throws {RangeError} when the id is not 1 to 128 characters of `A-Z a-z 0-9 _ -`.
 * @throws {Error} when the tenant already has a dataset with that id.
 */
export async function saveDataset(
  kv: Deno.Kv,
  tenantId: string,
  dataset: Dataset,
  now: number,
): Promise<DatasetSummary> {
  if (!isDatasetId(dataset.id)) {
    throw new RangeError(
      `Expected a dataset id of 1 to 128 characters of A-Z a-z 0-9 _ - but found "${
        String(dataset.id).slice(0, 40)
      }"`,
    );
  }
  const bytes = encodeDataset(dataset);
  const summary = summarize(dataset, now, bytes.byteLength);
  const manifest = await putBlob(kv, tenantId, DATASET_KIND, dataset.id, bytes, {
    createOnly: true,
    now,
    meta: { ...summary },
  });
  if (!manifest) throw new Error(`Dataset ${dataset.id} already exists`);
  decoded.put(kv, tenantId, dataset.id, dataset, 2 * bytes.byteLength);
  return summary;
}

/** Dataset `id` of `tenantId`, or null when there is none (another tenant's id included). */
export async function getDataset(
  kv: Deno.Kv,
  tenantId: string,
  id: string,
): Promise<Dataset | null> {
  if (!isDatasetId(id)) return null;
  // The cache is per process: a dataset deleted here or by another instance must read as gone.
  if (!await getBlobManifest(kv, tenantId, DATASET_KIND, id)) return null;
  return await decoded.get(kv, tenantId, id, async () => {
    const blob = await getBlob(kv, tenantId, DATASET_KIND, id);
    // Decoded text takes about twice its stored bytes.
    return blob ? { value: decodeDataset(blob.bytes), bytes: 2 * blob.bytes.byteLength } : null;
  });
}

// Decoding a 200k-row dataset takes tens of ms; every step of a session reads the same one.
// 96 MB holds two or three datasets of 200k rows × 8 columns.
const decoded = new ImmutableCache<Dataset>(4, 96 * 2 ** 20);

/** The decoded datasets this process keeps for `kv`: how many, and their estimated bytes. */
export function datasetCacheStats(kv: Deno.Kv): { entries: number; bytes: number } {
  return decoded.stats(kv);
}

/** Paging of `listDatasets`: defaults and maxima documented in docs/documents.md (004). */
export const DATASET_PAGE = { defaultLimit: 50, maxLimit: 200 } as const;

/** A page of dataset summaries and the total they were taken from. */
export interface DatasetPage {
  datasets: DatasetSummary[];
  total: number;
}

/**
 * `limit` summaries (default `DATASET_PAGE.defaultLimit`) of `tenantId`'s datasets from
 * `offset` (default 0), newest first, with the total count.
 */
export async function listDatasetPage(
  kv: Deno.Kv,
  tenantId: string,
  page: { limit?: number; offset?: number } = {},
): Promise<DatasetPage> {
  // Newest first needs every summary (the keys are ordered by id, not by time); only the
  // manifests are read, never a dataset's chunks.
  const all = await listDatasets(kv, tenantId);
  const offset = page.offset ?? 0;
  const limit = page.limit ?? DATASET_PAGE.defaultLimit;
  return { datasets: all.slice(offset, offset + limit), total: all.length };
}

/** The summaries of `tenantId`'s datasets, newest first. */
export async function listDatasets(kv: Deno.Kv, tenantId: string): Promise<DatasetSummary[]> {
  const out: DatasetSummary[] = [];
  const iter = kv.list<{ meta?: DatasetSummary }>({
    prefix: keys.blobPrefix(tenantId, DATASET_KIND),
  });
  for await (const entry of iter) if (entry.value.meta) out.push(entry.value.meta);
  return out.sort((a, b) => b.storedAt - a.storedAt || (a.id < b.id ? -1 : 1));
}

/**
 * Deletes dataset `id` of `tenantId` and every session's `current_dataset` pointer naming it
 * (runs made from it are kept: they are records of their own).
 *
 * @returns false when the tenant has no such dataset (another tenant's id included).
 */
export async function deleteDataset(kv: Deno.Kv, tenantId: string, id: string): Promise<boolean> {
  if (!isDatasetId(id)) return false;
  if (!await deleteBlob(kv, tenantId, DATASET_KIND, id)) return false;
  const current = currentDatasetPointer("");
  const prefix = keys.pointer(tenantId, "").slice(0, -1);
  for await (const entry of kv.list<string>({ prefix })) {
    const name = entry.key.at(-1);
    if (typeof name !== "string" || !name.startsWith(current) || entry.value !== id) continue;
    // Checked, so a session that chose another dataset meanwhile keeps its choice.
    await atomic(kv).check(entry).delete(entry.key).commit();
  }
  return true;
}

/**
 * Makes dataset `id` the current dataset of principal `owner` in `tenantId`.
 *
 * @returns false (and changes nothing) when the tenant has no such dataset.
 */
export async function setCurrentDataset(
  kv: Deno.Kv,
  tenantId: string,
  owner: string,
  id: string,
): Promise<boolean> {
  if (!isDatasetId(id)) return false;
  if (!await getBlobManifest(kv, tenantId, DATASET_KIND, id)) return false;
  await kv.set(keys.pointer(tenantId, currentDatasetPointer(owner)), id);
  return true;
}

/** The id of `owner`'s current dataset in `tenantId`, or null. */
export async function getCurrentDatasetId(
  kv: Deno.Kv,
  tenantId: string,
  owner: string,
): Promise<string | null> {
  return (await kv.get<string>(keys.pointer(tenantId, currentDatasetPointer(owner)))).value;
}

/**
 * Document 004's reset for principal `owner`: deletes every session pointer of theirs (any
 * pointer named `<what>:<owner>`: the current dataset, and any per-owner pointer other modules
 * add, such as a session's latest clustering). Stored datasets and runs are kept, because they
 * are immutable records other pointers, runs and exports may name. Returns how many pointers
 * were cleared.
 */
export async function clearSession(
  kv: Deno.Kv,
  tenantId: string,
  owner: string,
): Promise<number> {
  const prefix = keys.pointer(tenantId, "").slice(0, -1);
  const doomed: Deno.KvKey[] = [];
  for await (const entry of kv.list({ prefix })) {
    const name = entry.key.at(-1);
    if (typeof name !== "string") continue;
    const colon = name.indexOf(":");
    if (colon > 0 && name.slice(colon + 1) === owner) doomed.push(entry.key);
  }
  for (let i = 0; i < doomed.length; i += 500) {
    const op = atomic(kv);
    for (const key of doomed.slice(i, i + 500)) op.delete(key);
    await op.commit();
  }
  return doomed.length;
}

/** The bytes `saveDataset` stores (see the module's encoding). */
export function encodeDataset(dataset: Dataset): Uint8Array {
  const utf8 = new TextEncoder();
  const payloads = dataset.columns.map((c) =>
    c.kind === "numeric"
      ? new Uint8Array(c.values.buffer, c.values.byteOffset, c.values.byteLength)
      : utf8.encode(JSON.stringify(c.values))
  );
  if (!LITTLE_ENDIAN) {
    for (let j = 0; j < payloads.length; j++) {
      const c = dataset.columns[j]!;
      if (c.kind === "numeric") payloads[j] = float64Le(c.values);
    }
  }
  let offset = 0;
  const columns = dataset.columns.map((c, j) => {
    const entry = {
      name: c.name,
      kind: c.kind,
      missing: c.missing,
      offset,
      length: payloads[j]!.byteLength,
    };
    offset += pad8(payloads[j]!.byteLength);
    return entry;
  });
  const header = utf8.encode(JSON.stringify({
    version: FORMAT_VERSION,
    id: dataset.id,
    name: dataset.name,
    createdAt: dataset.createdAt,
    rowCount: dataset.rowCount,
    columnMap: dataset.columnMap,
    incomeScale: dataset.incomeScale,
    columns,
  }));
  const start = pad8(4 + header.byteLength);
  const out = new Uint8Array(start + offset);
  new DataView(out.buffer).setUint32(0, header.byteLength, true);
  out.set(header, 4);
  for (let j = 0; j < payloads.length; j++) out.set(payloads[j]!, start + columns[j]!.offset);
  return out;
}

/**
 * The dataset `encodeDataset` wrote.
 *
 * @throws {Error} when the bytes are not a dataset of a known version.
 */
export function decodeDataset(bytes: Uint8Array): Dataset {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(0, true);
  const utf8 = new TextDecoder();
  const header = JSON.parse(utf8.decode(bytes.subarray(4, 4 + headerLength))) as StoredHeader;
  if (header.version !== FORMAT_VERSION) {
    throw new Error(`Unsupported dataset encoding version ${header.version}`);
  }
  const start = pad8(4 + headerLength);
  const n = header.rowCount;
  const columns: DatasetColumn[] = header.columns.map((c) => {
    const at = bytes.byteOffset + start + c.offset;
    if (c.kind === "numeric") {
      const values = new Float64Array(n);
      if (LITTLE_ENDIAN) {
        values.set(new Float64Array(bytes.buffer.slice(at, at + c.length)));
      } else {
        const dv = new DataView(bytes.buffer, at, c.length);
        for (let i = 0; i < n; i++) values[i] = dv.getFloat64(i * 8, true);
      }
      return { name: c.name, kind: "numeric", values, missing: c.missing };
    }
    const values = JSON.parse(
      utf8.decode(bytes.subarray(start + c.offset, start + c.offset + c.length)),
    ) as (string | null)[];
    return { name: c.name, kind: c.kind, values, missing: c.missing } satisfies TextColumn;
  });
  const idColumn = header.columnMap.customer_id === undefined
    ? undefined
    : columns.find((c) => c.name === header.columnMap.customer_id);
  return {
    id: header.id,
    name: header.name,
    createdAt: header.createdAt,
    rowCount: n,
    columns,
    columnMap: header.columnMap,
    ids: idColumn && idColumn.kind !== "numeric"
      ? idColumn.values.map((v) => v ?? "")
      : Array.from({ length: n }, (_, i) => String(i + 1)),
    incomeScale: header.incomeScale,
  };
}

// ---------------------------------------------------------------------------------------------

const FORMAT_VERSION = 1;
const LITTLE_ENDIAN = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;
/** Above this the column list stays out of the manifest (whose value is limited to 64 KiB). */
const MAX_META_COLUMNS_BYTES = 40 * 1024;

interface StoredHeader {
  version: number;
  id: string;
  name: string;
  createdAt: number;
  rowCount: number;
  columnMap: ColumnMap;
  incomeScale: number;
  columns: { name: string; kind: ColumnKind; missing: number; offset: number; length: number }[];
}

// Ids reach here from URLs: anything else could not have been made by `newDatasetId` or a
// client label we accept, and a long one would exceed the KV key limit.
function isDatasetId(id: string): boolean {
  return typeof id === "string" && /^[A-Za-z0-9_-]{1,128}$/.test(id);
}

function summarize(dataset: Dataset, now: number, bytes: number): DatasetSummary {
  const columns = dataset.columns.map((c) => ({ name: c.name, kind: c.kind, missing: c.missing }));
  const fits = JSON.stringify(columns).length <= MAX_META_COLUMNS_BYTES;
  return {
    id: dataset.id,
    name: dataset.name,
    rowCount: dataset.rowCount,
    columnCount: dataset.columns.length,
    ...(fits ? { columns } : {}),
    columnMap: dataset.columnMap,
    incomeScale: dataset.incomeScale,
    createdAt: dataset.createdAt,
    storedAt: now,
    bytes,
  };
}

function pad8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

function float64Le(values: Float64Array): Uint8Array {
  const out = new Uint8Array(values.length * 8);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) dv.setFloat64(i * 8, values[i]!, true);
  return out;
}
