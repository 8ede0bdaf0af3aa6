/**
 * Numbers as spreadsheets format them (thousands separators, currency, percent, decimal comma
 * in `;` files) are read as numbers, not as a category of unique levels.
 */
import assert from "node:assert/strict";
import { parseCsvStream } from "../../../domain/datasets/csv_stream.ts";
import { readFormattedNumbers } from "../../../domain/datasets/values.ts";

const OPTS = { name: "x.csv", now: 0 };

function read(values: string[], decimalComma: boolean): number[] | null {
  const x = readFormattedNumbers(values, decimalComma);
  return x && Array.from(x);
}

Deno.test("readFormattedNumbers reads thousands, currency, percent and signs", () => {
  assert.deepEqual(read(["1,200.50", "$1,200.50", "-$3", "$-3", "12%", "12 €", "€1.5"], false), [
    1200.5,
    1200.5,
    -3,
    -3,
    12,
    12,
    1.5,
  ]);
  assert.deepEqual(read(["1,234,567.1", "1'234", "7"], false), [1234567.1, 1234, 7]);
});

Deno.test("readFormattedNumbers reads a decimal comma only when told", () => {
  assert.deepEqual(read(["1,5", "-3,25", "1.234,56", "1 234,56", "2", "1,234"], true), [
    1.5,
    -3.25,
    1234.56,
    1234.56,
    2,
    1.234,
  ]);
  assert.equal(read(["1,5", "2"], false), null);
  assert.equal(read(["1,2,3"], true), null);
});

Deno.test("readFormattedNumbers leaves text, mixed marks and missing-only columns alone", () => {
  for (const v of [["Porto", "1"], ["$$3"], ["--3"], ["3 4"], ["1.5,5"], ["$3€"]]) {
    assert.equal(read(v, false), null, v.join("|"));
  }
  assert.equal(readFormattedNumbers([null, "NA", "-"], true), null);
  assert.deepEqual(read(["$5", "?", ""], false)!.map((x) => (x === x ? x : null)), [
    5,
    null,
    null,
  ]);
});

Deno.test("parseCsvStream types formatted money as numeric, a decimal comma in ; files only", async () => {
  const semi = "id;balance;city\n1;1,5;Porto\n2;2;Faro\n3;1.234,50;Braga\n";
  const ds = await parseCsvStream(new Blob([semi]).stream(), OPTS);
  const balance = ds.columns.find((c) => c.name === "balance")!;
  assert.equal(balance.kind, "numeric");
  assert.deepEqual(Array.from(balance.values as Float64Array), [1.5, 2, 1234.5]);

  const comma = 'id,spend,rate\n1,"$1,200.50",12%\n2,$30,5%\n3,"$4,000",7.5%\n';
  const c = await parseCsvStream(new Blob([comma]).stream(), OPTS);
  assert.deepEqual(c.columns.map((x) => x.kind), ["id", "numeric", "numeric"]);
  assert.deepEqual(Array.from(c.columns[1]!.values as Float64Array), [1200.5, 30, 4000]);

  const text = 'id,balance,n\n1,"1,5",1\n2,"2,5",2\n3,"3,5",3\n';
  const t = await parseCsvStream(new Blob([text]).stream(), OPTS);
  assert.equal(t.columns[1]!.kind, "categorical");
});
