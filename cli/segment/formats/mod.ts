/**
 * The output formats of `deno task segment`, one module each.
 *
 * @module
 */
import type { Format } from "../args.ts";
import type { Segmented } from "../pipeline.ts";
import { formatCsv } from "./csv.ts";
import { formatHtml } from "./html.ts";
import { formatJson } from "./json.ts";
import { formatTable } from "./table.ts";

/** The run written as `format`. */
export function render(format: Format, segmented: Segmented): string {
  switch (format) {
    case "table":
      return formatTable(segmented);
    case "json":
      return formatJson(segmented);
    case "csv":
      return formatCsv(segmented);
    case "html":
      return formatHtml(segmented);
  }
}
