/**
 * Builds `kernels.wasm` from the AssemblyScript sources in `assembly/` (`deno task build:wasm`),
 * or with `--check` builds it in memory and fails unless it equals the committed binary byte for
 * byte (CI). The compiler version is pinned and the output has no timestamps or paths, so the
 * same sources give the same bytes.
 */
import asc from "npm:assemblyscript@0.28.9/asc";

const here = new URL(".", import.meta.url);
const target = new URL("kernels.wasm", here);
const entry = new URL("assembly/index.ts", here).pathname;

/** The compiler's flags: shared imported memory, SIMD, no runtime, no assertions. */
export const ASC_FLAGS = [
  "--runtime",
  "stub",
  "--noAssert",
  "--use",
  "abort=",
  "--optimizeLevel",
  "3",
  "--shrinkLevel",
  "0",
  "--importMemory",
  "--sharedMemory",
  "--initialMemory",
  "1",
  "--maximumMemory",
  "65536",
  "--enable",
  "simd,threads",
];

/** Compiles the kernels and returns the module's bytes. */
export async function buildKernels(): Promise<Uint8Array> {
  let binary: Uint8Array | undefined;
  const errors: string[] = [];
  const { error } = await asc.main([entry, "--outFile", "kernels.wasm", ...ASC_FLAGS], {
    writeFile(name: string, contents: Uint8Array | string) {
      if (name.endsWith(".wasm") && typeof contents !== "string") binary = contents;
    },
    stdout: { write: (s: string) => (errors.push(s), true) },
    stderr: { write: (s: string) => (errors.push(s), true) },
  });
  if (error || !binary) throw new Error(`asc failed: ${error?.message ?? ""}\n${errors.join("")}`);
  return binary;
}

if (import.meta.main) {
  const built = await buildKernels();
  if (Deno.args.includes("--check")) {
    const committed = await Deno.readFile(target);
    const same = committed.length === built.length && committed.every((b, i) => b === built[i]);
    if (!same) {
      console.error(
        "compute/cpu/wasm/kernels.wasm does not match its source: run deno task build:wasm",
      );
      Deno.exit(1);
    }
    console.log(`kernels.wasm matches its source (${built.length} bytes)`);
  } else {
    await Deno.writeFile(target, built);
    console.log(`wrote ${target.pathname} (${built.length} bytes)`);
  }
}
