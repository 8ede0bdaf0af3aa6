import assert from "node:assert/strict";
import { type ClusterProfiles, profileClusters } from "../../../domain/description/profile.ts";
import {
  baseName,
  describeSegments,
  featureRoles,
  parseAcceptLanguage,
  recommendationsFor,
  type SegmentNarrative,
} from "../../../domain/description/narrative.ts";

// Document 000's six features; four clear groups of 25 customers each.
const FEATURES = [
  "purchase_total",
  "visit_frequency",
  "avg_ticket",
  "product_diversity",
  "loyalty_score",
  "recency_days",
] as const;
const GROUPS = [
  [15000, 60, 250, 30, 0.95, 5], // champions
  [12000, 25, 480, 15, 0.5, 150], // at-risk big spenders
  [300, 2, 150, 3, 0.1, 10], // new customers
  [1500, 40, 37, 8, 0.6, 20], // bargain hunters
];

/** Customers of `centres` (one group per centre, ±5 % deterministic jitter), profiled. */
function profiles(
  centres: number[][] = GROUPS,
  names: readonly string[] = FEATURES,
  per = 25,
): ClusterProfiles {
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

function allStrings(n: SegmentNarrative[]): string[] {
  return n.flatMap((x) => [
    x.name,
    x.persona_label,
    x.persona,
    ...x.characteristics,
    ...x.actions.map((a) => a.text),
  ]);
}

Deno.test("names reflect the four document-000 groups", () => {
  const n = describeSegments(profiles());
  assert.deepEqual(n.map((x) => x.archetype), [
    "champions",
    "at_risk_big_spenders",
    "newcomers",
    "bargain_hunters",
  ]);
  assert.match(n[1]!.name, /risk/i);
  assert.equal(n[0]!.name, "High-Value Loyalists");
  assert.equal(n[0]!.priority, "high");
  assert.equal(n[1]!.priority, "high");
  assert.ok(n[1]!.actions.some((a) => a.key === "winback"));
  assert.ok(n[2]!.actions.some((a) => a.key === "onboarding"));
  assert.ok(n[3]!.actions.some((a) => a.key === "bundle"));
});

Deno.test("KPIs: shares, revenue, ticket, frequency, recency, loyalty", () => {
  const n = describeSegments(profiles());
  for (const x of n) {
    assert.equal(x.kpis.customers, 25);
    assert.equal(x.kpis.share_of_customers, 0.25);
    assert.ok(x.actions.length >= 2 && x.actions.length <= 4);
  }
  const rev = n.map((x) => x.kpis.share_of_revenue!);
  assert.ok(Math.abs(rev.reduce((a, b) => a + b, 0) - 1) < 1e-9);
  assert.ok(rev[0]! > rev[2]!);
  assert.ok(Math.abs(n[0]!.kpis.recency_days! - 5) < 0.5);
  assert.ok(Math.abs(n[0]!.kpis.average_ticket! - 250) < 15);
  assert.ok(Math.abs(n[3]!.kpis.frequency! - 40) < 2);
  assert.ok(Math.abs(n[0]!.kpis.loyalty! - 0.95) < 0.05);
});

Deno.test("personas cite the cluster's numbers, locale-formatted", () => {
  const en = describeSegments(profiles(), { language: "en" });
  const pt = describeSegments(profiles(), { language: "pt" });
  for (const x of en) assert.ok(x.persona.includes("25%"), x.persona);
  for (const x of pt) assert.ok(x.persona.includes("25%"), x.persona);
  assert.ok(en[0]!.persona.includes(en[0]!.name));
  // The champions' average spend, grouped per locale.
  const spend = en[0]!.kpis.average_spend!;
  assert.ok(en[0]!.persona.includes(new Intl.NumberFormat("en-US", {
    maximumFractionDigits: 0,
  }).format(spend)));
  assert.ok(pt[0]!.persona.includes(new Intl.NumberFormat("pt-BR", {
    maximumFractionDigits: 0,
  }).format(spend)));
});

Deno.test("the three languages produce different text", () => {
  const p = profiles();
  const [en, es, pt] = (["en", "es", "pt"] as const).map((language) =>
    describeSegments(p, { language })
  );
  for (let i = 0; i < 4; i++) {
    const texts = [en![i]!, es![i]!, pt![i]!];
    assert.equal(new Set(texts.map((x) => x.persona)).size, 3);
    assert.equal(new Set(texts.map((x) => x.name)).size, 3);
    assert.equal(new Set(texts.map((x) => x.actions[0]!.text)).size, 3);
    assert.deepEqual(texts.map((x) => x.kpis), [en![i]!.kpis, en![i]!.kpis, en![i]!.kpis]);
  }
  assert.match(pt![1]!.name, /risco/);
  assert.match(es![1]!.name, /riesgo/);
});

Deno.test("names are unique when clusters look alike", () => {
  // Two champion-like groups that differ only in diversity, and two identical bargain groups.
  const p = profiles([
    [15000, 60, 250, 30, 0.95, 5],
    [15000, 60, 250, 10, 0.95, 5],
    [1500, 40, 37, 8, 0.6, 20],
    [1500, 40, 37, 8, 0.6, 20],
    [300, 2, 150, 3, 0.1, 10],
  ]);
  for (const language of ["en", "es", "pt"] as const) {
    const n = describeSegments(p, { language });
    const bases = n.map((x) => baseName(x.name));
    assert.equal(new Set(bases).size, n.length, n.map((x) => x.name).join(" | "));
    for (const x of n) assert.doesNotMatch(x.name, /\s\d+$/, x.name);
  }
  // Issue 12: one champion keeps the template name (the other used to share it with a
  // qualifier), the other is named by what sets it apart.
  const n = describeSegments(p);
  assert.equal(n.filter((x) => x.name === "High-Value Loyalists").length, 1);
  const other = n[n[0]!.name === "High-Value Loyalists" ? 1 : 0]!.name;
  assert.match(other, /^(High|Low) [a-z ]+(, (high|low) [a-z ]+)?$/, other);
});

Deno.test("without spend features: null revenue KPIs and still 2+ actions", () => {
  const p = profiles(
    [[60, 30, 0.9, 5], [5, 3, 0.2, 200], [40, 8, 0.5, 30]],
    ["visit_frequency", "product_diversity", "loyalty_score", "recency_days"],
  );
  const n = describeSegments(p, { language: "es" });
  for (const x of n) {
    assert.equal(x.kpis.share_of_revenue, null);
    assert.equal(x.kpis.average_spend, null);
    assert.equal(x.kpis.average_ticket, null);
    assert.ok(x.actions.length >= 2);
  }
  assert.equal(n[1]!.archetype, "dormant");
  const lines = recommendationsFor(n, "es");
  assert.ok(lines.length >= 6);
});

Deno.test("role-less features appear via their differentiating direction", () => {
  const p = profiles([[10, 1, 900], [12, 1, 100]], ["purchase_total", "age", "widgets"]);
  const n = describeSegments(p);
  assert.match(n[0]!.persona, /higher widgets/);
  assert.ok(n[0]!.characteristics.includes("higher widgets"));
});

Deno.test("feature roles from names and explicit map", () => {
  const r = featureRoles([
    "purchase_total",
    "MntWines",
    "NumWebPurchases",
    "Recency",
    "avg_order_value",
    "Annual Income (k$)",
    "Spending Score (1-100)",
    "Age",
    "average_x",
    "tenure_months",
    "product_diversity",
    "amount_spent",
    "frequency",
  ], { average_x: "loyalty" });
  assert.deepEqual(Object.fromEntries(r), {
    purchase_total: "spend",
    MntWines: "spend",
    NumWebPurchases: "frequency",
    Recency: "recency",
    avg_order_value: "ticket",
    "Annual Income (k$)": "income",
    "Spending Score (1-100)": "spending_score",
    Age: "age",
    average_x: "loyalty",
    product_diversity: "diversity",
    amount_spent: "spend",
    frequency: "frequency",
  });
});

Deno.test("Accept-Language parsing", () => {
  assert.equal(parseAcceptLanguage(undefined), "en");
  assert.equal(parseAcceptLanguage(""), "en");
  assert.equal(parseAcceptLanguage("pt-BR,pt;q=0.9,en;q=0.8"), "pt");
  assert.equal(parseAcceptLanguage("fr-FR, es;q=0.5, en;q=0.4"), "es");
  assert.equal(parseAcceptLanguage("en;q=0.3, es;q=0.7"), "es");
  assert.equal(parseAcceptLanguage("de, fr"), "en");
  assert.equal(parseAcceptLanguage("es;q=0, pt"), "pt");
  assert.equal(parseAcceptLanguage("*"), "en");
  assert.equal(parseAcceptLanguage("ES-mx"), "es");
});

Deno.test("deterministic, and no NaN/undefined anywhere", () => {
  for (const language of ["en", "es", "pt"] as const) {
    const a = describeSegments(profiles(), { language });
    const b = describeSegments(profiles(), { language });
    assert.deepEqual(a, b);
    const json = JSON.stringify([a, recommendationsFor(a, language)]);
    assert.ok(!/NaN|undefined/.test(allStrings(a).join("\n")));
    assert.ok(!json.includes("NaN") && !json.includes("undefined"));
  }
  // Constant features (z = 0, ratio 1) and a single cluster.
  const flat = describeSegments(profiles([[5, 5, 5, 5, 5, 5]]), { language: "pt" });
  assert.equal(flat.length, 1);
  assert.ok(flat[0]!.actions.length >= 2);
  assert.ok(!/NaN|undefined/.test(allStrings(flat).join(" ")));
});

Deno.test("recommendations are prioritised by segment value", () => {
  const n = describeSegments(profiles());
  const lines = recommendationsFor(n, "en");
  assert.equal(lines.length, n.reduce((a, x) => a + x.actions.length, 0));
  const rank = { high: 0, medium: 1, low: 2 };
  for (let i = 1; i < lines.length; i++) {
    assert.ok(rank[lines[i - 1]!.priority] <= rank[lines[i]!.priority]);
  }
  assert.equal(lines[0]!.cluster_id, 0); // champions hold the largest share of revenue
  assert.match(lines[0]!.rationale, /of revenue/);
  for (const l of lines) assert.ok(l.segment.length > 0 && l.action.length > 0);
});

Deno.test("describeSegments claims nothing about recency when no feature measures it", () => {
  // Champions defined by spend and frequency alone: "recently" would be an invented fact.
  const spend = [18000, 17000, 19000, 500, 400, 600, 450];
  const visits = [60, 55, 65, 4, 3, 5, 4];
  const profiles = profileClusters({
    labels: new Int32Array([0, 0, 0, 1, 1, 1, 1]),
    numeric: [
      { name: "amount_spent", values: Float64Array.from(spend) },
      { name: "frequency", values: Float64Array.from(visits) },
    ],
  });
  for (const language of ["en", "es", "pt"] as const) {
    for (const s of describeSegments(profiles, { language })) {
      assert.doesNotMatch(s.persona, /recent|hace poco|recentemente/i, `${language}: ${s.persona}`);
    }
  }
});

Deno.test("describeSegments words a recency contrast as time since the last purchase", () => {
  const recency = [200, 220, 210, 190, 5, 4, 6, 5];
  const spend = [900, 950, 1000, 980, 1000, 940, 960, 990];
  const profiles = profileClusters({
    labels: new Int32Array([0, 0, 0, 0, 1, 1, 1, 1]),
    numeric: [
      { name: "recency_days", values: Float64Array.from(recency) },
      { name: "purchase_total", values: Float64Array.from(spend) },
    ],
  });
  const en = describeSegments(profiles, { language: "en" });
  assert.match(en[0]!.persona, /a longer time since their last purchase/);
  assert.match(en[1]!.persona, /a more recent last purchase/);
  assert.doesNotMatch(en.map((s) => s.persona).join(" "), /(higher|lower) days since/);
  const pt = describeSegments(profiles, { language: "pt" });
  assert.doesNotMatch(pt.map((s) => s.persona).join(" "), /(maior|menor) dias desde/);
});

Deno.test("a clearly over-represented category is among the characteristics, in each language", () => {
  const labels = new Int32Array(Array.from({ length: 40 }, (_, i) => (i < 20 ? 0 : 1)));
  const spend = new Float64Array(Array.from({ length: 40 }, (_, i) => (i < 20 ? 100 : 900) + i));
  // Cluster 0: 18 of 20 in North (90 %) against 55 % of the base; cluster 1: 20 % North.
  const region = Array.from(
    { length: 40 },
    (_, i) => i < 20 ? (i < 18 ? "North" : "South") : (i < 24 ? "North" : "South"),
  );
  const p = profileClusters({
    labels,
    numeric: [{ name: "spend", values: spend }],
    categorical: [{ name: "region", values: region }],
  });
  const expected = {
    en: "mostly North region (90%)",
    es: "mayoritariamente región North (90 %)",
    pt: "majoritariamente região North (90%)",
  } as const;
  for (const [language, text] of Object.entries(expected)) {
    const n = describeSegments(p, { language: language as "en" | "es" | "pt" });
    // Intl writes "90 %" with a no-break space in Spanish.
    const said = n[0]!.characteristics.map((c) => c.replace(/\u00a0/g, " "));
    assert.ok(said.includes(text), `${language}: ${said}`);
    // 80 % South against 45 % is over-represented too; a majority no larger than the base is not.
    assert.ok(n[1]!.characteristics.some((c) => c.includes("South")), `${n[1]!.characteristics}`);
  }
  const even = profileClusters({
    labels,
    numeric: [{ name: "spend", values: spend }],
    categorical: [{ name: "region", values: region.map((_, i) => (i % 2 ? "North" : "South")) }],
  });
  for (const n of describeSegments(even)) {
    assert.ok(!n.characteristics.some((c) => c.startsWith("mostly")), `${n.characteristics}`);
  }
});
