/**
 * The browser session's cookie: the refresh token of `POST /api/auth/session`, kept where no
 * script can read it. `HttpOnly`, `SameSite=Strict`, `Path=/api/auth/session` (sent to the
 * session routes only, never to the API), `Secure` unless the request came to a loopback host
 * (a local `http://127.0.0.1:8000`). The access token is never in a cookie: the page keeps it in
 * memory and sends it as `Authorization: Bearer`, so no API route can be driven by a cookie.
 *
 * Cross-site request forgery on the session routes is refused three ways: the cookie is
 * `SameSite=Strict` (another site's page never sends it), every session route needs the
 * `X-Requested-With` header (a form cannot send it; a cross-origin script must pass a CORS
 * preflight, and credentialed CORS is never granted), and an `Origin` header, when sent, must be
 * the request's own origin (a sibling port on the same host is same-site but not same-origin).
 *
 * @module
 */
import type { Context } from "hono";
import { ClientError } from "../http/errors.ts";

/** The cookie's name. */
export const SESSION_COOKIE = "seg_refresh";
/** The path the cookie is scoped to: the session routes. */
export const SESSION_PATH = "/api/auth/session";
/** The header every session route requires (any non-empty value). */
export const SESSION_HEADER = "X-Requested-With";

/** Whether `hostname` (of the request URL) is a loopback name or address. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || host.endsWith(".localhost") || host === "::1" ||
    /^127(\.\d{1,3}){3}$/.test(host);
}

/** The `Set-Cookie` value that stores `refreshToken` for `maxAgeSeconds`. */
export function sessionCookie(c: Context, refreshToken: string, maxAgeSeconds: number): string {
  return cookie(c, refreshToken, Math.max(0, Math.floor(maxAgeSeconds)));
}

/** The `Set-Cookie` value that deletes the cookie. */
export function clearedSessionCookie(c: Context): string {
  return cookie(c, "", 0);
}

function cookie(c: Context, value: string, maxAge: number): string {
  const secure = isLoopbackHost(new URL(c.req.url).hostname) ? "" : "; Secure";
  return `${SESSION_COOKIE}=${value}; Path=${SESSION_PATH}; Max-Age=${maxAge}; HttpOnly; ` +
    `SameSite=Strict${secure}`;
}

/** The refresh token in the request's cookie, or null when there is none. */
export function sessionCookieValue(c: Context): string | null {
  for (const part of (c.req.header("Cookie") ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    const value = part.slice(eq + 1).trim();
    // Our tokens are base64url; anything else is not one of ours.
    return /^[\w-]{1,512}$/.test(value) ? value : null;
  }
  return null;
}

/**
 * Refuses (403 `forbidden`) a request whose `Origin` header names another host (name and port)
 * than the request's own. A request without `Origin` (same-origin GET, non-browser client) passes: the
 * cookie and the custom header are the other two guards.
 */
export function checkSameOrigin(c: Context): void {
  const origin = c.req.header("Origin");
  if (origin === undefined) return;
  // Hosts are compared, not schemes: behind a proxy that ends TLS the request URL is http.
  let host: string | null = null;
  try {
    host = new URL(origin).host;
  } catch {
    host = null;
  }
  if (host !== new URL(c.req.url).host) {
    throw new ClientError(403, "forbidden", "The session routes answer same-origin requests only", {
      details: { origin },
    });
  }
}
