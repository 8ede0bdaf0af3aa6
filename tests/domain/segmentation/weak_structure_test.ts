/**
 * Issue 11, defect 15: a request the data cannot support well still gets an answer. A fixed k
 * or algorithm is honoured (with its quality figures and warnings) even when no candidate passes
 * the stability check, and structureless data under automatic selection gets the best candidate
 * flagged `structure: "weak"` with a plain-language note, at documents 000, 002 and 004.
 */
import assert from "node:assert/strict";
import { createCpuBackend } from "../../../compute/cpu/backend.ts";
import { createRandom } from "../../../compute/random.ts";
import { analyze } from "../../../domain/segmentation/analyze.ts";
import {
  PURCHASING_FEATURES,
  purchasingSegmentation,
} from "../../../domain/segmentation/purchasing.ts";
import { clusterWorkflow } from "../../../domain/segmentation/workflow_run.ts";

/** `n` records of `d` independent uniform fields: no groups at all. */
function uniform(n: number, d: number, seed: number) {
  const rng = createRandom(seed);
  return Array.from({ length: n }, (_, i) => ({
    id: `c${i}`,
    ...Object.fromEntries(Array.from({ length: d }, (_, j) => [`f${j}`, rng.nextFloat()])),
  }));
}

/** The Mall customers (tests/data) as records. */
async function mall(): Promise<Record<string, string | number>[]> {
  const text = await Deno.readTextFile(new URL("../../data/mall_customers.csv", import.meta.url));
  const [header, ...lines] = text.trim().split(/\r?\n/);
  const names = header!.split(",");
  return lines.map((line) =>
    Object.fromEntries(line.split(",").map((v, j) => [names[j]!, j === 1 ? v : Number(v)]))
  );
}

function disposable() {
  const b = createCpuBackend({ threads: 1 });
  return { b, [Symbol.asyncDispose]: () => b.dispose() };
}

Deno.test("document 002: n_clusters 3 on 23 unstructured rows is honoured with a warning", async () => {
  await using backend = disposable();
  // Seed 1 of 6 uniform fields: every k = 3 fit is unstable (was a 422 "No candidate is eligible").
  const r = await analyze(
    { data: uniform(23, 6, 1), id_field: "id", n_clusters: 3 },
    backend.b,
    "en",
  );
  assert.equal(r.n_clusters, 3);
  assert.equal(r.clusters.length, 3);
  assert.equal(r.selection.mode, "fixed");
  assert.equal(r.selection.structure, "weak");
  assert.ok(r.selection.warnings.some((w) => /unstable/.test(w)), r.selection.warnings.join());
  assert.equal(typeof r.metrics.silhouette, "number");
  assert.equal(typeof r.metrics.stability, "number");
});

Deno.test("document 002: 300 uniform customers get the best split, flagged weak", async () => {
  await using backend = disposable();
  const r = await analyze({ data: uniform(300, 6, 1), id_field: "id" }, backend.b, "en");
  assert.equal(r.selection.mode, "auto");
  assert.equal(r.selection.structure, "weak");
  assert.match(r.selection.note!, /no clear groups: the best split's silhouette is 0\.\d\d/);
  assert.deepEqual(r.selection.warnings, []);
  assert.equal(r.clusters.reduce((s, c) => s + c.size, 0) + (r.noise?.size ?? 0), 300);
});

Deno.test("document 000: 300 uniform customers are answered, flagged weak", async () => {
  await using backend = disposable();
  const rng = createRandom(1);
  const data = Array.from({ length: 300 }, (_, i) => ({
    customer_id: i,
    features: Object.fromEntries(PURCHASING_FEATURES.map((f) => [f, rng.nextFloat()])) as Record<
      (typeof PURCHASING_FEATURES)[number],
      number
    >,
  }));
  const r = await purchasingSegmentation({ data }, backend.b, "en");
  assert.equal(r.selection.structure, "weak");
  assert.match(r.selection.note!, /no clear groups/);
  assert.equal(r.customer_labels.length, 300);
});

Deno.test("workflow: gmm with k = 4 on the Mall customers is honoured for every seed", async () => {
  await using backend = disposable();
  const data = await mall();
  for (const seed of [0, 3]) {
    const run = await clusterWorkflow(
      { data, id_field: "CustomerID", algorithm: "gmm", n_clusters: 4, random_state: seed },
      backend.b,
      "en",
    );
    assert.equal(run.algorithm, "gmm");
    assert.equal(run.n_clusters, 4);
    assert.equal(run.selection.mode, "fixed");
    assert.equal(run.labels.length, 200);
    const unstable = run.metrics.stability !== null && run.metrics.stability < 0.6;
    assert.equal(run.selection.warnings.some((w) => /unstable/.test(w)), unstable);
    // The Mall customers have groups: an unstable k = 4 is a warning, not "no clear groups".
    assert.equal(run.selection.structure, "clear");
  }
});

Deno.test("data with structure keeps a clear answer and no note", async () => {
  await using backend = disposable();
  const rng = createRandom(2);
  const data = Array.from({ length: 90 }, (_, i) => ({
    id: `c${i}`,
    x: (i % 3) * 10 + rng.nextNormal(),
    y: (i % 3) * -8 + rng.nextNormal(),
  }));
  const r = await analyze({ data, id_field: "id" }, backend.b, "en");
  assert.equal(r.n_clusters, 3);
  assert.equal(r.selection.structure, "clear");
  assert.equal(r.selection.note, null);
});
