/**
 * The service's one camelCase/snake_case layer. Every parameter may be sent in either spelling
 * (documents 000 and 001); the schemas declare one of them (snake_case, as the documents do), and
 * `acceptBothCasings` wraps a schema so that the other spelling is renamed before zod parses.
 *
 * Only keys that the schema declares are renamed, level by level: the keys of a `z.record`, of a
 * loose object's extra fields, or of anything typed `unknown` are data (customer ids, product
 * types, column names) and are never touched.
 *
 * @module
 */
import * as z from "zod";

/** Two spellings of one parameter were given with different values. */
export interface CasingConflict {
  /** Path of the parameter in the schema's spelling (`["data", 0, "customer_id"]`). */
  path: PropertyKey[];
  /** The spellings found, schema's first (`["sort_by", "sortBy"]`). */
  spellings: string[];
}

/** The issue code that `acceptBothCasings` reports a conflict with (in `params.code`). */
export const CASING_CONFLICT = "conflicting_parameter";

/**
 * Wraps `schema` so that its input is passed through `normaliseCasing` first. Two spellings of
 * one parameter with different values fail with a `custom` issue whose `params.code` is
 * `CASING_CONFLICT`, at the path of the schema's spelling; the same value twice is accepted.
 * The result parses to the same type as `schema`; use the original schema for documentation.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { acceptBothCasings } from "./casing.ts";
 * const schema = acceptBothCasings(z.strictObject({ max_clusters: z.int() }));
 * console.assert(schema.parse({ maxClusters: 5 }).max_clusters === 5);
 * ```
 */
export function acceptBothCasings<T extends z.ZodType>(schema: T): T {
  const wrapped = z.preprocess((input, ctx) => {
    const { value, conflicts } = normaliseCasing(input, schema);
    for (const conflict of conflicts) {
      const [declared, other] = conflict.spellings;
      ctx.addIssue({
        code: "custom",
        path: conflict.path,
        message: `Both '${declared}' and '${other}' were given with different values; send one`,
        params: { code: CASING_CONFLICT, spellings: conflict.spellings },
      });
    }
    return value;
  }, schema);
  // The wrapper parses to T's output; only its static type differs, and callers read T's.
  return wrapped as unknown as T;
}

/**
 * Renames the keys of `input` that are the other spelling (camelCase or snake_case) of a key
 * that `schema` declares at that level, recursing into declared nested objects, arrays, tuples,
 * unions, intersections and optional/nullable/default wrappers. Returns a copy where something
 * was renamed (the input is never modified) and the list of conflicting pairs, whose
 * other-spelling key is left in place so that a strict schema also names it.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { normaliseCasing } from "./casing.ts";
 * const schema = z.object({ sort_by: z.string(), labels: z.record(z.string(), z.int()) });
 * const { value } = normaliseCasing({ sortBy: "size", labels: { custA: 1 } }, schema);
 * console.assert(JSON.stringify(value) === '{"sort_by":"size","labels":{"custA":1}}');
 * ```
 */
export function normaliseCasing(
  input: unknown,
  schema: z.ZodType,
): { value: unknown; conflicts: CasingConflict[] } {
  const conflicts: CasingConflict[] = [];
  const value = normalise(input, schema as unknown as z.core.$ZodType, [], conflicts, 0);
  return { value, conflicts };
}

/** `maxClusters` → `max_clusters`, `customerID` → `customer_id`. */
export function toSnakeCase(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .toLowerCase();
}

