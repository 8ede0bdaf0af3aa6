import assert from "node:assert/strict";
import { numericMatrix, parseCsv, recordsFromTable } from "../../../domain/datasets/csv_table.ts";

Deno.test("parseCsv reads quotes, CRLF, a BOM and detects ; and tab delimiters", () => {
  const t = parseCsv('\uFEFFname,"income, k$"\r\n"Ana ""A""",12\r\nBo,7\r\n');
  assert.deepEqual(t.columns, ["name", "income, k$"]);
  assert.deepEqual(t.rows, [['Ana "A"', "12"], ["Bo", "7"]]);
  assert.deepEqual(parseCsv("a;b\n1;2\n").rows, [["1", "2"]]);
  assert.deepEqual(parseCsv("a\tb\n1\t2\n").rows, [["1", "2"]]);
});

Deno.test("parseCsv refuses an empty file, a header alone and ragged rows", () => {
  assert.throws(() => parseCsv(""), /empty/);
  assert.throws(() => parseCsv("a,b\n"), /no data rows/);
  assert.throws(() => parseCsv("a,b\n1,2\n3\n"), /line 3/);
});

Deno.test("numericMatrix names the column and row of a bad value", () => {
  const t = parseCsv("a,b\n1,2\n3,x\n");
  assert.throws(() => numericMatrix(t), /Column "b" is not numeric \(data row 2 holds "x"\)/);
  assert.throws(
    () => numericMatrix(parseCsv("a,b\n1,\n")),
    /"b" has a missing value at data row 1/,
  );
  assert.throws(() => numericMatrix(t, ["c"]), /Unknown column "c"/);
  const m = numericMatrix(t, ["a"]);
  assert.deepEqual(Array.from(m.data), [1, 3]);
});

Deno.test("recordsFromTable names repeated and empty headers so that no value is lost", () => {
  const records = recordsFromTable(parseCsv("a,a,,__proto__\n1,2,3,4\n"));
  assert.deepEqual(Object.keys(records[0]!), ["a", "a.1", "column_3", "__proto__"]);
  assert.equal(records[0]!["__proto__"], "4");
  assert.equal(Object.getPrototypeOf(records[0]), Object.prototype);
});
