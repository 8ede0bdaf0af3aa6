/**
 * Validation that a huge invalid input cannot crash. zod gathers a container's issues with
 * `issues.push(...childIssues)`, one argument per issue, so an array of ~120k or more invalid
 * items overflows the call stack and the request would answer 500. `boundIssues` parses as
 * usual and, only when that parse overflows, checks the input again item by item (each array
 * item, record value and object field on its own, descending further into any part that
 * overflows again), keeping the first issues and counting the rest: the answer is the usual
 * 400/422 with a `truncated` list.
 *
 * @module
 */
import * as z from "zod";

/** `params.code` of the one issue that says how many issues were not kept (see `boundIssues`). */
export const ISSUES_TRUNCATED = "issues_truncated";

/** `params` of the `ISSUES_TRUNCATED` issue. */
export interface TruncatedIssues {
  code: typeof ISSUES_TRUNCATED;
  /** Issues found in all, kept or not. */
  issue_count: number;
  /** Every issue code seen, kept or not (the 400/422 rule reads them). */
  codes: string[];
}

/** Options of `boundIssues`. */
export interface BoundIssuesOptions {
  /** Issues kept when the item-by-item check runs (default 100). */
  keep?: number;
  /**
   * The schema the item-by-item check walks, and how to prepare the input for it: when `schema`
   * is a preprocessing wrapper (`acceptBothCasings`), the plain schema and the same
   * preprocessing. Default: `schema` itself, input as is.
   */
  plain?: { schema: z.ZodType; prepare: (input: unknown) => unknown };
}

/**
 * Wraps `schema` so that a parse that would overflow the stack fails instead with the first
 * `keep` issues (paths, codes and messages as zod gives them) followed by one `custom` issue
 * at the root whose `params` are a `TruncatedIssues`. A parse that does not overflow answers
 * exactly as `schema` does. The result parses to the same type as `schema`.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { boundIssues } from "./bounded_issues.ts";
 * const schema = boundIssues(z.strictObject({ ids: z.array(z.string()) }));
 * const result = await schema.safeParseAsync({ ids: new Array(300_000).fill(1) });
 * console.assert(!result.success && result.error.issues.length === 101);
 * ```
 */
export function boundIssues<T extends z.ZodType>(schema: T, options: BoundIssuesOptions = {}): T {
  const keep = options.keep ?? 100;
  const plain = options.plain ?? { schema, prepare: (input: unknown) => input };
  const wrapped = z.unknown().transform(async (input, ctx) => {
    let result;
    try {
      result = await schema.safeParseAsync(input);
    } catch (error) {
      if (!isStackOverflow(error)) throw error;
      const sink = new IssueSink(keep);
      await descend(plain.prepare(input), plain.schema as unknown as z.core.$ZodType, [], sink);
      sink.reportTo(ctx);
      return z.NEVER;
    }
    if (result.success) return result.data;
    // One at a time: these issues may number tens of thousands.
    for (const issue of result.error.issues) ctx.addIssue(issue as z.core.$ZodRawIssue);
    return z.NEVER;
  });
  // The wrapper parses to T's output; only its static type differs, and callers read T's.
  return wrapped as unknown as T;
}

function isStackOverflow(error: unknown): boolean {
  return error instanceof RangeError && /call stack/i.test(error.message);
}

type Ctx = Parameters<Parameters<z.ZodUnknown["transform"]>[0]>[1];

/** The first `keep` issues, the count of all, and every code seen. */
class IssueSink {
  readonly kept: z.core.$ZodIssue[] = [];
  count = 0;
  readonly codes = new Set<string>();

  constructor(readonly keep: number) {}

  add(issue: z.core.$ZodIssue): void {
    this.count++;
    this.codes.add(issue.code);
    if (this.kept.length < this.keep) this.kept.push(issue);
  }

  reportTo(ctx: Ctx): void {
    for (const issue of this.kept) ctx.addIssue(issue as z.core.$ZodRawIssue);
    const params: TruncatedIssues = {
      code: ISSUES_TRUNCATED,
      issue_count: this.count,
      codes: [...this.codes],
    };
    ctx.addIssue({
      code: "custom",
      path: [],
      message: `${this.count} issues in all; the first ${this.kept.length} are listed`,
      params,
    });
  }
}

/** Checks `input` against `schema` as a whole, or part by part where the whole overflows. */
async function collect(
  input: unknown,
  schema: z.core.$ZodType,
  path: PropertyKey[],
  sink: IssueSink,
): Promise<void> {
  let result;
  try {
    result = await parseOne(schema, input);
  } catch (error) {
    if (!isStackOverflow(error)) throw error;
    return await descend(input, schema, path, sink);
  }
  if (result.success) return;
  for (const issue of result.error.issues) {
    sink.add({ ...issue, path: [...path, ...issue.path] } as z.core.$ZodIssue);
  }
}

/** Parses synchronously (several times faster per item) unless `schema` has async parts. */
function parseOne(schema: z.core.$ZodType, input: unknown) {
  try {
    return z.safeParse(schema, input);
  } catch (error) {
    if (error instanceof z.core.$ZodAsyncError) return z.safeParseAsync(schema, input);
    throw error;
  }
}

/** The parts of `input` that `schema` declares, each checked on its own. */
async function descend(
  input: unknown,
  schema: z.core.$ZodType,
  path: PropertyKey[],
  sink: IssueSink,
): Promise<void> {
  const def = schema._zod.def as z.core.$ZodTypeDef & Record<string, unknown>;
  switch (def.type) {
    case "optional":
    case "nullable":
    case "default":
    case "prefault":
    case "nonoptional":
    case "catch":
    case "readonly":
      return await descend(input, def.innerType as z.core.$ZodType, path, sink);
    case "pipe":
      return await descend(input, def.in as z.core.$ZodType, path, sink);
    case "lazy":
      return await descend(input, (def.getter as () => z.core.$ZodType)(), path, sink);
    case "array":
      if (!Array.isArray(input)) break;
      for (let i = 0; i < input.length; i++) {
        await collect(input[i], def.element as z.core.$ZodType, [...path, i], sink);
      }
      return;
    case "record":
      if (input === null || typeof input !== "object") break;
      for (const key of Object.keys(input)) {
        const value = (input as Record<string, unknown>)[key];
        await collect(value, def.valueType as z.core.$ZodType, [...path, key], sink);
      }
      return;
    case "object": {
      if (input === null || typeof input !== "object" || Array.isArray(input)) break;
      const shape = def.shape as Record<string, z.core.$ZodType>;
      for (const key of Object.keys(shape)) {
        if (!Object.hasOwn(input, key)) continue;
        const value = (input as Record<string, unknown>)[key];
        await collect(value, shape[key]!, [...path, key], sink);
      }
      return;
    }
  }
  // A union or anything else too big to check as a whole: one issue for all of it.
  sink.add({ code: "custom", path, message: "Invalid input", input } as z.core.$ZodIssue);
}
