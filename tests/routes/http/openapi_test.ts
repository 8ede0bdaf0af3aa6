import { inProcessEngine } from "../../../domain/segmentation/engine.ts";
import assert from "node:assert/strict";
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import { DOCS_CSP, DOCS_PATHS } from "../../../routes/platform/docs.ts";
import { WEB_PATHS } from "../../../routes/platform/web.ts";
import { type AppEnv, createApp } from "../../../routes/mod.ts";
import { CASING_EXTENSION, createRouter } from "../../../routes/http/openapi.ts";
import { openStore } from "../../../storage/mod.ts";
import { TEST_PASSWORD_COST } from "../../../domain/auth/hashing.ts";
import { createCpuBackend } from "../../../compute/cpu/backend.ts";

/** The app as `main.ts` builds it: every optional dependency given, so every route mounted. */
async function fullApp() {
  const kv = await openStore(":memory:");
  const app = createApp({
    compute: { info: { name: "cpu", description: "test" } },
    engine: inProcessEngine(createCpuBackend({ threads: 1 })),
    version: "1.2.3",
    kv,
    cors: { origins: ["https://app.example.com"] },
    accessLog: () => {},
    logger: () => {},
    auth: {
      jwt: { secret: "s".repeat(32), issuer: "test", audience: "test" },
      refreshTtlSeconds: 3600,
      passwordCost: TEST_PASSWORD_COST,
    },
  });
  return { app, [Symbol.dispose]: () => kv.close() };
}

type Operation = Record<string, unknown> & { responses: Record<string, unknown> };
type Document = {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, Record<string, unknown>> };
  security: Record<string, string[]>[];
};

async function documentOf(app: OpenAPIHono<AppEnv>): Promise<Document> {
  const res = await app.request("/api/openapi.json");
  assert.equal(res.status, 200);
  return await res.json();
}

/** `METHOD /path` of every handler on `app` that the document lacks (the docs routes aside). */
function undocumentedRoutes(app: OpenAPIHono<AppEnv>, document: Document): string[] {
  const docsPaths: string[] = [...Object.values(DOCS_PATHS), ...Object.values(WEB_PATHS)];
  const missing = new Set<string>();
  for (const { method, path } of app.routes) {
    // Middleware is registered for every method; routes have one.
    if (method === "ALL" || docsPaths.includes(path)) continue;
    const documented = path.replace(/:(\w+)(\{[^}]*\})?/g, "{$1}");
    if (!document.paths[documented]?.[method.toLowerCase()]) missing.add(`${method} ${path}`);
  }
  return [...missing];
}

Deno.test("every route registered on the app is in the OpenAPI document", async () => {
  using t = await fullApp();
  const document = await documentOf(t.app);
  assert.deepEqual(undocumentedRoutes(t.app, document), []);
  assert.ok(Object.keys(document.paths).length > 0);
});

Deno.test("the route walk catches a route added without openapi()", async () => {
  using t = await fullApp();
  t.app.get("/api/forgotten/:id", (c) => c.json({}));
  t.app.post("/api/forgotten", (c) => c.json({}));
  const document = await documentOf(t.app);
  assert.deepEqual(undocumentedRoutes(t.app, document), [
    "GET /api/forgotten/:id",
    "POST /api/forgotten",
  ]);
});

Deno.test("every documented operation went through createRouter (both casings, error default)", async () => {
  using t = await fullApp();
  const sub = createRouter().openapi(
    createRoute({
      method: "get",
      path: "/{run_id}",
      request: { params: z.object({ run_id: z.string() }) },
      responses: { 200: { description: "A run" } },
    }),
    (c) => c.json({ run_id: c.req.valid("param").run_id }, 200),
  );
  t.app.route("/api/runs", sub);
  const document = await documentOf(t.app);
  assert.deepEqual(undocumentedRoutes(t.app, document), []);
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      assert.deepEqual(
        operation[CASING_EXTENSION],
        ["snake_case", "camelCase"],
        `${method} ${path}`,
      );
      assert.ok(operation.responses.default, `${method} ${path} documents its errors`);
    }
  }
  assert.ok(document.paths["/api/runs/{run_id}"]?.get);
});

Deno.test("GET /api/openapi.json is OpenAPI 3.1 with the three ways to authenticate", async () => {
  using t = await fullApp();
  const res = await t.app.request("/api/openapi.json");
  assert.match(res.headers.get("Content-Type") ?? "", /^application\/json/);
  const document: Document = await res.json();
  assert.equal(document.openapi, "3.1.0");
  assert.equal(document.info.title, "Customer segmentation API");
  assert.equal(document.info.version, "1.2.3");
  assert.deepEqual(document.components.securitySchemes.bearerAuth, {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "An access token from POST /api/auth/login or /api/auth/refresh",
  });
  assert.deepEqual(
    [
      document.components.securitySchemes.apiKey?.name,
      document.components.securitySchemes.customerApiId?.name,
      document.components.securitySchemes.customerSecret?.name,
    ],
    ["X-API-Key", "X-Customer-Api-Id", "X-Secret"],
  );
  assert.deepEqual(document.security, [
    { bearerAuth: [] },
    { apiKey: [] },
    { customerApiId: [], customerSecret: [] },
  ]);
});

