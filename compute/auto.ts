/**
 * Automatic model selection: KMeans, Gaussian Mixture and Ward for every k in
 * [minClusters, maxClusters], plus one DBSCAN, each scored with silhouette, Davies-Bouldin and
 * Calinski-Harabasz on the same rows, and the best chosen by one documented rule
 * (`SELECTION_RULE`, docs/model_selection.md).
 *
 * Costs: one Ward tree is built and cut at every k; the silhouette of every candidate is computed
 * on the same seeded sample of `silhouetteSampleSize` rows when there are more (exact below), so
 * candidates are compared on equal terms.
 */
import type { BackendName, ComputeBackend } from "./backend.ts";
import { adjustedRandIndex } from "./ari.ts";
import { dbscan } from "./dbscan.ts";
import { gmm } from "./gmm.ts";
import { kmeans } from "./kmeans.ts";
import { type Matrix, takeRows } from "./matrix.ts";
import { separationScores, silhouetteMany, type SilhouetteOutcome } from "./metrics.ts";
import { createRandom, sampleWithoutReplacement } from "./random.ts";
import { ward } from "./ward.ts";

/** The algorithm families. */
export type Algorithm = "kmeans" | "gmm" | "ward" | "dbscan";

/** Options of `autoSegment`; defaults in `AUTO_DEFAULTS`. */
export interface AutoOptions {
  minClusters?: number;
  maxClusters?: number;
  algorithms?: readonly Algorithm[];
  /** DBSCAN's radius (standardised units) and core threshold. */
  eps?: number;
  minSamples?: number;
  randomState?: number;
  /** KMeans restarts per k. */
  nInit?: number;
  /** Silhouette on a seeded sample of this many rows above it (exact below). */
  silhouetteSampleSize?: number;
  /** Smallest segment, as a share of the clustered rows, for a candidate to be chosen. */
  minSegmentShare?: number;
  /** DBSCAN candidates with more noise than this share are reported but not chosen. */
  maxNoiseShare?: number;
  /** Rows of the resampling stability check (at most). */
  stabilityRows?: number;
  /**
   * True when the client fixed the algorithm or k: that choice is honoured even when the
   * stability check would drop it, with a warning instead of a refusal.
   */
  fixed?: boolean;
  /**
   * Called after each candidate is fitted (`{ stage: "candidates", done: i, total: N }`), then
   * once as the candidates are scored (`{ stage: "selection" }`), so a caller can show progress.
   */
  onProgress?: (p: ProgressEvent) => void;
}

/** A step of a long computation: its stage, and how far into it when it is counted. */
export interface ProgressEvent {
  readonly stage: string;
  readonly done?: number;
  readonly total?: number;
}

/** Defaults: the document-000 job (k = 2..10, eps 0.4, min_samples 5, 10k silhouette sample). */
export const AUTO_DEFAULTS = {
  minClusters: 2,
  maxClusters: 10,
  algorithms: ["kmeans", "gmm", "ward", "dbscan"] as readonly Algorithm[],
  eps: 0.4,
  minSamples: 5,
  randomState: 0,
  nInit: 3,
  silhouetteSampleSize: 10_000,
  minSegmentShare: 0.01,
  maxNoiseShare: 0.5,
  stabilityRows: 5_000,
  fixed: false,
} as const;

/** One fitted candidate and its scores. */
export interface Candidate {
  readonly algorithm: Algorithm;
  /** Clusters found (DBSCAN: without noise). */
  readonly k: number;
  readonly params: Record<string, number>;
  readonly labels: Int32Array;
  readonly silhouette: number | null;
  readonly daviesBouldin: number | null;
  readonly calinskiHarabasz: number | null;
  /** Share of rows labelled noise (DBSCAN), else 0. */
  readonly noiseShare: number;
  /** Share of the clustered rows in the smallest segment. */
  readonly smallestShare: number;
  /** Whether the rule may choose it, and why not. */
  readonly eligible: boolean;
  readonly reason: string | null;
  /** Mean of the three metric ranks among eligible candidates (1 = best); null if ineligible. */
  meanRank: number | null;
  /** Adjusted Rand index between the fit and a refit on a subsample (only for finalists). */
  stability: number | null;
  readonly fitMs: number;
  readonly extra: Record<string, number>;
}

