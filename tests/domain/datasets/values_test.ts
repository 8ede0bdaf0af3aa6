/** The value typing rules every reader of customer data shares. */
import assert from "node:assert/strict";
import {
  detectDelimiter,
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
