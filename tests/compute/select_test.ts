import assert from "node:assert/strict";
import type { ComputeBackend } from "../../compute/backend.ts";
import { createCpuBackend } from "../../compute/cpu/backend.ts";
import { kmeans } from "../../compute/kmeans.ts";
import { hasGpuDeviceNode, selectBackend, withCpuFallback } from "../../compute/select.ts";
import { dbscan } from "../../compute/dbscan.ts";
import { blobs } from "./_helpers.ts";

/** A GPU stand-in whose every pass fails as a lost device would. */
function brokenGpu(): ComputeBackend {
  const fail = () => Promise.reject(new Error("device lost"));
  return {
    info: { name: "gpu", description: "broken test adapter" },
    assign: fail,
    lloyd: fail,
    dbscanGraph: fail,
    clusterDistanceSums: fail,
    clusterDistanceSumsMany: fail,
    dispose: () => Promise.resolve(),
  };
}

Deno.test("withCpuFallback runs a failed GPU pass on the CPU and logs why", async () => {
  const lines: string[] = [];
  const backend = withCpuFallback(
    brokenGpu(),
    createCpuBackend({ threads: 1 }),
    (l) => lines.push(l),
  );
  const x = blobs(300, 3, 3, 2);
  const res = await kmeans(x, { k: 3, nInit: 1 }, backend);
  assert.equal(res.backend, "cpu");
  assert.equal(backend.info.name, "cpu");
  const db = await dbscan(x, { eps: 2, minSamples: 3 }, backend);
  assert.equal(db.backend, "cpu");
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /GPU lloyd failed \(device lost\).*falling back to the CPU/);
  await backend.dispose();
});

Deno.test("withCpuFallback moves a Lloyd fit to the CPU when a GPU step fails", async () => {
  const cpu = createCpuBackend({ threads: 1 });
  const reference = createCpuBackend({ threads: 1 });
  let steps = 0;
  const flaky: ComputeBackend = {
    ...brokenGpu(),
    async lloyd(x, k) {
      const inner = await reference.lloyd(x, k);
      return {
        backend: "gpu",
        step: (c) => (++steps === 2 ? Promise.reject(new Error("timeout")) : inner.step(c)),
        labels: () => inner.labels(),
        distances: () => inner.distances(),
        dispose: () => inner.dispose(),
      };
    },
  };
  const lines: string[] = [];
  const backend = withCpuFallback(flaky, cpu, (l) => lines.push(l));
  const x = blobs(500, 4, 4, 9);
  const res = await kmeans(x, { k: 4, nInit: 1, randomState: 5 }, backend);
  const expected = await kmeans(x, { k: 4, nInit: 1, randomState: 5 }, reference);
  assert.equal(res.backend, "cpu");
  assert.deepEqual(res.labels, expected.labels);
  assert.match(lines.join("\n"), /continuing this fit on the CPU/);
  await backend.dispose();
  await reference.dispose();
});

Deno.test("withCpuFallback does not hide input errors", async () => {
  const backend = withCpuFallback(
    { ...brokenGpu(), assign: () => Promise.reject(new RangeError("bad k")) },
    createCpuBackend({ threads: 1 }),
    () => {},
  );
  await assert.rejects(backend.assign(blobs(10, 2, 2, 1), new Float32Array(4), 2), /bad k/);
  assert.equal(backend.info.name, "gpu");
  await backend.dispose();
});

Deno.test("selectBackend('cpu') gives the CPU backend and 'auto' avoids a software adapter", async () => {
  const cpu = await selectBackend("cpu");
  assert.equal(cpu.info.name, "cpu");
  await cpu.dispose();
  const lines: string[] = [];
  const auto = await selectBackend("auto", { log: (l) => lines.push(l), hasGpuDevice: () => true });
  if (auto.info.name === "gpu") assert.equal(auto.info.fallbackAdapter, false);
  else assert.match(lines.join("\n"), /software adapter|no usable WebGPU adapter/);
  await auto.dispose();
});

Deno.test("selectBackend('auto') does not load a GPU driver where no GPU device exists", async () => {
  const lines: string[] = [];
  const auto = await selectBackend("auto", {
    log: (l) => lines.push(l),
    hasGpuDevice: () => false,
  });
  assert.equal(auto.info.name, "cpu");
  assert.deepEqual(lines, ["compute: no GPU device on this machine; using the CPU"]);
  await auto.dispose();
  assert.equal(typeof hasGpuDeviceNode(), "boolean");
});
