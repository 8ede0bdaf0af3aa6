/**
 * The run's progress bar shows the stages its job reports (issue 15): reading, candidate i of
 * N, choosing, profiles, names, each with its percentage, in the page's language. The job's
 * status is answered by the test for the first polls (a real run on these datasets is over
 * before a poll sees most stages), then by the real service, whose result is shown as usual.
 */
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS, hasChromium, startService } from "./_server.ts";

const MALL = new URL("../data/mall_customers.csv", import.meta.url);

/** What the first polls of `GET /api/jobs/{id}` answer, in turn. */
const STAGES = [
  { progress: 0.05, stage: "reading" },
  { progress: 0.33, stage: "candidates", done: 3, total: 9 },
  { progress: 0.82, stage: "selection" },
  { progress: 0.85, stage: "profiles" },
  { progress: 0.9, stage: "names" },
];

const EXPECTED = {
  en: [
    "Reading the data… 5 %",
    "Candidate 4 of 9… 33 %",
    "Choosing among the candidates… 82 %",
    "Profiling the segments… 85 %",
    "Naming the segments… 90 %",
  ],
  es: [
    "Leyendo los datos… 5 %",
    "Candidato 4 de 9… 33 %",
    "Eligiendo entre los candidatos… 82 %",
    "Perfilando los segmentos… 85 %",
    "Nombrando los segmentos… 90 %",
  ],
};

Deno.test({
  name: "the progress bar names the job's stages: reading, candidate i of N, profiles, names",
  ignore: !hasChromium(),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using service = await startService({ OPEN_ACCESS: "1" });
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      page.on("dialog", (d) => d.accept().catch(() => {}));
      let polls = 0;
      await page.route(/\/api\/jobs\/[^/]+$/, async (route) => {
        const step = STAGES[polls % (STAGES.length + 1)];
        polls++;
        if (route.request().method() !== "GET" || !step) return route.continue();
        const id = new URL(route.request().url()).pathname.split("/").pop();
        await route.fulfill({
          contentType: "application/json",
          body: JSON.stringify({
            data: { job_id: id, type: "segmentation", status: "processing", ...step },
          }),
        });
      });
      await page.goto(service.url);
      await page.locator("#workspace").waitFor({ state: "visible" });
      await page.evaluate(`(() => {
        globalThis.seen = [];
        const status = document.querySelector("#run-status");
        const bar = document.querySelector("#run-progress");
        new MutationObserver(() => {
          const text = status.textContent.trim();
          if (text && globalThis.seen.at(-1)?.text !== text) {
            globalThis.seen.push({ text, value: bar.value, label: bar.getAttribute("aria-valuetext") });
          }
        }).observe(status, { childList: true, characterData: true, subtree: true });
      })()`);
      await page.setInputFiles("input#file", MALL.pathname);
      await page.click('[data-testid="upload"]');
      await page.locator('[data-testid="column-roles"]').waitFor({ state: "visible" });
      for (const lang of ["en", "es"] as const) {
        if (lang !== "en") {
          await page.selectOption("select#language", lang);
          await page.locator(`#results[data-language="${lang}"]:not([aria-busy])`).waitFor();
        }
        // The page marks a finished run with its time (`data-run-ms`).
        await page.evaluate(`globalThis.seen = [];
          document.querySelector("#results").removeAttribute("data-run-ms");`);
        polls = 0;
        await page.click('[data-testid="run"]');
        await page.locator(`#results[data-run-ms][data-language="${lang}"]`).waitFor({
          timeout: 120_000,
        });
        const seen = await page.evaluate("globalThis.seen") as {
          text: string;
          value: number;
          label: string;
        }[];
        const staged = seen.filter((s) => / %$/.test(s.text));
        assert.deepEqual(staged.map((s) => s.text), EXPECTED[lang], JSON.stringify(seen));
        assert.deepEqual(staged.map((s) => s.value), STAGES.map((s) => s.progress));
        assert.ok(
          staged.every((s) => s.label === s.text),
          "the bar's accessible value says it too",
        );
      }
    } finally {
      await browser.close();
    }
  },
});
