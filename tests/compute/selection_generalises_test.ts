/**
 * The selection rule on customer bases drawn from two generators built differently
 * (bench/customer_bases.ts and bench/customer_blobs.ts), through document 002's preprocessing of
 * the records: the automatic choice must recover the true groups on average, and the number of
 * segments must be close to the truth on most bases. bench/selection_bench.ts measures the same
 * on more and larger bases, beside scikit-learn and an oracle.
 */
import assert from "node:assert/strict";
import { autoSegment } from "../../compute/auto.ts";
import { createCpuBackend } from "../../compute/cpu/backend.ts";
import { columnsFromRecords } from "../../domain/datasets/records.ts";
import { preprocess } from "../../domain/segmentation/preprocess.ts";
import { generateCustomerBase } from "../../bench/customer_bases.ts";
import { generateBlobBase } from "../../bench/customer_blobs.ts";
import { groupedAri } from "../../bench/selection_bench.ts";

for (
  const [name, generate] of [["personas", generateCustomerBase], [
    "blobs",
    generateBlobBase,
  ]] as const
) {
  Deno.test(`automatic selection recovers the groups of ${name} bases it was not tuned on`, async () => {
    const backend = createCpuBackend({ threads: 1 });
    try {
      const aris: number[] = [];
      let within = 0;
      const lines: string[] = [];
      for (let seed = 9000; seed < 9008; seed++) {
        const base = generate({ seed, rows: 900 });
        const x = preprocess(columnsFromRecords(base.records), { idField: "customer_id" }).x;
        const r = await autoSegment(x, {}, backend);
        const ari = groupedAri(base.labels, r.best.labels);
        aris.push(ari);
        if (Math.abs(r.best.k - base.groups) <= 1) within++;
        lines.push(
          `seed ${seed}: true ${base.groups}, chose ${r.best.algorithm} ${r.best.k}, ARI ${
            ari.toFixed(3)
          }`,
        );
      }
      const mean = aris.reduce((s, v) => s + v, 0) / aris.length;
      console.log(
        `${name}: mean ARI ${mean.toFixed(3)}, within ±1 ${within}/8\n${lines.join("\n")}`,
      );
      assert.ok(mean >= 0.8, `mean ARI ${mean.toFixed(3)}\n${lines.join("\n")}`);
      assert.ok(within >= 6, `${within} of 8 within ±1\n${lines.join("\n")}`);
    } finally {
      await backend.dispose();
    }
  });
}
