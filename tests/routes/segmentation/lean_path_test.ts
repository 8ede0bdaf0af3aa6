/**
 * The lean path of the big arrays (issue 14): for any body, the request schemas of documents
 * 000, 001 and 002 answer exactly as the plain zod schemas do (the same value, or the same
 * issues in the same order), whether the lean path took the body or handed it to zod; a big
 * invalid request lists its first 100 errors with `truncated`; every segmentation answer carries
 * `Server-Timing`.
 */
import assert from "node:assert/strict";
import { createRandom, type Random } from "../../../compute/random.ts";
import { requestSchema } from "../../../routes/http/validation.ts";
import { PurchasingBody } from "../../../routes/segmentation/purchasing.ts";
import { ClusterProfilesBody } from "../../../routes/segmentation/cluster_profiles.ts";
import { AnalyzeBody } from "../../../routes/segmentation/analyze.ts";
import {
  profileDataAccepted,
  purchasingDataColumns,
} from "../../../routes/segmentation/lean_arrays.ts";
import { segmentationService } from "./_service.ts";

const FEATURES = {
  purchase_total: 120.5,
  visit_frequency: 4,
  avg_ticket: 30.125,
  product_diversity: 2,
  loyalty_score: 0.25,
  recency_days: 12,
};

function purchasing(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    customer_id: i % 3 === 0 ? i : `c-${i}`,
    features: { ...FEATURES, purchase_total: 100 + i, recency_days: i % 50 },
  }));
}

function profiles(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    customer_id: `c${i}`,
    features: { spend: 10 + i, visits: i % 7, score: i / n },
    ...(i % 2 ? { attributes: { region: ["n", "s"][i % 2]!, gender: "F" } } : {}),
  }));
}

/** A copy of `body` with one random change somewhere (a value, a key, an item). */
function mutate(body: unknown, rng: Random): unknown {
  const copy = structuredClone(body) as Record<string, unknown>;
  const paths: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const walk = (node: unknown) => {
    if (node === null || typeof node !== "object") return;
    for (const key of Object.keys(node)) {
      const k = Array.isArray(node) ? Number(key) : key;
      paths.push({ parent: node as Record<string, unknown>, key: k });
      walk((node as Record<string, unknown>)[key]);
    }
  };
  walk(copy);
  const { parent, key } = paths[rng.nextInt(paths.length)]!;
  const target = parent as Record<string | number, unknown>;
  const replacements: unknown[] = [
    -1,
    1.5,
    2.5,
    0,
    "",
    "x",
    "x".repeat(201),
    null,
    true,
    [],
    {},
    1e400,
    Number.MAX_SAFE_INTEGER + 2,
  ];
  switch (rng.nextInt(5)) {
    case 0:
      target[key] = replacements[rng.nextInt(replacements.length)];
      break;
    case 1:
      delete target[key];
      break;
    case 2:
      if (typeof key === "string") {
        const value = target[key];
        delete target[key];
        target[key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())] = value;
      } else target[key] = structuredClone(target[0]);
      break;
    case 3:
      if (!Array.isArray(parent)) target[`extra_${rng.nextInt(3)}`] = 1;
      else target[key] = structuredClone(target[(key as number) + 1] ?? target[0]);
      break;
    default:
      if (!Array.isArray(parent)) {
        Object.defineProperty(target, "__proto__", {
          value: { a: 1 },
          enumerable: true,
          configurable: true,
          writable: true,
        });
      } else target[key] = "not a record";
  }
  return JSON.parse(JSON.stringify(copy));
}

async function assertSameAnswer(schema: Parameters<typeof requestSchema>[0], body: unknown) {
  const lean = await requestSchema(schema).safeParseAsync(body);
  const plain = await requestSchema(schema, { lean: false }).safeParseAsync(body);
  assert.equal(lean.success, plain.success, JSON.stringify(body).slice(0, 300));
  if (lean.success && plain.success) {
    assert.deepEqual(lean.data, plain.data);
  } else {
    const shape = (r: typeof lean) =>
      r.error!.issues.map(({ code, path, message }) => ({ code, path, message }));
    assert.deepEqual(shape(lean), shape(plain));
  }
}

Deno.test("document 000's lean path answers as its schema, valid or not", async () => {
  const rng = createRandom(14);
  const base = { max_clusters: 4, random_state: 1, data: purchasing(6) };
  await assertSameAnswer(PurchasingBody, base);
  for (let i = 0; i < 300; i++) await assertSameAnswer(PurchasingBody, mutate(base, rng));
});

Deno.test("document 001's lean path answers as its schema, valid or not", async () => {
  const rng = createRandom(15);
  const data = profiles(6);
  const labels = Object.fromEntries(data.map((d, i) => [d.customer_id, i % 2]));
  const base = { data, labels, language: "es" };
  await assertSameAnswer(ClusterProfilesBody, base);
  for (let i = 0; i < 300; i++) await assertSameAnswer(ClusterProfilesBody, mutate(base, rng));
});

