import assert from "node:assert/strict";
import {
  preprocess as preprocessTable,
  type Preprocessed,
  type PreprocessOptions,
} from "../../../domain/segmentation/preprocess.ts";
import { parseCsvStream } from "../../../domain/datasets/csv_stream.ts";
import { DatasetError } from "../../../domain/datasets/errors.ts";
import { columnsFromRecords } from "../../../domain/datasets/records.ts";
import type { Dataset } from "../../../domain/datasets/types.ts";
import { isIdName, MAX_COLUMNS } from "../../../domain/datasets/values.ts";

/** Records typed into columns by `datasets/records.ts`, then preprocessed. */
function preprocess(records: Record<string, unknown>[], options?: PreprocessOptions): Preprocessed {
  return preprocessTable(columnsFromRecords(records), options);
}

function column(p: Preprocessed, feature: string): number[] {
  const j = p.features.indexOf(feature);
  assert.ok(j >= 0, `no feature ${feature} in ${p.features.join(", ")}`);
  const out: number[] = [];
  for (let i = 0; i < p.x.n; i++) out.push(p.x.data[i * p.x.d + j]!);
  return out;
}

function assertFiniteX(p: Preprocessed): void {
  assert.equal(p.x.data.length, p.x.n * p.x.d);
  for (let i = 0; i < p.x.data.length; i++) {
    assert.ok(Number.isFinite(p.x.data[i]), `x[${i}] is ${p.x.data[i]}`);
  }
}

function close(actual: number, expected: number, tol = 1e-9): void {
  assert.ok(Math.abs(actual - expected) <= tol, `expected ${expected} but found ${actual}`);
}

/** A sample file as an upload makes it: typed once, while it streams in. */
async function dataset(name: string): Promise<Dataset> {
  const file = await Deno.open(new URL(`../../data/${name}.csv`, import.meta.url));
  return await parseCsvStream(file.readable, { name, now: 0 });
}

// ---------------------------------------------------------------------------------------------
// Typing and imputation

Deno.test("preprocess reads numeric strings with spaces and exponents as numbers", () => {
  const p = preprocess([
    { a: "1", b: "x" },
    { a: "  2.5 ", b: "y" },
    { a: "1e3", b: "x" },
    { a: "0  ", b: "y" },
  ]);
  assert.deepEqual(p.report.numeric, ["a"]);
  assert.deepEqual(Array.from(p.raw.numeric.a!), [1, 2.5, 1000, 0]);
  assert.deepEqual(p.report.categorical, ["b"]);
});

Deno.test("preprocess imputes a numeric median and reports the count", () => {
  const odd = preprocess([{ v: 1 }, { v: null }, { v: 10 }, { v: "" }, { v: 4 }, { w: 1 }]);
  // The last record lacks `v` altogether: a missing value like null and "".
  assert.deepEqual(odd.report.imputed, [{ column: "v", count: 3, value: 4 }]);
  assert.deepEqual(Array.from(odd.raw.numeric.v!), [1, 4, 10, 4, 4, 4]);
  assert.deepEqual(odd.report.dropped, [{ column: "w", reason: "constant" }]);

  const even = preprocess([{ v: 1 }, { v: 2 }, { v: undefined }, { v: 7 }, { v: 10 }]);
  assert.deepEqual(even.report.imputed, [{ column: "v", count: 1, value: 4.5 }]);
});

Deno.test("preprocess treats NA tokens as missing in numeric columns but as levels in text", () => {
  const p = preprocess([
    { n: "3", t: "None" },
    { n: "NA", t: "Some" },
    { n: "n/a", t: "None" },
    { n: "5", t: "Some" },
    { n: "NaN", t: "" },
  ]);
  assert.deepEqual(p.report.numeric, ["n"]);
  assert.deepEqual(p.report.imputed, [
    { column: "n", count: 3, value: 4 },
    { column: "t", count: 1, value: "None" },
  ]);
  assert.deepEqual(p.features, ["n", "t=None", "t=Some"]);
});

