/**
 * `deno task segment`: the whole segmentation job on any customer CSV from the command line,
 * through the pipeline the API runs (see docs/cli.md). Flags in `segment/args.ts`, the job in
 * `segment/pipeline.ts`, the output formats in `segment/formats/`, progress in
 * `segment/progress.ts`.
 *
 * @module
 */
import { parseSegmentArgs, USAGE } from "./segment/args.ts";
import { failureOf } from "./segment/errors.ts";
import { render } from "./segment/formats/mod.ts";
import { segmentFile } from "./segment/pipeline.ts";
import { createProgress, type Progress } from "./segment/progress.ts";

/** Where the command writes; tests pass their own. */
export interface SegmentIo {
  /** The result (standard output when there is no `--output`). */
  stdout(text: string): Promise<void>;
  /** Messages and the progress line. */
  stderr(text: string): void;
  /** Whether standard error is a terminal (the progress line is drawn only there). */
  stderrIsTerminal(): boolean;
}

/** The process's own streams. */
export const PROCESS_IO: SegmentIo = {
  async stdout(text) {
    const bytes = new TextEncoder().encode(text);
    for (let i = 0; i < bytes.length;) i += await Deno.stdout.write(bytes.subarray(i));
  },
  stderr(text) {
    const bytes = new TextEncoder().encode(text);
    for (let i = 0; i < bytes.length;) i += Deno.stderr.writeSync(bytes.subarray(i));
  },
  stderrIsTerminal: () => Deno.stderr.isTerminal(),
};

/** Parses `argv`, runs the job and writes its output; returns the exit status. */
export async function main(argv: readonly string[], io: SegmentIo = PROCESS_IO): Promise<number> {
  let input: string | undefined;
  let progress: Progress = createProgress({ enabled: false, write: io.stderr });
  try {
    const options = parseSegmentArgs(argv);
    if (options === null) {
      await io.stdout(USAGE + "\n");
      return 0;
    }
    input = options.input === "-" ? "stdin" : options.input;
    progress = createProgress({
      enabled: !options.quiet && io.stderrIsTerminal(),
      write: io.stderr,
    });
    const segmented = await segmentFile(options, progress);
    progress.stage(`writing ${options.format}`);
    const text = render(options.format, segmented);
    progress.stop();
    if (options.output !== undefined) await Deno.writeTextFile(options.output, text);
    else await io.stdout(text);
    return 0;
  } catch (err) {
    progress.stop();
    const failure = failureOf(err, input, argv);
    io.stderr(`error: ${failure.message}\n`);
    return failure.code;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
