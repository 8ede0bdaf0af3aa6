/**
 * Document 004's feature correlation matrix (`GET /api/correlation-matrix`): Pearson's r between
 * every pair of numeric columns (id columns hold text and are never numeric), each pair over the
 * rows where both are present (pandas' `DataFrame.corr()`, pairwise complete observations).
 * A coefficient is null where it is undefined: fewer than two rows in common, or a column that
 * is constant over them (pandas gives NaN there, which JSON cannot carry). The diagonal is 1,
 * or null for a column without variation.
 *
 * @module
 */
import type { Dataset, NumericColumn } from "./types.ts";

/** The correlation matrix: `matrix[i][j]` is r between `columns[i]` and `columns[j]`. */
export interface CorrelationMatrix {
  readonly columns: string[];
  readonly matrix: (number | null)[][];
}

/**
 * Pearson correlations of `dataset`'s numeric columns, in column order (see the module).
 * A dataset without numeric columns gives empty lists; the caller decides whether that is an
 * error (document 004 answers 400).
 *
 * @example
 * ```ts
 * import { correlationMatrix } from "./correlation.ts";
 * const values = (xs: number[]) => Float64Array.from(xs);
 * const c = correlationMatrix({
 *   id: "d", name: "d", createdAt: 0, rowCount: 3, columnMap: {}, ids: ["1", "2", "3"],
 *   incomeScale: 1,
 *   columns: [
 *     { name: "a", kind: "numeric", values: values([1, 2, 3]), missing: 0 },
 *     { name: "b", kind: "numeric", values: values([3, 2, 1]), missing: 0 },
 *   ],
 * });
 * if (c.matrix[0]![1] !== -1) throw new Error();
 * ```
 */
export function correlationMatrix(dataset: Dataset): CorrelationMatrix {
  const numeric = dataset.columns.filter((c): c is NumericColumn => c.kind === "numeric");
  const d = numeric.length;
  const matrix: (number | null)[][] = Array.from({ length: d }, () => new Array(d).fill(null));
  // Columns without missing values are centred once; only pairs with a gap need their own means.
  const centred = numeric.map((c) => (c.missing === 0 ? centre(c.values) : null));
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      const ca = centred[a];
      const cb = centred[b];
      const r = ca && cb ? fromCentred(ca, cb) : pairwise(numeric[a]!.values, numeric[b]!.values);
      const v = r === null ? null : a === b ? 1 : Math.max(-1, Math.min(1, r));
      matrix[a]![b] = v;
      matrix[b]![a] = v;
    }
  }
  return { columns: numeric.map((c) => c.name), matrix };
}

// ---------------------------------------------------------------------------------------------

interface Centred {
  readonly values: Float64Array;
  /** Sum of squares of the centred values. */
  readonly ss: number;
}

function centre(values: Float64Array): Centred {
  const n = values.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i]!;
  const mean = sum / n;
  const out = new Float64Array(n);
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]! - mean;
    out[i] = v;
    ss += v * v;
  }
  return { values: out, ss };
}

function fromCentred(a: Centred, b: Centred): number | null {
  const n = a.values.length;
  if (n < 2 || !(a.ss > 0) || !(b.ss > 0)) return null;
  let sxy = 0;
  for (let i = 0; i < n; i++) sxy += a.values[i]! * b.values[i]!;
  return sxy / Math.sqrt(a.ss * b.ss);
}

// Two passes over the rows where both are present: the pair's means, then the sums.
function pairwise(x: Float64Array, y: Float64Array): number | null {
  const n = x.length;
  let m = 0;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    const u = x[i]!;
    const v = y[i]!;
    if (u !== u || v !== v) continue;
    m++;
    sx += u;
    sy += v;
  }
  if (m < 2) return null;
  const mx = sx / m;
  const my = sy / m;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    const u = x[i]!;
    const v = y[i]!;
    if (u !== u || v !== v) continue;
    const du = u - mx;
    const dv = v - my;
    sxx += du * du;
    syy += dv * dv;
    sxy += du * dv;
  }
  if (!(sxx > 0) || !(syy > 0)) return null;
  return sxy / Math.sqrt(sxx * syy);
}
