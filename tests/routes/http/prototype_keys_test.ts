import assert from "node:assert/strict";
import type { ErrorBody } from "../../../routes/http/errors.ts";
import { segmentationService } from "../segmentation/_service.ts";

// Names that a plain object inherits: a lookup by a client's key must never find these.
const BUILT_IN_KEYS = [
  "constructor",
  "toString",
  "valueOf",
  "hasOwnProperty",
  "isPrototypeOf",
  "__proto__",
  "__defineGetter__",
];

Deno.test("a JSON key named like a built-in is an unknown parameter (400), not a 500, at login", async () => {
  await using service = await segmentationService();
  for (const key of BUILT_IN_KEYS) {
    const res = await service.app.request("/api/auth/login", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: `{"username":"ann","password":"secret","${key}":1}`,
    });
    const body = await res.json() as ErrorBody;
    assert.equal(res.status, 400, key);
    assert.equal(body.code, "INVALID_PARAMETER");
    assert.deepEqual(body.errors?.[key], ["Unknown parameter"], key);
    assert.ok(Object.hasOwn(body.errors!, key), key);
  }
});

Deno.test("built-in keys at any depth of every JSON route answer 4xx", async () => {
  await using service = await segmentationService();
  const { headers } = await service.tenant("a");
  const doc = await (await service.app.request("/api/openapi.json")).json() as {
    paths: Record<string, Record<string, { requestBody?: { content?: Record<string, unknown> } }>>;
  };
  let sent = 0;
  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      if (!operation.requestBody?.content?.["application/json"]) continue;
      const url = path.replace(/\{[^}]+\}/g, "x");
      for (const key of BUILT_IN_KEYS) {
        for (const body of [`{"${key}":1}`, `{"data":[{"${key}":1}]}`, `{"${key}":{"${key}":1}}`]) {
          const res = await service.app.request(url, {
            method: method.toUpperCase(),
            headers,
            body,
          });
          await res.body?.cancel();
          assert.ok(res.status < 500, `${method} ${url} ${body}: ${res.status}`);
          sent++;
        }
      }
    }
  }
  assert.ok(sent > 100);
});
