/**
 * The OpenAPI side of the routes: the router every sub-app is built with, the error body's
 * schema, the security schemes, and the OpenAPI 3.1 document generated from the same zod
 * schemas that validate the requests.
 *
 * @module
 */
import { type MiddlewareHandler } from "hono";
import { createRoute, OpenAPIHono, type RouteConfig } from "@hono/zod-openapi";
import { z } from "zod";
import type { AppEnv } from "../env.ts";
import { AcceptedJobSchema } from "../segmentation/answer.ts";
import { readJsonBody, requestSchema, validationHook } from "./validation.ts";

/**
 * The OpenAPI extension that `createRouter` puts on every operation it registers: parameters
 * may be sent in either spelling. Its presence also shows that a route went through the
 * project's validation layer, which the route-walking test checks.
 */
export const CASING_EXTENSION = "x-parameter-casing";

/**
 * A new `OpenAPIHono<AppEnv>` for a sub-app (or the app itself). Routes added with
 * `router.openapi(createRoute({...}), handler)` get, before their handler:
 * - the route's own `middleware` (a smaller `limitBody`, say), then the JSON gate of
 *   `readJsonBody` (415 / 400 `invalid_json` in the error body) for routes with a JSON body;
 * - validation of `request.query`, `params`, `headers` and `body` by `validationHook` (400 or
 *   422 in the error body), with query and JSON keys accepted in camelCase or snake_case;
 * - an empty JSON body validated as `{}`, so required fields are reported missing.
 * The documented route keeps the schemas as written, plus `CASING_EXTENSION` and a `default`
 * response in the error body.
 *
 * @example
 * ```ts
 * import { createRoute } from "@hono/zod-openapi";
 * import { z } from "zod";
 * import { createRouter } from "./openapi.ts";
 * const runs = createRouter().openapi(
 *   createRoute({
 *     method: "post",
 *     path: "/",
 *     request: {
 *       body: { content: { "application/json": { schema: z.strictObject({ k: z.int() }) } } },
 *     },
 *     responses: { 200: { description: "The k asked for" } },
 *   }),
 *   (c) => c.json({ k: c.req.valid("json").k }, 200),
 * );
 * ```
 */
export function createRouter(): OpenAPIHono<AppEnv> {
  const router = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const register = router.openapi;
  const openapi = (route: RouteConfig, ...rest: unknown[]) => {
    const { middleware: _middleware, hide, ...documented } = route;
    if (!hide) router.openAPIRegistry.registerPath(documentedRoute(documented));
    return (register as (route: RouteConfig, ...rest: unknown[]) => unknown)(
      { ...validatingRoute(route), hide: true },
      ...rest,
    );
  };
  // Same signature as the method it wraps; only the route it passes on differs.
  router.openapi = openapi as unknown as typeof router.openapi;
  return router;
}

/**
 * The error body of every 4xx and 5xx (`ShapedErrorBody` in `error_shapes.ts`), for the
 * document: the common fields of the three documents' shapes, and the envelope's extras.
 */
export const ErrorBodySchema = z.object({
  error: z.string().meta({
    description: "A short title (`Validation failed`, `Unauthorized`, …); on document 004's " +
      "paths, the human message",
    example: "Validation failed",
  }),
  message: z.string().meta({ description: "One sentence for people" }),
  code: z.string().meta({
    description: "A string code: MISSING_PARAMETER, INVALID_PARAMETER, AUTH_FAILED, FORBIDDEN, " +
      "NOT_FOUND, RATE_LIMITED, PAYLOAD_TOO_LARGE, …",
    example: "MISSING_PARAMETER",
  }),
  status: z.int().meta({ description: "The HTTP status, repeated" }),
  details: z.record(z.string(), z.unknown()).nullable().meta({
    description: "Facts about the failure (`parameter`, `location`, `issues` for validation " +
      "errors), or null",
  }),
  request_id: z.string().meta({ description: "The response's X-Request-Id" }),
  errors: z.record(z.string(), z.array(z.string())).optional().meta({
    description: "Field → messages, on every 422 and when details.issues lists fields",
  }),
  success: z.literal(false).optional().meta({ description: "Document 003's paths only" }),
  retry_after_seconds: z.int().optional().meta({
    description: "Document 003's paths, on 429: seconds to wait",
  }),
  metadata: z.object({
    request_id: z.string(),
    timestamp: z.string(),
    api_version: z.string(),
  }).optional().meta({ description: "Document 003's paths only: the envelope's metadata" }),
}).meta({ id: "Error", description: "The error body of every 4xx and 5xx response" });

