import type { Matrix } from "./matrix.ts";

/** Which implementation ran a pass. */
export type BackendName = "cpu" | "gpu";

/** What a caller asks for: `auto` picks the GPU unless the only adapter is a fallback one. */
export type BackendChoice = "auto" | "cpu" | "gpu";

/** A description of a backend, for logs, `/api/health` and results. */
export interface BackendInfo {
  readonly name: BackendName;
  /** The adapter's description (GPU), or the CPU and thread count. */
  readonly description: string;
  /** True when the GPU adapter is a software one (e.g. Mesa llvmpipe). */
  readonly fallbackAdapter?: boolean;
}

/** One Lloyd assignment against a set of centres, reduced to what the update needs. */
export interface LloydStep {
  /** Per-cluster sums of the assigned rows, k × d, float64. */
  readonly sums: Float64Array;
  /** Rows assigned to each cluster. */
  readonly counts: Float64Array;
  /** Sum over rows of the squared distance to the assigned centre (the given centres). */
  readonly inertia: number;
  /** Rows whose label differs from the previous step (all rows on the first step). */
  readonly changed: number;
}

/** Where a Lloyd loop run by the backend itself ended (`LloydSession.fit`). */
export interface LloydFit {
  /** k × d, row-major: the centres after the last iteration. */
  readonly centers: Float32Array;
  /** Inertia of the labels against `centers` (as kmeans.ts's loop reports it). */
  readonly inertia: number;
  readonly nIter: number;
  readonly converged: boolean;
}

/**
 * The assignment state of one KMeans fit, kept by the backend between iterations (on the GPU the
 * rows and labels stay on the device; only the k × d sums come back each iteration).
 */
export interface LloydSession {
  /** The backend that ran the last step (a GPU failure moves the session to the CPU). */
  readonly backend: BackendName;
  /** Assigns every row to its nearest centre (`centers` is k × d, row-major). */
  step(centers: Float32Array): Promise<LloydStep>;
  /** The labels of the last step, in row order. */
  labels(): Promise<Int32Array>;
  /** The squared distance of every row to its centre at the last step. */
  distances(): Promise<Float32Array>;
  /** Releases buffers; the session cannot be used afterwards. */
  dispose(): void;
  /**
   * Optional: kmeans.ts's whole Lloyd loop from `start` (at most `maxIter` iterations; stops on
   * unchanged labels from the second iteration, or a squared centre shift ≤ `tolAbs`; empty
   * clusters take the farthest rows), run by the backend without a round trip per iteration.
   * Afterwards `labels()` are those of the returned centres' assignment. Resolves to undefined
   * when the backend did not run it (the caller then runs its own loop over `step`).
   */
  fit?(start: Float32Array, maxIter: number, tolAbs: number): Promise<LloydFit | undefined>;
}

/** Nearest-centre assignment of every row. */
export interface Assignment {
  readonly labels: Int32Array;
  /** Squared Euclidean distance to the assigned centre. */
  readonly dist2: Float32Array;
  readonly backend: BackendName;
}

/**
 * The density graph of DBSCAN reduced to what the labelling needs, without neighbour lists.
 * `root[i]` of a core point is the smallest index of a core point in its ε-connected component;
 * of a non-core point, the smallest such root among core points within ε, or −1 (noise).
 */
export interface DbscanGraph {
  readonly core: Uint8Array;
  readonly root: Int32Array;
  readonly backend: BackendName;
}

/** For each row i and cluster c, the sum of Euclidean distances from i to the rows of c. */
export interface ClusterDistanceSums {
  /** n × k, row-major, float64. */
  readonly sums: Float64Array;
  readonly backend: BackendName;
}

/**
 * The heavy passes of the engine, implemented once on the CPU (the reference) and once in WGSL
 * on WebGPU, with the same signatures and the same tests. Everything else in `compute/` is
 * backend-independent and calls these.
 */
export interface ComputeBackend {
  readonly info: BackendInfo;
  /** Nearest of `k` centres (k × d, row-major) for every row of `x`. */
  assign(x: Matrix, centers: Float32Array, k: number): Promise<Assignment>;
  /** Starts a KMeans fit over `x` with `k` clusters. */
  lloyd(x: Matrix, k: number): Promise<LloydSession>;
  /** Core flags and ε-connected components, `eps` inclusive, `minSamples` counting the point. */
  dbscanGraph(x: Matrix, eps: number, minSamples: number): Promise<DbscanGraph>;
  /** Per-row sums of distances to every cluster (labels in [0, k); −1 rows are skipped). */
  clusterDistanceSums(x: Matrix, labels: Int32Array, k: number): Promise<ClusterDistanceSums>;
  /**
   * `clusterDistanceSums` for several labellings of the same rows (`labelSets[l]` with
   * `ks[l]` clusters), in one pairwise pass where the backend can: `sums[l]` is n × ks[l] as
   * `clusterDistanceSums(x, labelSets[l], ks[l]).sums` would be. A row labelled −1 in one
   * labelling is skipped for that labelling only (its own sums there are 0).
   */
  clusterDistanceSumsMany(
    x: Matrix,
    labelSets: Int32Array[],
    ks: number[],
  ): Promise<{ sums: Float64Array[]; backend: BackendName }>;
  /** Ends workers and releases the device. */
  dispose(): Promise<void>;
}
