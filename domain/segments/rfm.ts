/**
 * RFM scoring and the complete map from the 125 R-F-M codes to the 11 classic named segments
 * (docs/segments.md has the grid and how it was made). Used by the `rfm` rule-based segmentation
 * (`rules.ts`) and by the insights (`insights.ts`).
 *
 * Scoring (quintiles, 1–5, pandas `qcut` semantics):
 *
 * - **Recency** (days since the last purchase): bins cut at the 20/40/60/80 % quantiles of the
 *   known values (numpy's linear method), right-closed as in `pandas.qcut`; the fewest days
 *   score 5. Tied values always share a score.
 * - **Frequency** is ranked first (ascending value, ties broken by row order, as pandas
 *   `rank(method="first")`) and the ranks are cut into quintiles, so heavy ties (many
 *   one-purchase customers) cannot collapse the bins: the five scores stay balanced.
 * - **Monetary** is cut like recency, highest spend = 5.
 *
 * When tied values make two quantile edges equal, the bin between them is empty and a score is
 * skipped (pandas would need `duplicates="drop"`); scores keep their 1–5 meaning. A row with a
 * missing (NaN) value in any of the three scores 0 in that dimension and has no segment.
 *
 * The segment map: FM = (F + M) / 2 is banded into four bands, and the grid R × FM band names
 * the segment (`RFM_GRID`). It is derived from the widely copied Putler ranges, whose rules
 * overlap (first match wins, which leaves New Customers, Promising, Can't Lose Them and Lost
 * unreachable); here every cell has exactly one name and each of the 11 names has at least
 * one cell.
 *
 * @module
 */
import { quantileSorted } from "../description/profile.ts";

/** The 11 classic named RFM segments, in the order they are reported. */
export const RFM_SEGMENT_NAMES = [
  "Champions",
  "Loyal Customers",
  "Potential Loyalist",
  "New Customers",
  "Promising",
  "Need Attention",
  "About To Sleep",
  "At Risk",
  "Can't Lose Them",
  "Hibernating",
  "Lost",
] as const;
export type RfmSegmentName = typeof RFM_SEGMENT_NAMES[number];

/**
 * The FM bands, by the lower bound of FM = (F + M) / 2 each starts at: band 0 is FM < 2
 * (1, 1.5), band 1 is 2 ≤ FM < 3, band 2 is 3 ≤ FM < 4, band 3 is FM ≥ 4 (4, 4.5, 5).
 */
export const FM_BAND_LOWER_BOUNDS = [1, 2, 3, 4] as const;

/**
 * The segment of every R score (rows, R = 5 first) and FM band (columns, low to high).
 *
 * | R \ FM | < 2            | 2 – < 3            | 3 – < 4         | ≥ 4             |
 * |--------|----------------|--------------------|-----------------|-----------------|
 * | 5      | New Customers  | Potential Loyalist | Loyal Customers | Champions       |
 * | 4      | Promising      | Potential Loyalist | Loyal Customers | Champions       |
 * | 3      | About To Sleep | Need Attention     | Loyal Customers | Loyal Customers |
 * | 2      | Hibernating    | Need Attention     | At Risk         | At Risk         |
 * | 1      | Lost           | Hibernating        | At Risk         | Can't Lose Them |
 */
export const RFM_GRID: Readonly<Record<1 | 2 | 3 | 4 | 5, readonly RfmSegmentName[]>> = {
  5: ["New Customers", "Potential Loyalist", "Loyal Customers", "Champions"],
  4: ["Promising", "Potential Loyalist", "Loyal Customers", "Champions"],
  3: ["About To Sleep", "Need Attention", "Loyal Customers", "Loyal Customers"],
  2: ["Hibernating", "Need Attention", "At Risk", "At Risk"],
  1: ["Lost", "Hibernating", "At Risk", "Can't Lose Them"],
};

/**
 * The segment of an R, F, M score triple (each an integer 1–5).
 *
 * @throws {RangeError} when a score is not an integer in [1, 5].
 *
 * @example
 * ```ts
 * import { rfmSegmentName } from "./rfm.ts";
 * if (rfmSegmentName(5, 5, 4) !== "Champions") throw new Error();
 * if (rfmSegmentName(1, 1, 1) !== "Lost") throw new Error();
 * ```
 */
