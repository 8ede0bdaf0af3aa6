import assert from "node:assert/strict";
import { adjustedRandIndex } from "../../compute/ari.ts";
import { createRandom } from "../../compute/random.ts";
import { type Fixture, FIXTURE_NAMES, loadFixture } from "./_helpers.ts";

/** The `ari_examples` field of the synthetic fixtures (see tests/fixtures/README.md). */
interface AriFixture extends Fixture {
  ari_examples?: Array<{ labels_a: number[]; labels_b: number[]; ari: number }>;
}

for (const name of FIXTURE_NAMES) {
  const f = await loadFixture(name) as AriFixture;
  const examples = f.ari_examples;
  if (!examples) continue; // only the synthetic sets have them
  Deno.test(`adjustedRandIndex matches scikit-learn's adjusted_rand_score on ${name}`, () => {
    for (const { labels_a: a, labels_b: b, ari } of examples) {
      const found = adjustedRandIndex(a, b);
      assert.ok(Math.abs(found - ari) <= 1e-9, `expected ${ari} but found ${found}`);
      assert.equal(adjustedRandIndex(b, a), found);
    }
  });
}

Deno.test("adjustedRandIndex matches hand-computed scikit-learn values", () => {
  // Values from scikit-learn's documentation and its test-suite.
  assert.equal(adjustedRandIndex([0, 0, 1, 1], [0, 0, 1, 1]), 1);
  assert.equal(adjustedRandIndex([0, 0, 1, 1], [1, 1, 0, 0]), 1);
  assert.ok(Math.abs(adjustedRandIndex([0, 0, 1, 2], [0, 0, 1, 1]) - 0.5714285714285714) < 1e-15);
  assert.ok(Math.abs(adjustedRandIndex([0, 0, 1, 1], [0, 0, 1, 2]) - 0.5714285714285714) < 1e-15);
  assert.equal(adjustedRandIndex([0, 0, 0, 0], [0, 1, 2, 3]), 0);
  assert.equal(adjustedRandIndex([0, 0, 1, 1], [0, 1, 0, 1]), -0.5);
});

Deno.test("adjustedRandIndex is 1 for the special cases scikit-learn defines", () => {
  assert.equal(adjustedRandIndex([3, 3, 3], [7, 7, 7]), 1); // both one cluster
  assert.equal(adjustedRandIndex([0, 1, 2], [5, 4, 3]), 1); // both one cluster per row
  assert.equal(adjustedRandIndex([2, -1, 2, 5], [0, 1, 0, 9]), 1); // identical up to renaming
  assert.equal(adjustedRandIndex([1], [4]), 1);
  assert.equal(adjustedRandIndex([], []), 1);
});

Deno.test("adjustedRandIndex is symmetric and invariant under renaming clusters", () => {
  const rng = createRandom(9);
  for (let trial = 0; trial < 20; trial++) {
    const n = 50 + rng.nextInt(300);
    const a = Array.from({ length: n }, () => rng.nextInt(4) - 1);
    // b agrees with a on about half of the rows, so that the index is away from 0 and 1.
    const b = a.map((v) => (rng.nextFloat() < 0.5 ? v : rng.nextInt(5)));
    const ari = adjustedRandIndex(a, b);
    assert.equal(adjustedRandIndex(b, a), ari);
    const rename = [10, 20, 30, 40, 50, 60];
    const shuffled = [...rename].sort(() => rng.nextFloat() - 0.5);
    assert.equal(adjustedRandIndex(a.map((v) => shuffled[v + 1]!), b), ari);
    assert.equal(adjustedRandIndex(a, b.map((v) => rename[v]!)), ari);
    // Reordering the rows (the same permutation on both) changes nothing either.
    const order = Array.from(a.keys()).sort(() => rng.nextFloat() - 0.5);
    assert.equal(adjustedRandIndex(order.map((i) => a[i]!), order.map((i) => b[i]!)), ari);
    assert.ok(ari > -1 && ari < 1);
  }
});

Deno.test("adjustedRandIndex stays exact where the pair products exceed 2^53", () => {
  // n = 100,000 with two halves split differently: counts of ordered pairs reach 10^10 and
  // their products 10^20. The exact value follows from the 2 × 2 contingency table.
  const n = 100_000;
  const a = new Int32Array(n).map((_, i) => (i < n / 2 ? 0 : 1));
  const b = new Int32Array(n).map((_, i) => (i < n / 4 ? 0 : 1));
  const pairs = (k: number) => BigInt(k) * BigInt(k - 1);
  const sumComb = pairs(n / 4) + pairs(n / 4) + pairs(n / 2); // cells 25k, 25k, 0, 50k
  const sumA = pairs(n / 2) * 2n;
  const sumB = pairs(n / 4) + pairs((3 * n) / 4);
  const total = pairs(n);
  // Hubert and Arabie's formula, scaled by total to stay in integers.
  const expected = Number(sumComb * total - sumA * sumB) /
    Number(((sumA + sumB) * total) / 2n - sumA * sumB);
  assert.ok(Math.abs(adjustedRandIndex(a, b) - expected) < 1e-15);
});

Deno.test("adjustedRandIndex refuses labellings of different lengths", () => {
  assert.throws(
    () => adjustedRandIndex([0, 1], [0]),
    new RangeError("Expected labellings of equal length (2) but found 1"),
  );
});
