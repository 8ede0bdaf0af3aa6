/**
 * The dashboard's files as `routes/platform/web.ts` serves them: the page and its assets without
 * credentials (authentication on), the Content-Security-Policy, no inline script, content types,
 * Plotly from npm, 404s, ETag revalidation and gzip/deflate.
 */
import assert from "node:assert/strict";
import { acceptedEncoding, WEB_CSP } from "../../../routes/platform/web.ts";
import { segmentationService } from "../segmentation/_service.ts";

const ASSETS = {
  "/app/app.js": "text/javascript; charset=utf-8",
  "/app/api.js": "text/javascript; charset=utf-8",
  "/app/dom.js": "text/javascript; charset=utf-8",
  "/app/i18n.js": "text/javascript; charset=utf-8",
  "/app/csv.js": "text/javascript; charset=utf-8",
  "/app/results.js": "text/javascript; charset=utf-8",
  "/app/explore.js": "text/javascript; charset=utf-8",
  "/app/roles.js": "text/javascript; charset=utf-8",
  "/app/prefs.js": "text/javascript; charset=utf-8",
  "/app/style.css": "text/css; charset=utf-8",
  "/app/vendor/plotly.min.js": "text/javascript; charset=utf-8",
};

async function gunzip(bytes: ArrayBuffer, format: CompressionFormat): Promise<string> {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream(format));
  return await new Response(stream).text();
}

Deno.test("GET / answers the page without credentials while /api needs them", async () => {
  await using s = await segmentationService();
  const page = await s.app.request("/");
  assert.equal(page.status, 200);
  assert.equal(page.headers.get("Content-Type"), "text/html; charset=utf-8");
  assert.ok((await page.text()).startsWith("<!doctype html>"));
  // The same app refuses its API without credentials: the page is public, the data is not.
  const api = await s.app.request("/api/datasets");
  assert.equal(api.status, 401);
});

Deno.test("GET / carries the policy that admits only this origin's scripts", async () => {
  await using s = await segmentationService();
  const res = await s.app.request("/");
  const csp = res.headers.get("Content-Security-Policy") ?? "";
  assert.equal(csp, WEB_CSP);
  const directives = new Map(
    csp.split(";").map((d) => d.trim().split(/\s+/)).map(([name, ...v]) => [name, v]),
  );
  assert.deepEqual(directives.get("default-src"), ["'none'"]);
  assert.deepEqual(directives.get("script-src"), ["'self'"]);
  assert.deepEqual(directives.get("connect-src"), ["'self'"]);
  assert.deepEqual(directives.get("frame-ancestors"), ["'none'"]);
  assert.ok(!csp.includes("unsafe-eval"));
  assert.ok(!/script-src[^;]*unsafe-inline/.test(csp));
  assert.ok(res.headers.get("X-Request-Id"), "the app's middleware still runs");
  assert.equal(res.headers.get("X-Content-Type-Options"), "nosniff");
});

Deno.test("GET / has no inline script: every <script> has a same-origin src", async () => {
  await using s = await segmentationService();
  const html = await (await s.app.request("/")).text();
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
  assert.ok(scripts.length > 0);
  for (const [, attrs = "", body = ""] of scripts) {
    const src = /\bsrc="([^"]+)"/.exec(attrs)?.[1];
    assert.ok(src?.startsWith("/app/"), `a <script> without a same-origin src: ${attrs}`);
    assert.equal(body.trim(), "", "a <script> with a src has no body");
  }
  assert.ok(!/\son[a-z]+\s*=/i.test(html), "no inline event handler attributes");
  assert.ok(!/javascript:/i.test(html));
});

Deno.test("GET /app/* answers each asset with its content type and the policy", async () => {
  await using s = await segmentationService();
  for (const [path, type] of Object.entries(ASSETS)) {
    const res = await s.app.request(path);
    assert.equal(res.status, 200, path);
    assert.equal(res.headers.get("Content-Type"), type, path);
    assert.equal(res.headers.get("Content-Security-Policy"), WEB_CSP, path);
    assert.ok(res.headers.get("ETag")?.startsWith('W/"'), path);
    assert.ok((await res.arrayBuffer()).byteLength > 0, path);
  }
});

