/**
 * CSV refusals name every place at fault: every ragged row (up to 100, then truncated), the
 * line and column where an unclosed quote opened, and each stray non-number of a numeric
 * column.
 */
import assert from "node:assert/strict";
import { parse, refusal } from "./_helpers.ts";
import { datasetFromRecords } from "../../../domain/datasets/records.ts";
import { DatasetError } from "../../../domain/datasets/errors.ts";

Deno.test("every ragged row is listed, each with its row, line and missing column", async () => {
  const e = await refusal(parse("a,b,c\n1,2,3\n4,5\n6,7,8\n\n9\n10,11,12,13\n"));
  assert.equal(e.code, "ragged_row");
  assert.equal(e.row, 2);
  assert.equal(e.column, "c");
  assert.deepEqual(e.issues?.map((i) => [i.row, i.line, i.column]), [
    [2, 3, "c"],
    [4, 6, "b"],
    [5, 7, undefined],
  ]);
  assert.equal(e.issueCount, 3);
  assert.match(e.message, /Data row 2 \(line 3\).*\(and 2 more in details.issues\)/);
});

Deno.test("past 100 ragged rows the list is cut and the count kept", async () => {
  const rows = Array.from({ length: 250 }, (_, i) => (i % 2 ? `${i},${i}` : `${i}`));
  const e = await refusal(parse(`a,b\n${rows.join("\n")}\n`));
  assert.equal(e.issues?.length, 100);
  assert.equal(e.issueCount, 125);
  assert.equal(e.issues?.[99]?.row, 199);
});

Deno.test("an unclosed quote is placed at the line and column where it opened", async () => {
  const e = await refusal(parse('a,b,c\n1,2,3\n\n4,"5,6\n7,8,9\n10,11,12\n'));
  assert.equal(e.code, "invalid_csv");
  assert.equal(e.row, 2);
  assert.equal(e.column, "b");
  assert.match(
    e.message,
    /data row 2 \(line 4\): a quoted field is never closed \(it opens in column "b"\)/,
  );
});

Deno.test("a non-number in a numeric column is refused, naming each row and the column", async () => {
  const rows = Array.from({ length: 60 }, (_, i) => {
    const income = i === 6 ? "abc" : i === 30 ? "12,5x" : i === 8 ? "" : i === 9 ? "-" : `${i}`;
    return `c${i},${20 + i},"${income}"`;
  });
  const e = await refusal(parse(`id,age,income\n${rows.join("\n")}\n`));
  assert.equal(e.code, "not_a_number");
  assert.equal(e.status, 422);
  assert.equal(e.row, 7);
  assert.equal(e.column, "income");
  assert.deepEqual(e.issues?.map((i) => i.row), [7, 31]);
  assert.match(e.message, /Column "income" holds numbers, but data row 7 holds "abc"/);
  // The same rule for JSON records.
  const records = Array.from({ length: 40 }, (_, i) => ({ id: `c${i}`, x: i === 5 ? "n/d" : i }));
  assert.throws(
    () => datasetFromRecords(records, { name: "r", now: 0 }),
    (error: unknown) =>
      error instanceof DatasetError && error.code === "not_a_number" &&
      error.row === 6 && error.column === "x",
  );
});

Deno.test("a category, a code or a small mixed column stays text", async () => {
  const mixed = Array.from(
    { length: 40 },
    (_, i) => `c${i},${i % 4 ? i : "none"},${i % 3 ? i : "X"}`,
  );
  const ds = await parse(`customer_id,level,store_id\n${mixed.join("\n")}\n`);
  // "none" is missing in a numeric column; an id-named code column may mix letters in.
  assert.equal(ds.columns[1]!.kind, "numeric");
  assert.equal(ds.columns[2]!.kind, "categorical");
  const few = await parse("k,n,v\na,1,1\nb,2,2\nc,3,x\n");
  assert.equal(few.columns[2]!.kind, "categorical");
  const half = Array.from({ length: 40 }, (_, i) => `r${i},${i},${i % 2 ? i : "low"}`);
  assert.equal((await parse(`k,n,v\n${half.join("\n")}\n`)).columns[2]!.kind, "categorical");
});
