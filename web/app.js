/// <reference lib="dom" />
// @ts-check
/**
 * The dashboard's entry point: sign-in (or open mode), data, run, results, segments by type,
 * customer look-up, exports. One page whose sections appear as the workflow advances; every
 * call is a public `/api/*` route.
 *
 * @module
 */
import {
  ApiError,
  download,
  getJson,
  hasToken,
  login,
  logout,
  request,
  restoreSession,
  setApiLanguage,
  uploadCsv,
  whenSignedOut,
} from "./api.js";
import { csvHead } from "./csv.js";
import { byId, h, num, replace, show, table } from "./dom.js";
import { loadSegments, lookUpCustomer, setUpSegments } from "./explore.js";
import {
  applyLanguage,
  language,
  LANGUAGES,
  preferredLanguage,
  rememberLanguage,
  t,
} from "./i18n.js";
import { renderRoles, roleCorrections } from "./roles.js";
import { hideResults, loadPlotly, showResults } from "./results.js";

/**
 * The dataset answer of upload, `PUT /api/datasets/current` and the column map.
 *
 * @typedef {{ dataset_id: string, name: string, rows: number,
 *   column_types: Record<string, string>, column_map: Record<string, unknown>,
 *   column_roles: string[], income_scale?: number | null,
 *   roles?: { columns?: import("./roles.js").ColumnRole[] } }} DatasetSummary
 */

const state = {
  /** @type {DatasetSummary | null} */
  dataset: null,
  /** The parameters of the results on screen. */
  /** @type {Record<string, unknown> | null} */
  lastParams: null,
  busy: false,
  /** True when the service answered without credentials (open mode: there are no users). */
  open: false,
};

/** True once the workspace is shown (a `#job=` typed into the URL is followed from then on). */
let setUpCompleted = false;

/**
 * Holds (or releases) what changes the session's dataset: the upload, the stored datasets and
 * the column map. A run finishing after the dataset changed would become the session's
 * clustering of a dataset no longer current (its results on screen, then 400 `no_clustering`
 * on the next read), so a dataset change waits for the run, as a run waits for an upload.
 *
 * @param {boolean} held
 */
function holdDatasetChanges(held) {
  for (const id of ["upload-button", "use-dataset", "apply-map"]) {
    const button = /** @type {HTMLButtonElement | null} */ (document.getElementById(id));
    if (!button) continue;
    if (held) button.disabled = true;
    // The stored datasets' button stays off while there are none to use.
    else {button.disabled = id === "use-dataset" &&
        /** @type {HTMLSelectElement} */ (byId("dataset")).disabled;}
  }
}

// ---------------------------------------------------------------- alerts

/**
 * The message of `error` for people.
 *
 * @param {unknown} error
 */
function messageOf(error) {
  return error instanceof ApiError
    ? (error.status === 0 ? t("network_error") : error.message)
    : error instanceof Error
    ? error.message
    : String(error);
}

/**
 * Shows `error` beside the control that caused it: in the `.inline-error` of `where` (a form or
 * section; made on first use, `role="alert"` so screen readers announce it), else in the alert
 * region at the top.
 *
 * @param {unknown} error
 * @param {HTMLElement} [where]
 */
function showError(error, where) {
  if (!(error instanceof ApiError)) console.error(error);
  if (where) {
    let slot = where.querySelector(":scope > .inline-error");
    if (!slot) {
      slot = h("p", { class: "inline-error", role: "alert" });
      where.append(slot);
    }
    const code = error instanceof ApiError && error.status ? ` (${error.status})` : "";
    replace(slot, h("strong", {}, `${t("error")}${code}: `), messageOf(error));
    return;
  }
  const message = messageOf(error);
  const code = error instanceof ApiError && error.status ? ` (${error.status} ${error.error})` : "";
  const alert = h(
    "div",
    { class: "alert", role: "alert" },
    h("p", {}, h("strong", {}, `${t("error")}${code}: `), message),
    h("button", { type: "button", class: "dismiss", "aria-label": t("dismiss") }, "×"),
  );
  alert.querySelector("button")?.addEventListener("click", () => alert.remove());
  const region = byId("alerts");
  // The newest first; a few at most.
  region.prepend(alert);
  while (region.children.length > 3) region.lastElementChild?.remove();
}