/** The outcome of `autoSegment`. */
export interface AutoResult {
  readonly candidates: Candidate[];
  readonly best: Candidate;
  /** Why the best was chosen, in one sentence. */
  readonly why: string;
  /** `why`'s clause and figures, to word it in another language (`domain/description/`). */
  readonly whyReason: SelectionReason;
  /**
   * `weak` when the data shows no clear groups: no candidate was stable (automatic selection),
   * or the winner's silhouette is below `WEAK_SILHOUETTE`; the answer is still the best one.
   */
  readonly structure: "clear" | "weak";
  /** With a weak structure: what that means, in plain language. */
  readonly note: string | null;
  /** Filters a fixed choice was let through (unstable, tiny segment, mostly noise). */
  readonly warnings: string[];
  readonly silhouetteMode: "exact" | "sampled";
  readonly silhouetteRows: number;
  readonly backend: BackendName;
  readonly timings: Record<string, number>;
}

/**
 * The selection rule, in words (reported with every automatic run; docs/model_selection.md has
 * the evidence behind each number):
 * 1. A candidate is eligible when its three metrics are defined, its smallest segment holds at
 *    least `minSegmentShare` of the clustered rows, and (DBSCAN) it has at least two clusters and
 *    at most `maxNoiseShare` noise. Eligible candidates are ranked on each metric and the mean of
 *    their three ranks is reported (and breaks ties).
 * 2. Every eligible candidate is refitted on a seeded subsample; the adjusted Rand index between
 *    the refit and the full fit is its stability. Candidates at or above `STABLE` (0.9) form the
 *    pool; when none reaches it, those at or above `MIN_STABILITY` (0.6) do.
 * 3. The number of segments: for each k, the best silhouette in the pool among KMeans, Gaussian
 *    Mixture and Ward with k segments. Among k ≥ 3, the largest k whose best silhouette is at
 *    least `K_SILHOUETTE_SHARE` (90 %) of the best one wins: silhouette flattens rather than
 *    drops while real groups are still being separated, so the largest k on the plateau is
 *    chosen instead of the fewer, coarser segments at its peak. Two segments win only when their
 *    silhouette is at least `TWO_SEGMENT_MARGIN` (1.6×) the best with three or more.
 * 4. At that k, the candidate with the highest silhouette wins (ties: mean rank, then the order
 *    kmeans, gmm, ward). DBSCAN replaces it only when it is in the pool and its silhouette,
 *    scaled by the share of customers it assigns, is higher.
 * 5. No candidate stable enough is not a refusal: the best-ranked eligible one is answered,
 *    flagged `structure: "weak"` with a plain-language note (also when the winner's silhouette
 *    is below `WEAK_SILHOUETTE`); a fixed algorithm or k is kept with warnings instead.
 */
export const SELECTION_RULE =
  "eligible: metrics defined, smallest segment ≥ 1 % of customers, DBSCAN ≥ 2 clusters and " +
  "≤ 50 % noise; every eligible candidate is refitted on a subsample and only stable ones " +
  "(ARI ≥ 0.9, else ≥ 0.6) compete; number of segments: the largest k ≥ 3 whose best " +
  "silhouette is ≥ 90 % of the best over k ≥ 3 (two segments only at ≥ 1.6× that silhouette); " +
  "at that k, the highest silhouette wins; DBSCAN only if its silhouette × coverage is higher";

/** Stability (ARI against a refit on a subsample) at which a candidate is fully trusted. */
export const STABLE = 0.9;

/**
 * Rule 3: the largest k whose best silhouette keeps this share of the best one. Measured on 160
 * generated bases of two different generators (bench/selection_signals.ts): 0.9 gave the
 * highest mean ARI against the truth; 0.8 chose too few segments, 1.0 (the peak) fewest.
 */
export const K_SILHOUETTE_SHARE = 0.9;

/**
 * Rule 3: two segments need this margin over the best silhouette with three or more: a
 * "big spenders vs everyone" split often peaks silhouette while hiding the real groups inside.
 */
