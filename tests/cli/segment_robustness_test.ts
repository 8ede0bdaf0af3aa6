/**
 * `deno task segment` on CSV files it has never seen, run as a separate process: generated files
 * that vary the way they are written (delimiter, BOM, CRLF, quoting, blank lines), the columns
 * users have (ids, money, counts, categories, dates, booleans, codes, constants, duplicates,
 * blanks) and the ways files go wrong. The contract: every row labelled, 2–10 named segments (3
 * or more when the data holds 3+ groups), the preprocessing reported; otherwise exit 1 with one
 * line naming the row and column; never a stack trace, never a hang.
 */
import assert from "node:assert/strict";
import { adjustedRandIndex } from "../../compute/ari.ts";
import {
  ageColumn,
  booleanColumn,
  categoryColumn,
  codeColumn,
  type ColumnSpec,
  constantColumn,
  countColumn,
  dateColumn,
  decimalComma,
  dollars,
  duplicateColumn,
  emptyColumn,
  idColumn,
  type Layout,
  normal,
  numberColumn,
  rng,
  scientific,
  spendColumn,
  type Table,
  table,
  thousands,
  withMissing,
  writeCsv,
} from "./_csv_gen.ts";
import { type ProcessRun, runSegmentProcess } from "./_segment_process.ts";

const CPU = ["--backend", "cpu"];

/** What a successful run must report. */
interface Expect {
  rows: number;
  /** The id column found (null: the row numbers). */
  idField?: string | null;
  /** The fewest segments acceptable (default 2). */
  minSegments?: number;
  numeric?: string[];
  categorical?: string[];
  /** Columns reported left out, with the reason. */
  dropped?: Record<string, string>;
  /** Columns reported as dates. */
  dates?: string[];
  imputed?: string[];
  log1p?: string[];
}

interface Report {
  n_clusters: number;
  labels: number[];
  ids: string[];
  segments: { name: string }[];
  preprocessing: {
    rows: number;
    idField: string | null;
    numeric: string[];
    categorical: string[];
    dropped: { column: string; reason: string }[];
    dates: { column: string }[];
    imputed: { column: string }[];
    log1p: { column: string }[];
  };
}

const dir = Deno.makeTempDirSync({ prefix: "segment_robust_" });
globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
let counter = 0;

async function write(name: string, content: string | Uint8Array): Promise<string> {
  const path = `${dir}/${++counter}_${name.replace(/[^\w.-]+/g, "_")}`;
  if (typeof content === "string") await Deno.writeTextFile(path, content);
  else await Deno.writeFile(path, content);
  return path;
}

/** Runs the command on `content`; asserts the success contract and returns the JSON report. */
async function segments(
  name: string,
  content: string | Uint8Array,
  expect: Expect,
  args: string[] = [],
): Promise<Report> {
  const path = await write(name, content);
  const run = await runSegmentProcess(["--input", path, ...CPU, "--format", "json", ...args]);
  assertClean(run);
  assert.equal(run.code, 0, `${name}: ${run.err}`);
  const r = JSON.parse(run.out) as Report;
  const p = r.preprocessing;
  assert.equal(r.labels.length, expect.rows, "every row labelled");
  assert.equal(r.ids.length, expect.rows);
  assert.ok(r.labels.every((l) => Number.isInteger(l) && l >= -1 && l < r.n_clusters));
  const min = expect.minSegments ?? 2;
  assert.ok(
    r.n_clusters >= min && r.n_clusters <= 10,
    `${name}: ${r.n_clusters} segments, expected ${min}–10`,
  );
  const names = r.segments.map((s) => s.name);
  assert.equal(names.length, r.n_clusters);
  assert.ok(names.every((n) => typeof n === "string" && n.trim() !== ""), names.join("|"));
  assert.equal(new Set(names).size, names.length, `segment names unique: ${names.join("|")}`);
  assert.equal(p.rows, expect.rows);
  if (expect.idField !== undefined) assert.equal(p.idField, expect.idField, "id field");
  for (const c of expect.numeric ?? []) {
    assert.ok(p.numeric.includes(c), `${c} numeric: ${show(p)}`);
  }
  for (const c of expect.categorical ?? []) {
    assert.ok(p.categorical.includes(c), `${c} categorical: ${show(p)}`);
  }
  for (const [c, reason] of Object.entries(expect.dropped ?? {})) {
    assert.ok(
      p.dropped.some((d) => d.column === c && d.reason === reason),
      `${c} dropped (${reason}): ${show(p)}`,
    );
  }
  for (const c of expect.dates ?? []) {
    assert.ok(p.dates.some((d) => d.column === c), `${c} a date: ${show(p)}`);
  }
  for (const c of expect.imputed ?? []) {
    assert.ok(p.imputed.some((d) => d.column === c), `${c} imputed: ${show(p)}`);
  }
  for (const c of expect.log1p ?? []) {
    assert.ok(p.log1p.some((d) => d.column === c), `${c} log-scaled: ${show(p)}`);
  }
  return r;
}

