/**
 * What the browser tests that check layout share: the box helpers their in-page scripts start
 * with, axe-core's serious and critical violations, and the checks of the standalone HTML
 * report's charts (`report_fit_test.ts`).
 */
import type { Page } from "playwright-core";

const AXE = (await import("axe-core/axe.min.js", { with: { type: "text" } })).default;

/**
 * In-page helpers, to open a script with: `box(el)`, `overlap(a, b)` (more than 1 px shared
 * both ways) and `inside(a, b)` (a within b, 1 px of slack: sub-pixel rounding).
 */
export const BOX_HELPERS = `
  const box = (el) => el.getBoundingClientRect();
  const overlap = (a, b) => a.left < b.right - 1 && b.left < a.right - 1 &&
    a.top < b.bottom - 1 && b.top < a.bottom - 1;
  const inside = (a, b) => a.left >= b.left - 1 && a.right <= b.right + 1 &&
    a.top >= b.top - 1 && a.bottom <= b.bottom + 1;
`;

/** axe-core's WCAG 2.1 A/AA violations of serious or critical impact, one line each. */
export async function axeViolations(page: Page): Promise<string[]> {
  if (!await page.evaluate("typeof axe !== 'undefined'")) await page.addScriptTag({ content: AXE });
  const result = await page.evaluate(`axe.run(document, {
    runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
  }).then((r) => r.violations.filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => v.id + " (" + v.impact + "): " + v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")))`) as string[];
  return result;
}

/**
 * The standalone report's layout problems, as an in-page script's result (a list of lines).
 * In every chart (`figure.chart`): each piece of text (HTML or SVG, one box per line) lies
 * inside the chart and inside every ancestor that clips (an `svg`, or overflow other than
 * visible), overlaps no other text and no plot area (`[data-plot]`: the scatter's frame, the
 * bars, the means' bands); legend entries are unique and whole (no name cut to `…`). On the
 * page: nothing wider than the window (tables scroll in their own box), no heading, header
 * cell, term or caption whose text is clipped.
 */
export const REPORT_PROBLEMS = `(() => {
  ${BOX_HELPERS}
  const problems = [];
  const label = (t) => "'" + t.slice(0, 30) + "'";
  const texts = (root) => {
    const out = [];
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = n.textContent.trim();
      const parent = n.parentElement;
      if (!text || !parent || parent.closest("title, style, script")) continue;
      let rects;
      if (parent instanceof SVGElement) rects = [box(parent)];
      else {
        const range = document.createRange();
        range.selectNodeContents(n);
        rects = [...range.getClientRects()];
      }
      rects = rects.filter((b) => b.width > 0 && b.height > 0);
      if (rects.length) out.push({ el: parent, text, rects });
    }
    return out;
  };
  const clips = (el) => {
    if (el instanceof SVGSVGElement) return true;
    if (el instanceof SVGElement) return false;
    const s = getComputedStyle(el);
    return s.overflowX !== "visible" || s.overflowY !== "visible";
  };
  for (const chart of document.querySelectorAll("figure.chart")) {
    const id = chart.id || "chart";
    const frame = box(chart);
    const all = texts(chart);
    const plots = [...chart.querySelectorAll("[data-plot]")].map(box);
    for (const t of all) {
      for (const r of t.rects) {
        if (!inside(r, frame)) problems.push(id + ": text outside the chart " + label(t.text));
        for (let el = t.el; el && el !== chart.parentElement; el = el.parentElement) {
          if (clips(el) && !inside(r, box(el))) {
            problems.push(id + ": text clipped " + label(t.text));
            break;
          }
        }
        for (const p of plots) {
          if (overlap(r, p)) problems.push(id + ": text over the plot " + label(t.text));
        }
      }
    }
    for (let i = 0; i < all.length; i++) {
      for (let j = i + 1; j < all.length; j++) {
        if (all[i].rects.some((a) => all[j].rects.some((b) => overlap(a, b)))) {
          problems.push(id + ": " + label(all[i].text) + " over " + label(all[j].text));
        }
      }
    }
    const names = [...chart.querySelectorAll(".legend li")].map((li) => li.textContent.trim());
    if (new Set(names).size !== names.length) problems.push(id + ": repeated legend entries");
    for (const name of names) {
      if (name.endsWith("…")) problems.push(id + ": legend entry cut " + label(name));
    }
  }
  if (document.documentElement.scrollWidth > innerWidth + 1) {
    problems.push("the page is wider than the window: " + document.documentElement.scrollWidth);
  }
  for (const el of document.querySelectorAll("h1, h2, th, dt, dd, caption, figcaption, p")) {
    if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflow !== "visible") {
      problems.push("clipped " + el.tagName + " " + label(el.textContent.trim()));
    }
  }
  return [...new Set(problems)];
})()`;

/**
 * Every text of the page, trimmed, once each: text nodes (SVG tooltips included) and the
 * `title` and `aria-label` attributes, which readers meet as tooltips and spoken labels.
 */
export const PAGE_TEXTS = `(() => {
  const out = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = n.textContent.trim();
    if (text) out.add(text);
  }
  for (const el of document.querySelectorAll("[title], [aria-label]")) {
    for (const name of ["title", "aria-label"]) {
      const text = el.getAttribute(name)?.trim();
      if (text) out.add(text);
    }
  }
  return [...out];
})()`;
