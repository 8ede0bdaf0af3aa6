/**
 * The Hono environment shared by the app and every sub-app, in a module of its own so that route
 * modules can name it without importing the app that mounts them.
 *
 * @module
 */
import type { RequestIdVariables } from "hono/request-id";

/** Who a request acts for. Every tenant-scoped read and write takes `tenantId` from here. */
export interface Principal {
  readonly tenantId: string;
  /** `user`: a bearer token; `apikey`: `X-API-Key`; `tenant`: the tenant headers; `open`: none. */
  readonly kind: "user" | "apikey" | "tenant" | "open";
  /** The user id, API key id, customer api id or (open mode) tenant id. */
  readonly id: string;
  /** Set for `user` principals. */
  readonly username?: string;
}

/**
 * The Hono environment of the app and of every sub-app (`createRouter()`, which is an
 * `OpenAPIHono<AppEnv>`). `principal` is unset on routes that need no authentication.
 */
export interface AppEnv {
  Variables: RequestIdVariables & { principal?: Principal };
}
