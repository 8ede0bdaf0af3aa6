/**
 * `/api/jobs` and the jobs behind the segmentation endpoints' 202: a crash while a result is
 * saved does not lose the job, `DELETE /api/jobs/{id}` cancels (or deletes a finished job with
 * its result), and a tenant over its limit of
 * active jobs is answered 429 with `Retry-After`.
 */
import assert from "node:assert/strict";
import { claimNextJob } from "../../../domain/jobs/claims.ts";
import { getJob } from "../../../domain/jobs/job_reads.ts";
import { JobRunner } from "../../../domain/jobs/runner.ts";
import { JOB_RESULT_KIND } from "../../../domain/jobs/job_record.ts";
import { REQUEST_KIND, segmentationJobType } from "../../../domain/jobs/segmentation_job.ts";
import { getBlobManifest } from "../../../storage/mod.ts";
import { NOW, segmentationService } from "../segmentation/_service.ts";

const PATH = "/api/v1/ai/purchasing_segmentation";

/** Customers in three well separated groups, in document 000's shape. */
function customers(n: number) {
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

type Service = Awaited<ReturnType<typeof segmentationService>>;

async function queue(s: Service, headers: Record<string, string>, seed = 7) {
  return await s.app.request(PATH, {
    method: "POST",
    headers: { ...headers, Prefer: "respond-async" },
    body: JSON.stringify({ data: customers(60), max_clusters: 4, random_state: seed }),
  });
}

async function storedRequests(kv: Deno.Kv, tenantId: string): Promise<number> {
  let n = 0;
  for await (const _ of kv.list({ prefix: ["t", tenantId, "blob", REQUEST_KIND] })) n++;
  return n;
}

Deno.test("a crash while the result is saved does not lose the job: attempt 2 still has the request", async () => {
  await using s = await segmentationService();
  const acme = await s.tenant("acme");
  const accepted = await queue(s, acme.headers);
  assert.equal(accepted.status, 202);
  const { job_id, result_url } = await accepted.json();
  let crashes = 0;
  const runner = new JobRunner(s.kv, [segmentationJobType(s.engine)], {
    clock: () => NOW,
    retryDelayMs: 0,
    onError: () => {},
    faults: (point) => {
      if (point.step === "publish" && crashes++ === 0) {
        throw new Error("simulated: the store went away while the result was saved");
      }
    },
  });
  await runner.drain();
  const job = await getJob(s.kv, acme.tenantId, job_id);
  assert.equal(job?.state, "succeeded", job?.error?.message);
  assert.equal(job?.attempt, 2);
  const result = await s.app.request(result_url, { headers: acme.headers });
  assert.equal(result.status, 200);
  assert.ok((await result.json()).run_id);
  assert.equal(await storedRequests(s.kv, acme.tenantId), 0, "the request went with the flip");
});

Deno.test("DELETE /api/jobs/{id} cancels the tenant's job; another tenant's id is 404", async () => {
  await using s = await segmentationService();
  const acme = await s.tenant("acme");
  const other = await s.tenant("other");
  const { job_id, status_url, result_url } = await (await queue(s, acme.headers)).json();

  const foreign = await s.app.request(status_url, { method: "DELETE", headers: other.headers });
  assert.equal(foreign.status, 404);
  assert.equal((await foreign.json()).code, "NOT_FOUND");

  const cancelled = await s.app.request(status_url, { method: "DELETE", headers: acme.headers });
  assert.equal(cancelled.status, 200);
  assert.equal((await cancelled.json()).data.status, "cancelled");
  const status = await (await s.app.request(status_url, { headers: acme.headers })).json();
  assert.equal(status.data.status, "cancelled");
  const result = await s.app.request(result_url, { headers: acme.headers });
  assert.equal(result.status, 409);
  assert.equal((await result.json()).code, "JOB_CANCELLED");
  assert.equal(await storedRequests(s.kv, acme.tenantId), 0);
  // The cancelled job is finished: deleting it again removes it (204), then it is 404.
  const foreignCancelled = await s.app.request(status_url, {
    method: "DELETE",
    headers: other.headers,
  });
  assert.equal(foreignCancelled.status, 404);
  const again = await s.app.request(status_url, { method: "DELETE", headers: acme.headers });
  assert.equal(again.status, 204);
  assert.equal(await again.text(), "");
  assert.equal((await s.app.request(status_url, { headers: acme.headers })).status, 404);
  assert.equal((await s.app.request(result_url, { headers: acme.headers })).status, 404);

  // A running job is asked to stop: 202, and its worker ends it at its next renewal.
  const running = await (await queue(s, acme.headers, 8)).json();
  const lease = await claimNextJob(s.kv, "w1", NOW, 30_000);
  assert.equal(lease?.jobId, running.job_id);
  const asked = await s.app.request(running.status_url, {
    method: "DELETE",
    headers: acme.headers,
  });
  assert.equal(asked.status, 202);
  const body = await asked.json();
  assert.equal(body.data.status, "processing");
  assert.equal(body.data.cancel_requested, true);
  assert.notEqual(job_id, running.job_id);
});

Deno.test("DELETE /api/jobs/{id} of a finished job deletes it and its result (204); another tenant's id is 404", async () => {
  await using s = await segmentationService();
  const acme = await s.tenant("acme");
  const other = await s.tenant("other");
  const { job_id, status_url, result_url } = await (await queue(s, acme.headers)).json();
  const runner = new JobRunner(s.kv, [segmentationJobType(s.engine)], {
    clock: () => NOW,
    onError: () => {},
  });
  await runner.drain();
  assert.equal((await getJob(s.kv, acme.tenantId, job_id))?.state, "succeeded");
  assert.equal((await s.app.request(result_url, { headers: acme.headers })).status, 200);

  // Another tenant can neither see nor delete it.
  const foreign = await s.app.request(status_url, { method: "DELETE", headers: other.headers });
  assert.equal(foreign.status, 404);
  assert.equal((await foreign.json()).code, "NOT_FOUND");
  assert.equal((await getJob(s.kv, acme.tenantId, job_id))?.state, "succeeded");
  assert.ok(await getBlobManifest(s.kv, acme.tenantId, JOB_RESULT_KIND, job_id));

  const deleted = await s.app.request(status_url, { method: "DELETE", headers: acme.headers });
  assert.equal(deleted.status, 204);
  assert.equal(await deleted.text(), "");
  const status = await s.app.request(status_url, { headers: acme.headers });
  assert.equal(status.status, 404);
  assert.equal((await status.json()).code, "NOT_FOUND");
  const result = await s.app.request(result_url, { headers: acme.headers });
  assert.equal(result.status, 404);
  assert.equal((await result.json()).code, "NOT_FOUND");
  assert.equal(await getJob(s.kv, acme.tenantId, job_id), null);
  assert.equal(await getBlobManifest(s.kv, acme.tenantId, JOB_RESULT_KIND, job_id), null);
  const twice = await s.app.request(status_url, { method: "DELETE", headers: acme.headers });
  assert.equal(twice.status, 404, "a deleted job is gone");
});

Deno.test("a tenant over its limit of active jobs is answered 429 with Retry-After; others are not", async () => {
  await using s = await segmentationService();
  const acme = await s.tenant("acme");
  const other = await s.tenant("other");
  for (let i = 0; i < 4; i++) assert.equal((await queue(s, acme.headers, i)).status, 202);
  const refused = await queue(s, acme.headers, 9);
  assert.equal(refused.status, 429);
  assert.ok(Number(refused.headers.get("Retry-After")) > 0);
  const body = await refused.json();
  assert.equal(body.code, "TOO_MANY_JOBS");
  assert.equal(body.details.limit, 4);
  assert.equal(await storedRequests(s.kv, acme.tenantId), 4, "the refused request is not kept");
  assert.equal((await queue(s, other.headers)).status, 202);
  // Once one has finished, the tenant may queue again.
  await new JobRunner(s.kv, [segmentationJobType(s.engine)], {
    clock: () => NOW,
    onError: () => {},
  }).drain();
  assert.equal((await queue(s, acme.headers, 10)).status, 202);
});

Deno.test("the app's maxActiveJobsPerTenant (main.ts's MAX_ACTIVE_JOBS_PER_TENANT) is the limit", async () => {
  await using s = await segmentationService({ maxActiveJobsPerTenant: 1 });
  const acme = await s.tenant("acme");
  assert.equal((await queue(s, acme.headers, 0)).status, 202);
  const refused = await queue(s, acme.headers, 1);
  assert.equal(refused.status, 429);
  assert.equal((await refused.json()).details.limit, 1);
});
