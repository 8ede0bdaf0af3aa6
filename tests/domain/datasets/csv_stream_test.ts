import assert from "node:assert/strict";
import { column, DATA, file, numbers, OPTS, parse, refusal, streamOf, texts } from "./_helpers.ts";
import { parseCsvStream } from "../../../domain/datasets/csv_stream.ts";

Deno.test("parseCsvStream reads the four sample files with their row counts, kinds and maps", async () => {
  const mall = await file("mall_customers.csv");
  assert.equal(mall.rowCount, 200);
  assert.deepEqual(mall.columns.map((c) => c.kind), [
    "id",
    "categorical",
    "numeric",
    "numeric",
    "numeric",
  ]);
  assert.deepEqual(mall.columnMap, {
    customer_id: "CustomerID",
    gender: "Gender",
    age: "Age",
    income: "Annual Income (k$)",
    spending_score: "Spending Score (1-100)",
  });
  assert.equal(mall.incomeScale, 1000);
  assert.deepEqual(mall.ids.slice(0, 3), ["1", "2", "3"]);

  const marketing = await file("marketing_campaign.csv");
  assert.equal(marketing.rowCount, 2240);
  assert.equal(marketing.columns.length, 29);
  assert.equal(column(marketing, "Dt_Customer").kind, "date");
  assert.equal(column(marketing, "Income").missing, 24);
  assert.equal(column(marketing, "Education").kind, "categorical");
  assert.deepEqual(marketing.columnMap, {
    customer_id: "ID",
    income: "Income",
    recency: "Recency",
    products: [
      "MntWines",
      "MntFruits",
      "MntMeatProducts",
      "MntFishProducts",
      "MntSweetProducts",
      "MntGoldProds",
    ],
  });
  assert.equal(marketing.incomeScale, 1);
  assert.equal(marketing.ids[0], "5524");

  const cc = await file("cc_general.csv");
  assert.equal(cc.rowCount, 8950);
  assert.equal(cc.columns.length, 18);
  assert.equal(column(cc, "MINIMUM_PAYMENTS").missing, 313);
  assert.equal(column(cc, "CREDIT_LIMIT").missing, 1);
  assert.deepEqual(cc.columnMap, {
    customer_id: "CUST_ID",
    purchase_amount: "PURCHASES",
  });
  assert.equal(cc.ids[0], "C10001");

  const wholesale = await file("wholesale_customers.csv");
  assert.equal(wholesale.rowCount, 440);
  // Channel and Region hold a few integers under category names: codes, typed as categories.
  assert.deepEqual(
    wholesale.columns.filter((c) => c.kind !== "numeric").map((c) => `${c.name}:${c.kind}`),
    ["Channel:categorical", "Region:categorical"],
  );
  assert.deepEqual(wholesale.columnMap, {
    region: "Region",
    products: ["Fresh", "Milk", "Grocery", "Frozen", "Detergents_Paper", "Delicassen"],
  });
  assert.equal(wholesale.ids[439], "440", "row numbers stand in for a missing id column");
});

Deno.test("parseCsvStream reads quoted fields with delimiters, newlines and doubled quotes", async () => {
  const ds = await parse(
    'name,note,spend\n"Silva, Ana","line one\nline two",10\n"Bo ""B""",x,20\n',
  );
  assert.deepEqual(texts(ds, "name"), ["Silva, Ana", 'Bo "B"']);
  assert.deepEqual(texts(ds, "note"), ["line one\nline two", "x"]);
  assert.deepEqual(numbers(ds, "spend"), [10, 20]);
});

Deno.test("parseCsvStream reads a BOM and CRLF file as the same dataset as a plain LF file", async () => {
  const plain = await parse('a,b,"c\nd"\n1,x,2\n3,y,4\n');
  const windows = await parse('\uFEFFa,b,"c\nd"\r\n1,x,2\r\n3,y,4\r\n');
  assert.deepEqual(windows, plain);
  assert.equal(plain.columns[0]!.name, "a", "no BOM in the first name");
});

