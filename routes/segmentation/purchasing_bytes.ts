/**
 * Document 000's body decoded from its bytes (issue 14): one pass over the UTF-8 text reads
 * `data` straight into columns (`PurchasingColumns`), checking every customer as the lean path
 * does (`purchasingDataColumns`), with no object per customer, so that a 100k-customer body costs
 * about what reading its bytes costs rather than JSON.parse's object graph and its garbage
 * collection. The body's other fields are read with JSON.parse, each on its own.
 *
 * Keys may be spelled as the casing layer accepts them (`customerId`, `purchaseTotal`). Anything
 * else (an unknown field, a field spelled twice, an escaped or non-ASCII key, a value out of
 * range, a duplicate id, any syntax JSON.parse would refuse) returns null: the caller then
 * parses and validates the body the ordinary way, which answers its errors. So a body decoded
 * here is exactly one the ordinary path accepts, and its columns hold exactly the values
 * JSON.parse gives (numbers are converted exactly: Clinger's fast path, else `Number` of the
 * literal).
 *
 * @module
 */
import {
  PURCHASING_FEATURES,
  type PurchasingColumns,
  type PurchasingFeature,
} from "../../domain/segmentation/purchasing.ts";
import { toCamelCase, toSnakeCase } from "../http/casing.ts";

/** The decoded body: its fields other than `data` (as JSON.parse gives them) and the columns. */
export interface DecodedPurchasingBody {
  readonly rest: Record<string, unknown>;
  readonly columns: PurchasingColumns;
}

/**
 * Decodes a document-000 body whose `data` every customer of which is
 * `{"customer_id": <id>, "features": {<the six features, any order>}}` as the schema accepts it
 * (see the module doc); null for any other body.
 *
 * @example
 * ```ts
 * import { decodePurchasingBody } from "./purchasing_bytes.ts";
 * const text = '{"max_clusters": 4, "data": [{"customer_id": "a", "features": {' +
 *   '"purchase_total": 1.5, "visit_frequency": 2, "avg_ticket": 0.75, "product_diversity": 1,' +
 *   ' "loyalty_score": 0.5, "recency_days": 9}}]}';
 * const decoded = decodePurchasingBody(new TextEncoder().encode(text));
 * console.assert(decoded?.rest.max_clusters === 4 && decoded.columns.features.avg_ticket[0] === 0.75);
 * ```
 */
export function decodePurchasingBody(bytes: Uint8Array): DecodedPurchasingBody | null {
  try {
    return new Reader(bytes).body();
  } catch (error) {
    if (error === REFUSED) return null;
    throw error;
  }
}

// Thrown (never escaping this module) where the body is not one this reader decodes.
const REFUSED = Symbol("refused");

const QUOTE = 0x22, COMMA = 0x2c, COLON = 0x3a, MINUS = 0x2d, PLUS = 0x2b, DOT = 0x2e;
const OPEN_BRACE = 0x7b, CLOSE_BRACE = 0x7d, OPEN_BRACKET = 0x5b, CLOSE_BRACKET = 0x5d;
const BACKSLASH = 0x5c, ZERO = 0x30, NINE = 0x39, LOWER_E = 0x65, UPPER_E = 0x45;

/** Powers of ten that are exact doubles (10^0 … 10^22). */
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/** The six feature names' bytes, by name length (the six lengths differ). */
const FEATURE_BY_LENGTH = new Map<number, { index: number; bytes: Uint8Array }>(
  PURCHASING_FEATURES.map((f, j) => [f.length, { index: j, bytes: new TextEncoder().encode(f) }]),
);
const ALL_FEATURES = (1 << PURCHASING_FEATURES.length) - 1;
const CUSTOMER_ID = new TextEncoder().encode("customer_id");
const CUSTOMER_KEYS = ["customer_id", "features"] as const;
const FEATURES = new TextEncoder().encode("features");
const MAX_ID_LENGTH = 200;
const UTF8 = new TextDecoder();

class Reader {
  at = 0;
  /** The last key read (`keyBytes`): its first byte and the byte after it. */
  keyStart = 0;
  keyEnd = 0;
  /** `textHash` of the last plain ASCII string read by `string()` (0: none). */
  idHash = 0;
  constructor(readonly bytes: Uint8Array) {}