Deno.test("GET /app/vendor/plotly.min.js serves plotly.js-dist-min from npm", async () => {
  await using s = await segmentationService();
  const res = await s.app.request("/app/vendor/plotly.min.js");
  const text = await res.text();
  assert.match(text.slice(0, 200), /plotly\.js v\d+\.\d+\.\d+/);
  assert.ok(text.length > 1_000_000);
});

Deno.test("GET /app/* answers 404 for an unknown asset and for paths outside the list", async () => {
  await using s = await segmentationService();
  for (const path of ["/app/nope.js", "/app/../deno.json", "/app/vendor/", "/app/"]) {
    const res = await s.app.request(path);
    assert.equal(res.status, 404, path);
    assert.equal((await res.json()).code, "NOT_FOUND", path);
  }
});

Deno.test("GET /app/* compresses with gzip or deflate when the client accepts it", async () => {
  await using s = await segmentationService();
  const plain = await (await s.app.request("/app/vendor/plotly.min.js")).text();
  const gz = await s.app.request("/app/vendor/plotly.min.js", {
    headers: { "Accept-Encoding": "gzip, deflate, br" },
  });
  assert.equal(gz.headers.get("Content-Encoding"), "gzip");
  // CORS (on by default with authentication) adds Origin to Vary.
  assert.match(gz.headers.get("Vary") ?? "", /^Accept-Encoding(, Origin)?$/);
  const gzBytes = await gz.arrayBuffer();
  assert.ok(gzBytes.byteLength < plain.length / 2, `${gzBytes.byteLength} of ${plain.length}`);
  assert.equal(Number(gz.headers.get("Content-Length")), gzBytes.byteLength);
  assert.equal(await gunzip(gzBytes, "gzip"), plain);

  const deflate = await s.app.request("/", { headers: { "Accept-Encoding": "deflate" } });
  assert.equal(deflate.headers.get("Content-Encoding"), "deflate");
  const page = await (await s.app.request("/")).text();
  assert.equal(await gunzip(await deflate.arrayBuffer(), "deflate"), page);

  const identity = await s.app.request("/", { headers: { "Accept-Encoding": "identity" } });
  assert.equal(identity.headers.get("Content-Encoding"), null);
});

Deno.test("GET /app/* answers 304 to a matching If-None-Match", async () => {
  await using s = await segmentationService();
  const first = await s.app.request("/app/style.css");
  const etag = first.headers.get("ETag")!;
  await first.body?.cancel();
  const again = await s.app.request("/app/style.css", { headers: { "If-None-Match": etag } });
  assert.equal(again.status, 304);
  assert.equal(await again.text(), "");
  const changed = await s.app.request("/app/style.css", { headers: { "If-None-Match": 'W/"x"' } });
  assert.equal(changed.status, 200);
  await changed.body?.cancel();
});

Deno.test("the page's modules keep tokens out of web storage (two preferences only) and data out of innerHTML", async () => {
  await using s = await segmentationService();
  for (
    const path of Object.keys(ASSETS).filter((p) => p.endsWith(".js") && !p.includes("vendor"))
  ) {
    // Comments may name what the code avoids.
    const code = (await (await s.app.request(path)).text())
      .replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
    for (
      const banned of [
        "localStorage",
        "sessionStorage",
        "document.cookie",
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "eval(",
      ]
    ) {
      // prefs.js alone keeps two preferences that are not secrets (language, session flag).
      if (banned === "localStorage" && path.endsWith("/prefs.js")) continue;
      assert.ok(!code.includes(banned), `${path} uses ${banned}`);
    }
  }
  const prefs = await (await s.app.request("/app/prefs.js")).text();
  const keys = [...prefs.matchAll(/"(segmentation\.[a-z]+)"/g)].map((m) => m[1]).sort();
  assert.deepEqual(keys, ["segmentation.language", "segmentation.session"]);
});

Deno.test("acceptedEncoding follows the client's weights", () => {
  assert.equal(acceptedEncoding(undefined), null);
  assert.equal(acceptedEncoding(""), null);
  assert.equal(acceptedEncoding("gzip"), "gzip");
  assert.equal(acceptedEncoding("deflate"), "deflate");
  assert.equal(acceptedEncoding("br"), null);
  assert.equal(acceptedEncoding("gzip;q=0.5, deflate"), "deflate");
  assert.equal(acceptedEncoding("gzip;q=0, deflate;q=0"), null);
  assert.equal(acceptedEncoding("*"), "gzip");
  assert.equal(acceptedEncoding("identity"), null);
});
