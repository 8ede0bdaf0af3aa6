/**
 * Document 001, `POST /api/v1/ai/echointel/customer-intelligence/segment-cluster-profiles`, as a
 * client written from the document alone sees it: `Authorization: Bearer {token}` with the
 * optional tenant headers, `Accept-Language` (en, es, pt), parameters in snake_case and
 * camelCase, its two error examples field for field, every status of its table (400, 401, 403,
 * 422, 429), and labels read from a stored run ("Extract cluster assignments from segmentation
 * results"), with or without `data`.
 */
import assert from "node:assert/strict";
import { NOW, segmentationService } from "../routes/segmentation/_service.ts";
import { createUser } from "../../domain/auth/tenants.ts";
import { TEST_PASSWORD_COST } from "../../domain/auth/hashing.ts";
import { createRandom } from "../../compute/random.ts";

const PATH = "/api/v1/ai/echointel/customer-intelligence/segment-cluster-profiles";
const MALL = await Deno.readFile(new URL("../data/mall_customers.csv", import.meta.url));
const PASSWORD = "correct horse battery staple";

/** The service, a tenant with a user, and the user's bearer token. */
async function service(overrides: Parameters<typeof segmentationService>[0] = {}) {
  const s = await segmentationService(overrides);
  const acme = await s.tenant("acme");
  const other = await s.tenant("other");
  await createUser(s.kv, { tenantId: acme.tenantId, username: "ann", password: PASSWORD }, {
    now: () => NOW,
    passwordCost: TEST_PASSWORD_COST,
  });
  const login = await s.app.request("/api/auth/login", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username: "ann", password: PASSWORD }),
  });
  assert.equal(login.status, 200);
  const { access_token } = await login.json();
  /** The document's headers: Authorization, Content-Type, optionally the tenant's. */
  const bearer = { Authorization: `Bearer ${access_token}`, "Content-Type": "application/json" };
  const post = async (body: unknown, headers: Record<string, string> = bearer) => {
    const res = await s.app.request(PATH, {
      method: "POST",
      headers,
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json(), headers: res.headers };
  };
  return { s, acme, other, bearer, post, [Symbol.asyncDispose]: () => s[Symbol.asyncDispose]() };
}

/** Customers with numeric features and categorical attributes, in three groups. */
function customers(n: number) {
  const rng = createRandom(5);
  const groups = [
    { spend: 5000, visits: 40, region: "north" },
    { spend: 800, visits: 10, region: "south" },
    { spend: 150, visits: 2, region: "east" },
  ];
  return Array.from({ length: n }, (_, i) => {
    const g = groups[i % 3]!;
    const j = (v: number) => Math.round(v * (1 + 0.1 * rng.nextNormal()) * 100) / 100;
    return {
      customer_id: `C-${i}`,
      features: { spend: j(g.spend), visits: j(g.visits) },
      attributes: { region: g.region },
    };
  });
}

Deno.test("the document's 'Missing Required Parameters' example is answered field for field", async () => {
  await using d = await service();
  const { status, body } = await d.post({});
  assert.equal(status, 400);
  assert.equal(body.error, "Validation failed");
  assert.equal(body.message, "Required parameter 'data' is missing");
  assert.equal(body.code, "MISSING_PARAMETER");
  assert.equal(body.details.parameter, "data");
  assert.equal(body.details.location, "body");
  assert.equal(typeof body.request_id, "string");
});

Deno.test("the document's 'Invalid Authentication' example is answered field for field", async () => {
  await using d = await service();
  const { status, body } = await d.post(
    { data: customers(9) },
    { Authorization: "Bearer not.a.token", "Content-Type": "application/json" },
  );
  assert.equal(status, 401);
  assert.equal(body.error, "Unauthorized");
  assert.equal(body.message, "Invalid or expired authentication token");
  assert.equal(body.code, "AUTH_FAILED");
  const none = await d.post({ data: customers(9) }, { "Content-Type": "application/json" });
  assert.equal(none.status, 401);
  assert.equal(none.body.code, "AUTH_FAILED");
});

Deno.test("a bearer token alone, or with its tenant's X-Customer-Api-Id, gets 200 profiles", async () => {
  await using d = await service();
  const ok = await d.post({ data: customers(30) });
  assert.equal(ok.status, 200);
  assert.ok(ok.body.n_clusters >= 2);
  assert.equal(ok.body.n_customers, 30);
  assert.ok(Array.isArray(ok.body.segments));
  const withTenant = await d.post({ data: customers(30) }, {
    ...d.bearer,
    "X-Customer-Api-Id": d.acme.headers["X-Customer-Api-Id"]!,
  });
  assert.equal(withTenant.status, 200);
});