  body(): DecodedPurchasingBody {
    const rest: Record<string, unknown> = {};
    let columns: PurchasingColumns | null = null;
    this.expect(OPEN_BRACE);
    if (this.peek() === CLOSE_BRACE) throw REFUSED;
    for (;;) {
      const key = this.key();
      this.expect(COLON);
      if (key === "data") {
        if (columns) throw REFUSED;
        columns = this.data();
      } else {
        // Also refuses `customers` (the other shape), `__proto__` and repeated keys.
        if (key === "customers" || key === "__proto__" || Object.hasOwn(rest, key)) throw REFUSED;
        rest[key] = this.anyValue();
      }
      const next = this.next();
      if (next === CLOSE_BRACE) break;
      if (next !== COMMA) throw REFUSED;
    }
    this.skipSpace();
    if (this.at !== this.bytes.length || !columns) throw REFUSED;
    return { rest, columns };
  }

  data(): PurchasingColumns {
    const ids: (string | number)[] = [];
    const columns = PURCHASING_FEATURES.map(() => [] as number[]);
    const seen = new IdSet(ids);
    this.expect(OPEN_BRACKET);
    if (this.peek() === CLOSE_BRACKET) throw REFUSED;
    for (;;) {
      this.customer(ids, columns, seen);
      const next = this.next();
      if (next === CLOSE_BRACKET) break;
      if (next !== COMMA) throw REFUSED;
    }
    const features = Object.fromEntries(
      PURCHASING_FEATURES.map((name, j) => [name, columns[j]!]),
    ) as Record<PurchasingFeature, number[]>;
    return { length: ids.length, customer_ids: ids, features };
  }

  customer(ids: (string | number)[], columns: number[][], seen: IdSet): void {
    this.expect(OPEN_BRACE);
    let id: string | number | undefined;
    let features = false;
    for (;;) {
      this.keyBytes();
      this.expect(COLON);
      const key = this.keyIs(CUSTOMER_ID)
        ? "customer_id"
        : this.keyIs(FEATURES)
        ? "features"
        : declaredSpelling(this.lastKey(), CUSTOMER_KEYS);
      if (key === "customer_id" && id === undefined) {
        id = this.id();
      } else if (key === "features" && !features) {
        this.features(columns);
        features = true;
      } else throw REFUSED;
      const next = this.next();
      if (next === CLOSE_BRACE) break;
      if (next !== COMMA) throw REFUSED;
    }
    if (id === undefined || !features) throw REFUSED;
    // Ids compare as text (7 and "7" are one customer): a repeated one goes the ordinary way.
    const hash = typeof id === "string" && this.idHash !== 0 ? this.idHash : textHash(String(id));
    ids.push(id);
    if (!seen.add(ids.length - 1, hash)) throw REFUSED;
  }

  features(columns: number[][]): void {
    this.expect(OPEN_BRACE);
    let mask = 0;
    for (;;) {
      this.keyBytes();
      const feature = FEATURE_BY_LENGTH.get(this.keyEnd - this.keyStart);
      const j = feature && this.keyIs(feature.bytes) ? feature.index : PURCHASING_FEATURES.indexOf(
        declaredSpelling(this.lastKey(), PURCHASING_FEATURES) as PurchasingFeature,
      );
      if (j < 0) throw REFUSED;
      const bit = 1 << j;
      if (mask & bit) throw REFUSED;
      mask |= bit;
      this.expect(COLON);
      const v = this.number();
      // The schema's constraints: money ≥ 0, counts integers ≥ 0, loyalty in [0, 1].
      const ok = j === 0 || j === 2
        ? v >= 0 && v !== Infinity
        : j === 4
        ? v >= 0 && v <= 1
        : v >= 0 && Number.isSafeInteger(v);
      if (!ok) throw REFUSED;
      columns[j]!.push(v);
      const next = this.next();
      if (next === CLOSE_BRACE) break;
      if (next !== COMMA) throw REFUSED;
    }
    if (mask !== ALL_FEATURES) throw REFUSED;
  }

  /** A customer id: a string of 1–200 characters, or a safe integer. */
  id(): string | number {
    this.skipSpace();
    this.idHash = 0;
    if (this.bytes[this.at] === QUOTE) {
      const s = this.string();
      if (s.length < 1 || s.length > MAX_ID_LENGTH) throw REFUSED;
      return s;
    }
    const v = this.number();
    if (!Number.isSafeInteger(v)) throw REFUSED;
    return v;
  }

  /** An object key, as a string (the body's own few keys). */
  key(): string {
    this.keyBytes();
    return this.slice(this.keyStart, this.keyEnd);
  }

