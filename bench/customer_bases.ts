/**
 * Seeded generator of synthetic customer bases with a known truth, for measuring automatic
 * selection (issue 12): 3–8 groups with shares down to 5 %, overlapping groups, a few % of noise
 * customers, skewed money (log-normal), bounded features (a 0–1 score, a 1–100 rating), integer
 * counts, correlated features, irrelevant columns (a pure-noise number and a text category
 * unrelated to the groups) and an id column.
 *
 * Each customer has a latent profile `u` (five dimensions: ticket level, visit rate, breadth,
 * engagement, recency) drawn around its group's centre; the observed features are nonlinear,
 * correlated functions of `u`:
 *
 * | record field      | document 000 feature | kind                                         |
 * | ----------------- | -------------------- | -------------------------------------------- |
 * | `visits`          | `visit_frequency`    | integer count, Poisson(exp(1.6 + 0.5 u₁))    |
 * | `avg_ticket`      | `avg_ticket`         | money, log-normal in u₀                       |
 * | `spend`           | `purchase_total`     | money, visits × ticket × log-normal noise     |
 * | `product_types`   | `product_diversity`  | integer count ≥ 1, depends on u₂ and u₁       |
 * | `loyalty`         | `loyalty_score`      | score in (0, 1), logistic of u₃ and u₁        |
 * | `recency_days`    | `recency_days`       | integer in [0, 365], log-normal in u₄         |
 * | `satisfaction`    | (not in document 000) | rating 1–100, from u₃ (correlated w/ loyalty) |
 * | `web_noise`       | —                    | irrelevant: normal, same for every group      |
 * | `city`            | —                    | irrelevant text category, uniform             |
 * | `customer_id`     | `customer_id`        | id `C000001`…                                 |
 *
 * Noise customers (label −1) have a latent profile uniform over a box wider than the groups'.
 */
import { createRandom, type Random } from "../compute/random.ts";
import type { PurchasingCustomer } from "../domain/segmentation/purchasing.ts";

/** What to generate; everything not given is drawn from `seed`. */
export interface CustomerBaseOptions {
  seed: number;
  rows: number;
  /** Number of true groups (3–8); drawn from the seed when absent. */
  groups?: number;
  /** Share of every group among grouped customers (sums to 1); drawn when absent (min 5 %). */
  shares?: readonly number[];
  /** Share of noise customers among all rows (default: drawn in [1 %, 4 %]). */
  noiseShare?: number;
  /** Smallest distance between two group centres in latent units (default 4). */
  minSeparation?: number;
}

/** One customer as document 002 / the workflow receive it. */
export interface CustomerRecord {
  customer_id: string;
  spend: number;
  visits: number;
  avg_ticket: number;
  product_types: number;
  loyalty: number;
  recency_days: number;
  satisfaction: number;
  web_noise: number;
  city: string;
  [field: string]: string | number;
}

/** A generated base and its truth. */
export interface CustomerBase {
  seed: number;
  groups: number;
  /** Target share of each group among grouped customers. */
  shares: number[];
  noiseShare: number;
  records: CustomerRecord[];
  /** True group of every row (0..groups−1), −1 for a noise customer. */
  labels: Int32Array;
  /** Document 000's shape of the same customers, in the same order. */
  purchasing(): PurchasingCustomer[];
}

/** The record fields a group actually depends on. */
export const INFORMATIVE_FIELDS = [
  "spend",
  "visits",
  "avg_ticket",
  "product_types",
  "loyalty",
  "recency_days",
  "satisfaction",
] as const;

/** The money fields (log-normal). */
export const MONEY_FIELDS = ["spend", "avg_ticket"] as const;

/** Every numeric field of a record (the informative ones and the irrelevant `web_noise`). */
export const NUMERIC_FIELDS = [...INFORMATIVE_FIELDS, "web_noise"] as const;

const CITIES = ["Paris", "Lyon", "Lille", "Nantes", "Nice", "Rennes"];
const LATENT = 5;

/** Shares with a floor of 5 %: 0.05 each plus a flat Dirichlet of the rest. */
function drawShares(rng: Random, k: number): number[] {
  const floor = 0.05;
  const g = Array.from({ length: k }, () => -Math.log(1 - rng.nextFloat()));
  const sum = g.reduce((s, v) => s + v, 0);
  return g.map((v) => floor + (1 - floor * k) * v / sum);
}

/** Group centres in latent space, at least `sep` apart where the box allows (relaxed if not). */
function drawCentres(rng: Random, k: number, sep: number): number[][] {
  let min = sep;
  for (;;) {
    for (let attempt = 0; attempt < 2000; attempt++) {
      const centres: number[][] = [];
      for (let g = 0; g < k; g++) {
        let placed = false;
        for (let t = 0; t < 200 && !placed; t++) {
          const c = Array.from({ length: LATENT }, () => -3.5 + 7 * rng.nextFloat());
          if (centres.every((o) => Math.hypot(...o.map((v, j) => v - c[j]!)) >= min)) {
            centres.push(c);
            placed = true;
          }
        }
        if (!placed) break;
      }
      if (centres.length === k) return centres;
    }
    min *= 0.9;
  }
}

