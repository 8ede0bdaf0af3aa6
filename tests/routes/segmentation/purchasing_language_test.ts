/**
 * Issue 15, "no mixed language", on document 000 through the app: with `Accept-Language: es` or
 * `pt`, both `selection` modes and the customers shape (reference 4.1.7) word the selection
 * (rule, why, note), the candidates' reasons and the log-scaling reasons in the language, with
 * the same segmentation; in English every one of those sentences is what it has always been.
 */
import assert from "node:assert/strict";
import { SELECTION_RULE } from "../../../compute/auto.ts";
import { createRandom } from "../../../compute/random.ts";
import {
  selectionRuleText,
  silhouetteRuleText,
  silhouetteWhyText,
} from "../../../domain/description/selection_text.ts";
import { SILHOUETTE_RULE } from "../../../domain/segmentation/purchasing.ts";
import { segmentationService } from "./_service.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

/**
 * Words of the English sentences these fields can hold, as whole words (an accented letter is
 * a letter: "até" is not "at").
 */
const ENGLISH =
  /(?<![\p{L}\d_])(the|of|and|with|has|is|are|among|within|only|over|than|more|under|holds|noise|customers|segments|eligible|metrics|defined|smallest|every|stable|compete|number|largest|whose|best|wins|ties|lowest|highest|rule|chose|so|skewness|above|would|otherwise|decide|distance|taken|before|clear|groups|split|treat|rough|distinct|types|fewer|found|undefined)(?![\p{L}\d_])/iu;

/** Four personas of document 000's six features, with a skewed spend. */
function purchasing(n: number) {
  const rng = createRandom(4);
  const personas = [
    [17850, 62, 287, 36, 0.97, 3],
    [2340, 18, 130, 10, 0.72, 15],
    [9000, 8, 1100, 5, 0.3, 160],
    [400, 3, 130, 2, 0.1, 10],
  ];
  return Array.from({ length: n }, (_, i) => {
    const p = personas[i % 4]!;
    const j = (k: number) => Math.max(0, p[k]! * (1 + 0.1 * rng.nextNormal()));
    return {
      customer_id: `P-${i}`,
      features: {
        purchase_total: Math.round(j(0) * 100) / 100,
        visit_frequency: Math.round(j(1)),
        avg_ticket: Math.round(j(2) * 100) / 100,
        product_diversity: Math.round(j(3)),
        loyalty_score: Math.min(1, j(4)),
        recency_days: Math.round(j(5)),
      },
    };
  });
}

async function service() {
  const s = await segmentationService();
  const acme = await s.tenant("acme");
  const post = async (body: unknown, language: string) => {
    const res = await s.app.request("/api/v1/ai/purchasing_segmentation", {
      method: "POST",
      headers: { ...acme.headers, "Accept-Language": language },
      body: JSON.stringify(body),
    });
    assert.equal(res.status, 200);
    return await res.json() as Json;
  };
  return { post, [Symbol.asyncDispose]: () => s[Symbol.asyncDispose]() };
}

/** The sentences of a shape-1 answer that are worded for the reader. */
function sentences(body: Json): string[] {
  return [
    body.selection.description,
    body.selection.why,
    ...(body.selection.note === null ? [] : [body.selection.note]),
    ...body.evaluation_metrics.flatMap((m: Json) => (m.reason ? [m.reason] : [])),
    ...body.preprocessing.log_scaled.map((l: Json) => l.reason),
  ];
}

/** What must not change with the language: the computation. */
function computed(body: Json) {
  return {
    best: body.best_algorithm,
    labels: body.customer_labels,
    chosen: body.selection.chosen,
    metrics: body.evaluation_metrics.map((m: Json) => [m.algorithm, m.n_clusters, m.silhouette]),
  };
}

const DATA = purchasing(240);