  /**
   * An object key, left in `keyStart`…`keyEnd`: plain ASCII without escapes (anything else goes
   * the ordinary way).
   */
  keyBytes(): void {
    this.skipSpace();
    const bytes = this.bytes, length = bytes.length;
    let at = this.at;
    if (at >= length || bytes[at] !== QUOTE) throw REFUSED;
    const start = ++at;
    for (;;) {
      if (at >= length) throw REFUSED;
      const c = bytes[at]!;
      if (c === QUOTE) break;
      if (c < 0x20 || c >= 0x80 || c === BACKSLASH) throw REFUSED;
      at++;
    }
    this.keyStart = start;
    this.keyEnd = at;
    this.at = at + 1;
  }

  /** The last key read, as a string. */
  lastKey(): string {
    return this.slice(this.keyStart, this.keyEnd);
  }

  /** True when the last key read is `name`. */
  keyIs(name: Uint8Array): boolean {
    if (this.keyEnd - this.keyStart !== name.length) return false;
    const bytes = this.bytes, start = this.keyStart;
    for (let i = 0; i < name.length; i++) if (bytes[start + i] !== name[i]) return false;
    return true;
  }

  /** ASCII bytes `start`…`end` as a string. */
  slice(start: number, end: number): string {
    return latin1(this.bytes, start, end);
  }

  /**
   * A string value, decoded as JSON.parse of the UTF-8 text would decode it. A plain ASCII one
   * leaves its `textHash` in `idHash` (read off its bytes, which are its characters).
   */
  string(): string {
    const bytes = this.bytes, length = bytes.length;
    let at = this.at + 1;
    const start = at;
    let ascii = true;
    let hash = FNV_OFFSET;
    for (;;) {
      if (at >= length) throw REFUSED;
      const c = bytes[at]!;
      if (c === QUOTE) break;
      if (c < 0x20) throw REFUSED;
      if (c === BACKSLASH) {
        ascii = false;
        if (++at >= length) throw REFUSED;
      } else if (c >= 0x80) ascii = false;
      hash = Math.imul(hash ^ c, FNV_PRIME);
      at++;
    }
    const end = at;
    this.at = at + 1;
    if (ascii) {
      this.idHash = hash | 1;
      return this.slice(start, end);
    }
    const value = parseJson(UTF8.decode(bytes.subarray(start - 1, end + 1)));
    if (typeof value !== "string") throw REFUSED;
    return value;
  }

  /** A JSON number, converted exactly as JSON.parse converts it. */
  number(): number {
    this.skipSpace();
    // Locals, and −1 past the end, keep this loop in registers (it reads most of the body).
    const bytes = this.bytes, length = bytes.length;
    let at = this.at;
    const start = at;
    const byte = (i: number) => (i < length ? bytes[i]! : -1);
    let negative = false;
    let c = byte(at);
    if (c === MINUS) {
      negative = true;
      c = byte(++at);
    }
    let mantissa = 0, digits = 0, exponent = 0;
    if (c === ZERO) {
      c = byte(++at);
      if (c >= ZERO && c <= NINE) throw REFUSED; // a leading zero
    } else if (c > ZERO && c <= NINE) {
      do {
        mantissa = mantissa * 10 + (c - ZERO);
        digits++;
        c = byte(++at);
      } while (c >= ZERO && c <= NINE);
    } else throw REFUSED;
    if (c === DOT) {
      c = byte(++at);
      if (c < ZERO || c > NINE) throw REFUSED;
      do {
        mantissa = mantissa * 10 + (c - ZERO);
        if (mantissa !== 0) digits++;
        exponent--;
        c = byte(++at);
      } while (c >= ZERO && c <= NINE);
    }
    let exact = digits <= 15;
    if (c === LOWER_E || c === UPPER_E) {
      c = byte(++at);
      let sign = 1;
      if (c === PLUS || c === MINUS) {
        if (c === MINUS) sign = -1;
        c = byte(++at);
      }
      if (c < ZERO || c > NINE) throw REFUSED;
      let e = 0;
      do {
        if (e < 1e6) e = e * 10 + (c - ZERO);
        c = byte(++at);
      } while (c >= ZERO && c <= NINE);
      exponent += sign * e;
      exact = false;
    }
    this.at = at;
    // Clinger's fast path: an exact integer mantissa times or over an exact power of ten is
    // correctly rounded by one IEEE operation. Anything else: the literal's own conversion.
    if (exact && exponent >= -22 && exponent <= 0) {
      // `0 - exponent`, not `-exponent`: −0 is no array index, and V8 would deoptimise on it.
      const v = mantissa / POW10[0 - exponent]!;
      return negative ? -v : v;
    }
    return Number(this.slice(start, at));
  }

