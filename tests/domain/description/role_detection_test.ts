/**
 * Issue 12 item 2: `detectRoles` gives a column a role only on evidence from its name and its
 * values, with a confidence and the evidence in words; `combineRoles` combines the columns of a
 * role as an analyst would; corrections and units are the user's to set.
 */
import assert from "node:assert/strict";
import {
  combineRoles,
  detectRoles,
  measureValues,
  type RoleColumn,
} from "../../../domain/description/roles.ts";

const num = (name: string, min: number, max: number, extra: Partial<RoleColumn> = {}) =>
  ({ name, kind: "numeric", min, max, integer: true, distinct: 20, ...extra }) as RoleColumn;

Deno.test("a name without values of the role gives no role, and says why", () => {
  const [age] = detectRoles([num("Age", 1000, 90000)]);
  assert.equal(age!.role, null);
  assert.match(age!.evidence.join(" "), /not ages/);
  const [share] = detectRoles([num("PURCHASES_FREQUENCY", 0, 1, { integer: false })]);
  assert.equal(share!.role, null);
  const [constant] = detectRoles([num("Z_Revenue", 11, 11, { distinct: 1 })]);
  assert.equal(constant, undefined, "Z_ columns are never spend");
  const [one] = detectRoles([num("MntWines", 11, 11, { distinct: 1 })]);
  assert.equal(one!.role, null);
});

Deno.test("values without a name of the role give nothing", () => {
  assert.deepEqual(detectRoles([num("Fresh", 3, 112151), num("widgets", 0, 50)]), []);
});

Deno.test("every role taken carries a confidence and name and value evidence", () => {
  const reports = detectRoles([
    num("Year_Birth", 1893, 1996),
    num("Income", 1730, 666666),
    num("Recency", 0, 99),
    num("MntWines", 0, 1493),
    num("NumWebPurchases", 0, 27),
    num("TENURE", 6, 12),
    { name: "Dt_Customer", kind: "date", min: Date.UTC(2012, 6, 30), max: Date.UTC(2014, 5, 29) },
  ]);
  assert.deepEqual(reports.map((r) => [r.column, r.role, r.unit ?? null]), [
    ["Year_Birth", "age", "birth_year"],
    ["Income", "income", null],
    ["Recency", "recency", "days"],
    ["MntWines", "spend", null],
    ["NumWebPurchases", "purchases", null],
    ["TENURE", "tenure", "months"],
    ["Dt_Customer", "tenure", "date"],
  ]);
  for (const r of reports) {
    assert.ok(r.confidence > 0 && r.confidence <= 1, r.column);
    assert.match(r.evidence[0]!, new RegExp(`The name "${r.column}"`));
    assert.ok(r.evidence.length >= 2, r.column);
  }
});

Deno.test("a TENURE of whole numbers up to 12 is months, asked for, never years", () => {
  const [t] = detectRoles([num("TENURE", 6, 12)]);
  assert.equal(t!.unit, "months");
  assert.match(t!.ask!, /Confirm the unit of TENURE/);
  const [named] = detectRoles([num("tenure_years", 1, 12)]);
  assert.equal(named!.unit, "years");
  assert.equal(named!.ask, undefined);
  const [m] = combineRoles([t!], { referenceYear: 2020 });
  const years = measureValues(m!, () => new Float64Array([12, 6]), "years")!;
  assert.deepEqual(Array.from(years), [1, 0.5]);
});

Deno.test("the user's corrections replace the detection, role and unit", () => {
  const reports = detectRoles([num("TENURE", 6, 12), num("Income", 0, 9), num("score", 1, 5)], {
    corrections: {
      TENURE: { unit: "years" },
      Income: { role: null },
      score: { role: "loyalty" },
    },
  });
  assert.deepEqual(
    reports.map((r) => [r.column, r.role, r.unit ?? null, r.source, r.confidence]),
    [
      ["TENURE", "tenure", "years", "corrected", 1],
      ["Income", null, null, "corrected", 1],
      ["score", "loyalty", null, "corrected", 1],
    ],
  );
});

Deno.test("Mnt* add up to spend, channel purchases to purchases, deals left out", () => {
  const reports = detectRoles([
    num("MntWines", 0, 1493),
    num("MntFruits", 0, 199),
    num("NumDealsPurchases", 0, 15),
    num("NumWebPurchases", 0, 27),
    num("NumStorePurchases", 0, 13),
    num("NumWebVisitsMonth", 0, 20),
  ]);
  const m = combineRoles(reports, { referenceYear: 2014 });
  const spend = m.find((x) => x.role === "spend")!;
  const purchases = m.find((x) => x.role === "purchases")!;
  assert.deepEqual([spend.combine, spend.columns], ["sum", ["MntWines", "MntFruits"]]);
  assert.deepEqual(purchases.columns, ["NumWebPurchases", "NumStorePurchases"]);
  assert.deepEqual(purchases.left_out.map((x) => x.column), ["NumDealsPurchases"]);
  assert.ok(!reports.some((r) => r.column === "NumWebVisitsMonth"));
});

Deno.test("a total of its parts stands alone as spend", () => {
  const reports = detectRoles([
    num("PURCHASES", 0, 49039, { integer: false }),
    num("ONEOFF_PURCHASES", 0, 40761, { integer: false }),
    num("INSTALLMENTS_PURCHASES", 0, 22500, { integer: false }),
  ]);
  const [spend] = combineRoles(reports, {
    referenceYear: 2020,
    means: { PURCHASES: 1003.2, ONEOFF_PURCHASES: 592.4, INSTALLMENTS_PURCHASES: 411.1 },
  });
  assert.deepEqual(spend!.columns, ["PURCHASES"]);
});

Deno.test("a birth year becomes an age at the reference year, stated", () => {
  const [r] = detectRoles([num("Year_Birth", 1940, 1996)]);
  const [age] = combineRoles([r!], { referenceYear: 2014 });
  assert.equal(age!.label, "2014 − Year_Birth");
  const v = measureValues(age!, () => new Float64Array([1957, NaN]))!;
  assert.equal(v[0], 57);
  assert.ok(Number.isNaN(v[1]!));
});

Deno.test("a date of first purchase becomes a tenure counted to the reference date", () => {
  const [r] = detectRoles([{ name: "Dt_Customer", kind: "date" }]);
  const [t] = combineRoles([r!], { referenceYear: 2014, referenceDate: "2014-06-29" });
  const v = measureValues(t!, () => new Float64Array([Date.UTC(2013, 5, 29)]), "years")!;
  assert.ok(Math.abs(v[0]! - 365 / 365.25) < 1e-9);
});
