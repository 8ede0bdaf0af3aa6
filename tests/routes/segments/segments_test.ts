/**
 * Document 003's `GET /api/segments/{type}` on the Mall dataset: the envelope, paging and
 * sorting over the segments, the detailed cluster format with its links, the 400s for a
 * missing dataset, clustering or columns, and one tenant never reading another's segments.
 */
import assert from "node:assert/strict";
import { RULE_SORT_FIELDS } from "../../../routes/segments/context.ts";
import { CLUSTER_SORT_FIELDS } from "../../../routes/segments/segments.ts";
import { NO_CLUSTERING, NO_DATA } from "../../../domain/workflow/mod.ts";
import { clusteredMall, MALL, NOW, segmentsService, session } from "./_service.ts";

Deno.test("GET /api/segments/gender answers the segments in document 003's envelope", async () => {
  await using s = await segmentsService();
  const a = await clusteredMall(s);
  const { status, body, headers } = await a.get("/api/segments/gender");
  assert.equal(status, 200);
  assert.equal(body.success, true);
  assert.equal(body.metadata.api_version, "1.0");
  assert.equal(body.metadata.timestamp, new Date(NOW).toISOString());
  assert.equal(body.metadata.request_id, headers.get("X-Request-Id"));
  const data = body.data;
  assert.equal(data.segmentation_type, "gender");
  assert.equal(data.total_records, 2);
  assert.equal(data.limit, 50);
  assert.equal(data.offset, 0);
  assert.equal(data.has_more, false);
  assert.equal(data.total_customers, 200);
  assert.deepEqual(data.segments.map((g: { gender: string }) => g.gender), ["Female", "Male"]);
  assert.deepEqual(data.segments.map((g: { total_customers: number }) => g.total_customers), [
    112,
    88,
  ]);
  assert.equal(data.segments[0].segment_name, "Female");
  assert.equal(data.segments[0].customer_percentage, 56);
  assert.equal(typeof data.segments[0].avg_income, "number");
  assert.equal(data.segments[0].avg_purchase_amount, null);
  assert.equal(body.links.self, "/api/segments/gender");
});

Deno.test("GET /api/segments/{type} pages with limit and offset and says has_more", async () => {
  await using s = await segmentsService();
  const a = await clusteredMall(s);
  const first = (await a.get("/api/segments/age_group?limit=2")).body.data;
  assert.equal(first.total_records, 5);
  assert.equal(first.segments.length, 2);
  assert.equal(first.has_more, true);
  assert.deepEqual(first.segments.map((g: { age_group: string }) => g.age_group), [
    "Under 18",
    "18-25",
  ]);
  const last = (await a.get("/api/segments/age_group?limit=2&offset=4")).body.data;
  assert.equal(last.offset, 4);
  assert.deepEqual(last.segments.map((g: { age_group: string }) => g.age_group), ["60+"]);
  assert.equal(last.has_more, false);
  const beyond = (await a.get("/api/segments/age_group?offset=10")).body.data;
  assert.deepEqual(beyond.segments, []);
  assert.equal(beyond.has_more, false);
});

Deno.test("GET /api/segments/{type} sorts by a segment field in either order", async () => {
  await using s = await segmentsService();
  const a = await clusteredMall(s);
  const counts = async (query: string) =>
    (await a.get(`/api/segments/age_group?${query}`)).body.data.segments.map((
      g: { total_customers: number },
    ) => g.total_customers);
  const desc = await counts("sort_by=total_customers");
  assert.deepEqual(desc, [...desc].sort((x, y) => y - x));
  const asc = await counts("sort_by=total_customers&sort_order=ASC");
  assert.deepEqual(asc, [...desc].reverse());
  const byName = (await a.get("/api/segments/gender?sort_by=gender&sort_order=asc")).body.data;
  assert.deepEqual(byName.segments.map((g: { gender: string }) => g.gender), ["Female", "Male"]);
  const other = await a.get("/api/segments/gender?sort_by=customer_count");
  assert.equal(other.status, 400);
  assert.equal(other.body.details.parameter, "sort_by");
});

Deno.test("GET /api/segments/{type} refuses bad parameters with 400 or 422", async () => {
  await using s = await segmentsService();
  const a = await clusteredMall(s);
  const unknown = await a.get("/api/segments/zodiac");
  assert.equal(unknown.status, 400);
  assert.equal(unknown.body.code, "INVALID_PARAMETER");
  // Document 003 lists 400 for invalid parameters: out-of-range paging is 400 on its routes.
  for (const query of ["limit=501", "limit=0", "offset=-1", "limit=501&offset=-1"]) {
    const paged = await a.get(`/api/segments/gender?${query}`);
    assert.equal(paged.status, 400, query);
    assert.equal(paged.body.code, "INVALID_PARAMETER", query);
  }
  assert.equal((await a.get("/api/segments/cluster?limit=0")).status, 400);
  assert.equal((await a.get("/api/segments/gender?limit=ten")).status, 400);
  assert.equal((await a.get("/api/segments/gender?sort_order=up")).status, 400);
});

