/**
 * Customer ids as document 003's responses write them: `"customer_id": 12345`, an integer, when
 * the dataset's ids are integers, and text otherwise. A dataset's ids are held as text
 * (`Dataset.ids`); they are written as numbers only when every one of them is a canonical
 * integer (`12345`, not `007`, `1.0` or `+5`) within JavaScript's safe range, so that each id
 * reads back to exactly the text it came from and one dataset never mixes the two types. The row
 * numbers of a dataset without an id column are integers too.
 *
 * @module
 */
import type { Dataset } from "../datasets/types.ts";

/** A customer id in a response: an integer, or text. */
export type TypedCustomerId = number | string;

const CANONICAL_INTEGER = /^(0|-?[1-9]\d{0,15})$/;

/** True when `id` is the text of a safe integer, written as JavaScript writes that integer. */
export function isCanonicalInteger(id: string): boolean {
  return CANONICAL_INTEGER.test(id) && Number.isSafeInteger(Number(id));
}

// One decision per dataset object (datasets are immutable).
const integerIds = new WeakMap<Dataset, boolean>();

/** True when every customer id of `dataset` is a canonical integer (`isCanonicalInteger`). */
export function hasIntegerIds(dataset: Dataset): boolean {
  let all = integerIds.get(dataset);
  if (all === undefined) {
    all = dataset.ids.every(isCanonicalInteger);
    integerIds.set(dataset, all);
  }
  return all;
}

/**
 * The id of row `row` of `dataset` as a response writes it: a number when the dataset's ids are
 * integers (`hasIntegerIds`), else its text; the 1-based row number where the row has no id.
 *
 * @example
 * ```ts
 * import { typedCustomerId } from "./customer_ids.ts";
 * const dataset = {
 *   id: "d", name: "d", createdAt: 0, rowCount: 2, columns: [], columnMap: {},
 *   ids: ["12345", "12346"], incomeScale: 1,
 * };
 * if (typedCustomerId(dataset, 0) !== 12345) throw new Error();
 * ```
 */
export function typedCustomerId(dataset: Dataset, row: number): TypedCustomerId {
  const id = dataset.ids[row] ?? String(row + 1);
  return hasIntegerIds(dataset) ? Number(id) : id;
}

/** Every row's id as `typedCustomerId` writes it, in row order. */
export function typedCustomerIds(dataset: Dataset): TypedCustomerId[] {
  const integers = hasIntegerIds(dataset);
  return Array.from(
    { length: dataset.rowCount },
    (_, row) => {
      const id = dataset.ids[row] ?? String(row + 1);
      return integers ? Number(id) : id;
    },
  );
}
