/**
 * What a segmentation is shown and shared as: Plotly figures, the standalone HTML report, CSV
 * and JSON exports, and stored exports that expire.
 *
 * @module
 */
export { toCsv } from "./csv_export.ts";
export {
  clusterCsv,
  EXPORT_FORMATS,
  type ExportFile,
  getExport,
  isExpired,
  saveExport,
  segmentationCsv,
  segmentationTable,
  sweepExpiredExports,
  type TableOptions,
} from "./stored_exports.ts";
