/**
 * The command's whole job on one file, through the same domain functions the API calls: the
 * CSV becomes a typed dataset (`parseCsvStream`), its rows are segmented by the workflow's
 * pipeline (preprocessing, candidates, selection, profiles, names and personas), and the run is
 * held as the API would store it, so that every output format reads what the API's views read.
 *
 * @module
 */
import { selectBackend } from "../../compute/select.ts";
import { type Dataset, parseCsvStream, toPlainTable } from "../../domain/datasets/mod.ts";
import { clusterWorkflow, newRunId, type RunRecord } from "../../domain/segmentation/mod.ts";
import type { StoredWorkflow } from "../../domain/workflow/mod.ts";
import type { SegmentOptions } from "./args.ts";
import { pipelineListener, type Progress } from "./progress.ts";

/** A run of the workflow's pipeline on the input, as the API stores one. */
export interface Segmented {
  dataset: Dataset;
  record: RunRecord<StoredWorkflow>;
}

/** The run's source, as the API's are named by entry point. */
export const CLI_SOURCE = "cli";

/** A problem with the input the user can fix; the message is one line. */
export class InputError extends Error {
  override readonly name = "InputError";
}

/**
 * Reads `options.input`, segments it and returns the run.
 *
 * @throws {InputError} when the file cannot be read, a `--columns` name is unknown or the
 *   backend asked for is not available; the domain's `DatasetError`, `AnalyzeInputError` and
 *   `RangeError` unchanged.
 */
export async function segmentFile(options: SegmentOptions, progress: Progress): Promise<Segmented> {
  const name = options.input === "-" ? "stdin" : basename(options.input);
  progress.stage(`reading ${name}`);
  const dataset = await readDataset(options);
  const idField = dataset.columnMap.customer_id;
  const columns = options.columns ? featureColumns(dataset, options.columns) : undefined;

  progress.stage("starting the compute backend");
  const backend = await selectBackend(options.backend, { log: () => {} }).catch((err) => {
    throw new InputError(`--backend ${options.backend}: ${(err as Error).message}`);
  });
  const params = {
    algorithm: options.algorithm,
    ...(options.k !== undefined ? { n_clusters: options.k } : {}),
    ...(options.maxClusters !== undefined ? { max_clusters: options.maxClusters } : {}),
    random_state: options.seed,
    ...(options.eps !== undefined ? { eps: options.eps } : {}),
    ...(options.minSamples !== undefined ? { min_samples: options.minSamples } : {}),
  };
  let run;
  try {
    progress.stage("segmenting");
    // The workflow's own function in this thread (the engine's tasks are plain data and carry
    // no callback), so every candidate can be shown as it is fitted.
    run = await clusterWorkflow(
      {
        // The typed columns themselves, as the API's workflow routes send them: typed once.
        table: toPlainTable(dataset, columns && [...(idField ? [idField] : []), ...columns]),
        ...(idField !== undefined ? { id_field: idField } : {}),
        ...params,
      },
      backend,
      options.lang,
      pipelineListener(progress),
    );
  } finally {
    await backend.dispose();
  }
  const record: RunRecord<StoredWorkflow> = {
    run_id: newRunId(),
    source: CLI_SOURCE,
    created_at: new Date().toISOString(),
    body: {
      dataset_id: dataset.id,
      dataset_name: name,
      params: { ...params, backend: backend.info.name, columns: options.columns ?? null },
      customers: dataset.rowCount,
      run,
    },
  };
  return { dataset, record };
}

async function readDataset(options: SegmentOptions): Promise<Dataset> {
  const common = {
    name: options.input,
    now: Date.now(),
    ...(options.idColumn !== undefined ? { columnMap: { customer_id: options.idColumn } } : {}),
  };
  if (options.input === "-") return await parseCsvStream(Deno.stdin.readable, common);
  let file;
  try {
    file = await Deno.open(options.input);
  } catch (err) {
    throw new InputError(`Cannot read ${options.input}: ${(err as Error).message}`);
  }
  // parseCsvStream consumes the stream and cancels it on error, which closes the file.
  return await parseCsvStream(file.readable, common);
}

/** The named feature columns, checked against the dataset's. */
function featureColumns(dataset: Dataset, names: readonly string[]): string[] {
  const known = new Set(dataset.columns.map((c) => c.name));
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length > 0) {
    throw new InputError(
      `--columns names ${unknown.map((n) => `"${n}"`).join(", ")}, which the file lacks; ` +
        `its columns are: ${dataset.columns.map((c) => c.name).join(", ")}`,
    );
  }
  return names.filter((n) => n !== dataset.columnMap.customer_id);
}

function basename(path: string): string {
  return path.split(/[\\/]/).pop() || path;
}
