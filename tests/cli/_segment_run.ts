/**
 * Runs `deno task segment` in this process with its streams captured.
 *
 * @module
 */
import { main } from "../../cli/segment.ts";

/** What a run printed and returned. */
export interface SegmentRun {
  code: number;
  out: string;
  err: string;
}

/** Runs the command on `args`; `terminal` says whether standard error is a terminal. */
export async function runSegment(args: string[], terminal = false): Promise<SegmentRun> {
  let out = "";
  let err = "";
  const code = await main(args, {
    stdout: (text) => {
      out += text;
      return Promise.resolve();
    },
    stderr: (text) => {
      err += text;
    },
    stderrIsTerminal: () => terminal,
  });
  return { code, out, err };
}

/** The sample files, by short name. */
export const DATA = {
  mall: new URL("../data/mall_customers.csv", import.meta.url).pathname,
  wholesale: new URL("../data/wholesale_customers.csv", import.meta.url).pathname,
  marketing: new URL("../data/marketing_campaign.csv", import.meta.url).pathname,
  cc: new URL("../data/cc_general.csv", import.meta.url).pathname,
} as const;

/** Writes `text` to a new file in a fresh temp dir; returns its path and a cleanup. */
export async function tempCsv(name: string, text: string): Promise<{ path: string; dir: string }> {
  const dir = await Deno.makeTempDir({ prefix: "segment_cli_" });
  const path = `${dir}/${name}`;
  await Deno.writeTextFile(path, text);
  return { path, dir };
}

/**
 * `n` customers in three well-separated groups with an id, a category, a date and some blanks,
 * in columns joined by `delimiter`.
 */
export function customersCsv(delimiter: string, n = 60): string {
  const lines = [["customer_id", "age", "spend", "city", "joined"].join(delimiter)];
  for (let i = 0; i < n; i++) {
    const g = i % 3;
    const age = i === 7 ? "" : String(22 + g * 20 + (i % 5));
    const spend = String(100 + g * 900 + ((i * 37) % 50));
    const city = i === 11 ? "" : ["Porto", "Lisboa", "Faro"][g]!;
    const day = String(1 + (i % 27)).padStart(2, "0");
    const joined = `${2019 + g}-0${1 + (i % 9)}-${day}`;
    lines.push([`C${1000 + i}`, age, spend, city, joined].join(delimiter));
  }
  return "\uFEFF" + lines.join("\n") + "\n";
}