/** `max_clusters` → `maxClusters`. */
export function toCamelCase(key: string): string {
  return key.replace(/_+([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}

// Schemas nest only as deep as their authors wrote them, but z.lazy can recurse forever.
const MAX_DEPTH = 32;

function normalise(
  input: unknown,
  schema: z.core.$ZodType,
  path: PropertyKey[],
  conflicts: CasingConflict[],
  depth: number,
): unknown {
  if (depth > MAX_DEPTH || input === null || typeof input !== "object") return input;
  const def = schema._zod.def as z.core.$ZodTypeDef & Record<string, unknown>;
  switch (def.type) {
    case "optional":
    case "nullable":
    case "default":
    case "prefault":
    case "nonoptional":
    case "catch":
    case "readonly":
      return normalise(input, def.innerType as z.core.$ZodType, path, conflicts, depth + 1);
    case "pipe":
      return normalise(input, def.in as z.core.$ZodType, path, conflicts, depth + 1);
    case "lazy":
      return normalise(
        input,
        (def.getter as () => z.core.$ZodType)(),
        path,
        conflicts,
        depth + 1,
      );
    case "union":
    case "intersection": {
      const parts = def.type === "union"
        ? def.options as z.core.$ZodType[]
        : [def.left as z.core.$ZodType, def.right as z.core.$ZodType];
      // Each option renames only what it declares, so applying them in turn is safe.
      return parts.reduce<unknown>(
        (value, part) => normalise(value, part, path, conflicts, depth + 1),
        input,
      );
    }
    case "array":
      if (!Array.isArray(input)) return input;
      return mapItems(
        input,
        (item, i) =>
          normalise(item, def.element as z.core.$ZodType, [...path, i], conflicts, depth + 1),
      );
    case "tuple": {
      if (!Array.isArray(input)) return input;
      const items = def.items as z.core.$ZodType[];
      const rest = def.rest as z.core.$ZodType | null;
      return mapItems(input, (item, i) => {
        const itemSchema = items[i] ?? rest;
        return itemSchema ? normalise(item, itemSchema, [...path, i], conflicts, depth + 1) : item;
      });
    }
    case "object":
      if (Array.isArray(input)) return input;
      return normaliseObject(
        input as Record<string, unknown>,
        def.shape as Record<string, z.core.$ZodType>,
        path,
        conflicts,
        depth,
      );
    default:
      return input;
  }
}

function normaliseObject(
  input: Record<string, unknown>,
  shape: Record<string, z.core.$ZodType>,
  path: PropertyKey[],
  conflicts: CasingConflict[],
  depth: number,
): Record<string, unknown> {
  let output: Record<string, unknown> | null = null;
  const set = (key: string, value: unknown) => {
    output ??= copy(input);
    // defineProperty, so that a key named "__proto__" stays a plain key for the schema to refuse.
    Object.defineProperty(output, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  };
  for (const key of Object.keys(input)) {
    if (Object.hasOwn(shape, key)) continue;
    const declared = [toSnakeCase(key), toCamelCase(key)].find((name) =>
      name !== key && Object.hasOwn(shape, name)
    );
    if (declared === undefined) continue;
    const current = output ?? input;
    if (Object.hasOwn(current, declared)) {
      if (!sameValue(current[declared], input[key])) {
        conflicts.push({ path: [...path, declared], spellings: [declared, key] });
        continue;
      }
    } else {
      set(declared, input[key]);
    }
    output ??= copy(input);
    delete output[key];
  }
  for (const [key, fieldSchema] of Object.entries(shape)) {
    const source = output ?? input;
    if (!Object.hasOwn(source, key)) continue;
    const before = source[key];
    const after = normalise(before, fieldSchema, [...path, key], conflicts, depth + 1);
    if (after !== before) set(key, after);
  }
  return output ?? input;
}

/** Maps an array, returning the same array when no item changed. */
function mapItems(input: unknown[], fn: (item: unknown, index: number) => unknown): unknown[] {
  let output: unknown[] | null = null;
  input.forEach((item, i) => {
    const after = fn(item, i);
    if (after !== item) (output ??= [...input])[i] = after;
  });
  return output ?? input;
}

function copy(input: Record<string, unknown>): Record<string, unknown> {
  const output: Record<string, unknown> = {};
  for (const key of Object.keys(input)) {
    Object.defineProperty(output, key, {
      value: input[key],
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return output;
}

function sameValue(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}
