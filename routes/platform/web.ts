/**
 * The analyst dashboard: `GET /` (the page) and its files under `/app/` (plain ES modules, one
 * stylesheet, and Plotly from the npm package `plotly.js-dist-min`). Public, like `/docs`: the
 * page holds no data; it signs in and calls the same `/api/*` routes as any other client.
 *
 * Every file is imported as text, so it is part of the module graph (cached by `deno install`,
 * embedded by `deno compile`) and read once. Each answer carries a Content-Security-Policy that
 * admits only this origin's scripts, a weak ETag (a 304 for an unchanged file) and, when the
 * client accepts it, a gzip or deflate body compressed once and kept (Plotly's 4.8 MB is about
 * 1.4 MB gzipped).
 *
 * @module
 */
import { type Context, Hono } from "hono";
import type { AppEnv } from "../env.ts";
import { once } from "./docs.ts";

/** The paths `webRoutes` serves. */
export const WEB_PATHS = { page: "/", assets: "/app/*" } as const;

/**
 * The dashboard's policy. Scripts, requests, fonts and images come from this origin only, so a
 * value from the data that reached the DOM as markup still could not run (the page also inserts
 * every value as text). Two allowances are Plotly's: `style-src 'unsafe-inline'`, because it
 * positions and styles its SVG through `style` attributes and adds a `<style>` element of its
 * own; `img-src data: blob:`, because the heat map is drawn on a canvas and placed in the SVG as
 * a `data:` image, and the chart toolbar's PNG download makes a `blob:` URL.
 */
export const WEB_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const HTML = "text/html; charset=utf-8";
const JS = "text/javascript; charset=utf-8";
const CSS = "text/css; charset=utf-8";

interface Asset {
  type: string;
  load: () => Promise<string>;
}

// Literal specifiers, so that the files are part of the module graph.
const PAGE: Asset = {
  type: HTML,
  load: once(async () =>
    (await import("../../web/index.html", { with: { type: "text" } })).default
  ),
};

const ASSETS: Readonly<Record<string, Asset>> = {
  "app.js": {
    type: JS,
    load: once(async () => (await import("../../web/app.js", { with: { type: "text" } })).default),
  },
  "api.js": {
    type: JS,
    load: once(async () => (await import("../../web/api.js", { with: { type: "text" } })).default),
  },
  "dom.js": {
    type: JS,
    load: once(async () => (await import("../../web/dom.js", { with: { type: "text" } })).default),
  },
  "i18n.js": {
    type: JS,
    load: once(async () => (await import("../../web/i18n.js", { with: { type: "text" } })).default),
  },
  "csv.js": {
    type: JS,
    load: once(async () => (await import("../../web/csv.js", { with: { type: "text" } })).default),
  },
  "results.js": {
    type: JS,
    load: once(async () =>
      (await import("../../web/results.js", { with: { type: "text" } })).default
    ),
  },
  "explore.js": {
    type: JS,
    load: once(async () =>
      (await import("../../web/explore.js", { with: { type: "text" } })).default
    ),
  },
  "prefs.js": {
    type: JS,
    load: once(async () =>
      (await import("../../web/prefs.js", { with: { type: "text" } })).default
    ),
  },
  "roles.js": {
    type: JS,
    load: once(async () =>
      (await import("../../web/roles.js", { with: { type: "text" } })).default
    ),
  },
  "style.css": {
    type: CSS,
    load: once(async () =>
      (await import("../../web/style.css", { with: { type: "text" } })).default
    ),
  },
  "vendor/plotly.min.js": {
    type: JS,
    // 4.8 MB: loaded on the first request for it, not when the app starts.
    load: once(async () =>
      (await import("plotly.js-dist-min/plotly.min.js", { with: { type: "text" } })).default
    ),
  },
};

/**
 * The dashboard's sub-app; mount it at the root (`app.route("/", webRoutes())`). It registers
 * no middleware, so it changes nothing for `/api/*`.
 *
 * @example
 * ```ts
 * import { webRoutes } from "./web.ts";
 * const res = await webRoutes().request("/");
 * console.assert(res.headers.get("Content-Security-Policy")?.includes("script-src 'self'"));
 * ```
 */
