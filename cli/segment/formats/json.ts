/**
 * `--format json`: the API's JSON report of the run (`jsonReport`: metrics, per-segment
 * profiles, names and personas, the selection and every candidate, the preprocessing report),
 * with each customer's id and label added, so a script needs nothing else.
 *
 * @module
 */
import { jsonReport } from "../../../domain/workflow/mod.ts";
import type { Segmented } from "../pipeline.ts";

/** The run as pretty-printed JSON, ending with a newline. */
export function formatJson({ record }: Segmented): string {
  const run = record.body.run;
  const { success: _, ...report } = jsonReport(record);
  return JSON.stringify({ ...report, ids: run.ids, labels: run.labels }, null, 2) + "\n";
}
