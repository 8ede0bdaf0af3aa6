/// <reference lib="dom" />
// @ts-check
/**
 * The dashboard's client of the service's API. The access token lives in this module's variable
 * only (never in storage); the refresh token is an HttpOnly cookie scoped to
 * `/api/auth/session` that no script can read (docs/auth.md), so a reload restores the session
 * with one `POST /api/auth/session/refresh`. A 401 on a request made with a token is answered
 * by one refresh and one retry. Every session call carries `X-Requested-With` (the service's
 * CSRF guard). Web storage holds only a flag saying a session may exist (`prefs.js`; no
 * secret), so a page in open mode never asks for one.
 *
 * @module
 */
import { readPref, writePref } from "./prefs.js";

/**
 * The service's error body (document 001's fields).
 *
 * @typedef {{ error: string, message: string, code: string, details: Record<string, unknown> | null }} ErrorBody
 */

/** An answer other than 2xx, or no answer at all (`status` 0). */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {Partial<ErrorBody> | null} body
   * @param {string} fallback the message when the body has none
   */
  constructor(status, body, fallback) {
    super(body?.message || fallback);
    this.name = "ApiError";
    this.status = status;
    // Every error body carries a string `code` (MISSING_COLUMNS, NOT_FOUND, …); `error` is a
    // title or a human message depending on the document of the route.
    this.error = typeof body?.code === "string"
      ? body.code.toLowerCase()
      : (status === 0 ? "network_error" : "http_error");
    /** @type {Record<string, unknown> | null} */
    this.details = body?.details ?? null;
  }
}

/** @type {{ access: string } | null} */
let tokens = null;
/** The header the session routes require. */
const SESSION_HEADERS = { "X-Requested-With": "dashboard" };
/** @type {Promise<boolean> | null} */
let refreshing = null;
let acceptLanguage = "en";
/** @type {() => void} */
let onSignedOut = () => {};

/**
 * Sets the language sent as `Accept-Language` (segment names and personas follow it).
 *
 * @param {string} lang
 */
export function setApiLanguage(lang) {
  acceptLanguage = lang;
}

/**
 * Sets what happens when the session ends (a refresh refused): the page shows sign-in again.
 *
 * @param {() => void} handler
 */
export function whenSignedOut(handler) {
  onSignedOut = handler;
}

/** True when the page holds an access token. */
export function hasToken() {
  return tokens !== null;
}

/**
 * `POST /api/auth/session`: keeps the access token in memory; the service sets the refresh
 * cookie.
 *
 * @param {string} username
 * @param {string} password
 */
export async function login(username, password) {
  const res = await send("/api/auth/session", {
    method: "POST",
    headers: { "Content-Type": "application/json", ...SESSION_HEADERS },
    body: JSON.stringify({ username, password }),
  });
  if (!res.ok) throw await errorOf(res);
  const body = await res.json();
  tokens = { access: body.access_token };
  setFlag(true);
}

/** `DELETE /api/auth/session` (revokes the session, clears the cookie); forgets the token. */
export async function logout() {
  tokens = null;
  setFlag(false);
  await send("/api/auth/session", { method: "DELETE", headers: SESSION_HEADERS })
    .catch(() => {});
}

/**
 * After a reload: a new access token from the session cookie, when a session may exist. True
 * when the page is signed in again.
 *
 * @returns {Promise<boolean>}
 */
export async function restoreSession() {
  if (!flag()) return false;
  const ok = await exchange();
  if (!ok) setFlag(false);
  return ok;
}

/**
 * Exchanges the session cookie for a new access token (the cookie rotates), once at a time;
 * false (and signed out) when the service refuses it.
 *
 * @returns {Promise<boolean>}
 */
function refresh() {
  const wasSignedIn = tokens !== null;
  refreshing ??= exchange().then((ok) => {
    if (!ok && wasSignedIn) {
      setFlag(false);
      onSignedOut();
    }
    return ok;
  });
  return refreshing;
}

/** @returns {Promise<boolean>} */
async function exchange() {
  try {
    const res = await send("/api/auth/session/refresh", {
      method: "POST",
      headers: SESSION_HEADERS,
    });
    if (!res.ok) throw await errorOf(res);
    const body = await res.json();
    tokens = { access: body.access_token };
    return true;
  } catch {
    tokens = null;
    return false;
  } finally {
    refreshing = null;
  }
}

function flag() {
  return readPref("session") === "1";
}

/** @param {boolean} on */
function setFlag(on) {
  writePref("session", on ? "1" : null);
}

