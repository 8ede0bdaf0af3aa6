import assert from "node:assert/strict";
import {
  csvField,
  datasetCsv,
  datasetCsvLines,
  toCsv,
} from "../../../domain/reports/csv_export.ts";
import type { Dataset } from "../../../domain/datasets/types.ts";

Deno.test("csvField prefixes formula text with a quote", () => {
  assert.equal(csvField("=SUM(A1)"), "'=SUM(A1)");
  assert.equal(csvField("+A1"), "'+A1");
  assert.equal(csvField("+1+1"), "'+1+1");
  assert.equal(csvField("-x"), "'-x");
  assert.equal(csvField("@x"), "'@x");
  assert.equal(csvField("\tcmd"), "'\tcmd");
  assert.equal(csvField("\rcmd"), '"\'\rcmd"', "the CR also needs quotes");
  assert.equal(csvField('=HYPERLINK("http://x","y")'), `"'=HYPERLINK(""http://x"",""y"")"`);
  assert.equal(csvField("a=b"), "a=b", "only a leading character counts");
});

Deno.test("csvField leaves numbers, and text that is a plain number, untouched", () => {
  assert.equal(csvField(-5), "-5");
  assert.equal(csvField(1.5), "1.5");
  assert.equal(csvField(-0), "0");
  assert.equal(csvField("-5"), "-5");
  assert.equal(csvField("+1"), "+1");
  assert.equal(csvField("-1.5e3"), "-1.5e3");
  assert.equal(csvField("-5 "), "'-5 ", "not a plain number");
  assert.equal(csvField(null), "");
  assert.equal(csvField(NaN), "");
  assert.equal(csvField(Infinity), "");
});

Deno.test("csvField doubles quotes and quotes fields with commas and newlines", () => {
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField("a,b"), '"a,b"');
  assert.equal(csvField("line 1\nline 2"), '"line 1\nline 2"');
  assert.equal(csvField("line 1\r\nline 2"), '"line 1\r\nline 2"');
  assert.equal(csvField("plain"), "plain");
  assert.equal(csvField(""), "");
});

Deno.test("toCsv writes CRLF records, escapes the header and refuses ragged rows", () => {
  const csv = toCsv(["=id", "spend"], [["a", -5], ["-x", null]]);
  assert.equal(csv, "'=id,spend\r\na,-5\r\n'-x,\r\n");
  assert.equal(toCsv(["a"], [], { bom: true }), "\uFEFFa\r\n");
  assert.throws(() => toCsv(["a", "b"], [["1", "2"], ["3"]]), /row 1 to have 2 fields/);
});

const dataset: Dataset = {
  id: "ds_1",
  name: "mall.csv",
  createdAt: 0,
  rowCount: 3,
  columns: [
    { name: "CustomerID", kind: "id", values: ["c1", "=cmd|' /C calc'!A0", "c3"], missing: 0 },
    { name: "Income", kind: "numeric", values: Float64Array.from([15, NaN, -2.5]), missing: 1 },
    { name: "cluster", kind: "categorical", values: ["x", null, "y, z"], missing: 1 },
  ],
  columnMap: { customer_id: "CustomerID", income: "Income" },
  ids: ["c1", "=cmd|' /C calc'!A0", "c3"],
  incomeScale: 1000,
};

Deno.test("datasetCsv writes the data with its cluster column, renaming a taken name", () => {
  const csv = datasetCsv(dataset, [{ name: "cluster", values: Int32Array.from([0, 1, -1]) }]);
  assert.equal(
    csv,
    "CustomerID,Income,cluster,cluster_2\r\n" +
      "c1,15,x,0\r\n" +
      "'=cmd|' /C calc'!A0,,,1\r\n" +
      'c3,-2.5,"y, z",-1\r\n',
  );
  assert.equal([...datasetCsvLines(dataset)].length, 4);
  assert.throws(
    () => datasetCsv(dataset, [{ name: "segment", values: ["a"] }]),
    /"segment" to have 3 values/,
  );
});
