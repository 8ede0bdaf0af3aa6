/**
 * The folders of `domain/` depend one way (docs/design.md, "domain/ folder by folder"):
 * datasets, description and segments at the bottom, segmentation above them, reports renders
 * plain inputs, workflow above segmentation and reports, jobs on top. No module-level import
 * cycle either, type-only imports included.
 */
import assert from "node:assert/strict";
import { cycles, domainGraph, folderEdges } from "./_module_graph.ts";

/** What each folder may import; anything else is a step against the layering. */
const ALLOWED: Record<string, readonly string[]> = {
  auth: [],
  description: [],
  datasets: ["description"],
  segments: ["datasets", "description"],
  reports: ["datasets"],
  segmentation: ["datasets", "description"],
  workflow: ["datasets", "description", "reports", "segmentation", "segments"],
  jobs: ["segmentation", "workflow"],
};

Deno.test("domain folders import only the folders below them", async () => {
  const edges = folderEdges(await domainGraph());
  for (const [from, to] of edges) {
    const extra = to.filter((f) => !(ALLOWED[from] ?? []).includes(f));
    assert.deepEqual(extra, [], `domain/${from} imports ${extra.join(", ")}`);
  }
  assert.deepEqual(cycles(edges), []);
});

Deno.test("no domain module imports itself back, directly or through others", async () => {
  assert.deepEqual(cycles((await domainGraph()).modules), []);
});

Deno.test("the cycle finder finds a cycle through types", () => {
  const found = cycles(new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]], ["d", ["a"]]]));
  assert.deepEqual(found, [["a", "b", "c"]]);
});