/**
 * Removes the inline error of `where` (or of every form when none is given) and the alerts.
 *
 * @param {HTMLElement} [where]
 */
function clearAlerts(where) {
  replace(byId("alerts"));
  const scope = where ?? document;
  for (const el of scope.querySelectorAll(".inline-error")) el.remove();
}

/**
 * Runs `task`, showing any error beside `where` (the form or section it came from).
 *
 * @param {() => Promise<void>} task
 * @param {HTMLElement} [where]
 */
async function guarded(task, where) {
  if (where) clearAlerts(where);
  try {
    await task();
  } catch (error) {
    showError(error, where);
  }
}

/**
 * True when nothing on screen would be lost, or the analyst agreed to drop the results shown.
 */
function mayDropResults() {
  if (byId("results").hidden) return true;
  return confirm(t("confirm_drop"));
}

// ---------------------------------------------------------------- sign-in

async function start() {
  const lang = preferredLanguage();
  const select = /** @type {HTMLSelectElement} */ (byId("language"));
  select.value = lang;
  setLanguage(lang);

  wire();
  whenSignedOut(() => {
    if (state.open) return;
    showSignIn();
    showError(new ApiError(401, null, t("session_ended")));
  });
  await open();
}

/**
 * Opens the workspace: after a reload, the session cookie's new access token first; then the
 * dataset listing. Only a 401 shows the sign-in form; any other failure (a 429, the service
 * down) is shown with a button to try again, never as a sign-in form.
 */
async function open() {
  clearAlerts();
  try {
    const restored = await restoreSession();
    const datasets = await getJson("/api/datasets");
    state.open = !restored && !hasToken();
    await enterWorkspace(datasets);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      showSignIn();
      return;
    }
    showError(error);
    const retry = h("button", { type: "button", class: "secondary" }, t("retry"));
    retry.addEventListener("click", () => open());
    byId("alerts").firstElementChild?.append(retry);
  }
}

function showSignIn() {
  show(byId("signin-section"));
  show(byId("workspace"), false);
  show(byId("signout"), false);
  byId("username").focus();
}

/**
 * @param {{ datasets: { id: string, name: string, rows?: number }[],
 *   current_dataset_id: string | null }} listing
 */
async function enterWorkspace(listing) {
  show(byId("signin-section"), false);
  show(byId("workspace"));
  show(byId("signout"), hasToken());
  // Fetch the charting library while the analyst picks data.
  loadPlotly().catch(() => {});
  fillDatasets(listing);
  setUpCompleted = true;

  const job = jobInHash();
  if (listing.current_dataset_id) {
    // A read: opening the page changes nothing on the service.
    const summary = await getJson("/api/datasets/current");
    await showDataset(summary, null, { keepResults: true });
    if (!job) {
      // The session's latest clustering, if it is of this dataset.
      try {
        const report = await getJson("/api/cluster-data");
        state.lastParams = report.params ?? null;
        await showResults(report);
      } catch (error) {
        if (!(error instanceof ApiError && error.status === 400)) throw error;
      }
    }
  }
  if (job) await followHeld(job);
}

/**
 * Follows job `id` from the URL (a reload, a `#job=` typed in), holding the run and the dataset
 * changes meanwhile as a run started here does.
 *
 * @param {string} id
 */
async function followHeld(id) {
  state.busy = true;
  const button = /** @type {HTMLButtonElement} */ (byId("run"));
  button.disabled = true;
  holdDatasetChanges(true);
  try {
    await followJob(id, performance.now());
  } finally {
    state.busy = false;
    button.disabled = false;
    holdDatasetChanges(false);
  }
}

/**
 * @param {{ datasets: { id: string, name: string, rows?: number }[],
 *   current_dataset_id: string | null }} listing
 */
function fillDatasets(listing) {
  const select = /** @type {HTMLSelectElement} */ (byId("dataset"));
  const options = listing.datasets.map((d) =>
    h(
      "option",
      { value: d.id, selected: d.id === listing.current_dataset_id },
      typeof d.rows === "number" ? `${d.name} (${num(d.rows)})` : d.name,
    )
  );
  replace(select, options.length ? options : h("option", { value: "" }, t("no_stored")));
  select.disabled = options.length === 0;
  /** @type {HTMLButtonElement} */ (byId("use-dataset")).disabled = options.length === 0;
}

