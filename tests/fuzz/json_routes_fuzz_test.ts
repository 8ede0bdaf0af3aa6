/**
 * Fuzzes every JSON route: bodies drawn from the route's request schema in the OpenAPI document,
 * plus mutations (prototype keys, huge and non-finite-looking numbers, deep nesting, wrong types,
 * huge strings), sent to `app.request()`. No body may answer 5xx. Seeded, so a failure replays.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { TEST_PASSWORD_COST } from "../../domain/auth/hashing.ts";
import { segmentationService } from "../routes/segmentation/_service.ts";

const SEED = 20_260_112;
const BODIES_PER_ROUTE = 1000;

type Schema = Record<string, unknown>;

Deno.test("no JSON route answers 5xx to 1,000 drawn and mutated bodies", async () => {
  const failures: string[] = [];
  // Limits high enough never to answer 429: the fuzz must reach validation and the handlers.
  const unlimited = { limit: 1e9, periodMs: 1000 };
  await using service = await segmentationService({
    logger: (line: string) => failures.push(line.slice(0, 600)),
    rateLimits: { default: unlimited, clusters_run: unlimited, export: unlimited },
    auth: {
      jwt: { secret: "p".repeat(40), issuer: "t", audience: "t" },
      refreshTtlSeconds: 3600,
      passwordCost: TEST_PASSWORD_COST,
      loginLimits: { pair: unlimited, user: unlimited, address: unlimited },
    },
  });
  const { headers } = await service.tenant("fuzz");
  const doc = await (await service.app.request("/api/openapi.json")).json() as {
    paths: Record<
      string,
      Record<string, { requestBody?: { content?: Record<string, { schema?: Schema }> } }>
    >;
    components?: { schemas?: Record<string, Schema> };
  };
  const components = doc.components?.schemas ?? {};
  const summary: string[] = [];
  let routes = 0;
  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const schema = operation.requestBody?.content?.["application/json"]?.schema;
      if (!schema) continue;
      routes++;
      const url = path.replace(/\{[^}]+\}/g, "x");
      const bodies = fc.sample(
        fc.oneof(
          { weight: 2, arbitrary: arbitraryOf(schema, components, 0) },
          { weight: 3, arbitrary: mutated(arbitraryOf(schema, components, 0)) },
        ),
        { seed: SEED + routes, numRuns: BODIES_PER_ROUTE },
      );
      const statuses = new Map<number, number>();
      for (const body of bodies) {
        const res = await service.app.request(url, {
          method: method.toUpperCase(),
          headers,
          body: typeof body === "string" ? body : JSON.stringify(body),
        });
        await res.body?.cancel();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status >= 500) {
          failures.push(`${method.toUpperCase()} ${url} ${res.status}: ${show(body)}`);
        }
      }
      summary.push(
        `${method.toUpperCase()} ${url}: ${JSON.stringify(Object.fromEntries(statuses))}`,
      );
    }
  }
  if (Deno.env.get("FUZZ_VERBOSE")) console.log(summary.join("\n"));
  assert.ok(routes >= 10, `only ${routes} JSON routes found`);
  assert.deepEqual(failures.slice(0, 10), []);
});

function show(body: unknown): string {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

const BUILT_IN_KEYS = [
  "constructor",
  "toString",
  "valueOf",
  "hasOwnProperty",
  "__proto__",
  "isPrototypeOf",
];

/** A value the schema describes, with small arrays and strings. */
function arbitraryOf(
  schema: Schema,
  components: Record<string, Schema>,
  depth: number,
): fc.Arbitrary<unknown> {
  if (depth > 8) return fc.constant(null);
  const ref = schema.$ref;
  if (typeof ref === "string") {
    const target = components[ref.replace("#/components/schemas/", "")];
    return target ? arbitraryOf(target, components, depth + 1) : fc.anything();
  }
  const options = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (options) return fc.oneof(...options.map((s) => arbitraryOf(s, components, depth + 1)));
  if (Array.isArray(schema.enum)) return fc.constantFrom(...schema.enum);
  if ("const" in schema) return fc.constant(schema.const);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case "object": {
      const properties = (schema.properties ?? {}) as Record<string, Schema>;
      const required = (schema.required ?? []) as string[];
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [key, s] of Object.entries(properties)) {
        record[key] = arbitraryOf(s, components, depth + 1);
      }
      const extra = schema.additionalProperties;
      const base = fc.record(record, { requiredKeys: required.filter((k) => k in record) });
      if (extra && typeof extra === "object") {
        return fc.tuple(
          base,
          fc.dictionary(
            fc.string({ maxLength: 8 }),
            arbitraryOf(extra as Schema, components, depth + 1),
            { maxKeys: 3 },
          ),
        )
          .map(([a, b]) => ({ ...b, ...a }));
      }
      return base;
    }
    case "array": {
      const items = (schema.items ?? {}) as Schema;
      return fc.array(arbitraryOf(items, components, depth + 1), { maxLength: 4 });
    }
    case "string":
      return fc.oneof(
        fc.string({ maxLength: 12 }),
        fc.uuid(),
        fc.constantFrom("kmeans", "auto", "en", "csv"),
      );
    case "integer":
      return fc.oneof(fc.integer({ min: -5, max: 40 }), fc.integer());
    case "number":
      return fc.oneof(
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.double({ min: 0, max: 100, noNaN: true }),
      );
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** A drawn body with one hostile change somewhere in it. */
function mutated(base: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  const hostile = fc.oneof(
    fc.constantFrom(1e300, -1e308, 1.7976931348623157e308, 5e-324, 2 ** 53 + 1),
    fc.constant("x".repeat(100_000)),
    fc.constant(deep(2_000)),
    fc.constant(new Array(50).fill({ a: 1 })),
    fc.jsonValue({ maxDepth: 3 }),
    fc.constantFrom(null, true, "", [], {}, "NaN", "Infinity", "1e400"),
  );
  return fc.oneof(
    fc.tuple(base, fc.integer({ min: 0, max: 1_000 }), hostile).map(([body, at, value]) =>
      replaceLeaf(body, at, value)
    ),
    fc.tuple(base, fc.integer({ min: 0, max: 1_000 }), fc.constantFrom(...BUILT_IN_KEYS), hostile)
      .map(([body, at, key, value]) => addKey(body, at, key, value)),
    fc.tuple(base, fc.constantFrom(...BUILT_IN_KEYS)).map(([body, key]) => {
      const text = JSON.stringify(body) ?? "null";
      return text.startsWith("{") && text.length > 2
        ? `{"${key}":{"${key}":1},${text.slice(1)}`
        : text;
    }),
    hostile,
  );
}

function deep(levels: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = i % 2 ? { a: value } : [value];
  return value;
}

/** The containers of `value` in document order. */
function containers(value: unknown, out: (Record<string, unknown> | unknown[])[] = []) {
  if (value !== null && typeof value === "object") {
    out.push(value as Record<string, unknown>);
    for (const child of Object.values(value)) containers(child, out);
  }
  return out;
}

function replaceLeaf(body: unknown, at: number, value: unknown): unknown {
  const copy = structuredClone(body);
  const all = containers(copy);
  const target = all[at % Math.max(1, all.length)];
  if (!target) return value;
  const keys = Object.keys(target);
  if (keys.length === 0) return copy;
  (target as Record<string, unknown>)[keys[at % keys.length]!] = value;
  return copy;
}

function addKey(body: unknown, at: number, key: string, value: unknown): unknown {
  const copy = structuredClone(body);
  const objects = containers(copy).filter((c) => !Array.isArray(c));
  const target = objects[at % Math.max(1, objects.length)];
  if (!target) return copy;
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
  return copy;
}
