import assert from "node:assert/strict";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { z } from "zod";
import { ClientError, type ErrorBody, wrapClientErrors } from "../../../routes/http/errors.ts";
import { type AppEnv, createApp } from "../../../routes/mod.ts";
import { MAX_LISTED_ISSUES, validate } from "../../../routes/http/validation.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const RunParams = z.object({
  k: z.int().min(2).max(200),
  algorithm: z.enum(["kmeans", "dbscan"]).optional(),
  features: z.array(z.object({ name: z.string(), weight: z.number().positive() })).optional(),
}).strict();

/** An app with test-only routes registered after `createApp`, as later resources will be. */
function testApp(options: { maxBodyBytes?: number } = {}) {
  const lines: string[] = [];
  const app = createApp({
    compute: { info: { name: "cpu", description: "test CPU" } },
    logger: (line) => lines.push(line),
    ...options,
  });
  app.post("/test/runs", validate("json", RunParams), (c) => c.json(c.req.valid("json")));
  app.post("/test/optional", validate("json", z.object({ k: z.int().optional() })), (c) => {
    return c.json(c.req.valid("json"));
  });
  app.get(
    "/test/list",
    validate("query", z.object({ limit: z.coerce.number().int().max(500) })),
    (c) => {
      return c.json(c.req.valid("query"));
    },
  );
  app.get("/test/crash", () => {
    throw new Error("connection string postgres://admin:hunter2@db leaked");
  });
  app.get("/test/range", () => {
    throw new RangeError("Expected k to be an integer in [2, 200] but found 1");
  });
  app.get("/test/wrapped", async () => {
    await wrapClientErrors(() => {
      throw new RangeError("Expected k to be an integer in [2, 200] but found 1");
    });
    return new Response("unreachable");
  });
  app.get("/test/client-error", () => {
    throw new ClientError(429, "rate_limited", "Too many requests; retry in 30 seconds", {
      details: { retry_after_seconds: 30 },
      headers: { "Retry-After": "30" },
    });
  });
  app.get("/test/http-exception", () => {
    throw new HTTPException(401, { message: "Missing or invalid authentication" });
  });
  app.get("/test/throw-string", () => {
    throw "a string, not an Error";
  });
  app.get("/test/missing/:id", (c) => c.notFound());
  const sub = new Hono<AppEnv>().get("/boom", () => {
    throw new Error("from a sub-app");
  });
  app.route("/test/sub", sub);
  return { app, lines };
}

async function errorBody(res: Response): Promise<ErrorBody> {
  assert.match(res.headers.get("Content-Type") ?? "", /^application\/json/);
  const body = await res.json();
  assert.deepEqual(
    Object.keys(body).filter((key) => key !== "errors").sort(),
    ["code", "details", "error", "message", "request_id", "status"],
  );
  assert.equal(body.status, res.status);
  assert.equal(typeof body.code, "string");
  assert.equal(body.request_id, res.headers.get("X-Request-Id"));
  return body;
}

function postJson(body: string, contentType = "application/json"): RequestInit {
  return { method: "POST", headers: { "Content-Type": contentType }, body };
}

Deno.test("an unknown path answers 404 in the error body with a request id", async () => {
  const { app } = testApp();
  const res = await app.request("/api/nope");
  assert.equal(res.status, 404);
  assert.match(res.headers.get("X-Request-Id") ?? "", UUID);
  const body = await errorBody(res);
  assert.equal(body.code, "NOT_FOUND");
  assert.equal(body.message, "Nothing at GET /api/nope");
  assert.equal(body.details, null);
});

Deno.test("every response carries the secure headers and no X-Powered-By", async () => {
  const { app } = testApp();
  for (const path of ["/api/health", "/api/nope", "/test/crash"]) {
    const res = await app.request(path);
    await res.body?.cancel();
    assert.equal(res.headers.get("X-Content-Type-Options"), "nosniff", path);
    assert.equal(res.headers.get("X-Powered-By"), null, path);
    assert.ok(res.headers.get("X-Request-Id"), path);
  }
});

Deno.test("a client X-Request-Id of word characters and dashes is echoed", async () => {
  const { app } = testApp();
  const id = "req_abc-123";
  for (const path of ["/api/health", "/api/nope", "/test/crash"]) {
    const res = await app.request(path, { headers: { "X-Request-Id": id } });
    await res.body?.cancel();
    assert.equal(res.headers.get("X-Request-Id"), id, path);
  }
  const longest = "a".repeat(255);
  const res = await app.request("/api/health", { headers: { "X-Request-Id": longest } });
  await res.body?.cancel();
  assert.equal(res.headers.get("X-Request-Id"), longest);
});

Deno.test("a client X-Request-Id that is too long or has other characters is replaced", async () => {
  const { app } = testApp();
  for (const bad of ["a".repeat(256), "abc=", "abc def", "id\u00e9", "<script>", "a/b"]) {
    const res = await app.request("/api/nope", { headers: { "X-Request-Id": bad } });
    const body = await errorBody(res);
    assert.match(body.request_id, UUID, bad);
  }
});

