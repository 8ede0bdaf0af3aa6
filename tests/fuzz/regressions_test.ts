/** The 5xx answers the fuzz suite found, each kept as a plain case. */
import assert from "node:assert/strict";
import { segmentationService } from "../routes/segmentation/_service.ts";

Deno.test("document 001 with an empty data array is a 422, not a 500 (its refinement read data[0])", async () => {
  await using service = await segmentationService({ logger: () => {} });
  const { headers } = await service.tenant("a");
  for (const body of [{ data: [] }, { data: [], customers: [] }, { data: [], labels: {} }]) {
    const res = await service.app.request("/api/v1/ai/segment_cluster_profiles", {
      method: "POST",
      headers,
      body: JSON.stringify(body),
    });
    await res.body?.cancel();
    assert.ok(res.status === 400 || res.status === 422, `${JSON.stringify(body)}: ${res.status}`);
  }
});
