import assert from "node:assert/strict";
import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import type { ErrorBody } from "../../../routes/http/errors.ts";
import { createApp } from "../../../routes/mod.ts";
import { createRouter } from "../../../routes/http/openapi.ts";
import { validate } from "../../../routes/http/validation.ts";

/** A sample input of the kind later routes take: strict objects, nested records, data maps. */
const RunRequest = z.strictObject({
  max_clusters: z.int().min(2).max(20).optional(),
  dbscan_eps: z.number().positive().optional(),
  algorithm: z.enum(["kmeans", "dbscan"]).optional(),
  random_state: z.int().optional(),
  run_id: z.uuid().optional(),
  data: z.array(z.strictObject({
    customer_id: z.string(),
    features: z.strictObject({ purchase_total: z.number(), visit_frequency: z.number() }),
  })).min(1),
  labels: z.record(z.string(), z.int()).optional(),
});

const ListQuery = z.strictObject({
  sort_by: z.string().optional(),
  sort_order: z.enum(["ASC", "DESC"]).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});

const runRoute = createRoute({
  method: "post",
  path: "/runs",
  request: { body: { content: { "application/json": { schema: RunRequest } } } },
  responses: {
    200: { description: "echo", content: { "application/json": { schema: RunRequest } } },
  },
});

const listRoute = createRoute({
  method: "get",
  path: "/runs",
  request: { query: ListQuery },
  responses: {
    200: { description: "echo", content: { "application/json": { schema: ListQuery } } },
  },
});

/** The same schemas on an `openapi()` sub-app and on plain routes with `validate()`. */
function testApp() {
  const app = createApp({
    compute: { info: { name: "cpu", description: "test" } },
    logger: () => {},
  });
  const sub = createRouter()
    .openapi(runRoute, (c) => c.json(c.req.valid("json"), 200))
    .openapi(listRoute, (c) => c.json(c.req.valid("query"), 200));
  app.route("/openapi", sub);
  app.post("/plain/runs", validate("json", RunRequest), (c) => c.json(c.req.valid("json")));
  app.get("/plain/runs", validate("query", ListQuery), (c) => c.json(c.req.valid("query")));
  return app;
}

const PREFIXES = ["/openapi", "/plain"];

const VALID = {
  data: [{ customer_id: "c1", features: { purchase_total: 10, visit_frequency: 2 } }],
};

function postJson(body: unknown): RequestInit {
  return {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  };
}

async function errorOf(res: Response): Promise<ErrorBody> {
  const body = await res.json();
  assert.equal(body.status, res.status);
  return body;
}

function issuesOf(body: ErrorBody): [string, string][] {
  return (body.details?.issues as { path: string; code: string }[])
    .map((issue) => [issue.path, issue.code]);
}

