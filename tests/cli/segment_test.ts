/**
 * `deno task segment` on the four sample files as they come (automatic selection, no
 * `--columns`) and in each output format.
 */
import assert from "node:assert/strict";
import { DATA, runSegment } from "./_segment_run.ts";

interface JsonOutput {
  ids: string[];
  labels: number[];
  n_clusters: number;
  segments: { cluster_id: number; name: string; persona: string }[];
  preprocessing: {
    rows: number;
    numeric: string[];
    categorical: string[];
    dropped: { column: string; reason: string }[];
  };
  selection: { mode: string; why: string };
  candidates: { chosen: boolean }[];
  cluster_profiles: Record<string, { count: number; percentage: number }>;
}

const SAMPLES = [
  // Gender, a two-level demographic, is profiled but not clustered on by default (issue 12).
  { file: DATA.mall, rows: 200, id: "CustomerID", categorical: [] },
  // Channel and Region are integer-coded categories: profiled, kept out of the distance.
  { file: DATA.wholesale, rows: 440, id: null, categorical: [], codes: ["Channel", "Region"] },
  { file: DATA.marketing, rows: 2240, id: "ID", categorical: ["Education", "Marital_Status"] },
  { file: DATA.cc, rows: 8950, id: "CUST_ID", categorical: [], terminal: true },
];

for (const sample of SAMPLES) {
  const name = sample.file.split("/").pop();
  Deno.test(`segment labels every row of ${name} in named segments, as it comes`, async () => {
    const { code, out, err } = await runSegment(
      ["--input", sample.file, "--algorithm", "auto", "--backend", "cpu", "--format", "json"],
      sample.terminal ?? false,
    );
    assert.equal(code, 0, err);
    const r: JsonOutput = JSON.parse(out);
    assert.equal(r.labels.length, sample.rows);
    assert.equal(r.ids.length, sample.rows);
    assert.ok(r.labels.every((l) => Number.isInteger(l) && l >= 0 && l < r.n_clusters));
    assert.ok(r.n_clusters >= 3 && r.n_clusters <= 10, `${r.n_clusters}`);
    const names = r.segments.map((s) => s.name);
    assert.equal(names.length, r.n_clusters);
    assert.equal(new Set(names).size, names.length, `names not unique: ${names}`);
    assert.ok(names.every((n) => n.trim() !== "" && !/^Segment \d+$/.test(n)), `${names}`);
    assert.ok(r.segments.every((s) => s.persona.length > 0));
    assert.equal(r.preprocessing.rows, sample.rows);
    assert.ok(r.preprocessing.numeric.length > 0);
    assert.deepEqual(r.preprocessing.categorical, sample.categorical);
    if (sample.id) {
      assert.deepEqual(r.preprocessing.dropped[0], { column: sample.id, reason: "id" });
    } else assert.equal(r.ids[0], "1");
    for (const code of sample.codes ?? []) {
      assert.ok(r.preprocessing.dropped.some((d) => d.column === code && d.reason === "code"));
    }
    assert.equal(r.selection.mode, "auto");
    assert.match(r.selection.why, /segments/);
    assert.equal(r.candidates.filter((c) => c.chosen).length, 1);
    if (sample.terminal) {
      // Seconds of work on a terminal: the progress line was drawn and erased.
      assert.match(err.replaceAll("\r\x1b[2K", "|"), /\|segment: .+ \d+\.\ds/);
      // The candidates are counted as they are fitted.
      assert.match(err, /fitting candidates · candidate \d+ of \d+ · \d+\.\ds/);
      assert.ok(err.endsWith("\r\x1b[2K"), JSON.stringify(err.slice(-40)));
    } else assert.equal(err, "");
  });
}

