/**
 * The dashboard as a local analyst keeps it open (open mode, no users): on the four datasets of
 * tests/data (`FIT_DATASETS=a,b` for fewer), at 375, 768 and 1280 px, in English, Spanish and
 * Portuguese, the rendered boxes are compared and asserted — every chart has a title inside its
 * figure, no chart text (legend names included) outside its chart, no legend outside its chart
 * or over a title, axis title or tick label, no header or button whose text is clipped — and
 * axe-core finds no serious or critical violation. No sign-in form ever shows, no uncaught error,
 * and a language switch never starts a segmentation; the chart titles follow the language.
 */
import assert from "node:assert/strict";
import { chromium, type Page } from "playwright-core";
import { axeViolations, BOX_HELPERS } from "./_layout.ts";
import { CHROMIUM, CHROMIUM_ARGS, hasChromium, startService } from "./_server.ts";

const DATA = new URL("../data/", import.meta.url);
/** The four real datasets of tests/data; `FIT_DATASETS=a,b` checks only those. */
const DATASETS = (Deno.env.get("FIT_DATASETS") ??
  "mall_customers,cc_general,marketing_campaign,wholesale_customers").split(",");
const WIDTHS = [375, 768, 1280];
const LANGUAGES = ["en", "es", "pt"] as const;

const skip = !hasChromium();

/**
 * Chart texts outside their chart, legends outside it or over a title or axis labels, chart
 * titles (the captions above the charts, or Plotly's own) outside their figure or missing.
 */
const CHART_PROBLEMS = `(() => {
  ${BOX_HELPERS}
  const problems = [];
  for (const chart of document.querySelectorAll(".chart")) {
    if (!chart.offsetParent) continue;
    const frame = box(chart);
    const figure = chart.closest("figure");
    const caption = figure && figure.querySelector("figcaption");
    if (!caption && !chart.querySelector(".gtitle")) problems.push(chart.id + ": no title");
    if (caption) {
      if (!caption.textContent.trim()) problems.push(chart.id + ": empty title");
      if (!inside(box(caption), box(figure)) || caption.scrollWidth > caption.clientWidth + 1) {
        problems.push(chart.id + ": title cut '" + caption.textContent.slice(0, 30) + "'");
      }
    }
    const texts = [...chart.querySelectorAll(".main-svg text")].filter((t) => t.textContent.trim());
    for (const t of texts) {
      const b = box(t);
      if (b.width === 0) continue;
      if (b.left < frame.left - 1 || b.right > frame.right + 1 || b.top < frame.top - 1 ||
        b.bottom > frame.bottom + 1) {
        problems.push(chart.id + ": text cut '" + t.textContent.slice(0, 30) + "'");
      }
    }
    const legend = chart.querySelector(".legend");
    if (legend) {
      const l = box(legend);
      if (!inside(l, frame)) problems.push(chart.id + ": legend outside the chart");
      for (const sel of [".gtitle", ".xtitle", ".ytitle", ".y2title", ".xtick text", ".ytick text"]) {
        for (const el of chart.querySelectorAll(sel)) {
          if (overlap(l, box(el))) problems.push(chart.id + ": legend over " + sel);
        }
      }
    }
    const title = chart.querySelector(".gtitle");
    if (title) {
      for (const sel of [".xtitle", ".ytitle", ".xtick text", ".ytick text"]) {
        for (const el of chart.querySelectorAll(sel)) {
          if (overlap(box(title), box(el))) problems.push(chart.id + ": title over " + sel);
        }
      }
    }
  }
  for (const el of document.querySelectorAll("th, button, label, h2, h3, h4, dt")) {
    if (!el.offsetParent) continue;
    if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflow !== "visible") {
      problems.push("clipped " + el.tagName + " '" + el.textContent.trim().slice(0, 30) + "'");
    }
  }
  return [...new Set(problems)];
})()`;

