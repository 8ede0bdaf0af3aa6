/** The value typing rules every reader of customer data shares. */
import assert from "node:assert/strict";
import {
  detectDelimiter,
  isCodeName,
  isMissing,
  isNumericMissing,
  numberColumnKind,
  parseBoolean,
  parseNumber,
  readDates,
  textColumnKind,
} from "../../../domain/datasets/values.ts";
import { columnsFromRecords } from "../../../domain/datasets/records.ts";

Deno.test("missing tokens: everywhere, and the numeric-only ones", () => {
  for (const t of ["", "NA", "n/a", "#N/A", "<NA>", "null", "NaN"]) assert.ok(isMissing(t), t);
  for (const t of ["None", "nil", "-", "?"]) {
    assert.ok(!isMissing(t) && isNumericMissing(t), t);
  }
});

Deno.test("numbers: decimals with spaces and exponents, not hex codes; flags", () => {
  assert.equal(parseNumber(" 2.5 "), 2.5);
  assert.equal(parseNumber("1e3"), 1000);
  assert.ok(Number.isNaN(parseNumber("0x1A")));
  assert.ok(Number.isNaN(parseNumber("  ")));
  assert.equal(parseBoolean("TRUE"), 1);
  assert.equal(parseBoolean("false "), 0);
  assert.equal(parseBoolean("yes"), -1);
});

Deno.test("ids and integer codes under id names", () => {
  assert.equal(numberColumnKind("CustomerID", [3, 1, 2]), "id");
  assert.equal(numberColumnKind("store_id", [1, 2, 1]), "code");
  assert.equal(numberColumnKind("ID", [1.5, 2.5]), "numeric");
  assert.equal(numberColumnKind("age", [1, 2, 3]), "numeric");
  assert.equal(textColumnKind("user_id", ["a", "b"]), "id");
  assert.equal(textColumnKind("user_id", ["a", null]), "categorical");
});

Deno.test("a few integers under a category name are codes; names or values alone are not", () => {
  assert.equal(numberColumnKind("Channel", [1, 2, 2, 1]), "code");
  assert.equal(numberColumnKind("Region", [1, 2, 3, NaN]), "code");
  assert.equal(numberColumnKind("store_type", [4, 4, 7]), "code");
  assert.equal(numberColumnKind("ZoneCode", [10, 20]), "code");
  // The name alone: an income-sized Region is a quantity.
  const many = Array.from({ length: 40 }, (_, i) => i * 1000);
  assert.equal(numberColumnKind("Region", many), "numeric");
  // The values alone: a few integers under another name stay numbers (Kidhome, counts).
  assert.equal(numberColumnKind("Kidhome", [0, 1, 2, 1]), "numeric");
  // Fractions are never codes.
  assert.equal(numberColumnKind("Channel", [1.5, 2]), "numeric");
  assert.equal(isCodeName("Regional_spend"), false);
});

Deno.test("an impossible date does not make a date column (it used to, in uploads)", () => {
  assert.equal(readDates(["31-02-2020", "01-03-2020"]), null);
  assert.equal(textColumnKind("d", ["31-02-2020", "01-03-2020"]), "categorical");
  const table = columnsFromRecords([{ d: "31-02-2020", v: 1 }, { d: "01-03-2020", v: 2 }]);
  assert.equal(table.columns[0]!.kind, "categorical");
  const ok = readDates(["12/31/2020", "-", "01/02/2021"])!;
  assert.equal(ok.format, "mm/dd/yyyy");
  assert.ok(Number.isNaN(ok.ms[1]!));
});

Deno.test("the delimiter is counted outside quotes, the same for uploads and the CLI", () => {
  assert.equal(detectDelimiter('"a;b;c",d,e'), ",");
  assert.equal(detectDelimiter("a;b,c;d"), ";");
  assert.equal(detectDelimiter("a\tb"), "\t");
});