export const TWO_SEGMENT_MARGIN = 1.6;

const ALGORITHM_ORDER: readonly Algorithm[] = ["kmeans", "gmm", "ward", "dbscan"];

/**
 * Fits every candidate on `x` (standardised rows) and chooses one by `SELECTION_RULE`.
 *
 * @throws {RangeError} when the range of k is invalid for n, or no candidate is eligible.
 */
export async function autoSegment(
  x: Matrix,
  options: AutoOptions,
  backend: ComputeBackend,
): Promise<AutoResult> {
  // Unset (undefined) options keep their defaults.
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const o: Resolved = { ...AUTO_DEFAULTS, onProgress: () => {}, ...given };
  if (!Number.isInteger(o.minClusters) || o.minClusters < 2) {
    throw new RangeError(`Expected min_clusters to be an integer ≥ 2 but found ${o.minClusters}`);
  }
  if (!Number.isInteger(o.maxClusters) || o.maxClusters < o.minClusters) {
    throw new RangeError(
      `Expected max_clusters to be an integer ≥ ${o.minClusters} but found ${o.maxClusters}`,
    );
  }
  const maxK = Math.min(o.maxClusters, x.n - 1);
  if (maxK < o.minClusters) {
    throw new RangeError(`Expected at least ${o.minClusters + 1} rows but found ${x.n}`);
  }
  const timings: Record<string, number> = {};
  const ks = range(o.minClusters, maxK);
  const fits: Array<
    Omit<Candidate, keyof Scores | "eligible" | "reason" | "meanRank" | "stability">
  > = [];
  const total = (["kmeans", "gmm", "ward"] as const)
    .reduce((t, a) => t + (o.algorithms.includes(a) ? ks.length : 0), 0) +
    (o.algorithms.includes("dbscan") ? 1 : 0);
  const fitted = (candidate: (typeof fits)[number]) => {
    fits.push(candidate);
    o.onProgress({ stage: "candidates", done: fits.length, total });
  };
  const time = async <T>(name: string, f: () => Promise<T>) => {
    const t0 = performance.now();
    const v = await f();
    const ms = performance.now() - t0;
    timings[name] = (timings[name] ?? 0) + ms;
    return { v, ms };
  };

  if (o.algorithms.includes("kmeans")) {
    for (const k of ks) {
      const { v, ms } = await time(
        "kmeans",
        () => kmeans(x, { k, nInit: o.nInit, randomState: o.randomState }, backend),
      );
      fitted(fit("kmeans", k, { k, n_init: o.nInit }, v.labels, ms, { inertia: v.inertia }));
    }
  }
  if (o.algorithms.includes("gmm")) {
    for (const k of ks) {
      const { v, ms } = await time("gmm", () => gmm(x, { k, randomState: o.randomState }, backend));
      fitted(
        fit("gmm", k, { k }, v.labels, ms, {
          bic: v.bic,
          mean_log_likelihood: v.meanLogLikelihood,
        }),
      );
    }
  }
  if (o.algorithms.includes("ward")) {
    const { v: tree, ms } = await time(
      "ward",
      () => ward(x, { k: ks[0]!, randomState: o.randomState }, backend),
    );
    for (const k of ks) {
      const t0 = performance.now();
      const labels = k === ks[0] ? tree.labels : tree.labelsFor(k);
      const cut = performance.now() - t0;
      // The tree is shared: its build time is charged once, to the first cut.
      fitted(fit("ward", k, { k }, labels, (k === ks[0] ? ms : 0) + cut, {
        exact: tree.exact ? 1 : 0,
      }));
    }
  }
  if (o.algorithms.includes("dbscan")) {
    const { v, ms } = await time(
      "dbscan",
      () => dbscan(x, { eps: o.eps, minSamples: o.minSamples }, backend),
    );
    fitted(
      fit("dbscan", v.nClusters, { eps: o.eps, min_samples: o.minSamples }, v.labels, ms, {}),
    );
  }

  o.onProgress({ stage: "selection" });
  // One silhouette sample for every candidate, so their scores are comparable.
  const sampled = x.n > o.silhouetteSampleSize;
  const sample = sampled
    ? sampleWithoutReplacement(createRandom(o.randomState), x.n, o.silhouetteSampleSize)
    : undefined;
  const xs = sample ? takeRows(x, sample) : x;
  const t0 = performance.now();
  // Every candidate's silhouette from one pairwise pass over the sample.
  const silhouettes = await silhouetteMany(
    xs,
    fits.map((f) => sample ? Int32Array.from(sample, (i) => f.labels[i]!) : f.labels),
    backend,
  );
  const candidates: Candidate[] = fits.map((f, i) => ({
    ...f,
    ...score(x, f.labels, silhouettes[i]!),
  }));
  timings.metrics = performance.now() - t0;

  rank(candidates, o);
  const t1 = performance.now();
  await checkStability(x, candidates, o, backend);
  timings.stability = performance.now() - t1;
  const choice = choose(candidates, o.fixed);
  return {
    candidates,
    ...choice,
    silhouetteMode: sampled ? "sampled" : "exact",
    silhouetteRows: xs.n,
    backend: backend.info.name,
    timings,
  };
}