Deno.test("preprocess imputes the most frequent level, ties going to the smallest name", () => {
  const p = preprocess([
    { c: "b", v: 1 },
    { c: "a", v: 2 },
    { c: null, v: 3 },
    { c: "b", v: 4 },
    { c: "a", v: 5 },
    { c: " ", v: 6 },
  ]);
  assert.deepEqual(p.report.imputed, [{ column: "c", count: 2, value: "a" }]);
  assert.deepEqual(p.raw.categorical.c, ["b", "a", "a", "b", "a", "a"]);
});

Deno.test("preprocess makes a mostly numeric column with a stray word categorical and says so", () => {
  const records = [1, 2, 3, 4, 5].map((v) => ({ v: String(v), k: v * 3 }));
  records[3]!.v = "four";
  const p = preprocess(records);
  assert.deepEqual(p.report.categorical, ["v"]);
  assert.deepEqual(p.report.mixed, [{ column: "v", record: 3, value: "four" }]);
  assert.throws(
    () => preprocess(records, { numeric: ["v"] }),
    (e) => e instanceof TypeError && /field "v" of record 3 but found "four"/.test(e.message),
  );
});

Deno.test("preprocess does not read hexadecimal codes as numbers", () => {
  const p = preprocess([{ c: "0x1A", v: 1 }, { c: "0x2B", v: 2 }, { c: "0x1A", v: 3 }]);
  assert.deepEqual(p.report.categorical, ["c"]);
});

Deno.test("preprocess turns booleans into a 0/1 column imputed with the most frequent value", () => {
  const p = preprocess([
    { member: true, v: 1 },
    { member: "FALSE", v: 2 },
    { member: null, v: 3 },
    { member: "true", v: 4 },
    { member: true, v: 5 },
  ]);
  assert.deepEqual(p.report.numeric, ["member", "v"]);
  assert.deepEqual(Array.from(p.raw.numeric.member!), [1, 0, 1, 1, 1]);
  assert.deepEqual(p.report.imputed, [{ column: "member", count: 1, value: 1 }]);
});

Deno.test("preprocess turns a date column into days since its earliest date", () => {
  const p = preprocess([
    { joined: "04-09-2012", v: 1 },
    { joined: "30-07-2012", v: 2 },
    { joined: "", v: 3 },
    { joined: "01-01-2013", v: 4 },
  ]);
  assert.deepEqual(p.report.dates, [
    { column: "joined", format: "dd-mm-yyyy", origin: "2012-07-30", ambiguous: false },
  ]);
  assert.deepEqual(Array.from(p.raw.numeric.joined!), [36, 0, 36, 155]);
  assert.deepEqual(p.report.imputed, [{ column: "joined", count: 1, value: "2012-09-04" }]);

  const iso = preprocess([
    { d: "2024-01-01", v: 1 },
    { d: "2024-01-02T12:00:00Z", v: 2 },
    { d: "2024-03-01", v: 3 },
  ]);
  assert.deepEqual(Array.from(iso.raw.numeric.d!), [0, 1.5, 60]);
  assert.equal(iso.report.dates[0]!.format, "yyyy-mm-dd");

  const us = preprocess([{ d: "12/31/2020", v: 1 }, { d: "01/02/2021", v: 2 }]);
  assert.equal(us.report.dates[0]!.format, "mm/dd/yyyy");
  assert.deepEqual(Array.from(us.raw.numeric.d!), [0, 2]);

  const ambiguous = preprocess([{ d: "01.02.2021", v: 1 }, { d: "03.02.2021", v: 2 }]);
  assert.deepEqual(ambiguous.report.dates[0]!, {
    column: "d",
    format: "dd.mm.yyyy",
    origin: "2021-02-01",
    ambiguous: true,
  });

  const dropped = preprocess([{ d: "2024-01-01", v: 1 }, { d: "2024-02-01", v: 2 }], {
    dates: "drop",
  });
  assert.deepEqual(dropped.report.dropped, [{ column: "d", reason: "date" }]);
  assert.deepEqual(dropped.report.dates, []);
});

