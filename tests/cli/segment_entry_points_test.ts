/**
 * The CLI segments the same customers as the API's entry points: a CSV of document 000's
 * customers, run with a seed, gets the labels that document 000's function and the workflow give
 * them with that seed.
 */
import assert from "node:assert/strict";
import { createCpuBackend } from "../../compute/cpu/backend.ts";
import { purchasingSegmentation } from "../../domain/segmentation/purchasing.ts";
import { customers, records } from "../domain/segmentation/_customers.ts";
import { runSegment, tempCsv } from "./_segment_run.ts";

Deno.test("the CLI gives document 000's customers document 000's segments with the same seed", async () => {
  const data = customers(90);
  const seed = 7;
  const backend = createCpuBackend({ threads: 1 });
  const doc000 = await purchasingSegmentation({ data, random_state: seed }, backend, "en")
    .finally(() => backend.dispose());
  const expected = new Map(
    doc000.customer_labels.map((l) => [String(l.customer_id), l.cluster_id]),
  );

  const rows = records(data);
  const header = Object.keys(rows[0]!);
  const csv = [
    header.join(","),
    ...rows.map((r) => header.map((h) => String(r[h as keyof typeof r])).join(",")),
  ]
    .join("\n");
  const { path, dir } = await tempCsv("customers.csv", csv + "\n");
  try {
    const { code, out, err } = await runSegment([
      "--input",
      path,
      "--seed",
      String(seed),
      "--backend",
      "cpu",
      "--format",
      "json",
    ]);
    assert.equal(code, 0, err);
    const r = JSON.parse(out) as { ids: string[]; labels: number[] };
    const got = new Map(r.ids.map((id, i) => [id, r.labels[i]!]));
    assert.equal(got.size, 90);
    assert.deepEqual([...got.entries()].sort(), [...expected.entries()].sort());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