async function refreshDatasets() {
  fillDatasets(await getJson("/api/datasets"));
}

// ---------------------------------------------------------------- data

/**
 * Shows a dataset: its quality, a preview (rows of `file` when the page has it), its column map;
 * opens the run, segments and look-up sections.
 *
 * @param {DatasetSummary} summary
 * @param {File | null} file
 * @param {{ keepResults?: boolean }} [options]
 */
async function showDataset(summary, file, options = {}) {
  state.dataset = summary;
  if (!options.keepResults) {
    if (!byId("results").hidden) replace(byId("run-status"), t("results_dropped"));
    hideResults();
    state.lastParams = null;
  }
  const quality = await getJson("/api/data-quality");
  renderQuality(summary, quality.metrics);
  await renderPreview(file);
  renderColumnMap(summary);
  for (const id of ["run-section", "explore-section", "lookup-section"]) show(byId(id));
  loadSegments().catch(() => {});
}

/**
 * @param {DatasetSummary} summary
 * @param {any} m
 */
function renderQuality(summary, m) {
  const section = byId("quality");
  const facts = [
    [t("rows"), m.total_rows],
    [t("columns"), m.total_columns],
    [t("numeric_columns"), m.numeric_columns],
    [t("categorical_columns"), m.categorical_columns],
    [t("duplicates"), m.duplicate_rows],
  ];
  const types = m.column_types ?? summary.column_types ?? {};
  const columns = Object.keys(types);
  replace(
    byId("quality-body"),
    h("p", { class: "dataset-name" }, summary.name),
    h(
      "dl",
      { class: "facts" },
      facts.map(([k, v]) => h("div", {}, h("dt", {}, k), h("dd", { "data-fact": k }, num(v)))),
    ),
    h(
      "div",
      { class: "table-wrap", tabindex: "0" },
      table(
        [t("column"), t("type"), t("missing"), t("missing_pct")],
        columns.map((c) => [
          c,
          types[c],
          num(m.missing_values?.[c] ?? 0),
          `${num(m.missing_percentage?.[c] ?? 0, 2)} %`,
        ]),
      ),
    ),
  );
  show(section);
}

/**
 * @param {File | null} file
 */
async function renderPreview(file) {
  const body = byId("preview-body");
  show(byId("preview"));
  if (!file) {
    replace(body, h("p", { class: "muted" }, t("preview_none")));
    return;
  }
  const { header, rows } = await csvHead(file, 10);
  replace(body, h("div", { class: "table-wrap", tabindex: "0" }, table(header, rows)));
}

/**
 * @param {DatasetSummary} summary
 */
function renderColumnMap(summary) {
  const form = byId("column-map");
  const columns = Object.keys(summary.column_types ?? {});
  // The roles come from the service, so the form and the API never disagree on them.
  const fields = summary.column_roles.map((role) => {
    const id = `role-${role}`;
    const chosen = summary.column_map?.[role];
    return h(
      "div",
      { class: "field" },
      h("label", { for: id }, t(/** @type {any} */ (`role_${role}`))),
      h(
        "select",
        { id, name: role },
        h("option", { value: "" }, t("none")),
        columns.map((c) => h("option", { value: c, selected: c === chosen }, c)),
      ),
    );
  });
  const scale = h(
    "div",
    { class: "field" },
    h("label", { for: "income-scale" }, t("income_scale")),
    h("input", {
      id: "income-scale",
      name: "income_scale",
      type: "number",
      min: "0",
      step: "any",
      inputmode: "decimal",
      value: summary.income_scale ?? "",
    }),
  );
  replace(byId("column-map-fields"), fields, scale);
  renderRoles(byId("column-roles"), summary);
  show(form);
}

