import assert from "node:assert/strict";
import { numbers, OPTS, parse, refusalSync, texts } from "./_helpers.ts";
import { datasetFromRecords } from "../../../domain/datasets/records.ts";

Deno.test("datasetFromRecords types records as a CSV would be typed", async () => {
  const records = [
    { id: 1, gender: "F", age: 30, income: "50", vip: true },
    { id: 2, gender: "M", age: null, income: 60, vip: false },
    { id: 3, gender: "F", income: 70, age: 45, vip: false },
  ];
  const ds = datasetFromRecords(records, OPTS);
  assert.deepEqual(ds.columns.map((c) => [c.name, c.kind, c.missing]), [
    ["id", "id", 0],
    ["gender", "categorical", 0],
    ["age", "numeric", 1],
    ["income", "numeric", 0],
    ["vip", "categorical", 0],
  ]);
  assert.deepEqual(ds.ids, ["1", "2", "3"]);
  assert.deepEqual(numbers(ds, "income"), [50, 60, 70]);
  assert.deepEqual(texts(ds, "vip"), ["true", "false", "false"]);
  assert.deepEqual(ds.columnMap, {
    customer_id: "id",
    gender: "gender",
    age: "age",
    income: "income",
  });

  const csv = await parse(
    "id,gender,age,income,vip\n1,F,30,50,true\n2,M,,60,false\n3,F,45,70,false\n",
  );
  assert.deepEqual(ds, csv);

  const sparse = datasetFromRecords([{ a: 1 }, { b: "x" }, { a: 3, b: "y" }], OPTS);
  assert.deepEqual(numbers(sparse, "a"), [1, NaN, 3]);
  assert.deepEqual(texts(sparse, "b"), [null, "x", "y"]);
});

Deno.test("datasetFromRecords refuses nested values naming the record and field", () => {
  const nested = refusalSync(() => datasetFromRecords([{ a: 1 }, { a: 2, b: { c: 1 } }], OPTS));
  assert.equal(nested.code, "nested_value");
  assert.equal(nested.status, 422);
  assert.equal(nested.row, 2);
  assert.equal(nested.column, "b");
  assert.match(nested.message, /records\[1\]\.b/);
  const list = refusalSync(() => datasetFromRecords([{ a: [1, 2] }], OPTS));
  assert.match(list.message, /an array/);
  assert.equal(refusalSync(() => datasetFromRecords([], OPTS)).code, "empty_file");
  assert.equal(
    refusalSync(() => datasetFromRecords([{ a: 1 }, "x" as never], OPTS)).code,
    "invalid_record",
  );
  assert.equal(
    refusalSync(() => datasetFromRecords([{ a: Infinity }], OPTS)).code,
    "invalid_value",
  );
});
