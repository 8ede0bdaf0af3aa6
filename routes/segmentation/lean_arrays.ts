/**
 * The lean path of the big arrays (docs/pipeline.md, "Big requests"): hand-written checks of
 * document 000's `data`, document 001's `data` and document 002's records that accept exactly
 * the items their zod schemas accept as sent (snake_case keys, no unknown field), in one pass
 * and without copying, and decode document 000's customers into columns on the way. Whatever
 * they do not accept goes to the zod schema, which answers the errors (`withLeanPath`), so the
 * errors of a refused request are the schema's own, byte for byte.
 *
 * @module
 */
import {
  PURCHASING_FEATURES,
  type PurchasingColumns,
  type PurchasingFeature,
} from "../../domain/segmentation/purchasing.ts";

/** Longest customer id, attribute name or value, and feature name (as the schemas say). */
const MAX_TEXT = 200;

/**
 * Document 000's `data` as columns when every customer is exactly
 * `{ customer_id, features: { the six features } }` with values the schema accepts (an id of
 * 1–200 characters or a safe integer, unique as text; money ≥ 0, counts integers ≥ 0, loyalty in
 * [0, 1]); null otherwise.
 *
 * @example
 * ```ts
 * import { purchasingDataColumns } from "./lean_arrays.ts";
 * const features = { purchase_total: 10, visit_frequency: 2, avg_ticket: 5,
 *   product_diversity: 1, loyalty_score: 0.5, recency_days: 3 };
 * console.assert(purchasingDataColumns([{ customer_id: "a", features }])?.length === 1);
 * console.assert(purchasingDataColumns([{ customerId: "a", features }]) === null);
 * ```
 */
export function purchasingDataColumns(data: readonly unknown[]): PurchasingColumns | null {
  const n = data.length;
  const ids: (string | number)[] = new Array(n);
  const columns = PURCHASING_FEATURES.map(() => new Array<number>(n));
  const [total, visits, ticket, diversity, loyalty, recency] = columns as [
    number[],
    number[],
    number[],
    number[],
    number[],
    number[],
  ];
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const item = data[i];
    if (!isPlainObject(item) || keyCount(item) !== 2) return null;
    const id = (item as { customer_id?: unknown }).customer_id;
    const f = (item as { features?: unknown }).features as Record<string, unknown>;
    if (!isCustomerId(id) || !isPlainObject(f) || keyCount(f) !== 6) return null;
    const text = String(id);
    if (seen.has(text)) return null;
    seen.add(text);
    const a = f.purchase_total, b = f.visit_frequency, c = f.avg_ticket;
    const d = f.product_diversity, e = f.loyalty_score, g = f.recency_days;
    if (
      !nonNegative(a) || !count(b) || !nonNegative(c) || !count(d) || !unit(e) || !count(g)
    ) return null;
    ids[i] = id;
    total[i] = a;
    visits[i] = b;
    ticket[i] = c;
    diversity[i] = d;
    loyalty[i] = e;
    recency[i] = g;
  }
  const features = Object.fromEntries(
    PURCHASING_FEATURES.map((name, j) => [name, columns[j]!]),
  ) as Record<PurchasingFeature, number[]>;
  return { length: n, customer_ids: ids, features };
}

/**
 * True when every item of document 001's `data` is exactly `{ customer_id, features,
 * attributes? }` as its schema accepts it (an id as in document 000, unique as text; at least
 * one finite numeric feature named by 1–200 characters, the same names as `data.0`'s; attributes
 * of text up to 200 characters named by 1–200 characters).
 */
export function profileDataAccepted(data: readonly unknown[]): boolean {
  const n = data.length;
  if (n === 0) return false;
  const first = (data[0] as { features?: unknown } | null)?.features;
  if (!isPlainObject(first)) return false;
  const names = Object.keys(first);
  if (names.length === 0 || !names.every(isName)) return false;
  const expected = new Set(names);
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const item = data[i];
    if (!isPlainObject(item)) return false;
    const { customer_id: id, features, attributes } = item as Record<string, unknown>;
    if (keyCount(item) !== (attributes === undefined ? 2 : 3) || features === undefined) {
      return false;
    }
    if (!isCustomerId(id)) return false;
    const text = String(id);
    if (seen.has(text)) return false;
    seen.add(text);
    if (!isPlainObject(features)) return false;
    // Records written alike list their keys in one order: compared by position, read by value.
    const keys = Object.keys(features);
    if (keys.length !== names.length) return false;
    const values = Object.values(features);
    for (let j = 0; j < keys.length; j++) {
      const v = values[j];
      if (typeof v !== "number" || !Number.isFinite(v)) return false;
      if (keys[j] !== names[j] && !expected.has(keys[j]!)) return false;
    }
    if (attributes !== undefined) {
      if (!isPlainObject(attributes)) return false;
      for (const name of Object.keys(attributes)) {
        const v = (attributes as Record<string, unknown>)[name];
        if (!isName(name) || typeof v !== "string" || v.length > MAX_TEXT) return false;
      }
    }
  }
  return true;
}

/**
 * True when document 001's `labels` is a plain object of cluster ids (safe integers ≥ −1, the
 * schema's `z.record(z.string(), z.int().min(-1))`), with no key `__proto__`.
 */
export function labelsAccepted(labels: unknown): boolean {
  if (!isPlainObject(labels) || Object.hasOwn(labels, "__proto__")) return false;
  const values = Object.values(labels);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < -1) return false;
  }
  return true;
}

/**
 * True when every item of document 002's records is a plain JSON object (the schema's
 * `z.record(z.string(), z.unknown())`), none of them with a field named `__proto__` (which zod
 * copies differently: such a record goes to the schema).
 */
export function recordsAccepted(records: readonly unknown[]): boolean {
  for (let i = 0; i < records.length; i++) {
    const item = records[i];
    if (!isPlainObject(item) || Object.hasOwn(item, "__proto__")) return false;
  }
  return true;
}

/** A plain JSON object: not null, not an array. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Own keys of a parsed JSON object (`__proto__` included, as JSON.parse makes it). */
function keyCount(value: object): number {
  // Object.keys reads V8's enum cache: several times faster than counting with for…in.
  return Object.keys(value).length;
}

function isCustomerId(id: unknown): id is string | number {
  return typeof id === "string"
    ? id.length >= 1 && id.length <= MAX_TEXT
    : typeof id === "number" && Number.isSafeInteger(id);
}

function isName(name: string): boolean {
  // zod copies a record's `__proto__` key in its own way: such a body goes to the schema.
  return name.length >= 1 && name.length <= MAX_TEXT && name !== "__proto__";
}

function nonNegative(v: unknown): v is number {
  return typeof v === "number" && v >= 0 && v !== Infinity;
}

function count(v: unknown): v is number {
  return typeof v === "number" && v >= 0 && Number.isSafeInteger(v);
}

function unit(v: unknown): v is number {
  return typeof v === "number" && v >= 0 && v <= 1;
}
