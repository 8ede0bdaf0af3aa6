/**
 * Input validation at the edge: every request body, query, path parameter and header goes
 * through a zod schema, and every failure is answered by `validationHook` under one rule:
 * - 400 `validation_error` when the input does not have the declared shape: a wrong JSON type, a
 *   missing required field, an unknown field, a value outside an enumeration or literal, no
 *   matching variant of a union, or one parameter given in both spellings with different values;
 * - 422 `invalid_parameter` when every failing field has the declared type but breaks a
 *   constraint: a range or length (`too_small`, `too_big`), a format (`invalid_format`: UUID,
 *   pattern, …), `multipleOf`, or a refinement.
 * Either way `details.issues` names each failing field by its dotted path.
 *
 * @module
 */
import { zValidator } from "@hono/zod-validator";
import type { Context, MiddlewareHandler, ValidationTargets } from "hono";
import { bodyLimit } from "hono/body-limit";
import type * as z from "zod";
import { z as zod } from "zod";
import { boundIssues, ISSUES_TRUNCATED, type TruncatedIssues } from "./bounded_issues.ts";
import {
  acceptBothCasings,
  CASING_CONFLICT,
  normaliseCasing,
  toCamelCase,
  toSnakeCase,
} from "./casing.ts";
import { ClientError } from "./errors.ts";
import { markParsed, recordPhase, recordValidated } from "./server_timing.ts";

/** One failed check of a request, as listed in `details.issues`. */
export interface ValidationIssue {
  /** Dotted path of the field (`data.3.features.age`); empty for the input as a whole. */
  path: string;
  message: string;
  /**
   * Zod's issue code (`invalid_type`, `too_small`, `unrecognized_keys`, …), `missing` for an
   * absent required field, or `conflicting_parameter` for two spellings of one parameter.
   */
  code: string;
}

/** At most this many issues are listed; `details.truncated` says when more were found. */
export const MAX_LISTED_ISSUES = 100;

/**
 * Issue codes that mean the input is well-typed but breaks a constraint: answered with 422.
 * Every other code (type, presence, unknown key, enumeration, union, conflict) is a 400.
 */
export const CONSTRAINT_CODES: ReadonlySet<string> = new Set([
  "too_small",
  "too_big",
  "invalid_format",
  "not_multiple_of",
  "custom",
]);

/**
 * Validation middleware for `target` (`json`, `query`, `param`, `header`, `form`, `cookie`) on
 * a plain Hono route; `app.openapi()` routes of `createRouter()` get the same behaviour. On
 * success the handler reads the parsed value with `c.req.valid(target)`; on failure it throws a
 * `ClientError`, so the body comes from the app's one error handler:
 * - 400 `validation_error` / 422 `invalid_parameter`: the schema rejected the input (see the
 *   module doc for which); `details.issues` lists `{path, message, code}` and the message names
 *   the first field;
 * - 400 `invalid_json` (json only): the body is not JSON;
 * - 415 `unsupported_media_type` (json only): a body whose Content-Type is not JSON (no body at
 *   all validates as `{}`, so a schema whose fields are all optional accepts an empty POST).
 *
 * Keys of `json` and `query` input may be in camelCase or snake_case (`acceptBothCasings`).
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { z } from "zod";
 * import { validate } from "./validation.ts";
 * const app = new Hono().post("/runs", validate("json", z.object({ k: z.int().min(2) })), (c) => {
 *   const { k } = c.req.valid("json");
 *   return c.json({ k });
 * });
 * ```
 */
export function validate<T extends z.ZodType, Target extends keyof ValidationTargets>(
  target: Target,
  schema: T,
) {
  const checked = requestSchema(schema, { cased: CASED_TARGETS.has(target) });
  const validator = zValidator(target, checked, validationHook);
  if (target !== "json") return validator;
  const jsonValidator: typeof validator = async (c, next) => {
    await readJsonBody(c);
    return await validator(c, next);
  };
  return jsonValidator;
}

/** The targets whose keys are parameter names that a client may spell either way. */
export const CASED_TARGETS: ReadonlySet<string> = new Set(["json", "query", "form"]);

/**
 * `schema` as requests are checked against it: keys in either casing (`acceptBothCasings`,
 * unless `cased` is false) and issues bounded (`boundIssues`), so that a huge invalid input is
 * answered 400/422 with the first `MAX_LISTED_ISSUES` issues rather than overflowing the stack.
 * A schema given a lean path (`withLeanPath`) tries it first, unless `lean` is false.
 * Parses to the same type as `schema`; document the original.
 */
