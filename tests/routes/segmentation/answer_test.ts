/**
 * The 202 path of the segmentation endpoints (`routes/segmentation/answer.ts`): `Prefer:
 * respond-async` and requests above the synchronous size become jobs whose result is the body
 * the request would have answered; failures and other tenants' jobs are answered as documented.
 */
import assert from "node:assert/strict";
import { segmentationJobType } from "../../../domain/jobs/segmentation_job.ts";
import { getRun } from "../../../domain/segmentation/runs.ts";
import { JobRunner } from "../../../domain/jobs/runner.ts";
import { SYNC_LIMITS } from "../../../domain/segmentation/mod.ts";
import { NOW, segmentationService } from "./_service.ts";

/** Customers in three well separated groups, in document 000's shape. */
function purchasingCustomers(n: number) {
  return Array.from({ length: n }, (_, i) => {
    const g = i % 3;
    return {
      customer_id: `C${i}`,
      features: {
        purchase_total: [200, 2000, 9000][g]! + (i % 7) * 10,
        visit_frequency: [2, 12, 40][g]! + (i % 3),
        avg_ticket: [50, 120, 300][g]! + (i % 5),
        product_diversity: [1, 5, 20][g]! + (i % 2),
        loyalty_score: [0.1, 0.5, 0.9][g]!,
        recency_days: [200, 40, 3][g]! + (i % 4),
      },
    };
  });
}

async function drain(s: Awaited<ReturnType<typeof segmentationService>>) {
  const runner = new JobRunner(s.kv, [segmentationJobType(s.engine)], {
    clock: () => NOW,
    onError: () => {},
  });
  await runner.drain();
}

Deno.test("Prefer: respond-async answers 202 and the job's result is the synchronous body", async () => {
  await using s = await segmentationService();
  const acme = await s.tenant("acme");
  const body = JSON.stringify({ data: purchasingCustomers(60), max_clusters: 4, random_state: 7 });
  const path = "/api/v1/ai/purchasing_segmentation";
  const accepted = await s.app.request(path, {
    method: "POST",
    headers: { ...acme.headers, Prefer: "respond-async" },
    body,
  });
  assert.equal(accepted.status, 202);
  assert.equal(accepted.headers.get("Preference-Applied"), "respond-async");
  const job = await accepted.json();
  assert.equal(job.status, "queued");
  assert.equal(accepted.headers.get("Location"), `/api/jobs/${job.job_id}`);
  assert.equal(job.status_url, `/api/jobs/${job.job_id}`);
  assert.equal(job.result_url, `/api/jobs/${job.job_id}/result`);
  assert.ok(job.estimated_time_seconds >= 1);

  const early = await s.app.request(job.result_url, { headers: acme.headers });
  assert.equal(early.status, 409);
  assert.equal((await early.json()).code, "JOB_NOT_FINISHED");

  await drain(s);
  const status = await (await s.app.request(job.status_url, { headers: acme.headers })).json();
  assert.equal(status.data.status, "succeeded");
  assert.equal(status.data.result_available, true);

  const result = await s.app.request(job.result_url, { headers: acme.headers });
  assert.equal(result.status, 200);
  assert.match(result.headers.get("Content-Type") ?? "", /application\/json/);
  const fromJob = await result.json();
  const sync = await (await s.app.request(path, { method: "POST", headers: acme.headers, body }))
    .json();
  assert.ok(typeof fromJob.run_id === "string" && fromJob.run_id !== sync.run_id);
  const { run_id: _a, processing_time_ms: _pa, ...jobRest } = fromJob;
  const { run_id: _b, processing_time_ms: _pb, ...syncRest } = sync;
  assert.deepEqual(jobRest, syncRest);
  const run = await getRun(s.kv, acme.tenantId, fromJob.run_id);
  assert.equal(run?.source, "purchasing_segmentation");
});

