/**
 * Every entry point refuses a value beyond ±1e15 in a numeric column with 422
 * `value_out_of_range` naming the column and the data row, instead of computing on it (1e300
 * squared is Infinity; the answers were 500).
 */
import assert from "node:assert/strict";
import type { ErrorBody } from "../../routes/http/errors.ts";
import { segmentationService } from "./segmentation/_service.ts";

const N = 30;
const HUGE = [1e300, 1e16, -1e308];

async function service() {
  const s = await segmentationService({ logger: () => {} });
  const { headers } = await s.tenant("acme");
  const send = async (method: string, path: string, body: unknown) => {
    const res = await s.app.request(path, {
      method,
      headers: body instanceof FormData
        ? { "X-Customer-Api-Id": headers["X-Customer-Api-Id"]!, "X-Secret": headers["X-Secret"]! }
        : headers,
      body: body instanceof FormData ? body : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() as ErrorBody };
  };
  return { s, send };
}

function assertRefused(
  answer: { status: number; body: ErrorBody; path?: string },
  column: string,
  huge: number,
): void {
  // Documents 003 and 004 list no 422: their paths answer 400.
  const documented = answer.path === "/api/upload" ? 400 : 422;
  assert.equal(answer.status, documented, answer.body.message);
  for (const part of [`"${column}"`, "data row 4", String(huge)]) {
    assert.ok(answer.body.message.includes(part), `${part} in ${answer.body.message}`);
  }
  if (answer.body.code === "VALUE_OUT_OF_RANGE") {
    assert.deepEqual(answer.body.details, { row: 4, column });
  } else {
    assert.equal(answer.body.code, "INVALID_PARAMETER");
  }
}

const features = (i: number, huge: number) => ({
  purchase_total: i === 3 ? huge : 100 + i,
  visit_frequency: i % 5,
  avg_ticket: 10 + i,
  product_diversity: i % 3,
  loyalty_score: (i % 10) / 10,
  recency_days: i,
});
const labels = Object.fromEntries(Array.from({ length: N }, (_, i) => [`c${i}`, i % 3]));

Deno.test("document 000 refuses a huge purchase_total with 422 naming field and row", async () => {
  const { s, send } = await service();
  await using _ = s;
  for (const huge of HUGE.filter((h) => h > 0)) {
    const data = Array.from(
      { length: N },
      (_, i) => ({ customer_id: `c${i}`, features: features(i, huge) }),
    );
    assertRefused(
      await send("POST", "/api/v1/ai/purchasing_segmentation", { data }),
      "purchase_total",
      huge,
    );
  }
});

Deno.test("document 001 refuses huge values in both shapes, with labels and without", async () => {
  const { s, send } = await service();
  await using _ = s;
  for (const huge of HUGE) {
    const data = Array.from({ length: N }, (_, i) => ({
      customer_id: `c${i}`,
      features: { purchase_total: i === 3 ? huge : i, age: 20 + i },
    }));
    const path = "/api/v1/ai/segment_cluster_profiles";
    assertRefused(await send("POST", path, { data, labels }), "purchase_total", huge);
    assertRefused(await send("POST", path, { data }), "purchase_total", huge);
    if (huge < 0) continue;
    const customers = Array.from({ length: N }, (_, i) => ({
      id: `c${i}`,
      frequency: 1 + i,
      amount_spent: i === 3 ? huge : i,
      product_types: ["a"],
    }));
    assertRefused(await send("POST", path, { customers, labels }), "amount_spent", huge);
  }
});

Deno.test("document 002, JSON records and CSV uploads refuse huge values", async () => {
  const { s, send } = await service();
  await using _ = s;
  for (const huge of HUGE) {
    const data = Array.from({ length: N }, (_, i) => ({
      customer_id: `c${i}`,
      age: 20 + i,
      income: i === 3 ? huge : 1000 * i,
      spending_score: i,
    }));
    assertRefused(await send("POST", "/api/analyze", { data }), "income", huge);
    assertRefused(await send("POST", "/api/datasets", { records: data }), "income", huge);
    const csv = "customer_id,age,income,spend\n" +
      Array.from({ length: N }, (_, i) => `c${i},${20 + i},${i === 3 ? huge : i},${i}`).join("\n");
    const form = new FormData();
    form.append("file", new Blob([csv]), "x.csv");
    const upload = await send("POST", "/api/upload", form);
    assertRefused({ ...upload, path: "/api/upload" }, "income", huge);
    // Nothing was stored, so the workflow still has no data rather than a poisoned dataset.
    assert.equal((await send("GET", "/api/optimal-clusters", undefined)).status, 400);
  }
});

Deno.test("values up to ±1e15 are computed on", async () => {
  const { s, send } = await service();
  await using _ = s;
  const csv = "customer_id,age,income,spend\n" +
    Array.from({ length: N }, (_, i) => `c${i},${20 + i},${i === 3 ? 1e15 : i},${i}`).join("\n");
  const form = new FormData();
  form.append("file", new Blob([csv]), "x.csv");
  assert.equal((await send("POST", "/api/upload", form)).status, 200);
  const optimal = await send("GET", "/api/optimal-clusters", undefined);
  assert.equal(optimal.status, 200, optimal.body.message);
});
