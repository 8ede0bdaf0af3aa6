/**
 * `domain/segmentation/analyze.ts` without HTTP: the pipeline on small generated records, fixed choices,
 * DBSCAN's noise reported apart, input errors naming their parameter, and the stored summary.
 */
import assert from "node:assert/strict";
import { createCpuBackend } from "../../../compute/cpu/backend.ts";
import { createRandom } from "../../../compute/random.ts";
import {
  analyze,
  AnalyzeInputError,
  recommendationLines,
  storedSummary,
} from "../../../domain/segmentation/analyze.ts";

/** Three well-separated groups with a numeric, a money and a categorical field. */
function records(n: number, seed = 3) {
  const rng = createRandom(seed);
  const centres = [[20, 1000, "a"], [45, 5000, "b"], [70, 20000, "c"]] as const;
  return Array.from({ length: n }, (_, i) => {
    const [age, spend, kind] = centres[i % 3]!;
    return {
      customer: `K${i}`,
      age: age + rng.nextNormal(),
      spend: spend * (1 + 0.02 * rng.nextNormal()),
      kind,
    };
  });
}

Deno.test("analyze finds the three groups and reports every document-002 field", async () => {
  await using backend = disposable();
  const r = await analyze({ data: records(60), id_field: "customer" }, backend.b, "en");
  assert.equal(r.clusters.length, 3);
  assert.equal(r.noise, null);
  const ids = r.clusters.flatMap((c) => c.customer_ids).sort();
  assert.deepEqual(ids, records(60).map((x) => x.customer).sort());
  for (const c of r.clusters) {
    // Each cluster lists its customers' own records, and their ids.
    assert.deepEqual(c.customers!.map((x) => x.customer), c.customer_ids);
    // Each cluster is one of the generated groups: its members share i mod 3.
    const groups = new Set(c.customer_ids.map((id) => Number(String(id).slice(1)) % 3));
    assert.equal(groups.size, 1);
    assert.deepEqual(Object.keys(c.centroid).sort(), ["age", "spend"]);
    assert.equal(c.clusterName, c.narrative.name);
  }
  const total = Object.values(r.featureImportance).reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(total - 1) < 1e-9);
  assert.deepEqual(Object.keys(r.featureImportance).sort(), ["age", "kind", "spend"]);
  assert.equal(r.accuracy, 1);
  assert.equal(r.preprocessing.idField, "customer");
  assert.equal(r.selection.mode, "auto");

  const stored = storedSummary(r);
  assert.ok(!JSON.stringify(stored).includes('"K0"'), "no customer ids stored");
  assert.equal(stored.narratives.length, 3);

  const { recommendations, strategies } = recommendationLines(stored.narratives, "en");
  assert.equal(recommendations.length, strategies.length);
  assert.ok(recommendations.length >= 3);
  assert.ok(recommendations[0]!.startsWith(`“${strategies[0]!.segment}”: `));
});

Deno.test("analyze honours a fixed algorithm and k, and reports DBSCAN's noise apart", async () => {
  await using backend = disposable();
  const fixed = await analyze(
    { data: records(60), algorithm: "ward", n_clusters: 5 },
    backend.b,
    "pt",
  );
  assert.equal(fixed.algorithm, "ward");
  assert.equal(fixed.clusters.length, 5);
  assert.equal(fixed.selection.mode, "fixed");

  const data = [...records(90), { customer: "far", age: 500, spend: 1e7, kind: "a" }];
  const d = await analyze({ data, id_field: "customer", algorithm: "dbscan" }, backend.b, "en");
  assert.equal(d.algorithm, "dbscan");
  assert.ok(d.noise !== null && d.noise.customer_ids.includes("far"));
  const labelled = d.clusters.reduce((s, c) => s + c.size, 0) + d.noise!.size;
  assert.equal(labelled, data.length);
});

Deno.test("analyze keeps each id's type, numbers records without ids, and can leave records out", async () => {
  await using backend = disposable();
  const data = records(30).map(({ customer: _, ...r }, i) => ({ id: i + 1, ...r }));
  const typed = await analyze({ data }, backend.b, "en");
  const ids = typed.clusters.flatMap((c) => c.customer_ids);
  assert.ok(ids.every((id) => typeof id === "number"), "integer ids stay integers");
  assert.deepEqual([...ids].sort((a, b) => Number(a) - Number(b)), data.map((r) => r.id));
  assert.ok(typed.clusters.every((c) => c.customers!.every((r) => data.includes(r as never))));

  const anonymous = records(30).map(({ customer: _, ...r }) => r);
  const numbered = await analyze({ data: anonymous, include_records: false }, backend.b, "en");
  const rows = numbered.clusters.flatMap((c) => c.customer_ids).sort((a, b) => +a - +b);
  assert.deepEqual(rows, Array.from({ length: 30 }, (_, i) => i + 1), "record numbers 1..n");
  assert.ok(numbered.clusters.every((c) => c.customers === undefined));
});

Deno.test("analyze names the records as the client sent them in its errors", async () => {
  await using backend = disposable();
  await assert.rejects(
    () => analyze({ data: records(2), records_parameter: "customerData" }, backend.b, "en"),
    (err: unknown) =>
      err instanceof AnalyzeInputError && err.parameter === "customerData" &&
      /in customerData/.test(err.message),
  );
});

Deno.test("analyze names the parameter at fault", async () => {
  await using backend = disposable();
  const fails = async (request: Parameters<typeof analyze>[0], parameter: string, re: RegExp) => {
    await assert.rejects(
      () => analyze(request, backend.b, "en"),
      (err: unknown) =>
        err instanceof AnalyzeInputError && err.parameter === parameter && re.test(err.message),
    );
  };
  await fails({ data: records(2) }, "data", /at least 3 records/);
  const bad = records(10) as Record<string, unknown>[];
  bad[4] = { ...bad[4], age: Infinity };
  await fails({ data: bad }, "data", /4/);
  await fails({ data: records(10), n_clusters: 10 }, "n_clusters", /at most 9/);
  await fails({ data: records(10), id_field: "kind" }, "id_field", /unique/);
  await fails({ data: records(10), id_field: "nope" }, "id_field", /nope/);
});

function disposable() {
  const b = createCpuBackend({ threads: 1 });
  return { b, [Symbol.asyncDispose]: () => b.dispose() };
}