/**
 * Documented error responses for `createRoute({ responses })`, by status, each in the error
 * body.
 *
 * @example
 * ```ts
 * import { errorResponses } from "./openapi.ts";
 * const responses = { 200: { description: "OK" }, ...errorResponses(400, 422, 429) };
 * console.assert("429" in responses);
 * ```
 */
export function errorResponses(
  ...statuses: number[]
): Record<
  number,
  { description: string; content: { "application/json": { schema: typeof ErrorBodySchema } } }
> {
  return Object.fromEntries(
    statuses.map((
      status,
    ) => [status, errorResponse(ERROR_DESCRIPTIONS[status] ?? `Error ${status}`)]),
  );
}

/** The three ways to authenticate, as OpenAPI security schemes (AND within one requirement). */
export const SECURITY_SCHEMES = {
  bearerAuth: {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "An access token from POST /api/auth/login or /api/auth/refresh",
  },
  apiKey: {
    type: "apiKey",
    in: "header",
    name: "X-API-Key",
    description: "A tenant's API key",
  },
  customerApiId: {
    type: "apiKey",
    in: "header",
    name: "X-Customer-Api-Id",
    description: "The tenant's UUID; sent together with X-Secret",
  },
  customerSecret: {
    type: "apiKey",
    in: "header",
    name: "X-Secret",
    description: "The tenant's 64-character secret; sent together with X-Customer-Api-Id",
  },
} as const;

/** Any one of these satisfies a route; a route with `security: []` needs none. */
export const DEFAULT_SECURITY: Record<string, string[]>[] = [
  { bearerAuth: [] },
  { apiKey: [] },
  { customerApiId: [], customerSecret: [] },
];

/** Options of `openApiDocument`. */
export interface OpenApiDocumentOptions {
  /** The service's version (`info.version`). */
  version: string;
  title?: string;
  description?: string;
}

/**
 * The OpenAPI 3.1 document of every route registered on `app` with `openapi()` (sub-apps
 * included, once mounted with `app.route()`), with the security schemes and, as the default
 * requirement, any one of them. Built on each call, so routes added later are in it.
 *
 * @example
 * ```ts
 * import { createRouter, openApiDocument } from "./openapi.ts";
 * const doc = openApiDocument(createRouter(), { version: "1.0.0" });
 * console.assert(doc.openapi === "3.1.0");
 * ```
 */
export function openApiDocument(app: OpenAPIHono<AppEnv>, options: OpenApiDocumentOptions) {
  const document = app.getOpenAPI31Document({
    openapi: "3.1.0",
    info: {
      title: options.title ?? "Customer segmentation API",
      version: options.version,
      description: options.description ?? DESCRIPTION,
    },
    security: DEFAULT_SECURITY,
  });
  return {
    ...document,
    components: {
      ...document.components,
      securitySchemes: { ...SECURITY_SCHEMES, ...document.components?.securitySchemes },
    },
  };
}

const DESCRIPTION = "Customer segmentation as a service. Every 4xx and 5xx answers in the " +
  "`Error` body; parameters are accepted in snake_case or camelCase; limited endpoints " +
  "send X-RateLimit-* and RateLimit headers.";

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: "Malformed input: wrong type, missing or unknown field, invalid JSON",
  401: "Missing or invalid credentials",
  403: "The credentials do not allow this",
  404: "Not found",
  409: "Conflict with the current state",
  413: "Request body too large",
  415: "Request body is not JSON",
  422: "Well-formed input that breaks a constraint",
  429: "Rate limit exceeded; see Retry-After",
  500: "Unexpected error; quote the request id",
  503: "Unavailable now (timeout, contention, failing dependency); retry later",
};

