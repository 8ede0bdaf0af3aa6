/**
 * Each document's error body on that document's routes (docs/errors.md):
 * - document 001's `{error: "<title>", message, code: "<STRING_CODE>", details}` on documents
 *   000, 001, 002 and every platform route;
 * - document 003's envelope, `success: false` with `metadata` and, on 429, `retry_after_seconds`;
 * - document 004's `{"error": "<a human message>"}`;
 * and on all of them the common fields `message`, `code`, `status`, `request_id`, `errors` on every
 * 422, never a stack trace or a 5xx for the client's mistake.
 */
import assert from "node:assert/strict";
import { segmentationService } from "../routes/segmentation/_service.ts";

const SLOW = { limit: 1, periodMs: 3_600_000 };

async function service(overrides: Parameters<typeof segmentationService>[0] = {}) {
  const s = await segmentationService(overrides);
  const { headers } = await s.tenant("acme");
  const send = async (method: string, path: string, body?: unknown) => {
    const res = await s.app.request(path, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    assert.ok(!/\bat .*\.ts:\d+/.test(text), `no stack trace: ${text.slice(0, 200)}`);
    return { status: res.status, body: JSON.parse(text), headers: res.headers };
  };
  return { app: s.app, send, [Symbol.asyncDispose]: () => s[Symbol.asyncDispose]() };
}

/** The fields every error body has, whatever its document. */
function assertCommonFields(body: Record<string, unknown>, status: number): void {
  assert.equal(typeof body.error, "string");
  assert.equal(typeof body.message, "string");
  assert.match(String(body.code), /^[A-Z][A-Z_]+$/);
  assert.equal(body.status, status);
  assert.equal(typeof body.request_id, "string");
  assert.ok("details" in body);
}

Deno.test("document 001's body on documents 000, 001 and 002 and the platform routes", async () => {
  await using s = await service();
  const cases: [string, string, unknown, number, string, string][] = [
    [
      "POST",
      "/api/v1/ai/purchasing_segmentation",
      {},
      400,
      "MISSING_PARAMETER",
      "Validation failed",
    ],
    ["POST", "/api/segment_cluster_profiles", {}, 400, "MISSING_PARAMETER", "Validation failed"],
    ["POST", "/api/analyze", { nonsense: 1 }, 400, "INVALID_PARAMETER", "Validation failed"],
    ["GET", "/api/jobs/job_nope", undefined, 404, "NOT_FOUND", "Not Found"],
    ["GET", "/api/runs/run_nope", undefined, 404, "NOT_FOUND", "Not Found"],
    ["POST", "/api/health", undefined, 405, "METHOD_NOT_ALLOWED", "Method Not Allowed"],
  ];
  for (const [method, path, body, status, code, title] of cases) {
    const answer = await s.send(method, path, body);
    assert.equal(answer.status, status, path);
    assertCommonFields(answer.body, status);
    assert.equal(answer.body.code, code, path);
    assert.equal(answer.body.error, title, path);
    assert.equal(answer.body.success, undefined, path);
  }
});

Deno.test("every 422 carries errors, field to messages, even without a schema issue", async () => {
  await using s = await service();
  const tooFew = await s.send("POST", "/api/v1/ai/purchasing_segmentation", {
    data: [1, 2].map((i) => ({
      customer_id: `c${i}`,
      features: {
        purchase_total: i,
        visit_frequency: i,
        avg_ticket: i,
        product_diversity: i,
        loyalty_score: 0.5,
        recency_days: i,
      },
    })),
  });
  assert.equal(tooFew.status, 422);
  assert.deepEqual(Object.keys(tooFew.body.errors), ["data"]);
  assert.equal(tooFew.body.errors.data[0], tooFew.body.message);
  const range = await s.send("POST", "/api/v1/ai/purchasing_segmentation", {
    max_clusters: 1,
    data: [],
  });
  assert.equal(range.status, 422);
  assert.ok("max_clusters" in range.body.errors);
});

Deno.test("an unauthenticated request is 401 AUTH_FAILED in its document's body", async () => {
  await using s = await service();
  const app = s.app;
  const bare = await app.request("/api/v1/ai/purchasing_segmentation", { method: "POST" });
  const body = await bare.json();
  assert.equal(bare.status, 401);
  assert.equal(body.error, "Unauthorized");
  assert.equal(body.code, "AUTH_FAILED");
  const segments = await (await app.request("/api/segments/gender")).json();
  assert.equal(segments.success, false);
  assert.equal(segments.code, "AUTH_FAILED");
  const workflow = await (await app.request("/api/data-quality")).json();
  assert.equal(workflow.error, "Authentication required");
  assert.equal(workflow.code, "AUTH_FAILED");
});

Deno.test("document 003's routes answer errors in its envelope, with metadata", async () => {
  await using s = await service();
  const { status, body } = await s.send("GET", "/api/segments/shoe_size");
  assert.equal(status, 400);
  assertCommonFields(body, 400);
  assert.equal(body.success, false);
  assert.equal(body.metadata.request_id, body.request_id);
  assert.equal(body.metadata.api_version, "1.0");
  assert.ok(!Number.isNaN(Date.parse(body.metadata.timestamp)));
  const noData = await s.send("GET", "/api/clusters");
  assert.equal(noData.status, 400);
  assert.equal(noData.body.success, false);
  assert.equal(noData.body.code, "NO_DATA");
});

Deno.test("document 003's routes list no 422: a value breaking a constraint is 400", async () => {
  await using s = await service();
  for (const query of ["limit=501", "limit=0", "offset=-1"]) {
    const { status, body } = await s.send("GET", `/api/segments/gender?${query}`);
    assert.equal(status, 400, query);
    assert.equal(body.success, false);
    assert.ok("errors" in body, query);
  }
});

Deno.test("document 003's 429 carries retry_after_seconds, as its rate-limit middleware shows", async () => {
  await using s = await service({ rateLimits: { default: SLOW } });
  await s.send("GET", "/api/clusters");
  const { status, body, headers } = await s.send("GET", "/api/clusters");
  assert.equal(status, 429);
  assert.equal(body.success, false);
  assert.equal(body.error, "Too Many Requests");
  assert.match(body.message, /^Rate limit exceeded\. Try again after \d+ seconds/);
  assert.equal(body.retry_after_seconds, Number(headers.get("Retry-After")));
  assert.ok(body.retry_after_seconds > 0);
  assert.equal(body.code, "RATE_LIMITED");
});

Deno.test("document 004's routes answer a human error message, and keep the machine code", async () => {
  await using s = await service();
  const { status, body } = await s.send("GET", "/api/data-quality");
  assert.equal(status, 400);
  assertCommonFields(body, 400);
  assert.ok(/\s/.test(body.error), body.error);
  assert.equal(body.error, body.message);
  assert.equal(body.code, "NO_DATA");
  assert.equal(body.success, undefined);
});

Deno.test("a body over the limit is 413 PAYLOAD_TOO_LARGE", async () => {
  await using s = await service({ maxBodyBytes: 100 });
  const { status, body } = await s.send("POST", "/api/analyze", { data: "x".repeat(200) });
  assert.equal(status, 413);
  assert.equal(body.code, "PAYLOAD_TOO_LARGE");
});