export function webRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get(WEB_PATHS.page, (c) => serve(c, PAGE));
  app.get(WEB_PATHS.assets, (c) => {
    const asset = ASSETS[c.req.path.slice("/app/".length)];
    return asset ? serve(c, asset) : c.notFound();
  });
  return app;
}

type Encoding = "gzip" | "deflate";

/** Bytes of each asset as sent: plain, or compressed once per encoding. */
const encoded = new Map<Asset, Map<Encoding | "identity", Promise<Uint8Array<ArrayBuffer>>>>();
const etags = new Map<Asset, Promise<string>>();

async function serve(c: Context<AppEnv>, asset: Asset): Promise<Response> {
  const etag = await etagOf(asset);
  const headers: Record<string, string> = {
    "Content-Type": asset.type,
    "Content-Security-Policy": WEB_CSP,
    // Revalidated on every load: a changed file is never served stale, an unchanged one is a 304.
    "Cache-Control": "no-cache",
    "ETag": etag,
    "Vary": "Accept-Encoding",
  };
  if (matches(c.req.header("If-None-Match") ?? null, etag)) return c.body(null, 304, headers);
  const encoding = acceptedEncoding(c.req.header("Accept-Encoding"));
  if (encoding) headers["Content-Encoding"] = encoding;
  const body = await bytesOf(asset, encoding ?? "identity");
  headers["Content-Length"] = String(body.byteLength);
  return c.body(body, 200, headers);
}

function bytesOf(asset: Asset, encoding: Encoding | "identity"): Promise<Uint8Array<ArrayBuffer>> {
  let byEncoding = encoded.get(asset);
  if (!byEncoding) encoded.set(asset, byEncoding = new Map());
  let bytes = byEncoding.get(encoding);
  if (!bytes) {
    bytes = asset.load().then(async (text) => {
      const plain = new TextEncoder().encode(text);
      if (encoding === "identity") return plain;
      const stream = new Blob([plain]).stream().pipeThrough(new CompressionStream(encoding));
      return new Uint8Array(await new Response(stream).arrayBuffer());
    });
    // A failure (a missing npm cache) is retried on the next request.
    bytes.catch(() => byEncoding.delete(encoding));
    byEncoding.set(encoding, bytes);
  }
  return bytes;
}

function etagOf(asset: Asset): Promise<string> {
  let etag = etags.get(asset);
  if (!etag) {
    etag = asset.load().then(async (text) => {
      const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
      const hex = Array.from(new Uint8Array(digest).slice(0, 12), (b) => b.toString(16))
        .map((h) => h.padStart(2, "0")).join("");
      // Weak: the gzip, deflate and plain bodies are the same file in different encodings.
      return `W/"${hex}"`;
    });
    etag.catch(() => etags.delete(asset));
    etags.set(asset, etag);
  }
  return etag;
}

function matches(ifNoneMatch: string | null, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const bare = etag.replace(/^W\//, "");
  return ifNoneMatch.split(",").some((t) => {
    const tag = t.trim();
    return tag === "*" || tag.replace(/^W\//, "") === bare;
  });
}

/**
 * The encoding to answer with: gzip or deflate when the client accepts it (q > 0), gzip
 * preferred at equal weight; null for the plain body.
 *
 * @example
 * ```ts
 * import { acceptedEncoding } from "./web.ts";
 * console.assert(acceptedEncoding("br, gzip;q=0.8, deflate;q=0.5") === "gzip");
 * console.assert(acceptedEncoding("gzip;q=0") === null);
 * ```
 */
export function acceptedEncoding(header: string | null | undefined): Encoding | null {
  if (!header) return null;
  const weights = new Map<string, number>();
  for (const part of header.split(",")) {
    const [name = "", ...params] = part.trim().toLowerCase().split(";");
    let q = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/.exec(p);
      if (m) q = Number(m[1]);
    }
    weights.set(name.trim(), Number.isFinite(q) ? q : 0);
  }
  const star = weights.get("*") ?? 0;
  const gzip = weights.get("gzip") ?? weights.get("x-gzip") ?? star;
  const deflate = weights.get("deflate") ?? star;
  if (gzip <= 0 && deflate <= 0) return null;
  return gzip >= deflate ? "gzip" : "deflate";
}
