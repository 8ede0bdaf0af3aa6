/** One customer's cluster: its id, capitalised persona label and name, or Noise. */
import assert from "node:assert/strict";
import { customerCluster } from "../../../domain/workflow/customer_cluster.ts";
import { narrative, workflowRecord } from "./_records.ts";

const record = workflowRecord([0, 1, -1], [
  narrative(0, "low", 1, null),
  { ...narrative(1, "high", 1, null), persona_label: "" },
]);

Deno.test("a customer's cluster has the segment's persona label, capitalised, and its name", () => {
  assert.deepEqual(customerCluster(record, 0), {
    cluster_id: 0,
    cluster_label: "Persona 0",
    cluster_name: "Name 0",
    cluster_run_id: "run_1",
  });
});

Deno.test("noise is labelled and named Noise; an empty persona label is null", () => {
  assert.deepEqual(customerCluster(record, 2), {
    cluster_id: -1,
    cluster_label: "Noise",
    cluster_name: "Noise",
    cluster_run_id: "run_1",
  });
  assert.equal(customerCluster(record, 1).cluster_label, null);
});

Deno.test("without a clustering every field is null", () => {
  assert.deepEqual(customerCluster(null, 0), {
    cluster_id: null,
    cluster_label: null,
    cluster_name: null,
  });
});
