/**
 * `GET /api/runs/{run_id}`: a stored segmentation run of the tenant (every endpoint that
 * segments stores one and returns its `run_id`), as it was stored: `{run_id, source,
 * created_at, body}`; `DELETE /api/runs/{run_id}` deletes it (204). Another tenant's run id is
 * 404, exactly as an unknown one. Runs older than the retention period are swept
 * (`domain/workflow/retention.ts`).
 */
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import { getRun } from "../../domain/segmentation/mod.ts";
import { deleteRun } from "../../domain/segmentation/runs.ts";
import { ClientError } from "../http/errors.ts";
import type { AppEnv } from "../env.ts";
import { createRouter, errorResponses } from "../http/openapi.ts";

/** A stored run as clients see it. */
export const RunSchema = z.object({
  run_id: z.string(),
  source: z.string().meta({ description: "The endpoint that made it" }),
  created_at: z.string(),
  body: z.record(z.string(), z.unknown()).meta({ description: "Parameters and response" }),
}).meta({ id: "Run" });

const getRoute = createRoute({
  method: "get",
  path: "/{run_id}",
  tags: ["runs"],
  summary: "A stored segmentation run",
  request: { params: z.object({ run_id: z.string().min(1).max(100) }) },
  responses: {
    200: { description: "The run", content: { "application/json": { schema: RunSchema } } },
    ...errorResponses(401, 404, 429),
  },
});

const deleteRoute = createRoute({
  method: "delete",
  path: "/{run_id}",
  tags: ["runs"],
  summary: "Delete a stored segmentation run",
  request: { params: z.object({ run_id: z.string().min(1).max(100) }) },
  responses: {
    204: { description: "Deleted" },
    ...errorResponses(401, 404, 429),
  },
});

/** The runs sub-app, mounted at `/api/runs`; needs a principal. */
export function runRoutes(deps: { kv: Deno.Kv }): OpenAPIHono<AppEnv> {
  return createRouter()
    .openapi(getRoute, async (c) => {
      const principal = c.get("principal");
      const { run_id } = c.req.valid("param");
      const run = principal ? await getRun(deps.kv, principal.tenantId, run_id) : null;
      if (!run) throw new ClientError(404, "not_found", `No run with id "${run_id}"`);
      return c.json(run as z.infer<typeof RunSchema>, 200);
    })
    .openapi(deleteRoute, async (c) => {
      const principal = c.get("principal");
      const { run_id } = c.req.valid("param");
      const deleted = principal ? await deleteRun(deps.kv, principal.tenantId, run_id) : false;
      if (!deleted) throw new ClientError(404, "not_found", `No run with id "${run_id}"`);
      return c.body(null, 204);
    });
}
