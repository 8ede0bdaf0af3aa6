/**
 * The dashboard with the keyboard alone (issue 15): on the Mall dataset, in open mode, every step
 * of the main flow is reached with Tab / Shift+Tab and done with Enter, Space, typing or the
 * arrow keys — skip to the content, choose and upload a file, run the segmentation, switch the
 * language, export the HTML report, open a segment's statistics, sort the segments by type, look
 * a customer up. No mouse and no `click()`: the one exception is the file itself, which is set
 * with `setInputFiles` on the file input once Tab has focused it (the operating system's file
 * dialog is outside the page). Every element Tab lands on shows a focus outline, and axe-core
 * finds no serious or critical violation on each view visited.
 */
import assert from "node:assert/strict";
import { chromium, type Page } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS, hasChromium, startService } from "./_server.ts";

const AXE = (await import("axe-core/axe.min.js", { with: { type: "text" } })).default;
const MALL = new URL("../data/mall_customers.csv", import.meta.url);

/** The focused element, and whether it shows a focus outline the eye can see. */
const FOCUSED = `(() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const outlined = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
  const box = el.getBoundingClientRect();
  const label = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (el.getAttribute("data-testid") ? "[" + el.getAttribute("data-testid") + "]" : "") +
    (el.className && typeof el.className === "string" ? "." + el.className.split(" ")[0] : "") +
    " '" + (el.textContent ?? "").trim().slice(0, 20) + "'";
  // Faded out (Plotly's tool bar until the pointer hovers its chart) is not visible either.
  let opacity = 1;
  for (let at = el; at; at = at.parentElement) opacity *= Number(getComputedStyle(at).opacity);
  return { label, outlined, visible: box.width > 0 && box.height > 0 && opacity >= 0.5 };
})()`;

interface Focused {
  label: string;
  outlined: boolean;
  visible: boolean;
}

/** Every element Tab landed on without a visible focus outline. */
const unoutlined = new Set<string>();

/**
 * Presses Tab (or Shift+Tab) until the focused element matches `selector`; fails when it is not
 * reached within `max` presses. Each element passed on the way must show its focus.
 */
async function tabTo(page: Page, selector: string, backwards = false, max = 150): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(backwards ? "Shift+Tab" : "Tab");
    const focused = await page.evaluate(FOCUSED) as Focused | null;
    if (focused && !focused.outlined) unoutlined.add(`${focused.label}: no outline`);
    if (focused && !focused.visible) unoutlined.add(`${focused.label}: not on screen`);
    if (await page.evaluate(`document.activeElement?.matches(${JSON.stringify(selector)})`)) {
      return;
    }
  }
  const at = await page.evaluate(FOCUSED) as Focused | null;
  throw new Error(
    `${selector} not reached with ${backwards ? "Shift+Tab" : "Tab"}; at ${at?.label}`,
  );
}

async function axeViolations(page: Page): Promise<string[]> {
  if (!await page.evaluate("typeof axe !== 'undefined'")) await page.addScriptTag({ content: AXE });
  return await page.evaluate(`axe.run(document, {
    runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
  }).then((r) => r.violations.filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => v.id + " (" + v.impact + "): " + v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")))`) as string[];
}

