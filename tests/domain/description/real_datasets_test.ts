/**
 * Issue 12 item 3 on the four sample datasets, through the CLI (the workflow's pipeline): the
 * names, personas and actions an analyst reads, checked as properties in en, es and pt.
 */
import assert from "node:assert/strict";
import { DATA, runSegment } from "../../cli/_segment_run.ts";
import { baseName } from "../../../domain/description/narrative.ts";

interface Segment {
  cluster_id: number;
  name: string;
  persona_label: string;
  persona: string;
  characteristics: string[];
  actions: { key: string; text: string }[];
}

async function segments(path: string, lang: string): Promise<Segment[]> {
  const run = await runSegment(["--input", path, "--format", "json", "--quiet", "--lang", lang]);
  assert.equal(run.code, 0, run.err);
  return JSON.parse(run.out).segments as Segment[];
}

for (const [dataset, path] of Object.entries(DATA)) {
  Deno.test(`segment names on ${dataset}: unique by base, never numbered`, async () => {
    for (const lang of ["en", "es", "pt"]) {
      const s = await segments(path, lang);
      const names = s.map((x) => x.name);
      assert.equal(new Set(names.map(baseName)).size, s.length, `${lang}: ${names.join(" | ")}`);
      for (const n of names) assert.doesNotMatch(n, /\s\d+$/, `${lang}: ${n}`);
    }
  });
}
