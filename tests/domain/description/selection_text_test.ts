/**
 * The selection's "why" worded from `compute/auto.ts`'s structured reason: in English the very
 * sentence compute writes, for every clause of the rule; in Spanish and Portuguese no English
 * sentence, with the same figures in the language's decimal form; and the candidates' "not
 * eligible" reasons likewise; a workflow run's why follows the language it is read in.
 */
import assert from "node:assert/strict";
import {
  type Algorithm,
  type Candidate,
  choose,
  TWO_SEGMENT_MARGIN,
} from "../../../compute/auto.ts";
import { createCpuBackend } from "../../../compute/cpu/backend.ts";
import { datasetFromRecords } from "../../../domain/datasets/records.ts";
import { toPlainTable } from "../../../domain/datasets/plain_table.ts";
import {
  candidateReasonText,
  selectionNote,
  selectionWarnings,
  selectionWhy,
} from "../../../domain/description/selection_text.ts";
import { clusterWorkflow } from "../../../domain/segmentation/workflow_run.ts";
import { inLanguage } from "../../../domain/workflow/views.ts";

function candidate(
  algorithm: Algorithm,
  k: number,
  silhouette: number,
  stability: number | null,
  noiseShare = 0,
): Candidate {
  return {
    algorithm,
    k,
    params: algorithm === "dbscan" ? { eps: 0.4, min_samples: 5 } : { k },
    labels: new Int32Array(0),
    silhouette,
    daviesBouldin: 1,
    calinskiHarabasz: 100,
    noiseShare,
    smallestShare: 0.1,
    eligible: true,
    reason: null,
    meanRank: 10 - silhouette,
    stability,
    fitMs: 0,
    extra: {},
  };
}

/** One candidate list per clause of the rule (and whether the choice is fixed). */
const CASES: Record<string, [Candidate[], boolean]> = {
  highest: [[candidate("kmeans", 3, 0.30, 0.99), candidate("kmeans", 4, 0.45, 0.98)], false],
  within: [[
    candidate("kmeans", 3, 0.40, 0.99),
    candidate("kmeans", 4, 0.42, 0.98),
    candidate("kmeans", 5, 0.40, 0.95),
  ], false],
  two_better: [[
    candidate("ward", 2, TWO_SEGMENT_MARGIN * 0.30 + 0.01, 0.99),
    candidate("ward", 4, 0.30, 0.95),
  ], false],
  only_two: [[candidate("gmm", 2, 0.35, 0.97), candidate("gmm", 3, 0.30, 0.2)], false],
  density: [[candidate("kmeans", 4, 0.40, 0.95), candidate("dbscan", 3, 0.60, 0.95, 0.1)], false],
  density_alone: [
    [candidate("dbscan", 3, 0.60, 0.95, 0.1), candidate("kmeans", 3, 0.3, 0.1)],
    false,
  ],
  unstable: [[candidate("kmeans", 3, 0.30, 0.3), candidate("gmm", 4, 0.20, 0.2)], false],
  unstable_unknown: [[candidate("kmeans", 3, 0.30, null)], false],
  fixed_unstable: [[candidate("kmeans", 3, 0.30, 0.3)], true],
};

/** Words of the English sentences that neither Spanish nor Portuguese uses. */
const ENGLISH =
  /\b(with|has|the|highest|among|within|separates|only|over|requested|although|stable;|was|fewer|than|holds|under|more|noise|customers)\b/;

Deno.test("every clause's English why is compute's own sentence", () => {
  const seen = new Set<string>();
  for (const [name, [cs, fixed]] of Object.entries(CASES)) {
    const c = choose(cs, fixed);
    seen.add(c.whyReason.clause);
    assert.equal(selectionWhy(c.whyReason, "en"), c.why, name);
    assert.equal(selectionWhy(c.whyReason), c.why, `${name}: English by default`);
  }
  assert.deepEqual(
    [...seen].sort(),
    ["density", "fixed_unstable", "highest", "only_two", "two_better", "unstable", "within"],
  );
});

Deno.test("the why in Spanish and Portuguese has no English words and the same figures", () => {
  for (const [name, [cs, fixed]] of Object.entries(CASES)) {
    const c = choose(cs, fixed);
    const english = c.why;
    for (const language of ["es", "pt"] as const) {
      const why = selectionWhy(c.whyReason, language);
      assert.doesNotMatch(why, ENGLISH, `${name} ${language}: ${why}`);
      assert.notEqual(why, english);
      // The figures are the English ones with a decimal comma.
      const figures = (text: string) =>
        text.match(/\d+(?:[.,]\d+)?/g)!.map((f) => f.replace(",", "."));
      assert.deepEqual(figures(why), figures(english), `${name} ${language}`);
    }
  }
  const c = choose(CASES.within![0]);
  assert.equal(
    selectionWhy(c.whyReason, "es"),
    "kmeans con 5 segmentos: el mayor número de segmentos cuya silueta (0,40) queda dentro del " +
      "90 % de la mejor (0,42, kmeans con 4 segmentos) (estabilidad 0,95)",
  );
  assert.equal(
    selectionWhy(c.whyReason, "pt"),
    "kmeans com 5 segmentos: o maior número de segmentos cuja silhueta (0,40) fica dentro de " +
      "90 % da melhor (0,42, kmeans com 4 segmentos) (estabilidade 0,95)",
  );
});