Deno.test("segment prints a table of named segments with sizes and key figures", async () => {
  const { code, out, err } = await runSegment(["--input", DATA.mall, "--backend", "cpu"]);
  assert.equal(code, 0, err);
  const json = JSON.parse(
    (await runSegment(["--input", DATA.mall, "--backend", "cpu", "--format", "json"])).out,
  ) as JsonOutput;
  assert.match(
    out,
    /^mall_customers\.csv: 200 customers, \d+ segments by \w+ \(chosen automatically\)/,
  );
  assert.match(out, /#\s+Segment\s+Customers\s+Share\s+Key figures/);
  for (const s of json.segments) {
    const p = json.cluster_profiles[String(s.cluster_id)]!;
    const row = out.split("\n").find((l) => l.startsWith(`${s.cluster_id}  ${s.name} `));
    assert.ok(row, `no row for ${s.name}`);
    assert.match(row, new RegExp(`\\s${p.count}\\s+${p.percentage.toFixed(1)}%\\s+\\S+.* vs `));
  }
  assert.match(out, /\nWhy: .+\nQuality: silhouette /);
  assert.match(
    out,
    /\nFeatures: 3 numeric \(Age, .+\)\nLeft out: CustomerID \(id\), Gender \(demographic\)/,
  );
});

Deno.test("segment --format csv gives each customer's id, segment id and name", async () => {
  const { code, out } = await runSegment([
    "--input",
    DATA.mall,
    "--backend",
    "cpu",
    "--format",
    "csv",
  ]);
  assert.equal(code, 0);
  const json = JSON.parse(
    (await runSegment(["--input", DATA.mall, "--backend", "cpu", "--format", "json"])).out,
  ) as JsonOutput;
  const lines = out.trimEnd().split("\r\n");
  assert.equal(lines[0], "customer_id,segment_id,segment_name");
  assert.equal(lines.length, 201);
  const names = new Map(json.segments.map((s) => [s.cluster_id, s.name]));
  lines.slice(1).forEach((line, i) => {
    const label = json.labels[i]!;
    assert.equal(line, `${i + 1},${label},${csvField(names.get(label)!)}`);
  });
});

Deno.test("segment --format html writes the API's standalone report", async () => {
  const { code, out } = await runSegment([
    "--input",
    DATA.mall,
    "--backend",
    "cpu",
    "--format",
    "html",
    "--lang",
    "es",
  ]);
  assert.equal(code, 0);
  assert.match(out, /^<!DOCTYPE html>/i);
  // --lang es: the report speaks Spanish throughout (issue 15).
  assert.match(out, /Informe de segmentación — mall_customers\.csv — run_[0-9a-f]{24}/);
  assert.match(out, /<html lang="es">/);
  assert.match(out, /<svg/);
  assert.doesNotMatch(out, /<script/i);
  const json = JSON.parse(
    (await runSegment([
      "--input",
      DATA.mall,
      "--backend",
      "cpu",
      "--format",
      "json",
      "--lang",
      "es",
    ]))
      .out,
  ) as JsonOutput;
  for (const s of json.segments) assert.ok(out.includes(escapeHtml(s.name)), s.name);
});

Deno.test("segment --output writes the file, in the format its extension names", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { code, out } = await runSegment([
      "--input",
      DATA.mall,
      "--backend",
      "cpu",
      "--output",
      `${dir}/segments.json`,
    ]);
    assert.equal(code, 0);
    assert.equal(out, "");
    const r = JSON.parse(await Deno.readTextFile(`${dir}/segments.json`)) as JsonOutput;
    assert.equal(r.labels.length, 200);
    // An explicit --format wins over the extension; --out is the old spelling.
    assert.equal(
      (await runSegment([
        "--input",
        DATA.mall,
        "--backend",
        "cpu",
        "--format",
        "table",
        "--out",
        `${dir}/t.json`,
      ])).code,
      0,
    );
    assert.match(await Deno.readTextFile(`${dir}/t.json`), /^mall_customers\.csv: 200 customers/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("segment keeps --seed, --k, --algorithm and --columns", async () => {
  const args = ["--input", DATA.mall, "--backend", "cpu", "--format", "json"];
  const fixed = await runSegment([...args, "--algorithm", "gmm", "--k", "4", "--seed", "1"]);
  assert.equal(fixed.code, 0, fixed.err);
  const r = JSON.parse(fixed.out);
  assert.equal(r.algorithm, "gmm");
  assert.equal(r.n_clusters, 4);
  assert.equal(r.selection.mode, "fixed");
  assert.deepEqual(r.params, {
    algorithm: "gmm",
    n_clusters: 4,
    random_state: 1,
    backend: "cpu",
    columns: null,
  });
  // --k alone means kmeans, as POST /api/cluster.
  const k = JSON.parse((await runSegment([...args, "--k", "5"])).out);
  assert.equal(k.algorithm, "kmeans");
  assert.equal(k.n_clusters, 5);
  for (const algorithm of ["ward", "dbscan"]) {
    const run = await runSegment([...args, "--algorithm", algorithm]);
    assert.equal(run.code, 0, run.err);
    assert.equal(JSON.parse(run.out).algorithm, algorithm);
  }
  const some = JSON.parse(
    (await runSegment([
      ...args,
      "--columns",
      "Annual Income (k$), Spending Score (1-100)",
      "--k",
      "5",
    ]))
      .out,
  );
  assert.deepEqual(some.preprocessing.numeric, ["Annual Income (k$)", "Spending Score (1-100)"]);
  assert.deepEqual(some.preprocessing.categorical, []);
  assert.equal(some.ids[0], "1");
});

function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

function escapeHtml(s: string): string {
  return s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;").replaceAll("'", "&#39;");
}
