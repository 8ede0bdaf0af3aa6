/**
 * Issue 12 item 3: names an analyst would sign. Properties of the names on made-up profiles;
 * `real_datasets_test.ts` checks them on the four sample datasets.
 */
import assert from "node:assert/strict";
import { profileClusters } from "../../../domain/description/profile.ts";
import { baseName, describeSegments, humanise } from "../../../domain/description/narrative.ts";

/** Customers of `centres` (one group per centre, ±5 % deterministic jitter), profiled. */
function profiles(centres: number[][], names: readonly string[], per = 25) {
  const labels: number[] = [];
  const cols: number[][] = names.map(() => []);
  centres.forEach((c, g) => {
    for (let i = 0; i < per; i++) {
      labels.push(g);
      const jitter = 1 + 0.05 * Math.sin(i * 12.9898 + g * 78.233);
      c.forEach((v, j) => cols[j]!.push(v * jitter));
    }
  });
  return profileClusters({
    labels: new Int32Array(labels),
    numeric: names.map((name, j) => ({ name, values: new Float64Array(cols[j]!) })),
  });
}

// Credit-card-like columns without a spend role: every cluster is "typical" by its levels.
const CARD = ["BALANCE", "CASH_ADVANCE", "PurchasesTrx", "Credit Limit (USD)"];
const CARD_GROUPS = [
  [1500, 2100, 1, 4000],
  [1400, 10, 40, 4200],
  [200, 20, 8, 1500],
  [5000, 300, 10, 9000],
  [1450, 900, 12, 4100],
];

Deno.test("humanise splits CamelCase and snake_case, lower-cases and drops units", () => {
  assert.equal(humanise("CASH_ADVANCE_TRX"), "cash advance trx");
  assert.equal(humanise("NumWebPurchases"), "num web purchases");
  assert.equal(humanise("Annual Income (k$)"), "annual income");
  assert.equal(humanise("Spending Score (1-100)"), "spending score");
  assert.equal(humanise("Detergents_Paper"), "detergents paper");
});

Deno.test("base names are unique and unnumbered, in every language", () => {
  const p = profiles(CARD_GROUPS, CARD);
  for (const language of ["en", "es", "pt"] as const) {
    const n = describeSegments(p, { language });
    const names = n.map((x) => x.name);
    assert.equal(new Set(names.map(baseName)).size, n.length, names.join(" | "));
    for (const name of names) assert.doesNotMatch(name, /\s\d+$/, name);
  }
});

Deno.test("a segment without a fitting template is named by its strongest differentiators", () => {
  const n = describeSegments(profiles(CARD_GROUPS, CARD));
  // The cash-advance group: high cash advance, few purchases.
  assert.match(n[0]!.name, /^High cash advance/, n[0]!.name);
  assert.ok(n[0]!.name.split(",").length <= 2);
  for (const x of n) assert.doesNotMatch(x.name, /\(|_|[a-z][A-Z]/, x.name);
  assert.ok(n.every((x) => x.name !== "Core Customers" || n.indexOf(x) !== 0));
});

Deno.test("the typical template goes to one cluster at most", () => {
  const same = [[100, 100, 100, 100], [101, 100, 99, 100], [99, 100, 101, 100]];
  const n = describeSegments(profiles(same, CARD));
  assert.ok(n.filter((x) => x.name === "Core Customers").length <= 1);
  assert.equal(new Set(n.map((x) => baseName(x.name))).size, n.length);
});

/** The words of each language that call a segment average. */
const AVERAGE = {
  en: /close to the average|average customers/,
  es: /cerca del cliente medio|clientes promedio/,
  pt: /próximos do cliente médio|clientes médios/,
} as const;

Deno.test("no persona calls a clearly different segment average", () => {
  const p = profiles(CARD_GROUPS, CARD);
  for (const language of ["en", "es", "pt"] as const) {
    const n = describeSegments(p, { language });
    n.forEach((x, i) => {
      const c = p.clusters[i]!;
      const strong = c.differentiating.some((d) => Math.abs(d.effect_size) >= 0.8) ||
        Object.values(c.vs_population).some(({ ratio }) =>
          ratio !== null && (ratio >= 1.5 || ratio <= 1 / 1.5)
        );
      const text = `${x.persona_label} ${x.persona}`;
      if (strong) assert.doesNotMatch(text, AVERAGE[language], `${language}: ${text}`);
    });
  }
  // A cluster close to the average on everything may still be called so.
  const mild = profiles([[50, 50, 50], [100, 100, 100], [150, 150, 150]], [
    "BALANCE",
    "CASH_ADVANCE",
    "CREDIT_LIMIT",
  ]);
  const n = describeSegments(mild);
  assert.match(n[1]!.persona, AVERAGE.en);
  assert.equal(n[1]!.name, "Core Customers");
});

Deno.test("no two segments get the same list of actions", () => {
  // Two identical groups and three that differ: the lists still differ.
  const p = profiles([...CARD_GROUPS, CARD_GROUPS[2]!], CARD);
  for (const language of ["en", "es", "pt"] as const) {
    const n = describeSegments(p, { language });
    const lists = n.map((x) => x.actions.map((a) => a.text).join("\n"));
    assert.equal(new Set(lists).size, n.length, lists.join("\n---\n"));
    for (const x of n) assert.ok(x.actions.length >= 2 && x.actions.length <= 4);
  }
});

Deno.test("a segment named by its traits leads with an action on its strongest trait", () => {
  const n = describeSegments(profiles(CARD_GROUPS, CARD));
  const cash = n[0]!;
  assert.equal(cash.actions[0]!.key, "strength");
  assert.equal(cash.actions[0]!.feature, "CASH_ADVANCE");
  assert.match(cash.actions[0]!.text, /cash advance/);
});

/** A singular comparative before a plural noun: "menor ingresos", "maior dias". */
const DISAGREEMENT = /\b(mayor|menor|maior) [a-záéíóúñçãõâêô]+s\b/i;

Deno.test("Spanish and Portuguese comparatives agree with their nouns", () => {
  const p = profiles([[20, 90, 10, 5, 3], [80, 20, 200, 40, 30], [50, 50, 60, 20, 9]], [
    "Annual Income (k$)",
    "Spending Score (1-100)",
    "recency_days",
    "Fresh",
    "product_diversity",
  ]);
  for (const language of ["es", "pt"] as const) {
    for (const x of describeSegments(p, { language })) {
      const texts = [x.name, x.persona_label, x.persona, ...x.characteristics];
      for (const t of [...texts, ...x.actions.map((a) => a.text)]) {
        assert.doesNotMatch(t, DISAGREEMENT, `${language}: ${t}`);
      }
    }
  }
  const es = describeSegments(p, { language: "es" });
  assert.ok(es.some((x) => /(mayores|menores) ingresos/.test(x.persona)), es[0]!.persona);
});
