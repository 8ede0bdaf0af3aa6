/**
 * Issue 15, "no mixed language": the words of document 000's selection (the two rules, the
 * literal rule's why, the log-scaling reason) and of a dataset's roles answer (the reference
 * note, the measures' phrase labels and left-out reasons) are the service's English exactly in
 * English, and hold none of its English sentences in Spanish or Portuguese.
 */
import assert from "node:assert/strict";
import { SELECTION_RULE } from "../../../compute/auto.ts";
import { datasetRoles, datasetRolesInLanguage } from "../../../domain/datasets/role_columns.ts";
import {
  measureInLanguage,
  referenceNoteText,
} from "../../../domain/description/dataset_roles_text.ts";
import type { RoleMeasure } from "../../../domain/description/roles.ts";
import {
  selectionRuleFromFigures,
  selectionRuleText,
  silhouetteRuleText,
  silhouetteWhyText,
  skewReasonText,
} from "../../../domain/description/selection_text.ts";
import { SILHOUETTE_RULE } from "../../../domain/segmentation/purchasing.ts";

/**
 * English words of these sentences that no Spanish or Portuguese sentence holds (whole words:
 * letters with accents count as letters, so "até" is not "at").
 */
const ENGLISH =
  /(?<![\p{L}\d_])(eligible|metrics|defined|smallest|segments?|customers|clusters|noise|every|only|stable|ones|compete|number|largest|whose|best|over|that|wins|ties|go|lowest|highest|has|the|of|so|rule|chose|skewness|above|large|values|would|otherwise|decide|distance|taken|before|ages|tenures|are|counted|latest|date|current|year|days|from|to|plays|with|more|confidence|part|purchases|deals|also|by|channel|and|is|if|at|its)(?![\p{L}\d_])/iu;

const OTHERS = ["es", "pt"] as const;

Deno.test("the service's rule: SELECTION_RULE in English, built from compute's constants, no English in es/pt", () => {
  assert.equal(selectionRuleText("en"), SELECTION_RULE);
  assert.equal(selectionRuleText(), SELECTION_RULE);
  assert.equal(
    selectionRuleFromFigures("en"),
    SELECTION_RULE,
    "the sentence and compute's constants agree (es and pt are built from the constants)",
  );
  for (const language of OTHERS) {
    const text = selectionRuleText(language);
    assert.doesNotMatch(text, ENGLISH, text);
    for (const figure of ["1 %", "50 %", "0,9", "0,6", "90 %", "1,6×"]) {
      assert.ok(text.includes(figure), `${language}: ${figure} in ${text}`);
    }
  }
});

Deno.test("document 000's literal rule and its why: English unchanged, no English in es/pt", () => {
  assert.equal(
    SILHOUETTE_RULE,
    "document 000's rule: among the eligible candidates (metrics defined, smallest segment ≥ 1 % " +
      "of customers, DBSCAN ≥ 2 clusters and ≤ 50 % noise), the highest silhouette wins; ties go " +
      "to the lowest Davies-Bouldin",
  );
  assert.equal(silhouetteRuleText("en"), SILHOUETTE_RULE);
  const literal = {
    chosen: { algorithm: "GaussianMixture", k: 5 },
    literal: true,
    silhouette: 0.512345,
    daviesBouldin: 0.71,
    eligible: 27,
  };
  const fallback = { ...literal, literal: false, silhouette: null, daviesBouldin: null };
  assert.equal(
    silhouetteWhyText(literal, "en"),
    "GaussianMixture with 5 segments has the highest silhouette (0.5123) of the 27 eligible " +
      "candidates, Davies-Bouldin 0.71",
  );
  assert.equal(
    silhouetteWhyText({ ...literal, daviesBouldin: null }, "en"),
    "GaussianMixture with 5 segments has the highest silhouette (0.5123) of the 27 eligible " +
      "candidates, Davies-Bouldin NaN",
    "a missing Davies-Bouldin reads as it always did",
  );
  assert.equal(
    silhouetteWhyText(fallback, "en"),
    "No eligible candidate has a silhouette, so the service's rule chose GaussianMixture with 5 " +
      "segments",
  );
  assert.equal(
    silhouetteWhyText(literal, "es"),
    "GaussianMixture con 5 segmentos tiene la silueta más alta (0,5123) de los 27 candidatos " +
      "elegibles, Davies-Bouldin 0,71",
  );
  for (const language of OTHERS) {
    for (const text of [silhouetteRuleText(language), silhouetteWhyText(literal, language)]) {
      assert.doesNotMatch(text, ENGLISH, text);
    }
    const none = silhouetteWhyText(fallback, language);
    assert.doesNotMatch(none, ENGLISH, none);
    assert.ok(none.includes("GaussianMixture"), none);
  }
});

Deno.test("the log-scaling reason: English unchanged, figures in the language's decimal form", () => {
  assert.equal(
    skewReasonText(3.14159, 1),
    "skewness 3.14 above 1: a few large values would otherwise decide every distance, so log1p " +
      "is taken before z-scoring",
  );
  assert.equal(skewReasonText(2.5, 1.5).slice(0, 24), "skewness 2.5 above 1.5: ");
  for (const language of OTHERS) {
    const text = skewReasonText(3.14159, 1.5, language);
    assert.doesNotMatch(text, ENGLISH, text);
    assert.ok(text.includes("3,14") && text.includes("1,5") && text.includes("log1p"), text);
  }
});