/**
 * `fetch` that turns a network failure into an `ApiError` with status 0.
 *
 * @param {string} path
 * @param {RequestInit} init
 * @returns {Promise<Response>}
 */
async function send(path, init) {
  try {
    return await fetch(path, init);
  } catch (error) {
    throw new ApiError(0, null, `The service could not be reached (${String(error)})`);
  }
}

/**
 * @param {HeadersInit | undefined} base
 * @returns {Headers}
 */
function withAuth(base) {
  const headers = new Headers(base);
  if (tokens) headers.set("Authorization", `Bearer ${tokens.access}`);
  if (!headers.has("Accept-Language")) headers.set("Accept-Language", acceptLanguage);
  return headers;
}

/**
 * Calls the API with the access token (if any); on a 401 refreshes once and retries. Throws an
 * `ApiError` for any answer other than 2xx.
 *
 * @param {string} path
 * @param {RequestInit} [init]
 * @returns {Promise<Response>}
 */
export async function request(path, init = {}) {
  const hadToken = tokens !== null;
  let res = await send(path, { ...init, headers: withAuth(init.headers) });
  if (res.status === 401 && hadToken && await refresh()) {
    res = await send(path, { ...init, headers: withAuth(init.headers) });
  }
  if (!res.ok) throw await errorOf(res);
  return res;
}

/**
 * `request` and the JSON body. `json` is sent as the request's JSON body.
 *
 * @param {string} path
 * @param {RequestInit & { json?: unknown }} [init]
 * @returns {Promise<any>}
 */
export async function getJson(path, init = {}) {
  const { json, ...rest } = init;
  if (json !== undefined) {
    rest.body = JSON.stringify(json);
    rest.headers = { "Content-Type": "application/json", ...rest.headers };
  }
  return await (await request(path, rest)).json();
}

/**
 * The `ApiError` of a failed answer, from its error body when it has one.
 *
 * @param {Response} res
 * @returns {Promise<ApiError>}
 */
async function errorOf(res) {
  /** @type {Partial<ErrorBody> | null} */
  let body = null;
  try {
    body = await res.json();
  } catch {
    body = null;
  }
  return new ApiError(res.status, body, `${res.status} ${res.statusText}`.trim());
}

/**
 * `POST /api/upload` of `file` as multipart field `file`, through XMLHttpRequest because only
 * it reports upload progress. `onProgress(fraction)` follows the upload; `onSent()` is called
 * once the body is sent (the service then parses it). Refreshes once on a 401.
 *
 * @param {File} file
 * @param {{ onProgress: (fraction: number) => void, onSent: () => void }} handlers
 * @returns {Promise<any>}
 */
export async function uploadCsv(file, handlers) {
  const hadToken = tokens !== null;
  let answer = await xhrUpload(file, handlers);
  if (answer.status === 401 && hadToken && await refresh()) {
    answer = await xhrUpload(file, handlers);
  }
  if (answer.status < 200 || answer.status >= 300) {
    throw new ApiError(answer.status, answer.body, `Upload failed (${answer.status})`);
  }
  return answer.body;
}

/**
 * @param {File} file
 * @param {{ onProgress: (fraction: number) => void, onSent: () => void }} handlers
 * @returns {Promise<{ status: number, body: any }>}
 */
function xhrUpload(file, { onProgress, onSent }) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/upload");
    for (const [name, value] of withAuth(undefined)) xhr.setRequestHeader(name, value);
    xhr.responseType = "text";
    xhr.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    });
    xhr.upload.addEventListener("load", () => onSent());
    xhr.addEventListener("load", () => {
      let body = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = null;
      }
      resolve({ status: xhr.status, body });
    });
    xhr.addEventListener("error", () => {
      reject(new ApiError(0, null, "The upload could not reach the service"));
    });
    const form = new FormData();
    form.append("file", file, file.name);
    xhr.send(form);
  });
}

/**
 * Downloads `path` with the Authorization header and saves it through a Blob URL and an
 * `<a download>` click, so the token never appears in a URL. Returns the file's name.
 *
 * @param {string} path
 * @param {string} fallbackName
 * @returns {Promise<string>}
 */
export async function download(path, fallbackName) {
  const res = await request(path);
  const disposition = res.headers.get("Content-Disposition") ?? "";
  const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
  const name = match?.[1] ? decodeURIComponent(match[1]) : fallbackName;
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  // The click starts the download; the URL may go once the browser has taken the blob.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return name;
}
