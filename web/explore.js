/// <reference lib="dom" />
// @ts-check
/**
 * Document 003's views of the current dataset: `GET /api/segments/{type}` as a sortable, paged
 * table, and `GET /api/customers/{id}/segment?include_insights=true` as one customer's card.
 *
 * @module
 */
import { ApiError, getJson } from "./api.js";
import { byId, h, num, replace, text } from "./dom.js";
import { t } from "./i18n.js";

/** What the segments table shows now. */
const view = {
  sortBy: /** @type {string | null} */ (null),
  order: /** @type {"asc" | "desc"} */ ("desc"),
  offset: 0,
};

/**
 * Wires the segments-by-type controls. `onError` shows an error in the alert region.
 *
 * @param {(error: unknown) => void} onError
 */
export function setUpSegments(onError) {
  const type = byId("segment-type");
  const size = byId("page-size");
  type.addEventListener("change", () => {
    view.sortBy = null;
    view.order = "desc";
    view.offset = 0;
    loadSegments().catch(onError);
  });
  size.addEventListener("change", () => {
    view.offset = 0;
    loadSegments().catch(onError);
  });
  byId("page-prev").addEventListener("click", () => {
    view.offset = Math.max(0, view.offset - pageSize());
    loadSegments().catch(onError);
  });
  byId("page-next").addEventListener("click", () => {
    view.offset += pageSize();
    loadSegments().catch(onError);
  });
  byId("segment-table").addEventListener("click", (e) => {
    const button = /** @type {HTMLElement} */ (e.target).closest("button[data-sort]");
    if (!button) return;
    const field = button.getAttribute("data-sort");
    view.order = view.sortBy === field && view.order === "desc" ? "asc" : "desc";
    view.sortBy = field;
    view.offset = 0;
    loadSegments().catch(onError);
  });
}

function pageSize() {
  return Number(/** @type {HTMLSelectElement} */ (byId("page-size")).value) || 10;
}

/**
 * Loads the page of segments the controls describe. A type whose columns the dataset lacks is
 * shown as a message naming them (and raised, so the alert region says it too).
 */
export async function loadSegments() {
  const type = /** @type {HTMLSelectElement} */ (byId("segment-type")).value;
  const params = new URLSearchParams({
    limit: String(pageSize()),
    offset: String(view.offset),
    sort_order: view.order.toUpperCase(),
  });
  if (view.sortBy) params.set("sort_by", view.sortBy);
  const note = byId("segment-note");
  try {
    const body = await getJson(`/api/segments/${encodeURIComponent(type)}?${params}`);
    replace(note);
    renderSegments(body.data ?? {});
  } catch (error) {
    clearSegments();
    if (error instanceof ApiError && error.error === "missing_columns") {
      const missing = error.details?.missing_columns;
      const message = t("missing_columns", {
        columns: Array.isArray(missing) ? missing.join(", ") : "?",
      });
      replace(note, message);
      throw new ApiError(
        400,
        { code: "MISSING_COLUMNS", message, details: error.details },
        message,
      );
    }
    replace(note, error instanceof Error ? error.message : String(error));
    throw error;
  }
}

function clearSegments() {
  const tableEl = byId("segment-table");
  replace(tableEl);
  replace(byId("page-status"));
  /** @type {HTMLButtonElement} */ (byId("page-prev")).disabled = true;
  /** @type {HTMLButtonElement} */ (byId("page-next")).disabled = true;
}

/**
 * @param {Record<string, any>} data
 */