export function rfmSegmentName(r: number, f: number, m: number): RfmSegmentName {
  for (const [label, s] of [["R", r], ["F", f], ["M", m]] as const) {
    if (!Number.isInteger(s) || s < 1 || s > 5) {
      throw new RangeError(`Expected the ${label} score to be an integer in [1, 5] but found ${s}`);
    }
  }
  const fm = (f + m) / 2;
  const band = fm >= 4 ? 3 : fm >= 3 ? 2 : fm >= 2 ? 1 : 0;
  return RFM_GRID[r as 1 | 2 | 3 | 4 | 5][band]!;
}

/** Every R-F-M code ("111" … "555") and its segment: 125 entries, generated from `RFM_GRID`. */
export const RFM_SEGMENT_TABLE: Readonly<Record<string, RfmSegmentName>> = (() => {
  const table: Record<string, RfmSegmentName> = {};
  for (let r = 1; r <= 5; r++) {
    for (let f = 1; f <= 5; f++) {
      for (let m = 1; m <= 5; m++) table[`${r}${f}${m}`] = rfmSegmentName(r, f, m);
    }
  }
  return Object.freeze(table);
})();

/** The scores of every row: 1–5, or 0 where the row's value is missing in that dimension. */
export interface RfmScores {
  readonly r: Uint8Array;
  readonly f: Uint8Array;
  readonly m: Uint8Array;
  /**
   * The four interior quintile edges of each dimension: recency in days, frequency in ranks
   * (1 = lowest frequency), monetary in the spend's unit. Empty when no row has a value.
   */
  readonly cutoffs: {
    readonly recency: number[];
    readonly frequency_rank: number[];
    readonly monetary: number[];
  };
}

/**
 * Scores recency, frequency and monetary values 1–5 by quintile (see the module comment for the
 * rules). The three inputs are parallel, one value per row; NaN is missing.
 *
 * @throws {RangeError} when the three inputs differ in length.
 *
 * @example
 * ```ts
 * import { scoreRfm } from "./rfm.ts";
 * const s = scoreRfm([1, 2, 3, 4, 5], [1, 1, 1, 1, 1], [10, 20, 30, 40, 50]);
 * if (s.r[0] !== 5 || s.f[4] !== 5 || s.m[0] !== 1) throw new Error();
 * ```
 */
export function scoreRfm(
  recency: ArrayLike<number>,
  frequency: ArrayLike<number>,
  monetary: ArrayLike<number>,
): RfmScores {
  const n = recency.length;
  if (frequency.length !== n || monetary.length !== n) {
    throw new RangeError(
      `Expected recency, frequency and monetary of the same length but found ${n}, ` +
        `${frequency.length} and ${monetary.length}`,
    );
  }
  const r = quintileScores(recency);
  for (let i = 0; i < n; i++) if (r.scores[i]! > 0) r.scores[i] = 6 - r.scores[i]!;
  const f = quintileScores(firstRanks(frequency));
  const m = quintileScores(monetary);
  return {
    r: r.scores,
    f: f.scores,
    m: m.scores,
    cutoffs: { recency: r.cutoffs, frequency_rank: f.cutoffs, monetary: m.cutoffs },
  };
}

/** The RFM code of scores, e.g. "543", or null when a score is missing (0). */
export function rfmCode(r: number, f: number, m: number): string | null {
  return r > 0 && f > 0 && m > 0 ? `${r}${f}${m}` : null;
}

/**
 * Scores 1–5 by `pandas.qcut(values, 5)`: right-closed bins between the linear quantiles, the
 * lowest bin closed on both sides; 0 for NaN.
 */
export function quintileScores(
  values: ArrayLike<number>,
): { scores: Uint8Array; cutoffs: number[] } {
  const n = values.length;
  const scores = new Uint8Array(n);
  const known: number[] = [];
  for (let i = 0; i < n; i++) if (!Number.isNaN(values[i]!)) known.push(values[i]!);
  if (known.length === 0) return { scores, cutoffs: [] };
  known.sort((a, b) => a - b);
  const cutoffs = [0.2, 0.4, 0.6, 0.8].map((q) => quantileSorted(known, q));
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) continue;
    let s = 1;
    for (const c of cutoffs) if (v > c) s++;
    scores[i] = s;
  }
  return { scores, cutoffs };
}

/** 1-based ranks by ascending value, ties in row order (pandas `rank(method="first")`); NaN stays NaN. */
function firstRanks(values: ArrayLike<number>): Float64Array {
  const ranks = new Float64Array(values.length).fill(NaN);
  const order: number[] = [];
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i]!)) order.push(i);
  order.sort((a, b) => values[a]! - values[b]! || a - b);
  order.forEach((row, k) => ranks[row] = k + 1);
  return ranks;
}