export function requestSchema<T extends z.ZodType>(
  schema: T,
  options: { cased?: boolean; lean?: boolean } = {},
): T {
  const full = options.cased === false
    ? boundIssues(schema, { keep: MAX_LISTED_ISSUES })
    : boundIssues(acceptBothCasings(schema), {
      keep: MAX_LISTED_ISSUES,
      plain: { schema, prepare: (input) => normaliseCasing(input, schema).value },
    });
  const lean = options.lean === false ? undefined : LEAN_PATHS.get(schema);
  if (!lean) return full;
  const wrapped = zod.unknown().transform(async (input, ctx) => {
    const value = await lean(input);
    if (value !== null) return value;
    // Anything the lean path does not accept as it is gets the schema's own answer.
    const result = await full.safeParseAsync(input);
    if (result.success) return result.data;
    for (const issue of result.error.issues) ctx.addIssue(issue as z.core.$ZodRawIssue);
    return zod.NEVER;
  });
  // The wrapper parses to T's output; only its static type differs, and callers read T's.
  return wrapped as unknown as T;
}

/**
 * A fast check of a request body: the value the schema would parse `input` to, or null when it
 * cannot vouch for `input` (then the schema itself is asked, and answers the errors).
 */
export type LeanPath<T> = (input: unknown) => Promise<T | null> | T | null;

/**
 * Gives `schema` a lean path in `requestSchema` (and so in every route validated with it): a
 * request that `lean` accepts is answered with `lean`'s value and never walked by zod; any other
 * request is validated by `schema` as before, so its errors are exactly the schema's. `lean` must
 * accept only input that `schema` accepts, and return what `schema` would parse it to (the same
 * fields and values; the objects may be the input's own). Returns `schema`, for documentation.
 */
export function withLeanPath<T extends z.ZodType>(schema: T, lean: LeanPath<z.output<T>>): T {
  LEAN_PATHS.set(schema, lean);
  return schema;
}

const LEAN_PATHS = new WeakMap<z.ZodType, LeanPath<unknown>>();

/**
 * The project-wide hook for `zValidator` and `@hono/zod-openapi`'s `defaultHook`: throws a
 * `ClientError` on failure (400 `validation_error` or 422 `invalid_parameter`, by the rule of
 * the module doc), does nothing on success.
 */
export function validationHook(
  result:
    & ({ success: true; data: unknown } | {
      success: false;
      error: z.core.$ZodError;
      data?: unknown;
    })
    & { target: keyof ValidationTargets },
  c?: Context,
): void {
  if (c && result.target === "json") recordValidated(c.req.raw);
  if (result.success) return;
  // Set when the input was too big to check in one go (`boundIssues`): the issues are a prefix.
  const truncation = result.error.issues
    .map((issue) => issue.code === "custom" ? issue.params : undefined)
    .find((params): params is TruncatedIssues => params?.code === ISSUES_TRUNCATED);
  const issues = listIssues(result.error, result.data);
  const listed = issues.slice(0, MAX_LISTED_ISSUES);
  const count = Math.max(issues.length, truncation?.issue_count ?? 0);
  const location = LOCATIONS[result.target] ?? result.target;
  const constraintOnly = issues.length > 0 &&
    issues.every((issue) => CONSTRAINT_CODES.has(issue.code)) &&
    (truncation?.codes ?? []).every((code) => CONSTRAINT_CODES.has(code));
  const [status, error] = constraintOnly
    ? [422 as const, "invalid_parameter"]
    : [400 as const, "validation_error"];
  throw new ClientError(status, error, summarise(issues, location, count), {
    details: {
      location,
      parameter: issues[0]?.path ?? "",
      issues: listed,
      ...(count > listed.length ? { truncated: true, issue_count: count } : {}),
    },
    cause: result.error,
  });
}

/**
 * Refuses bodies over `maxBytes` with 413 `payload_too_large`, counting streamed bytes when there
 * is no Content-Length. Put it before any middleware that reads the body.
 */
export function limitBody(maxBytes: number): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new ClientError(
        413,
        "payload_too_large",
        `Expected a request body of at most ${maxBytes} bytes`,
        { details: { limit_bytes: maxBytes } },
      );
    },
  });
}

const LOCATIONS: Partial<Record<keyof ValidationTargets, string>> = {
  json: "body",
  form: "body",
  query: "query",
  param: "path",
  header: "header",
  cookie: "cookie",
};