async function uploadFile() {
  const input = /** @type {HTMLInputElement} */ (byId("file"));
  const file = input.files?.[0];
  if (!file) throw new Error(t("choose_file"));
  if (!mayDropResults()) {
    replace(byId("upload-status"), t("cancelled"));
    return;
  }
  const progress = /** @type {HTMLProgressElement} */ (byId("upload-progress"));
  const status = byId("upload-status");
  progress.value = 0;
  show(progress);
  replace(status, t("uploading"));
  // Until the new file is the dataset, the previous one's column map and run would act on the
  // dataset being replaced: both wait for the upload, as does another dataset change.
  holdDatasetChanges(true);
  const run = /** @type {HTMLButtonElement} */ (byId("run"));
  run.disabled = true;
  show(byId("column-map"), false);
  hideResults();
  try {
    const summary = await uploadCsv(file, {
      onProgress: (f) => progress.value = f,
      onSent: () => {
        // Indeterminate while the service parses and profiles the file.
        progress.removeAttribute("value");
        replace(status, t("parsing"));
      },
    });
    progress.value = 1;
    replace(status, t("uploaded_rows", { rows: num(summary.rows) }));
    clearJobHash();
    await showDataset(summary, file);
    await refreshDatasets();
  } catch (error) {
    show(progress, false);
    replace(status);
    if (state.dataset) show(byId("column-map"));
    throw error;
  } finally {
    holdDatasetChanges(false);
    run.disabled = state.busy;
  }
}

async function useStoredDataset() {
  const id = /** @type {HTMLSelectElement} */ (byId("dataset")).value;
  if (!id) return;
  if (id === state.dataset?.dataset_id) return;
  if (!mayDropResults()) return;
  await whileDatasetChanges(async () => {
    const summary = await getJson("/api/datasets/current", {
      method: "PUT",
      json: { dataset_id: id },
    });
    clearJobHash();
    await showDataset(summary, null);
  });
}

/**
 * Runs `change` (a change of the session's dataset) with the run and the other dataset changes
 * held: a run asked for meanwhile would run on whichever dataset the service had first.
 *
 * @param {() => Promise<void>} change
 */
async function whileDatasetChanges(change) {
  const run = /** @type {HTMLButtonElement} */ (byId("run"));
  run.disabled = true;
  holdDatasetChanges(true);
  try {
    await change();
  } finally {
    holdDatasetChanges(false);
    run.disabled = state.busy;
  }
}

async function saveColumnMap() {
  const form = /** @type {HTMLFormElement} */ (byId("column-map"));
  /** @type {Record<string, unknown>} */
  const body = {};
  for (const role of state.dataset?.column_roles ?? []) {
    const select = /** @type {HTMLSelectElement | null} */ (form.elements.namedItem(role));
    if (select) body[role] = select.value === "" ? null : select.value;
  }
  const scale = /** @type {HTMLInputElement} */ (byId("income-scale")).value;
  if (scale !== "") body.income_scale = Number(scale);
  const columns = state.dataset ? roleCorrections(byId("column-roles"), state.dataset) : {};
  if (Object.keys(columns).length > 0) body.columns = columns;
  if (!mayDropResults()) {
    replace(byId("column-map-status"), t("cancelled"));
    return;
  }
  await whileDatasetChanges(async () => {
    const summary = await getJson("/api/datasets/current/columns", { method: "PUT", json: body });
    replace(byId("column-map-status"), t("map_saved"));
    await showDataset(summary, lastFile());
    await refreshDatasets();
  });
}

/** The file chosen in the upload form, for the preview after a column-map change. */
function lastFile() {
  return /** @type {HTMLInputElement} */ (byId("file")).files?.[0] ?? null;
}

// ---------------------------------------------------------------- run

/** The request body the run form describes. */
function runParams() {
  const form = /** @type {HTMLFormElement} */ (byId("run-form"));
  const mode = /** @type {RadioNodeList} */ (form.elements.namedItem("mode")).value;
  const seed = Number(/** @type {HTMLInputElement} */ (byId("random-state")).value || 42);
  if (mode === "auto") {
    const max = Number(/** @type {HTMLInputElement} */ (byId("max-clusters")).value || 10);
    return { algorithm: "auto", max_clusters: max, random_state: seed };
  }
  const algorithm = /** @type {HTMLSelectElement} */ (byId("algorithm")).value;
  const k = Number(/** @type {HTMLInputElement} */ (byId("n-clusters")).value || 5);
  return { algorithm, n_clusters: k, random_state: seed };
}

/**
 * Runs a segmentation as a job (`Prefer: respond-async`), follows its progress and shows the
 * results. The job id is kept in the URL (`#job=<id>`), so a reload comes back to it.
 *
 * @param {Record<string, unknown>} params
 * @param {string} [message] the status line while it runs
 */
