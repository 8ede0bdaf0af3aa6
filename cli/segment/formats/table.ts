/**
 * `--format table`: what a person at a terminal wants first: each segment's name, size (count
 * and share) and key figures (the segment's mean of the features that most set it apart, against
 * everyone's), then why the model won and what preprocessing did to the columns.
 *
 * @module
 */
import { round } from "../../../compute/numbers.ts";
import { clusterNames, type StoredWorkflow } from "../../../domain/workflow/mod.ts";
import type { Segmented } from "../pipeline.ts";

type Run = StoredWorkflow["run"];

/** Key figures shown per segment. */
const KEY_FIGURES = 3;

/** The run as aligned text, ending with a newline. */
export function formatTable({ record }: Segmented): string {
  const run = record.body.run;
  const names = clusterNames(run);
  const population = run.profiles.population.features;
  const rows: string[][] = [["#", "Segment", "Customers", "Share", "Key figures (mean vs all)"]];
  for (const c of run.profiles.clusters) {
    const figures = c.differentiating.slice(0, KEY_FIGURES).map((d) =>
      `${d.feature} ${figure(d.cluster_mean)} vs ${figure(population[d.feature]?.mean ?? NaN)}`
    );
    rows.push([
      String(c.cluster_id),
      names[c.cluster_id] ?? `Segment ${c.cluster_id}`,
      String(c.size),
      percent(c.share),
      figures.join("; "),
    ]);
  }
  const noise = run.profiles.noise;
  if (noise) rows.push(["-", "Noise (no segment)", String(noise.size), percent(noise.share), ""]);

  const mode = run.selection.mode === "auto" ? "chosen automatically" : "as asked";
  return [
    `${record.body.dataset_name}: ${run.labels.length} customers, ` +
    `${run.n_clusters} segments by ${run.algorithm} (${mode})`,
    "",
    ...aligned(rows),
    "",
    `Why: ${run.selection.why}`,
    `Quality: ${quality(run)}`,
    ...preprocessing(run),
  ].join("\n") + "\n";
}

function aligned(rows: readonly string[][]): string[] {
  const widths = rows[0]!.map((_, j) => Math.max(...rows.map((r) => r[j]!.length)));
  // Counts and shares read best right-aligned; the last column is left ragged.
  const right = new Set([0, 2, 3]);
  return rows.map((r) =>
    r.map((cell, j) =>
      j === r.length - 1 ? cell : right.has(j) ? cell.padStart(widths[j]!) : cell.padEnd(widths[j]!)
    ).join("  ").trimEnd()
  );
}

function quality(run: Run): string {
  const m = run.metrics;
  const parts = [
    m.silhouette !== null ? `silhouette ${round(m.silhouette, 3)}` : null,
    m.davies_bouldin !== null ? `Davies-Bouldin ${round(m.davies_bouldin, 3)}` : null,
    m.calinski_harabasz !== null ? `Calinski-Harabasz ${round(m.calinski_harabasz, 1)}` : null,
    m.stability !== null ? `stability ${round(m.stability, 2)}` : null,
    `accuracy ${percent(run.accuracy)}`,
    `${run.candidates.length} candidates`,
  ];
  return parts.filter((p) => p !== null).join(", ");
}

function preprocessing(run: Run): string[] {
  const p = run.preprocessing;
  const list = (items: readonly string[]) => items.join(", ");
  const lines = [
    `Features: ${p.numeric.length} numeric (${list(p.numeric)})` +
    (p.categorical.length > 0
      ? `, ${p.categorical.length} categorical (${list(p.categorical)})`
      : ""),
  ];
  if (p.dropped.length > 0) {
    lines.push(`Left out: ${list(p.dropped.map((d) => `${d.column} (${d.reason})`))}`);
  }
  if (p.imputed.length > 0) {
    lines.push(
      `Blanks filled: ${list(p.imputed.map((i) => `${i.column} ${i.count}× with ${i.value}`))}`,
    );
  }
  if (p.log1p.length > 0) lines.push(`Log-scaled (skewed): ${list(p.log1p.map((l) => l.column))}`);
  if (p.dates.length > 0) {
    lines.push(`Dates as days: ${list(p.dates.map((d) => `${d.column} (since ${d.origin})`))}`);
  }
  if (p.grouped.length > 0) {
    lines.push(`Rare levels grouped as Other: ${list(p.grouped.map((g) => g.column))}`);
  }
  if (p.pca) {
    lines.push(
      `PCA: ${p.pca.components} components keeping ${percent(p.pca.varianceKept)} of the variance`,
    );
  }
  return lines;
}

function figure(v: number): string {
  if (!Number.isFinite(v)) return "-";
  return String(Math.abs(v) >= 100 ? Math.round(v) : Number(v.toPrecision(3)));
}

function percent(share: number): string {
  return `${round(share * 100, 1).toFixed(1)}%`;
}
