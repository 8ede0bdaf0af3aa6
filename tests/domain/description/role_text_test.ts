/**
 * The column roles' evidence in the reader's language: detection keeps each sentence's key and
 * figures, `rolesInLanguage` words them again in Spanish or Portuguese with no English sentence
 * left (column names and numbers kept), English stays the text detection always wrote, and
 * the reports' JSON and deep equality are those of plain data.
 */
import assert from "node:assert/strict";
import {
  type ColumnRoleReport,
  detectRoles,
  type RoleColumn,
  rolesInLanguage,
} from "../../../domain/description/roles.ts";
import { roleEvidenceText } from "../../../domain/description/role_text.ts";

const COLUMNS: RoleColumn[] = [
  { name: "Recency", kind: "numeric", min: 0, max: 99, integer: true, distinct: 40 },
  { name: "Dt_Customer", kind: "date" },
  { name: "Last_Purchase_Date", kind: "date" },
  { name: "Year_Birth", kind: "numeric", min: 1893, max: 1996, integer: true, distinct: 40 },
  { name: "Age", kind: "numeric", min: 18, max: 70, integer: true, distinct: 40 },
  { name: "Age_band", kind: "categorical" },
  { name: "Income", kind: "numeric", min: 1730, max: 666666, distinct: 40 },
  { name: "MntWines", kind: "numeric", min: 0, max: 1493, distinct: 40 },
  { name: "NumWebPurchases", kind: "numeric", min: 0, max: 27, integer: true, distinct: 20 },
  { name: "purchase_count", kind: "numeric", min: 0, max: 27.5, integer: false, distinct: 20 },
  { name: "PURCHASES_FREQUENCY", kind: "numeric", min: 0, max: 1, distinct: 40 },
  { name: "visit_frequency", kind: "numeric", min: 0, max: 14.5, distinct: 40 },
  { name: "TENURE", kind: "numeric", min: 6, max: 12, integer: true, distinct: 7 },
  { name: "tenure_days", kind: "numeric", min: 1, max: 900, integer: true, distinct: 40 },
  { name: "customer_tenure", kind: "numeric", min: 1, max: 900, integer: true, distinct: 40 },
  { name: "loyalty_points", kind: "numeric", min: 0, max: 500, distinct: 40 },
  { name: "total_spend", kind: "numeric", min: -5, max: 500, distinct: 40 },
  { name: "avg_ticket", kind: "numeric", min: 0, max: 0.9, distinct: 40 },
  { name: "Salary", kind: "numeric", min: 10, max: 10, distinct: 1 },
];

/** Words of the English evidence that neither Spanish nor Portuguese uses. */
const ENGLISH =
  /\b(the|says|its|values|run|from|without|both|user|whole|numbers|since|purchase|read|counts?|share|not|never|holds|it|was|set|unit)\b/i;

function reports(): ColumnRoleReport[] {
  return detectRoles(COLUMNS, {
    corrections: {
      Income: { role: null },
      MntWines: { role: "spend" },
      TENURE: { unit: "years" },
    },
  });
}

Deno.test("es and pt evidence has no English sentence and keeps the names and figures", () => {
  const en = reports();
  const keys = new Set<string>();
  for (const r of en) for (const e of r.evidence) keys.add(e);
  assert.ok(keys.size >= 25, `the columns cover most sentences (${keys.size})`);
  for (const language of ["es", "pt"] as const) {
    const out = rolesInLanguage(en, language);
    assert.equal(out.length, en.length);
    out.forEach((r, i) => {
      const english = en[i]!;
      assert.equal(r.column, english.column);
      assert.equal(r.role, english.role);
      assert.equal(r.confidence, english.confidence);
      assert.equal(r.evidence.length, english.evidence.length);
      for (const [j, sentence] of r.evidence.entries()) {
        assert.notEqual(sentence, english.evidence[j], `${language} ${r.column}`);
        assert.doesNotMatch(sentence, ENGLISH, `${language} ${r.column}: ${sentence}`);
        const figures = (t: string) => t.match(/\d+(?:\.\d+)?/g) ?? [];
        assert.deepEqual(figures(sentence), figures(english.evidence[j]!), sentence);
      }
      assert.equal(r.ask === undefined, english.ask === undefined);
      if (r.ask) {
        assert.doesNotMatch(r.ask, ENGLISH, r.ask);
        assert.ok(r.ask.includes(r.column));
      }
    });
  }
  const es = rolesInLanguage(en, "es");
  const mnt = es.find((r) => r.column === "MntWines")!;
  assert.deepEqual(mnt.evidence, ["Indicado por el usuario."]);
  const tenure = rolesInLanguage(en, "pt").find((r) => r.column === "customer_tenure")!;
  assert.deepEqual(tenure.evidence, [
    'O nome "customer_tenure" indica tempo de casa.',
    "Seus valores vão de 1 a 900, inteiros acima de 60: lidos como dias.",
  ]);
  assert.equal(
    tenure.ask,
    "Confirme a unidade de customer_tenure (dias, meses ou anos); foi lida como dias.",
  );
});

Deno.test("English evidence is unchanged and the reports are plain data", () => {
  const en = reports();
  assert.strictEqual(rolesInLanguage(en, "en")[0], en[0], "English: the same reports");
  const recency = en.find((r) => r.column === "Recency")!;
  assert.deepEqual(recency.evidence, [
    'The name "Recency" says recency.',
    "Its values run from 0 to 99: days since the last purchase (days unless said otherwise).",
  ]);
  const spend = en.find((r) => r.column === "total_spend")!;
  assert.deepEqual(spend.evidence, [
    'The name "total_spend" says spend.',
    "Its values run from -5 to 500: a spend is never negative. No spend role without both.",
  ]);
  // The sentences' keys travel out of sight: not in JSON, not in a deep comparison.
  const plain = JSON.parse(JSON.stringify(en));
  assert.deepStrictEqual(en, plain);
  // Read back from JSON, a report keeps its English words in any language.
  assert.deepEqual(rolesInLanguage(plain, "es"), plain);
});

Deno.test("roleEvidenceText words a rejection with the role in the language", () => {
  const e = { key: "kind", kind: "categorical", role: "age" } as const;
  assert.equal(roleEvidenceText(e), "Its values are categorical. No age role without both.");
  assert.equal(
    roleEvidenceText(e, "es"),
    "Sus valores son categorías. Sin ambas cosas no hay rol de edad.",
  );
  assert.equal(
    roleEvidenceText(e, "pt"),
    "Seus valores são categorias. Sem as duas coisas não há papel de idade.",
  );
});
