/**
 * The generators of customer bases the selection benchmarks draw from, by name:
 * `personas` (bench/customer_bases.ts), `blobs` (bench/customer_blobs.ts, overlapping groups) and
 * `separated` (the same construction with groups far apart and no noise customers, where a rule
 * must not split a clean group in two).
 */
import { type CustomerBase, generateCustomerBase } from "./customer_bases.ts";
import { generateBlobBase } from "./customer_blobs.ts";

export const GENERATORS: Record<string, (seed: number, rows: number) => CustomerBase> = {
  personas: (seed, rows) => generateCustomerBase({ seed, rows }),
  blobs: (seed, rows) => generateBlobBase({ seed, rows }),
  separated: (seed, rows) => generateBlobBase({ seed, rows, minSeparation: 3.5, noiseShare: 0 }),
};

/** The base `seed` of generator `name`. @throws {RangeError} for an unknown name. */
export function drawBase(name: string, seed: number, rows: number): CustomerBase {
  const generate = GENERATORS[name];
  if (!generate) {
    throw new RangeError(
      `Expected --generator ${Object.keys(GENERATORS).join("|")} but found ${name}`,
    );
  }
  return generate(seed, rows);
}
