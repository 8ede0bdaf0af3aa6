/// <reference lib="dom" />
// @ts-check
/**
 * The page's only use of web storage: two preferences that are not secrets — the language
 * chosen, and a flag saying a session cookie may exist (so that a page in open mode never asks
 * for one). Tokens are never stored: the access token lives in memory, the refresh token in an
 * HttpOnly cookie (docs/auth.md). Storage that refuses (private mode) is ignored.
 *
 * @module
 */

/** The keys this module may write, and nothing else. */
export const PREFS = /** @type {const} */ ({
  language: "segmentation.language",
  session: "segmentation.session",
});

/**
 * @param {keyof typeof PREFS} name
 * @returns {string | null}
 */
export function readPref(name) {
  try {
    return localStorage.getItem(PREFS[name]);
  } catch {
    return null;
  }
}

/**
 * Stores `value` under preference `name`; null removes it.
 *
 * @param {keyof typeof PREFS} name
 * @param {string | null} value
 */
export function writePref(name, value) {
  try {
    if (value === null) localStorage.removeItem(PREFS[name]);
    else localStorage.setItem(PREFS[name], value);
  } catch {
    // Refused: the preference lasts until the tab closes.
  }
}