Deno.test("preprocess keeps an impossible date as text", () => {
  const p = preprocess([{ d: "31-02-2020", v: 1 }, { d: "01-03-2020", v: 2 }]);
  assert.deepEqual(p.report.categorical, ["d"]);
});

// ---------------------------------------------------------------------------------------------
// One-hot encoding

Deno.test("preprocess one-hot encodes by frequency then name, as 0/weight columns", () => {
  const genders = ["M", "F", "F", "X", "M", "F", "Y"];
  const p = preprocess(genders.map((g, i) => ({ gender: g, age: 20 + i })));
  assert.deepEqual(p.features, ["gender=F", "gender=M", "gender=X", "gender=Y", "age"]);
  assert.deepEqual(p.fields, ["gender", "age"]);
  assert.deepEqual(p.originalFeatureOf, [0, 0, 0, 0, 1]);
  // Weighted 0.5 by default, so a different category weighs like half a standard deviation.
  assert.deepEqual(column(p, "gender=F"), [0, 0.5, 0.5, 0, 0, 0.5, 0]);
  assert.deepEqual(column(p, "gender=Y"), [0, 0, 0, 0, 0, 0, 0.5]);
  assert.deepEqual(Array.from(p.scaler.mean.slice(0, 4)), [0, 0, 0, 0]);
  assert.deepEqual(Array.from(p.scaler.std.slice(0, 4)), [2, 2, 2, 2]);
  const full = preprocess(genders.map((g, i) => ({ gender: g, age: 20 + i })), {
    categoricalWeight: 1,
  });
  assert.deepEqual(column(full, "gender=F"), [0, 1, 1, 0, 0, 1, 0]);
  assert.throws(() => preprocess([{ g: "a" }, { g: "b" }], { categoricalWeight: 0 }), /\(0, 1\]/);
});

Deno.test("preprocess groups levels beyond maxCategories as Other, a real Other included", () => {
  const levels = ["a", "a", "a", "b", "b", "c", "c", "d", "Other", "e"];
  const p = preprocess(levels.map((c, i) => ({ c, v: i })), { maxCategories: 3 });
  assert.deepEqual(p.features, ["c=a", "c=b", "c=Other", "v"]);
  assert.deepEqual(column(p, "c=Other"), [0, 0, 0, 0, 0, 0.5, 0.5, 0.5, 0.5, 0.5]);
  assert.deepEqual(p.report.grouped, [{ column: "c", levels: 6, rows: 5 }]);
  // Profiles read the levels as they were.
  assert.equal(p.raw.categorical.c![9], "e");
});

// ---------------------------------------------------------------------------------------------
// Scaling and log1p

Deno.test("preprocess z-scores numeric columns with the population std", () => {
  const p = preprocess([{ v: 1 }, { v: 2 }, { v: 3 }, { v: 4 }], { log1p: false });
  const s = Math.sqrt(1.25);
  assert.deepEqual(column(p, "v"), [-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s].map(Math.fround));
  close(p.scaler.mean[0]!, 2.5);
  close(p.scaler.std[0]!, s);
});

