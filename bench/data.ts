/**
 * The benchmark data (docs/benchmarks.md), drawn with this project's PRNG:
 * 6 features, 8 Gaussian blobs with spreads 0.3–2.5 and weights 0.24–0.05, features in mixed
 * raw units, then z-scored. (`compare_sklearn.py` instead writes numpy's draw to a file and both
 * sides read that, so the side-by-side comparison uses identical rows.)
 */
import { type Matrix, matrix } from "../compute/matrix.ts";
import { createRandom } from "../compute/random.ts";
import { standardize } from "../compute/standardize.ts";

const SCALES = [0.3, 0.5, 0.7, 1.0, 1.3, 1.6, 2.0, 2.5];
const WEIGHTS = [0.24, 0.18, 0.15, 0.12, 0.10, 0.09, 0.07, 0.05];
const UNITS = [1.0, 10.0, 100.0, 0.1, 1000.0, 5.0];

/** `n` z-scored rows of the 8-blob, 6-feature design, reproducible from `seed`. */
export function makeBlobs(n: number, seed = 20240601): { x: Matrix; truth: Int32Array } {
  const d = UNITS.length;
  const rng = createRandom(seed);
  const centers = Array.from({ length: SCALES.length * d }, () => -6 + 12 * rng.nextFloat());
  const rowRng = createRandom(seed + n);
  const truth = new Int32Array(n);
  const raw = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    let u = rowRng.nextFloat();
    let b = 0;
    while (b < WEIGHTS.length - 1 && u >= WEIGHTS[b]!) u -= WEIGHTS[b++]!;
    truth[i] = b;
    for (let j = 0; j < d; j++) {
      raw[i * d + j] = (centers[b * d + j]! + rowRng.nextNormal() * SCALES[b]!) * UNITS[j]!;
    }
  }
  return { x: standardize(matrix(raw, n, d)).z, truth };
}

/** Reads a raw little-endian float32 file of `d` columns (as written by compare_sklearn.py). */
export async function readF32(path: string, d: number): Promise<Matrix> {
  const bytes = await Deno.readFile(path);
  const data = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  return matrix(data, data.length / d, d);
}