function errorResponse(description: string) {
  return { description, content: { "application/json": { schema: ErrorBodySchema } } };
}

function documentedRoute(route: Omit<RouteConfig, "middleware" | "hide">): RouteConfig {
  return {
    ...route,
    [CASING_EXTENSION]: ["snake_case", "camelCase"],
    responses: {
      default: errorResponse("An error, in the service's error body (see docs/errors.md)"),
      ...route.responses,
    },
  };
}

/** The route as validated: casing-tolerant schemas, the JSON gate, an empty body read as `{}`. */
function validatingRoute(route: RouteConfig): RouteConfig {
  const request = route.request;
  const own: MiddlewareHandler[] = route.middleware === undefined
    ? []
    : Array.isArray(route.middleware)
    ? route.middleware
    : [route.middleware];
  if (!request) return { ...route, middleware: own };
  const content = request.body?.content ?? {};
  const mediaTypes = Object.keys(content);
  const jsonTypes = mediaTypes.filter((type) => JSON_MEDIA_TYPE.test(type));
  const gate: MiddlewareHandler[] = jsonTypes.length === 0
    ? []
    : [jsonTypes.length === mediaTypes.length ? jsonOnly : jsonIfDeclared];
  return {
    ...route,
    middleware: [...own, ...gate],
    request: {
      ...request,
      ...(isZodType(request.query) ? { query: requestSchema(request.query) } : {}),
      ...(request.body
        ? {
          body: {
            ...request.body,
            // Required, so that an empty body is validated (as {}) rather than skipped.
            required: true,
            content: Object.fromEntries(mediaTypes.map((type) => {
              const media = content[type];
              const schema = media && "schema" in media ? media.schema : undefined;
              return [
                type,
                isZodType(schema) && JSON_MEDIA_TYPE.test(type)
                  ? { ...media, schema: requestSchema(schema) }
                  : media,
              ];
            })),
          },
        }
        : {}),
    },
  } as RouteConfig;
}

const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;

/** For routes whose body is JSON only: any other body is refused in the error body. */
const jsonOnly: MiddlewareHandler = async (c, next) => {
  await readJsonBody(c);
  await next();
};

/** For routes that also take other media types: parse the body only when it says it is JSON. */
const jsonIfDeclared: MiddlewareHandler = async (c, next) => {
  const mediaType = c.req.header("Content-Type")?.split(";")[0]?.trim() ?? "";
  if (JSON_MEDIA_TYPE.test(mediaType)) await readJsonBody(c);
  await next();
};

function isZodType(value: unknown): value is z.ZodType {
  return typeof value === "object" && value !== null && "_zod" in value && "safeParse" in value;
}

/**
 * A documented `POST` route of the segmentation endpoints: a JSON body, optional
 * `Accept-Language` (the language of names and personas) and `Prefer: respond-async` headers,
 * a JSON 200 answer, a 202 job answer (`routes/segmentation/answer.ts`) and the given error statuses.
 * One shape for documents 000–002, so their contracts cannot drift apart.
 */
export function segmentationPostRoute<B extends z.ZodType, R extends z.ZodType>(spec: {
  path: string;
  summary: string;
  body: B;
  response: R;
  description: string;
  errors: number[];
}) {
  return createRoute({
    method: "post",
    path: spec.path,
    tags: ["segmentation"],
    summary: spec.summary,
    request: {
      headers: z.object({
        "accept-language": z.string().optional(),
        prefer: z.string().optional().meta({
          description: "`respond-async`: answer 202 with a job whatever the size",
        }),
      }),
      body: { required: true, content: { "application/json": { schema: spec.body } } },
    },
    responses: {
      200: {
        description: spec.description,
        content: { "application/json": { schema: spec.response } },
      },
      202: {
        description:
          "Queued as a job (above the synchronous size, or asked with Prefer: respond-async); " +
          "the job's result is the 200 body",
        content: { "application/json": { schema: AcceptedJobSchema } },
      },
      ...errorResponses(...spec.errors),
    },
  });
}
