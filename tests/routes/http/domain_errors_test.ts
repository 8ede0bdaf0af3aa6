/**
 * The one path from a domain error to an HTTP error (`routes/http/domain_errors.ts`, used by
 * `wrapClientErrors` and by the app's error handler): a domain error whose class marks it as the
 * client's fault is answered the same wrapped or not; a bare `RangeError` only when wrapped.
 */
import assert from "node:assert/strict";
import { DatasetError } from "../../../domain/datasets/mod.ts";
import { AnalyzeInputError } from "../../../domain/segmentation/mod.ts";
import { MissingColumnsError } from "../../../domain/segments/mod.ts";
import { clientErrorAnswer } from "../../../routes/http/domain_errors.ts";
import { ClientError, type ErrorBody, wrapClientErrors } from "../../../routes/http/errors.ts";
import { MultipartError } from "../../../routes/http/multipart.ts";
import { createApp } from "../../../routes/mod.ts";

function testApp() {
  const lines: string[] = [];
  const app = createApp({
    compute: { info: { name: "cpu", description: "test CPU" } },
    logger: (line) => lines.push(line),
  });
  app.get("/test/dataset", () => {
    throw new DatasetError(422, "invalid_value", "Expected numbers in income", {
      column: "income",
    });
  });
  app.get("/test/range", () => {
    throw new RangeError("Expected k ≥ 2 but found 1");
  });
  app.get("/test/wrapped-range", () => {
    wrapClientErrors(() => {
      throw new RangeError("Expected k ≥ 2 but found 1");
    }, { details: (e) => ({ parameter: e.message.includes("k") ? "k" : "other" }) });
    return new Response("unreachable");
  });
  app.get("/test/wrapped-type", async () => {
    await wrapClientErrors(() => Promise.reject(new TypeError("x is undefined")));
    return new Response("unreachable");
  });
  return { app, lines };
}

Deno.test("the domain's client errors map to their documented answers", () => {
  assert.deepEqual(clientErrorAnswer(new DatasetError(413, "payload_too_large", "Too large")), {
    status: 413,
    error: "payload_too_large",
    message: "Too large",
    details: {},
  });
  assert.deepEqual(clientErrorAnswer(new AnalyzeInputError("Expected k ≤ 5", "n_clusters")), {
    status: 422,
    error: "invalid_parameter",
    message: "Expected k ≤ 5",
    details: { parameter: "n_clusters" },
  });
  const missing = clientErrorAnswer(new MissingColumnsError("age_group", ["age"]));
  assert.equal(missing?.status, 400);
  assert.equal(missing?.error, "missing_columns");
  assert.deepEqual(missing?.details, {
    parameter: "type",
    segmentation_type: "age_group",
    missing_columns: ["age"],
  });
  assert.equal(clientErrorAnswer(new MultipartError("bad"))?.error, "invalid_multipart");
  assert.equal(clientErrorAnswer(new RangeError("bug?")), null);
  assert.equal(clientErrorAnswer("a string"), null);
});

Deno.test("a domain client error escaping a route unwrapped is still its 4xx, not logged", async () => {
  const { app, lines } = testApp();
  const res = await app.request("/test/dataset");
  assert.equal(res.status, 422);
  const body: ErrorBody = await res.json();
  assert.equal(body.code, "INVALID_VALUE");
  assert.deepEqual(body.details, { column: "income" });
  assert.deepEqual(lines, []);
});

Deno.test("a bare RangeError is a 500 unless wrapped, and wrapping may name the field from it", async () => {
  const { app, lines } = testApp();
  assert.equal((await app.request("/test/range")).status, 500);
  assert.equal(lines.length, 1);
  const res = await app.request("/test/wrapped-range");
  assert.equal(res.status, 422);
  const body: ErrorBody = await res.json();
  assert.equal(body.code, "INVALID_PARAMETER");
  assert.deepEqual(body.details, { parameter: "k" });
});

Deno.test("wrapClientErrors leaves a TypeError a bug by default, sync or async", async () => {
  const { app } = testApp();
  assert.equal((await app.request("/test/wrapped-type")).status, 500);
  assert.throws(
    () =>
      wrapClientErrors(() => {
        throw new TypeError("x is undefined");
      }),
    (e: unknown) => e instanceof TypeError,
  );
  await assert.rejects(
    wrapClientErrors(() => Promise.reject(new DatasetError(400, "invalid_csv", "Not CSV"))),
    (e: unknown) => e instanceof ClientError && e.status === 400 && e.error === "invalid_csv",
  );
});
