/**
 * The one pipeline: the same customers get the same segments through document 000's function,
 * document 002's analyze and document 004's workflow (a stored dataset's typed columns, not
 * records); document 000 reports its log-scaling and can turn it off; progress is reported per
 * candidate model.
 */
import assert from "node:assert/strict";
import { createCpuBackend } from "../../../compute/cpu/backend.ts";
import { toPlainTable } from "../../../domain/datasets/plain_table.ts";
import { columnsFromRecords, datasetFromRecords } from "../../../domain/datasets/records.ts";
import { analyze } from "../../../domain/segmentation/analyze.ts";
import {
  PURCHASING_FEATURES,
  purchasingSegmentation,
} from "../../../domain/segmentation/purchasing.ts";
import { segmentColumns } from "../../../domain/segmentation/segment_columns.ts";
import { clusterWorkflow } from "../../../domain/segmentation/workflow_run.ts";
import { customers, records } from "./_customers.ts";

function disposable() {
  const b = createCpuBackend({ threads: 1 });
  return { b, [Symbol.asyncDispose]: () => b.dispose() };
}

Deno.test("documents 000, 002 and the workflow give the same customers the same segments", async () => {
  await using backend = disposable();
  const data = customers(90);
  const seed = 7;

  const doc000 = await purchasingSegmentation({ data, random_state: seed }, backend.b, "en");
  const labels000 = new Map(
    doc000.customer_labels.map((l) => [String(l.customer_id), l.cluster_id]),
  );

  const doc002 = await analyze(
    { data: records(data), id_field: "customer_id", random_state: seed },
    backend.b,
    "en",
  );
  const labels002 = new Map(
    doc002.clusters.flatMap((c) => c.customer_ids.map((id) => [String(id), c.clusterId] as const)),
  );

  const dataset = datasetFromRecords(records(data), { name: "same", now: 0 });
  const run = await clusterWorkflow(
    { table: toPlainTable(dataset), id_field: "customer_id", random_state: seed },
    backend.b,
    "en",
  );
  const labels004 = new Map(run.ids.map((id, i) => [id, run.labels[i]!]));

  assert.equal(labels000.size, 90);
  assert.deepEqual([...labels002.entries()].sort(), [...labels000.entries()].sort());
  assert.deepEqual([...labels004.entries()].sort(), [...labels000.entries()].sort());
  assert.equal(doc000.best_algorithm.toLowerCase().startsWith(doc002.algorithm), true);
  // The three entry points log-scaled the same money columns.
  assert.deepEqual(
    doc000.preprocessing.log_scaled.map((l) => l.feature),
    doc002.preprocessing.log1p.map((l) => l.column),
  );
  assert.deepEqual(run.preprocessing.log1p, doc002.preprocessing.log1p);
});

Deno.test("document 000 reports which features it log-scaled and why, and can turn it off", async () => {
  await using backend = disposable();
  const data = customers(60, 11);
  const auto = await purchasingSegmentation({ data }, backend.b, "en");
  assert.equal(auto.preprocessing.skew_handling, "auto");
  const logged = auto.preprocessing.log_scaled.map((l) => l.feature);
  assert.ok(logged.includes("purchase_total"), `log-scaled: ${logged.join(", ")}`);
  for (const l of auto.preprocessing.log_scaled) {
    assert.ok(l.skewness > auto.preprocessing.skew_threshold);
    assert.match(l.reason, /skewness .* above 1/);
    assert.ok((PURCHASING_FEATURES as readonly string[]).includes(l.feature));
  }
  // Centroids stay in original units whatever the scaling.
  const total = auto.clusters.reduce((s, c) => s + c.centroid[0]! * c.size, 0);
  const mean = data.reduce((s, c) => s + c.features.purchase_total, 0);
  assert.ok(Math.abs(total - mean) / mean < 1e-3);

  const off = await purchasingSegmentation({ data, skew_handling: "off" }, backend.b, "en");
  assert.equal(off.preprocessing.skew_handling, "off");
  assert.deepEqual(off.preprocessing.log_scaled, []);
  assert.equal(off.feature_names.length, 6);
});

Deno.test("segmentColumns reports each stage and every candidate model", async () => {
  await using backend = disposable();
  const table = columnsFromRecords(records(customers(45, 3)));
  const events: Array<{ stage: string; done?: number; total?: number }> = [];
  const s = await segmentColumns(table, {
    maxClusters: 4,
    onProgress: (p) => events.push(p),
  }, backend.b);
  const candidates = events.filter((e) => e.stage === "candidates");
  // k = 2..4 for KMeans, GMM and Ward, and one DBSCAN.
  assert.equal(candidates.length, 10);
  assert.deepEqual(candidates.map((e) => e.done), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.ok(candidates.every((e) => e.total === 10));
  const stages = [...new Set(events.map((e) => e.stage))];
  assert.deepEqual(stages, ["preprocess", "candidates", "selection", "profiles", "narratives"]);
  assert.equal(s.auto.candidates.length, 10);
  assert.equal(s.importance, null);
});
