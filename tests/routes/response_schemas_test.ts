/**
 * The response schemas of the OpenAPI document describe the bodies the routes really send: each
 * answer of a clustered Mall session parses with its route's schema (documents 003 and 004).
 */
import assert from "node:assert/strict";
import type { z } from "zod";
import { envelopeSchema } from "../../routes/http/envelope.ts";
import {
  ClusterJobSchema,
  ClusterSegmentsSchema,
  ClustersRunAcceptedSchema,
  ClustersSchema,
  CustomerSegmentSchema,
  ExportCreatedSchema,
  InsightsSchema,
  RuleExportFileSchema,
  RuleSegmentsSchema,
} from "../../routes/segments/schemas.ts";
import {
  CorrelationSchema,
  DataQualitySchema,
  DatasetListSchema,
  DatasetSelectedSchema,
  DatasetStoredSchema,
  ExportLinksSchema,
  OptimalClustersSchema,
  ResetSchema,
  VisualizationsSchema,
  WorkflowClusteringSchema,
  WorkflowReportSchema,
} from "../../routes/workflow_schemas.ts";
import { clusteredMall, drain, MALL, segmentsService } from "./segments/_service.ts";

function fits(schema: z.ZodType, body: unknown, what: string): void {
  const parsed = schema.safeParse(body);
  assert.ok(parsed.success, `${what}: ${JSON.stringify(parsed.error?.issues.slice(0, 3))}`);
}

Deno.test("document 004's answers fit their documented schemas", async () => {
  await using s = await segmentsService();
  const a = await clusteredMall(s);
  const gets = {
    "/api/datasets": DatasetListSchema,
    "/api/data-quality": DataQualitySchema,
    "/api/optimal-clusters?max_k=4": OptimalClustersSchema,
    "/api/cluster-data": WorkflowReportSchema,
    "/api/visualizations": VisualizationsSchema,
    "/api/correlation-matrix": CorrelationSchema,
    "/api/export": ExportLinksSchema,
    "/api/export?format=json": WorkflowReportSchema,
  };
  for (const [path, schema] of Object.entries(gets)) {
    const res = await a.get(path);
    assert.equal(res.status, 200, path);
    fits(schema, res.body, path);
  }
  const clustered = await a.post("/api/cluster", { n_clusters: 3, random_state: 1 });
  fits(WorkflowClusteringSchema, clustered.body, "POST /api/cluster");
  const datasets = await a.get("/api/datasets");
  const selected = await a.call("/api/datasets/current", {
    method: "PUT",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ dataset_id: datasets.body.current_dataset_id }),
  });
  fits(DatasetSelectedSchema, await selected.json(), "PUT /api/datasets/current");
  fits(ResetSchema, (await a.post("/api/reset")).body, "POST /api/reset");
  fits(DatasetStoredSchema, await a.upload(MALL, "mall.csv"), "POST /api/upload");
});

Deno.test("document 003's answers fit their documented schemas", async () => {
  await using s = await segmentsService();
  const a = await clusteredMall(s);
  const gets = {
    "/api/segments/gender": RuleSegmentsSchema,
    "/api/segments/cluster": ClusterSegmentsSchema,
    "/api/clusters": ClustersSchema,
    "/api/clusters?include_stats=false&include_metadata=false": ClustersSchema,
    "/api/customers/1/segment?include_insights=true": CustomerSegmentSchema,
    "/api/insights/gender": InsightsSchema,
    "/api/insights/cluster": InsightsSchema,
  };
  for (const [path, schema] of Object.entries(gets)) {
    const res = await a.get(path);
    assert.equal(res.status, 200, `${path}: ${JSON.stringify(res.body)}`);
    fits(envelopeSchema(schema), res.body, path);
  }
  const run = await a.post("/api/clusters/run", { n_clusters: 3 });
  assert.equal(run.status, 202);
  fits(envelopeSchema(ClustersRunAcceptedSchema), run.body, "POST /api/clusters/run");
  await drain(s);
  const job = await a.get(run.body.data.status_url);
  fits(envelopeSchema(ClusterJobSchema), job.body, "GET /api/clusters/jobs/{id}");
  assert.notEqual(job.body.data.result, null);

  const created = await a.post("/api/export/gender", { format: "json" });
  assert.equal(created.status, 202);
  fits(envelopeSchema(ExportCreatedSchema), created.body, "POST /api/export/gender");
  const file = await a.get(created.body.data.download_url);
  fits(RuleExportFileSchema, file.body, "the JSON export file");
});
