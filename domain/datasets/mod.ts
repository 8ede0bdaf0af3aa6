/**
 * Customer datasets: CSV and JSON records typed into columns, the column map, the store in
 * KV, data quality and correlations.
 *
 * @module
 */
export { correlationMatrix } from "./correlation.ts";
export { numericMatrix, parseCsv, TableError } from "./csv_table.ts";
export {
  applyColumnMap,
  type ColumnMapOverride,
  DatasetError,
  datasetFromRecords,
  newDatasetId,
  parseCsvStream,
} from "./parse.ts";
export { dataQuality, describeDataset } from "./quality.ts";
export {
  clearSession,
  getCurrentDatasetId,
  listDatasets,
  saveDataset,
  setCurrentDataset,
} from "./store.ts";
export { COLUMN_ROLES, columnByName, type ColumnRole, type Dataset } from "./types.ts";