Deno.test("the roles answer's note, labels and reasons: English unchanged, none in es/pt", () => {
  const dated = { date: "2014-06-29", column: "Dt_Customer", year: 2014 };
  assert.equal(
    referenceNoteText(dated),
    "Ages and tenures are counted to 2014-06-29, the latest date of Dt_Customer.",
  );
  assert.equal(
    referenceNoteText({ year: 2026 }, "en"),
    "No date column: ages are counted to the current year, 2026.",
  );
  const measures: RoleMeasure[] = [
    {
      role: "tenure",
      columns: ["Dt_Customer"],
      combine: "since_date",
      unit: "days",
      reference: "2014-06-29",
      left_out: [{ column: "Since", reason: "Dt_Customer plays tenure with more confidence" }],
      label: "days from Dt_Customer to 2014-06-29",
    },
    {
      role: "spend",
      columns: ["PURCHASES"],
      combine: "single",
      left_out: [{ column: "ONEOFF_PURCHASES", reason: "a part of PURCHASES" }],
      label: "PURCHASES",
    },
    {
      role: "purchases",
      columns: ["NumWebPurchases", "NumStorePurchases"],
      combine: "sum",
      left_out: [{
        column: "NumDealsPurchases",
        reason: "purchases on deals are also counted by channel",
      }],
      label: "NumWebPurchases + NumStorePurchases",
    },
    {
      role: "age",
      columns: ["Year_Birth"],
      combine: "age_from_birth_year",
      unit: "years",
      reference: 2014,
      left_out: [{ column: "X", reason: "something else" }],
      label: "2014 − Year_Birth",
    },
  ];
  for (const m of measures) assert.equal(measureInLanguage(m, "en"), m, "English: the same");
  for (const language of OTHERS) {
    for (const facts of [dated, { year: 2026 }]) {
      const note = referenceNoteText(facts, language);
      assert.doesNotMatch(note.replaceAll("Dt_Customer", ""), ENGLISH, note);
    }
    const out = measures.map((m) => measureInLanguage(m, language));
    for (const [i, m] of out.entries()) {
      const before = measures[i]!;
      assert.deepEqual(Object.keys(m), Object.keys(before), "the same fields, in order");
      assert.deepEqual(m.columns, before.columns);
      for (const text of [m.label, ...m.left_out.map((l) => l.reason)]) {
        if (text === "something else") continue;
        const words = text.replace(/\b(Dt_Customer|PURCHASES|Num\w+|Year_Birth)\b/g, "");
        assert.doesNotMatch(words, ENGLISH, text);
      }
    }
    assert.equal(out[3]!.label, "2014 − Year_Birth", "column names and figures stay");
    assert.equal(out[3]!.left_out[0]!.reason, "something else", "unknown text is kept");
  }
});

Deno.test("datasetRolesInLanguage: the whole roles object in the language, English the same object", () => {
  const day = 86_400_000;
  const joined = Array.from(
    { length: 40 },
    (_, i) => new Date(Date.UTC(2013, 0, 1) + i * 9 * day).toISOString().slice(0, 10),
  );
  const dataset = {
    columns: [
      {
        name: "Dt_Customer",
        kind: "date" as const,
        values: joined,
      },
      {
        name: "MntWines",
        kind: "numeric" as const,
        values: Float64Array.from({ length: 40 }, (_, i) => 10 + i * 7),
      },
      {
        name: "NumWebPurchases",
        kind: "numeric" as const,
        values: Float64Array.from({ length: 40 }, (_, i) => i % 9),
      },
      {
        name: "NumDealsPurchases",
        kind: "numeric" as const,
        values: Float64Array.from({ length: 40 }, (_, i) => i % 4),
      },
    ],
    columnMap: {},
  };
  const roles = datasetRoles(dataset);
  assert.match(roles.reference_note, /^Ages and tenures are counted to \d{4}-\d\d-\d\d, the/);
  assert.equal(datasetRolesInLanguage(roles, "en"), roles);
  for (const language of OTHERS) {
    const out = datasetRolesInLanguage(roles, language);
    assert.deepEqual(Object.keys(out), Object.keys(roles));
    assert.equal(out.reference_year, roles.reference_year);
    assert.notEqual(out.reference_note, roles.reference_note);
    const names = /\b(Dt_Customer|MntWines|Num\w+)\b|"[^"]*"/g;
    const texts = [
      out.reference_note,
      ...out.measures.flatMap((m) => [m.label, ...m.left_out.map((l) => l.reason)]),
    ];
    for (const text of texts) assert.doesNotMatch(text.replace(names, ""), ENGLISH, text);
    assert.ok(
      out.measures.some((m) => m.left_out.length > 0),
      "a left-out reason was worded: " + JSON.stringify(out.measures),
    );
    assert.equal(out.columns.length, roles.columns.length);
    assert.notDeepEqual(out.columns.map((c) => c.evidence), roles.columns.map((c) => c.evidence));
  }
});
