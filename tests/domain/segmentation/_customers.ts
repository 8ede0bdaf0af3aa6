/**
 * Customers of three groups, as document 000's body and as flat records, for the tests that send
 * the same customers through every entry point.
 *
 * @module
 */
import { createRandom } from "../../../compute/random.ts";

/** Three groups of customers; purchase_total and avg_ticket are long-tailed, as money is. */
export function customers(n: number, seed = 5) {
  const rng = createRandom(seed);
  return Array.from({ length: n }, (_, i) => {
    const g = i % 3;
    const spend = Math.exp(5 + 1.5 * g + 0.6 * rng.nextNormal());
    return {
      customer_id: `K${i}`,
      features: {
        purchase_total: spend,
        visit_frequency: Math.max(1, Math.round(3 + 6 * g + rng.nextNormal())),
        avg_ticket: spend / (2 + g + Math.abs(rng.nextNormal())),
        product_diversity: Math.max(1, Math.round(2 + 3 * g + rng.nextNormal())),
        loyalty_score: Math.min(1, Math.max(0, 0.2 + 0.3 * g + 0.05 * rng.nextNormal())),
        recency_days: Math.max(0, Math.round(90 - 35 * g + 8 * rng.nextNormal())),
      },
    };
  });
}

/** The same customers as flat records (document 002's body, an upload's rows). */
export function records(data: ReturnType<typeof customers>) {
  return data.map((c) => ({ customer_id: c.customer_id, ...c.features }));
}