Deno.test("document 002's lean path answers as its schema, valid or not", async () => {
  const rng = createRandom(16);
  const records = profiles(6).map((p) => ({ id: p.customer_id, ...p.features, region: "n" }));
  for (const base of [{ customerData: records, n_clusters: 2 }, { data: records }]) {
    await assertSameAnswer(AnalyzeBody, base);
    for (let i = 0; i < 200; i++) await assertSameAnswer(AnalyzeBody, mutate(base, rng));
  }
});

Deno.test("document 000's customers decode into columns in request order", () => {
  const columns = purchasingDataColumns(purchasing(4))!;
  assert.equal(columns.length, 4);
  assert.deepEqual(columns.customer_ids, [0, "c-1", "c-2", 3]);
  assert.deepEqual(columns.features.purchase_total, [100, 101, 102, 103]);
  assert.deepEqual(columns.features.loyalty_score, [0.25, 0.25, 0.25, 0.25]);
  // Anything the schema would rename, refuse or check further goes to the schema.
  const camel = [{ customerId: "a", features: FEATURES }];
  assert.equal(purchasingDataColumns(camel), null);
  assert.equal(purchasingDataColumns([...purchasing(2), purchasing(1)[0]]), null);
  assert.equal(
    purchasingDataColumns([{ customer_id: "a", features: { ...FEATURES, loyalty_score: 2 } }]),
    null,
  );
});

Deno.test("document 001's features must name the same fields in every record", () => {
  const data = profiles(3);
  assert.equal(profileDataAccepted(data), true);
  const reordered = data.map((d) => ({ ...d, features: { score: 1, visits: 2, spend: 3 } }));
  assert.equal(profileDataAccepted(reordered), true);
  const renamed = [...data, { customer_id: "z", features: { spend: 1, visits: 2, other: 3 } }];
  assert.equal(profileDataAccepted(renamed), false);
});

Deno.test("a big invalid request lists its first 100 errors, truncated, naming each record", async () => {
  await using s = await segmentationService();
  const acme = await s.tenant("acme");
  const data = purchasing(3_000).map((c, i) =>
    i % 10 === 4 ? { ...c, features: { ...c.features, loyalty_score: 7 } } : c
  );
  const res = await s.app.request("/api/v1/ai/purchasing_segmentation", {
    method: "POST",
    headers: acme.headers,
    body: JSON.stringify({ data }),
  });
  assert.equal(res.status, 422);
  const body = await res.json();
  assert.equal(body.details.issues.length, 100);
  assert.equal(body.details.issues[0].path, "data.4.features.loyalty_score");
  assert.equal(body.details.issues[99].path, "data.994.features.loyalty_score");
  assert.equal(body.details.parameter, "data.4.features.loyalty_score");
  assert.equal(body.details.truncated, true);
  assert.equal(body.details.issue_count, 300);
});

Deno.test("segmentation answers carry Server-Timing: parse, validate, compute, store, serialise", async () => {
  await using s = await segmentationService();
  const acme = await s.tenant("acme");
  const post = (extra: Record<string, string>) =>
    s.app.request("/api/v1/ai/purchasing_segmentation", {
      method: "POST",
      headers: { ...acme.headers, ...extra },
      body: JSON.stringify({ max_clusters: 3, data: purchasing(40) }),
    });
  const phases = (res: Response) =>
    (res.headers.get("Server-Timing") ?? "").split(", ").map((p) => {
      const [name, dur] = p.split(";dur=");
      assert.ok(Number(dur) >= 0, p);
      return name;
    });
  const sync = await post({});
  assert.equal(sync.status, 200);
  assert.deepEqual(phases(sync), ["parse", "validate", "compute", "store", "serialise"]);
  assert.equal(typeof (await sync.json()).run_id, "string");
  const queued = await post({ Prefer: "respond-async" });
  assert.equal(queued.status, 202);
  assert.deepEqual(phases(queued), ["parse", "validate", "store", "serialise"]);
  assert.equal((await queued.json()).status, "queued");
});

