/** Small hand-made datasets for the tests of the modules that read datasets. */
import type { ColumnMap, Dataset, DatasetColumn } from "../../domain/datasets/types.ts";

/** A dataset from columns: all-number (or null) columns are numeric, null = missing. */
export function dataset(
  columns: Record<string, readonly (number | null)[] | readonly (string | null)[]>,
  columnMap: ColumnMap,
  incomeScale = 1,
): Dataset {
  const built: DatasetColumn[] = Object.entries(columns).map(([name, values]) => {
    if (values.every((v) => v === null || typeof v === "number")) {
      const numbers = Float64Array.from(values as (number | null)[], (v) => v ?? NaN);
      return {
        name,
        kind: "numeric",
        values: numbers,
        missing: values.filter((v) => v === null).length,
      };
    }
    return {
      name,
      kind: "categorical",
      values: values as (string | null)[],
      missing: values.filter((v) => v === null).length,
    };
  });
  const rowCount = Object.values(columns)[0]?.length ?? 0;
  return {
    id: "ds",
    name: "test",
    createdAt: 0,
    rowCount,
    columns: built,
    columnMap,
    ids: Array.from({ length: rowCount }, (_, i) => `c${i + 1}`),
    incomeScale,
  };
}
