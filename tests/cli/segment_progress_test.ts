/**
 * The progress line of `deno task segment`: drawn on a terminal after the first second, with the
 * stage, the candidate and the elapsed time; never with `--quiet` or when standard error is not
 * a terminal.
 */
import assert from "node:assert/strict";
import { createProgress, pipelineListener } from "../../cli/segment/progress.ts";
import { DATA, runSegment } from "./_segment_run.ts";

Deno.test("progress waits a second, then shows the stage, the candidate and the time", () => {
  let t = 0;
  let text = "";
  // Read through a function: the assertions would otherwise narrow it to a literal.
  const written = () => text;
  const p = createProgress({ enabled: true, write: (s) => text += s, now: () => t });
  p.stage("reading");
  assert.equal(written(), "");
  t = 1500;
  p.stage("segmenting");
  assert.equal(written(), "\r\x1b[2Ksegment: segmenting · 1.5s");
  t = 2000;
  p.candidate(3, 28);
  assert.ok(written().endsWith("\r\x1b[2Ksegment: segmenting · candidate 3 of 28 · 2.0s"));
  p.stop();
  assert.ok(written().endsWith("\r\x1b[2K"));
  const before = written();
  p.stage("after stop");
  p.stop();
  assert.equal(written(), before);
});

Deno.test("progress disabled writes nothing", () => {
  let written = "";
  const p = createProgress({ enabled: false, write: (s) => written += s, now: () => 1e9 });
  p.stage("segmenting");
  p.candidate(1, 2);
  p.stop();
  assert.equal(written, "");
});

Deno.test("segment --quiet draws no progress on a terminal", async () => {
  const { code, err } = await runSegment(
    ["--input", DATA.marketing, "--backend", "cpu", "--format", "csv", "--quiet"],
    true,
  );
  assert.equal(code, 0);
  assert.equal(err, "");
});

Deno.test("segment draws no progress when standard error is not a terminal", async () => {
  // A real process with standard error piped: PROCESS_IO asks Deno.stderr.isTerminal().
  const script = new URL("../../cli/segment.ts", import.meta.url).pathname;
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-env",
      "--allow-read",
      "--allow-write",
      script,
      "--input",
      DATA.marketing,
      "--backend",
      "cpu",
      "--format",
      "csv",
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  assert.equal(new TextDecoder().decode(stderr), "");
  assert.equal(new TextDecoder().decode(stdout).trimEnd().split("\r\n").length, 2241);
});

Deno.test("the pipeline's events become stages and candidate counts", () => {
  const calls: string[] = [];
  const listen = pipelineListener({
    stage: (name) => calls.push(`stage ${name}`),
    candidate: (i, n) => calls.push(`${i}/${n}`),
    stop: () => {},
  });
  listen({ stage: "preprocess" });
  listen({ stage: "candidates", done: 1, total: 28 });
  listen({ stage: "candidates", done: 2, total: 28 });
  listen({ stage: "selection" });
  listen({ stage: "something new" });
  assert.deepEqual(calls, [
    "stage preprocessing",
    "stage fitting candidates",
    "1/28",
    "2/28",
    "stage selecting",
    "stage something new",
  ]);
});