Deno.test("segment types are accepted in any letter case (document 003 writes Gender)", async () => {
  await using s = await segmentsService();
  const a = await clusteredMall(s);
  const lower = (await a.get("/api/segments/gender")).body.data;
  for (const type of ["Gender", "GENDER", "gEnDeR"]) {
    const { status, body } = await a.get(`/api/segments/${type}`);
    assert.equal(status, 200, type);
    assert.equal(body.data.segmentation_type, "gender");
    assert.deepEqual(body.data.segments, lower.segments);
    assert.equal(body.links.self, "/api/segments/gender");
  }
  assert.equal((await a.get("/api/segments/Age_Group")).body.data.segmentation_type, "age_group");
  assert.equal((await a.get("/api/segments/Cluster")).body.data.segmentation_type, "cluster");
  assert.equal((await a.get("/api/insights/Gender")).status, 200);
  const exported = await a.post("/api/export/Gender", {});
  assert.equal(exported.status, 202);
  assert.equal(exported.body.data.segmentation_type, "gender");
  assert.equal((await a.get("/api/segments/Zodiac")).status, 400);
});

Deno.test("GET /api/segments/{type} answers 400 naming the columns the dataset lacks", async () => {
  await using s = await segmentsService();
  const a = await clusteredMall(s);
  for (
    const [type, missing] of [
      ["purchase_tier", ["purchase_amount"]],
      ["clv", ["purchase_amount", "purchase_frequency"]],
      ["rfm", ["recency", "purchase_frequency", "purchase_amount"]],
      ["region", ["region"]],
    ] as const
  ) {
    const { status, body } = await a.get(`/api/segments/${type}`);
    assert.equal(status, 400, type);
    assert.equal(body.code, "MISSING_COLUMNS");
    assert.deepEqual(body.details.missing_columns, missing);
    assert.equal(body.details.segmentation_type, type);
    for (const role of missing) assert.match(body.message, new RegExp(role));
  }
});

Deno.test("GET /api/segments/cluster answers the detailed format of section 2 with links", async () => {
  await using s = await segmentsService();
  const a = await clusteredMall(s);
  const { status, body } = await a.get("/api/segments/cluster?sort_by=customer_count");
  assert.equal(status, 200);
  const data = body.data;
  assert.equal(data.segmentation_type, "cluster");
  assert.match(data.run_id, /^run_/);
  assert.deepEqual(data.request_summary, {
    total_records: 5,
    limit: 50,
    offset: 0,
    has_more: false,
  });
  const counts = data.segments.map((c: { customer_count: number }) => c.customer_count);
  assert.deepEqual(counts, [...counts].sort((x: number, y: number) => y - x));
  assert.equal(counts.reduce((x: number, y: number) => x + y, 0), 200);
  assert.deepEqual(
    data.segments.map((c: { cluster_priority: number }) => c.cluster_priority).sort(),
    [1, 2, 3, 4, 5],
  );
  const c = data.segments[0];
  assert.equal(typeof c.cluster_id, "number");
  assert.equal(typeof c.cluster_name, "string");
  assert.equal(typeof c.cluster_label, "string");
  assert.ok(c.customer_percentage > 0 && c.customer_percentage <= 100);
  const d = c.demographics;
  assert.ok(d.age_range_min <= d.avg_age && d.avg_age <= d.age_range_max);
  const genders = Object.values(d.gender_distribution) as number[];
  assert.equal(genders.reduce((x, y) => x + y, 0), c.customer_count);
  assert.ok(["Male", "Female"].includes(d.predominant_gender));
  assert.equal(d.regions, null);
  const f = c.financial_metrics;
  assert.ok(f.income_range.min <= f.avg_income && f.avg_income <= f.income_range.max);
  assert.ok(f.avg_income >= 15_000, "income is in currency units (k$ × 1000)");
  assert.equal(f.avg_purchase_amount, null);
  assert.equal(typeof c.behavioral_metrics.engagement_score, "number");
  assert.equal(c.behavioral_metrics.churn_rate, null);
  assert.equal(c.metadata.created_at, new Date(NOW).toISOString());
  assert.equal(typeof c.metadata.description, "string");
  assert.deepEqual(body.links, {
    self: "/api/segments/cluster",
    insights: "/api/insights/cluster",
    export: "/api/export/cluster",
    cluster_details: "/api/clusters",
  });
  assert.equal(typeof body.metadata.response_time_ms, "number");

  const paged = (await a.get("/api/segments/cluster?limit=2&offset=2")).body.data;
  assert.equal(paged.segments.length, 2);
  assert.deepEqual(paged.segments.map((x: { cluster_id: number }) => x.cluster_id), [2, 3]);
  assert.equal(paged.request_summary.has_more, true);
});

