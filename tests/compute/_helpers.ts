/**
 * Shared test helpers: the fixture loader and the backend matrix that every compute test runs
 * on (the CPU inline, the CPU with workers forced on, and the GPU when an adapter exists).
 */
import type { ComputeBackend } from "../../compute/backend.ts";
import { createCpuBackend } from "../../compute/cpu/backend.ts";
import { fromRows, type Matrix, matrix } from "../../compute/matrix.ts";
import { createRandom } from "../../compute/random.ts";

/** One scikit-learn reference file of `tests/fixtures/` (its README lists the fields). */
export interface Fixture {
  name: string;
  columns: string[];
  X: number[][];
  truth: number[] | null;
  standardize: { mean: number[]; std: number[] };
  kmeans_fixed_init: Array<{
    k: number;
    init_rows: number[];
    labels: number[];
    centers: number[][];
    inertia: number;
    n_iter: number;
  }>;
  kmeans_pp_best_inertia: Record<string, number>;
  metrics: Array<{
    labels_from: string;
    labels: number[];
    silhouette: number;
    davies_bouldin: number;
    calinski_harabasz: number;
  }>;
  dbscan: Array<{ eps: number; min_samples: number; labels: number[]; core: boolean[] }>;
}

export const FIXTURE_NAMES = ["blobs", "mall", "moons", "wholesale"] as const;

/** Loads `tests/fixtures/<name>.json`. */
export async function loadFixture(name: string): Promise<Fixture> {
  const url = new URL(`../fixtures/${name}.json`, import.meta.url);
  return JSON.parse(await Deno.readTextFile(url));
}

/** The fixture's standardised rows Z = (X − mean) / std, computed in float64, as float32. */
export function fixtureZ(f: Fixture): Matrix {
  const { mean, std } = f.standardize;
  return fromRows(f.X.map((r) => r.map((v, j) => (v - mean[j]!) / std[j]!)));
}

/** A named way of making a backend for a test. */
export interface BackendCase {
  name: string;
  /** Why it is skipped, or undefined when it runs. */
  skip?: string;
  create(): Promise<ComputeBackend>;
}

let gpuCase: BackendCase | undefined;
// The quick task (`deno task test:quick`) leaves the software GPU out of the edit loop.
const QUICK = Deno.env.get("TEST_GPU") === "0";
if (QUICK) {
  const why = "TEST_GPU=0 (the quick task runs the CPU backends only)";
  gpuCase = { name: "gpu", skip: why, create: () => Promise.reject(new Error(why)) };
} else {
  try {
    const { createGpuBackend } = await import("../../compute/gpu/backend.ts");
    const probe = await createGpuBackend();
    const description = probe.info.description;
    await probe.dispose();
    gpuCase = {
      name: "gpu",
      create: () => createGpuBackend(),
    };
    console.log(`GPU backend tests run on: ${description}`);
  } catch (err) {
    const why = `no WebGPU adapter (${err instanceof Error ? err.message : String(err)})`;
    console.warn(`GPU backend tests skipped: ${why}`);
    gpuCase = { name: "gpu", skip: why, create: () => Promise.reject(new Error(why)) };
  }
}

/** Every backend the compute tests run on. */
export const BACKENDS: readonly BackendCase[] = [
  { name: "cpu", create: () => Promise.resolve(createCpuBackend({ threads: 1 })) },
  {
    name: "cpu-workers",
    create: () => Promise.resolve(createCpuBackend({ threads: 2, parallelThreshold: 0 })),
  },
  gpuCase,
];

/**
 * Registers `fn` as one test per backend, named "<name> [<backend>]"; a skipped backend's test
 * is registered as ignored and its reason printed once at load.
 */
export function testOnBackends(
  name: string,
  fn: (backend: ComputeBackend) => Promise<void>,
  only?: (b: BackendCase) => boolean,
): void {
  for (const b of BACKENDS) {
    if (only && !only(b)) continue;
    Deno.test({
      name: `${name} [${b.name}]`,
      ignore: b.skip !== undefined,
      async fn() {
        const backend = await b.create();
        try {
          await fn(backend);
        } finally {
          await backend.dispose();
        }
      },
    });
  }
}

/** Asserts |actual − expected| ≤ rel × max(1, |expected|). */
export function assertClose(actual: number, expected: number, rel: number, what = "value"): void {
  const tol = rel * Math.max(1, Math.abs(expected));
  if (!(Math.abs(actual - expected) <= tol)) {
    throw new Error(`${what}: expected ${expected} ± ${tol} but found ${actual}`);
  }
}

/** True when two labellings are equal up to a renaming of the clusters (−1 maps to −1). */
export function sameUpToRelabelling(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  const ab = new Map<number, number>();
  const ba = new Map<number, number>();
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!, y = b[i]!;
    if ((x === -1) !== (y === -1)) return false;
    if ((ab.get(x) ?? y) !== y || (ba.get(y) ?? x) !== x) return false;
    ab.set(x, y);
    ba.set(y, x);
  }
  return true;
}

/** `n` rows around `k` well-separated centres in `d` dimensions, row i in blob i mod k. */
export function blobs(n: number, d: number, k: number, seed: number): Matrix {
  const rng = createRandom(seed);
  const data = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      data[i * d + j] = (i % k) * 10 * (j % 2 ? 1 : -1) + rng.nextNormal();
    }
  }
  return matrix(data, n, d);
}
