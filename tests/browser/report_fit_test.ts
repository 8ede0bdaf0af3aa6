/**
 * The standalone HTML report (document 004's HTML export) as a reader opens it, on the four
 * datasets of tests/data (`FIT_DATASETS=a,b` for fewer), at 375, 768 and 1280 px, in English,
 * Spanish and Portuguese: the rendered boxes of its charts are compared (no text over another
 * or over a plot area, none outside its chart or clipped, legend entries unique and whole, the
 * page no wider than the window), its text is in one language (no English sentence left in a
 * Spanish or Portuguese report), and axe-core finds no serious or critical violation.
 *
 * Each dataset is segmented once, automatically, by the command line's pipeline (the API's
 * own functions); each language is the same run described again, as `GET /api/export?lang=`
 * serves it.
 */
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { segmentFile } from "../../cli/segment/pipeline.ts";
import { workflowHtmlReport } from "../../domain/workflow/mod.ts";
import { CHROMIUM, CHROMIUM_ARGS, hasChromium } from "./_server.ts";
import { axeViolations, PAGE_TEXTS, REPORT_PROBLEMS } from "./_layout.ts";

const DATA = new URL("../data/", import.meta.url);
const DATASETS = (Deno.env.get("FIT_DATASETS") ??
  "mall_customers,cc_general,marketing_campaign,wholesale_customers").split(",");
const WIDTHS = [375, 768, 1280];
const LANGUAGES = ["en", "es", "pt"] as const;

/**
 * English words that no Spanish or Portuguese text of the report has: a text the English report
 * shows word for word and that holds one of them is English left untranslated. Data (column
 * names, ids, the algorithm) is the same in every language and holds none of them.
 */
const ENGLISH =
  /\b(the|of|with|and|is|are|has|higher|lower|customers|segments?|share|average|priority|high|medium|low|stability|noise|best|within|chosen|eligible|mean|rank|sample|centre)\b/i;

const SILENT = { stage() {}, candidate() {}, stop() {} };

Deno.test({
  name:
    "the HTML report fits at 375, 768 and 1280 px in three languages, in one language each, with no serious axe violation",
  ignore: !hasChromium(),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    try {
      // bypassCSP only lets the test inject axe-core; the report forbids every script.
      const page = await browser.newPage({
        viewport: { width: 1280, height: 900 },
        bypassCSP: true,
      });
      const report: string[] = [];
      for (const name of DATASETS) {
        const { record } = await segmentFile({
          input: new URL(`${name}.csv`, DATA).pathname,
          algorithm: "auto",
          seed: 0,
          backend: "cpu",
          lang: "en",
          format: "html",
          quiet: true,
        }, SILENT);
        let english = new Set<string>();
        for (const lang of LANGUAGES) {
          await page.setContent(workflowHtmlReport(record, lang), { waitUntil: "load" });
          const texts = await page.evaluate(PAGE_TEXTS) as string[];
          if (lang === "en") english = new Set(texts);
          else {
            const left = texts.filter((t) => english.has(t) && ENGLISH.test(t));
            assert.deepEqual(left, [], `${name} ${lang}: English texts in the report`);
          }
          for (const width of WIDTHS) {
            await page.setViewportSize({ width, height: 900 });
            const t0 = performance.now();
            const problems = await page.evaluate(REPORT_PROBLEMS) as string[];
            const t1 = performance.now();
            const violations = await axeViolations(page);
            const t2 = performance.now();
            report.push(
              `${name} ${lang} ${width}px: ${problems.length} layout (${
                Math.round(t1 - t0)
              } ms), ` +
                `${violations.length} axe (${Math.round(t2 - t1)} ms)`,
            );
            assert.deepEqual(problems, [], `${name} ${lang} ${width}px`);
            assert.deepEqual(violations, [], `${name} ${lang} ${width}px (axe)`);
          }
        }
      }
      console.log(report.join("\n"));
    } finally {
      await browser.close();
    }
  },
});
