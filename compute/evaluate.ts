/**
 * Scores a labelling with the three internal metrics under one policy: the silhouette is exact
 * up to `SILHOUETTE_EXACT_MAX_ROWS` scored rows and computed on a seeded uniform sample of
 * `SILHOUETTE_SAMPLE_SIZE` rows above that (its cost grows as n²); Davies-Bouldin and
 * Calinski-Harabasz are always exact (their cost grows as n). Noise rows (−1) are left out.
 */
import type { BackendName, ComputeBackend } from "./backend.ts";
import type { Matrix } from "./matrix.ts";
import { separationScores, silhouette } from "./metrics.ts";

/** Largest number of scored rows whose silhouette is computed exactly (about 0.3 s on 2 cores). */
export const SILHOUETTE_EXACT_MAX_ROWS = 20_000;
/** Rows in the silhouette sample above that (scikit-learn users' customary 10k). */
export const SILHOUETTE_SAMPLE_SIZE = 10_000;

/** The metrics of one labelling. */
export interface Evaluation {
  readonly silhouette: number;
  readonly daviesBouldin: number;
  readonly calinskiHarabasz: number;
  /** `exact`, or `sampled` with the rows scored and the seed used. */
  readonly silhouetteMode: "exact" | "sampled";
  readonly silhouetteRows: number;
  /** Share of rows labelled noise (−1), in [0, 1]. */
  readonly noiseShare: number;
  readonly backend: BackendName;
  /** Milliseconds for the three metrics together. */
  readonly ms: number;
}

/** Options of `evaluate`. */
export interface EvaluateOptions {
  /** Seed of the silhouette sample. */
  randomState?: number;
  /** Override of `SILHOUETTE_EXACT_MAX_ROWS`. */
  exactMaxRows?: number;
  /** Override of `SILHOUETTE_SAMPLE_SIZE`. */
  sampleSize?: number;
}

/**
 * Computes every metric of `labels` over `x`.
 *
 * @throws {RangeError} when the labelling has fewer than 2 clusters (or one per row) outside
 *   the noise: the metrics are undefined there.
 */
export async function evaluate(
  x: Matrix,
  labels: Int32Array,
  backend: ComputeBackend,
  options: EvaluateOptions = {},
): Promise<Evaluation> {
  const t0 = performance.now();
  const exactMax = options.exactMaxRows ?? SILHOUETTE_EXACT_MAX_ROWS;
  let noise = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] === -1) noise++;
  const scored = labels.length - noise;
  const { daviesBouldin: db, calinskiHarabasz: ch } = separationScores(x, labels);
  const s = await silhouette(x, labels, backend, {
    sampleSize: scored > exactMax ? options.sampleSize ?? SILHOUETTE_SAMPLE_SIZE : undefined,
    randomState: options.randomState ?? 0,
  });
  return {
    silhouette: s.value,
    daviesBouldin: db,
    calinskiHarabasz: ch,
    silhouetteMode: s.sampled ? "sampled" : "exact",
    silhouetteRows: s.rows,
    noiseShare: labels.length === 0 ? 0 : noise / labels.length,
    backend: s.backend,
    ms: performance.now() - t0,
  };
}
