/**
 * Document 003's exports: `POST /api/export/{type}` storing a file and answering 202 with its
 * download URL and expiry, the download until it expires (then 410), the formats per type,
 * formula escaping, columns and filters, and exports invisible to other tenants.
 */
import assert from "node:assert/strict";
import {
  DEFAULT_EXPORT_TTL_MS,
  sweepExpiredExports,
} from "../../../domain/workflow/stored_exports.ts";
import { HTML_EXPORT_CSP } from "../../../routes/segments/exports.ts";
import { clusteredMall, MALL, NOW, segmentsService, session } from "./_service.ts";

Deno.test("POST /api/export/{type} stores a CSV that downloads until it expires, then 410", async () => {
  await using s = await segmentsService();
  const a = await clusteredMall(s);
  const accepted = await a.post("/api/export/gender", { format: "csv" });
  assert.equal(accepted.status, 202);
  assert.equal(accepted.body.success, true);
  const e = accepted.body.data;
  assert.match(e.export_id, /^exp_[0-9a-f]{24}$/);
  assert.equal(e.download_url, `/api/exports/${e.export_id}/download`);
  assert.equal(e.expires_at, new Date(NOW + DEFAULT_EXPORT_TTL_MS).toISOString());
  assert.equal(e.format, "csv");
  assert.equal(accepted.headers.get("Location"), e.download_url);
  assert.match(accepted.headers.get("RateLimit-Policy") ?? "", /^"export";/);

  const res = await a.call(e.download_url);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("Content-Type"), "text/csv; charset=utf-8");
  assert.equal(
    res.headers.get("Content-Disposition"),
    `attachment; filename="${e.filename}"`,
  );
  const lines = (await res.text()).trimEnd().split("\r\n");
  assert.equal(lines[0], "customer_id,segment_name,gender,age,income,spending_score");
  assert.equal(lines.length, 201);
  assert.equal(lines[1], "1,Male,Male,19,15000,39");

  s.clock.now = NOW + DEFAULT_EXPORT_TTL_MS - 1;
  assert.equal((await a.call(e.download_url)).status, 200);
  s.clock.now = NOW + DEFAULT_EXPORT_TTL_MS;
  const gone = await a.call(e.download_url);
  assert.equal(gone.status, 410);
  const body = await gone.json();
  assert.equal(body.code, "GONE");
  assert.equal(body.details.export_id, e.export_id);

  // Once the sweeper has deleted its bytes, the export still answers 410, not 404.
  assert.equal(await sweepExpiredExports(s.kv, s.clock.now + 1), 1);
  const swept = await a.call(e.download_url);
  assert.equal(swept.status, 410);
  assert.equal((await swept.json()).details.expired_at, e.expires_at);
});

Deno.test("POST /api/export/{type} escapes formulas in the exported CSV", async () => {
  await using s = await segmentsService();
  const a = await session(s);
  await a.upload(
    'CustomerID,Gender,Region,Age\n1,"=HYPERLINK(""x"")",@SUM(A1),30\n2,Female,North,40\n',
  );
  for (const type of ["gender", "region"]) {
    const e = (await a.post(`/api/export/${type}`, { format: "csv" })).body.data;
    const text = await (await a.call(e.download_url)).text();
    assert.ok(text.includes(`"'=HYPERLINK(""x"")"`), text);
    assert.ok(text.includes("'@SUM(A1)"), text);
    assert.ok(!/(^|,)[=@]/m.test(text), text);
  }
});

Deno.test("POST /api/export/{type} writes JSON, and refuses HTML for rule types", async () => {
  await using s = await segmentsService();
  const a = await clusteredMall(s);
  const e = (await a.post("/api/export/age_group", { format: "json" })).body.data;
  const res = await a.call(e.download_url);
  assert.equal(res.headers.get("Content-Type"), "application/json; charset=utf-8");
  const report = await res.json();
  assert.equal(report.segmentation_type, "age_group");
  assert.equal(report.customers.length, 200);
  assert.equal(report.segments.length, 5);
  assert.equal(report.customers[0].segment_name, "18-25");

  const html = await a.post("/api/export/gender", { format: "html" });
  // Document 003 lists no 422: a value that breaks a constraint is its 400.
  assert.equal(html.status, 400);
  assert.equal(html.body.details.parameter, "format");
  assert.equal((await a.post("/api/export/gender", { format: "xlsx" })).status, 400);
  assert.equal((await a.post("/api/export/clv", { format: "csv" })).status, 400);
  assert.equal(
    (await a.post("/api/export/gender", { format: "json", columns: ["age"] })).status,
    400,
  );
  // An empty body is a CSV.
  const plain = await a.call("/api/export/gender", { method: "POST" });
  assert.equal(plain.status, 202);
  assert.equal((await plain.json()).data.format, "csv");
});