Deno.test("parseCsvStream detects ; and tab delimiters from the header line", async () => {
  const semi = await parse('city;spend\n"Porto; Norte";1.5\nLisboa;2\n');
  assert.deepEqual(texts(semi, "city"), ["Porto; Norte", "Lisboa"]);
  assert.deepEqual(numbers(semi, "spend"), [1.5, 2]);
  const tab = await parse("city\tspend\nPorto, Norte\t1\nLisboa\t2\n");
  assert.deepEqual(texts(tab, "city"), ["Porto, Norte", "Lisboa"]);
  assert.deepEqual(numbers(tab, "spend"), [1, 2]);
  // A comma inside a quoted header name does not vote.
  const quotedHeader = await parse('"income, k$";age\n1;2\n');
  assert.deepEqual(quotedHeader.columns.map((c) => c.name), ["income, k$", "age"]);
});

Deno.test("parseCsvStream gives the same dataset when the bytes arrive 7 at a time", async () => {
  const text = 'id,city,spend,joined\n1,São Paulo,1.50,2021-01-31\n2,"Zürich,\nCH",2,2021-02-01\n' +
    "3,Köln 🏙,NA,\n";
  const whole = await parseCsvStream(streamOf(text), OPTS);
  const chunked = await parseCsvStream(streamOf(text, 7), OPTS);
  assert.deepEqual(chunked, whole);
  assert.deepEqual(texts(whole, "city"), ["São Paulo", "Zürich,\nCH", "Köln 🏙"]);

  const bytes = await Deno.readFile(new URL("marketing_campaign.csv", DATA));
  const a = await parseCsvStream(streamOf(bytes), OPTS);
  const b = await parseCsvStream(streamOf(bytes, 7), OPTS);
  assert.deepEqual(b, a);
});

Deno.test("parseCsvStream refuses a ragged row naming the data row and the missing column", async () => {
  const short = await refusal(parse("a,b,c\n1,2,3\n4,5\n"));
  assert.equal(short.status, 422);
  assert.equal(short.code, "ragged_row");
  assert.equal(short.row, 2);
  assert.equal(short.column, "c");
  assert.match(short.message, /Data row 2 \(line 3\) has 2 fields but the header has 3/);
  const long = await refusal(parse("a,b\n1,2\n3,4\n5,6,7\n"));
  assert.equal(long.row, 3);
  assert.equal(long.column, undefined);
});

Deno.test("parseCsvStream refuses an empty file, a header alone and a file without numbers", async () => {
  for (const empty of ["", "\n\n", "\uFEFF"]) {
    const e = await refusal(parse(empty));
    assert.equal(e.code, "empty_file", JSON.stringify(empty));
    assert.equal(e.status, 422);
  }
  const header = await refusal(parse("a,b\r\n"));
  assert.equal(header.code, "no_data_rows");
  assert.match(header.message, /header but no data rows/);
  const words = await refusal(parse("name,city\nAna,Porto\nBo,Lisboa\n"));
  assert.equal(words.code, "no_numeric_columns");
  assert.match(words.message, /"name": categorical, "city": categorical/);
});

Deno.test("parseCsvStream stops with 413 past maxBytes and accepts exactly maxBytes", async () => {
  const text = "a,b\n" + "1,2\n".repeat(100);
  const size = new TextEncoder().encode(text).byteLength;
  const ok = await parseCsvStream(streamOf(text, 16), { ...OPTS, maxBytes: size });
  assert.equal(ok.rowCount, 100);
  let cancelled = false;
  const bytes = new TextEncoder().encode(text);
  let at = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(c) {
      if (at >= bytes.byteLength) return c.close();
      c.enqueue(bytes.slice(at, at + 16));
      at += 16;
    },
    cancel() {
      cancelled = true;
    },
  });
  const e = await refusal(parseCsvStream(stream, { ...OPTS, maxBytes: 100 }));
  assert.equal(e.status, 413);
  assert.equal(e.code, "payload_too_large");
  assert.ok(cancelled, "the upload stream is cancelled");
});

Deno.test("parseCsvStream refuses bytes that are not UTF-8 with 400", async () => {
  const latin1 = new Uint8Array([...new TextEncoder().encode("city,n\nS"), 0xe3, 0x6f, 0x0a]);
  const e = await refusal(parse(new Uint8Array([...latin1, ...new TextEncoder().encode(",1\n")])));
  assert.equal(e.status, 400);
  assert.equal(e.code, "invalid_encoding");
  assert.match(e.message, /not UTF-8/);
  const utf16 = await refusal(parse(new Uint8Array([0xff, 0xfe, 0x61, 0x00])));
  assert.equal(utf16.code, "invalid_encoding");
  assert.match(utf16.message, /UTF-16/);
  const truncated = await refusal(parse(new Uint8Array([0x61, 0x0a, 0xc3])));
  assert.equal(truncated.code, "invalid_encoding");
});

