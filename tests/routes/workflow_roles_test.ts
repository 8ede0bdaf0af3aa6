/**
 * Issue 12 item 2 through the workflow API: the dataset answer reports each column's business
 * role with its confidence, unit and evidence, and the column map corrects roles and units.
 */
import assert from "node:assert/strict";
import { segmentationService } from "./segmentation/_service.ts";

const CC = await Deno.readFile(new URL("../data/cc_general.csv", import.meta.url));

type Service = Awaited<ReturnType<typeof segmentationService>>;

async function session(s: Service) {
  const t = await s.tenant("acme");
  const { "Content-Type": _json, ...auth } = t.headers;
  const call = (path: string, init: RequestInit = {}) =>
    s.app.request(path, { ...init, headers: { ...auth, ...(init.headers ?? {}) } });
  const put = (path: string, body: unknown) =>
    call(path, {
      method: "PUT",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
  const upload = (bytes: Uint8Array<ArrayBuffer>, filename: string) => {
    const form = new FormData();
    form.append("file", new File([bytes], filename, { type: "text/csv" }));
    return call("/api/upload", { method: "POST", body: form });
  };
  return { call, put, upload };
}

interface RoleReport {
  column: string;
  role: string | null;
  unit?: string;
  confidence: number;
  evidence: string[];
  source: string;
  ask?: string;
}

Deno.test("the dataset answer reports roles with evidence; the column map corrects a unit", async () => {
  await using s = await segmentationService();
  const a = await session(s);
  const up = await a.upload(CC, "cc_general.csv");
  assert.equal(up.status, 200);
  const body = await up.json();
  const tenure = body.roles.columns.find((r: RoleReport) => r.column === "TENURE") as RoleReport;
  assert.deepEqual([tenure.role, tenure.unit, tenure.source], ["tenure", "months", "detected"]);
  assert.match(tenure.ask!, /Confirm the unit of TENURE/);
  assert.ok(tenure.evidence.length >= 2 && tenure.confidence < 1);
  const share = body.roles.columns.find((r: RoleReport) => r.column === "PURCHASES_FREQUENCY");
  assert.equal(share.role, null);

  const fixed = await a.put("/api/datasets/current/columns", {
    columns: { TENURE: { unit: "years" }, PURCHASES_TRX: { role: null } },
  });
  assert.equal(fixed.status, 200);
  const after = await fixed.json();
  assert.deepEqual(after.column_map.columns, {
    TENURE: { unit: "years" },
    PURCHASES_TRX: { role: null },
  });
  const t2 = after.roles.columns.find((r: RoleReport) => r.column === "TENURE") as RoleReport;
  assert.deepEqual([t2.unit, t2.source, t2.confidence], ["years", "corrected", 1]);
  assert.ok(!after.roles.measures.some((m: { role: string }) => m.role === "purchases"));

  for (
    const bad of [
      { columns: { Nope: { role: "spend" } } },
      { columns: { TENURE: { role: "wealth" } } },
      { columns: { BALANCE: { role: "spend", unit: "months" } } },
    ]
  ) {
    const res = await a.put("/api/datasets/current/columns", bad);
    assert.ok(res.status === 422 || res.status === 400, JSON.stringify(bad));
    await res.body?.cancel();
  }
});

Deno.test("the dataset answer words the role evidence in the Accept-Language asked", async () => {
  await using s = await segmentationService();
  const a = await session(s);
  const up = await a.upload(CC, "cc_general.csv");
  const en = (await up.json()).roles.columns as RoleReport[];
  const tenureEn = en.find((r) => r.column === "TENURE")!;
  for (const lang of ["es", "pt"]) {
    const res = await a.call("/api/datasets/current", { headers: { "Accept-Language": lang } });
    assert.equal(res.status, 200, lang);
    const columns = (await res.json()).roles.columns as RoleReport[];
    const tenure = columns.find((r) => r.column === "TENURE")!;
    // Same roles and figures, other words.
    assert.deepEqual([tenure.role, tenure.unit], [tenureEn.role, tenureEn.unit]);
    assert.equal(tenure.evidence.length, tenureEn.evidence.length);
    for (let i = 0; i < tenure.evidence.length; i++) {
      assert.notEqual(tenure.evidence[i], tenureEn.evidence[i], `${lang}: ${tenure.evidence[i]}`);
    }
    assert.doesNotMatch(tenure.ask!, /Confirm the unit/);
  }
});