/** Runs the command on `content`; asserts a one-line error matching `message`, exit 1. */
async function fails(name: string, content: string | Uint8Array, message: RegExp): Promise<void> {
  const path = await write(name, content);
  const run = await runSegmentProcess(["--input", path, ...CPU]);
  assertClean(run);
  assert.equal(run.code, 1, `${name}: exit ${run.code}: ${run.err}`);
  assert.equal(run.out, "");
  assert.match(run.err, /^error: [^\n]+\n$/, JSON.stringify(run.err));
  assert.match(run.err, message);
}

function assertClean(run: ProcessRun): void {
  assert.ok(!run.timedOut, "the command hung");
  assert.doesNotMatch(run.err, /\n\s+at |^\s+at |Uncaught|panicked/, run.err);
}

function show(p: Report["preprocessing"]): string {
  return JSON.stringify({
    numeric: p.numeric,
    categorical: p.categorical,
    dropped: p.dropped,
    dates: p.dates.map((d) => d.column),
  });
}

/** The customers most tests start from: an id, age, spend, visits and a city in `k` groups. */
function customers(n: number, k = 3, extra: ColumnSpec[] = [], seed = 1): Table {
  return table(n, k, [
    idColumn("customer_id", true),
    ageColumn(),
    spendColumn("spend"),
    countColumn("visits"),
    categoryColumn("city"),
    ...extra,
  ], seed);
}

const BASE: Expect = {
  rows: 120,
  idField: "customer_id",
  minSegments: 3,
  numeric: ["age", "spend", "visits"],
  categorical: ["city"],
};

// ---------------------------------------------------------------------------------------------
// How files are written

const LAYOUTS: [string, Layout][] = [
  ["comma LF", { delimiter: "," }],
  ["semicolon BOM CRLF", { delimiter: ";", bom: true, crlf: true }],
  ["tab with trailing blank lines", { delimiter: "\t", trailingBlankLines: 3 }],
  ["comma all quoted CRLF blank lines", {
    delimiter: ",",
    quoteAll: true,
    crlf: true,
    trailingBlankLines: 2,
  }],
  ["semicolon all quoted BOM", { delimiter: ";", quoteAll: true, bom: true }],
  ["tab BOM CRLF", { delimiter: "\t", bom: true, crlf: true }],
];

for (const [label, layout] of LAYOUTS) {
  Deno.test(`robustness: ${label}`, async () => {
    await segments(`${label}.csv`, writeCsv(customers(120), layout), BASE);
  });
}

