/**
 * What the analyst's workflow shows of a stored clustering (`stored_run.ts`'s `StoredWorkflow`):
 * the Plotly figures of `GET /api/visualizations`, the clustered CSV, the JSON report and the
 * standalone HTML report of the exports (documents 003 and 004), all from the run and its
 * dataset, so every view of one run agrees.
 *
 * @module
 */
import { datasetCsv } from "../reports/csv_export.ts";
import type { Dataset } from "../datasets/types.ts";
import {
  clusterScatter,
  clusterSizes,
  correlationHeatmap,
  featureMeans,
  type PlotlyFigure,
} from "../reports/figures.ts";
import { htmlReport, type ReportInput } from "../reports/html_report.ts";
import type { RunRecord } from "../segmentation/runs.ts";
import type { StoredWorkflow } from "./stored_run.ts";
import { clusterNames, workflowResponse, type WorkflowRun } from "../segmentation/workflow_run.ts";
import { describeSegments, type Language } from "../description/narrative.ts";
import {
  candidateReasonText,
  selectionNote,
  selectionWarnings,
  selectionWhy,
} from "../description/selection_text.ts";
import type { SelectionReason } from "../../compute/auto.ts";
export { clusterNames };
import type { CorrelationMatrix } from "../datasets/correlation.ts";

/** The figures of `GET /api/visualizations`. */
export interface WorkflowFigures {
  scatter_chart: PlotlyFigure;
  distribution_chart: PlotlyFigure;
  feature_means_chart: PlotlyFigure;
}

/**
 * `run` with its segments' names, personas, characteristics and actions in `language`: the run
 * itself when it was written in it, else its texts described again from its stored profiles
 * (`describeSegments`, the pipeline's own narrative step with the same options), so switching
 * language never computes the segmentation again. Numbers, labels and ids are the run's.
 */
export function inLanguage(run: WorkflowRun, language: Language | undefined): WorkflowRun {
  if (language === undefined || run.language === language) return run;
  // Runs stored before the selection kept its reason keep their English sentences.
  const { reason } = run.selection;
  const selection = reason
    ? { ...run.selection, ...selectionSentences(run, reason, language) }
    : run.selection;
  return { ...run, segments: describeSegments(run.profiles, { language }), selection, language };
}

/** The selection's why, note and warnings worded again from the stored run's figures. */
function selectionSentences(run: WorkflowRun, reason: SelectionReason, language: Language) {
  const { silhouette, stability, noise_share } = run.metrics;
  const sizes = new Map<number, number>();
  let clustered = 0;
  for (const l of run.labels) {
    if (l < 0) continue;
    sizes.set(l, (sizes.get(l) ?? 0) + 1);
    clustered++;
  }
  const smallestShare = clustered === 0 ? 0 : Math.min(...sizes.values()) / clustered;
  return {
    why: selectionWhy(reason, language),
    note: run.selection.note === null || silhouette === null
      ? run.selection.note
      : selectionNote(reason.clause === "unstable", silhouette, stability, language),
    warnings: run.selection.warnings.length === 0
      ? []
      : selectionWarnings({ stability, smallestShare, noiseShare: noise_share }, language),
  };
}

/**
 * The scatter of customers on the first two principal components coloured by segment with the
 * centres marked, the segment sizes, and the standardised feature means per segment, with
 * titles, axes and segment names in `language` (default: the run's).
 */
export function workflowFigures(stored: WorkflowRun, language?: Language): WorkflowFigures {
  const run = inLanguage(stored, language);
  const lang = run.language;
  const names = clusterNames(run);
  const sizes = names.map(() => 0);
  let noise = 0;
  for (const l of run.labels) l < 0 ? noise++ : sizes[l]!++;
  const { features, means } = standardisedMeans(run);
  return {
    scatter_chart: clusterScatter({
      points: Float64Array.from(run.projection.points),
      labels: run.labels,
      clusterNames: names,
      centroids2d: run.projection.centroids,
      explainedVarianceRatio: run.projection.explained_variance_ratio,
      ids: run.ids,
      language: lang,
    }),
    distribution_chart: clusterSizes({ clusterNames: names, sizes, noise, language: lang }),
    feature_means_chart: featureMeans({ features, clusterNames: names, means, language: lang }),
  };
}

/** The correlation heat map (undefined correlations drawn as 0). */
export function correlationFigure(m: CorrelationMatrix, language?: Language): PlotlyFigure {
  return correlationHeatmap(m.columns, m.matrix.map((row) => row.map((v) => v ?? 0)), {
    language,
  });
}

