/**
 * The generated customer bases of issue 12 (bench/customer_bases.ts): seeded and deterministic,
 * with the requested groups and shares, noise customers, and document 000's shape of the same
 * customers. No assertion on selection here: bench/selection_bench.ts measures it.
 */
import assert from "node:assert/strict";
import {
  generateCustomerBase,
  INFORMATIVE_FIELDS,
  NUMERIC_FIELDS,
} from "../../bench/customer_bases.ts";
import { PURCHASING_FEATURES } from "../../domain/segmentation/purchasing.ts";

Deno.test("the same seed gives the same base, another seed another", () => {
  const a = generateCustomerBase({ seed: 5, rows: 400 });
  const b = generateCustomerBase({ seed: 5, rows: 400 });
  const c = generateCustomerBase({ seed: 6, rows: 400 });
  assert.deepEqual(a.records, b.records);
  assert.deepEqual(a.labels, b.labels);
  assert.deepEqual(a.shares, b.shares);
  assert.notDeepEqual(a.records, c.records);
});

Deno.test("the requested groups and shares are produced, with noise customers", () => {
  const shares = [0.5, 0.3, 0.15, 0.05];
  const base = generateCustomerBase({ seed: 1, rows: 2000, groups: 4, shares, noiseShare: 0.02 });
  assert.equal(base.groups, 4);
  assert.equal(base.records.length, 2000);
  const counts = new Map<number, number>();
  for (const l of base.labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  assert.equal(counts.get(-1), 40);
  const grouped = 2000 - 40;
  shares.forEach((s, g) => assert.ok(Math.abs(counts.get(g)! - s * grouped) <= 1, `group ${g}`));
  assert.deepEqual([...counts.keys()].sort(), [-1, 0, 1, 2, 3]);
});

Deno.test("drawn bases have 3–8 groups, every share at least 5 %, and typed fields", () => {
  const ks = new Set<number>();
  for (let seed = 0; seed < 40; seed++) {
    const base = generateCustomerBase({ seed, rows: 300 });
    ks.add(base.groups);
    assert.ok(base.groups >= 3 && base.groups <= 8);
    assert.ok(Math.abs(base.shares.reduce((s, v) => s + v, 0) - 1) < 1e-9);
    for (const s of base.shares) assert.ok(s >= 0.05 - 1e-12, `share ${s}`);
    assert.ok(base.noiseShare >= 0.01 && base.noiseShare <= 0.04);
  }
  assert.ok(ks.size >= 4, `group counts drawn: ${[...ks].join(", ")}`);

  const base = generateCustomerBase({ seed: 3, rows: 500 });
  const ids = new Set(base.records.map((r) => r.customer_id));
  assert.equal(ids.size, 500);
  for (const r of base.records) {
    for (const f of NUMERIC_FIELDS) assert.ok(Number.isFinite(r[f]), f);
    assert.ok(r.spend > 0 && r.avg_ticket > 0);
    assert.ok(Number.isInteger(r.visits) && r.visits >= 1);
    assert.ok(Number.isInteger(r.product_types) && r.product_types >= 1);
    assert.ok(r.loyalty >= 0 && r.loyalty <= 1);
    assert.ok(Number.isInteger(r.satisfaction) && r.satisfaction >= 1 && r.satisfaction <= 100);
    assert.ok(Number.isInteger(r.recency_days) && r.recency_days >= 0 && r.recency_days <= 365);
    assert.equal(typeof r.city, "string");
  }
  assert.equal(INFORMATIVE_FIELDS.length, 7);
  const p = base.purchasing();
  assert.equal(p.length, 500);
  assert.deepEqual(Object.keys(p[0]!.features).sort(), [...PURCHASING_FEATURES].sort());
  assert.equal(p[7]!.customer_id, base.records[7]!.customer_id);
  assert.equal(p[7]!.features.purchase_total, base.records[7]!.spend);
  assert.equal(p[7]!.features.product_diversity, base.records[7]!.product_types);
});
