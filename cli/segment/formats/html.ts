/**
 * `--format html`: the standalone report (inline SVG charts, no script) that the API serves at
 * `GET /api/export?format=html`, made by the same function from the same run.
 *
 * @module
 */
import { workflowHtmlReport } from "../../../domain/workflow/mod.ts";
import type { Segmented } from "../pipeline.ts";

/** The run's HTML report. */
export function formatHtml({ record }: Segmented): string {
  return workflowHtmlReport(record);
}
