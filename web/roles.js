/// <reference lib="dom" />
// @ts-check
/**
 * The business roles of the current dataset's columns (docs/roles.md) in the column-map form:
 * one row per column with its detected (or corrected) role, unit, confidence and evidence, and
 * a role and a unit the analyst may correct. `roleCorrections` reads back the rows changed, in
 * the shape of `PUT /api/datasets/current/columns`'s `columns`.
 *
 * @module
 */
import { h, num, replace } from "./dom.js";
import { t } from "./i18n.js";

/** The business roles a column can take (domain/description/roles.ts). */
const ROLES = [
  "spend",
  "purchases",
  "frequency",
  "ticket",
  "loyalty",
  "tenure",
  "recency",
  "age",
  "income",
];

/** The units each role takes; roles not listed take none. */
/** @type {Record<string, string[]>} */
const UNITS_OF = {
  tenure: ["days", "months", "years", "date"],
  recency: ["days", "months", "years", "date"],
  age: ["years", "birth_year"],
};

/**
 * @typedef {{ column: string, role: string | null, confidence?: number, unit?: string | null,
 *   evidence?: string[], source?: string, ask?: string }} ColumnRole
 */

/**
 * The rows of the form: every column the service reports a role for, then the other numeric
 * and date columns (no role), so any column can be given one.
 *
 * @param {{ column_types?: Record<string, string>, roles?: { columns?: ColumnRole[] } }} summary
 * @returns {ColumnRole[]}
 */
function rowsOf(summary) {
  const reported = summary.roles?.columns ?? [];
  const seen = new Set(reported.map((r) => r.column));
  const others = Object.entries(summary.column_types ?? {})
    .filter(([name, kind]) => !seen.has(name) && (kind === "numeric" || kind === "date"))
    .map(([name]) => ({ column: name, role: null }));
  return [...reported, ...others];
}

/**
 * Fills `container` with the roles table of `summary`.
 *
 * @param {HTMLElement} container
 * @param {any} summary
 */
export function renderRoles(container, summary) {
  const rows = rowsOf(summary);
  if (rows.length === 0) {
    replace(container, h("p", { class: "muted" }, t("no_roles")));
    return;
  }
  const body = rows.map((r, i) => {
    const roleId = `br-role-${i}`;
    const unitId = `br-unit-${i}`;
    const roleSelect = h(
      "select",
      {
        id: roleId,
        "data-column": r.column,
        "data-detected": r.role ?? "",
        "aria-label": t("role_of", { column: r.column }),
      },
      h("option", { value: "" }, t("none")),
      ROLES.map((role) =>
        h(
          "option",
          { value: role, selected: role === r.role },
          t(/** @type {any} */ (`br_${role}`)),
        )
      ),
    );
    const unitSelect = h("select", {
      id: unitId,
      "data-unit-for": r.column,
      "data-detected": r.unit ?? "",
      "aria-label": t("unit_of", { column: r.column }),
    });
    fillUnits(unitSelect, r.role ?? "", r.unit ?? "");
    roleSelect.addEventListener("change", () => fillUnits(unitSelect, roleSelect.value, ""));
    const evidence = [...(r.evidence ?? []), ...(r.ask ? [r.ask] : [])];
    return h(
      "tr",
      {},
      h("th", { scope: "row" }, r.column),
      h("td", {}, roleSelect),
      h("td", {}, unitSelect),
      h(
        "td",
        { class: "num" },
        typeof r.confidence === "number" ? `${num(r.confidence * 100, 0)} %` : "–",
        r.source === "corrected" ? ` (${t("corrected")})` : "",
      ),
      h(
        "td",
        { class: "evidence" },
        evidence.length ? h("ul", {}, evidence.map((e) => h("li", {}, e))) : "–",
      ),
    );
  });
  replace(
    container,
    h(
      "div",
      { class: "table-wrap", tabindex: "0" },
      h(
        "table",
        { "data-testid": "column-roles" },
        h("caption", {}, t("detected_roles")),
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            [t("column"), t("col_role"), t("col_unit"), t("col_confidence"), t("col_evidence")]
              .map((c) => h("th", { scope: "col" }, c)),
          ),
        ),
        h("tbody", {}, body),
      ),
    ),
  );
}

/**
 * @param {HTMLSelectElement} select
 * @param {string} role
 * @param {string} unit
 */
function fillUnits(select, role, unit) {
  const units = UNITS_OF[role] ?? [];
  replace(
    select,
    h("option", { value: "" }, units.length ? t("none") : "–"),
    units.map((u) =>
      h("option", { value: u, selected: u === unit }, t(/** @type {any} */ (`unit_${u}`)))
    ),
  );
  select.disabled = units.length === 0;
}

/**
 * The corrections of the rows whose role or unit differ from what the service reported:
 * `{COLUMN: {role, unit?}}` (a role of null removes the column from every role).
 *
 * @param {HTMLElement} container
 * @param {any} _summary
 * @returns {Record<string, { role: string | null, unit?: string }>}
 */
export function roleCorrections(container, _summary) {
  /** @type {Record<string, { role: string | null, unit?: string }>} */
  const out = {};
  for (const select of container.querySelectorAll("select[data-column]")) {
    const roleSelect = /** @type {HTMLSelectElement} */ (select);
    const column = roleSelect.getAttribute("data-column") ?? "";
    const unitSelect = /** @type {HTMLSelectElement | null} */ (
      [...container.querySelectorAll("select[data-unit-for]")].find((u) =>
        u.getAttribute("data-unit-for") === column
      ) ?? null
    );
    const role = roleSelect.value;
    const unit = unitSelect?.value ?? "";
    const roleChanged = role !== (roleSelect.getAttribute("data-detected") ?? "");
    const unitChanged = unit !== (unitSelect?.getAttribute("data-detected") ?? "");
    if (!roleChanged && !unitChanged) continue;
    out[column] = { role: role === "" ? null : role, ...(unit ? { unit } : {}) };
  }
  return out;
}
