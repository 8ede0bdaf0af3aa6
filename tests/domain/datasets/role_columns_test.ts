/**
 * Issue 12 item 2 on the four sample datasets: roles only on evidence, Year_Birth → age, Mnt* →
 * spend, Num*Purchases → purchases, Dt_Customer → tenure, so that document 003's segment types
 * answer on marketing_campaign; cc_general's TENURE is months, never years.
 */
import assert from "node:assert/strict";
import { parseCsvStream } from "../../../domain/datasets/csv_stream.ts";
import { datasetRoles } from "../../../domain/datasets/role_columns.ts";
import { numericRole } from "../../../domain/datasets/types.ts";
import { segmentDataset } from "../../../domain/segments/rules.ts";
import { applyColumnMap } from "../../../domain/datasets/column_map.ts";

async function load(name: string) {
  const file = await Deno.open(new URL(`../../data/${name}.csv`, import.meta.url));
  return await parseCsvStream(file.readable, { name, now: 0 });
}

const DATASETS = ["marketing_campaign", "cc_general", "mall_customers", "wholesale_customers"];

Deno.test("no column of the sample datasets takes a role without name and value evidence", async () => {
  for (const name of DATASETS) {
    const roles = datasetRoles(await load(name));
    for (const r of roles.columns) {
      if (r.role === null) continue;
      assert.match(r.evidence[0]!, /^The name /, `${name}: ${r.column}`);
      assert.ok(r.evidence.length >= 2, `${name}: ${r.column}`);
      assert.ok(r.confidence >= 0.5 && r.confidence <= 1, `${name}: ${r.column}`);
    }
    const taken = roles.columns.filter((r) => r.role !== null).map((r) => r.column);
    // Balances, shares, visits, scores, codes and unnamed product columns take no role.
    for (
      const never of [
        "BALANCE",
        "BALANCE_FREQUENCY",
        "PURCHASES_FREQUENCY",
        "CASH_ADVANCE",
        "CASH_ADVANCE_TRX",
        "PAYMENTS",
        "NumWebVisitsMonth",
        "Spending Score (1-100)",
        "Z_Revenue",
        "Channel",
        "Region",
        "Fresh",
      ]
    ) assert.ok(!taken.includes(never), `${name}: ${never}`);
  }
});

Deno.test("marketing_campaign: Year_Birth is age, Mnt* spend, channel Num*Purchases purchases", async () => {
  const ds = await load("marketing_campaign");
  const roles = datasetRoles(ds);
  assert.equal(roles.reference_year, 2014);
  assert.match(roles.reference_note, /2014-06-29.*Dt_Customer/);
  const age = numericRole(ds, "age")!;
  assert.equal(age.name, "2014 − Year_Birth");
  assert.equal(age.values[0], 2014 - 1957);
  const spend = numericRole(ds, "purchase_amount")!;
  assert.equal(spend.values[0], 635 + 88 + 546 + 172 + 88 + 88);
  const purchases = numericRole(ds, "purchase_frequency")!;
  assert.equal(purchases.name, "NumWebPurchases + NumCatalogPurchases + NumStorePurchases");
  assert.equal(purchases.values[0], 8 + 10 + 4);
  const tenure = numericRole(ds, "lifespan")!;
  assert.ok(
    Array.from(tenure.values).every((v) => v >= 0 && v <= 2),
    "Dt_Customer spans two years",
  );
});

Deno.test("marketing_campaign answers document 003's age_group, purchase_tier, clv and rfm", async () => {
  const ds = await load("marketing_campaign");
  for (const type of ["age_group", "purchase_tier", "clv", "rfm"] as const) {
    const s = segmentDataset(ds, type);
    assert.equal(s.segments.reduce((a, x) => a + x.count, 0), ds.rowCount, type);
    assert.ok(Object.keys(s.columns).length > 0, type);
  }
  const clv = segmentDataset(ds, "clv");
  assert.match(clv.notes.join(" "), /CLV = spend × lifespan/);
  // CLV of a spend total over at most two years of tenure cannot exceed twice the top spend.
  assert.ok(clv.segments[0]!.avg_clv! < 2 * 2525);
});

Deno.test("cc_general: TENURE is months, read as at most a year of lifespan", async () => {
  const ds = await load("cc_general");
  const r = datasetRoles(ds).columns.find((c) => c.column === "TENURE")!;
  assert.deepEqual([r.role, r.unit], ["tenure", "months"]);
  assert.ok(r.ask !== undefined);
  const life = numericRole(ds, "lifespan")!;
  assert.ok(Array.from(life.values).every((v) => v >= 0.5 && v <= 1));
  const platinum = segmentDataset(ds, "clv").segments[0]!;
  // Read as years, TENURE made a Platinum average CLV of about 2.3 million.
  assert.ok(platinum.avg_clv! < 10_000, String(platinum.avg_clv));
});

Deno.test("a unit correction in the column map is read: TENURE in years", async () => {
  const ds = applyColumnMap(await load("cc_general"), { columns: { TENURE: { unit: "years" } } });
  const life = numericRole(ds, "lifespan")!;
  assert.ok(Array.from(life.values).every((v) => v >= 6 && v <= 12));
  const none = applyColumnMap(ds, { columns: { TENURE: { role: null } } });
  assert.equal(numericRole(none, "lifespan"), undefined);
});
