/**
 * The import graph of `domain/`: every module's imports of other domain modules (type-only
 * imports and re-exports included, since a cycle through types is still a cycle between
 * folders), the folder edges it implies, and its module-level cycles. Run it to print them:
 * `deno run --allow-read tests/domain/_module_graph.ts`.
 *
 * @module
 */
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";

/** The domain's modules and their imports of other domain modules (paths from the repo root). */
export interface ModuleGraph {
  readonly modules: ReadonlyMap<string, readonly string[]>;
}

const ROOT = normalize(join(dirname(fileURLToPath(import.meta.url)), "..", ".."));
// `import … from`, `export … from`, `import "…"`, `import("…")` and `new URL("…", import.meta.url)`.
const SPECIFIER =
  /(?:\b(?:import|export)\b[^'"`;]*?\bfrom\s*|\bimport\s*\(?\s*|new URL\(\s*)["']([^"']+)["']/g;

/** Reads every `.ts` module under `domain/` and its relative imports that stay in `domain/`. */
export async function domainGraph(root = ROOT): Promise<ModuleGraph> {
  const modules = new Map<string, string[]>();
  for (const file of await listTs(join(root, "domain"))) {
    const from = relative(root, file);
    // Doc comments hold `@example` imports that are not the module's own.
    const text = (await Deno.readTextFile(file))
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/^\s*\/\/.*$/gm, "");
    const deps = new Set<string>();
    for (const m of text.matchAll(SPECIFIER)) {
      const spec = m[1]!;
      if (!spec.startsWith(".")) continue;
      const to = relative(root, normalize(join(dirname(file), spec)));
      if (to.startsWith("domain/")) deps.add(to);
    }
    modules.set(from, [...deps].sort());
  }
  return { modules };
}

/** The folder of a domain module (`domain/x/y.ts` → `x`). */
export function folderOf(module: string): string {
  return module.split("/")[1]!;
}

/** Folder → the other folders its modules import, sorted. */
export function folderEdges(graph: ModuleGraph): Map<string, string[]> {
  const edges = new Map<string, Set<string>>();
  for (const [from, deps] of graph.modules) {
    const set = edges.get(folderOf(from)) ?? new Set<string>();
    edges.set(folderOf(from), set);
    for (const to of deps) if (folderOf(to) !== folderOf(from)) set.add(folderOf(to));
  }
  return new Map([...edges].sort().map(([f, s]) => [f, [...s].sort()]));
}

/** The strongly connected components of more than one node (or a self-loop): the cycles. */
export function cycles(edges: ReadonlyMap<string, readonly string[]>): string[][] {
  let index = 0;
  const order = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    order.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!order.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, order.get(w)!));
    }
    if (low.get(v) === order.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (edges.get(v) ?? []).includes(v)) found.push(component.sort());
    }
  };
  for (const v of edges.keys()) if (!order.has(v)) visit(v);
  return found;
}

async function listTs(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) out.push(...await listTs(path));
    else if (entry.name.endsWith(".ts")) out.push(path);
  }
  return out.sort();
}

if (import.meta.main) {
  const graph = await domainGraph();
  const edges = folderEdges(graph);
  console.log("Folder edges of domain/:");
  for (const [from, to] of edges) console.log(`  ${from} → ${to.join(", ") || "(none)"}`);
  console.log("Folder cycles:", JSON.stringify(cycles(edges)));
  console.log("Module cycles:", JSON.stringify(cycles(graph.modules)));
}