/** A Poisson draw (Knuth's product method; a rounded normal above λ = 30). */
export function poisson(rng: Random, lambda: number): number {
  if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * rng.nextNormal()));
  const l = Math.exp(-lambda);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= rng.nextFloat();
  } while (p > l);
  return k - 1;
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
const round2 = (v: number) => Math.round(v * 100) / 100;

/** The observed record of a latent profile `u`. */
function observe(rng: Random, u: number[], i: number): CustomerRecord {
  const [a, b, c, d, e] = u as [number, number, number, number, number];
  const visits = Math.max(1, poisson(rng, Math.exp(1.6 + 0.5 * b)));
  const avgTicket = Math.exp(3.6 + 0.45 * a + 0.15 * rng.nextNormal());
  const spend = visits * avgTicket * Math.exp(0.2 * rng.nextNormal());
  const productTypes = 1 + poisson(rng, Math.exp(0.9 + 0.4 * c + 0.15 * b));
  const loyalty = 1 / (1 + Math.exp(-(0.9 * d + 0.3 * b + 0.25 * rng.nextNormal())));
  const recency = clamp(Math.round(Math.exp(3.3 + 0.5 * e + 0.25 * rng.nextNormal())), 0, 365);
  const satisfaction = clamp(Math.round(55 + 11 * d + 7 * rng.nextNormal()), 1, 100);
  return {
    customer_id: `C${String(i + 1).padStart(6, "0")}`,
    spend: round2(spend),
    visits,
    avg_ticket: round2(avgTicket),
    product_types: productTypes,
    loyalty: Math.round(loyalty * 1000) / 1000,
    recency_days: recency,
    satisfaction,
    web_noise: round2(50 + 10 * rng.nextNormal()),
    city: CITIES[rng.nextInt(CITIES.length)]!,
  };
}

/**
 * Generates a customer base from `options.seed`: the same options give the same base.
 *
 * @throws {RangeError} when `groups` is outside 2–12, `shares` does not match it, or `rows` is
 *   too small to hold every group.
 */
export function generateCustomerBase(options: CustomerBaseOptions): CustomerBase {
  const rng = createRandom(options.seed);
  const k = options.groups ?? 3 + rng.nextInt(6);
  if (!Number.isInteger(k) || k < 2 || k > 12) {
    throw new RangeError(`Expected groups in 2..12 but found ${k}`);
  }
  const shares = options.shares ? [...options.shares] : drawShares(rng, k);
  if (shares.length !== k || Math.abs(shares.reduce((s, v) => s + v, 0) - 1) > 1e-9) {
    throw new RangeError(`Expected ${k} shares summing to 1 but found [${shares.join(", ")}]`);
  }
  const noiseShare = options.noiseShare ?? 0.01 + 0.03 * rng.nextFloat();
  const n = options.rows;
  const nNoise = Math.round(n * noiseShare);
  const nGrouped = n - nNoise;
  if (!Number.isInteger(n) || nGrouped < k * 3) {
    throw new RangeError(`Expected rows to hold ${k} groups but found ${n}`);
  }
  const centres = drawCentres(rng, k, options.minSeparation ?? 4);
  // Per group, per latent dimension spread: groups differ in spread (0.55–1.0).
  const spreads = centres.map(() =>
    Array.from({ length: LATENT }, () => 0.4 + 0.35 * rng.nextFloat())
  );

  // Exact group sizes (largest remainder), then a seeded shuffle of the row order.
  const sizes = shares.map((s) => Math.floor(s * nGrouped));
  const order = shares.map((s, g) => [s * nGrouped - sizes[g]!, g] as const)
    .sort((x, y) => y[0] - x[0] || x[1] - y[1]);
  for (let r = nGrouped - sizes.reduce((s, v) => s + v, 0), j = 0; r > 0; r--, j++) {
    sizes[order[j % k]![1]]!++;
  }
  const truth = new Int32Array(n);
  let pos = 0;
  sizes.forEach((size, g) => truth.fill(g, pos, pos += size));
  truth.fill(-1, pos);
  shuffle(rng, truth);

  const records = Array.from(truth, (g, i) => {
    const u = g < 0
      ? Array.from({ length: LATENT }, () => -4 + 8 * rng.nextFloat())
      : centres[g]!.map((m, j) => m + spreads[g]![j]! * rng.nextNormal());
    return observe(rng, u, i);
  });

  return {
    seed: options.seed,
    groups: k,
    shares,
    noiseShare,
    records,
    labels: truth,
    purchasing: () => records.map(toPurchasing),
  };
}

/** Fisher-Yates in place, seeded: the row order of a base's truth. */
export function shuffle(rng: Random, a: Int32Array): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
}

/** Document 000's customer for a record (the six purchasing features). */
export function toPurchasing(r: CustomerRecord): PurchasingCustomer {
  return {
    customer_id: r.customer_id,
    features: {
      purchase_total: r.spend,
      visit_frequency: r.visits,
      avg_ticket: r.avg_ticket,
      product_diversity: r.product_types,
      loyalty_score: r.loyalty,
      recency_days: r.recency_days,
    },
  };
}