type Resolved = Required<AutoOptions>;

interface Scores {
  silhouette: number | null;
  daviesBouldin: number | null;
  calinskiHarabasz: number | null;
  noiseShare: number;
  smallestShare: number;
  eligible: boolean;
  reason: string | null;
  meanRank: number | null;
  stability: number | null;
}

function fit(
  algorithm: Algorithm,
  k: number,
  params: Record<string, number>,
  labels: Int32Array,
  fitMs: number,
  extra: Record<string, number>,
) {
  return { algorithm, k, params, labels, fitMs, extra };
}

function score(x: Matrix, labels: Int32Array, s: SilhouetteOutcome): Scores {
  const sizes = new Map<number, number>();
  let noise = 0;
  for (const l of labels) {
    if (l < 0) noise++;
    else sizes.set(l, (sizes.get(l) ?? 0) + 1);
  }
  const clustered = labels.length - noise;
  const smallestShare = clustered === 0 ? 0 : Math.min(...sizes.values()) / clustered;
  const base = {
    noiseShare: noise / labels.length,
    smallestShare,
    meanRank: null,
    stability: null,
  };
  try {
    if (s.score === null) throw new RangeError(s.reason);
    const separation = separationScores(x, labels);
    return {
      ...base,
      silhouette: s.score.value,
      daviesBouldin: separation.daviesBouldin,
      calinskiHarabasz: separation.calinskiHarabasz,
      eligible: true,
      reason: null,
    };
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    return {
      ...base,
      silhouette: null,
      daviesBouldin: null,
      calinskiHarabasz: null,
      eligible: false,
      reason: `metrics undefined: ${err.message}`,
    };
  }
}

function rank(candidates: Candidate[], o: Resolved): void {
  for (const c of candidates) {
    if (!c.eligible) continue;
    const mutable = c as { eligible: boolean; reason: string | null };
    if (c.algorithm === "dbscan" && c.k < 2) {
      mutable.eligible = false;
      mutable.reason = "DBSCAN found fewer than 2 clusters";
    } else if (c.noiseShare > o.maxNoiseShare) {
      mutable.eligible = false;
      mutable.reason = `more than ${o.maxNoiseShare * 100} % noise`;
    } else if (c.smallestShare < o.minSegmentShare) {
      mutable.eligible = false;
      mutable.reason = `a segment holds under ${o.minSegmentShare * 100} % of the customers`;
    }
  }
  const eligible = candidates.filter((c) => c.eligible);
  const ranksBy = (value: (c: Candidate) => number, higherIsBetter: boolean) => {
    const sorted = [...eligible].sort((a, b) =>
      higherIsBetter ? value(b) - value(a) : value(a) - value(b)
    );
    const ranks = new Map<Candidate, number>();
    // Equal values share the mean of their positions, so ties cost nobody.
    for (let i = 0; i < sorted.length;) {
      let j = i;
      while (j + 1 < sorted.length && value(sorted[j + 1]!) === value(sorted[i]!)) j++;
      for (let t = i; t <= j; t++) ranks.set(sorted[t]!, (i + j) / 2 + 1);
      i = j + 1;
    }
    return ranks;
  };
  // DBSCAN is scored on the customers it assigns; for ranking, its scores are scaled by that
  // coverage, so that leaving the hard half of the customers out is not rewarded.
  const coverage = (c: Candidate) => 1 - c.noiseShare;
  const rs = ranksBy((c) => c.silhouette! * coverage(c), true);
  const rd = ranksBy((c) => c.daviesBouldin! / coverage(c), false);
  const rc = ranksBy((c) => c.calinskiHarabasz! * coverage(c), true);
  for (const c of eligible) c.meanRank = (rs.get(c)! + rd.get(c)! + rc.get(c)!) / 3;
}

