/**
 * A small job type that proves the job path end to end: KMeans on a matrix stored in KV.
 *
 * Input: `{ matrixId, k, randomState?, nInit?, maxIter? }`, where `matrixId` names a matrix
 * stored with `putMatrix` (blob kind `matrix`). Output: one result object holding the centres
 * and the labels, with `n`, `k`, `d`, the inertia and the iteration count in its manifest's meta.
 * Byte layout (little-endian, as typed arrays are on every platform Deno ships for): the
 * centres as k × d float32, then the n labels as uint8 (k ≤ 256), uint16 (k ≤ 65,536) or int32.
 *
 * @module
 */
import type { ComputeBackend } from "../../compute/backend.ts";
import { kmeans } from "../../compute/kmeans.ts";
import { type Matrix, matrix } from "../../compute/matrix.ts";
import { type BlobManifest, getBlob, putBlob } from "../../storage/mod.ts";
import { type EnqueuedJob, enqueueJob, type EnqueueJobOptions, getJobResult } from "./job_table.ts";
import type { JobType } from "./runner.ts";

/** The job type's name. */
export const KMEANS_JOB_TYPE = "kmeans";
/** The blob kind of stored matrices. */
export const MATRIX_KIND = "matrix";

/** The input of a KMeans job. */
export interface KMeansJobInput {
  /** Id of a matrix stored with `putMatrix` for the job's tenant. */
  readonly matrixId: string;
  readonly k: number;
  readonly randomState?: number;
  readonly nInit?: number;
  readonly maxIter?: number;
}

/** The decoded result of a KMeans job. */
export interface KMeansJobResult {
  readonly n: number;
  readonly k: number;
  readonly d: number;
  /** k × d, row-major. */
  readonly centers: Float32Array;
  readonly labels: Int32Array;
  readonly inertia: number;
  readonly nIter: number;
  readonly converged: boolean;
}

type ResultMeta = {
  format: "kmeans_result/1";
  n: number;
  k: number;
  d: number;
  inertia: number;
  nIter: number;
  converged: boolean;
  labels: "uint8" | "uint16" | "int32";
};

/**
 * The KMeans job type, fitting on `backend`. Bad input, a missing matrix and a k the data
 * cannot support fail the job at once; other errors are retried.
 */
export function kmeansJobType(backend: ComputeBackend): JobType<KMeansJobInput> {
  return {
    type: KMEANS_JOB_TYPE,
    parseInput: parseKMeansJobInput,
    isPermanent: (error) => error instanceof RangeError || error instanceof Deno.errors.NotFound,
    async run({ kv, job, input, signal, progress }) {
      const x = await getMatrix(kv, job.tenantId, input.matrixId);
      if (!x) {
        throw new Deno.errors.NotFound(
          `Expected matrix ${input.matrixId} of tenant ${job.tenantId} but found none`,
        );
      }
      signal.throwIfAborted();
      progress(0.1);
      const fit = await kmeans(x, {
        k: input.k,
        ...(input.randomState !== undefined ? { randomState: input.randomState } : {}),
        ...(input.nInit !== undefined ? { nInit: input.nInit } : {}),
        ...(input.maxIter !== undefined ? { maxIter: input.maxIter } : {}),
      }, backend);
      signal.throwIfAborted();
      progress(0.9);
      return encodeKMeansResult({
        n: x.n,
        k: input.k,
        d: x.d,
        centers: fit.centers,
        labels: fit.labels,
        inertia: fit.inertia,
        nIter: fit.nIter,
        converged: fit.converged,
      });
    },
  };
}

/**
 * Checks a KMeans job's input.
 *
 * @throws {TypeError} when it is not an object with a string `matrixId`.
 * @throws {RangeError} when a number is out of range (k an integer in [2, 65,536], nInit and
 *   maxIter positive integers, randomState an integer).
 */
export function parseKMeansJobInput(input: unknown): KMeansJobInput {
  if (typeof input !== "object" || input === null) {
    throw new TypeError(`Expected the job input to be an object but found ${typeOf(input)}`);
  }
  const o = input as Record<string, unknown>;
  if (typeof o.matrixId !== "string" || o.matrixId.length === 0 || o.matrixId.length > 128) {
    throw new TypeError(
      `Expected matrixId to be a string of 1-128 characters but found ${typeOf(o.matrixId)}`,
    );
  }
  const integer = (name: string, min: number, max: number, optional: boolean) => {
    const v = o[name];
    if (v === undefined && optional) return;
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
      throw new RangeError(`Expected ${name} to be an integer in [${min}, ${max}] but found ${v}`);
    }
  };
  integer("k", 2, 65_536, false);
  integer("randomState", -(2 ** 31), 2 ** 32 - 1, true);
  integer("nInit", 1, 100, true);
  integer("maxIter", 1, 10_000, true);
  return {
    matrixId: o.matrixId,
    k: o.k as number,
    ...(o.randomState !== undefined ? { randomState: o.randomState as number } : {}),
    ...(o.nInit !== undefined ? { nInit: o.nInit as number } : {}),
    ...(o.maxIter !== undefined ? { maxIter: o.maxIter as number } : {}),
  };
}

