/**
 * Issue 12: a column takes a business role only on evidence from both its name and its values
 * (`roleOf`), and on cc_general no persona quotes a *_FREQUENCY share as a number of purchases.
 */
import assert from "node:assert/strict";
import { DATA, runSegment } from "../../cli/_segment_run.ts";
import { featureRoles, roleOf } from "../../../domain/description/narrative.ts";

const COUNT = { min: 0, max: 358 };
const SHARE = { min: 0, max: 1 };
const MONEY = { min: 0, max: 49039.57 };

Deno.test("purchase frequency needs a purchase count name and count values", () => {
  for (const name of ["PURCHASES_TRX", "NumWebPurchases", "visit_frequency"]) {
    assert.equal(roleOf(name, COUNT), "frequency", name);
    // The name alone is not enough: 0–1 values are a share, negative ones no count.
    assert.equal(roleOf(name, SHARE), undefined, name);
    assert.equal(roleOf(name, { min: -3, max: 12 }), undefined, name);
  }
  // Count values alone are not enough either; web visits are not purchases.
  assert.equal(roleOf("widgets", COUNT), undefined);
  assert.equal(roleOf("CASH_ADVANCE_TRX", COUNT), undefined);
  assert.equal(roleOf("NumWebVisitsMonth", COUNT), undefined);
});

Deno.test("a *_FREQUENCY share and BALANCE_* are never purchases", () => {
  for (const name of ["PURCHASES_FREQUENCY", "ONEOFF_PURCHASES_FREQUENCY", "BALANCE_FREQUENCY"]) {
    assert.equal(roleOf(name, SHARE), undefined, name);
  }
  assert.equal(roleOf("BALANCE_FREQUENCY", COUNT), undefined);
  assert.equal(roleOf("BALANCE", MONEY), undefined);
});

Deno.test("money columns named purchases are spend, not frequency; TENURE is not loyalty", () => {
  for (const name of ["PURCHASES", "ONEOFF_PURCHASES", "INSTALLMENTS_PURCHASES", "MntWines"]) {
    assert.equal(roleOf(name, MONEY), "spend", name);
    assert.equal(roleOf(name, SHARE), undefined, name);
  }
  assert.equal(roleOf("TENURE", { min: 6, max: 12 }), undefined);
  assert.equal(roleOf("tenure_months"), undefined);
});

Deno.test("featureRoles checks the values it is given", () => {
  const r = featureRoles(
    ["PURCHASES_TRX", "PURCHASES_FREQUENCY", "PURCHASES"],
    {},
    { PURCHASES_TRX: COUNT, PURCHASES_FREQUENCY: SHARE, PURCHASES: MONEY },
  );
  assert.deepEqual(Object.fromEntries(r), { PURCHASES_TRX: "frequency", PURCHASES: "spend" });
});

Deno.test("cc_general: no persona quotes a *_FREQUENCY share as purchases", async () => {
  const run = await runSegment([
    "--input",
    DATA.cc,
    "--format",
    "json",
    "--quiet",
  ]);
  assert.equal(run.code, 0, run.err);
  const out = JSON.parse(run.out) as {
    segments: { cluster_id: number; persona: string; actions: { text: string }[] }[];
    cluster_profiles: Record<string, { mean_values: Record<string, number> }>;
  };
  assert.ok(out.segments.length > 0);
  for (const s of out.segments) {
    const texts = [s.persona, ...s.actions.map((a) => a.text)];
    assert.doesNotMatch(s.persona, /loyalty/, s.persona);
    const means = out.cluster_profiles[String(s.cluster_id)]!.mean_values;
    const shares = Object.keys(means).filter((f) => /FREQUENCY$/.test(f));
    assert.ok(shares.includes("BALANCE_FREQUENCY"));
    for (const t of texts) {
      for (
        const m of t.matchAll(
          /([\d.,]+) \(([^)]*)\) purchases|purchase frequency from ([\d.,]+) \(([^)]*)\)/g,
        )
      ) {
        const col = m[2] ?? m[4]!;
        assert.doesNotMatch(col, /FREQUENCY|BALANCE/, t);
        assert.equal(col, "PURCHASES_TRX", t);
        const v = Number((m[1] ?? m[3]!).replace(/,/g, ""));
        assert.ok(Math.abs(v - means.PURCHASES_TRX!) / Math.max(1, means.PURCHASES_TRX!) < 0.01, t);
        for (const f of shares) {
          assert.ok(Math.abs(v - means[f]!) > 0.01 * Math.max(v, means[f]!), `${t} ~ ${f}`);
        }
      }
    }
    assert.match(s.persona, /\(PURCHASES_TRX\) purchases/, s.persona);
  }
});