// Every eligible candidate is refitted on one seeded subsample (at most `stabilityRows` × 0.8
// rows, so the cost is bounded whatever n); Ward's tree is built once there and cut at every k.
async function checkStability(
  x: Matrix,
  candidates: Candidate[],
  o: Resolved,
  backend: ComputeBackend,
): Promise<void> {
  const eligible = candidates.filter((c) => c.eligible);
  if (eligible.length === 0) return;
  const rows = Math.min(x.n, o.stabilityRows);
  const pick = sampleWithoutReplacement(
    createRandom(o.randomState + 1),
    x.n,
    Math.max(3, Math.floor(rows * 0.8)),
  );
  const sub = takeRows(x, pick);
  const seed = o.randomState + 1;
  let tree: Awaited<ReturnType<typeof ward>> | null = null;
  for (const c of eligible) {
    let labels: Int32Array;
    if (c.k >= sub.n && c.algorithm !== "dbscan") continue;
    if (c.algorithm === "kmeans") {
      labels = (await kmeans(sub, { k: c.k, nInit: o.nInit, randomState: seed }, backend)).labels;
    } else if (c.algorithm === "gmm") {
      labels = (await gmm(sub, { k: c.k, randomState: seed }, backend)).labels;
    } else if (c.algorithm === "ward") {
      tree ??= await ward(sub, { k: c.k, randomState: seed }, backend);
      labels = tree.labelsFor(c.k);
    } else {
      labels =
        (await dbscan(sub, { eps: c.params.eps!, minSamples: c.params.min_samples! }, backend))
          .labels;
    }
    c.stability = adjustedRandIndex(labels, Int32Array.from(pick, (i) => c.labels[i]!));
  }
}

/** A candidate as `why` names it: "kmeans with 4 segments". */
export interface ModelRef {
  readonly algorithm: Algorithm;
  readonly k: number;
}

/**
 * The clause `why` is worded from, with its figures (silhouettes, stability and mean rank as
 * unrounded numbers): `highest` (the best silhouette among stable k ≥ 3), `within` (the most
 * segments whose silhouette is within `share` of `peak`'s), `two_better` (two segments beat the
 * best k ≥ 3 by `margin`), `only_two` (two is the only stable k), `density` (DBSCAN's
 * coverage-scaled silhouette beats `over`), `unstable` (nothing stable: the best mean rank),
 * `fixed_unstable` (the requested segmentation, kept though nothing is stable).
 */
export interface SelectionReason {
  readonly clause:
    | "highest"
    | "within"
    | "two_better"
    | "only_two"
    | "density"
    | "unstable"
    | "fixed_unstable";
  readonly chosen: ModelRef;
  /** The chosen one's silhouette (`density`: scaled by the share of customers it assigns). */
  readonly silhouette?: number;
  readonly peak?: ModelRef & { readonly silhouette: number };
  readonly share?: number;
  readonly margin?: number;
  /** `density`: the partition it beat, if any. */
  readonly over?: ModelRef & { readonly silhouette: number };
  readonly meanRank?: number;
  readonly stability: number | null;
}

/** What `choose` decided. */
export type Choice = Pick<
  AutoResult,
  "best" | "why" | "whyReason" | "structure" | "note" | "warnings"
>;

/**
 * Rules 3–5 on ranked, stability-checked candidates. When no candidate is stable, the answer
 * is still the best-ranked eligible one, flagged `weak` (automatic) or kept with a warning
 * (`fixed`: the client's algorithm or k is honoured); only when nothing is eligible at all
 * (metrics undefined everywhere) is there no answer.
 *
 * @throws {RangeError} when no candidate is eligible.
 */