Deno.test("robustness: quoted fields holding delimiters, quotes and newlines", async () => {
  const t = customers(120, 3, [{
    name: "note",
    cell: (i) => ['likes "deals", often', "line one\nline two", "a;b\tc", "plain"][i % 4]!,
  }]);
  for (const delimiter of [",", ";", "\t"] as const) {
    await segments("quoted.csv", writeCsv(t, { delimiter, crlf: delimiter === ";" }), {
      ...BASE,
      categorical: ["city", "note"],
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Missing values and ids

Deno.test("robustness: missing values written blank, NA, ?, - and NULL", async () => {
  const t = table(150, 3, [
    idColumn("id"),
    withMissing(ageColumn(), ["", "NA", "?", "-", "NULL"], 7),
    withMissing(spendColumn("spend"), ["-", "?", "NA", ""], 9),
    withMissing(categoryColumn("segment_name"), ["", "NA"], 11),
    countColumn("visits"),
  ]);
  await segments("missing.csv", writeCsv(t, { delimiter: "," }), {
    rows: 150,
    idField: "id",
    minSegments: 3,
    numeric: ["age", "spend", "visits"],
    imputed: ["age", "spend"],
  });
});

for (
  const [name, text] of [
    ["id", false],
    ["ID", true],
    ["Customer ID", true],
    ["cust_no", false],
    ["CustomerID", false],
  ] as const
) {
  Deno.test(`robustness: an id column named "${name}" (${text ? "text" : "numeric"})`, async () => {
    const t = table(90, 3, [
      idColumn(name, text),
      ageColumn(),
      spendColumn("spend"),
      countColumn("visits"),
    ]);
    const r = await segments("ids.csv", writeCsv(t, { delimiter: text ? ";" : "," }), {
      rows: 90,
      idField: name,
      minSegments: 3,
      dropped: { [name]: "id" },
    });
    assert.equal(r.ids[0], text ? "C00001" : "1");
  });
}

// ---------------------------------------------------------------------------------------------
// Column kinds

Deno.test("robustness: categories with few and with many levels", async () => {
  const t = customers(300, 3, [categoryColumn("store", 200)]);
  await segments("levels.csv", writeCsv(t, { delimiter: "," }), {
    ...BASE,
    rows: 300,
    categorical: ["city", "store"],
  });
});

for (const layout of ["ymd", "ymd/", "dmy/", "mdy/", "dmy.", "ymdThm"] as const) {
  Deno.test(`robustness: dates written ${layout}`, async () => {
    const t = customers(120, 3, [dateColumn("joined", layout)]);
    await segments(`dates_${layout}.csv`, writeCsv(t, { delimiter: ";" }), {
      ...BASE,
      dates: ["joined"],
    });
  });
}

Deno.test("robustness: booleans in several spellings", async () => {
  const t = customers(120, 3, [
    booleanColumn("newsletter", ["true", "false"]),
    booleanColumn("member", ["TRUE", "FALSE"]),
    booleanColumn("churned", ["yes", "no"]),
    booleanColumn("vip", ["Y", "N"]),
    booleanColumn("app_user", ["1", "0"]),
  ]);
  await segments("booleans.csv", writeCsv(t, { delimiter: "," }), BASE);
});

Deno.test("robustness: integer codes, a constant and an all-missing column are left out", async () => {
  const t = customers(120, 3, [
    codeColumn("store_code", 5),
    constantColumn("country", "PT"),
    constantColumn("version", "2"),
    emptyColumn("notes"),
    emptyColumn("score", "NA"),
  ]);
  const r = await segments("left_out.csv", writeCsv(t, { delimiter: "," }), {
    ...BASE,
    dropped: { store_code: "code", country: "constant", version: "constant" },
  });
  const features = [...r.preprocessing.numeric, ...r.preprocessing.categorical];
  for (const c of ["notes", "score"]) assert.ok(!features.includes(c), `${c} is no feature`);
});

Deno.test("robustness: a duplicated column and duplicated or empty headers", async () => {
  const base = customers(120);
  const t = duplicateColumn(base, 2, "spend_copy");
  t.header[3] = "spend"; // visits under spend's name
  t.header[4] = ""; // city without a name
  const r = await segments("headers.csv", writeCsv(t, { delimiter: "," }), {
    ...BASE,
    numeric: ["age", "spend"],
    categorical: [],
  });
  const p = r.preprocessing;
  const all = [...p.numeric, ...p.categorical, ...p.dropped.map((d) => d.column)];
  assert.ok(all.includes("spend.1"), show(p));
  assert.ok(all.includes("column_5"), show(p));
  assert.ok(p.dropped.some((d) => d.column === "spend_copy"), show(p));
});

Deno.test("robustness: unicode and very long headers", async () => {
  const long = "Total amount spent by the customer in the last twelve months ".repeat(8).trim();
  const t = table(120, 3, [
    idColumn("Nº cliente", true),
    ageColumn("Âge (años) 🎂"),
    spendColumn(long),
    countColumn("访问次数"),
    categoryColumn("Région"),
  ]);
  const r = await segments("unicode.csv", writeCsv(t, { delimiter: ";", bom: true }), {
    rows: 120,
    minSegments: 3,
    numeric: ["Âge (años) 🎂", long, "访问次数"],
    categorical: ["Région"],
  });
  assert.ok(r.segments.length >= 3);
  // The table names the long column without breaking its one line per segment.
  const path = await write("unicode_table.csv", writeCsv(t, { delimiter: ";", bom: true }));
  const table_ = await runSegmentProcess(["--input", path, ...CPU]);
  assertClean(table_);
  assert.equal(table_.code, 0, table_.err);
});

Deno.test("robustness: skewed money, negatives, scientific notation", async () => {
  const t = table(200, 4, [
    idColumn("id"),
    spendColumn("revenue", (x) => (x * 40).toFixed(2)),
    numberColumn("balance", (g, r) => (g - 1.5) * 800 + 100 * (r() - 0.5), (x) => x.toFixed(1)),
    spendColumn("impressions", scientific),
    countColumn("orders"),
  ]);
  await segments("money.csv", writeCsv(t, { delimiter: "," }), {
    rows: 200,
    idField: "id",
    minSegments: 3,
    numeric: ["revenue", "balance", "impressions", "orders"],
    log1p: ["revenue"],
  });
});

Deno.test("robustness: a single numeric column", async () => {
  const t = table(100, 3, [spendColumn("spend")]);
  await segments("single.csv", writeCsv(t, { delimiter: "," }), {
    rows: 100,
    idField: null,
    numeric: ["spend"],
  });
  const withId = table(100, 3, [idColumn("id"), spendColumn("spend")]);
  await segments("single_id.csv", writeCsv(withId, { delimiter: "," }), {
    rows: 100,
    idField: "id",
    numeric: ["spend"],
  });
});

// ---------------------------------------------------------------------------------------------
// Number spellings

Deno.test("robustness: decimal commas in a ;-delimited file are numbers", async () => {
  const t = customers(120, 3, [
    spendColumn("balance", decimalComma),
    // Whole numbers mixed with decimal commas, and European thousands (1.234,56).
    numberColumn(
      "credit",
      (g, r) => (g * 500 + 40 * r()) * (r() < 0.3 ? -1 : 1),
      (x) =>
        Number.isInteger(Math.round(x * 10) / 10) && Math.abs(x) < 100
          ? String(Math.round(x))
          : x.toLocaleString("de-DE", { maximumFractionDigits: 2 }),
    ),
  ]);
  const r = await segments("decimal_comma.csv", writeCsv(t, { delimiter: ";", crlf: true }), {
    ...BASE,
    numeric: ["age", "spend", "visits", "balance", "credit"],
  });
  assert.ok(r.n_clusters >= 3);
});

Deno.test("robustness: a decimal comma in a ,-delimited file stays text (documented)", async () => {
  const t = table(60, 3, [idColumn("id"), ageColumn(), spendColumn("balance", decimalComma)]);
  await segments("comma_decimal_comma.csv", writeCsv(t, { delimiter: "," }), {
    rows: 60,
    idField: "id",
    numeric: ["age"],
    dropped: { balance: "id" },
  });
});

Deno.test("robustness: thousands separators, a currency symbol and percentages", async () => {
  const t = customers(120, 3, [
    spendColumn("income", (x) => thousands(x * 30)),
    spendColumn("lifetime_value", dollars),
    numberColumn("discount", (g, r) => Math.round(5 + 10 * g + 3 * r()), (x) => `${x}%`),
  ]);
  await segments("formatted.csv", writeCsv(t, { delimiter: "," }), {
    ...BASE,
    numeric: ["age", "spend", "visits", "income", "lifetime_value", "discount"],
  });
});

Deno.test("robustness: CR line ends, padded fields and a trailing delimiter", async () => {
  const t = customers(120);
  const cr = writeCsv(t, { delimiter: "," }).replaceAll("\n", "\r");
  await segments("cr.csv", cr, BASE);
  const padded = writeCsv(t, { delimiter: ";" }).split("\n").map((line) =>
    line === "" ? line : " " + line.split(";").join(" ; ") + " ;"
  ).join("\n");
  const r = await segments("padded.csv", padded, { ...BASE, idField: "customer_id" });
  assert.ok(r.preprocessing.dropped.some((d) => d.column === "column_6"), show(r.preprocessing));
});

// ---------------------------------------------------------------------------------------------
// Sizes

// Three to five customers may hold no segmentation worth the name: a labelled run or one line.
for (const n of [3, 4, 5]) {
  Deno.test(`robustness: only ${n} rows`, async () => {
    const path = await write(`tiny_${n}.csv`, writeCsv(customers(n), { delimiter: "," }));
    const run = await runSegmentProcess(["--input", path, ...CPU, "--format", "csv"]);
    assertClean(run);
    if (run.code === 0) {
      const lines = run.out.trimEnd().split("\r\n");
      assert.equal(lines.length, n + 1, run.out);
      assert.ok(lines.slice(1).every((l) => /^C\d{5},\d+,.+$/.test(l)), run.out);
    } else {
      assert.equal(run.code, 1, run.err);
      assert.match(run.err, /^error: [^\n]+\n$/);
    }
  });
}

Deno.test("robustness: 1 or 2 rows are refused in one line", async () => {
  for (const n of [1, 2]) {
    await fails(`tiny_${n}.csv`, writeCsv(customers(n), { delimiter: "," }), /at least 3 records/);
  }
});

Deno.test("robustness: 10,000 rows in a ;-file with blanks and a date", async () => {
  const t = table(10_000, 4, [
    idColumn("cust_no"),
    ageColumn("age", 37),
    spendColumn("spend", (x) => x.toFixed(2), 51),
    countColumn("visits"),
    categoryColumn("city"),
    dateColumn("first_order", "dmy/"),
  ], 7);
  await segments("big_semicolon.csv", writeCsv(t, { delimiter: ";", crlf: true, bom: true }), {
    rows: 10_000,
    idField: "cust_no",
    minSegments: 3,
    dates: ["first_order"],
    imputed: ["age", "spend"],
  });
});

Deno.test("robustness: 30,000 rows", async () => {
  const t = table(30_000, 5, [
    idColumn("Customer ID", true),
    ageColumn(),
    spendColumn("spend"),
    countColumn("visits"),
    categoryColumn("channel_name"),
  ], 11);
  const r = await segments("big.csv", writeCsv(t, { delimiter: "," }), {
    rows: 30_000,
    idField: "Customer ID",
    minSegments: 3,
  });
  assert.equal(r.ids[29_999], "C30000");
});

// ---------------------------------------------------------------------------------------------
// Files that cannot be segmented: one line naming the row and column

const HEADER = "id,age,spend\n";
const rows = (n: number) =>
  Array.from({ length: n }, (_, i) => `${i + 1},${20 + (i % 40)},${(i * 37) % 500}`).join("\n") +
  "\n";

Deno.test("robustness: huge values are refused naming row and column", async () => {
  const lines = rows(30).split("\n");
  lines[11] = "12,33,1e300";
  await fails("huge.csv", HEADER + lines.join("\n"), /data row 12.*"spend"|"spend".*data row 12/);
  lines[11] = "12,-1e20,4";
  await fails("huge_neg.csv", HEADER + lines.join("\n"), /data row 12.*"age"|"age".*data row 12/);
});

Deno.test("robustness: rows with too many or too few fields name the row", async () => {
  const lines = rows(30).split("\n");
  const extra = [...lines];
  extra[4] = "5,30,20,99";
  await fails("extra.csv", HEADER + extra.join("\n"), /[Dd]ata row 5 .*4 fields/);
  const short = [...lines];
  short[19] = "20,30";
  await fails("short.csv", HEADER + short.join("\n"), /[Dd]ata row 20 .*column "spend"/);
});

Deno.test("robustness: an unclosed quote names its row", async () => {
  const lines = rows(30).split("\n");
  lines[6] = '7,"30,20';
  await fails("quote.csv", HEADER + lines.join("\n"), /row 7\b.*quote/);
});

Deno.test("robustness: a file that is not UTF-8 text", async () => {
  const latin1 = new Uint8Array([
    ...new TextEncoder().encode("id,age,city\n1,30,"),
    0xc9,
    ...new TextEncoder().encode("vora\n2,40,Porto\n"),
  ]);
  await fails("latin1.csv", latin1, /not UTF-8/);
  const utf16 = new Uint8Array([0xff, 0xfe, 0x69, 0, 0x64, 0, 0x0a, 0]);
  await fails("utf16.csv", utf16, /UTF-16/);
});

Deno.test("robustness: a binary file", async () => {
  const bytes = new Uint8Array(4096);
  const r = rng(3);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(r() * 256);
  await fails("random.bin", bytes, /not UTF-8|UTF-16|numeric|parsed|field/);
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
  await fails("image.png", png, /not UTF-8/);
  const nul = new TextEncoder().encode("id,age\n1,2\0\0\0\n2,3\n");
  await fails("nul.csv", nul, /./);
});

Deno.test("robustness: an empty file, blank lines only, a header only", async () => {
  await fails("empty.csv", "", /empty/);
  await fails("blank.csv", "\n\n\r\n", /empty|header/);
  await fails("bom_only.csv", "\uFEFF", /empty/);
  await fails("header.csv", "id,age,spend\n", /no data rows/);
  await fails("header_blank.csv", "\uFEFFid;age;spend\r\n\r\n\r\n", /no data rows/);
});

Deno.test("robustness: no usable feature blames the file, not a flag the user did not type", async () => {
  const same = "id,age,spend\n" + Array.from({ length: 40 }, (_, i) => `${i + 1},30,5`).join("\n");
  await fails("identical.csv", same, /identical\.csv: .*no(ne is left| usable)/);
  const blank = "id,age,spend\n" + Array.from({ length: 40 }, (_, i) => `${i + 1},,`).join("\n") +
    "\n41,3,4\n";
  await fails("mostly_blank.csv", blank, /mostly_blank\.csv: .*age \(constant\)/);
  const path = await write("identical_flag.csv", same);
  const flagged = await runSegmentProcess(["--input", path, ...CPU, "--id-column", "id"]);
  assert.equal(flagged.code, 1);
  assert.match(flagged.err, /^error: --id-column: /);
});

Deno.test("robustness: a stray word in a numeric column and a bad quote name row and column", async () => {
  const lines = rows(30).split("\n");
  lines[17] = "18,abc,3";
  await fails("stray.csv", HEADER + lines.join("\n"), /"age".*data row 18|data row 18.*"age"/);
  lines[17] = '18,"3"x,3';
  await fails("bad_quote.csv", HEADER + lines.join("\n"), /data row 18 .*quote/);
});

Deno.test("robustness: no numeric column", async () => {
  await fails(
    "text.csv",
    "name,city\n" + Array.from({ length: 20 }, (_, i) => `N${i},C${i % 3}`).join("\n"),
    /numeric column/,
  );
});

// ---------------------------------------------------------------------------------------------
// Recovering planted groups

// Groups that overlap as real ones do: spend log-normal (σ 0.45 against 1.2 between groups),
// orders and recency noisy, the channel a hint only.
for (
  const [k, n, seed] of [[3, 300, 21], [4, 400, 22], [5, 600, 23], [6, 900, 24]] as const
) {
  Deno.test(`robustness: auto recovers ${k} planted groups (ARI ≥ 0.5)`, async () => {
    const t = table(n, k, [
      idColumn("customer_id", true),
      numberColumn(
        "annual_spend",
        (g, r) => Math.exp(5 + 1.2 * g + 0.45 * normal(r)),
        (x) => x.toFixed(2),
      ),
      numberColumn("orders", (g, r) => Math.max(0, Math.round(3 + 4 * g + 1.5 * normal(r)))),
      numberColumn("recency_days", (g, r) => Math.round((300 / (1 + g)) * (0.7 + 0.6 * r()))),
      {
        name: "channel_name",
        cell: (
          _,
          g,
          r,
        ) => (r() < 0.7 ? ["web", "store", "app", "phone", "mail", "b2b"][g]! : "web"),
      },
    ], seed);
    const r = await segments(`groups_${k}.csv`, writeCsv(t, { delimiter: "," }), {
      rows: n,
      idField: "customer_id",
      minSegments: 3,
    }, ["--algorithm", "auto"]);
    const ari = adjustedRandIndex(r.labels, t.groups);
    console.log(`  planted ${k}: ${r.n_clusters} segments, ARI ${ari.toFixed(3)}`);
    assert.ok(ari >= 0.5, `ARI ${ari.toFixed(3)} with ${r.n_clusters} segments`);
  });
}