/**
 * The dataset with a `cluster` column (−1 for noise), formula-escaped
 * (`domain/reports/csv_export.ts`).
 */
export function clusteredCsv(dataset: Dataset, run: WorkflowRun): string {
  if (run.labels.length !== dataset.rowCount) {
    throw new RangeError(
      `Expected ${dataset.rowCount} labels (one per row) but found ${run.labels.length}`,
    );
  }
  return datasetCsv(dataset, [
    { name: "cluster", values: run.labels },
    {
      name: "segment",
      values: run.labels.map((l) => (l < 0 ? "Noise" : clusterNames(run)[l] ?? "")),
    },
  ]);
}

/**
 * The JSON report: the run's analysis as `POST /api/cluster` answered it, plus provenance; its
 * segment texts in `language` (default: the run's).
 */
export function jsonReport(stored: RunRecord<StoredWorkflow>, language?: Language) {
  const record = withLanguage(stored, language);
  return {
    run_id: record.run_id,
    created_at: record.created_at,
    dataset: { id: record.body.dataset_id, name: record.body.dataset_name },
    customers: record.body.customers,
    params: record.body.params,
    ...workflowResponse(record.body.run),
    preprocessing: record.body.run.preprocessing,
  };
}

/** A stored run with its segment texts in `language`. */
function withLanguage(
  record: RunRecord<StoredWorkflow>,
  language: Language | undefined,
): RunRecord<StoredWorkflow> {
  const run = inLanguage(record.body.run, language);
  return run === record.body.run ? record : { ...record, body: { ...record.body, run } };
}

/**
 * The standalone HTML report of a run (inline SVG charts, no script), in `language` (default:
 * the run's).
 */
export function workflowHtmlReport(stored: RunRecord<StoredWorkflow>, language?: Language): string {
  const record = withLanguage(stored, language);
  const run = record.body.run;
  const names = clusterNames(run);
  const profiles = new Map(run.profiles.clusters.map((c) => [c.cluster_id, c]));
  const input: ReportInput = {
    runId: record.run_id,
    datasetName: record.body.dataset_name,
    createdAt: Date.parse(record.created_at),
    algorithm: run.algorithm,
    rowCount: run.labels.length,
    noise: run.labels.filter((l) => l < 0).length,
    selection: run.selection.why,
    segments: run.segments.map((s) => {
      const p = profiles.get(s.cluster_id);
      return {
        clusterId: s.cluster_id,
        name: names[s.cluster_id] ?? s.name,
        personaLabel: s.persona_label,
        persona: s.persona,
        size: p?.size ?? s.kpis.customers,
        share: p?.share ?? s.kpis.share_of_customers,
        kpis: { ...s.kpis },
        topFeatures: (p?.differentiating ?? []).slice(0, 3).map((d) => ({
          feature: d.feature,
          direction: d.direction,
        })),
        actions: s.actions.map((a) => a.text),
        priority: s.priority,
      };
    }),
    candidates: run.candidates.map((c) => ({
      algorithm: c.algorithm,
      k: c.k,
      silhouette: c.silhouette,
      daviesBouldin: c.davies_bouldin,
      calinskiHarabasz: c.calinski_harabasz,
      noiseShare: c.noise_share,
      stability: c.stability,
      meanRank: c.mean_rank,
      eligible: c.eligible,
      reason: c.reason === null ? null : candidateReasonText(c.reason, run.language),
      chosen: c.chosen,
    })),
    scatter: {
      points: Float64Array.from(run.projection.points),
      labels: run.labels,
      centroids: run.projection.centroids,
      explainedVarianceRatio: run.projection.explained_variance_ratio,
    },
    featureMeans: standardisedMeans(run),
    language: run.language,
  };
  return htmlReport(input);
}

/** Each segment's mean of every profiled feature as a z-score against the population. */
function standardisedMeans(run: WorkflowRun): { features: string[]; means: number[][] } {
  const population = run.profiles.population.features;
  const features = run.features.filter((f) => population[f] !== undefined);
  const byId = new Map(run.profiles.clusters.map((c) => [c.cluster_id, c]));
  const means = Array.from({ length: run.n_clusters }, (_, c) =>
    features.map((f) => {
      const p = population[f]!;
      const s = byId.get(c)?.features[f];
      return s && p.std > 0 ? (s.mean - p.mean) / p.std : 0;
    }));
  return { features, means };
}
