import assert from "node:assert/strict";
import { z } from "zod";
import { boundIssues, ISSUES_TRUNCATED } from "../../../routes/http/bounded_issues.ts";
import type { ErrorBody } from "../../../routes/http/errors.ts";
import { segmentationService } from "../segmentation/_service.ts";

Deno.test("boundIssues keeps the first issues and counts the rest where zod would overflow", async () => {
  const schema = boundIssues(
    z.strictObject({ ids: z.array(z.string()), nested: z.record(z.string(), z.array(z.int())) }),
    { keep: 5 },
  );
  const result = await schema.safeParseAsync({
    ids: new Array(150_000).fill(1),
    nested: { a: new Array(130_000).fill("x") },
  });
  assert.equal(result.success, false);
  const issues = result.error!.issues;
  assert.equal(issues.length, 6);
  assert.deepEqual(issues[0]!.path, ["ids", 0]);
  assert.equal(issues[0]!.code, "invalid_type");
  const last = issues.at(-1)!;
  assert.equal(last.code, "custom");
  assert.deepEqual((last as { params?: unknown }).params, {
    code: ISSUES_TRUNCATED,
    issue_count: 280_000,
    codes: ["invalid_type"],
  });
});

Deno.test("boundIssues answers as the schema does when nothing overflows", async () => {
  const schema = boundIssues(z.strictObject({ k: z.int().min(2) }));
  assert.deepEqual(await schema.parseAsync({ k: 3 }), { k: 3 });
  const result = await schema.safeParseAsync({ k: 1, extra: true });
  assert.deepEqual(result.error!.issues.map((i) => i.code), ["too_small", "unrecognized_keys"]);
});

Deno.test("200k invalid items are a 400 listing the first 100 issues, truncated", async () => {
  await using service = await segmentationService({ logger: () => {} });
  const { headers } = await service.tenant("a");
  for (const n of [200_000]) {
    const res = await service.app.request("/api/v1/ai/purchasing_segmentation", {
      method: "POST",
      headers,
      body: JSON.stringify({ data: new Array(n).fill(1) }),
    });
    const body = await res.json() as ErrorBody;
    assert.equal(res.status, 400, `${n}`);
    assert.equal(body.code, "INVALID_PARAMETER");
    const details = body.details as { issues: unknown[]; truncated: boolean; issue_count: number };
    assert.equal(details.issues.length, 100);
    assert.equal(details.truncated, true);
    assert.equal(details.issue_count, n);
    assert.deepEqual(details.issues[0], {
      path: "data.0",
      message: "Invalid input: expected object, received number",
      code: "invalid_type",
    });
  }
});

Deno.test("200k items that only break a constraint are a 422, truncated", async () => {
  await using service = await segmentationService({ logger: () => {} });
  const { headers } = await service.tenant("a");
  // A loyalty score of 2 breaks max(1): the right type, a broken range.
  const features = {
    purchase_total: 1,
    visit_frequency: 1,
    avg_ticket: 1,
    product_diversity: 1,
    loyalty_score: 2,
    recency_days: 1,
  };
  const data = Array.from({ length: 200_000 }, (_, i) => ({ customer_id: i, features }));
  const res = await service.app.request("/api/v1/ai/purchasing_segmentation", {
    method: "POST",
    headers,
    body: JSON.stringify({ data }),
  });
  const body = await res.json() as ErrorBody;
  assert.equal(res.status, 422, body.message);
  assert.equal(body.code, "INVALID_PARAMETER");
  assert.equal((body.details as { truncated?: boolean }).truncated, true);
});