Deno.test("POST /api/export/cluster serves the HTML report under a strict CSP, and the CSV", async () => {
  await using s = await segmentsService();
  const a = await clusteredMall(s);
  const html = (await a.post("/api/export/cluster", { format: "html", include_charts: true })).body
    .data;
  const res = await a.call(html.download_url);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("Content-Type"), "text/html; charset=utf-8");
  assert.equal(res.headers.get("Content-Security-Policy"), HTML_EXPORT_CSP);
  assert.match(res.headers.get("Content-Disposition") ?? "", /\.html"$/);
  const page = await res.text();
  assert.match(page, /<svg/);
  assert.ok(!/<script/i.test(page));

  const json = (await a.post("/api/export/cluster", { format: "json" })).body.data;
  const report = await (await a.call(json.download_url)).json();
  assert.match(report.run_id, /^run_/);

  const csv = (await a.post("/api/export/cluster", {
    format: "csv",
    columns: ["CustomerID", "Age"],
  })).body.data;
  const lines = (await (await a.call(csv.download_url)).text()).trimEnd().split("\r\n");
  assert.equal(lines[0], "CustomerID,Age,cluster,segment");
  assert.equal(lines.length, 201);

  const big = (await a.post("/api/export/cluster", {
    format: "csv",
    filters: { min_customers: 1000 },
  })).body.data;
  assert.equal((await (await a.call(big.download_url)).text()).trimEnd().split("\r\n").length, 1);
  const bad = await a.post("/api/export/cluster", { format: "csv", columns: ["Shoe"] });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.details.parameter, "columns");
});

Deno.test("POST /api/export/{type} keeps only large enough segments and the columns asked", async () => {
  await using s = await segmentsService();
  const a = await clusteredMall(s);
  const e = (await a.post("/api/export/age_group", {
    format: "csv",
    columns: ["customer_id", "segment_name"],
    filters: { min_customers: 50 },
  })).body.data;
  const lines = (await (await a.call(e.download_url)).text()).trimEnd().split("\r\n");
  assert.equal(lines[0], "customer_id,segment_name");
  const segments = (await a.get("/api/segments/age_group")).body.data.segments as {
    age_group: string;
    total_customers: number;
  }[];
  const kept = segments.filter((g) => g.total_customers >= 50);
  assert.equal(lines.length - 1, kept.reduce((n, g) => n + g.total_customers, 0));
  for (const line of lines.slice(1)) {
    assert.ok(kept.some((g) => line.endsWith(`,${g.age_group}`)), line);
  }
});

Deno.test("GET /api/exports/{export_id}/download never serves another tenant's export", async () => {
  await using s = await segmentsService();
  const a = await clusteredMall(s, "acme");
  const e = (await a.post("/api/export/gender", { format: "csv" })).body.data;
  const b = await session(s, "globex");
  const other = await b.call(e.download_url);
  assert.equal(other.status, 404);
  assert.equal((await other.json()).code, "NOT_FOUND");
  assert.equal((await b.post("/api/export/gender", { format: "csv" })).body.code, "NO_DATA");
  assert.equal((await a.call("/api/exports/exp_000000000000000000000000/download")).status, 404);
  assert.equal((await a.call("/api/exports/../download")).status, 404);
  await b.upload(MALL);
  assert.equal((await b.call(e.download_url)).status, 404);
});

Deno.test("POST /api/export/{type} with segment columns exports one row per segment", async () => {
  await using s = await segmentsService();
  const a = await clusteredMall(s);
  const accepted = await a.post("/api/export/age_group", {
    format: "csv",
    include_charts: true,
    columns: ["segment_name", "total_customers", "avg_purchase_amount"],
    filters: { min_customers: 50 },
  });
  assert.equal(accepted.status, 202);
  assert.equal(accepted.body.data.level, "segments");
  const lines = (await (await a.call(accepted.body.data.download_url)).text()).trimEnd()
    .split("\r\n");
  assert.equal(lines[0], "segment_name,total_customers,avg_purchase_amount");
  const segments = (await a.get("/api/segments/age_group")).body.data.segments as {
    segment_name: string;
    total_customers: number;
  }[];
  const kept = segments.filter((g) => g.total_customers >= 50);
  // Mall has no purchase amount: the column is there, empty.
  assert.deepEqual(lines.slice(1), kept.map((g) => `${g.segment_name},${g.total_customers},`));
});

Deno.test("POST /api/export/cluster at segment level lists each cluster's figures", async () => {
  await using s = await segmentsService();
  const a = await clusteredMall(s);
  const e = (await a.post("/api/export/cluster", {
    format: "json",
    level: "segments",
    columns: ["cluster_id", "segment_name", "total_customers", "avg_income"],
  })).body.data;
  assert.equal(e.level, "segments");
  const file = await (await a.call(e.download_url)).json();
  assert.equal(file.level, "segments");
  assert.deepEqual(file.columns, ["cluster_id", "segment_name", "total_customers", "avg_income"]);
  assert.equal(file.segments.length, 5);
  assert.equal(
    file.segments.reduce((n: number, c: { total_customers: number }) => n + c.total_customers, 0),
    200,
  );
  const unknown = await a.post("/api/export/cluster", { level: "segments", columns: ["nope"] });
  assert.ok(unknown.status === 400 || unknown.status === 422);
  assert.match(JSON.stringify(unknown.body), /columns/);
});

Deno.test("POST /api/export/{type} JSON keeps integer customer ids integers", async () => {
  await using s = await segmentsService();
  const a = await clusteredMall(s);
  const e = (await a.post("/api/export/gender", { format: "json" })).body.data;
  const report = await (await a.call(e.download_url)).json();
  assert.equal(report.customers[0].customer_id, 1);
});
