import assert from "node:assert/strict";
import { column, parse, refusalSync } from "./_helpers.ts";
import { applyColumnMap, guessColumnMap } from "../../../domain/datasets/column_map.ts";

Deno.test("guessColumnMap maps names case-, space- and punctuation-insensitively", () => {
  const g = guessColumnMap([
    "Cust_ID",
    "SEX",
    "Country",
    "customer age",
    "Income (thousands)",
    "spending-score",
    "Total Spend",
    "PurchaseFrequency",
    "days since last purchase",
    "Lifespan",
    "MntWines",
    "Year_Birth",
    "Marital_Status",
  ]);
  assert.deepEqual(g.columnMap, {
    customer_id: "Cust_ID",
    gender: "SEX",
    region: "Country",
    age: "customer age",
    income: "Income (thousands)",
    spending_score: "spending-score",
    purchase_amount: "Total Spend",
    purchase_frequency: "PurchaseFrequency",
    recency: "days since last purchase",
    lifespan: "Lifespan",
    products: ["MntWines"],
  });
  assert.equal(g.incomeScale, 1000);
  assert.equal(guessColumnMap(["Income"]).incomeScale, 1);
  // With kinds, a numeric role takes only a numeric column.
  const typed = guessColumnMap([
    { name: "Income", kind: "categorical" },
    { name: "Salary", kind: "numeric" },
    { name: "ID", kind: "numeric" },
  ]);
  assert.deepEqual(typed.columnMap, { income: "Salary" });
});

Deno.test("applyColumnMap validates roles and columns and returns a new dataset", async () => {
  const ds = await parse("id,city,spend,score\n1,Porto,10,x\n2,Lisboa,20,y\n");
  const changed = applyColumnMap(ds, { purchase_amount: "spend", region: null });
  assert.equal(changed.columnMap.purchase_amount, "spend");
  assert.equal(changed.columnMap.region, undefined);
  assert.equal(ds.columnMap.region, "city", "the original is unchanged");

  const unknown = refusalSync(() => applyColumnMap(ds, { age: "Age" }));
  assert.equal(unknown.code, "unknown_column");
  assert.equal(unknown.status, 422);
  assert.match(unknown.message, /its columns are: id, city, spend, score/);
  const text = refusalSync(() => applyColumnMap(ds, { income: "city" }));
  assert.equal(text.code, "column_not_numeric");
  assert.equal(text.column, "city");
  const product = refusalSync(() => applyColumnMap(ds, { products: ["spend", "score"] }));
  assert.equal(product.column, "score");
  const role = refusalSync(() => applyColumnMap(ds, { salary: "spend" } as never));
  assert.equal(role.code, "invalid_column_map");
  const scale = refusalSync(() => applyColumnMap(ds, { incomeScale: -1 }));
  assert.equal(scale.code, "invalid_column_map");

  const repeated = await parse("ref,v\na,1\nb,2\na,3\n");
  const dup = refusalSync(() => applyColumnMap(repeated, { customer_id: "ref" }));
  assert.equal(dup.code, "invalid_id_column");
  assert.equal(dup.row, 3);

  const numericId = await parse("ref,v\n10,1\n20,2\n");
  const remapped = applyColumnMap(numericId, { customer_id: "ref" });
  assert.deepEqual(remapped.ids, ["10", "20"]);
  assert.equal(column(remapped, "ref").kind, "id");
  const onlyRef = await parse("ref,v\n10,1\n20,2\n");
  const none = refusalSync(() =>
    applyColumnMap({ ...onlyRef, columns: onlyRef.columns.slice(0, 1) }, { customer_id: "ref" })
  );
  assert.equal(none.code, "no_numeric_columns");

  const thousands = await parse("Income (k$),b\n1,2\n");
  assert.equal(thousands.incomeScale, 1000);
  assert.equal(applyColumnMap(thousands, { incomeScale: 1 }).incomeScale, 1);
  assert.equal(applyColumnMap(thousands, { income: "b" }).incomeScale, 1, "re-guessed");
});