Deno.test("document 000 (auto): English sentences unchanged; es and pt answers hold none", async () => {
  await using s = await service();
  const en = await s.post({ data: DATA }, "en");
  assert.equal(en.selection.description, SELECTION_RULE);
  assert.ok(en.preprocessing.log_scaled.length > 0, "a money feature is log-scaled");
  for (const l of en.preprocessing.log_scaled) {
    const skew = Math.round(l.skewness * 100) / 100;
    assert.equal(
      l.reason,
      `skewness ${skew} above ${en.preprocessing.skew_threshold}: a few large values would ` +
        "otherwise decide every distance, so log1p is taken before z-scoring",
    );
  }
  assert.match(en.selection.why, / with \d+ segments\b/);
  for (const language of ["es", "pt"] as const) {
    const body = await s.post({ data: DATA }, language);
    assert.deepEqual(computed(body), computed(en), "the same segmentation");
    assert.equal(body.selection.description, selectionRuleText(language));
    for (const text of sentences(body)) assert.doesNotMatch(text, ENGLISH, `${language}: ${text}`);
  }
});

Deno.test("document 000 (silhouette): the literal rule and its why in the language", async () => {
  await using s = await service();
  const request = { data: DATA, selection: "silhouette" };
  const en = await s.post(request, "en");
  assert.equal(en.selection.description, SILHOUETTE_RULE);
  const best = en.evaluation_metrics.find((m: Json) =>
    m.algorithm === en.best_algorithm && m.n_clusters === en.selection.chosen.n_clusters
  );
  const eligible = en.evaluation_metrics.filter((m: Json) => m.eligible && m.silhouette !== null);
  assert.equal(
    en.selection.why,
    `${en.best_algorithm} with ${best.n_clusters} segments has the highest silhouette ` +
      `(${best.silhouette}) of the ${eligible.length} eligible candidates, Davies-Bouldin ` +
      `${best.davies_bouldin}`,
    "the sentence document 000's rule has always given",
  );
  for (const language of ["es", "pt"] as const) {
    const body = await s.post(request, language);
    assert.deepEqual(computed(body), computed(en), "the same segmentation");
    assert.equal(body.selection.description, silhouetteRuleText(language));
    assert.equal(
      body.selection.why,
      silhouetteWhyText({
        chosen: { algorithm: en.best_algorithm, k: best.n_clusters },
        literal: true,
        silhouette: best.silhouette,
        daviesBouldin: best.davies_bouldin,
        eligible: eligible.length,
      }, language),
    );
    for (const text of sentences(body)) assert.doesNotMatch(text, ENGLISH, `${language}: ${text}`);
  }
});

Deno.test("document 000 (customers shape): selection and segments in the language, interpretations_en in English", async () => {
  await using s = await service();
  const customers = DATA.map((d) => ({
    id: d.customer_id,
    frequency: Math.max(1, d.features.visit_frequency),
    amount_spent: d.features.purchase_total,
    product_types: Array.from(
      { length: 1 + (d.features.product_diversity % 6) },
      (_, i) => `type-${i}`,
    ),
  }));
  const en = await s.post({ customers }, "en");
  assert.equal(en.selection.description, SELECTION_RULE);
  assert.match(en.selection.why, / with \d+ segments\b/);
  for (const language of ["es", "pt"] as const) {
    const body = await s.post({ customers }, language);
    assert.deepEqual(body.labels, en.labels, "the same segmentation");
    assert.deepEqual(body.interpretations_en, en.interpretations_en, "English by its name");
    assert.equal(body.selection.description, selectionRuleText(language));
    const texts = [
      body.selection.description,
      body.selection.why,
      ...(body.selection.note === null ? [] : [body.selection.note]),
      ...body.benchmark.flatMap((b: Json) => (b.reason ? [b.reason] : [])),
    ];
    for (const text of texts) assert.doesNotMatch(text, ENGLISH, `${language}: ${text}`);
    assert.notDeepEqual(
      body.segments.map((x: Json) => x.name),
      en.segments.map((x: Json) => x.name),
      "segment names in the language",
    );
  }
});
