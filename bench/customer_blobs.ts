/**
 * A second, differently built generator of customer bases with a known truth, so that the
 * selection rule is not judged only on the generator it was tuned on (`customer_bases.ts`).
 * Here groups are drawn feature by feature, as analysts describe personas: each group differs
 * from a baseline on only two to four of the six behaviours, by a random amount, with its own
 * spread and a random within-group correlation; money is log-normal with a heavy tail
 * (σ up to 0.9), counts are Poisson, the open rate is a bounded share, and two columns (age, a
 * region) are unrelated to the groups. 3–7 groups, shares down to 5 %, 0–3 % noise customers.
 *
 * The records have the same fields as `customer_bases.ts` (so both feed the same entry points).
 */
import { createRandom, type Random } from "../compute/random.ts";
import type { CustomerBase, CustomerBaseOptions, CustomerRecord } from "./customer_bases.ts";
import { poisson, shuffle, toPurchasing } from "./customer_bases.ts";

const BEHAVIOURS = 6;
const REGIONS = ["North", "South", "East", "West"];

/**
 * Generates a base from `options.seed` (3–7 groups unless `groups` is given). Deterministic.
 *
 * @throws {RangeError} when `rows` cannot hold the groups.
 */
export function generateBlobBase(options: CustomerBaseOptions): CustomerBase {
  const rng = createRandom(options.seed * 7919 + 17);
  const k = options.groups ?? 3 + rng.nextInt(5);
  const shares = options.shares ? [...options.shares] : drawShares(rng, k);
  const noiseShare = options.noiseShare ?? 0.03 * rng.nextFloat();
  const n = options.rows;
  const nNoise = Math.round(n * noiseShare);
  if (n - nNoise < 3 * k) throw new RangeError(`Expected rows to hold ${k} groups but found ${n}`);
  const centres = drawCentres(rng, k, options.minSeparation ?? 2.2);
  const spreads = centres.map(() =>
    Array.from({ length: BEHAVIOURS }, () => 0.3 + 0.3 * rng.nextFloat())
  );
  const mixing = centres.map(() => 0.6 * rng.nextFloat() * (rng.nextFloat() < 0.5 ? -1 : 1));

  const truth = new Int32Array(n);
  let pos = 0;
  const nGrouped = n - nNoise;
  shares.forEach((s, g) => {
    const size = g === k - 1 ? nGrouped - pos : Math.round(s * nGrouped);
    truth.fill(g, pos, pos += size);
  });
  truth.fill(-1, pos);
  shuffle(rng, truth);
  const records = Array.from(truth, (g, i) => {
    let u: number[];
    if (g < 0) u = Array.from({ length: BEHAVIOURS }, () => -2.5 + 5 * rng.nextFloat());
    else {
      const z = Array.from({ length: BEHAVIOURS }, () => rng.nextNormal());
      // A shared factor correlates the first two behaviours within the group.
      z[1] = z[1]! * Math.sqrt(1 - mixing[g]! ** 2) + mixing[g]! * z[0]!;
      u = centres[g]!.map((m, j) => m + spreads[g]![j]! * z[j]!);
    }
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

function drawShares(rng: Random, k: number): number[] {
  const floor = 0.05;
  const g = Array.from({ length: k }, () => rng.nextFloat() ** 1.5 + 0.05);
  const sum = g.reduce((s, v) => s + v, 0);
  return g.map((v) => floor + (1 - floor * k) * v / sum);
}

// Each group moves 2–4 behaviours away from the baseline (0) by ±(1–2.5); groups are kept at
// least `sep` apart in the latent units.
function drawCentres(rng: Random, k: number, sep: number): number[][] {
  for (let min = sep;; min *= 0.95) {
    const centres: number[][] = [];
    for (let t = 0; t < 5000 && centres.length < k; t++) {
      const c = new Array<number>(BEHAVIOURS).fill(0);
      const moved = 2 + rng.nextInt(3);
      for (let m = 0; m < moved; m++) {
        const j = rng.nextInt(BEHAVIOURS);
        c[j] = (rng.nextFloat() < 0.5 ? -1 : 1) * (1 + 1.5 * rng.nextFloat());
      }
      if (centres.every((o) => Math.hypot(...o.map((v, j) => v - c[j]!)) >= min)) centres.push(c);
    }
    if (centres.length === k) return centres;
  }
}

const r2 = (v: number) => Math.round(v * 100) / 100;

function observe(rng: Random, u: number[], i: number): CustomerRecord {
  const [ticket, orders, breadth, engagement, recency, satisfaction] = u as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const visits = poisson(rng, Math.exp(1.8 + 0.6 * orders)) + 1;
  const avgTicket = Math.exp(3.2 + 0.6 * ticket + 0.25 * rng.nextNormal());
  const spend = visits * avgTicket * Math.exp(0.3 * rng.nextNormal());
  return {
    customer_id: `B${String(i + 1).padStart(6, "0")}`,
    spend: r2(spend),
    visits,
    avg_ticket: r2(avgTicket),
    product_types: 1 + poisson(rng, Math.exp(1.1 + 0.5 * breadth)),
    loyalty: Math.round(1000 / (1 + Math.exp(-1.2 * engagement))) / 1000,
    recency_days: Math.min(730, Math.round(Math.exp(3.5 + 0.7 * recency))),
    satisfaction: Math.max(1, Math.min(10, Math.round(6 + 1.6 * satisfaction))),
    web_noise: Math.round(18 + 60 * rng.nextFloat()),
    city: REGIONS[rng.nextInt(REGIONS.length)]!,
  };
}