export function choose(candidates: Candidate[], fixed = false): Choice {
  const eligible = candidates.filter((c) => c.eligible).sort(compare);
  if (eligible.length === 0) {
    throw new RangeError("No candidate is eligible: every segmentation was degenerate");
  }
  const stableAt = (t: number) => eligible.filter((c) => c.stability !== null && c.stability >= t);
  const trusted = stableAt(STABLE);
  const pool = trusted.length > 0 ? trusted : stableAt(MIN_STABILITY);
  const picked = pool.length > 0 ? chooseStable(pool) : chooseUnstable(eligible, fixed);
  const best = picked.best;
  // A fixed choice that is unstable says little about the data (other k may be stable): that
  // is its warning, and only a low silhouette makes it weak.
  const unstable = pool.length === 0 && !fixed;
  const weak = unstable || best.silhouette! < WEAK_SILHOUETTE;
  return {
    ...picked,
    structure: weak ? "weak" : "clear",
    note: weak ? weakNote(best, unstable) : null,
    warnings: fixed ? fixedWarnings(best) : [],
  };
}

/** Below this adjusted Rand index against a refit on a subsample, a candidate is unstable. */
export const MIN_STABILITY = 0.6;

/**
 * Below this silhouette the winner is reported as weak structure: Kaufman and Rousseeuw's
 * threshold for "no substantial structure" (uniform random data scores about 0.15–0.3).
 */
export const WEAK_SILHOUETTE = 0.25;

// Rules 3 and 4 on the stable pool (sorted by mean rank).
function chooseStable(
  pool: Candidate[],
): { best: Candidate; why: string; whyReason: SelectionReason } {
  const partitions = pool.filter((c) => c.algorithm !== "dbscan");
  const bestAt = new Map<number, Candidate>();
  for (const c of partitions) {
    const held = bestAt.get(c.k);
    if (!held || c.silhouette! > held.silhouette!) bestAt.set(c.k, c);
  }
  let winner: Candidate | undefined;
  let why = "";
  let clause: SelectionReason["clause"] = "highest";
  let extra: Partial<SelectionReason> = {};
  const multi = [...bestAt.values()].filter((c) => c.k >= 3);
  const two = bestAt.get(2);
  if (multi.length > 0) {
    const peak = multi.reduce((a, b) => (b.silhouette! > a.silhouette! ? b : a));
    const floor = K_SILHOUETTE_SHARE * peak.silhouette!;
    winner = multi.filter((c) => c.silhouette! >= floor).reduce((a, b) => (b.k > a.k ? b : a));
    why = winner === peak
      ? `${label(winner)} has the highest silhouette (${fix(winner.silhouette!)}) among stable ` +
        `candidates with three or more segments`
      : `${label(winner)}: the most segments whose silhouette (${fix(winner.silhouette!)}) is ` +
        `within ${pct(K_SILHOUETTE_SHARE)} of the best (${fix(peak.silhouette!)}, ${label(peak)})`;
    if (winner !== peak) {
      clause = "within";
      extra = { share: K_SILHOUETTE_SHARE, peak: { ...ref(peak), silhouette: peak.silhouette! } };
    }
    if (two && two.silhouette! >= TWO_SEGMENT_MARGIN * peak.silhouette!) {
      why = `${label(two)} separates customers far better (silhouette ${fix(two.silhouette!)}, ` +
        `${TWO_SEGMENT_MARGIN}× or more the best with three or more segments)`;
      winner = two;
      clause = "two_better";
      extra = { margin: TWO_SEGMENT_MARGIN };
    }
  } else if (two) {
    winner = two;
    why = `${label(two)} is the only stable number of segments (best silhouette ` +
      `${fix(two.silhouette!)})`;
    clause = "only_two";
  }
  const coverageSilhouette = (c: Candidate) => c.silhouette! * (1 - c.noiseShare);
  const density = pool.filter((c) => c.algorithm === "dbscan")
    .sort((a, b) => coverageSilhouette(b) - coverageSilhouette(a))[0];
  if (density && (!winner || coverageSilhouette(density) > winner.silhouette!)) {
    const over = winner ? ` over ${label(winner)} (${fix(winner.silhouette!)})` : "";
    return {
      best: density,
      why: `${label(density)} has the higher silhouette scaled by the customers it assigns ` +
        `(${fix(coverageSilhouette(density))})${over}`,
      whyReason: {
        clause: "density",
        chosen: ref(density),
        silhouette: coverageSilhouette(density),
        ...(winner ? { over: { ...ref(winner), silhouette: winner.silhouette! } } : {}),
        stability: density.stability,
      },
    };
  }
  const stability = ` (stability ${fix(winner!.stability!)})`;
  return {
    best: winner!,
    why: why + stability,
    whyReason: {
      clause,
      chosen: ref(winner!),
      silhouette: winner!.silhouette!,
      ...extra,
      stability: winner!.stability,
    },
  };
}