async function runSegmentation(params, message) {
  if (state.busy) return;
  state.busy = true;
  const started = performance.now();
  const button = /** @type {HTMLButtonElement} */ (byId("run"));
  button.disabled = true;
  holdDatasetChanges(true);
  try {
    clearAlerts();
    setRunProgress(0, message ?? t("queued"));
    const res = await request("/api/cluster", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Prefer": "respond-async" },
      body: JSON.stringify(params),
    });
    const body = await res.json();
    state.lastParams = params;
    if (res.status === 202) {
      history.replaceState(null, "", `#job=${encodeURIComponent(body.job_id)}`);
      await followJob(body.job_id, started, message);
    } else {
      await finishRun(body, started);
    }
  } catch (error) {
    show(byId("run-progress"), false);
    replace(byId("run-status"));
    throw error;
  } finally {
    state.busy = false;
    button.disabled = false;
    holdDatasetChanges(false);
  }
}

/**
 * Polls job `id` until it ends, then shows its result.
 *
 * @param {string} id
 * @param {number} started `performance.now()` when the run was asked for
 * @param {string} [message]
 */
async function followJob(id, started, message) {
  let delay = 150;
  for (;;) {
    const { data: job } = await getJson(`/api/jobs/${encodeURIComponent(id)}`);
    if (job.status === "succeeded") break;
    if (job.status === "failed") {
      clearJobHash();
      throw new ApiError(409, {
        error: "job_failed",
        message: job.error?.message ?? "The segmentation failed",
      }, "The segmentation failed");
    }
    setRunProgress(
      job.progress,
      message ?? (job.status === "queued" ? t("queued") : stageOf(job)),
    );
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(1000, delay * 1.5);
  }
  const report = await getJson(`/api/jobs/${encodeURIComponent(id)}/result`);
  if (!state.lastParams) state.lastParams = report.params ?? null;
  await finishRun(report, started);
}

/**
 * @param {any} report
 * @param {number} started
 */
async function finishRun(report, started) {
  setRunProgress(1, t("running"));
  await showResults(report);
  const ms = Math.round(performance.now() - started);
  byId("results").setAttribute("data-run-ms", String(ms));
  replace(byId("run-status"), `${t("done")} ${num(ms / 1000, 1)} s`);
  show(byId("run-progress"), false);
  loadSegments().catch(() => {});
}

/**
 * The stage a running job reports, in words, with its percentage: the job's `stage` (`reading`,
 * `candidates` with `done` of `total`, `selection`, `profiles`, `names`; `GET /api/jobs/{id}`),
 * else a stage read from its progress fraction (a job type that reports none).
 *
 * @param {{ progress?: number, stage?: string, done?: number, total?: number }} job
 */
function stageOf(job) {
  const p = Number(job.progress) || 0;
  const stage = job.stage ??
    (p < 0.1 ? "reading" : p < 0.8 ? "candidates" : p < 0.9 ? "profiles" : "names");
  const i = job.done;
  const n = job.total;
  const words = stage === "reading"
    ? t("stage_reading")
    : stage === "candidates"
    ? (typeof i === "number" && typeof n === "number" && n > 0
      ? t("stage_candidate", { i: Math.min(n, i + 1), n })
      : t("stage_candidates"))
    : stage === "selection"
    ? t("stage_selection")
    : stage === "profiles"
    ? t("stage_profiles")
    : stage === "names"
    ? t("stage_names")
    : t("running");
  return t("progress_pct", { stage: words, pct: Math.round(p * 100) });
}

/**
 * @param {number} fraction
 * @param {string} message
 */
function setRunProgress(fraction, message) {
  const progress = /** @type {HTMLProgressElement} */ (byId("run-progress"));
  progress.value = Math.max(0, Math.min(1, Number(fraction) || 0));
  progress.setAttribute("aria-valuetext", message);
  show(progress);
  replace(byId("run-status"), message);
}

/** The job id in the URL (`#job=<id>`), or null. */
function jobInHash() {
  const id = new URLSearchParams(location.hash.slice(1)).get("job");
  return id && /^[\w-]{1,200}$/.test(id) ? id : null;
}

function clearJobHash() {
  if (location.hash) history.replaceState(null, "", location.pathname + location.search);
}

// ---------------------------------------------------------------- language

/**
 * @param {string} lang
 */