/** Document 000's body in JSON written many ways: spacing, key order and spelling, numbers, escapes. */
function writtenBody(rng: Random, n: number): string {
  const sp = () => [" ", "", "\n  ", "\t", "\r\n"][rng.nextInt(5)]!;
  const num = (v: number, integer: boolean) => {
    const forms = integer
      ? [String(v), `${v}.0`, `${v}e0`, `${v * 10}E-1`, v === 0 ? "-0" : String(v)]
      : [String(v), v.toExponential(), v.toFixed(6), `${v}`.replace(/^0\./, "0.")];
    return forms[rng.nextInt(forms.length)]!;
  };
  // The spellings the casing layer reads, now and then both of them.
  const key = (name: string) => {
    const camel = name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    const r = rng.nextInt(10);
    return r === 0 ? camel : r === 1 ? camel[0]!.toUpperCase() + camel.slice(1) : name;
  };
  const ids = ['"7"', '"a\\u00e9"', '"\\"q\\""', '"émile"', '"x"', "7", "12345678901234567890"];
  const items = Array.from({ length: n }, (_, i) => {
    const f = [
      `"${key("purchase_total")}":${sp()}${num(rng.nextFloat() * 1000, false)}`,
      `"${key("visit_frequency")}":${num(rng.nextInt(20), true)}`,
      `"${key("avg_ticket")}":${num(Math.round(rng.nextFloat() * 1e4) / 100, false)}`,
      `"${key("product_diversity")}":${sp()}${num(rng.nextInt(5), true)}`,
      `"${key("loyalty_score")}":${num(rng.nextFloat(), false)}`,
      `"${key("recency_days")}":${num(rng.nextInt(400), true)}`,
    ].sort(() => rng.nextFloat() - 0.5);
    if (rng.nextInt(20) === 0) f.push(`"avgTicket": 3`);
    const id = rng.nextInt(4) === 0
      ? ids[rng.nextInt(ids.length)]!.replace("x", `x${i}`)
      : `"c${i}"`;
    const parts = [
      `"${key("customer_id")}":${sp()}${id}`,
      `"${key("features")}":${sp()}{${f.join(`,${sp()}`)}}`,
    ];
    if (rng.nextInt(2)) parts.reverse();
    return `${sp()}{${parts.join(",")}}`;
  });
  const rest = ['"max_clusters": 4', '"selection":"silhouette"', '"randomState":-3'];
  const fields = [`"data":${sp()}[${items.join(",")}]`, ...rest.slice(0, rng.nextInt(4))];
  return `${sp()}{${fields.sort(() => rng.nextFloat() - 0.5).join(`,${sp()}`)}}${sp()}`;
}

Deno.test("document 000's body decoded from its bytes holds exactly what the schema reads, or is refused", async () => {
  const { decodePurchasingBody } = await import(
    "../../../routes/segmentation/purchasing_bytes.ts"
  );
  const { purchasingColumns } = await import("../../../domain/segmentation/purchasing.ts");
  const schema = requestSchema(PurchasingBody, { lean: false });
  const rng = createRandom(17);
  let decoded = 0;
  for (let round = 0; round < 400; round++) {
    let text = writtenBody(rng, 1 + rng.nextInt(6));
    if (round % 3 === 2) {
      // Break it somewhere: a byte dropped, doubled or replaced.
      const at = rng.nextInt(text.length);
      const op = rng.nextInt(3);
      text = op === 0
        ? text.slice(0, at) + text.slice(at + 1)
        : op === 1
        ? text.slice(0, at) + text[at] + text.slice(at)
        : text.slice(0, at) + ' ,:{}[]"e-.0x\\'[rng.nextInt(14)] + text.slice(at + 1);
    }
    const result = decodePurchasingBody(new TextEncoder().encode(text));
    let parsed: { data?: unknown[] } | undefined;
    try {
      parsed = JSON.parse(text);
    } catch {
      assert.equal(result, null, text);
      continue;
    }
    if (result === null) continue;
    decoded++;
    // What the ordinary path reads of `data`: the schema (casing layer included) over
    // JSON.parse's value. (The other fields are checked by the route, beside the decoder.)
    const full = await schema.safeParseAsync({ data: parsed!.data });
    assert.ok(
      full.success,
      `decoded a body the schema refuses: ${text} ${JSON.stringify(full.error?.issues)}`,
    );
    const expected = purchasingColumns(full.data.data!);
    const { data: _data, ...rest } = parsed!;
    assert.deepEqual(result.rest, rest);
    assert.equal(result.columns.length, expected.length);
    assert.deepEqual(result.columns.customer_ids, expected.customer_ids);
    for (const [name, values] of Object.entries(expected.features)) {
      const got = result.columns.features[name as keyof typeof expected.features];
      values.forEach((v, i) => assert.ok(Object.is(got[i], v), `${name}[${i}]: ${got[i]} ≠ ${v}`));
    }
  }
  assert.ok(decoded > 100, `only ${decoded} bodies decoded`);
});

Deno.test("a large document 000 body is decoded from its bytes and answered as before", async () => {
  await using s = await segmentationService();
  const acme = await s.tenant("acme");
  const data = purchasing(3_000);
  const text = JSON.stringify({ max_clusters: 4, data });
  assert.ok(text.length > 256 * 1024);
  const post = (body: string, extra: Record<string, string> = {}) =>
    s.app.request("/api/v1/ai/purchasing_segmentation", {
      method: "POST",
      headers: { ...acme.headers, "Content-Length": String(body.length), ...extra },
      body,
    });
  const queued = await post(text, { Prefer: "respond-async" });
  assert.equal(queued.status, 202);
  const timing = queued.headers.get("Server-Timing")!;
  assert.match(timing, /^parse;dur=[\d.]+, validate;dur=[\d.]+, store/);
  // Invalid records in a large body: the schema's errors, as for a small one.
  const bad = data.map((c, i) => i === 2_500 ? { ...c, features: { ...c.features, x: 1 } } : c);
  const refused = await post(JSON.stringify({ data: bad }));
  assert.equal(refused.status, 400);
  const body = await refused.json();
  assert.deepEqual(body.details.issues, [
    { path: "data.2500.features.x", message: "Unknown parameter", code: "unrecognized_keys" },
  ]);
});