Deno.test("the candidates' not-eligible reasons in Spanish and Portuguese", () => {
  const reasons = [
    "DBSCAN found fewer than 2 clusters",
    "more than 50 % noise",
    "a segment holds under 2.5 % of the customers",
    "metrics undefined: one cluster",
  ];
  for (const r of reasons) assert.equal(candidateReasonText(r, "en"), r);
  assert.deepEqual(reasons.map((r) => candidateReasonText(r, "es")), [
    "DBSCAN encontró menos de 2 grupos",
    "más del 50 % de ruido",
    "un segmento reúne menos del 2,5 % de los clientes",
    "métricas no definidas: one cluster",
  ]);
  for (const r of reasons.slice(0, 3)) {
    assert.doesNotMatch(candidateReasonText(r, "pt"), ENGLISH, r);
  }
  assert.equal(candidateReasonText("something new", "pt"), "something new");
});

Deno.test("a workflow run's why follows the language it is read in, English kept as computed", async () => {
  const dataset = datasetFromRecords(
    Array.from({ length: 60 }, (_, i) => ({
      customer_id: `C${i}`,
      spend: (i % 3) * 800 + i,
      visits: (i % 3) * 5 + (i % 2),
    })),
    { name: "three.csv", now: 0 },
  );
  const backend = createCpuBackend({ threads: 1 });
  try {
    const table = toPlainTable(dataset);
    const es = await clusterWorkflow({ table, id_field: "customer_id" }, backend, "es");
    const reason = es.selection.reason!;
    assert.ok(reason, "the run keeps the reason");
    assert.equal(es.selection.why, selectionWhy(reason, "es"));
    assert.doesNotMatch(es.selection.why, ENGLISH, es.selection.why);
    const en = inLanguage(es, "en");
    assert.match(en.selection.why, /segments/);
    const again = await clusterWorkflow({ table, id_field: "customer_id" }, backend, "en");
    assert.equal(again.selection.why, en.selection.why, "English as compute wrote it");
    const pt = inLanguage(again, "pt");
    assert.equal(pt.selection.why, selectionWhy(reason, "pt"));
    assert.doesNotMatch(pt.selection.why, ENGLISH, pt.selection.why);
    assert.equal(pt.selection.note === null, again.selection.note === null);
    assert.equal(pt.selection.warnings.length, again.selection.warnings.length);
    // A fixed k far too large: a segment of one customer in 151 is under 1 %, a warning.
    const many = datasetFromRecords(
      Array.from(
        { length: 151 },
        (_, i) =>
          i === 150 ? { customer_id: "far", spend: 90_000, visits: 90 } : {
            customer_id: `M${i}`,
            spend: (i % 2) * 800 + (i % 7),
            visits: (i % 2) * 5 + (i % 3),
          },
      ),
      { name: "many.csv", now: 0 },
    );
    const fixed = await clusterWorkflow(
      { table: toPlainTable(many), id_field: "customer_id", algorithm: "kmeans", n_clusters: 40 },
      backend,
      "en",
    );
    assert.ok(fixed.selection.warnings.length > 0, "the fixed choice has a warning");
    const fixedEs = inLanguage(fixed, "es");
    assert.equal(fixedEs.selection.warnings.length, fixed.selection.warnings.length);
    for (const w of fixedEs.selection.warnings) assert.doesNotMatch(w, NOTE_ENGLISH, w);
    if (fixedEs.selection.note) assert.doesNotMatch(fixedEs.selection.note, NOTE_ENGLISH);
    assert.deepEqual(inLanguage(fixedEs, "en").selection.warnings, fixed.selection.warnings);
  } finally {
    await backend.dispose();
  }
});

Deno.test("the weak-structure note and a fixed choice's warnings: compute's English, no English in es/pt", () => {
  const weakStable = choose([
    candidate("kmeans", 3, 0.20, 0.99),
    candidate("kmeans", 4, 0.18, 0.98),
  ]);
  const flawed = { ...candidate("dbscan", 3, 0.30, 0.3, 0.6), smallestShare: 0.004 };
  const cases = {
    unstable: choose(CASES.unstable![0]),
    unknown: choose(CASES.unstable_unknown![0]),
    weakStable,
    fixed: choose([flawed], true),
  };
  for (const [name, c] of Object.entries(cases)) {
    const facts = [
      c.whyReason.clause === "unstable",
      c.best.silhouette!,
      c.best.stability,
    ] as const;
    if (c.note !== null) {
      assert.equal(selectionNote(...facts), c.note, name);
      for (const language of ["es", "pt"] as const) {
        const note = selectionNote(...facts, language);
        assert.doesNotMatch(note, NOTE_ENGLISH, `${name} ${language}: ${note}`);
      }
    }
    // Only a fixed choice has warnings (callers word them where compute gave some).
    if (c.warnings.length === 0) continue;
    assert.deepEqual(selectionWarnings(c.best), c.warnings, name);
    for (const language of ["es", "pt"] as const) {
      for (const warning of selectionWarnings(c.best, language)) {
        assert.doesNotMatch(warning, NOTE_ENGLISH, `${name} ${language}: ${warning}`);
      }
    }
  }
  assert.equal(cases.fixed.warnings.length, 3, "every warning is worded");
  assert.match(cases.unknown.note!, /stability unknown/);
  assert.equal(
    selectionNote(true, 0.18, null, "es"),
    "no hay grupos claros: la silueta de la mejor división es 0,18 y sus segmentos cambian al " +
      "reajustarlos en una submuestra (estabilidad desconocida); tómelos como una partición " +
      "aproximada, no como tipos de cliente distintos",
  );
});

/** Words of the English note and warnings that neither Spanish nor Portuguese uses. */
const NOTE_ENGLISH =
  /\b(clear|groups|the|best|split|and|change|when|refitted|treat|them|rough|not|distinct|types|unstable|labels|agree|by|below|holds|of|customers|are|noise|under|unknown)\b/;
