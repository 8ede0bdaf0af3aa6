/**
 * Document 004's computations on records: the stored run holds every row's label, the 2-D
 * projection and each candidate; the response shape is derived from it; optimal k finds the
 * planted number of groups, on a sample above the exact size.
 */
import assert from "node:assert/strict";
import { createCpuBackend } from "../../../compute/cpu/backend.ts";
import { createRandom } from "../../../compute/random.ts";
import {
  clusterWorkflow,
  OPTIMAL_K_MAX_ROWS,
  optimalClusters,
  workflowResponse,
} from "../../../domain/segmentation/workflow_run.ts";

/** `n` customers in `groups` well separated groups (spend, visits, a region). */
function records(n: number, groups: number, seed = 1) {
  const rng = createRandom(seed);
  return Array.from({ length: n }, (_, i) => {
    const g = i % groups;
    return {
      id: `C${i}`,
      spend: 100 + g * 1000 + rng.nextNormal() * 40,
      visits: 2 + g * 6 + rng.nextNormal(),
      region: ["n", "s", "e", "w"][g % 4],
    };
  });
}

Deno.test("clusterWorkflow stores labels, projection and candidates for every row", async () => {
  const backend = createCpuBackend({ threads: 1 });
  using _ = { [Symbol.dispose]: () => void backend.dispose() };
  const data = records(90, 3);
  const run = await clusterWorkflow(
    { data, id_field: "id", n_clusters: 3, algorithm: "kmeans" },
    backend,
    "en",
  );
  assert.equal(run.algorithm, "kmeans");
  assert.equal(run.n_clusters, 3);
  assert.equal(run.labels.length, 90);
  assert.deepEqual(run.ids.slice(0, 2), ["C0", "C1"]);
  assert.equal(run.projection.points.length, 180);
  assert.equal(run.projection.centroids.length, 3);
  assert.equal(run.candidates.filter((c) => c.chosen).length, 1);
  assert.equal(run.selection.mode, "fixed");
  const total = Object.values(run.feature_importance).reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(total - 1) < 1e-9);
  // The planted groups are recovered exactly: each label holds one group.
  for (let g = 0; g < 3; g++) {
    const labels = new Set(run.labels.filter((_, i) => i % 3 === g));
    assert.equal(labels.size, 1);
  }
  assert.doesNotThrow(() => JSON.stringify(run));
});

Deno.test("workflowResponse answers document 004's fields from a run", async () => {
  const backend = createCpuBackend({ threads: 1 });
  using _ = { [Symbol.dispose]: () => void backend.dispose() };
  const run = await clusterWorkflow({ data: records(60, 3), n_clusters: 3 }, backend, "pt");
  const r = workflowResponse(run);
  assert.equal(r.success, true);
  assert.deepEqual(Object.keys(r.cluster_analysis), ["0", "1", "2"]);
  const pct = Object.values(r.cluster_analysis).reduce((a, c) => a + c.percentage, 0);
  assert.ok(Math.abs(pct - 100) < 0.2);
  assert.deepEqual(Object.keys(r.cluster_profiles["0"]!.mean_values), ["spend", "visits"]);
  assert.ok(r.metrics.silhouette_score! > 0.7);
  assert.equal(run.language, "pt");
  // z-scored centres: the spend of the three groups is spread around 0.
  const spend = Object.values(r.centroids).map((c) => c.spend!);
  assert.ok(Math.min(...spend) < -1 && Math.max(...spend) > 1);
});

Deno.test("optimalClusters finds the planted k and reports every k's silhouette", async () => {
  const backend = createCpuBackend({ threads: 1 });
  using _ = { [Symbol.dispose]: () => void backend.dispose() };
  const result = await optimalClusters({ data: records(120, 4), max_k: 6 }, backend);
  assert.equal(result.optimal_k, 4);
  assert.deepEqual(result.chart_data.x, [2, 3, 4, 5, 6]);
  assert.equal(result.silhouette_scores["4"], Math.max(...result.chart_data.y));
  assert.equal(result.silhouette_mode, "exact");
  assert.equal(result.rows_used, 120);
  assert.ok(result.inertia["2"]! > result.inertia["6"]!);
});

Deno.test("optimalClusters samples above its exact size, reproducibly", async () => {
  const backend = createCpuBackend();
  using _ = { [Symbol.dispose]: () => void backend.dispose() };
  const data = records(OPTIMAL_K_MAX_ROWS + 500, 3, 7).map(({ spend, visits }) => ({
    spend,
    visits,
  }));
  const a = await optimalClusters({ data, max_k: 3, random_state: 5 }, backend);
  const b = await optimalClusters({ data, max_k: 3, random_state: 5 }, backend);
  assert.equal(a.silhouette_mode, "sampled");
  assert.equal(a.rows_used, OPTIMAL_K_MAX_ROWS);
  assert.equal(a.optimal_k, 3);
  assert.deepEqual(a.silhouette_scores, b.silhouette_scores);
});

Deno.test("optimalClusters refuses fewer than three records", async () => {
  const backend = createCpuBackend({ threads: 1 });
  using _ = { [Symbol.dispose]: () => void backend.dispose() };
  await assert.rejects(optimalClusters({ data: records(2, 2) }, backend), RangeError);
});