for (const prefix of PREFIXES) {
  Deno.test(`${prefix}: a valid body is passed on parsed`, async () => {
    const res = await testApp().request(`${prefix}/runs`, postJson(VALID));
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), VALID);
  });

  Deno.test(`${prefix}: camelCase keys are renamed to the declared snake_case, at every declared level`, async () => {
    const res = await testApp().request(
      `${prefix}/runs`,
      postJson({
        maxClusters: 5,
        dbscanEps: 0.5,
        random_state: 42,
        data: [{ customerId: "c1", features: { purchaseTotal: 10, visitFrequency: 2 } }],
        labels: { customerA: 1, "cust_b": 2 },
      }),
    );
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      max_clusters: 5,
      dbscan_eps: 0.5,
      random_state: 42,
      data: [{ customer_id: "c1", features: { purchase_total: 10, visit_frequency: 2 } }],
      // Record keys are data (customer ids): never renamed.
      labels: { customerA: 1, cust_b: 2 },
    });
  });

  Deno.test(`${prefix}: camelCase query parameters are renamed too`, async () => {
    const res = await testApp().request(`${prefix}/runs?sortBy=size&sortOrder=ASC&limit=5`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { sort_by: "size", sort_order: "ASC", limit: 5 });
  });

  Deno.test(`${prefix}: both spellings with the same value are accepted`, async () => {
    const res = await testApp().request(`${prefix}/runs?sort_by=size&sortBy=size`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { sort_by: "size" });
  });

  Deno.test(`${prefix}: both spellings with different values answer 400 naming both`, async () => {
    const res = await testApp().request(
      `${prefix}/runs`,
      postJson({ ...VALID, max_clusters: 3, maxClusters: 4 }),
    );
    assert.equal(res.status, 400);
    const body = await errorOf(res);
    assert.equal(body.code, "INVALID_PARAMETER");
    assert.deepEqual(issuesOf(body), [["max_clusters", "conflicting_parameter"]]);
    assert.match(body.message, /'max_clusters'.*'maxClusters'/);

    const query = await testApp().request(`${prefix}/runs?sort_by=a&sortBy=b`);
    assert.equal(query.status, 400);
    const queryBody = await errorOf(query);
    assert.equal(queryBody.details?.location, "query");
    assert.deepEqual(issuesOf(queryBody), [["sort_by", "conflicting_parameter"]]);
  });

  Deno.test(`${prefix}: unknown fields such as tenant_id and __proto__ are refused with 400`, async () => {
    for (const extra of ['"tenant_id": "other"', '"tenantId": "other"', '"__proto__": {"x": 1}']) {
      const text = `{"data": ${JSON.stringify(VALID.data)}, ${extra}}`;
      const res = await testApp().request(`${prefix}/runs`, postJson(text));
      assert.equal(res.status, 400, extra);
      const body = await errorOf(res);
      assert.equal(body.code, "INVALID_PARAMETER");
      assert.equal(issuesOf(body)[0]![1], "unrecognized_keys", extra);
    }
    const nested = await testApp().request(
      `${prefix}/runs`,
      postJson({ data: [{ ...VALID.data[0], tenant_id: "x" }] }),
    );
    assert.deepEqual(issuesOf(await errorOf(nested)), [["data.0.tenant_id", "unrecognized_keys"]]);
    assert.equal(({} as Record<string, unknown>).x, undefined, "no prototype was polluted");
  });

  Deno.test(`${prefix}: a wrong type, a missing field or a value outside an enum answers 400`, async () => {
    const cases: [unknown, [string, string]][] = [
      [{ ...VALID, max_clusters: "5" }, ["max_clusters", "invalid_type"]],
      [{ maxClusters: 5 }, ["data", "missing"]],
      [{ ...VALID, algorithm: "kmedoids" }, ["algorithm", "invalid_value"]],
      [{ data: [{ customer_id: "c1", features: { purchase_total: 1 } }] }, [
        "data.0.features.visit_frequency",
        "missing",
      ]],
    ];
    for (const [input, expected] of cases) {
      const res = await testApp().request(`${prefix}/runs`, postJson(input));
      assert.equal(res.status, 400, JSON.stringify(input));
      const body = await errorOf(res);
      const code = expected[1] === "missing" ? "MISSING_PARAMETER" : "INVALID_PARAMETER";
      assert.equal(body.code, code);
      assert.deepEqual(issuesOf(body), [expected]);
      assert.deepEqual(Object.keys(body.errors ?? {}), [expected[0]]);
    }
  });

  Deno.test(`${prefix}: a missing field sent in camelCase with the wrong type is not called missing`, async () => {
    const res = await testApp().request(`${prefix}/runs`, postJson({ ...VALID, maxClusters: "5" }));
    assert.deepEqual(issuesOf(await errorOf(res)), [["max_clusters", "invalid_type"]]);
  });

  Deno.test(`${prefix}: a well-typed value that breaks a constraint answers 422 invalid_parameter`, async () => {
    const cases: [unknown, [string, string]][] = [
      [{ ...VALID, max_clusters: 1 }, ["max_clusters", "too_small"]],
      [{ ...VALID, maxClusters: 21 }, ["max_clusters", "too_big"]],
      [{ ...VALID, dbscan_eps: 0 }, ["dbscan_eps", "too_small"]],
      [{ ...VALID, run_id: "not-a-uuid" }, ["run_id", "invalid_format"]],
      [{ data: [] }, ["data", "too_small"]],
    ];
    for (const [input, expected] of cases) {
      const res = await testApp().request(`${prefix}/runs`, postJson(input));
      assert.equal(res.status, 422, JSON.stringify(input));
      const body = await errorOf(res);
      assert.equal(body.code, "INVALID_PARAMETER");
      assert.equal(body.details?.parameter, expected[0]);
      assert.deepEqual(issuesOf(body), [expected]);
      assert.deepEqual(Object.keys(body.errors ?? {}), [expected[0]]);
      assert.match(body.message, new RegExp(`^Invalid parameter '${expected[0]}': `));
    }
    const query = await testApp().request(`${prefix}/runs?limit=501`);
    assert.equal(query.status, 422);
    assert.equal((await errorOf(query)).details?.location, "query");
  });

  Deno.test(`${prefix}: a mix of type and constraint failures is a 400 listing all of them`, async () => {
    const res = await testApp().request(
      `${prefix}/runs`,
      postJson({ ...VALID, max_clusters: 1, algorithm: 3 }),
    );
    assert.equal(res.status, 400);
    const body = await errorOf(res);
    assert.deepEqual(issuesOf(body).sort(), [
      ["algorithm", "invalid_value"],
      ["max_clusters", "too_small"],
    ]);
  });

  Deno.test(`${prefix}: malformed JSON, a wrong Content-Type and an empty body answer in the error body`, async () => {
    const app = testApp();
    const malformed = await app.request(`${prefix}/runs`, postJson('{"data": ['));
    assert.equal(malformed.status, 400);
    assert.equal((await errorOf(malformed)).code, "INVALID_JSON");

    const form = await app.request(`${prefix}/runs`, {
      method: "POST",
      headers: { "Content-Type": "text/csv" },
      body: "a,b\n1,2\n",
    });
    assert.equal(form.status, 415);
    const formBody = await errorOf(form);
    assert.equal(formBody.code, "UNSUPPORTED_MEDIA_TYPE");
    assert.equal(formBody.message, "Expected Content-Type application/json but found text/csv");

    const empty = await app.request(`${prefix}/runs`, { method: "POST" });
    assert.equal(empty.status, 400);
    assert.equal((await errorOf(empty)).message, "Required parameter 'data' is missing");
  });
}