function renderSegments(data) {
  /** @type {Record<string, unknown>[]} */
  const segments = Array.isArray(data.segments) ? data.segments : [];
  const summary = data.request_summary ?? data;
  const rows = segments.map((s) => flatten(s));
  /** @type {string[]} */
  const columns = [];
  for (const row of rows) {
    for (const key of Object.keys(row)) {
      if (!columns.includes(key)) columns.push(key);
    }
  }
  // No column empty in every row, and not the type's own column when it repeats the name.
  const type = /** @type {HTMLSelectElement} */ (byId("segment-type")).value;
  const shown = columns.filter((col) =>
    rows.some((row) => row[col] !== null && row[col] !== undefined && row[col] !== "") &&
    !(col !== "segment_name" && rows.every((row) => row[col] === row.segment_name) &&
      (col === type || col.endsWith("_tier") || col.endsWith("_segment")))
  );
  const tableEl = byId("segment-table");
  const head = h(
    "tr",
    {},
    shown.map((col) => {
      const sortable = !col.includes(".");
      const sorted = view.sortBy === col;
      const label = fieldLabel(col);
      return h(
        "th",
        {
          scope: "col",
          "data-key": col,
          "aria-sort": sorted ? (view.order === "asc" ? "ascending" : "descending") : null,
        },
        sortable
          ? h(
            "button",
            { type: "button", class: "sort", "data-sort": col },
            label,
            sorted ? h("span", { "aria-hidden": "true" }, view.order === "asc" ? " ▲" : " ▼") : "",
          )
          : label,
      );
    }),
  );
  const body = rows.map((row) => h("tr", {}, shown.map((col) => h("td", {}, text(row[col])))));
  replace(tableEl, h("thead", {}, head), h("tbody", {}, body));

  const total = Number(summary.total_records ?? segments.length);
  const offset = Number(summary.offset ?? view.offset);
  replace(
    byId("page-status"),
    segments.length
      ? t("page_of", { from: offset + 1, to: offset + segments.length, total })
      : t("page_of", { from: 0, to: 0, total }),
  );
  /** @type {HTMLButtonElement} */ (byId("page-prev")).disabled = offset <= 0;
  /** @type {HTMLButtonElement} */ (byId("page-next")).disabled = !summary.has_more;
}

/**
 * The label of an API field for people, in the page's language: the dictionary's `h_<key>` (or
 * `type_<key>` for a segmentation type), else the key with spaces and a capital.
 *
 * @param {string} key
 * @returns {string}
 */
export function fieldLabel(key) {
  for (const candidate of [`h_${key}`, `type_${key}`, `role_${key}`]) {
    const label = t(/** @type {any} */ (candidate));
    if (label !== candidate) return label;
  }
  const words = key.replace(/[._]+/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * One level of nesting flattened into dotted keys (`demographics.avg_age`); deeper values and
 * arrays are shown as text.
 *
 * @param {Record<string, unknown>} obj
 * @returns {Record<string, unknown>}
 */
function flatten(obj) {
  /** @type {Record<string, unknown>} */
  const out = {};
  for (const [key, value] of Object.entries(obj)) {
    if (value && typeof value === "object" && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) out[`${key}.${k}`] = v;
    } else {
      out[key] = value;
    }
  }
  return out;
}

/**
 * Looks up customer `id` and shows every segment, churn risk and value score.
 *
 * @param {string} id
 */
export async function lookUpCustomer(id) {
  const result = byId("customer-result");
  replace(result);
  const body = await getJson(
    `/api/customers/${encodeURIComponent(id)}/segment?include_insights=true`,
  );
  const data = body.data ?? {};
  const insights = data.insights ?? {};
  /** @type {[string, unknown][]} */
  const head = [
    [t("customer_id"), data.customer_id],
    [t("name"), data.name],
    [t("email"), data.email],
    [t("value_score"), insights.value_score],
    [t("churn_risk"), insights.churn_risk],
    [t("product_affinity"), insights.product_affinity],
  ];
  // Segments without a value (a cluster before any run) are left out.
  const segments = Object.entries(data.segments ?? {}).filter(([, v]) =>
    v !== null && v !== undefined
  );
  /** @type {{ segmentation_type: string, missing_columns: string[] }[]} */
  const unavailable = data.unavailable_segments ?? [];
  replace(
    result,
    h(
      "dl",
      { class: "pairs" },
      // The id, value score and churn risk always; name, email and affinity when known.
      head.filter(([k, v]) =>
        (v !== null && v !== undefined) || k === t("value_score") ||
        k === t("churn_risk")
      ).flatMap(([k, v]) => [
        h("dt", {}, k),
        h("dd", { "data-field": k }, typeof v === "number" ? num(v, 2) : text(v)),
      ]),
    ),
    h("h3", {}, t("segments")),
    h(
      "dl",
      { class: "pairs" },
      segments.flatMap(([k, v]) => [h("dt", {}, fieldLabel(k)), h("dd", {}, text(v))]),
    ),
    unavailable.length
      ? [
        h("h3", {}, t("unavailable")),
        h(
          "ul",
          {},
          unavailable.map((u) =>
            h(
              "li",
              {},
              `${fieldLabel(u.segmentation_type)}: ${u.missing_columns.map(fieldLabel).join(", ")}`,
            )
          ),
        ),
      ]
      : null,
  );
}
