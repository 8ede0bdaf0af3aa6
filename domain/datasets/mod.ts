/**
 * Customer datasets: CSV and JSON records typed into columns, the column map, the store in
 * KV, data quality and correlations.
 *
 * @module
 */
export { correlationMatrix } from "./correlation.ts";
export { numericMatrix, parseCsv, TableError } from "./csv_table.ts";
export { applyColumnMap, type ColumnMapOverride } from "./column_map.ts";
export { parseCsvStream } from "./csv_stream.ts";
export { datasetRoles } from "./role_columns.ts";
export { newDatasetId } from "./dataset.ts";
export { DatasetError, refuseOutOfRange } from "./errors.ts";
export { featureTable, type ResolvedFeatures, resolveFeatures } from "./feature_columns.ts";
export { columnsFromRecords, datasetFromRecords } from "./records.ts";
export { dataQuality, describeDataset } from "./quality.ts";
export { type PlainTable, toPlainTable } from "./plain_table.ts";
export {
  clearSession,
  datasetCacheStats,
  getCurrentDatasetId,
  listDatasets,
  saveDataset,
  setCurrentDataset,
} from "./store.ts";
export {
  COLUMN_ROLES,
  columnByName,
  type ColumnRole,
  type ColumnTable,
  type Dataset,
} from "./types.ts";
