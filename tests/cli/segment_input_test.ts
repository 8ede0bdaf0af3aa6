/**
 * `deno task segment` on the files users have: `;` and tab delimiters, a BOM, blanks, dates,
 * an id column; and the one-line errors (exit 1) that name the row and column at fault.
 */
import assert from "node:assert/strict";
import { customersCsv, DATA, runSegment, tempCsv } from "./_segment_run.ts";

const CPU = ["--backend", "cpu"];

Deno.test("segment reads a ;-delimited file with a BOM, blanks, a date and an id column", async () => {
  const { path, dir } = await tempCsv("semicolon.csv", customersCsv(";"));
  try {
    const { code, out, err } = await runSegment(["--input", path, ...CPU, "--format", "json"]);
    assert.equal(code, 0, err);
    const r = JSON.parse(out);
    assert.equal(r.labels.length, 60);
    assert.equal(r.ids[0], "C1000");
    assert.equal(r.ids[59], "C1059");
    assert.equal(r.preprocessing.idField, "customer_id");
    assert.deepEqual(r.preprocessing.numeric, ["age", "spend", "joined"]);
    assert.deepEqual(r.preprocessing.categorical, ["city"]);
    assert.deepEqual(r.preprocessing.dates.map((d: { column: string }) => d.column), ["joined"]);
    assert.ok(r.preprocessing.imputed.some((i: { column: string }) => i.column === "age"));
    assert.ok(r.n_clusters >= 2);
    assert.equal(new Set(r.segments.map((s: { name: string }) => s.name)).size, r.n_clusters);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("segment reads a tab-delimited file with a BOM into the CSV of ids and segments", async () => {
  const { path, dir } = await tempCsv("tabs.tsv", customersCsv("\t"));
  try {
    const { code, out, err } = await runSegment(["--input", path, ...CPU, "--format", "csv"]);
    assert.equal(code, 0, err);
    const lines = out.trimEnd().split("\r\n");
    assert.equal(lines[0], "customer_id,segment_id,segment_name");
    assert.equal(lines.length, 61);
    assert.match(lines[1]!, /^C1000,\d+,.+$/);
    assert.match(lines[60]!, /^C1059,\d+,.+$/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("segment --id-column names the id column when the name does not say so", async () => {
  const text = "code,age,spend\n" +
    Array.from(
      { length: 30 },
      (_, i) => `K${i},${20 + (i % 3) * 20 + (i % 7)},${100 + (i % 3) * 500 + i}`,
    )
      .join("\n");
  const { path, dir } = await tempCsv("codes.csv", text);
  try {
    const guessed = JSON.parse(
      (await runSegment(["--input", path, ...CPU, "--format", "json"])).out,
    );
    assert.equal(guessed.ids[0], "1");
    const named = await runSegment([
      "--input",
      path,
      ...CPU,
      "--format",
      "json",
      "--id-column",
      "code",
    ]);
    assert.equal(named.code, 0, named.err);
    assert.equal(JSON.parse(named.out).ids[0], "K0");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Runs on `text` and checks the failure: exit 1, one line, no stack trace. */
async function failsWith(text: string, args: string[] = []): Promise<string> {
  const { path, dir } = await tempCsv("bad.csv", text);
  try {
    const { code, out, err } = await runSegment(["--input", path, ...CPU, ...args]);
    assert.equal(code, 1, err);
    assert.equal(out, "");
    assert.match(err, /^error: [^\n]+\n$/, JSON.stringify(err));
    assert.doesNotMatch(err, /\n\s+at /);
    return err;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("segment names the row and column of a ragged row", async () => {
  const err = await failsWith("id,age,spend\n1,30,5\n2,40\n3,50,7\n");
  assert.match(
    err,
    /bad\.csv: Data row 2 \(line 3\) has 2 fields but the header has 3; column "spend"/,
  );
  const extra = await failsWith("id,age,spend\n1,30,5\n2,40,6,9\n");
  assert.match(extra, /Data row 2 \(line 3\) has 4 fields but the header has 3/);
});

Deno.test("segment names the row of an unclosed quote", async () => {
  const err = await failsWith('id,age,spend\n1,30,5\n2,"40,6\n3,50,7\n');
  assert.match(err, /data row 2 \(line \d+\): a quoted field is never closed/);
});

Deno.test("segment says which columns there are when none is numeric", async () => {
  const err = await failsWith("name,city\nAna,Porto\nBea,Faro\nCid,Lisboa\n");
  assert.match(err, /numeric column .*"name": categorical, "city": categorical/);
});

Deno.test("segment refuses unknown --columns, a missing file and bad flags in one line", async () => {
  const unknown = await failsWith("id,age,spend\n1,30,5\n2,40,6\n3,50,7\n", [
    "--columns",
    "age,income",
  ]);
  assert.match(
    unknown,
    /--columns names "income", which the file lacks; its columns are: id, age, spend/,
  );
  const missing = await runSegment(["--input", "/nonexistent/file.csv"]);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /^error: Cannot read \/nonexistent\/file\.csv: [^\n]+\n$/);
  for (
    const args of [
      ["--bogus"],
      [],
      ["--input", DATA.mall, "--k", "two"],
      ["--input", DATA.mall, "--k", "1"],
      ["--input", DATA.mall, "--algorithm", "hdbscan"],
      ["--input", DATA.mall, "--backend", "tpu"],
      ["--input", DATA.mall, "--format", "xml"],
      ["--input", DATA.mall, "--lang", "fr"],
      ["--input", DATA.mall, "--eps", "0"],
      ["--input", DATA.mall, "extra.csv"],
    ]
  ) {
    const { code, out, err } = await runSegment(args);
    assert.equal(code, 1, args.join(" "));
    assert.equal(out, "");
    assert.match(err, /^error: [^\n]+ \(see --help\)\n$/, `${args.join(" ")}: ${err}`);
  }
});

Deno.test("segment refuses k beyond the customers with the pipeline's message", async () => {
  const err = await failsWith("id,age,spend\n1,30,5\n2,40,6\n3,50,7\n4,20,1\n", ["--k", "9"]);
  assert.match(err, /n_clusters to be at most 3/);
});

Deno.test("segment --help documents every flag", async () => {
  const { code, out } = await runSegment(["--help"]);
  assert.equal(code, 0);
  for (
    const flag of [
      "--input",
      "--columns",
      "--id-column",
      "--algorithm",
      "--k",
      "--max-clusters",
      "--eps",
      "--min-samples",
      "--seed",
      "--backend",
      "--lang",
      "--format",
      "--output",
      "--quiet",
      "--help",
    ]
  ) assert.ok(out.includes(flag), flag);
  for (const word of ["table", "json", "csv", "html", "auto", "kmeans", "dbscan", "gmm", "ward"]) {
    assert.ok(out.includes(word), word);
  }
});
