/**
 * The authentication middleware: every request but health and the docs passes through it, and
 * leaves it with a `principal` (the tenant it acts for, and who) or with a 401/403 in the error
 * body.
 *
 * @module
 */
import type { Context, MiddlewareHandler } from "hono";
import type { PasswordCost } from "../../domain/auth/mod.ts";
import type { RatePolicy } from "../../domain/auth/mod.ts";
import { authenticateApiKey, authenticateTenant, getTenant } from "../../domain/auth/mod.ts";
import {
  authenticateAccessToken,
  InvalidTokenError,
  type JwtConfig,
} from "../../domain/auth/mod.ts";
import { ClientError } from "./errors.ts";
import type { Principal } from "../env.ts";
export type { Principal };

/** The Hono variables that `authenticate` sets (`c.get("principal")`). */
export interface AuthVariables {
  principal: Principal;
}

/** A Hono environment with the principal, for sub-apps behind `authenticate`. */
export interface AuthEnv {
  Variables: AuthVariables;
}

/** What `authenticate` and `authRoutes` need. */
export interface AuthDeps {
  kv: Deno.Kv;
  /** Epoch ms; the only clock read. */
  now: () => number;
  /** Access tokens: HS256 secret (≥ 32 bytes), issuer, audience and life (≤ 900 s). */
  jwt: JwtConfig;
  /** Refresh token life in seconds. */
  refreshTtlSeconds: number;
  /**
   * Open mode: requests without credentials act as this tenant (`ensureLocalTenant`). Only for
   * a server that listens on loopback; requests with bad credentials are still refused.
   */
  openTenantId?: string;
  /** The client's address, for login limits (default: Deno's `remoteAddr`, else `unknown`). */
  clientAddress?: (c: Context) => string;
  /** argon2id cost of new passwords and of the dummy hash (default `DEFAULT_PASSWORD_COST`). */
  passwordCost?: PasswordCost;
  /**
   * Failed logins allowed per username and address together, per username from addresses it
   * has not logged in from lately, and per address (default 5, 20 and 20 per 15 min; see
   * `routes/platform/auth.ts`).
   */
  loginLimits?: { pair?: RatePolicy; user?: RatePolicy; address?: RatePolicy };
}

/** The realm named in `WWW-Authenticate`. */
export const AUTH_REALM = "segmentation";

/**
 * Middleware that resolves the request's principal and sets `c.set("principal", …)`.
 *
 * Credentials, any of which may be combined:
 * - `Authorization: Bearer <access token>` → a `user` principal;
 * - `X-API-Key: <key>` → an `apikey` principal;
 * - `X-Customer-Api-Id` + `X-Secret` → a `tenant` principal. With a bearer token or an API key,
 *   `X-Customer-Api-Id` may come alone, as a statement of which tenant is meant.
 *
 * Every credential present must be valid, and all must name one tenant; the principal is the
 * most specific (user, then API key, then tenant). Answers, in the error body:
 * - 401 `unauthorized` with `WWW-Authenticate: Bearer …` when a credential is invalid, expired,
 *   revoked or incomplete, or when there is none and open mode is off;
 * - 403 `forbidden` when valid credentials name different tenants.
 * In open mode (`deps.openTenantId`), a request with no credentials at all gets an `open`
 * principal of the local tenant.
 */
export function authenticate(deps: AuthDeps): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    c.set("principal", await resolvePrincipal(c, deps));
    await next();
  };
}

async function resolvePrincipal(c: Context, deps: AuthDeps): Promise<Principal> {
  const authorization = c.req.header("Authorization");
  const apiKey = c.req.header("X-API-Key");
  const customerApiId = c.req.header("X-Customer-Api-Id");
  const secret = c.req.header("X-Secret");

  const found: Principal[] = [];
  if (authorization !== undefined) found.push(await bearerPrincipal(authorization, deps));
  if (apiKey !== undefined) found.push(await apiKeyPrincipal(apiKey, deps));
  if (secret !== undefined) {
    if (customerApiId === undefined) {
      throw unauthorized("X-Secret was sent without X-Customer-Api-Id");
    }
    found.push(await tenantPrincipal(customerApiId, secret, deps));
  }

  const principal = found[0];
  if (!principal) {
    if (customerApiId !== undefined) {
      throw unauthorized("X-Customer-Api-Id was sent without X-Secret");
    }
    if (deps.openTenantId !== undefined) {
      return { tenantId: deps.openTenantId, kind: "open", id: deps.openTenantId };
    }
    throw new ClientError(401, "unauthorized", "Authentication required", {
      details: { accepted: ["Authorization: Bearer", "X-API-Key", "X-Customer-Api-Id+X-Secret"] },
      headers: { "WWW-Authenticate": `Bearer realm="${AUTH_REALM}"` },
    });
  }
  if (found.some((other) => other.tenantId !== principal.tenantId)) throw tenantMismatch();
  if (customerApiId !== undefined && secret === undefined) {
    // A lone X-Customer-Api-Id is only a statement of the tenant meant: it must match.
    const tenant = await getTenant(deps.kv, principal.tenantId);
    if (tenant?.customerApiId !== customerApiId.toLowerCase()) throw tenantMismatch();
  }
  return principal;
}

async function bearerPrincipal(authorization: string, deps: AuthDeps): Promise<Principal> {
  const match = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i.exec(authorization);
  if (!match) {
    throw unauthorized("Expected an Authorization header of the form 'Bearer <token>'", {
      error: "invalid_request",
    });
  }
  try {
    const user = await authenticateAccessToken(deps.kv, match[1]!, deps);
    return { tenantId: user.tenantId, kind: "user", id: user.userId, username: user.username };
  } catch (error) {
    if (!(error instanceof InvalidTokenError)) throw error;
    throw unauthorized("Invalid or expired authentication token", {
      error: "invalid_token",
      cause: error,
    });
  }
}

async function apiKeyPrincipal(apiKey: string, deps: AuthDeps): Promise<Principal> {
  const record = await authenticateApiKey(deps.kv, apiKey.trim());
  if (!record) throw unauthorized("Invalid or revoked API key");
  return { tenantId: record.tenantId, kind: "apikey", id: record.keyId };
}

async function tenantPrincipal(
  customerApiId: string,
  secret: string,
  deps: AuthDeps,
): Promise<Principal> {
  const tenant = await authenticateTenant(deps.kv, {
    customerApiId: customerApiId.trim(),
    secret: secret.trim(),
  });
  if (!tenant) throw unauthorized("Invalid X-Customer-Api-Id or X-Secret");
  return { tenantId: tenant.tenantId, kind: "tenant", id: tenant.customerApiId };
}

function unauthorized(
  message: string,
  options: { error?: "invalid_token" | "invalid_request"; cause?: unknown } = {},
): ClientError {
  const challenge = options.error
    ? `Bearer realm="${AUTH_REALM}", error="${options.error}"`
    : `Bearer realm="${AUTH_REALM}"`;
  return new ClientError(401, "unauthorized", message, {
    headers: { "WWW-Authenticate": challenge },
    cause: options.cause,
  });
}

function tenantMismatch(): ClientError {
  return new ClientError(
    403,
    "forbidden",
    "The credentials sent name different tenants",
  );
}
