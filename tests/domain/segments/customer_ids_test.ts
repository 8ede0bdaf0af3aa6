/** Customer ids in document 003's responses: integers when every id is one, text otherwise. */
import assert from "node:assert/strict";
import type { Dataset } from "../../../domain/datasets/types.ts";
import {
  hasIntegerIds,
  isCanonicalInteger,
  typedCustomerId,
  typedCustomerIds,
} from "../../../domain/segments/customer_ids.ts";

function dataset(ids: string[]): Dataset {
  return {
    id: "d",
    name: "d",
    createdAt: 0,
    rowCount: ids.length,
    columns: [],
    columnMap: {},
    ids,
    incomeScale: 1,
  };
}

Deno.test("integer ids answer as numbers", () => {
  const d = dataset(["12345", "12346", "0", "-4"]);
  assert.equal(hasIntegerIds(d), true);
  assert.deepEqual(typedCustomerIds(d), [12345, 12346, 0, -4]);
  assert.equal(typedCustomerId(d, 1), 12346);
});

Deno.test("one id that is not a canonical integer keeps every id of the dataset text", () => {
  for (const odd of ["007", "1.0", "+5", "C1", "1e3", "99999999999999999"]) {
    const d = dataset(["1", "2", odd]);
    assert.equal(hasIntegerIds(d), false, odd);
    assert.deepEqual(typedCustomerIds(d), ["1", "2", odd]);
  }
  assert.equal(isCanonicalInteger("9007199254740991"), true);
  assert.equal(isCanonicalInteger("-0"), false);
});