  /** Any JSON value (the body's small fields), by JSON.parse of its own text. */
  anyValue(): unknown {
    this.skipSpace();
    const start = this.at;
    this.skipValue();
    return parseJson(UTF8.decode(this.bytes.subarray(start, this.at)));
  }

  skipValue(): void {
    const bytes = this.bytes;
    let depth = 0;
    do {
      this.skipSpace();
      const c = bytes[this.at];
      if (c === undefined) throw REFUSED;
      if (c === QUOTE) this.string();
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        depth++;
        this.at++;
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        if (depth === 0) throw REFUSED;
        depth--;
        this.at++;
      } else if (c === COMMA || c === COLON) {
        if (depth === 0) throw REFUSED;
        this.at++;
      } else {
        // A number or a literal: up to the next delimiter (JSON.parse judges it).
        while (
          (this.bytes[this.at] ?? COMMA) !== COMMA && !isDelimiter(this.bytes[this.at]!)
        ) this.at++;
      }
    } while (depth > 0);
  }

  /** The next structural byte, consumed. */
  next(): number {
    this.skipSpace();
    const at = this.at++;
    return at < this.bytes.length ? this.bytes[at]! : -1;
  }

  peek(): number {
    this.skipSpace();
    return this.at < this.bytes.length ? this.bytes[this.at]! : -1;
  }

  expect(byte: number): void {
    if (this.next() !== byte) throw REFUSED;
  }

  skipSpace(): void {
    const bytes = this.bytes, length = bytes.length;
    let at = this.at;
    // JSON's whitespace: space, tab, line feed, carriage return.
    while (at < length) {
      const c = bytes[at]!;
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      at++;
    }
    this.at = at;
  }
}

/**
 * The declared name `key` stands for, as the casing layer reads keys (`routes/http/casing.ts`:
 * the other spelling of a declared name, `customerId` or `PurchaseTotal`); undefined for none.
 * A customer that spells one field both ways is refused by the "seen" checks (the schema then
 * judges whether the two values agree).
 */
function declaredSpelling(key: string, declared: readonly string[]): string | undefined {
  if (declared.includes(key)) return key;
  return [toSnakeCase(key), toCamelCase(key)].find((name) => declared.includes(name));
}

const FNV_OFFSET = 0x811c9dc5 | 0, FNV_PRIME = 0x01000193;

/** FNV-1a over a string's UTF-16 code units, never 0 (the lowest bit set). */
function textHash(text: string): number {
  let hash = FNV_OFFSET;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), FNV_PRIME);
  return hash | 1;
}

/**
 * The customers' ids seen so far, as text: an open-addressing table of indices into `ids` by
 * `textHash`, about twice as quick as a Set of strings (whose hashing reads every id again).
 */
class IdSet {
  slots = new Int32Array(1024);
  hashes = new Int32Array(1024);
  size = 0;
  constructor(readonly ids: readonly (string | number)[]) {}

  /** Adds `ids[index]` (of `hash`); false when an equal id is already in. */
  add(index: number, hash: number): boolean {
    if (2 * (this.size + 1) > this.slots.length) this.grow();
    const mask = this.slots.length - 1;
    const id = this.ids[index]!;
    for (let slot = hash & mask;; slot = (slot + 1) & mask) {
      const entry = this.slots[slot]!;
      if (entry === 0) {
        this.slots[slot] = index + 1;
        this.hashes[slot] = hash;
        this.size++;
        return true;
      }
      if (this.hashes[slot] === hash) {
        const other = this.ids[entry - 1]!;
        if (other === id || String(other) === String(id)) return false;
      }
    }
  }

  grow(): void {
    const { slots, hashes } = this;
    this.slots = new Int32Array(slots.length * 2);
    this.hashes = new Int32Array(slots.length * 2);
    const mask = this.slots.length - 1;
    for (let i = 0; i < slots.length; i++) {
      if (slots[i] === 0) continue;
      let slot = hashes[i]! & mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
      this.slots[slot] = slots[i]!;
      this.hashes[slot] = hashes[i]!;
    }
  }
}

function isDelimiter(c: number): boolean {
  return c === CLOSE_BRACE || c === CLOSE_BRACKET || c === COLON || c === QUOTE ||
    c === OPEN_BRACE || c === OPEN_BRACKET || c === 0x20 || c === 0x0a || c === 0x0d ||
    c === 0x09;
}

/** ASCII bytes as a string (one flat string: ids are hashed right away). */
function latin1(bytes: Uint8Array, start: number, end: number): string {
  return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw REFUSED;
  }
}