Deno.test({
  name:
    "local mode: every view fits at 375, 768 and 1280 px in three languages, with no serious axe violation and no sign-in form",
  ignore: skip,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using service = await startService({ OPEN_ACCESS: "1" });
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    try {
      // bypassCSP only lets the test inject axe-core; the page itself runs under its CSP.
      const page = await browser.newPage({
        viewport: { width: 1280, height: 900 },
        bypassCSP: true,
      });
      page.on("dialog", (d) => d.accept().catch(() => {}));
      const pageErrors: string[] = [];
      page.on("pageerror", (e) => pageErrors.push(e.message));
      const writes: string[] = [];
      page.on("request", (r) => {
        if (r.method() !== "GET") writes.push(`${r.method()} ${new URL(r.url()).pathname}`);
      });
      await page.goto(service.url);
      await page.locator("#workspace").waitFor({ state: "visible" });
      assert.equal(writes.length, 0, `the page load writes nothing: ${writes.join(", ")}`);
      assert.ok(await page.locator('[data-testid="signin-section"]').isHidden());
      const report: string[] = [];
      for (const name of DATASETS) {
        if (await page.inputValue("select#language") !== "en") {
          await page.selectOption("select#language", "en");
          await drawnIn(page, "en");
        }
        await page.setInputFiles("input#file", new URL(`${name}.csv`, DATA).pathname);
        await page.click('[data-testid="upload"]');
        await page.locator('[data-testid="column-roles"]').waitFor({ state: "visible" });
        await page.check('[data-testid="mode-algorithm"]');
        await page.fill("#n-clusters", "4");
        await page.click('[data-testid="run"]');
        await page.locator('[data-testid="segment-card"]').first().waitFor({ timeout: 180_000 });
        await drawnIn(page, "en");
        const enTitle = await page.locator("#sizes-title").textContent();
        for (const lang of LANGUAGES) {
          const runsBefore: number = writes.filter((w) => w.includes("/api/cluster")).length;
          const t0 = performance.now();
          if (lang !== "en") await page.selectOption("select#language", lang);
          await drawnIn(page, lang);
          const switchMs = Math.round(performance.now() - t0);
          const title = await page.locator("#sizes-title").textContent();
          if (lang === "en") assert.equal(title, enTitle);
          else assert.notEqual(title, enTitle, `${name}: the chart titles follow ${lang}`);
          assert.equal(
            writes.filter((w) => w.includes("/api/cluster")).length,
            runsBefore,
            "a language switch never runs the segmentation",
          );
          for (const width of WIDTHS) {
            await page.setViewportSize({ width, height: 900 });
            await refitted(page);
            const problems = await page.evaluate(CHART_PROBLEMS) as string[];
            const violations = await axeViolations(page);
            report.push(
              `${name} ${lang} ${width}px: ${problems.length} layout, ${violations.length} axe` +
                (width === WIDTHS[0] ? ` (switch ${switchMs} ms)` : ""),
            );
            assert.deepEqual(problems, [], `${name} ${lang} ${width}px`);
            assert.deepEqual(violations, [], `${name} ${lang} ${width}px (axe)`);
          }
        }
        await page.setViewportSize({ width: 1280, height: 900 });
        await refitted(page);
      }
      assert.ok(await page.locator('[data-testid="signin-section"]').isHidden());
      assert.deepEqual(pageErrors, [], "no uncaught error on the page");
      console.log(report.join("\n"));
    } finally {
      await browser.close();
    }
  },
});

/**
 * Waits until the results are drawn in `lang` (the page marks them when every chart is); a
 * language switch re-reads the stored run and redraws five charts, which takes seconds on a
 * busy machine with the 8,950 customers of cc_general.
 */
async function drawnIn(page: Page, lang: string): Promise<void> {
  await page.locator(`#results[data-language="${lang}"]:not([aria-busy])`).waitFor({
    timeout: 90_000,
  }).catch(async (error) => {
    const state = await page.evaluate(`JSON.stringify({
      results: document.querySelector("#results").outerHTML.slice(0, 200),
      alerts: [...document.querySelectorAll("[role=alert]")].map((a) => a.textContent.trim())
        .filter(Boolean),
    })`);
    throw new Error(`The results were not drawn in ${lang}: ${state}`, { cause: error });
  });
  for (const id of ["#scatter", "#sizes", "#means", "#heatmap"]) {
    await page.locator(`${id} .main-svg`).first().waitFor({ timeout: 30_000 });
  }
}

/** Waits for the charts to be redrawn at the new width (the page waits 150 ms, then draws). */
async function refitted(page: Page): Promise<void> {
  await page.waitForTimeout(400);
  await page.waitForFunction(
    `[...document.querySelectorAll(".chart")].every((c) => !c.offsetParent ||
      !c.querySelector(".main-svg") || Math.abs(c._fullLayout.width - c.clientWidth) < 2)`,
    undefined,
    { timeout: 20_000 },
  ).catch(async (error) => {
    // Which chart did not follow the width, to tell a slow redraw from one never made.
    const state = await page.evaluate(`JSON.stringify([...document.querySelectorAll(".chart")]
      .map((c) => ({ id: c.id, visible: !!c.offsetParent, drawn: !!c.querySelector(".main-svg"),
        layout: c._fullLayout?.width, client: c.clientWidth,
        scrollbar: document.documentElement.scrollHeight > innerHeight })))`);
    throw new Error(`The charts were not redrawn at the new width: ${state}`, { cause: error });
  });
  await page.waitForTimeout(200);
}