Deno.test("a valid token with another tenant's headers is 403 FORBIDDEN", async () => {
  await using d = await service();
  const { status, body } = await d.post({ data: customers(30) }, {
    ...d.bearer,
    "X-Customer-Api-Id": d.other.headers["X-Customer-Api-Id"]!,
    "X-Secret": d.other.headers["X-Secret"]!,
  });
  assert.equal(status, 403);
  assert.equal(body.code, "FORBIDDEN");
  assert.equal(body.error, "Forbidden");
});

Deno.test("parameters are accepted in snake_case and camelCase alike", async () => {
  await using d = await service();
  const data = customers(30);
  const snake = await d.post({ data, max_clusters: 3, random_state: 1 });
  const camel = await d.post({ data, maxClusters: 3, randomState: 1 });
  assert.equal(snake.status, 200);
  assert.equal(camel.status, 200);
  assert.deepEqual(camel.body.customer_labels, snake.body.customer_labels);
});

Deno.test("Accept-Language en, es and pt each answer in their language", async () => {
  await using d = await service();
  const data = customers(30);
  const personas = [];
  for (const language of ["en", "es", "pt"]) {
    const { status, body } = await d.post({ data }, { ...d.bearer, "Accept-Language": language });
    assert.equal(status, 200);
    personas.push(body.segments[0].persona);
  }
  assert.equal(new Set(personas).size, 3);
});

Deno.test("a wrong type is 400 INVALID_PARAMETER; a broken constraint is 422 with errors", async () => {
  await using d = await service();
  const wrong = await d.post({ data: "customers" });
  assert.equal(wrong.status, 400);
  assert.equal(wrong.body.code, "INVALID_PARAMETER");
  assert.deepEqual(Object.keys(wrong.body.errors), ["data"]);
  const broken = await d.post({ data: customers(30), max_clusters: 1 });
  assert.equal(broken.status, 422);
  assert.equal(broken.body.error, "Validation failed");
  assert.equal(broken.body.code, "INVALID_PARAMETER");
  assert.deepEqual(Object.keys(broken.body.errors), ["max_clusters"]);
  const malformed = await d.post('{"data": [');
  assert.equal(malformed.status, 400);
  assert.equal(malformed.body.code, "INVALID_JSON");
});

Deno.test("too many requests is 429 RATE_LIMITED with Retry-After", async () => {
  await using d = await service({ rateLimits: { default: { limit: 1, periodMs: 3_600_000 } } });
  await d.post({ data: customers(9) });
  const { status, body, headers } = await d.post({ data: customers(9) });
  assert.equal(status, 429);
  assert.equal(body.code, "RATE_LIMITED");
  assert.equal(body.error, "Too Many Requests");
  assert.ok(Number(headers.get("Retry-After")) > 0);
});

Deno.test("run_id alone profiles the stored run's own customers", async () => {
  await using d = await service();
  const form = new FormData();
  form.append("file", new File([MALL], "customers.csv", { type: "text/csv" }));
  const { Authorization } = d.bearer;
  const up = await d.s.app.request("/api/upload", {
    method: "POST",
    headers: { Authorization },
    body: form,
  });
  assert.equal(up.status, 200);
  const clustered = await d.s.app.request("/api/cluster", {
    method: "POST",
    headers: d.bearer,
    body: JSON.stringify({ n_clusters: 4, random_state: 1 }),
  });
  const { run_id } = await clustered.json();
  for (const body of [{ run_id }, { runId: run_id }]) {
    const { status, body: profiled } = await d.post(body);
    assert.equal(status, 200, JSON.stringify(profiled).slice(0, 300));
    assert.equal(profiled.labels_source, "run");
    assert.equal(profiled.n_customers, 200);
    assert.equal(profiled.n_clusters, 4);
  }
});

Deno.test("run_id alone of a run that keeps no customers is 422 naming data; an unknown run is 404", async () => {
  await using d = await service();
  const purchasing = await d.s.app.request("/api/v1/ai/purchasing_segmentation", {
    method: "POST",
    headers: d.acme.headers,
    body: JSON.stringify({
      data: customers(30).map((c, i) => ({
        customer_id: c.customer_id,
        features: {
          purchase_total: c.features.spend,
          visit_frequency: Math.round(Math.abs(c.features.visits)),
          avg_ticket: 10 + i,
          product_diversity: i % 4,
          loyalty_score: (i % 10) / 10,
          recency_days: i,
        },
      })),
    }),
  });
  const { run_id } = await purchasing.json();
  const keepsNone = await d.post({ run_id });
  assert.equal(keepsNone.status, 422);
  assert.deepEqual(Object.keys(keepsNone.body.errors), ["data"]);
  // With data, the same run's labels are used.
  const withData = await d.post({ run_id, data: customers(30) });
  assert.equal(withData.status, 200);
  assert.equal(withData.body.labels_source, "run");
  const unknown = await d.post({ run_id: "run_000000000000000000000000" });
  assert.equal(unknown.status, 404);
  assert.equal(unknown.body.code, "NOT_FOUND");
});