/**
 * Enqueues a KMeans job after checking its input (so bad input is refused before it is stored).
 *
 * @throws {TypeError | RangeError} from `parseKMeansJobInput`.
 */
export async function enqueueKMeansJob(
  kv: Deno.Kv,
  tenantId: string,
  input: KMeansJobInput,
  now: number,
  options: EnqueueJobOptions & { idempotencyKey?: string } = {},
): Promise<EnqueuedJob<KMeansJobInput>> {
  const { idempotencyKey, ...rest } = options;
  return await enqueueJob(
    kv,
    {
      tenantId,
      type: KMEANS_JOB_TYPE,
      input: parseKMeansJobInput(input),
      ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
    },
    now,
    rest,
  );
}

/** The decoded result of KMeans job `jobId` of `tenantId`; null until it has succeeded. */
export async function getKMeansJobResult(
  kv: Deno.Kv,
  tenantId: string,
  jobId: string,
): Promise<KMeansJobResult | null> {
  const found = await getJobResult(kv, tenantId, jobId);
  if (!found || found.job.type !== KMEANS_JOB_TYPE) return null;
  return decodeKMeansResult(found.bytes, found.manifest.meta ?? {});
}

/** Stores `m` as matrix `matrixId` of `tenantId` (float32 rows, replacing any previous one). */
export async function putMatrix(
  kv: Deno.Kv,
  tenantId: string,
  matrixId: string,
  m: Matrix,
  now: number,
): Promise<BlobManifest> {
  const bytes = new Uint8Array(m.data.buffer, m.data.byteOffset, m.data.byteLength);
  return (await putBlob(kv, tenantId, MATRIX_KIND, matrixId, bytes, {
    now,
    meta: { n: m.n, d: m.d, dtype: "float32" },
  }))!;
}

/** Matrix `matrixId` of `tenantId`, or null when there is none. */
export async function getMatrix(
  kv: Deno.Kv,
  tenantId: string,
  matrixId: string,
): Promise<Matrix | null> {
  const blob = await getBlob(kv, tenantId, MATRIX_KIND, matrixId);
  if (!blob) return null;
  const { n, d } = blob.manifest.meta as { n: number; d: number };
  // Copied so the floats are 4-byte aligned whatever the chunk buffers were.
  const data = new Float32Array(blob.bytes.slice().buffer);
  return matrix(data, n, d);
}

/** Encodes a KMeans result as a job output (bytes plus manifest meta). */
export function encodeKMeansResult(r: KMeansJobResult): { bytes: Uint8Array; meta: ResultMeta } {
  const labelsType = r.k <= 256 ? "uint8" : r.k <= 65_536 ? "uint16" : "int32";
  const labels = labelsType === "uint8"
    ? Uint8Array.from(r.labels)
    : labelsType === "uint16"
    ? Uint16Array.from(r.labels)
    : Int32Array.from(r.labels);
  const bytes = new Uint8Array(r.centers.byteLength + labels.byteLength);
  bytes.set(new Uint8Array(r.centers.buffer, r.centers.byteOffset, r.centers.byteLength), 0);
  bytes.set(
    new Uint8Array(labels.buffer, labels.byteOffset, labels.byteLength),
    r.centers.byteLength,
  );
  const meta: ResultMeta = {
    format: "kmeans_result/1",
    n: r.n,
    k: r.k,
    d: r.d,
    inertia: r.inertia,
    nIter: r.nIter,
    converged: r.converged,
    labels: labelsType,
  };
  return { bytes, meta };
}

/**
 * Decodes what `encodeKMeansResult` wrote.
 *
 * @throws {TypeError} when `meta` is not a KMeans result's or the byte count does not match it.
 */
export function decodeKMeansResult(
  bytes: Uint8Array,
  meta: Record<string, unknown>,
): KMeansJobResult {
  if (meta.format !== "kmeans_result/1") {
    throw new TypeError(`Expected a kmeans_result/1 object but found ${String(meta.format)}`);
  }
  const m = meta as unknown as ResultMeta;
  const width = m.labels === "uint8" ? 1 : m.labels === "uint16" ? 2 : 4;
  const centerBytes = m.k * m.d * 4;
  if (bytes.byteLength !== centerBytes + m.n * width) {
    throw new TypeError(
      `Expected ${
        centerBytes + m.n * width
      } bytes for n=${m.n}, k=${m.k}, d=${m.d} but found ${bytes.byteLength}`,
    );
  }
  const copy = bytes.slice().buffer;
  const centers = new Float32Array(copy, 0, m.k * m.d);
  const raw = m.labels === "uint8"
    ? new Uint8Array(copy, centerBytes, m.n)
    : m.labels === "uint16"
    ? new Uint16Array(copy, centerBytes, m.n)
    : new Int32Array(copy, centerBytes, m.n);
  return {
    n: m.n,
    k: m.k,
    d: m.d,
    centers,
    labels: Int32Array.from(raw),
    inertia: m.inertia,
    nIter: m.nIter,
    converged: m.converged,
  };
}

function typeOf(v: unknown): string {
  return v === null ? "null" : Array.isArray(v) ? "an array" : typeof v;
}
