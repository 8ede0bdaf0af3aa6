/**
 * Cluster profiles at the size of issue 4's target: 10 clusters × 50 features × 10k customers
 * in under 50 ms. The data: 10 Gaussian clusters of unequal weights, 50 numeric features in
 * mixed raw units, plus gender (2 levels), region (5) and product types (1–4 of 40 per
 * customer). Measured with and without the standardized matrix (without it the profile
 * z-scores the columns itself), and the importance and confidence passes beside them.
 */
import { matrix } from "../compute/matrix.ts";
import { createRandom } from "../compute/random.ts";
import { standardize } from "../compute/standardize.ts";
import { clusterConfidence, featureImportance } from "../domain/description/mod.ts";
import { profileClusters, type ProfileInput } from "../domain/description/mod.ts";

const N = 10_000, D = 50, K = 10;
const rng = createRandom(20240601);
const labels = new Int32Array(N);
const centers = Float64Array.from({ length: K * D }, () => rng.nextNormal() * 3);
for (let i = 0; i < N; i++) labels[i] = Math.min(K - 1, Math.floor((rng.nextFloat() ** 1.5) * K));
const raw = new Float32Array(N * D);
const numeric = Array.from({ length: D }, (_, j) => {
  const unit = 10 ** (j % 5);
  const values = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    values[i] = (centers[labels[i]! * D + j]! + rng.nextNormal()) * unit;
    raw[i * D + j] = values[i]!;
  }
  return { name: `f${j}`, values };
});
const regions = ["north", "south", "east", "west", "center"];
const categorical = [
  { name: "gender", values: Array.from({ length: N }, () => (rng.nextInt(2) ? "F" : "M")) },
  {
    name: "region",
    values: Array.from({ length: N }, (_, i) => regions[(labels[i]! + rng.nextInt(2)) % 5]!),
  },
  {
    name: "product_types",
    values: Array.from(
      { length: N },
      (_, i) =>
        Array.from(
          { length: 1 + rng.nextInt(4) },
          () => `p${(labels[i]! * 3 + rng.nextInt(12)) % 40}`,
        ),
    ),
  },
];
const z = standardize(matrix(raw, N, D)).z;
const input: ProfileInput = { labels, numeric, categorical, standardized: z };

Deno.bench({
  name: `profileClusters n=${N} d=${D} k=${K} (with standardized)`,
  group: "profile",
  baseline: true,
  n: 50,
  warmup: 10,
  fn() {
    profileClusters(input);
  },
});

Deno.bench({
  name: `profileClusters n=${N} d=${D} k=${K} (z-scores itself)`,
  group: "profile",
  n: 50,
  warmup: 10,
  fn() {
    profileClusters({ labels, numeric, categorical });
  },
});

Deno.bench({
  name: `featureImportance n=${N} d=${D} k=${K}`,
  n: 50,
  warmup: 10,
  fn() {
    featureImportance(z, labels);
  },
});

Deno.bench({
  name: `clusterConfidence n=${N} d=${D} k=${K} folds=5`,
  n: 50,
  warmup: 10,
  fn() {
    clusterConfidence(z, labels);
  },
});
