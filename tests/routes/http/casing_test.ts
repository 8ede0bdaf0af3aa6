import assert from "node:assert/strict";
import { z } from "zod";
import {
  acceptBothCasings,
  normaliseCasing,
  toCamelCase,
  toSnakeCase,
} from "../../../routes/http/casing.ts";

Deno.test("toSnakeCase and toCamelCase convert parameter names both ways", () => {
  assert.equal(toSnakeCase("maxClusters"), "max_clusters");
  assert.equal(toSnakeCase("dbscanMinSamples"), "dbscan_min_samples");
  assert.equal(toSnakeCase("customerID"), "customer_id");
  assert.equal(toSnakeCase("kRange"), "k_range");
  assert.equal(toSnakeCase("interpretationsEn"), "interpretations_en");
  assert.equal(toSnakeCase("already_snake"), "already_snake");
  assert.equal(toCamelCase("max_clusters"), "maxClusters");
  assert.equal(toCamelCase("share_of_revenue_pct"), "shareOfRevenuePct");
  assert.equal(toCamelCase("k"), "k");
});

Deno.test("normaliseCasing leaves its input unchanged and returns it when nothing is renamed", () => {
  const schema = z.object({ max_clusters: z.int(), nested: z.object({ min_size: z.int() }) });
  const input = { max_clusters: 3, nested: { min_size: 1 } };
  assert.equal(normaliseCasing(input, schema).value, input);
  const camel = { maxClusters: 3, nested: { minSize: 1 } };
  const { value } = normaliseCasing(camel, schema);
  assert.deepEqual(value, { max_clusters: 3, nested: { min_size: 1 } });
  assert.deepEqual(camel, { maxClusters: 3, nested: { minSize: 1 } });
});

Deno.test("normaliseCasing accepts snake_case for a schema declared in camelCase", () => {
  const schema = z.object({ maxClusters: z.int() });
  assert.deepEqual(normaliseCasing({ max_clusters: 3 }, schema).value, { maxClusters: 3 });
});

Deno.test("normaliseCasing never renames data: records, unknown values, undeclared keys", () => {
  const schema = z.object({
    labels: z.record(z.string(), z.int()),
    meta: z.unknown(),
    product_types: z.array(z.string()),
    loose: z.looseObject({ known_key: z.int() }),
  });
  const input = {
    labels: { customerA: 1, customer_b: 2 },
    meta: { someKey: { deepKey: 1 } },
    productTypes: ["homeGoods", "Electronics"],
    loose: { knownKey: 1, extraKey: 2 },
    notDeclared: true,
  };
  assert.deepEqual(normaliseCasing(input, schema).value, {
    labels: { customerA: 1, customer_b: 2 },
    meta: { someKey: { deepKey: 1 } },
    product_types: ["homeGoods", "Electronics"],
    loose: { known_key: 1, extraKey: 2 },
    notDeclared: true,
  });
});

Deno.test("normaliseCasing follows optional, nullable, default, arrays, tuples, pipes and lazies", () => {
  const Item = z.object({ customer_id: z.string() });
  const schema = z.object({
    items: z.array(Item).optional(),
    pair: z.tuple([Item, Item]).nullable(),
    with_default: z.object({ top_n: z.int() }).default({ top_n: 5 }),
    piped: z.object({ min_size: z.int() }).transform((v) => v.min_size),
    lazy: z.lazy(() => Item),
  });
  const { value } = normaliseCasing({
    items: [{ customerId: "a" }, { customer_id: "b" }],
    pair: [{ customerId: "c" }, { customerId: "d" }],
    withDefault: { topN: 3 },
    piped: { minSize: 2 },
    lazy: { customerId: "e" },
  }, schema);
  assert.deepEqual(value, {
    items: [{ customer_id: "a" }, { customer_id: "b" }],
    pair: [{ customer_id: "c" }, { customer_id: "d" }],
    with_default: { top_n: 3 },
    piped: { min_size: 2 },
    lazy: { customer_id: "e" },
  });
});

Deno.test("normaliseCasing renames what any variant of a union declares", () => {
  // Document 000 and reference 4.1.7 share one path, told apart by `data` versus `customers`.
  const schema = z.union([
    z.strictObject({ max_clusters: z.int().optional(), data: z.array(z.unknown()) }),
    z.strictObject({ k_range: z.array(z.int()).optional(), customers: z.array(z.unknown()) }),
  ]);
  const first = acceptBothCasings(schema).parse({ maxClusters: 4, data: [] });
  assert.deepEqual(first, { max_clusters: 4, data: [] });
  const second = acceptBothCasings(schema).parse({ kRange: [3, 4], customers: [] });
  assert.deepEqual(second, { k_range: [3, 4], customers: [] });
});

Deno.test("normaliseCasing reports two spellings with different values at the declared path", () => {
  const schema = z.object({ data: z.array(z.object({ customer_id: z.string() })) });
  const { conflicts } = normaliseCasing(
    { data: [{ customer_id: "a" }, { customer_id: "b", customerId: "c" }] },
    schema,
  );
  assert.deepEqual(conflicts, [
    { path: ["data", 1, "customer_id"], spellings: ["customer_id", "customerId"] },
  ]);
});

Deno.test("normaliseCasing passes non-objects through", () => {
  const schema = z.object({ a_b: z.int() });
  for (const input of [null, undefined, 3, "text", [1, 2]]) {
    assert.equal(normaliseCasing(input, schema).value, input);
  }
});

Deno.test("acceptBothCasings keeps a key named __proto__ a plain key that strict schemas refuse", () => {
  const schema = acceptBothCasings(z.strictObject({ max_clusters: z.int() }));
  const input = JSON.parse('{"maxClusters": 3, "__proto__": {"polluted": true}}');
  const result = schema.safeParse(input);
  assert.equal(result.success, false);
  assert.deepEqual(result.error?.issues.map((issue) => issue.code), ["unrecognized_keys"]);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});