Deno.test("preprocess takes log1p of a skewed money column and not of a symmetric one", () => {
  const spend = [10, 12, 15, 11, 14, 13, 9, 16, 5000, 12000];
  const age = [30, 40, 50, 35, 45, 55, 25, 60, 42, 38];
  const share = [0, 0, 0, 0, 0, 0, 0, 0, 0.5, 1];
  const flag = [0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
  const records = spend.map((s, i) => ({
    spend: s,
    age: age[i],
    share: share[i],
    flag: flag[i],
    balance: s - 20, // skewed but negative somewhere: log1p is undefined there
  }));
  const p = preprocess(records);
  assert.deepEqual(p.report.log1p.map((l) => l.column), ["spend"]);
  assert.ok(p.report.log1p[0]!.skewness > 2);
  // Raw stays in original units; the matrix holds the z-score of log1p.
  assert.deepEqual(Array.from(p.raw.numeric.spend!), spend);
  close(p.scaler.mean[0]!, spend.reduce((a, v) => a + Math.log1p(v), 0) / spend.length);

  assert.deepEqual(preprocess(records, { log1p: false }).report.log1p, []);
  assert.deepEqual(
    preprocess(records, { log1p: true }).report.log1p.map((l) => l.column),
    ["spend", "age"],
  );
  assert.deepEqual(preprocess(records, { skewThreshold: 100 }).report.log1p, []);
});

// ---------------------------------------------------------------------------------------------
// Dropped columns and ids

Deno.test("preprocess drops constant, empty and duplicate columns and says why", () => {
  const p = preprocess([
    { a: 1, k: 3, e: null, b: 1, c: "x", d: "x", f: 2, g: "x" },
    { a: 2, k: 3, e: "", b: 2, c: "y", d: "y", f: 4, g: "x" },
    { a: 3, k: 3, b: 3, c: "x", d: "x", f: 6 },
  ]);
  assert.deepEqual(p.report.dropped, [
    { column: "k", reason: "constant" },
    { column: "e", reason: "empty" },
    { column: "b", reason: "duplicate", of: "a" },
    { column: "d", reason: "duplicate", of: "c" },
    { column: "g", reason: "constant" },
  ]);
  assert.deepEqual(p.fields, ["a", "c", "f"]);
  assert.deepEqual(Object.keys(p.raw.numeric), ["a", "f"]);
});

Deno.test("preprocess compares duplicates after imputation", () => {
  const p = preprocess([{ a: 1, b: 1 }, { a: 2, b: null }, { a: 3, b: 3 }, { a: 2, b: 2 }]);
  assert.deepEqual(p.report.dropped, [{ column: "b", reason: "duplicate", of: "a" }]);
  assert.deepEqual(p.report.imputed, []);
});

Deno.test("preprocess reports excluded and non-included fields", () => {
  const records = [{ a: 1, b: 5, c: 9 }, { a: 2, b: 3, c: 1 }];
  assert.deepEqual(preprocess(records, { exclude: ["b"] }).report.dropped, [
    { column: "b", reason: "excluded" },
  ]);
  const p = preprocess(records, { include: ["c"] });
  assert.deepEqual(p.fields, ["c"]);
  assert.deepEqual(p.report.dropped, [
    { column: "a", reason: "excluded" },
    { column: "b", reason: "excluded" },
  ]);
});

Deno.test("isIdName knows the usual id spellings and not words ending in id", () => {
  for (
    const name of ["id", "ID", "customer_id", "CustomerID", "CUST_ID", "userId", "Customer ID"]
  ) {
    assert.ok(isIdName(name), name);
  }
  for (const name of ["customerid", "client_number", "uuid"]) assert.ok(isIdName(name), name);
  for (const name of ["paid", "Valid", "PAID", "Idle", "width"]) assert.ok(!isIdName(name), name);
});

Deno.test("preprocess takes a unique column named like an id as the ids", () => {
  const p = preprocess([
    { customer_id: "c1", age: 20 },
    { customer_id: " c2 ", age: 30 },
    { customer_id: "c3", age: 40 },
  ]);
  assert.equal(p.report.idField, "customer_id");
  assert.deepEqual(p.ids, ["c1", "c2", "c3"]);
  assert.deepEqual(p.report.dropped, [{ column: "customer_id", reason: "id" }]);

  const numeric = preprocess([{ CustomerID: 7, a: 1 }, { CustomerID: 3, a: 2 }]);
  assert.deepEqual(numeric.ids, ["7", "3"]);

  const none = preprocess([{ a: 1 }, { a: 2 }, { a: 3 }]);
  assert.equal(none.report.idField, null);
  assert.deepEqual(none.ids, ["1", "2", "3"]);
});

Deno.test("preprocess never makes a non-unique or fractional id-named column the id", () => {
  const p = preprocess([
    { store_id: 1, score: 0.5, a: 1 },
    { store_id: 2, score: 1.5, a: 2 },
    { store_id: 1, score: 2.5, a: 3 },
  ]);
  assert.equal(p.report.idField, null);
  // A repeated id refers to something else (a store): a category, not a quantity.
  assert.deepEqual(p.report.categorical, ["store_id"]);

  const fractional = preprocess([{ ID: 1.5, a: 1 }, { ID: 2.5, a: 2 }]);
  assert.equal(fractional.report.idField, null);
});

Deno.test("preprocess drops a second id-like column and unique text columns as ids", () => {
  const records = Array.from({ length: 30 }, (_, i) => ({
    id: i + 1,
    user_id: `u${i}`,
    email: `p${i}@example.com`,
    age: 20 + (i % 7),
  }));
  const p = preprocess(records);
  assert.equal(p.report.idField, "id");
  assert.deepEqual(p.report.dropped, [
    { column: "id", reason: "id" },
    { column: "user_id", reason: "id" },
    { column: "email", reason: "id" },
  ]);
  assert.deepEqual(p.fields, ["age"]);
});

Deno.test("preprocess drops an id-named column with a blank as an id, not a feature", () => {
  const records = Array.from({ length: 25 }, (_, i) => ({ customer_id: `c${i}`, v: i % 4 }));
  records[3]!.customer_id = "";
  const p = preprocess(records);
  assert.equal(p.report.idField, null);
  assert.deepEqual(p.report.dropped, [{ column: "customer_id", reason: "id" }]);
  assert.deepEqual(p.fields, ["v"]);
});

Deno.test("preprocess takes the idField option, refusing repeated or missing ids", () => {
  const p = preprocess([{ code: "x", a: 1 }, { code: "y", a: 2 }], { idField: "code" });
  assert.deepEqual(p.ids, ["x", "y"]);
  assert.throws(
    () =>
      preprocess([{ code: "x", a: 1 }, { code: "y", a: 2 }, { code: "x", a: 3 }], {
        idField: "code",
      }),
    (e) =>
      e instanceof RangeError && /field "code" but records 0 and 2 both hold "x"/.test(e.message),
  );
  assert.throws(
    () => preprocess([{ code: "x", a: 1 }, { a: 2 }], { idField: "code" }),
    (e) => e instanceof TypeError && /field "code" of record 1 but found none/.test(e.message),
  );
  assert.throws(() => preprocess([{ a: 1 }], { idField: "nope" }), /idField .* "nope"/);
});

// ---------------------------------------------------------------------------------------------
// PCA

function wide(d: number, n = 60): Record<string, number>[] {
  let seed = 7;
  const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  return Array.from({ length: n }, () => {
    const r: Record<string, number> = {};
    const base = rnd();
    for (let j = 0; j < d; j++) r[`f${j}`] = j < d / 2 ? base + 0.3 * rnd() : rnd();
    return r;
  });
}

Deno.test("preprocess projects with PCA above 15 features, keeping at least 90 % of variance", () => {
  const at15 = preprocess(wide(15), { log1p: false });
  assert.equal(at15.pca, null);
  assert.equal(at15.report.pca, null);
  assert.equal(at15.x.d, 15);

  const p = preprocess(wide(16), { log1p: false });
  assert.ok(p.pca !== null);
  assert.equal(p.features.length, 16);
  assert.equal(p.x.d, p.pca.nComponents);
  assert.ok(p.x.d < 16);
  assert.equal(p.report.pca!.components, p.x.d);
  assert.ok(p.report.pca!.varianceKept >= 0.9, `${p.report.pca!.varianceKept}`);
  assertFiniteX(p);

  assert.equal(preprocess(wide(16), { pca: false }).x.d, 16);
  assert.equal(preprocess(wide(4), { pca: 2 }).x.d, 2);
  assert.ok(preprocess(wide(4), { pca: 0.99 }).report.pca!.varianceKept > 0.99);
});

// ---------------------------------------------------------------------------------------------
// Errors

Deno.test("preprocess refuses no records, bad records and values that cannot be features", () => {
  // Records are typed by datasets/records.ts, whose refusals name the field and the record.
  assert.throws(() => preprocess([]), DatasetError);
  assert.throws(() => preprocessTable({ rowCount: 0, columns: [] }), RangeError);
  assert.throws(
    () => preprocess([{ a: 1 }, null as unknown as Record<string, unknown>]),
    (e) =>
      e instanceof DatasetError && /record 1 .*to be an object .*but found null/.test(e.message),
  );
  assert.throws(
    () => preprocess([{ a: 1 }, { a: 2 }, { a: Infinity }]),
    (e) =>
      e instanceof DatasetError && /field "a" of record 2 .*but found Infinity/.test(e.message),
  );
  assert.throws(
    () => preprocess([{ a: NaN }, { a: 2 }]),
    (e) => e instanceof DatasetError && /field "a" of record 0 .*but found NaN/.test(e.message),
  );
  assert.throws(
    () => preprocess([{ a: 1 }, { a: { nested: true } }]),
    (e) =>
      e instanceof DatasetError && /field "a" of record 1 .*but found an object/.test(e.message),
  );
});

Deno.test("preprocess refuses when no usable feature is left, naming why", () => {
  assert.throws(
    () => preprocess([{ id: "a", k: 1, e: null }, { id: "b", k: 1, e: null }]),
    (e) =>
      e instanceof RangeError &&
      /one usable feature but none is left: id \(id\), k \(constant\), e \(empty\)/.test(e.message),
  );
  assert.throws(
    () => preprocess([{ a: 1, b: "x" }]),
    /none is left: a \(constant\), b \(constant\)/,
  );
});

Deno.test("preprocess refuses too many fields and bad options", () => {
  const record: Record<string, number> = {};
  for (let j = 0; j <= MAX_COLUMNS; j++) record[`c${j}`] = j;
  assert.throws(
    () => preprocess([record]),
    (e) => e instanceof DatasetError && /c1000/.test(e.message),
  );
  const ok = [{ a: 1 }, { a: 2 }];
  assert.throws(() => preprocess(ok, { maxCategories: 1 }), RangeError);
  assert.throws(() => preprocess(ok, { skewThreshold: -1 }), RangeError);
  assert.throws(() => preprocess(ok, { pca: 1.5 }), RangeError);
  assert.throws(() => preprocess(ok, { exclude: ["b"] }), /exclude .* "b"/);
  assert.throws(() => preprocess(ok, { numeric: ["a"], categorical: ["a"] }), /both/);
  // An option present but undefined (an absent request field) takes its default.
  assert.equal(preprocess(ok, { pca: undefined, log1p: undefined }).report.pca, null);
});

Deno.test("preprocess refuses more encoded features than the limit before building them", () => {
  const records = Array.from({ length: 60 }, (_, i) => {
    const r: Record<string, string> = {};
    for (let j = 0; j < 60; j++) r[`c${j}`] = `${j}-${i % 20}`;
    return r;
  });
  assert.throws(
    () => preprocess(records),
    (e) =>
      e instanceof RangeError && /at most 1000 encoded features but found 1200/.test(e.message),
  );
});

// ---------------------------------------------------------------------------------------------
// Tables

Deno.test("preprocess keeps a field named __proto__ as an own property of raw", () => {
  const p = preprocess(JSON.parse('[{"__proto__": 1, "a": 3}, {"__proto__": 2, "a": 1}]'));
  assert.deepEqual(Object.keys(p.raw.numeric), ["__proto__", "a"]);
});

// ---------------------------------------------------------------------------------------------
// The real datasets (tests/data, see tests/data/README.md)

Deno.test("preprocess: mall_customers, Gender profiled but not clustered on by default", async () => {
  const p = preprocessTable(await dataset("mall_customers"));
  assert.equal(p.report.rows, 200);
  assert.equal(p.report.idField, "CustomerID");
  assert.equal(p.ids[199], "200");
  assert.deepEqual(p.features, ["Age", "Annual Income (k$)", "Spending Score (1-100)"]);
  assert.deepEqual(p.report.dropped, [
    { column: "CustomerID", reason: "id" },
    { column: "Gender", reason: "demographic" },
  ]);
  // Still profiled: each segment's share of women and men.
  assert.equal(p.raw.categorical.Gender!.filter((g) => g === "Female").length, 112);
  assert.deepEqual(p.report.imputed, []);
  assert.deepEqual(p.report.log1p, []);
  assert.equal(p.pca, null);
  close(p.scaler.mean[0]!, 38.85);
  assertFiniteX(p);
});

Deno.test("preprocess: a binary demographic named in the request is clustered on", async () => {
  for (const option of [{ categorical: ["Gender"] }, { include: ["Gender", "Age"] }]) {
    const p = preprocessTable(await dataset("mall_customers"), option);
    assert.ok(p.features.includes("Gender=Female"), JSON.stringify(option));
    assert.ok(!p.report.dropped.some((d) => d.reason === "demographic"));
    close(column(p, "Gender=Female").reduce((a, v) => a + v, 0), 112 * 0.5);
  }
});

Deno.test("preprocess: only two-level demographics stay out of the distance", () => {
  const rows = Array.from({ length: 12 }, (_, i) => ({
    spend: i * 10,
    gender: ["F", "M", "X"][i % 3],
    sex: ["F", "M"][i % 2],
    colour: ["red", "blue"][i % 2],
  }));
  const p = preprocess(rows);
  assert.deepEqual(p.report.dropped, [{ column: "sex", reason: "demographic" }]);
  assert.deepEqual(p.fields, ["spend", "gender", "colour"]);
  assert.deepEqual(Object.keys(p.raw.categorical), ["gender", "colour", "sex"]);
});

Deno.test("preprocess: a demographic coded 0/1 stays out of the distance like its text form", () => {
  const rows = Array.from({ length: 12 }, (_, i) => ({
    spend: i * 10,
    Gender: i % 2,
    senior_citizen: i % 3 === 0 ? 1 : 0,
    visits: i % 2,
  }));
  const p = preprocess(rows);
  assert.deepEqual(p.report.dropped, [
    { column: "Gender", reason: "demographic" },
    { column: "senior_citizen", reason: "demographic" },
  ]);
  assert.deepEqual(p.fields, ["spend", "visits"]);
  assert.deepEqual(Object.keys(p.raw.categorical), ["Gender", "senior_citizen"]);
  // Named as numeric, it is clustered on.
  assert.ok(preprocess(rows, { numeric: ["Gender"] }).fields.includes("Gender"));
});

Deno.test("preprocess: wholesale_customers, money columns logged, codes one-hot on request", async () => {
  const p = preprocessTable(await dataset("wholesale_customers"));
  assert.equal(p.report.rows, 440);
  assert.equal(p.report.idField, null);
  assert.equal(p.ids[439], "440");
  // Integer-coded categories are profiled, not clustered on, unless the request names them.
  assert.deepEqual(p.report.dropped, [
    { column: "Channel", reason: "code" },
    { column: "Region", reason: "code" },
  ]);
  assert.deepEqual(
    p.report.log1p.map((l) => l.column),
    ["Fresh", "Milk", "Grocery", "Frozen", "Detergents_Paper", "Delicassen"],
  );
  close(p.report.log1p[0]!.skewness, 2.561323, 1e-6); // pandas' skew of Fresh
  close(p.raw.numeric.Fresh!.reduce((a, v) => a + v, 0) / 440, 12000.297727, 1e-6);
  assertFiniteX(p);

  const coded = preprocessTable(await dataset("wholesale_customers"), {
    categorical: ["Channel", "Region"],
  });
  assert.deepEqual(coded.features.slice(0, 5), [
    "Channel=1",
    "Channel=2",
    "Region=3",
    "Region=1",
    "Region=2",
  ]);
  assert.deepEqual(coded.originalFeatureOf.slice(0, 6), [0, 0, 1, 1, 1, 2]);
});

Deno.test("preprocess: marketing_campaign", async () => {
  const p = preprocessTable(await dataset("marketing_campaign"));
  assert.equal(p.report.rows, 2240);
  assert.equal(p.report.idField, "ID");
  assert.equal(p.ids[0], "5524");
  assert.deepEqual(p.report.dropped, [
    { column: "ID", reason: "id" },
    { column: "Z_CostContact", reason: "constant" },
    { column: "Z_Revenue", reason: "constant" },
  ]);
  assert.deepEqual(p.report.imputed, [{ column: "Income", count: 24, value: 51381.5 }]);
  assert.deepEqual(p.report.categorical, ["Education", "Marital_Status"]);
  // `Response` holds "0  " in one row: still a number.
  assert.ok(p.report.numeric.includes("Response"));
  assert.deepEqual(p.report.dates, [
    { column: "Dt_Customer", format: "dd-mm-yyyy", origin: "2012-07-30", ambiguous: false },
  ]);
  assert.deepEqual(p.report.mixed, []);
  assert.ok(p.report.log1p.some((l) => l.column === "Income"));
  assert.ok(!p.report.log1p.some((l) => l.column === "Year_Birth" || l.column === "Response"));
  assert.equal(p.features.filter((f) => f.startsWith("Marital_Status=")).length, 8);
  assert.equal(p.features.filter((f) => f.startsWith("Education=")).length, 5);
  assert.equal(p.features.length, 24 + 13);
  assert.ok(p.pca !== null && p.report.pca!.varianceKept >= 0.9);
  assert.equal(p.x.d, p.report.pca!.components);
  const income = p.raw.numeric.Income!;
  close(income.reduce((a, v) => a + v, 0), 52247.251354 * 2216 + 24 * 51381.5, 1e-2);
  assertFiniteX(p);
});

Deno.test("preprocess: cc_general", async () => {
  const p = preprocessTable(await dataset("cc_general"));
  assert.equal(p.report.rows, 8950);
  assert.equal(p.report.idField, "CUST_ID");
  assert.equal(p.ids[0], "C10001");
  assert.deepEqual(p.report.dropped, [{ column: "CUST_ID", reason: "id" }]);
  assert.deepEqual(
    p.report.imputed.map(({ column, count }) => ({ column, count })),
    [{ column: "CREDIT_LIMIT", count: 1 }, { column: "MINIMUM_PAYMENTS", count: 313 }],
  );
  assert.equal(p.report.numeric.length, 17);
  assert.ok(!p.report.log1p.some((l) => l.column === "PRC_FULL_PAYMENT"));
  assert.ok(p.report.log1p.some((l) => l.column === "MINIMUM_PAYMENTS"));
  assert.ok(p.pca !== null && p.report.pca!.varianceKept >= 0.9);
  const limit = p.raw.numeric.CREDIT_LIMIT!;
  const imputed = p.report.imputed[0]!.value as number;
  close((limit.reduce((a, v) => a + v, 0) - imputed) / 8949, 4494.449, 0.01);
  assertFiniteX(p);
});

Deno.test("preprocess is deterministic on the real datasets", async () => {
  for (const name of ["marketing_campaign", "cc_general"]) {
    const table = await dataset(name);
    assert.deepEqual(preprocessTable(table), preprocessTable(table));
  }
});

Deno.test("preprocess handles 200,000 records of 10 fields", () => {
  const regions = ["North", "South", "East", "West"];
  const records = Array.from({ length: 200_000 }, (_, i) => ({
    customer_id: `C${i}`,
    age: 18 + (i * 7919) % 60,
    gender: i % 3 === 0 ? "F" : "M",
    income: i % 97 === 0 ? null : 20_000 + ((i * 104_729) % 90_000),
    purchases: (i * 31) % 40,
    region: regions[i % 4],
    recency: (i * 13) % 365,
    spend: Math.exp(3 + ((i * 17) % 500) / 100),
    visits: i % 11,
    member: i % 5 === 0,
  }));
  // Speed is a benchmark's job (about 0.2 s here, docs/benchmarks.md), not a timed test's.
  const p = preprocess(records);
  assert.equal(p.x.n, 200_000);
  assert.equal(p.report.idField, "customer_id");
  assert.ok(p.x.data.every(Number.isFinite));
});