Deno.test("GET /api/health is documented as public, with its report and its 503", async () => {
  using t = await fullApp();
  const document = await documentOf(t.app);
  const health = document.paths["/api/health"]?.get;
  assert.ok(health);
  assert.deepEqual(health.security, []);
  const ok = health.responses["200"] as {
    content: { "application/json": { schema: { $ref: string } } };
  };
  assert.equal(ok.content["application/json"].schema.$ref, "#/components/schemas/HealthReport");
  const unavailable = health.responses["503"] as {
    content: { "application/json": { schema: { $ref: string } } };
  };
  assert.equal(unavailable.content["application/json"].schema.$ref, "#/components/schemas/Error");
});

Deno.test("GET /docs serves Swagger UI from this origin only, under a strict CSP", async () => {
  using t = await fullApp();
  const res = await t.app.request("/docs");
  assert.equal(res.status, 200);
  assert.match(res.headers.get("Content-Type") ?? "", /^text\/html/);
  assert.equal(res.headers.get("Content-Security-Policy"), DOCS_CSP);
  assert.match(DOCS_CSP, /script-src 'self'(;|$)/);
  assert.doesNotMatch(DOCS_CSP, /https?:|unsafe|\*/);
  const html = await res.text();
  const sources = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]);
  assert.deepEqual(sources, [
    "/docs/swagger-ui.css",
    "/docs/swagger-ui-bundle.js",
    "/docs/init.js",
  ]);
  assert.doesNotMatch(html, /<script>|<style>|https?:\/\//);

  for (
    const [path, type, minimum] of [
      ["/docs/swagger-ui-bundle.js", /^text\/javascript/, 1_000_000],
      ["/docs/swagger-ui.css", /^text\/css/, 100_000],
      ["/docs/init.js", /^text\/javascript/, 100],
    ] as const
  ) {
    const asset = await t.app.request(path);
    assert.equal(asset.status, 200, path);
    assert.match(asset.headers.get("Content-Type") ?? "", type, path);
    assert.equal(asset.headers.get("Content-Security-Policy"), DOCS_CSP, path);
    const text = await asset.text();
    assert.ok(text.length >= minimum, `${path}: ${text.length} bytes`);
    if (path === "/docs/init.js") {
      assert.match(text, /url: "\/api\/openapi\.json"/);
      assert.match(text, /validatorUrl: null/);
    }
  }
});

Deno.test("an unknown file under /docs/ answers 404 in the error body", async () => {
  using t = await fullApp();
  for (const path of ["/docs/nope.js", "/docs/../routes/mod.ts", "/docs/index.html"]) {
    const res = await t.app.request(path);
    assert.equal(res.status, 404, path);
    assert.equal((await res.json()).code, "NOT_FOUND", path);
  }
});

Deno.test("the docs and the document need no credentials and are not rate limited", async () => {
  using t = await fullApp();
  for (let i = 0; i < 3; i++) {
    for (const path of ["/docs", "/api/openapi.json"]) {
      const res = await t.app.request(path);
      await res.body?.cancel();
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get("X-RateLimit-Limit"), null, path);
    }
  }
});

type JsonSchema = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  additionalProperties?: unknown;
};

/**
 * Where a 2xx JSON body of `document` is a bare open record (an object that names no field):
 * the body itself, each member of a union, and the `data` of document 003's envelope.
 */
function openBodies(document: Document & { components: { schemas?: Record<string, JsonSchema> } }) {
  const resolve = (s: JsonSchema): JsonSchema =>
    s.$ref ? resolve(document.components.schemas?.[s.$ref.split("/").pop()!] ?? {}) : s;
  const bare = (s: JsonSchema): boolean => {
    const union = s.anyOf ?? s.oneOf;
    if (union) return union.some((m) => bare(resolve(m)));
    if (s.allOf) return false;
    const object = s.type === "object" || (s.type === undefined && s.$ref === undefined);
    return object && Object.keys(s.properties ?? {}).length === 0;
  };
  const found: string[] = [];
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      for (const [status, response] of Object.entries(operation.responses)) {
        if (!status.startsWith("2")) continue;
        const content = (response as { content?: Record<string, { schema?: JsonSchema }> })
          .content ?? {};
        for (const [type, media] of Object.entries(content)) {
          if (!/json/.test(type) || !media.schema) continue;
          const body = resolve(media.schema);
          const data = body.properties?.data;
          if (bare(body) || (data && bare(resolve(data)))) {
            found.push(`${method.toUpperCase()} ${path} ${status}`);
          }
        }
      }
    }
  }
  return found;
}

Deno.test("no 2xx JSON body in the document is a bare open record", async () => {
  using t = await fullApp();
  const document = await documentOf(t.app);
  assert.deepEqual(openBodies(document), []);
});

Deno.test("the open-body walk catches a route that declares z.record as its body", async () => {
  using t = await fullApp();
  const open = z.record(z.string(), z.unknown());
  const router = createRouter();
  for (
    const [path, schema] of [["/open", open], ["/enveloped", z.object({ data: open })]] as const
  ) {
    router.openapi(
      createRoute({
        method: "get",
        path,
        responses: {
          200: { description: "open", content: { "application/json": { schema } } },
        },
      }),
      (c) => c.json({}, 200) as never,
    );
  }
  t.app.route("/api/test", router);
  const document = await documentOf(t.app);
  assert.deepEqual(openBodies(document), ["GET /api/test/open 200", "GET /api/test/enveloped 200"]);
});
