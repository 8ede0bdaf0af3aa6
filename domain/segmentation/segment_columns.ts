/**
 * The one segmentation pipeline behind every entry point (documents 000, 001 and 002 and the
 * analyst workflow of 004): typed columns → preprocessing (`preprocess.ts`) → candidate models
 * and the selection rule (`compute/auto.ts`) → profiles → names and personas, and optionally
 * feature importance and a confidence figure. The entry points differ only in the options they
 * pass (docs/pipeline.md lists them), so the same customers with the same seed get the same
 * segments whichever door they come in by.
 *
 * @module
 */
import {
  type Algorithm,
  type AutoResult,
  autoSegment,
  type ProgressEvent,
} from "../../compute/auto.ts";
import type { ComputeBackend } from "../../compute/backend.ts";
import type { ColumnTable } from "../datasets/types.ts";
import { clusterConfidence, featureImportance } from "../description/importance.ts";
import {
  describeSegments,
  type NarrativeOptions,
  type SegmentNarrative,
} from "../description/narrative.ts";
import {
  type CategoricalColumn,
  type ClusterProfiles,
  type NumericColumn,
  profileClusters,
} from "../description/profile.ts";
import { preprocess, type Preprocessed, type PreprocessOptions } from "./preprocess.ts";

/** Options of `segmentColumns`; every one is optional. */
export interface SegmentOptions {
  /** How the columns become features (id field, skew handling, PCA, …). */
  preprocess?: PreprocessOptions;
  /** The algorithms tried (default: all four). */
  algorithms?: readonly Algorithm[];
  /** Smallest and largest k searched (default 2 and 10, capped at n − 1). */
  minClusters?: number;
  maxClusters?: number;
  randomState?: number;
  /** DBSCAN's radius on the standardised features (default 0.4) and core threshold (5). */
  eps?: number;
  minSamples?: number;
  /**
   * True when the client chose the algorithm or k: the rule's guards against small segments
   * and noise do not second-guess that choice.
   */
  fixed?: boolean;
  /**
   * Profile these columns (original units) instead of the preprocessed fields: numeric and
   * categorical each replace their kind when given.
   */
  profile?: {
    numeric?: readonly NumericColumn[];
    categorical?: readonly CategoricalColumn[];
    topCategories?: number;
  };
  /** Language, roles and revenue feature of the names and personas. */
  narrative?: NarrativeOptions;
  /** Also measure each field's importance and the segments' cross-validated accuracy. */
  explain?: boolean;
  /** Called as each stage starts, and per candidate model ("candidate i of N"). */
  onProgress?: (p: ProgressEvent) => void;
  /**
   * Maps an input error (`RangeError`, `TypeError`, or a `DatasetError`) of the `preprocess`
   * or `select` stage to the error thrown, so an entry point can name its own parameter.
   */
  inputError?: (error: Error, stage: "preprocess" | "select") => Error;
}

/** Everything the pipeline computed; each entry point shapes its response from it. */
export interface Segmentation {
  pre: Preprocessed;
  auto: AutoResult;
  labels: Int32Array;
  profiles: ClusterProfiles;
  narratives: SegmentNarrative[];
  /** With `explain`: original field → share of the between-cluster variance. */
  importance: ReturnType<typeof featureImportance> | null;
  /** With `explain`: cross-validated nearest-centroid accuracy. */
  confidence: ReturnType<typeof clusterConfidence> | null;
}

/**
 * Segments the rows of `table` on `backend`: preprocessing, every candidate of `compute/auto.ts`
 * scored and one chosen by its rule, then profiles, names and personas. Deterministic for a
 * given `randomState`.
 *
 * @throws {RangeError | TypeError} (or what `inputError` makes of them) when the table cannot be
 *   preprocessed (no usable feature, a bad id field) or segmented (k out of range, too few
 *   distinct rows, no eligible candidate).
 *
 * @example
 * ```ts
 * import { segmentColumns } from "./segment_columns.ts";
 * import { columnsFromRecords } from "../datasets/records.ts";
 * import { createCpuBackend } from "../../compute/cpu/backend.ts";
 * const backend = createCpuBackend({ workers: 0 });
 * const rows = Array.from({ length: 30 }, (_, i) => ({ spend: (i % 3) * 100 + (i % 5) }));
 * const s = await segmentColumns(columnsFromRecords(rows), { maxClusters: 4 }, backend);
 * if (s.labels.length !== 30 || s.narratives.length < 2) throw new Error();
 * await backend.dispose();
 * ```
 */
export async function segmentColumns(
  table: ColumnTable,
  options: SegmentOptions,
  backend: ComputeBackend,
): Promise<Segmentation> {
  const progress = options.onProgress ?? (() => {});
  const fail = options.inputError ?? ((e) => e);
  progress({ stage: "preprocess" });
  let pre: Preprocessed;
  try {
    pre = preprocess(table, options.preprocess);
  } catch (err) {
    throw isInputError(err) ? fail(err, "preprocess") : err;
  }
  const n = pre.x.n;
  const randomState = options.randomState ?? 0;
  const minClusters = options.minClusters ?? 2;
  const auto = await autoSegment(pre.x, {
    minClusters,
    maxClusters: Math.min(options.maxClusters ?? 10, n - 1),
    algorithms: options.algorithms,
    randomState,
    eps: options.eps,
    minSamples: options.minSamples,
    fixed: options.fixed ?? false,
    ...(options.fixed ? { minSegmentShare: 0, maxNoiseShare: 1 } : {}),
    onProgress: progress,
  }, backend).catch((err) => {
    // autoSegment's RangeErrors are about the range of k or degenerate data, never a bug.
    throw err instanceof RangeError ? fail(err, "select") : err;
  });
  const labels = auto.best.labels;

  progress({ stage: "profiles" });
  const numeric = options.profile?.numeric ??
    Object.entries(pre.raw.numeric).map(([name, values]) => ({ name, values }));
  const categorical = options.profile?.categorical ??
    Object.entries(pre.raw.categorical).map(([name, values]) => ({ name, values }));
  const profiles = profileClusters(
    { labels, numeric, categorical, standardized: pre.x },
    options.profile?.topCategories === undefined
      ? {}
      : { topCategories: options.profile.topCategories },
  );

  progress({ stage: "narratives" });
  const narratives = describeSegments(profiles, options.narrative ?? {});

  let importance: Segmentation["importance"] = null;
  let confidence: Segmentation["confidence"] = null;
  if (options.explain) {
    progress({ stage: "importance" });
    // Importance is summed per original field, so it needs the encoded columns before any PCA.
    const encoded = pre.pca ? preprocess(table, { ...options.preprocess, pca: false }).x : pre.x;
    importance = featureImportance(encoded, labels, pre.originalFeatureOf, pre.fields);
    confidence = clusterConfidence(pre.x, labels, { randomState });
  }
  return { pre, auto, labels, profiles, narratives, importance, confidence };
}

// The errors that mean "this input cannot be segmented": a DatasetError is a plain Error with a
// 4xx status, the others are the built-in classes preprocessing and selection throw.
function isInputError(err: unknown): err is Error {
  return err instanceof RangeError || err instanceof TypeError ||
    (err instanceof Error && err.name === "DatasetError");
}