function setLanguage(lang) {
  const chosen = /** @type {import("./i18n.js").Language} */ (
    LANGUAGES.includes(/** @type {any} */ (lang)) ? lang : "en"
  );
  applyLanguage(chosen);
  setApiLanguage(chosen);
}

/**
 * Switches the page to `lang` at once and remembers it: the labels here, and the results, the
 * dataset's forms and the segment tables read again in the new language. Reads only: the
 * service re-describes the stored run, it never segments again.
 *
 * @param {string} lang
 */
async function switchLanguage(lang) {
  setLanguage(lang);
  rememberLanguage(/** @type {any} */ (lang));
  if (state.dataset) {
    // The roles' evidence is worded by the service in the language asked.
    const current = await getJson("/api/datasets/current");
    if (language() !== lang) return;
    const shown = state.dataset;
    if (!shown) return;
    if (current.dataset_id === shown.dataset_id) state.dataset = { ...shown, roles: current.roles };
    renderColumnMap(state.dataset ?? shown);
    const quality = await getJson("/api/data-quality");
    renderQuality(state.dataset, quality.metrics);
    loadSegments().catch(() => {});
  }
  if (!byId("results").hidden) {
    const report = await getJson("/api/cluster-data");
    // Switched again meanwhile (that switch draws them in its language), or a new dataset hid
    // them: nothing to draw.
    if (language() !== lang || byId("results").hidden) return;
    await showResults(report);
  }
}

// ---------------------------------------------------------------- wiring

function wire() {
  byId("signin-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const form = byId("signin-form");
    guarded(async () => {
      const username = /** @type {HTMLInputElement} */ (byId("username")).value;
      const password = /** @type {HTMLInputElement} */ (byId("password"));
      const button = /** @type {HTMLButtonElement} */ (byId("signin-button"));
      button.disabled = true;
      try {
        await login(username, password.value);
      } finally {
        button.disabled = false;
        password.value = "";
      }
      clearAlerts();
      await enterWorkspace(await getJson("/api/datasets"));
      // The focused button is gone with the sign-in form: keyboard users start at the content.
      byId("main").focus();
    }, form);
  });
  byId("signout").addEventListener("click", () => {
    guarded(async () => {
      await logout();
      clearJobHash();
      location.reload();
    });
  });
  byId("language").addEventListener("change", (e) => {
    const lang = /** @type {HTMLSelectElement} */ (e.target).value;
    guarded(() => switchLanguage(lang));
  });
  byId("upload-form").addEventListener("submit", (e) => {
    e.preventDefault();
    guarded(uploadFile, byId("upload-form"));
  });
  byId("dataset-form").addEventListener("submit", (e) => {
    e.preventDefault();
    guarded(useStoredDataset, byId("dataset-form"));
  });
  byId("column-map").addEventListener("submit", (e) => {
    e.preventDefault();
    guarded(saveColumnMap, byId("column-map"));
  });
  const form = /** @type {HTMLFormElement} */ (byId("run-form"));
  form.addEventListener("change", () => {
    const mode = /** @type {RadioNodeList} */ (form.elements.namedItem("mode")).value;
    show(byId("auto-options"), mode === "auto");
    show(byId("algorithm-options"), mode !== "auto");
  });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    guarded(() => runSegmentation(runParams()), form);
  });
  for (const format of ["csv", "json", "html"]) {
    byId(`export-${format}`).addEventListener("click", () => {
      guarded(async () => {
        const name = await download(`/api/export?format=${format}`, `segments.${format}`);
        replace(byId("export-status"), `${t("downloaded")}: ${name}`);
      }, byId("exports"));
    });
  }
  setUpSegments((error) => showError(error, byId("explore-controls")));
  byId("lookup-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const id = /** @type {HTMLInputElement} */ (byId("customer-id")).value.trim();
    if (!id) return;
    guarded(async () => {
      try {
        await lookUpCustomer(id);
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) {
          throw new ApiError(404, null, t("lookup_not_found", { id }));
        }
        throw error;
      }
    }, byId("lookup-form"));
  });
  globalThis.addEventListener("hashchange", () => {
    const job = jobInHash();
    if (job && setUpCompleted && !state.busy) {
      guarded(() => followHeld(job), byId("run-form"));
    }
  });
}

start();
