/**
 * Issue 12 item 3 on the four sample datasets, through the CLI (the workflow's pipeline): the
 * names, personas and actions an analyst reads, checked as properties in en, es and pt.
 */
import assert from "node:assert/strict";
import { DATA, runSegment } from "../../cli/_segment_run.ts";
import { baseName } from "../../../domain/description/narrative.ts";

/** The CLI's per-cluster statistics (document 004's `cluster_profiles`). */
interface Stats {
  count: number;
  mean_values: Record<string, number>;
  std_values: Record<string, number>;
}

interface Segment {
  cluster_id: number;
  name: string;
  persona_label: string;
  persona: string;
  characteristics: string[];
  actions: { key: string; text: string }[];
}

interface Result {
  segments: Segment[];
  cluster_profiles: Record<string, Stats>;
}

async function result(path: string, lang: string): Promise<Result> {
  const run = await runSegment(["--input", path, "--format", "json", "--quiet", "--lang", lang]);
  assert.equal(run.code, 0, run.err);
  return JSON.parse(run.out) as Result;
}

const cache = new Map<string, Promise<Result>>();
/** One CLI run per dataset and language, shared by the tests. */
function run(path: string, lang: string): Promise<Result> {
  const key = `${path}|${lang}`;
  if (!cache.has(key)) cache.set(key, result(path, lang));
  return cache.get(key)!;
}

async function segments(path: string, lang: string): Promise<Segment[]> {
  return (await run(path, lang)).segments;
}

/**
 * Whether a cluster differs clearly from the rest on some feature: a mean 1.5× (or 1/1.5×)
 * the population's, or |Cohen's d| ≥ 0.8 against the other clusters pooled.
 */
function distinct(stats: Record<string, Stats>, id: string): boolean {
  const c = stats[id]!;
  const others = Object.entries(stats).filter(([k]) => k !== id).map(([, v]) => v);
  const n = Object.values(stats).reduce((a, v) => a + v.count, 0);
  return Object.keys(c.mean_values).some((f) => {
    const pop = Object.values(stats).reduce((a, v) => a + v.count * v.mean_values[f]!, 0) / n;
    const ratio = c.mean_values[f]! / pop;
    if (pop !== 0 && (ratio >= 1.5 || ratio <= 1 / 1.5)) return true;
    const m = n - c.count;
    if (m === 0) return false;
    const restMean = others.reduce((a, v) => a + v.count * v.mean_values[f]!, 0) / m;
    const restSs = others.reduce(
      (a, v) => a + v.count * (v.std_values[f]! ** 2 + (v.mean_values[f]! - restMean) ** 2),
      0,
    );
    const pooled = Math.sqrt((c.count * c.std_values[f]! ** 2 + restSs) / n);
    return pooled > 0 && Math.abs(c.mean_values[f]! - restMean) / pooled >= 0.8;
  });
}

/** The words of each language that call a segment average. */
const AVERAGE: Record<string, RegExp> = {
  en: /close to the average|average customers/,
  es: /cerca del cliente medio|clientes promedio/,
  pt: /próximos do cliente médio|clientes médios/,
};

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

for (const [dataset, path] of Object.entries(DATA)) {
  Deno.test(`no segment of ${dataset} is called average beside clear differences`, async () => {
    for (const lang of ["en", "es", "pt"]) {
      const r = await run(path, lang);
      for (const x of r.segments) {
        const text = `${x.persona_label} ${x.persona}`;
        if (distinct(r.cluster_profiles, String(x.cluster_id))) {
          assert.doesNotMatch(text, AVERAGE[lang]!, `${lang}: ${text}`);
        }
      }
    }
  });
}

for (const [dataset, path] of Object.entries(DATA)) {
  Deno.test(`segments of ${dataset} get different actions`, async () => {
    for (const lang of ["en", "es", "pt"]) {
      const s = await segments(path, lang);
      const lists = s.map((x) => x.actions.map((a) => a.text).join("\n"));
      assert.equal(new Set(lists).size, s.length, `${lang}: ${lists.join("\n---\n")}`);
      // A segment named by its traits leads with an action on what sets it apart.
      for (const x of s) {
        const lead = x.actions[0]!;
        if (lead.key === "strength" || lead.key === "gap") {
          assert.ok(lead.text.includes(x.name.split(/, | y | e /)[0]!.replace(/^\S+ /, "")));
        }
      }
    }
  });
}

/** A singular comparative before a plural noun: "menor ingresos", "maior dias". */
const DISAGREEMENT = /\b(mayor|menor|maior) [a-záéíóúñçãõâêô]+s\b/i;

for (const [dataset, path] of Object.entries(DATA)) {
  Deno.test(`Spanish and Portuguese texts of ${dataset} agree in number`, async () => {
    for (const lang of ["es", "pt"]) {
      for (const x of await segments(path, lang)) {
        const texts = [x.name, x.persona_label, x.persona, ...x.characteristics];
        for (const t of [...texts, ...x.actions.map((a) => a.text)]) {
          assert.doesNotMatch(t, DISAGREEMENT, `${lang}: ${t}`);
        }
      }
    }
  });
}

/** A categorical trait in each language: "mostly <level> <field> (67%)". */
const MOSTLY: Record<string, RegExp> = {
  en: /^mostly .+ \(\d+(\.\d+)?%\)$/,
  es: /^mayoritariamente .+ \(\d+(,\d+)?\s%\)$/,
  pt: /^majoritariamente .+ \(\d+(,\d+)?\s?%\)$/,
};

Deno.test("wholesale: a segment almost all of one channel says so among its characteristics", async () => {
  for (const lang of ["en", "es", "pt"]) {
    const s = await segments(DATA.wholesale, lang);
    const traits = s.flatMap((x) => x.characteristics.filter((c) => MOSTLY[lang]!.test(c)));
    assert.ok(traits.length > 0, `${lang}: ${s.map((x) => x.characteristics).join(" | ")}`);
    assert.ok(traits.some((t) => /(channel|canal) 1 \(9\d/.test(t)), `${lang}: ${traits}`);
  }
});

Deno.test("Mall: Gender is profiled, not clustered on, by default", async () => {
  const r = (await run(DATA.mall, "en")) as Result & {
    preprocessing: { dropped: { column: string; reason: string }[] };
  };
  assert.deepEqual(
    r.preprocessing.dropped.find((d) => d.column === "Gender"),
    { column: "Gender", reason: "demographic" },
  );
  for (const stats of Object.values(r.cluster_profiles)) {
    assert.ok(!Object.keys(stats.mean_values).some((f) => f.startsWith("Gender")));
  }
});

Deno.test("es and pt names say a role's word, not the English column, where a column plays it", async () => {
  for (const lang of ["es", "pt"]) {
    for (const x of await segments(DATA.mall, lang)) {
      assert.doesNotMatch(x.name, /annual income|spending score|\bage\b/i, `${lang}: ${x.name}`);
    }
  }
});
