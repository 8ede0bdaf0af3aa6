/**
 * What the command says when it fails: one line, and an exit status that tells a user's
 * mistake (1: a flag, the file, data that cannot be segmented) from a failure of the program
 * (2). A stack trace helps neither the analyst nor a script, so none is printed.
 *
 * @module
 */
import { DatasetError } from "../../domain/datasets/mod.ts";
import { AnalyzeInputError } from "../../domain/segmentation/mod.ts";
import { UsageError } from "./args.ts";
import { InputError } from "./pipeline.ts";

/** Exit status and message of a failure. */
export interface Failure {
  code: 1 | 2;
  message: string;
}

/**
 * The failure `err` stands for; `input` names the file in messages about its content, `argv`
 * tells which flags the user typed.
 */
export function failureOf(
  err: unknown,
  input: string | undefined,
  argv: readonly string[] = [],
): Failure {
  const text = oneLine(err instanceof Error ? err.message : String(err));
  if (err instanceof UsageError) return { code: 1, message: `${text} (see --help)` };
  if (err instanceof InputError) return { code: 1, message: text };
  const flag = err instanceof AnalyzeInputError ? FLAGS[err.parameter] : undefined;
  // The pipeline names the API's parameter, which the command also fills in by itself (the
  // guessed id column): blame the flag only when the user typed it, else the file.
  if (flag !== undefined && argv.some((a) => a === flag || a.startsWith(`${flag}=`))) {
    return { code: 1, message: `${flag}: ${text}` };
  }
  if (
    err instanceof DatasetError || err instanceof AnalyzeInputError || err instanceof RangeError
  ) {
    return { code: 1, message: input ? `${input}: ${text}` : text };
  }
  return { code: 2, message: `internal error: ${text}` };
}

/** The flag behind each request parameter the pipeline may blame. */
const FLAGS: Record<string, string | undefined> = {
  n_clusters: "--k",
  id_field: "--id-column",
  algorithm: "--algorithm",
};

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").trim();
}
