/**
 * `--format csv`: one record per customer in file order, with the customer's id (the id
 * column's value, else the 1-based row number), the segment id (−1 for DBSCAN's noise) and the
 * segment's name; written by the domain's CSV writer (RFC 4180, formula-escaped).
 *
 * @module
 */
import { toCsv } from "../../../domain/reports/mod.ts";
import { clusterNames } from "../../../domain/workflow/mod.ts";
import type { Segmented } from "../pipeline.ts";

/** The header of the CSV output. */
export const CSV_HEADER = ["customer_id", "segment_id", "segment_name"] as const;

/** The customers' segments as CSV text. */
export function formatCsv({ record }: Segmented): string {
  const run = record.body.run;
  const names = clusterNames(run);
  return toCsv(
    CSV_HEADER,
    run.labels.map((l, i) => [run.ids[i]!, l, l < 0 ? "Noise" : names[l] ?? `Segment ${l}`]),
  );
}