Deno.test("a request above the synchronous size is answered 202 without computing", async () => {
  await using s = await segmentationService();
  const acme = await s.tenant("acme");
  const n = SYNC_LIMITS.analyze + 1;
  const data = Array.from({ length: n }, (_, i) => ({ id: i, spend: i % 100, visits: i % 7 }));
  const res = await s.app.request("/api/analyze", {
    method: "POST",
    headers: acme.headers,
    body: JSON.stringify({ data }),
  });
  assert.equal(res.status, 202);
  const job = await res.json();
  assert.match(job.message, /50000/);
  assert.equal(res.headers.get("Preference-Applied"), null);
  const status = await (await s.app.request(job.status_url, { headers: acme.headers })).json();
  assert.equal(status.data.status, "queued");
  assert.equal(status.data.type, "segmentation");
});

Deno.test("a job whose data cannot be segmented fails once, and its result says why", async () => {
  await using s = await segmentationService();
  const acme = await s.tenant("acme");
  const same = Array.from({ length: 5 }, (_, i) => ({ id: i, spend: 10, visits: 2 }));
  const res = await s.app.request("/api/analyze", {
    method: "POST",
    headers: { ...acme.headers, Prefer: "respond-async" },
    body: JSON.stringify({ data: same }),
  });
  assert.equal(res.status, 202);
  const job = await res.json();
  await drain(s);
  const status = await (await s.app.request(job.status_url, { headers: acme.headers })).json();
  assert.equal(status.data.status, "failed");
  assert.equal(status.data.attempt, 1);
  const result = await s.app.request(job.result_url, { headers: acme.headers });
  assert.equal(result.status, 409);
  const error = await result.json();
  assert.equal(error.code, "JOB_FAILED");
  assert.equal(error.message, status.data.error.message);
});

Deno.test("another tenant's job and its result are 404, as unknown ones", async () => {
  await using s = await segmentationService();
  const acme = await s.tenant("acme");
  const globex = await s.tenant("globex");
  const res = await s.app.request("/api/analyze", {
    method: "POST",
    headers: { ...acme.headers, Prefer: "respond-async" },
    body: JSON.stringify({ data: purchasingCustomers(30).map((c) => c.features) }),
  });
  const job = await res.json();
  await drain(s);
  for (const url of [job.status_url, job.result_url, "/api/jobs/nope/result"]) {
    const other = await s.app.request(url, { headers: globex.headers });
    assert.equal(other.status, 404, url);
    assert.equal((await other.json()).code, "NOT_FOUND");
  }
  assert.equal((await s.app.request(job.result_url, { headers: acme.headers })).status, 200);
});

Deno.test("the profiles endpoint segments first in a job when asked", async () => {
  await using s = await segmentationService();
  const acme = await s.tenant("acme");
  const data = purchasingCustomers(45).map((c) => ({
    customer_id: c.customer_id,
    features: { spend: c.features.purchase_total, visits: c.features.visit_frequency },
  }));
  const res = await s.app.request("/api/segment_cluster_profiles", {
    method: "POST",
    headers: { ...acme.headers, Prefer: "respond-async" },
    body: JSON.stringify({ data, max_clusters: 4 }),
  });
  assert.equal(res.status, 202);
  const job = await res.json();
  await drain(s);
  const body = await (await s.app.request(job.result_url, { headers: acme.headers })).json();
  assert.equal(body.labels_source, "computed");
  assert.equal(body.customer_labels.length, 45);
  assert.equal(body.segments.length, body.n_clusters);
  assert.equal(body.segmentation.algorithm !== undefined, true);
});

Deno.test("a request whose estimated work exceeds the time limit is answered 202", async () => {
  await using s = await segmentationService({ timeoutMs: 1000 });
  const acme = await s.tenant("acme");
  // 10k records × 5 fields ≈ 0.9 s of estimated work: more than 80 % of a 1 s limit.
  const heavy = Array.from({ length: 10_000 }, (_, i) => ({
    id: i,
    a: i % 7,
    b: i % 11,
    c: i % 13,
    d: i % 17,
  }));
  const res = await s.app.request("/api/analyze", {
    method: "POST",
    headers: acme.headers,
    body: JSON.stringify({ data: heavy }),
  });
  assert.equal(res.status, 202);
  const job = await res.json();
  assert.match(job.message, /time limit/);
  assert.equal(job.estimated_time_seconds, 1);
  const light = await s.app.request("/api/analyze", {
    method: "POST",
    headers: acme.headers,
    body: JSON.stringify({ data: heavy.slice(0, 60) }),
  });
  assert.equal(light.status, 200);
});
