/**
 * Document 003's clusters: `GET /api/clusters` with and without statistics and metadata,
 * `POST /api/clusters/run` always answering 202 with a job, `GET /api/clusters/jobs/{job_id}`
 * from queued to the result, the refused bodies, and another tenant's job being 404.
 */
import assert from "node:assert/strict";
import { clusteredMall, drain, MALL, segmentsService, session } from "./_service.ts";

Deno.test("GET /api/clusters lists the latest clustering's clusters with stats and metadata", async () => {
  await using s = await segmentsService();
  const a = await clusteredMall(s);
  const { status, body } = await a.get("/api/clusters");
  assert.equal(status, 200);
  assert.equal(body.success, true);
  const data = body.data;
  assert.equal(data.total_clusters, 5);
  assert.match(data.run_id, /^run_/);
  assert.equal(typeof data.metrics.silhouette_score, "number");
  assert.deepEqual(data.clusters.map((c: { cluster_id: number }) => c.cluster_id), [0, 1, 2, 3, 4]);
  const c = data.clusters[0];
  for (const field of ["cluster_label", "cluster_name", "description"]) {
    assert.equal(typeof c[field], "string", field);
  }
  assert.equal(typeof c.avg_income, "number");
  assert.equal(c.avg_purchase_amount, null);
  assert.equal(
    data.clusters.reduce((n: number, x: { customer_count: number }) => n + x.customer_count, 0),
    200,
  );

  const bare = (await a.get("/api/clusters?include_stats=false&include_metadata=false")).body.data;
  assert.equal(bare.metrics, undefined);
  assert.deepEqual(Object.keys(bare.clusters[0]).sort(), [
    "cluster_id",
    "cluster_label",
    "cluster_name",
    "customer_count",
  ]);
  assert.equal((await a.get("/api/clusters?include_stats=yes")).status, 400);
});

Deno.test("POST /api/clusters/run answers 202 with a job whose result becomes the clustering", async () => {
  await using s = await segmentsService();
  const a = await session(s);
  await a.upload(MALL);
  const accepted = await a.post("/api/clusters/run", {
    n_clusters: 3,
    algorithm: "kmeans",
    features: ["age", "income", "Spending Score (1-100)"],
    normalize: true,
    random_state: 42,
  });
  assert.equal(accepted.status, 202);
  const job = accepted.body.data;
  assert.equal(accepted.body.success, true);
  // Document 003's words (§1.3: "processing"); the service's own state beside them.
  assert.equal(job.status, "processing");
  assert.equal(job.state, "queued");
  assert.equal(job.message, "Clustering job queued successfully");
  assert.ok(Number.isInteger(job.estimated_time_seconds) && job.estimated_time_seconds >= 1);
  assert.equal(job.status_url, `/api/clusters/jobs/${job.job_id}`);
  assert.equal(accepted.headers.get("Location"), job.status_url);
  assert.match(accepted.headers.get("RateLimit-Policy") ?? "", /^"clusters_run";/);

  const queued = await a.get(job.status_url);
  assert.equal(queued.status, 200);
  assert.equal(queued.body.data.status, "processing");
  assert.equal(queued.body.data.state, "queued");
  // GET /api/jobs/{id} keeps the service's own states.
  assert.equal((await a.get(`/api/jobs/${job.job_id}`)).body.data.status, "queued");
  assert.equal(queued.body.data.result, null);
  assert.equal((await a.get("/api/clusters")).body.code, "NO_CLUSTERING");

  await drain(s);
  const done = await a.get(job.status_url);
  assert.equal(done.body.data.status, "completed");
  assert.equal(done.body.data.state, "succeeded");
  assert.equal((await a.get(`/api/jobs/${job.job_id}`)).body.data.status, "succeeded");
  assert.equal(done.body.data.progress, 1);
  const result = done.body.data.result;
  assert.match(result.run_id, /^run_/);
  assert.equal(Object.keys(result.cluster_analysis).length, 3);

  const clusters = (await a.get("/api/clusters")).body.data;
  assert.equal(clusters.run_id, result.run_id);
  assert.equal(clusters.total_clusters, 3);
});

Deno.test("POST /api/clusters/run answers 202 even for a small dataset and an empty body", async () => {
  await using s = await segmentsService();
  const a = await session(s);
  await a.upload("id,age,income\n1,20,10\n2,21,11\n3,60,90\n4,61,91\n5,40,50\n6,41,51\n");
  const res = await a.call("/api/clusters/run", { method: "POST" });
  assert.equal(res.status, 202);
  assert.equal((await res.json()).data.status, "processing");
});

Deno.test("POST /api/clusters/run refuses bad bodies and needs a dataset", async () => {
  await using s = await segmentsService();
  const a = await session(s);
  const none = await a.post("/api/clusters/run", { n_clusters: 3 });
  assert.equal(none.status, 400);
  assert.equal(none.body.code, "NO_DATA");
  await a.upload(MALL);
  const unknownFeature = await a.post("/api/clusters/run", { features: ["age", "shoe_size"] });
  // Document 003 lists no 422: a value that breaks a constraint is its 400.
  assert.equal(unknownFeature.status, 400);
  assert.deepEqual(unknownFeature.body.details.unknown, ["shoe_size"]);
  const raw = await a.post("/api/clusters/run", { normalize: false });
  assert.equal(raw.status, 400);
  assert.equal(raw.body.details.parameter, "normalize");
  assert.equal((await a.post("/api/clusters/run", { n_clusters: 11 })).status, 400);
  assert.equal((await a.post("/api/clusters/run", { algorithm: "spectral" })).status, 400);
  assert.equal((await a.post("/api/clusters/run", { colour: "red" })).status, 400);
});

Deno.test("GET /api/clusters/jobs/{job_id} of another tenant's job is 404", async () => {
  await using s = await segmentsService();
  const a = await session(s, "acme");
  await a.upload(MALL);
  const job = (await a.post("/api/clusters/run", { n_clusters: 4 })).body.data;
  const b = await session(s, "globex");
  const other = await b.get(job.status_url);
  assert.equal(other.status, 404);
  assert.equal(other.body.code, "NOT_FOUND");
  assert.equal((await b.get("/api/clusters/jobs/nope")).status, 404);
  await drain(s);
  assert.equal((await b.get(job.status_url)).status, 404);
  assert.equal((await b.get("/api/clusters")).body.code, "NO_DATA");
});