Deno.test({
  name:
    "keyboard only: upload, run, language, export, a segment's details and a look-up, focus always visible",
  ignore: !hasChromium(),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using service = await startService({ OPEN_ACCESS: "1" });
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    try {
      // bypassCSP only lets the test inject axe-core; the page itself runs under its CSP.
      const context = await browser.newContext({
        viewport: { width: 1280, height: 900 },
        acceptDownloads: true,
        bypassCSP: true,
      });
      const page = await context.newPage();
      const pageErrors: string[] = [];
      page.on("pageerror", (e) => pageErrors.push(e.message));
      const axe: Record<string, string[]> = {};
      await page.goto(service.url);
      await page.locator("#workspace").waitFor({ state: "visible" });

      // 0. The first Tab lands on the skip link, shown; Enter takes the focus to the content.
      await tabTo(page, "a.skip", false, 1);
      await page.keyboard.press("Enter");
      assert.equal(await page.evaluate("document.activeElement?.id"), "main");

      // 1. The file: Tab to the file input, hand it the file, Tab to Upload, Enter.
      await tabTo(page, "input#file", false, 5);
      await page.setInputFiles("input#file", MALL.pathname);
      await tabTo(page, '[data-testid="upload"]');
      await page.keyboard.press("Enter");
      await page.locator('[data-testid="column-roles"]').waitFor({ state: "visible" });
      axe.data = await axeViolations(page);

      // 2. The run: the largest k typed in, the mode chosen with the arrow keys and back, Space
      // on the run button.
      await tabTo(page, '[data-testid="mode-auto"]');
      await page.keyboard.press("ArrowDown");
      assert.ok(await page.isChecked('[data-testid="mode-algorithm"]'), "arrow keys pick a mode");
      assert.ok(await page.locator("#n-clusters").isVisible());
      await page.keyboard.press("ArrowUp");
      assert.ok(await page.isChecked('[data-testid="mode-auto"]'));
      await tabTo(page, "#max-clusters");
      await page.keyboard.press("Control+A");
      await page.keyboard.type("4");
      await tabTo(page, '[data-testid="run"]');
      await page.keyboard.press("Space");
      await page.locator('#results[data-run-ms][data-language="en"]:not([aria-busy])').waitFor({
        timeout: 120_000,
      });
      await page.locator('[data-testid="segment-card"]').first().waitFor();
      axe.results = await axeViolations(page);

      // 3. The language: back up to the language menu, the arrow key chooses Spanish.
      await tabTo(page, "select#language", true, 250);
      await page.keyboard.press("ArrowDown");
      assert.equal(await page.inputValue("select#language"), "es");
      await page.locator('#results[data-language="es"]:not([aria-busy])').waitFor({
        timeout: 90_000,
      });
      assert.equal(await page.getAttribute("html", "lang"), "es");
      axe.results_es = await axeViolations(page);

      // 4. An export: Tab to the HTML report's button, Enter starts the download.
      await tabTo(page, '[data-testid="export-html"]', false, 250);
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.keyboard.press("Enter"),
      ]);
      assert.match(download.suggestedFilename(), /\.html$/);

      // 5. A segment's details: its disclosure opens with Enter, and closes and opens with Space.
      await tabTo(page, '[data-testid="segment-details"] > summary');
      await page.keyboard.press("Enter");
      const details = page.locator('[data-testid="segment-details"]').first();
      assert.equal(await details.getAttribute("open"), "");
      await page.keyboard.press("Space");
      assert.equal(await details.getAttribute("open"), null);
      await page.keyboard.press("Space");
      assert.equal(await details.getAttribute("open"), "");
      assert.ok(await details.locator("table td").first().isVisible(), "the statistics show");
      axe.details = await axeViolations(page);

      // 6. The segments by type: a column sorted with Enter on its header.
      await tabTo(page, "#segment-table th button.sort", false, 250);
      const column = await page.evaluate(`document.activeElement.getAttribute("data-sort")`);
      await page.keyboard.press("Enter");
      await page.locator(`#segment-table th[data-key="${column}"][aria-sort]`).waitFor();

      // 7. A customer: Tab to the id, type it, Enter.
      await tabTo(page, "#customer-id", false, 250);
      await page.keyboard.type("17");
      await page.keyboard.press("Enter");
      await page.locator('[data-testid="customer-result"] dl').first().waitFor();
      assert.match(await page.locator('[data-testid="customer-result"]').innerText(), /17/);
      axe.lookup = await axeViolations(page);

      assert.deepEqual([...unoutlined], [], "every element Tab lands on shows its focus");
      for (const [view, violations] of Object.entries(axe)) {
        assert.deepEqual(violations, [], `axe on the ${view} view`);
      }
      assert.deepEqual(pageErrors, [], "no uncaught error on the page");
    } finally {
      await browser.close();
    }
  },
});
