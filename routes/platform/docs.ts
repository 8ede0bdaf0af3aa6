/**
 * The API's own documentation: `GET /api/openapi.json` (the OpenAPI 3.1 document) and
 * `GET /docs` (Swagger UI over it). Both are public. The page loads nothing from elsewhere: the
 * Swagger UI files come from the npm package `swagger-ui-dist`, imported as text (so they are
 * part of the module graph: cached by `deno install`, embedded by `deno compile`), and served
 * from `/docs/` under a Content-Security-Policy that allows only this origin.
 *
 * @module
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../env.ts";
import { openApiDocument, type OpenApiDocumentOptions } from "../http/openapi.ts";

/** The paths `docsRoutes` serves; they are not part of the document. */
export const DOCS_PATHS = {
  document: "/api/openapi.json",
  page: "/docs",
  assets: "/docs/*",
} as const;

/**
 * The page's policy: scripts, styles, fonts and requests from this origin only; images also as
 * `data:` URIs (Swagger UI's stylesheet draws its icons with them); no framing, no plugins.
 */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ");

/**
 * Adds `GET /api/openapi.json` and `GET /docs` (with its assets under `/docs/`) to `app`. The
 * document is generated on each request from the routes registered on `app` at that time.
 *
 * @example
 * ```ts
 * import { docsRoutes } from "./docs.ts";
 * import { createRouter } from "../http/openapi.ts";
 * const app = createRouter();
 * docsRoutes(app, { version: "1.0.0" });
 * const res = await app.request("/api/openapi.json");
 * console.assert((await res.json()).openapi === "3.1.0");
 * ```
 */
export function docsRoutes(app: OpenAPIHono<AppEnv>, options: OpenApiDocumentOptions): void {
  app.get(DOCS_PATHS.document, (c) => {
    c.header("Cache-Control", "no-cache");
    return c.json(openApiDocument(app, options));
  });
  app.get(DOCS_PATHS.page, (c) => {
    c.header("Content-Security-Policy", DOCS_CSP);
    c.header("Cache-Control", "no-cache");
    return c.html(PAGE);
  });
  app.get(DOCS_PATHS.assets, async (c) => {
    const name = c.req.path.slice(DOCS_PATHS.page.length + 1);
    const asset = ASSETS[name];
    if (!asset) return c.notFound();
    c.header("Content-Security-Policy", DOCS_CSP);
    c.header("Cache-Control", "public, max-age=86400");
    return c.body(await asset.load(), 200, { "Content-Type": asset.type });
  });
}

// Inline scripts are what the CSP forbids, so the page's one line of set-up is a file too.
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Customer segmentation API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
`;

// validatorUrl null: Swagger UI would otherwise fetch a badge from validator.swagger.io.
const INIT = `window.ui = SwaggerUIBundle({
  url: "${DOCS_PATHS.document}",
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
});
`;

interface Asset {
  type: string;
  load: () => Promise<string>;
}

const ASSETS: Record<string, Asset> = {
  "swagger-ui.css": {
    type: "text/css; charset=utf-8",
    load: once(async () =>
      (await import("swagger-ui-dist/swagger-ui.css", { with: { type: "text" } })).default
    ),
  },
  "swagger-ui-bundle.js": {
    type: "text/javascript; charset=utf-8",
    // 1.7 MB: loaded on the first request for it, not when the app starts.
    load: once(async () =>
      (await import("swagger-ui-dist/swagger-ui-bundle.js", { with: { type: "text" } })).default
    ),
  },
  "init.js": { type: "text/javascript; charset=utf-8", load: () => Promise.resolve(INIT) },
};

/** `load`, run once and shared by every caller; a failed load is retried on the next call. */
export function once<T>(load: () => Promise<T>): () => Promise<T> {
  let promise: Promise<T> | undefined;
  return () => {
    promise ??= load().catch((error) => {
      // A failed load (a missing npm cache) is retried on the next request.
      promise = undefined;
      throw error;
    });
    return promise;
  };
}
