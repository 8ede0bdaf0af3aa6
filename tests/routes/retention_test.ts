/**
 * Issue 11, defect 9 over HTTP: `DELETE /api/runs/{run_id}` and `DELETE /api/datasets/{id}`
 * delete the tenant's own objects (204, then 404) and answer 404 to another tenant's ids;
 * `GET /api/datasets` is paged (`limit`, `offset`, `total`, `has_more`).
 */
import assert from "node:assert/strict";
import { NOW, segmentationService } from "./segmentation/_service.ts";
import { datasetFromRecords } from "../../domain/datasets/records.ts";
import { DATASET_PAGE, saveDataset } from "../../domain/datasets/store.ts";
import { saveRun } from "../../domain/segmentation/runs.ts";

type Service = Awaited<ReturnType<typeof segmentationService>>;

async function tenant(s: Service, name: string) {
  const t = await s.tenant(name);
  const call = (path: string, method = "GET") =>
    s.app.request(path, { method, headers: t.headers });
  return { ...t, call };
}

function dataset(id: string, now: number) {
  const records = [{ a: 1, b: 2 }, { a: 2, b: 1 }, { a: 3, b: 5 }];
  return datasetFromRecords(records, { name: `${id}.csv`, now, id });
}

Deno.test("DELETE /api/runs/{run_id} deletes the tenant's run; another tenant's is 404", async () => {
  await using s = await segmentationService();
  const acme = await tenant(s, "acme");
  const globex = await tenant(s, "globex");
  await saveRun(s.kv, acme.tenantId, "run_a", "test", { x: 1 }, NOW);
  assert.equal((await acme.call("/api/runs/run_a")).status, 200);

  const stolen = await globex.call("/api/runs/run_a", "DELETE");
  assert.equal(stolen.status, 404);
  assert.equal((await stolen.json()).code, "NOT_FOUND");
  assert.equal((await acme.call("/api/runs/run_a")).status, 200, "still there for its tenant");

  const deleted = await acme.call("/api/runs/run_a", "DELETE");
  assert.equal(deleted.status, 204);
  assert.equal((await acme.call("/api/runs/run_a")).status, 404);
  assert.equal((await acme.call("/api/runs/run_a", "DELETE")).status, 404);
});

Deno.test("DELETE /api/datasets/{id} deletes the dataset and the session's pointer to it", async () => {
  await using s = await segmentationService();
  const acme = await tenant(s, "acme");
  const globex = await tenant(s, "globex");
  await saveDataset(s.kv, acme.tenantId, dataset("ds_a", NOW), NOW);
  const before = await (await acme.call("/api/datasets")).json();
  assert.deepEqual(before.datasets.map((d: { id: string }) => d.id), ["ds_a"]);

  assert.equal((await globex.call("/api/datasets/ds_a", "DELETE")).status, 404);
  assert.equal((await acme.call("/api/datasets")).status, 200);

  const select = await s.app.request("/api/datasets/current", {
    method: "PUT",
    headers: acme.headers,
    body: JSON.stringify({ dataset_id: "ds_a" }),
  });
  assert.equal(select.status, 200);
  assert.equal((await (await acme.call("/api/datasets")).json()).current_dataset_id, "ds_a");

  assert.equal((await acme.call("/api/datasets/ds_a", "DELETE")).status, 204);
  const after = await (await acme.call("/api/datasets")).json();
  assert.deepEqual(after.datasets, []);
  assert.equal(after.current_dataset_id, null);
  assert.equal((await acme.call("/api/data-quality")).status, 400, "no current dataset");
  assert.equal((await acme.call("/api/datasets/ds_a", "DELETE")).status, 404);
});

Deno.test("GET /api/datasets is paged: limit, offset, total, has_more; bad paging is 422", async () => {
  await using s = await segmentationService();
  const acme = await tenant(s, "acme");
  for (let i = 0; i < 5; i++) {
    await saveDataset(s.kv, acme.tenantId, dataset(`ds_${i}`, NOW + i), NOW + i);
  }
  const first = await (await acme.call("/api/datasets?limit=2")).json();
  assert.deepEqual(first.datasets.map((d: { id: string }) => d.id), ["ds_4", "ds_3"]);
  assert.equal(first.total, 5);
  assert.equal(first.limit, 2);
  assert.equal(first.offset, 0);
  assert.equal(first.has_more, true);
  const last = await (await acme.call("/api/datasets?limit=2&offset=4")).json();
  assert.deepEqual(last.datasets.map((d: { id: string }) => d.id), ["ds_0"]);
  assert.equal(last.has_more, false);
  const all = await (await acme.call("/api/datasets")).json();
  assert.equal(all.limit, DATASET_PAGE.defaultLimit);
  assert.equal(all.datasets.length, 5);
  assert.equal((await acme.call(`/api/datasets?limit=${DATASET_PAGE.maxLimit + 1}`)).status, 422);
  assert.equal((await acme.call("/api/datasets?offset=-1")).status, 422);
});

Deno.test("deleting the session's clustering run leaves the session without a clustering", async () => {
  await using s = await segmentationService();
  const acme = await tenant(s, "acme");
  await saveDataset(s.kv, acme.tenantId, mallLike(), NOW);
  const select = await s.app.request("/api/datasets/current", {
    method: "PUT",
    headers: acme.headers,
    body: JSON.stringify({ dataset_id: "ds_m" }),
  });
  assert.equal(select.status, 200);
  const cluster = await s.app.request("/api/cluster", {
    method: "POST",
    headers: acme.headers,
    body: JSON.stringify({ n_clusters: 3, algorithm: "kmeans" }),
  });
  assert.equal(cluster.status, 200);
  const figures = await (await acme.call("/api/visualizations")).json();
  assert.equal((await acme.call(`/api/runs/${figures.run_id}`, "DELETE")).status, 204);
  const after = await acme.call("/api/cluster-data");
  assert.equal(after.status, 400);
  assert.equal((await after.json()).code, "NO_CLUSTERING");
});

function mallLike() {
  const records = Array.from({ length: 30 }, (_, i) => ({
    spend: (i % 3) * 100 + (i % 5),
    visits: (i % 3) * 10 + (i % 4),
  }));
  return datasetFromRecords(records, { name: "m.csv", now: NOW, id: "ds_m" });
}
