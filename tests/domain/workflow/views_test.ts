/** The views of a stored clustering agree with it: figures, clustered CSV, reports. */
import assert from "node:assert/strict";
import { createCpuBackend } from "../../../compute/cpu/backend.ts";
import { datasetFromRecords } from "../../../domain/datasets/records.ts";
import type { RunRecord } from "../../../domain/segmentation/runs.ts";
import { toPlainTable } from "../../../domain/datasets/plain_table.ts";
import type { StoredWorkflow } from "../../../domain/workflow/stored_run.ts";
import { clusterWorkflow } from "../../../domain/segmentation/workflow_run.ts";
import {
  clusteredCsv,
  clusterNames,
  jsonReport,
  workflowFigures,
  workflowHtmlReport,
} from "../../../domain/workflow/views.ts";

async function fixture() {
  const dataset = datasetFromRecords(
    Array.from({ length: 45 }, (_, i) => ({
      customer_id: i === 0 ? "<b>x</b>" : `C${i}`,
      spend: (i % 3) * 800 + i,
      visits: (i % 3) * 5 + (i % 2),
    })),
    { name: "<script>alert(1)</script>.csv", now: 0 },
  );
  const backend = createCpuBackend({ threads: 1 });
  try {
    const run = await clusterWorkflow(
      { table: toPlainTable(dataset), id_field: "customer_id", n_clusters: 3 },
      backend,
      "en",
    );
    const record: RunRecord<StoredWorkflow> = {
      run_id: "run_1",
      source: "workflow",
      created_at: new Date(0).toISOString(),
      body: { dataset_id: dataset.id, dataset_name: dataset.name, params: {}, customers: 45, run },
    };
    return { dataset, run, record };
  } finally {
    await backend.dispose();
  }
}

Deno.test("the figures draw every customer once, in its segment's trace", async () => {
  const { run } = await fixture();
  const figures = workflowFigures(run);
  const names = clusterNames(run);
  const traces = figures.scatter_chart.data.filter((t) => names.includes(String(t.name)));
  assert.equal(traces.length, 3);
  const drawn = traces.reduce((n, t) => n + (t.x as number[]).length, 0);
  assert.equal(drawn, 45);
  const bars = figures.distribution_chart.data[0]!;
  assert.deepEqual((bars.y as number[]).reduce((a, b) => a + b, 0), 45);
});

Deno.test("the clustered CSV adds cluster and segment columns and refuses a foreign run", async () => {
  const { dataset, run } = await fixture();
  const lines = clusteredCsv(dataset, run).trimEnd().split("\r\n");
  assert.equal(lines[0], "customer_id,spend,visits,cluster,segment");
  assert.equal(lines.length, 46);
  const other = { ...run, labels: run.labels.slice(1) };
  assert.throws(() => clusteredCsv(dataset, other), RangeError);
});

Deno.test("the reports carry the run and escape every value from the data", async () => {
  const { record } = await fixture();
  const json = jsonReport(record);
  assert.equal(json.run_id, "run_1");
  assert.equal(json.n_clusters, 3);
  const html = workflowHtmlReport(record);
  assert.ok(!html.includes("<script>alert(1)"));
  assert.ok(html.includes("&lt;script&gt;alert(1)&lt;/script&gt;.csv"));
  assert.equal(html.match(/<figure class="chart"/g)?.length, 3);
});
