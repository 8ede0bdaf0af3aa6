/**
 * Document 002's `POST /api/recommendations` on an analysis in the document's own shape (each
 * cluster a `clusterName`, a `centroid` of numeric features and its `customers`), made by any
 * client or service: the clusters are profiled again from what the analysis holds (the
 * customers' records where they give every centroid feature, else each cluster's centroid
 * weighted by its size) and described in the request's language, keeping the analysis's own
 * cluster names and ids. The strategy lines then come from `recommendationLines`.
 *
 * @module
 */
import {
  describeSegments,
  type Language,
  type SegmentNarrative,
} from "../description/narrative.ts";
import { profileClusters } from "../description/profile.ts";

/** One cluster of an analysis in document 002's shape; every field optional but `centroid`. */
export interface DocumentAnalysisCluster {
  clusterId?: number;
  clusterName?: string;
  characteristics?: readonly string[];
  /** Mean of each numeric feature over the cluster. */
  centroid?: Readonly<Record<string, number>>;
  /** The cluster's customers: records (objects of fields) or ids. */
  customers?: readonly unknown[];
  /** The number of customers, when `customers` is absent or holds no records. */
  size?: number;
}

/**
 * Rows a centroid-only analysis is expanded to at most: the clusters' sizes are scaled down to
 * this total (each keeping at least one row), which keeps their shares.
 */
export const MAX_SYNTHETIC_ROWS = 10_000;

/**
 * The narratives (names, levels, KPIs, actions, priority) of `clusters`, in `language`, in
 * cluster order. The features are the centroid keys every cluster has, with finite values.
 * When every cluster lists customer records holding a finite number for each feature, those
 * records are profiled; otherwise each cluster counts as `size` (else the length of
 * `customers`, else 1) customers at its centroid. Each narrative keeps the cluster's
 * `clusterName` (when not blank) and `clusterId` (when every cluster has a distinct one; else
 * its position).
 *
 * @throws {RangeError} when there is no cluster or no numeric feature every centroid gives.
 */
export function narrativesFromAnalysis(
  clusters: readonly DocumentAnalysisCluster[],
  language: Language,
): SegmentNarrative[] {
  if (clusters.length === 0) {
    throw new RangeError("Expected at least one cluster in the analysis but found none");
  }
  const features = commonFeatures(clusters);
  if (features.length === 0) {
    throw new RangeError(
      "Expected every cluster of the analysis to have a centroid with the same numeric " +
        'features (e.g. {"income": 72000}) but found none in common',
    );
  }
  const rows = recordRows(clusters, features) ?? centroidRows(clusters, features);
  const profiles = profileClusters({
    labels: Int32Array.from(rows.labels),
    numeric: features.map((name, f) => ({
      name,
      values: Float64Array.from(rows.values, (row) => row[f]!),
    })),
  });
  const ids = clusters.map((c) => c.clusterId);
  const keepIds = ids.every((id) => Number.isInteger(id)) && new Set(ids).size === ids.length;
  return describeSegments(profiles, { language }).map((n) => {
    const cluster = clusters[n.cluster_id]!;
    const name = cluster.clusterName?.trim();
    return {
      ...n,
      cluster_id: keepIds ? cluster.clusterId! : n.cluster_id,
      ...(name ? { name } : {}),
    };
  });
}

/** The centroid features every cluster gives as finite numbers, in the first cluster's order. */
function commonFeatures(clusters: readonly DocumentAnalysisCluster[]): string[] {
  const finite = (c: DocumentAnalysisCluster, name: string) =>
    c.centroid !== undefined && Object.hasOwn(c.centroid, name) &&
    typeof c.centroid[name] === "number" && Number.isFinite(c.centroid[name]);
  return Object.keys(clusters[0]!.centroid ?? {}).filter((name) =>
    clusters.every((c) => finite(c, name))
  );
}

interface Rows {
  labels: number[];
  values: number[][];
}

/** The customers' records as rows, or null unless every cluster has records with every feature. */
function recordRows(
  clusters: readonly DocumentAnalysisCluster[],
  features: readonly string[],
): Rows | null {
  const rows: Rows = { labels: [], values: [] };
  for (let k = 0; k < clusters.length; k++) {
    const customers = clusters[k]!.customers;
    if (!Array.isArray(customers) || customers.length === 0) return null;
    for (const customer of customers) {
      if (customer === null || typeof customer !== "object" || Array.isArray(customer)) {
        return null;
      }
      const record = customer as Record<string, unknown>;
      const values = features.map((name) => record[name]);
      if (!values.every((v) => typeof v === "number" && Number.isFinite(v))) return null;
      rows.labels.push(k);
      rows.values.push(values as number[]);
    }
  }
  return rows;
}

/** Each cluster's centroid repeated by its weight, scaled to `MAX_SYNTHETIC_ROWS` at most. */
function centroidRows(
  clusters: readonly DocumentAnalysisCluster[],
  features: readonly string[],
): Rows {
  const weights = clusters.map((c) => {
    const w = c.size ?? (Array.isArray(c.customers) ? c.customers.length : 1);
    return Number.isFinite(w) && w >= 1 ? Math.floor(w) : 1;
  });
  const total = weights.reduce((a, b) => a + b, 0);
  const scale = total > MAX_SYNTHETIC_ROWS ? MAX_SYNTHETIC_ROWS / total : 1;
  const rows: Rows = { labels: [], values: [] };
  clusters.forEach((c, k) => {
    const values = features.map((name) => c.centroid![name]!);
    const count = Math.max(1, Math.round(weights[k]! * scale));
    for (let i = 0; i < count; i++) {
      rows.labels.push(k);
      rows.values.push(values);
    }
  });
  return rows;
}

/**
 * `narratives`, written in `written`, as they read in `language`: themselves when the two are
 * the same (or `written` is unknown); else described again from `clusters` (the same analysis's
 * clusters, by `narrativesFromAnalysis`, names and ids kept), or themselves when the clusters
 * have no centroid features to describe them by.
 */
export function narrativesInLanguage(
  narratives: readonly SegmentNarrative[],
  clusters: readonly DocumentAnalysisCluster[],
  written: Language | undefined,
  language: Language,
): SegmentNarrative[] {
  if (written === undefined || written === language) return [...narratives];
  try {
    return narrativesFromAnalysis(clusters, language);
  } catch (err) {
    if (err instanceof RangeError) return [...narratives];
    throw err;
  }
}