Deno.test("an uncaught error answers 500 without its message or stack and is logged", async () => {
  const { app, lines } = testApp();
  const res = await app.request("/test/crash", { headers: { "X-Request-Id": "trace-1" } });
  assert.equal(res.status, 500);
  const text = await res.clone().text();
  assert.ok(!text.includes("hunter2"));
  assert.ok(!text.includes("errors_test.ts"));
  assert.ok(!text.includes(" at "));
  const body = await errorBody(res);
  assert.equal(body.code, "INTERNAL_ERROR");
  assert.deepEqual(body.details, { request_id: "trace-1" });
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /^\[trace-1\] GET \/test\/crash failed: Error: connection string/);
  assert.match(lines[0]!, /errors_test\.ts/);
});

Deno.test("a plain RangeError from a handler is a 500, not the client's fault", async () => {
  const { app, lines } = testApp();
  const res = await app.request("/test/range");
  assert.equal(res.status, 500);
  const body = await errorBody(res);
  assert.equal(body.code, "INTERNAL_ERROR");
  assert.ok(!body.message.includes("Expected k"));
  assert.equal(lines.length, 1);
});

Deno.test("a RangeError wrapped by wrapClientErrors answers 422 invalid_parameter", async () => {
  const { app, lines } = testApp();
  const res = await app.request("/test/wrapped");
  assert.equal(res.status, 422);
  const body = await errorBody(res);
  assert.equal(body.code, "INVALID_PARAMETER");
  assert.equal(body.message, "Expected k to be an integer in [2, 200] but found 1");
  assert.equal(lines.length, 0);
});

Deno.test("wrapClientErrors lets other error classes through unchanged", async () => {
  const bug = new Error("a bug");
  await assert.rejects(wrapClientErrors(() => Promise.reject(bug)), (error) => error === bug);
  assert.equal(await wrapClientErrors(() => 7), 7);
});

Deno.test("a ClientError answers its own status, name, details and headers", async () => {
  const { app } = testApp();
  const res = await app.request("/test/client-error");
  assert.equal(res.status, 429);
  assert.equal(res.headers.get("Retry-After"), "30");
  const body = await errorBody(res);
  assert.equal(body.code, "RATE_LIMITED");
  assert.equal(body.message, "Too many requests; retry in 30 seconds");
  assert.deepEqual(body.details, { retry_after_seconds: 30 });
});

Deno.test("an HTTPException answers its status with a name derived from it", async () => {
  const { app, lines } = testApp();
  const res = await app.request("/test/http-exception");
  assert.equal(res.status, 401);
  const body = await errorBody(res);
  assert.equal(body.code, "AUTH_FAILED");
  assert.equal(body.message, "Missing or invalid authentication");
  assert.equal(lines.length, 0);
});

Deno.test("a thrown non-Error value answers 500 in the error body", async () => {
  const { app, lines } = testApp();
  const res = await app.request("/test/throw-string");
  assert.equal(res.status, 500);
  const body = await errorBody(res);
  assert.equal(body.code, "INTERNAL_ERROR");
  assert.equal(lines.length, 1);
});

Deno.test("an error in a mounted sub-app goes through the app's error handler", async () => {
  const { app } = testApp();
  const res = await app.request("/test/sub/boom");
  assert.equal(res.status, 500);
  assert.equal((await errorBody(res)).code, "INTERNAL_ERROR");
});

Deno.test("a known path with the wrong method answers 405 with Allow", async () => {
  const { app } = testApp();
  const res = await app.request("/test/runs");
  assert.equal(res.status, 405);
  assert.equal(res.headers.get("Allow"), "POST");
  const body = await errorBody(res);
  assert.equal(body.code, "METHOD_NOT_ALLOWED");
  assert.equal(body.message, "GET is not allowed here; allowed: POST");
});

Deno.test("a route that answers c.notFound() gives 404, not 405", async () => {
  const { app } = testApp();
  const res = await app.request("/test/missing/42");
  assert.equal(res.status, 404);
  assert.equal((await errorBody(res)).code, "NOT_FOUND");
});

Deno.test("validate passes a valid body to the handler, parsed", async () => {
  const { app } = testApp();
  const res = await app.request("/test/runs", postJson('{"k": 4, "algorithm": "kmeans"}'));
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { k: 4, algorithm: "kmeans" });
});

Deno.test("validate answers malformed JSON with 400 invalid_json", async () => {
  const { app } = testApp();
  const res = await app.request("/test/runs", postJson('{"k": 4,'));
  assert.equal(res.status, 400);
  const body = await errorBody(res);
  assert.equal(body.code, "INVALID_JSON");
  assert.match(body.message, /^Malformed JSON in request body/);
});

