/**
 * Every endpoint that can answer 202 with a job reports its stages through the job API (issue
 * 15): documents 000 (both shapes), 001 (labels computed or given), 002, 003's
 * `POST /api/clusters/run` and 004's `POST /api/cluster`. Each job is polled at its status URL
 * after every stage it reports: the stages come in the pipeline's order, `done` ≤ `total`, and
 * the progress never goes back.
 *
 * The polls are made by the job's own progress callback, after each write has landed: an
 * in-process engine holds the thread while it computes, so a poll from a timer would only see
 * the stages written together at the end (docs/jobs.md).
 */
import assert from "node:assert/strict";
import { JobRunner, type JobType } from "../../domain/jobs/runner.ts";
import {
  type SegmentationJobInput,
  segmentationJobType,
} from "../../domain/jobs/segmentation_job.ts";
import type { JobStage } from "../../domain/jobs/job_record.ts";
import { MALL, segmentsService, type Service, type Session, session } from "./segments/_service.ts";

/** What a poll of the job's status URL showed. */
interface Poll {
  status: string;
  progress: number;
  stage?: string;
  done?: number;
  total?: number;
}

/** Runs the queued job, polling `statusUrl` after each stage it reports is written. */
async function runPolling(s: Service, a: Session, statusUrl: string): Promise<Poll[]> {
  const inner = segmentationJobType(s.engine);
  const polls: Poll[] = [];
  const type: JobType<SegmentationJobInput> = {
    ...inner,
    async run(ctx) {
      // One report at a time, so that none is coalesced away before its poll.
      let chain = Promise.resolve();
      const progress = (fraction: number, stage?: JobStage) => {
        chain = chain.then(async () => {
          await ctx.progress(fraction, stage);
          const res = await a.call(statusUrl);
          assert.equal(res.status, 200);
          polls.push((await res.json()).data);
        });
        return chain;
      };
      const out = await inner.run({ ...ctx, progress });
      await chain;
      return out;
    },
  };
  await new JobRunner(s.kv, [type as JobType], { clock: s.clock.read, onError: () => {} })
    .drain();
  const final = (await (await a.call(statusUrl)).json()).data;
  assert.equal(final.status === "succeeded" || final.state === "succeeded", true, final.error);
  assert.equal(final.stage, undefined, "no stage once finished");
  return polls;
}

/** The stage names in the order they were first seen. */
function order(polls: readonly Poll[]): string[] {
  const names: string[] = [];
  for (const p of polls) if (p.stage && names.at(-1) !== p.stage) names.push(p.stage);
  return names;
}

function assertStages(polls: readonly Poll[], expected: readonly string[]): void {
  assert.ok(polls.length > 0, "the job was polled");
  assert.ok(polls.every((p) => p.status === "processing"), JSON.stringify(polls));
  assert.deepEqual(order(polls), expected, JSON.stringify(polls));
  const fractions = polls.map((p) => p.progress);
  assert.deepEqual(fractions, [...fractions].sort((x, y) => x - y), "never backwards");
  const counted = polls.filter((p) => p.total !== undefined);
  assert.ok(counted.every((p) => Number.isInteger(p.done) && p.done! <= p.total!));
  if (expected.includes("candidates")) {
    assert.ok(counted.length >= 2, "candidate i of N, more than once");
    assert.equal(counted.at(-1)!.done, counted.at(-1)!.total, "the last candidate is N of N");
  }
}

const SEGMENTING = ["reading", "candidates", "selection", "profiles", "names"];

/** Customers in three well separated groups, in document 000's data shape. */
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

/** POSTs `body` asking for a job; returns the 202's status URL. */
async function queued(a: Session, path: string, body?: unknown): Promise<string> {
  const res = await a.call(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", Prefer: "respond-async" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const answer = await res.json();
  assert.equal(res.status, 202, JSON.stringify(answer));
  // Document 003 wraps its answer in an envelope; the others answer the job itself.
  return (answer.data ?? answer).status_url;
}

Deno.test("document 000's job (data shape) reports reading, candidate i of N, profiles, names", async () => {
  await using s = await segmentsService();
  const a = await session(s);
  const url = await queued(a, "/api/v1/ai/purchasing_segmentation", {
    data: purchasingCustomers(60),
    max_clusters: 4,
  });
  assertStages(await runPolling(s, a, url), SEGMENTING);
});

Deno.test("document 000's job (customers shape) reports its stages", async () => {
  await using s = await segmentsService();
  const a = await session(s);
  const customers = purchasingCustomers(45).map((c, i) => ({
    id: c.customer_id,
    frequency: c.features.visit_frequency,
    amount_spent: c.features.purchase_total,
    product_types: ["a", "b", "c"].slice(0, 1 + (i % 3)),
  }));
  const url = await queued(a, "/api/purchasing_segmentation", { customers, k_range: [3, 4, 5] });
  assertStages(await runPolling(s, a, url), SEGMENTING);
});

Deno.test("document 001's job reports its stages: segmenting first, or with the labels given", async () => {
  await using s = await segmentsService();
  const a = await session(s);
  const data = purchasingCustomers(45).map((c) => ({
    customer_id: c.customer_id,
    features: { spend: c.features.purchase_total, visits: c.features.visit_frequency },
  }));
  const computed = await queued(a, "/api/segment_cluster_profiles", { data, max_clusters: 4 });
  assertStages(await runPolling(s, a, computed), SEGMENTING);

  const labels = Object.fromEntries(data.map((d, i) => [d.customer_id, i % 3]));
  const given = await queued(a, "/api/segment_cluster_profiles", { data, labels });
  // Nothing is fitted: straight from reading to the profiles.
  assertStages(await runPolling(s, a, given), ["reading", "profiles", "names"]);
});

Deno.test("document 002's job (POST /api/analyze) reports its stages", async () => {
  await using s = await segmentsService();
  const a = await session(s);
  const data = purchasingCustomers(60).map((c) => ({ id: c.customer_id, ...c.features }));
  const url = await queued(a, "/api/analyze", { data, id_field: "id", max_clusters: 4 });
  assertStages(await runPolling(s, a, url), SEGMENTING);
});

Deno.test("document 004's POST /api/cluster and 003's POST /api/clusters/run report their stages", async () => {
  await using s = await segmentsService();
  const a = await session(s);
  await a.upload(MALL, "mall_customers.csv");
  const workflow = await queued(a, "/api/cluster", { max_clusters: 4 });
  assertStages(await runPolling(s, a, workflow), SEGMENTING);

  const run = await queued(a, "/api/clusters/run", { n_clusters: 3 });
  assert.match(run, /^\/api\/clusters\/jobs\//);
  // One k and one algorithm: a single candidate, 1 of 1.
  const polls = await runPolling(s, a, run);
  assert.deepEqual(order(polls), SEGMENTING, JSON.stringify(polls));
  assert.ok(polls.some((p) => p.stage === "candidates" && p.done === 1 && p.total === 1));
});