// Nothing passed the stability check: the best-ranked candidate is still the most useful
// answer, and the caller is told that its segments are not reliable.
function chooseUnstable(
  eligible: Candidate[],
  fixed: boolean,
): { best: Candidate; why: string; whyReason: SelectionReason } {
  const top = eligible[0]!;
  const stability = top.stability === null ? "" : ` (stability ${top.stability.toFixed(2)})`;
  return {
    best: top,
    whyReason: {
      clause: fixed ? "fixed_unstable" : "unstable",
      chosen: ref(top),
      meanRank: top.meanRank!,
      stability: top.stability,
    },
    why: fixed
      ? `${label(top)} is the requested segmentation with the best mean rank ` +
        `(${top.meanRank!.toFixed(2)}); it is kept although no candidate was stable${stability}`
      : `no candidate was stable; ${label(top)} has the best mean rank ` +
        `(${top.meanRank!.toFixed(2)}) over silhouette, Davies-Bouldin and Calinski-Harabasz` +
        stability,
  };
}

function weakNote(best: Candidate, unstable: boolean): string {
  const silhouette = best.silhouette!.toFixed(2);
  return `no clear groups: the best split's silhouette is ${silhouette}` +
    (unstable
      ? ` and its segments change when refitted on a subsample (stability ${
        best.stability?.toFixed(2) ?? "unknown"
      }); treat them as a rough partition, not as distinct customer types`
      : "; treat the segments as a rough partition, not as distinct customer types");
}

// The filters a fixed choice is exempt from, reported instead of applied.
function fixedWarnings(best: Candidate): string[] {
  const warnings: string[] = [];
  if (best.stability !== null && best.stability < MIN_STABILITY) {
    warnings.push(
      `unstable: refitted on a subsample, its labels agree by an adjusted Rand index of ` +
        `${best.stability.toFixed(2)} (below ${MIN_STABILITY})`,
    );
  }
  if (best.smallestShare < AUTO_DEFAULTS.minSegmentShare) {
    warnings.push(
      `a segment holds ${pct(best.smallestShare)} of the customers (under ` +
        `${AUTO_DEFAULTS.minSegmentShare * 100} %)`,
    );
  }
  if (best.noiseShare > AUTO_DEFAULTS.maxNoiseShare) {
    warnings.push(`${pct(best.noiseShare)} of the customers are noise`);
  }
  return warnings;
}

function compare(a: Candidate, b: Candidate): number {
  return (a.meanRank! - b.meanRank!) || (b.silhouette! - a.silhouette!) ||
    (ALGORITHM_ORDER.indexOf(a.algorithm) - ALGORITHM_ORDER.indexOf(b.algorithm)) || (a.k - b.k);
}

function ref(c: Candidate): ModelRef {
  return { algorithm: c.algorithm, k: c.k };
}

function label(c: Candidate): string {
  return `${c.algorithm} with ${c.k} segments`;
}

function fix(v: number): string {
  return v.toFixed(2);
}

function pct(v: number): string {
  return `${Math.round(v * 100)} %`;
}

function range(a: number, b: number): number[] {
  return Array.from({ length: b - a + 1 }, (_, i) => a + i);
}