Deno.test("validate answers a non-JSON Content-Type with 415", async () => {
  const { app } = testApp();
  const res = await app.request("/test/runs", postJson("k=4", "application/x-www-form-urlencoded"));
  assert.equal(res.status, 415);
  const body = await errorBody(res);
  assert.equal(body.code, "UNSUPPORTED_MEDIA_TYPE");
  assert.equal(
    body.message,
    "Expected Content-Type application/json but found application/x-www-form-urlencoded",
  );
});

Deno.test("validate accepts a JSON media type with parameters or a +json suffix", async () => {
  const { app } = testApp();
  for (const type of ["application/json; charset=utf-8", "application/vnd.api+json"]) {
    const res = await app.request("/test/runs", postJson('{"k": 3}', type));
    assert.equal(res.status, 200, type);
    await res.body?.cancel();
  }
});

Deno.test("validate treats a POST without a body as {}", async () => {
  const { app } = testApp();
  const res = await app.request("/test/optional", { method: "POST" });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), {});
  const missing = await app.request("/test/runs", { method: "POST" });
  assert.equal(missing.status, 400);
  assert.equal((await errorBody(missing)).message, "Required parameter 'k' is missing");
});

Deno.test("validate answers a failed constraint with 422 naming the field", async () => {
  const { app } = testApp();
  const res = await app.request("/test/runs", postJson('{"k": 1}'));
  assert.equal(res.status, 422);
  const body = await errorBody(res);
  assert.equal(body.code, "INVALID_PARAMETER");
  assert.match(body.message, /^Invalid parameter 'k': /);
  assert.equal(body.details?.location, "body");
  assert.equal(body.details?.parameter, "k");
  assert.deepEqual(body.details?.issues, [{
    path: "k",
    message: body.errors?.k?.[0],
    code: "too_small",
  }]);
});

Deno.test("validate names a missing field the way document 001 does", async () => {
  const { app } = testApp();
  const res = await app.request("/test/runs", postJson('{"algorithm": "kmeans"}'));
  const body = await errorBody(res);
  assert.equal(res.status, 400);
  assert.equal(body.error, "Validation failed");
  assert.equal(body.code, "MISSING_PARAMETER");
  assert.equal(body.message, "Required parameter 'k' is missing");
  assert.deepEqual(body.details?.issues, [{ path: "k", message: "Required", code: "missing" }]);
  assert.deepEqual(body.errors, { k: ["Required"] });
});

Deno.test("validate lists every issue with nested paths and unknown keys", async () => {
  const { app } = testApp();
  const res = await app.request(
    "/test/runs",
    postJson('{"k": "4", "features": [{"name": "age", "weight": -1}], "tenantId": "x"}'),
  );
  const body = await errorBody(res);
  assert.equal(res.status, 400);
  const issues = body.details?.issues as { path: string; code: string }[];
  assert.deepEqual(issues.map((issue) => [issue.path, issue.code]).sort(), [
    ["features.0.weight", "too_small"],
    ["k", "invalid_type"],
    ["tenantId", "unrecognized_keys"],
  ]);
  assert.match(body.message, /\(and 2 more in details\.issues\)$/);
  assert.deepEqual(body.errors?.tenantId, ["Unknown parameter"]);
});

Deno.test("validate caps the listed issues", async () => {
  const { app } = testApp();
  const features = Array.from({ length: 150 }, () => ({ name: "x", weight: 0 }));
  const res = await app.request("/test/runs", postJson(JSON.stringify({ k: 3, features })));
  const body = await errorBody(res);
  assert.equal((body.details?.issues as unknown[]).length, MAX_LISTED_ISSUES);
  assert.equal(body.details?.truncated, true);
  assert.equal(body.details?.issue_count, 150);
});

Deno.test("validate reports query failures with location query", async () => {
  const { app } = testApp();
  const ok = await app.request("/test/list?limit=50");
  assert.deepEqual(await ok.json(), { limit: 50 });
  const res = await app.request("/test/list?limit=501");
  const body = await errorBody(res);
  assert.equal(res.status, 422);
  assert.equal(body.details?.location, "query");
  assert.equal(body.details?.parameter, "limit");
});

Deno.test("a body over the limit answers 413, with or without Content-Length", async () => {
  const { app } = testApp({ maxBodyBytes: 64 });
  const big = JSON.stringify({ k: 3, pad: "x".repeat(100) });
  const withLength = await app.request("/test/runs", postJson(big));
  assert.equal(withLength.status, 413);
  assert.equal((await errorBody(withLength)).code, "PAYLOAD_TOO_LARGE");

  const stream = new Blob([big]).stream();
  const chunked = await app.request("/test/runs", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: stream,
  });
  assert.equal(chunked.status, 413);
  const body = await errorBody(chunked);
  assert.deepEqual(body.details, { limit_bytes: 64 });
});