Deno.test("GET /api/segments/{type} without a dataset or clustering answers 400", async () => {
  await using s = await segmentsService();
  const a = await session(s);
  const none = await a.get("/api/segments/gender");
  assert.equal(none.status, 400);
  assert.equal(none.body.code, "NO_DATA");
  assert.equal(none.body.message, NO_DATA);
  await a.upload(MALL);
  assert.equal((await a.get("/api/segments/gender")).status, 200);
  const unclustered = await a.get("/api/segments/cluster");
  assert.equal(unclustered.status, 400);
  assert.equal(unclustered.body.code, "NO_CLUSTERING");
  assert.equal(unclustered.body.message, NO_CLUSTERING);
});

Deno.test("GET /api/segments/{type} never shows one tenant another's segments", async () => {
  await using s = await segmentsService();
  await clusteredMall(s, "acme");
  const b = await session(s, "globex");
  for (const type of ["gender", "cluster"]) {
    const { status, body } = await b.get(`/api/segments/${type}`);
    assert.equal(status, 400);
    assert.equal(body.code, "NO_DATA");
  }
  // B's own clustering is B's, even on the same file.
  await b.upload(MALL);
  const own = await b.get("/api/segments/cluster");
  assert.equal(own.body.code, "NO_CLUSTERING");
});

Deno.test("GET /api/segments/{type} needs credentials", async () => {
  await using s = await segmentsService();
  const res = await s.app.request("/api/segments/gender");
  assert.equal(res.status, 401);
});

Deno.test("GET /api/segments/{type} takes its thresholds from the request", async () => {
  await using s = await segmentsService();
  const a = await clusteredMall(s);
  const count = (data: { segments: { segment_name: string; total_customers: number }[] }) =>
    Object.fromEntries(data.segments.map((g) => [g.segment_name, g.total_customers]));
  const standard = count((await a.get("/api/segments/income_bracket")).body.data);
  const moved = count(
    (await a.get("/api/segments/income_bracket?income_low=50000&income_high=90000")).body.data,
  );
  // Mall's incomes (k$) in currency units: raising the low bound moves customers out of Middle.
  assert.equal(Object.values(standard).reduce((x, y) => x + y, 0), 200);
  assert.equal(Object.values(moved).reduce((x, y) => x + y, 0), 200);
  const low = (c: Record<string, number>) =>
    Object.entries(c).find(([name]) => name.startsWith("Low"))![1];
  assert.ok(low(moved) > low(standard));
  const ages = (await a.get("/api/segments/age_group?age_bounds=30,50,65")).body.data;
  assert.deepEqual(ages.segments.map((g: { age_group: string }) => g.age_group), [
    "Under 18",
    "18-30",
    "31-50",
    "51-65",
    "65+",
  ]);
  const wrong = await a.get("/api/segments/income_bracket?income_low=90000&income_high=10000");
  // Document 003 lists no 422: a value that breaks a constraint is its 400.
  assert.equal(wrong.status, 400);
  assert.equal(wrong.body.details.parameter, "thresholds");
  const malformed = await a.get("/api/segments/age_group?age_bounds=old");
  assert.equal(malformed.status, 400);
});

Deno.test("GET /api/segments/{type} sorts by every field it allows, in both orders", async () => {
  await using s = await segmentsService();
  const a = await clusteredMall(s);
  const ordered = (values: unknown[], order: "asc" | "desc") => {
    const known = values.filter((v) => v !== null && v !== undefined);
    // Missing values come last whatever the order.
    assert.deepEqual(values.slice(known.length).filter((v) => v !== null), [], String(values));
    for (let i = 1; i < known.length; i++) {
      const [x, y] = [known[i - 1] as number | string, known[i] as number | string];
      assert.ok(order === "asc" ? x <= y : x >= y, `${order}: ${x} then ${y}`);
    }
  };
  const age = (g: Record<string, unknown>, field: string) => g[field];
  for (const field of ["age_group", ...RULE_SORT_FIELDS]) {
    for (const order of ["asc", "desc"] as const) {
      const res = await a.get(`/api/segments/age_group?sort_by=${field}&sort_order=${order}`);
      assert.equal(res.status, 200, field);
      ordered(
        res.body.data.segments.map((g: Record<string, unknown>) => {
          assert.ok(field in g, `${field} in a segment`);
          return age(g, field);
        }),
        order,
      );
    }
  }
  const pick = (d: Record<string, Record<string, unknown>>, field: string): unknown => {
    const holder = [d, d.demographics, d.financial_metrics, d.behavioral_metrics]
      .find((o) => o !== null && typeof o === "object" && field in o);
    assert.ok(holder, `${field} in a cluster`);
    return (holder as Record<string, unknown>)[field];
  };
  for (const field of CLUSTER_SORT_FIELDS) {
    for (const order of ["asc", "desc"] as const) {
      const res = await a.get(`/api/segments/cluster?sort_by=${field}&sort_order=${order}`);
      assert.equal(res.status, 200, field);
      const values = res.body.data.segments.map((d: Record<string, Record<string, unknown>>) =>
        field === "total_customers" ? d.customer_count : pick(d, field)
      );
      ordered(values, order);
    }
  }
});
