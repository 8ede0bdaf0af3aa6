/**
 * A dataset from typed columns: its id, its guessed (then overridden) column map and its ids,
 * the last step of every way a dataset is made (CSV stream, JSON records).
 *
 * @module
 */
import {
  applyColumnMap,
  type ColumnMapOverride,
  guessColumnMap,
  idsOf,
  requireNumeric,
} from "./column_map.ts";
import type { Dataset, DatasetColumn } from "./types.ts";

/** Options of `datasetFromRecords` (and `parseCsvStream`). */
export interface DatasetOptions {
  /** A file name or a label given by the client. */
  name: string;
  /** Epoch ms, the dataset's `createdAt`. */
  now: number;
  /** The dataset id; a fresh `newDatasetId()` when absent. */
  id?: string;
  /** Applied over the guessed map with `applyColumnMap`. */
  columnMap?: ColumnMapOverride;
}

/** A new dataset id: `ds_` and 24 random hex digits. */
export function newDatasetId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return "ds_" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The dataset of `columns` (each of `rowCount` values) with its guessed column map, then
 * `options.columnMap` applied over it.
 *
 * @throws {DatasetError} 422 `no_numeric_columns`, or an override's errors (see `applyColumnMap`).
 */
export function finishDataset(
  columns: DatasetColumn[],
  rowCount: number,
  options: DatasetOptions,
): Dataset {
  const guessed = guessColumnMap(columns);
  const base: Dataset = {
    id: options.id ?? newDatasetId(),
    name: options.name,
    createdAt: options.now,
    rowCount,
    columns,
    columnMap: guessed.columnMap,
    ids: idsOf(columns, guessed.columnMap, rowCount),
    incomeScale: guessed.incomeScale,
  };
  if (options.columnMap) return applyColumnMap(base, options.columnMap);
  requireNumeric(columns);
  return base;
}