Deno.test("parseCsvStream refuses an unclosed or stray quote naming the row", async () => {
  const open = await refusal(parse('a,b\n1,2\n"3,4\n5,6\n'));
  assert.equal(open.code, "invalid_csv");
  assert.equal(open.row, 2);
  assert.match(open.message, /never closed/);
  const stray = await refusal(parse('a,b\n1,2\n3,x"y\n'));
  assert.equal(stray.code, "invalid_csv");
  assert.equal(stray.row, 2);
  assert.equal(stray.column, "b");
});

Deno.test("parseCsvStream types columns: missing tokens, ids, dates, exact text", async () => {
  const ds = await parse(
    [
      "customer_id,store_id,Age,Score,code,joined,answer,Cust_ID2",
      "007,1,30,1.50,A1,04-09-2012,None,10",
      "008,1,NA,2,A2,13-10-2013,,11",
      "009,2,n/a,-,3,,Yes,12",
      "010,2,41,null,x,NaN,NA,13",
    ].join("\n"),
  );
  assert.deepEqual(texts(ds, "customer_id"), ["007", "008", "009", "010"]);
  assert.equal(column(ds, "customer_id").kind, "id");
  assert.equal(column(ds, "store_id").kind, "categorical", "an id name that repeats is a code");
  assert.deepEqual(numbers(ds, "Age"), [30, NaN, NaN, 41]);
  assert.equal(column(ds, "Age").missing, 2);
  assert.deepEqual(numbers(ds, "Score"), [1.5, 2, NaN, NaN]);
  assert.deepEqual(texts(ds, "code"), ["A1", "A2", "3", "x"], "text as written once not numeric");
  assert.equal(column(ds, "joined").kind, "date");
  assert.deepEqual(texts(ds, "joined"), ["04-09-2012", "13-10-2013", null, null]);
  assert.deepEqual(texts(ds, "answer"), ["None", null, "Yes", null], "None is a level");
  assert.equal(column(ds, "Cust_ID2").kind, "numeric", "not an id name");
  assert.deepEqual(ds.ids, ["007", "008", "009", "010"]);

  const mixed = await parse("n,v\n1,1.50\n2,0x1A\n");
  assert.deepEqual(texts(mixed, "v"), ["1.50", "0x1A"], "original text kept when turning text");
  const iso = await parse("d,v\n2024-01-31T10:00:00Z,1\n2024-02-01,2\n");
  assert.equal(column(iso, "d").kind, "date");
  const notDates = await parse("d,v\n13-10-2013,1\n10-13-2013,2\n");
  assert.equal(column(notDates, "d").kind, "categorical", "day-first and month-first mixed");
});

Deno.test("parseCsvStream names empty and repeated headers as pandas does", async () => {
  const ds = await parse("a,,a,a\n1,2,3,4\n");
  assert.deepEqual(ds.columns.map((c) => c.name), ["a", "column_2", "a.1", "a.2"]);
});

Deno.test("parseCsvStream applies a column map override and validates it", async () => {
  const text = "code,sex,inc,spend\nA,F,10,5\nB,M,20,6\n";
  const ds = await parse(text, {
    columnMap: { customer_id: "code", income: "inc", purchase_amount: null },
  });
  assert.deepEqual(ds.ids, ["A", "B"]);
  assert.equal(column(ds, "code").kind, "id");
  assert.equal(ds.columnMap.income, "inc");
  assert.equal(ds.columnMap.purchase_amount, undefined, "null removes the guess");
  const e = await refusal(parse(text, { columnMap: { spend: "inc" } }));
  assert.equal(e.code, "invalid_column_map", "spend is not a role");
  const unknown = await refusal(parse(text, { columnMap: { income: "Income" } }));
  assert.equal(unknown.code, "unknown_column");
  assert.equal(unknown.column, "Income");
});
