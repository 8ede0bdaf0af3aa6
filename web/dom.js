/// <reference lib="dom" />
// @ts-check
/**
 * DOM helpers. Nothing here parses markup: text goes in as `textContent` and attributes through
 * `setAttribute`, so a value from the data (a customer named `<img src=x onerror=alert(1)>`) is
 * always shown as text.
 *
 * @module
 */

/** @typedef {string | number | boolean | null | undefined} Scalar */
/** @typedef {Node | Scalar} Child */

/**
 * Creates `<tag>` with attributes and children (strings become text nodes). Attribute values
 * `false`, null and undefined are left out; `true` sets an empty attribute.
 *
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, Scalar>} [attrs]
 * @param {...(Child | Child[])} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    el.setAttribute(name, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

/**
 * @param {Element} parent
 * @param {(Child | Child[])[]} children
 */
function append(parent, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/**
 * Replaces the children of `parent`.
 *
 * @param {Element} parent
 * @param {...(Child | Child[])} children
 */
export function replace(parent, ...children) {
  parent.replaceChildren();
  append(parent, children);
}

/**
 * The element with id `id`; throws when the page lacks it (a bug, not a user error).
 *
 * @template {HTMLElement} [E=HTMLElement]
 * @param {string} id
 * @returns {E}
 */
export function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`Expected an element with id "${id}" in the page`);
  return /** @type {E} */ (el);
}

/**
 * Shows or hides `el` (the `hidden` attribute).
 *
 * @param {HTMLElement} el
 * @param {boolean} visible
 */
export function show(el, visible = true) {
  el.hidden = !visible;
}

/**
 * A number for people: integers as they are, others to `digits` decimals; `–` for none.
 *
 * @param {unknown} value
 * @param {number} [digits]
 * @returns {string}
 */
export function num(value, digits = 3) {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    return value === null || value === undefined ? "–" : String(value);
  }
  return Number.isInteger(value) ? value.toLocaleString() : value.toLocaleString(undefined, {
    maximumFractionDigits: digits,
  });
}

/**
 * A value of any shape as one line of text: arrays joined, objects as `key: value` pairs.
 *
 * @param {unknown} value
 * @returns {string}
 */
export function text(value) {
  if (value === null || value === undefined) return "–";
  if (typeof value === "number") return num(value);
  if (Array.isArray(value)) return value.map(text).join(", ");
  if (typeof value === "object") {
    return Object.entries(value).map(([k, v]) => `${k}: ${text(v)}`).join("; ");
  }
  return String(value);
}

/**
 * A table from rows of cells. `head` is the header row; `rowAttrs` may add attributes (a class)
 * per body row.
 *
 * @param {Child[]} head
 * @param {Child[][]} rows
 * @param {Record<string, Scalar>} [attrs]
 * @param {(index: number) => Record<string, Scalar>} [rowAttrs]
 * @returns {HTMLTableElement}
 */
export function table(head, rows, attrs = {}, rowAttrs = () => ({})) {
  return h(
    "table",
    attrs,
    h("thead", {}, h("tr", {}, head.map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, rows.map((r, i) => h("tr", rowAttrs(i), r.map((c) => h("td", {}, c))))),
  );
}
