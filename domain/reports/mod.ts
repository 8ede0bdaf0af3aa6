/**
 * What a segmentation is shown as: Plotly figures, the standalone HTML report and
 * formula-escaped CSV, rendered from plain inputs (no store, no session).
 *
 * @module
 */
export { toCsv } from "./csv_export.ts";
export {
  EXPORT_LEVELS,
  type ExportLevel,
  exportLevel,
  flattenScalars,
  summaryFields,
  summaryTable,
} from "./summary_table.ts";