const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;

/**
 * Checks that a request body, if any, is JSON and parses it once (Hono caches it for the
 * validator): 415 `unsupported_media_type` for another Content-Type or a body without one,
 * 400 `invalid_json` for a body that does not parse. A request without a body passes.
 */
export async function readJsonBody(c: Context): Promise<void> {
  const contentType = c.req.header("Content-Type");
  if (!contentType) {
    if (c.req.raw.body === null || c.req.header("Content-Length") === "0") return;
    throw new ClientError(
      415,
      "unsupported_media_type",
      "Expected Content-Type application/json but found none",
    );
  }
  const mediaType = contentType.split(";")[0]!.trim();
  if (!JSON_MEDIA_TYPE.test(mediaType)) {
    throw new ClientError(
      415,
      "unsupported_media_type",
      `Expected Content-Type application/json but found ${mediaType.slice(0, 100)}`,
    );
  }
  const t0 = performance.now();
  try {
    pinJsonBody(c, await c.req.json());
    recordPhase(c.req.raw, "parse", performance.now() - t0);
    markParsed(c.req.raw);
  } catch (error) {
    const reason = error instanceof Error ? `: ${error.message}` : "";
    throw new ClientError(400, "invalid_json", `Malformed JSON in request body${reason}`);
  }
}

/**
 * Makes `c.req.json()` answer `value` from now on. Hono caches a body's text, not its parsed
 * value, so each `c.req.json()` (this gate's, then the validator's) would parse the whole body
 * again; pinned, a body is parsed once per request. A route that decodes a body another way
 * (document 000's bytes) pins what it decoded.
 */
export function pinJsonBody(c: Context, value: unknown): void {
  const parsed = Promise.resolve(value);
  Object.defineProperty(c.req, "json", { value: () => parsed, configurable: true });
}

function listIssues(error: z.core.$ZodError, input: unknown): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const issue of error.issues) {
    if (issue.code === "custom" && issue.params?.code === ISSUES_TRUNCATED) continue;
    if (issue.code === "unrecognized_keys") {
      // One entry per key, so each unknown field is named where it sits.
      for (const key of issue.keys) {
        issues.push({
          path: dotted([...issue.path, key]),
          message: "Unknown parameter",
          code: issue.code,
        });
      }
      continue;
    }
    if (issue.code === "custom" && issue.params?.code === CASING_CONFLICT) {
      issues.push({ path: dotted(issue.path), message: issue.message, code: CASING_CONFLICT });
      continue;
    }
    const missing = issue.code === "invalid_type" && issue.path.length > 0 &&
      valueAt(input, issue.path) === undefined;
    issues.push({
      path: dotted(issue.path),
      message: missing ? "Required" : issue.message,
      code: missing ? "missing" : issue.code,
    });
  }
  return issues;
}

function summarise(issues: ValidationIssue[], location: string, count: number): string {
  const first = issues[0];
  if (!first) return `Invalid request ${location}`;
  let sentence = first.code === "missing"
    ? `Required parameter '${first.path}' is missing`
    : first.path === ""
    ? `Invalid request ${location}: ${first.message}`
    : `Invalid parameter '${first.path}': ${first.message}`;
  if (count > 1) sentence += ` (and ${count - 1} more in details.issues)`;
  return sentence;
}

function dotted(path: readonly PropertyKey[]): string {
  return path.map((key) => String(key)).join(".");
}

/** The raw input at a schema path, whose keys the client may have spelled the other way. */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== "object") return undefined;
    const record = value as Record<PropertyKey, unknown>;
    const spellings = typeof key === "string" ? [key, toCamelCase(key), toSnakeCase(key)] : [key];
    value = record[spellings.find((name) => Object.hasOwn(record, name)) ?? key];
  }
  return value;
}

/**
 * Inside a zod `superRefine`: adds one issue per repeated id, at `<field>.<index>.<key>`,
 * naming the first record that holds it. Ids compare as strings, so 7 and "7" are the same
 * customer.
 */
export function refuseDuplicateIds(
  ids: (string | number)[],
  field: string,
  key: string,
  ctx: z.RefinementCtx,
): void {
  const seen = new Map<string, number>();
  ids.forEach((raw, i) => {
    const id = String(raw);
    const first = seen.get(id);
    if (first !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: [field, i, key],
        message: `Duplicate ${key} "${id}" (also at ${field}.${first})`,
      });
    } else seen.set(id, i);
  });
}
