/**
 * Issue 15, "no mixed language", on the dataset answer: with `Accept-Language: es` or `pt` the
 * whole `roles` object is worded in the language (the columns' evidence and questions, the
 * measures' phrase labels and left-out reasons, `reference_note`), the roles themselves
 * unchanged; in English every sentence is what it has always been.
 */
import assert from "node:assert/strict";
import { segmentationService } from "./segmentation/_service.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

const DATA = new URL("../data/", import.meta.url);

/** English words of the roles answer's sentences, as whole words ("até" is not "at"). */
const ENGLISH =
  /(?<![\p{L}\d_])(the|of|and|are|is|its|it|to|from|days|ages|tenures|counted|latest|date|column|current|year|plays|with|more|confidence|part|purchases|deals|also|by|channel|says|values|run|without|both|user|whole|numbers|since|purchase|read|counts?|share|not|never|holds|was|set|unit|confirm)(?![\p{L}\d_])/iu;

async function session() {
  const s = await segmentationService();
  const t = await s.tenant("acme");
  const { "Content-Type": _json, ...auth } = t.headers;
  const current = async (language: string) => {
    const res = await s.app.request("/api/datasets/current", {
      headers: { ...auth, "Accept-Language": language },
    });
    assert.equal(res.status, 200);
    return (await res.json() as Json).roles;
  };
  const upload = async (file: string, language: string) => {
    const form = new FormData();
    const bytes = await Deno.readFile(new URL(file, DATA));
    form.append("file", new File([bytes], file, { type: "text/csv" }));
    const res = await s.app.request("/api/upload", {
      method: "POST",
      headers: { ...auth, "Accept-Language": language },
      body: form,
    });
    assert.equal(res.status, 200);
    return (await res.json() as Json).roles;
  };
  return { current, upload, [Symbol.asyncDispose]: () => s[Symbol.asyncDispose]() };
}

/** Every sentence of a roles answer, with column names and quoted names taken out. */
function sentences(roles: Json): string[] {
  const names = new Set<string>([
    ...roles.columns.map((c: Json) => c.column),
    ...roles.measures.flatMap((
      m: Json,
    ) => [...m.columns, ...m.left_out.map((l: Json) => l.column)]),
  ]);
  const strip = (text: string) => {
    let out = text.replace(/"[^"]*"/g, "");
    for (const n of [...names].sort((a, b) => b.length - a.length)) out = out.replaceAll(n, "");
    return out;
  };
  return [
    roles.reference_note,
    ...roles.measures.flatMap((m: Json) => [m.label, ...m.left_out.map((l: Json) => l.reason)]),
    ...roles.columns.flatMap((c: Json) => [...c.evidence, ...(c.ask ? [c.ask] : [])]),
  ].map(strip);
}

/** What must not change with the language. */
function structure(roles: Json) {
  return {
    year: roles.reference_year,
    columns: roles.columns.map((c: Json) => [c.column, c.role, c.unit, c.confidence, c.source]),
    measures: roles.measures.map((m: Json) => [m.role, m.columns, m.combine, m.unit, m.reference]),
    left_out: roles.measures.map((m: Json) => m.left_out.map((l: Json) => l.column)),
  };
}

Deno.test("marketing_campaign: the roles answer in es and pt holds no English sentence; English unchanged", async () => {
  await using s = await session();
  const en = await s.upload("marketing_campaign.csv", "en");
  assert.equal(
    en.reference_note,
    "Ages and tenures are counted to 2014-06-29, the latest date of Dt_Customer.",
  );
  const tenure = en.measures.find((m: Json) => m.role === "tenure");
  assert.equal(tenure.label, "days from Dt_Customer to 2014-06-29");
  const purchases = en.measures.find((m: Json) => m.role === "purchases");
  assert.deepEqual(purchases.left_out, [{
    column: "NumDealsPurchases",
    reason: "purchases on deals are also counted by channel",
  }]);
  assert.deepEqual(await s.current("en"), en, "English: the same answer on every route");
  for (const language of ["es", "pt"] as const) {
    const roles = await s.current(language);
    assert.deepEqual(structure(roles), structure(en), "the same roles and measures");
    assert.notEqual(roles.reference_note, en.reference_note);
    for (const text of sentences(roles)) {
      assert.doesNotMatch(text, ENGLISH, `${language}: ${text}`);
    }
  }
  const pt = await s.upload("marketing_campaign.csv", "pt");
  assert.deepEqual(pt, await s.current("pt"), "the upload answers in the language too");
});

Deno.test("cc_general: no date column and a total's parts, in es and pt", async () => {
  await using s = await session();
  const en = await s.upload("cc_general.csv", "en");
  assert.match(
    en.reference_note,
    /^No date column: ages are counted to the current year, \d{4}\.$/,
  );
  const spend = en.measures.find((m: Json) => m.role === "spend");
  assert.ok(spend.left_out.length > 0, JSON.stringify(spend));
  for (const l of spend.left_out) assert.equal(l.reason, "a part of PURCHASES");
  for (const language of ["es", "pt"] as const) {
    const roles = await s.current(language);
    assert.deepEqual(structure(roles), structure(en));
    for (const text of sentences(roles)) {
      assert.doesNotMatch(text, ENGLISH, `${language}: ${text}`);
    }
  }
});
