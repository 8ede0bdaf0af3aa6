import assert from "node:assert/strict";
import { fromRows, matrix } from "../../compute/matrix.ts";
import { inverseTransformPca, pca, transformPca } from "../../compute/pca.ts";
import { createRandom } from "../../compute/random.ts";
import { type Fixture, FIXTURE_NAMES, fixtureZ, loadFixture } from "./_helpers.ts";

/** The `pca` field of a fixture (see tests/fixtures/README.md). */
interface PcaFixture extends Fixture {
  pca: {
    explained_variance: number[];
    explained_variance_ratio: number[];
    components_abs: number[][];
  };
}

function assertRelative(actual: number, expected: number, rel: number, what: string): void {
  if (!(Math.abs(actual - expected) <= rel * Math.abs(expected))) {
    throw new Error(`${what}: expected ${expected} within ${rel} relative but found ${actual}`);
  }
}

for (const name of FIXTURE_NAMES) {
  const f = await loadFixture(name) as PcaFixture;
  const z = fixtureZ(f);

  Deno.test(`pca matches scikit-learn's variances and components on ${name}`, () => {
    const model = pca(z);
    const ref = f.pca;
    assert.equal(model.nComponents, ref.explained_variance.length);
    ref.explained_variance.forEach((v, c) =>
      assertRelative(model.explainedVariance[c]!, v, 1e-6, `explained_variance[${c}]`)
    );
    ref.explained_variance_ratio.forEach((v, c) =>
      assertRelative(model.explainedVarianceRatio[c]!, v, 1e-6, `explained_variance_ratio[${c}]`)
    );
    ref.components_abs.flat().forEach((v, i) => {
      const found = Math.abs(model.components[i]!);
      assert.ok(Math.abs(found - v) <= 1e-5, `|component| ${i}: expected ${v} but found ${found}`);
    });
  });

  Deno.test(`pca projections have the explained variances on ${name}`, () => {
    const model = pca(z, { nComponents: 2 });
    const y = transformPca(model, z);
    assert.equal(y.n, z.n);
    assert.equal(y.d, 2);
    for (let c = 0; c < 2; c++) {
      let mean = 0;
      for (let i = 0; i < y.n; i++) mean += y.data[i * 2 + c]!;
      mean /= y.n;
      let v = 0;
      for (let i = 0; i < y.n; i++) v += (y.data[i * 2 + c]! - mean) ** 2;
      assertRelative(v / (y.n - 1), model.explainedVariance[c]!, 1e-5, `variance of score ${c}`);
      assert.ok(Math.abs(mean) < 1e-5, `score ${c} is centred`);
    }
  });
}

Deno.test("pca gives unit, orthogonal components signed by their largest loading", () => {
  const x = randomCorrelated(500, 6, 11);
  const model = pca(x);
  const { d, components } = model;
  for (let a = 0; a < model.nComponents; a++) {
    let big = 0;
    for (let b = 0; b < model.nComponents; b++) {
      let dot = 0;
      for (let j = 0; j < d; j++) dot += components[a * d + j]! * components[b * d + j]!;
      assert.ok(Math.abs(dot - (a === b ? 1 : 0)) < 1e-12, `dot(${a}, ${b}) = ${dot}`);
    }
    for (let j = 1; j < d; j++) {
      if (Math.abs(components[a * d + j]!) > Math.abs(components[a * d + big]!)) big = j;
    }
    assert.ok(components[a * d + big]! > 0, `component ${a} has a negative largest loading`);
    if (a > 0) assert.ok(model.explainedVariance[a - 1]! >= model.explainedVariance[a]!);
  }
});

Deno.test("pca with every component kept inverts its transform", () => {
  const x = randomCorrelated(200, 4, 3);
  const model = pca(x);
  const back = inverseTransformPca(model, transformPca(model, x));
  for (let i = 0; i < x.data.length; i++) {
    assert.ok(Math.abs(back.data[i]! - x.data[i]!) < 1e-5, `value ${i}`);
  }
});

Deno.test("pca is deterministic and its model survives JSON", () => {
  const x = randomCorrelated(300, 5, 8);
  const model = pca(x, { nComponents: 3 });
  assert.deepEqual(pca(x, { nComponents: 3 }), model);
  const stored = JSON.parse(JSON.stringify(model));
  assert.deepEqual(stored, model);
  assert.deepEqual(transformPca(stored, x), transformPca(model, x));
  assert.equal(model.kind, "pca");
  assert.equal(model.version, 1);
  assert.equal(model.components.length, 3 * 5);
  assert.equal(model.mean.length, 5);
});

