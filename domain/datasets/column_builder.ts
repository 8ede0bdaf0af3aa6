/**
 * Typed columns built cell by cell, as CSV rows or JSON records arrive: a column is held as
 * float64 while every cell is a number or missing (keeping the original text only where it
 * differs from the number's own spelling, `"1.50"`, `"007"`), and as interned text from the
 * first cell that is not. `finish` decides the kind by the rules of `values.ts`.
 *
 * @module
 */
import { strayValues, valueOutOfRange } from "./errors.ts";
import type { DatasetColumn, NumericColumn, TextColumn } from "./types.ts";
import {
  isMissing,
  isNumericMissing,
  numberColumnKind,
  outOfRangeAt,
  parseNumber,
  readFormattedNumbers,
  strayNonNumbers,
  textColumnKind,
} from "./values.ts";

/** A cell as it arrives: text (CSV, a JSON string), a JSON number, or missing. */
export type Cell = string | number | null;

/**
 * One column's values as they arrive: float64 while every value is a number or missing, with
 * the original text of the few values a number would not spell back; text from the first
 * value that is not a number on.
 */
export class ColumnBuilder {
  private numbers: Float64Array | null = new Float64Array(64);
  private texts: (string | null)[] | null = null;
  private exceptions = new Map<number, string>();
  private length = 0;

  /** `decimalComma`: the text came from a `;`-delimited file, where `1,5` is 1.5. */
  constructor(readonly name: string, private readonly decimalComma = false) {}

  push(cell: string | number | null): void {
    this.pushAt(this.length, cell);
  }

  /** Sets row `i` (rows skipped since the last call are missing). */
  pushAt(i: number, cell: string | number | null): void {
    while (this.length < i) this.set(this.length, null);
    this.set(i, cell);
  }

  finish(n: number): DatasetColumn {
    while (this.length < n) this.set(this.length, null);
    const name = this.name;
    if (this.numbers) {
      const values = this.numbers.slice(0, n);
      const kind = numberColumnKind(name, values);
      if (kind === "numeric") return numericColumn(name, values);
      if (kind === "id") return { name, kind, values: this.toText(), missing: 0 };
    }
    const texts = this.toText();
    // Money as spreadsheets format it is a quantity, not as many categories as customers.
    const formatted = readFormattedNumbers(texts, this.decimalComma);
    if (formatted && numberColumnKind(name, formatted) === "numeric") {
      return numericColumn(name, formatted);
    }
    const strays = strayNonNumbers(name, texts);
    if (strays) throw strayValues(name, strays, (i) => texts[i]!);
    return textColumn(name, texts);
  }

  private set(i: number, cell: string | number | null): void {
    this.length = i + 1;
    if (this.numbers) {
      if (i >= this.numbers.length) {
        const grown = new Float64Array(this.numbers.length * 2);
        grown.set(this.numbers);
        this.numbers = grown;
      }
      if (cell === null) {
        this.numbers[i] = NaN;
        return;
      }
      if (typeof cell === "number") {
        this.numbers[i] = cell;
        return;
      }
      const x = parseNumber(cell);
      if (x === x) {
        this.numbers[i] = x;
        if (String(x) !== cell) this.exceptions.set(i, cell.trim());
        return;
      }
      const t = cell.trim();
      if (t === "" || isNumericMissing(t)) {
        this.numbers[i] = NaN;
        if (t !== "") this.exceptions.set(i, t);
        return;
      }
      this.texts = this.toText(i);
    }
    const texts = this.texts!;
    if (cell === null) texts.push(null);
    else if (typeof cell === "number") texts.push(String(cell));
    else {
      const t = cell.trim();
      texts.push(t === "" ? null : this.intern(t));
    }
  }

  // Categories repeat ("Female" 100,000 times): one string per distinct value, not per row.
  private interned = new Map<string, string>();
  private intern(t: string): string {
    if (t.length > 64) return t;
    const known = this.interned.get(t);
    if (known !== undefined) return known;
    if (this.interned.size < 100_000) this.interned.set(t, t);
    return t;
  }

  // The first `count` values as text, leaving the float64 form behind for good.
  private toText(count = this.length): (string | null)[] {
    if (!this.numbers) return this.texts!;
    const out: (string | null)[] = new Array(count);
    for (let i = 0; i < count; i++) {
      const v = this.numbers[i]!;
      out[i] = this.exceptions.get(i) ?? (v === v ? String(v) : null);
    }
    this.numbers = null;
    this.exceptions.clear();
    return out;
  }
}

/** A numeric column of `values` (NaN missing), refused beyond ±`MAX_MAGNITUDE`. */
function numericColumn(name: string, values: Float64Array): NumericColumn {
  const far = outOfRangeAt(values);
  if (far >= 0) throw valueOutOfRange(name, far, values[far]!);
  let missing = 0;
  for (let i = 0; i < values.length; i++) if (values[i] !== values[i]) missing++;
  return { name, kind: "numeric", values, missing };
}

/** A text column of `raw` cells (trimmed), missing tokens made null, its kind decided. */
export function textColumn(name: string, raw: readonly (string | null)[]): TextColumn {
  let missing = 0;
  const values = raw.map((t) => (t === null || isMissing(t) ? null : t));
  for (const v of values) if (v === null) missing++;
  const kind = textColumnKind(name, values);
  if (kind === "date") {
    const dates = values.map((t) => (t === null || isNumericMissing(t) ? null : t));
    return { name, kind, values: dates, missing: dates.filter((v) => v === null).length };
  }
  return { name, kind, values, missing };
}