Deno.test("pca varianceToKeep keeps the fewest components whose share exceeds it", () => {
  const x = randomCorrelated(400, 6, 5);
  const full = pca(x);
  const cumulative: number[] = [];
  full.explainedVarianceRatio.reduce((s, r) => (cumulative.push(s + r), s + r), 0);
  for (const share of [0.1, 0.5, 0.8, 0.9, 0.99, 0.999999]) {
    const model = pca(x, { varianceToKeep: share });
    const k = model.nComponents;
    assert.ok(cumulative[k - 1]! > share, `share ${share}: ${k} components are not enough`);
    if (k > 1) assert.ok(cumulative[k - 2]! <= share, `share ${share}: ${k} are too many`);
    assert.deepEqual(model.explainedVariance, full.explainedVariance.slice(0, k));
  }
  // The ratio of the top component exactly: scikit-learn needs a share above it, not equal.
  const first = full.explainedVarianceRatio[0]!;
  assert.equal(pca(x, { varianceToKeep: first }).nComponents, 2);
});

Deno.test("pca handles a constant column: zero variance, zero loadings, no NaN", () => {
  const rng = createRandom(2);
  const rows = Array.from({ length: 100 }, () => [rng.nextNormal(), 0.1, 2 * rng.nextNormal()]);
  const model = pca(fromRows(rows));
  for (const v of [...model.components, ...model.explainedVariance, ...model.mean]) {
    assert.ok(Number.isFinite(v), `found ${v}`);
  }
  assert.equal(model.explainedVariance[2], 0);
  assert.equal(model.explainedVarianceRatio[2], 0);
  assert.equal(model.mean[1], Math.fround(0.1));
  assert.equal(model.components[1], 0);
  assert.equal(model.components[3 + 1], 0);
  assert.equal(Math.abs(model.components[2 * 3 + 1]!), 1);
  const sum = model.explainedVarianceRatio.reduce((s, r) => s + r, 0);
  assert.ok(Math.abs(sum - 1) < 1e-12);
});

Deno.test("pca of all-constant columns has zero variances and ratios", () => {
  const model = pca(fromRows([[1, 2], [1, 2], [1, 2]]));
  assert.deepEqual(model.explainedVariance, [0, 0]);
  assert.deepEqual(model.explainedVarianceRatio, [0, 0]);
  assert.deepEqual(model.components, [1, 0, 0, 1]);
});

Deno.test("pca keeps at most min(n, d) components, as scikit-learn's full solver", () => {
  const rng = createRandom(4);
  const x = matrix(Float32Array.from({ length: 3 * 5 }, () => rng.nextNormal()), 3, 5);
  const model = pca(x);
  assert.equal(model.nComponents, 3);
  // Three centred rows span two dimensions: the third variance is zero up to rounding.
  assert.ok(model.explainedVariance[2]! < 1e-12);
});

Deno.test("pca refuses nComponents beyond min(n, d) and other bad options", () => {
  const x = randomCorrelated(50, 3, 1);
  assert.throws(
    () => pca(x, { nComponents: 4 }),
    new RangeError("Expected nComponents to be an integer in [1, 3] (min(n, d)) but found 4"),
  );
  assert.throws(() => pca(x, { nComponents: 0 }), RangeError);
  assert.throws(() => pca(x, { nComponents: 1.5 }), RangeError);
  assert.throws(
    () => pca(x, { varianceToKeep: 1 }),
    new RangeError("Expected varianceToKeep to be in (0, 1) but found 1"),
  );
  assert.throws(() => pca(x, { varianceToKeep: 0 }), RangeError);
  assert.throws(() => pca(x, { varianceToKeep: NaN }), RangeError);
  assert.throws(() => pca(x, { nComponents: 2, varianceToKeep: 0.5 }), /found both/);
  assert.throws(() => pca(fromRows([[1, 2]])), /at least 2 rows but found 1/);
  const model = pca(x, { nComponents: 2 });
  assert.throws(() => transformPca(model, fromRows([[1, 2]])), /Expected 3 columns but found 2/);
  assert.throws(() => inverseTransformPca(model, fromRows([[1, 2, 3]])), /Expected 2 columns/);
});

/** n rows of d correlated, unevenly scaled columns. */
function randomCorrelated(n: number, d: number, seed: number) {
  const rng = createRandom(seed);
  const data = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const shared = rng.nextNormal();
    for (let j = 0; j < d; j++) data[i * d + j] = (j + 1) * rng.nextNormal() + shared * (d - j);
  }
  return matrix(data, n, d);
}
