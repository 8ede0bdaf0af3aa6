/**
 * `POST /api/auth/login`, `/refresh` and `/logout` (document 003, 3.1): a user's password for a
 * short-lived access token and a rotating refresh token. Mount with
 * `app.route("/api/auth", authRoutes(deps))`, outside `authenticate`.
 *
 * @module
 */
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { z } from "zod";
import { HashingBusyError, MAX_PASSWORD_LENGTH } from "../../domain/auth/mod.ts";
import {
  type Bucket,
  consume,
  consumeAll,
  peek,
  type RateDecision,
  type RatePolicy,
  refund,
} from "../../domain/auth/mod.ts";
import { authenticateUser, MAX_USERNAME_LENGTH, normaliseUsername } from "../../domain/auth/mod.ts";
import {
  InvalidTokenError,
  issueTokenPair,
  logout,
  refreshTokenPair,
  type TokenPair,
} from "../../domain/auth/mod.ts";
import { AUTH_REALM, type AuthDeps } from "../http/authenticate.ts";
import { ClientError, UnavailableError } from "../http/errors.ts";
import type { AppEnv } from "../env.ts";
import { createRouter, errorResponses } from "../http/openapi.ts";
import {
  checkSameOrigin,
  clearedSessionCookie,
  SESSION_COOKIE,
  SESSION_HEADER,
  SESSION_PATH,
  sessionCookie,
  sessionCookieValue,
} from "./session_cookie.ts";

export type { AuthDeps } from "../http/authenticate.ts";

/**
 * Failed logins allowed per username and client address together: 5 per 15 minutes (OWASP's
 * usual lock-out threshold). Someone guessing from one address locks out that address only.
 */
export const DEFAULT_LOGIN_PAIR_LIMIT: RatePolicy = { limit: 5, periodMs: 15 * 60_000 };
/**
 * Failed logins allowed per username from all addresses: 20 per 15 minutes, refilling one every
 * 45 s (the back-off a guesser spread over many addresses gets). An address that logged in to
 * the account in the last `TRUSTED_ADDRESS_MS` is not held by it, so the real user gets in.
 */
export const DEFAULT_LOGIN_USER_LIMIT: RatePolicy = { limit: 20, periodMs: 15 * 60_000 };
/** How long a successful login exempts its address from the per-username limit: 30 days. */
export const TRUSTED_ADDRESS_MS = 30 * 86_400_000;
/**
 * Failed logins allowed per client address: 20 per 15 minutes, more than per username because
 * an office behind one NAT address shares it.
 */
export const DEFAULT_LOGIN_ADDRESS_LIMIT: RatePolicy = { limit: 20, periodMs: 15 * 60_000 };

/**
 * The auth sub-app. Answers:
 * - `POST /login` `{username, password}` → 200 `{access_token, token_type: "Bearer",
 *   expires_in, refresh_token}`; 401 `unauthorized` with one message for an unknown user and a
 *   wrong password; 429 `rate_limited` with `Retry-After` (header, and `retry_after_seconds` in
 *   `details`) once a username or a client address has used up its failed logins;
 * - `POST /refresh` `{refresh_token}` → 200, a new pair; the old refresh token stops working.
 *   401 for an unknown, expired or revoked token; presenting a used one revokes its whole
 *   session (401 too);
 * - `POST /logout` `{refresh_token}` → 204; the session's refresh and access tokens stop
 *   working. Idempotent: an unknown token is 204 as well.
 * Bodies go through the project's validation (`createRouter`): snake_case or camelCase keys,
 * 400 `validation_error` for an unknown or missing field, 422 for a broken length limit.
 */
export function authRoutes(deps: AuthDeps): OpenAPIHono<AppEnv> {
  const app = createRouter();
  const userLimit = deps.loginLimits?.user ?? DEFAULT_LOGIN_USER_LIMIT;
  const pairLimit = deps.loginLimits?.pair ?? DEFAULT_LOGIN_PAIR_LIMIT;
  // A bucket of one success per period: empty means "logged in from this address lately".
  const trustPolicy: RatePolicy = { limit: 1, periodMs: TRUSTED_ADDRESS_MS };
  const addressLimit = deps.loginLimits?.address ?? DEFAULT_LOGIN_ADDRESS_LIMIT;
  const clientAddress = deps.clientAddress ?? remoteAddress;
  const locks = new KeyedLocks();

  /**
   * Checks a password under the failed-login limits and issues a token pair (shared by
   * `POST /login` and the browser's `POST /session`).
   */
  const signIn = async (c: Context, username: string, password: string): Promise<TokenPair> => {
    const account = normaliseUsername(username) ?? username;
    const address = clientAddress(c);
    const pair = `pair:${JSON.stringify([account, address])}`;
    const trusted = (await peek(deps.kv, pair, "login_ok", trustPolicy, deps.now())).remaining < 1;
    const buckets: Bucket[] = [
      ...(trusted ? [] : [{ cls: "login_user", principal: `user:${account}`, policy: userLimit }]),
      { cls: "login_pair", principal: pair, policy: pairLimit },
      { cls: "login_addr", principal: `addr:${address}`, policy: addressLimit },
    ];
    // Attempts on one username or from one address run one at a time in this process, so that
    // they do not race each other through the store.
    const release = await locks.acquire(buckets.map((b) => `${b.cls}\u0000${b.principal}`));
    try {
      const now = deps.now();
      // Every attempt is counted before the password is checked, in one atomic operation on
      // both buckets, so parallel guesses on any number of instances cannot all pass the check
      // before the failures are counted; an attempt that turns out right is given back.
      const taken = await consumeAll(deps.kv, buckets, now);
      if (!taken.allowed) {
        const full = taken.decisions.findIndex((d) => !d.allowed);
        throw tooManyAttempts(taken.decisions[full]!, buckets[full]!.policy, now);
      }
      const user = await authenticateUser(deps.kv, { username, password }, deps).catch((e) => {
        if (!(e instanceof HashingBusyError)) throw e;
        // Not the client's failure: the attempt is given back.
        return refund(deps.kv, buckets, now).catch(() => {}).then(() => {
          throw new UnavailableError("login_busy", e.message, {
            details: { retry_after_seconds: e.retryAfterSeconds },
            headers: { "Retry-After": String(e.retryAfterSeconds) },
          });
        });
      });
      if (!user) {
        throw new ClientError(401, "unauthorized", "Invalid username or password", {
          headers: { "WWW-Authenticate": `Bearer realm="${AUTH_REALM}"` },
        });
      }
      // A refund lost to contention leaves one extra failure counted: the safe side.
      await refund(deps.kv, buckets, now).catch(() => {});
      if (!trusted) await consume(deps.kv, pair, "login_ok", trustPolicy, now).catch(() => {});
      return await issueTokenPair(deps.kv, user, deps);
    } finally {
      release();
    }
  };

  app.openapi(loginRoute, async (c) => {
    const { username, password } = c.req.valid("json");
    return c.json(tokenBody(await signIn(c, username, password)), 200);
  });

  app.openapi(refreshRoute, async (c) => {
    const { refresh_token } = c.req.valid("json");
    return c.json(tokenBody(await refreshed(deps, refresh_token)), 200);
  });

  // The browser's session: the refresh token lives in an HttpOnly cookie (session_cookie.ts).
  app.openapi(sessionLoginRoute, async (c) => {
    checkSameOrigin(c);
    const { username, password } = c.req.valid("json");
    const pair = await signIn(c, username, password);
    c.header("Set-Cookie", sessionCookie(c, pair.refreshToken, deps.refreshTtlSeconds));
    return c.json(accessBody(pair), 200);
  });

  app.openapi(sessionRefreshRoute, async (c) => {
    checkSameOrigin(c);
    const token = sessionCookieValue(c);
    try {
      if (token === null) throw new InvalidTokenError("malformed", "No session cookie was sent");
      const pair = await refreshTokenPair(deps.kv, token, deps);
      c.header("Set-Cookie", sessionCookie(c, pair.refreshToken, deps.refreshTtlSeconds));
      return c.json(accessBody(pair), 200);
    } catch (error) {
      if (!(error instanceof InvalidTokenError)) throw error;
      // A refused cookie is of no more use: the browser drops it.
      throw invalidToken(error, { "Set-Cookie": clearedSessionCookie(c) });
    }
  });

  app.openapi(sessionLogoutRoute, async (c) => {
    checkSameOrigin(c);
    const token = sessionCookieValue(c);
    if (token !== null) await logout(deps.kv, token, deps);
    c.header("Set-Cookie", clearedSessionCookie(c));
    return c.body(null, 204);
  });

  app.openapi(logoutRoute, async (c) => {
    await logout(deps.kv, c.req.valid("json").refresh_token, deps);
    return c.body(null, 204);
  });

  return app;
}

const LoginBody = z.object({
  username: z.string().min(1).max(MAX_USERNAME_LENGTH).meta({ example: "user@example.com" }),
  password: z.string().min(1).max(MAX_PASSWORD_LENGTH).meta({ format: "password" }),
}).strict().meta({ id: "LoginRequest" });

// Our refresh tokens are 43 characters; the bound only keeps junk out of the digest.
const RefreshBody = z.object({ refresh_token: z.string().min(1).max(512) }).strict().meta({
  id: "RefreshRequest",
});

const TokenResponse = z.object({
  access_token: z.string().meta({ description: "JWT (HS256), sent as `Bearer` token" }),
  token_type: z.literal("Bearer"),
  expires_in: z.int().meta({ description: "Seconds until the access token expires" }),
  refresh_token: z.string().meta({ description: "Opaque; each use returns a new one" }),
}).meta({ id: "TokenPair" });

const loginRoute = createRoute({
  method: "post",
  path: "/login",
  tags: ["auth"],
  summary: "Log in with username and password",
  security: [],
  request: { body: { required: true, content: json(LoginBody) } },
  responses: {
    200: { description: "Tokens", content: json(TokenResponse) },
    ...errorResponses(400, 401, 415, 422, 429),
  },
});

const refreshRoute = createRoute({
  method: "post",
  path: "/refresh",
  tags: ["auth"],
  summary: "Exchange a refresh token for a new pair (rotation)",
  security: [],
  request: { body: { required: true, content: json(RefreshBody) } },
  responses: {
    200: { description: "Tokens", content: json(TokenResponse) },
    ...errorResponses(400, 401, 415, 422),
  },
});

const logoutRoute = createRoute({
  method: "post",
  path: "/logout",
  tags: ["auth"],
  summary: "End the session of a refresh token",
  security: [],
  request: { body: { required: true, content: json(RefreshBody) } },
  responses: { 204: { description: "Logged out" }, ...errorResponses(400, 415, 422) },
});

const AccessResponse = z.object({
  access_token: z.string().meta({ description: "JWT (HS256), sent as `Bearer` token" }),
  token_type: z.literal("Bearer"),
  expires_in: z.int().meta({ description: "Seconds until the access token expires" }),
}).meta({ id: "SessionAccess" });

/** The header every session route needs: a cross-site form cannot send it (CSRF). */
const SessionHeaders = z.object({
  [SESSION_HEADER.toLowerCase()]: z.string().min(1).max(100).meta({
    description: "Any value; its presence proves a script of a permitted origin sent the request",
  }),
});

const sessionLoginRoute = createRoute({
  method: "post",
  path: "/session",
  tags: ["auth"],
  summary: "Log in a browser: the refresh token goes in an HttpOnly cookie",
  description: "Same checks and limits as `POST /login`. The refresh token is set as the " +
    `\`${SESSION_COOKIE}\` cookie (HttpOnly, SameSite=Strict, Path=${SESSION_PATH}, Secure ` +
    "except on loopback) and is not in the body. Needs the `" + SESSION_HEADER + "` header and " +
    "a same-origin `Origin` when one is sent.",
  security: [],
  request: {
    headers: SessionHeaders,
    body: { required: true, content: json(LoginBody) },
  },
  responses: {
    200: {
      description: "Access token (the refresh token is in the cookie)",
      content: json(AccessResponse),
    },
    ...errorResponses(400, 401, 403, 415, 422, 429),
  },
});

const sessionRefreshRoute = createRoute({
  method: "post",
  path: "/session/refresh",
  tags: ["auth"],
  summary: "A new access token for the session cookie (which rotates)",
  description: "Rotation and reuse detection as `POST /refresh`; a refused cookie is cleared.",
  security: [],
  request: { headers: SessionHeaders },
  responses: {
    200: {
      description: "Access token (the new refresh token is in the cookie)",
      content: json(AccessResponse),
    },
    ...errorResponses(400, 401, 403),
  },
});

const sessionLogoutRoute = createRoute({
  method: "delete",
  path: "/session",
  tags: ["auth"],
  summary: "Sign a browser out: revoke the cookie's session and clear the cookie",
  security: [],
  request: { headers: SessionHeaders },
  responses: { 204: { description: "Signed out" }, ...errorResponses(400, 403) },
});

function json<T>(schema: T): { "application/json": { schema: T } } {
  return { "application/json": { schema } };
}

/** A refresh token exchanged for a new pair; a refused one is a 401 `unauthorized`. */
async function refreshed(deps: AuthDeps, refreshToken: string): Promise<TokenPair> {
  try {
    return await refreshTokenPair(deps.kv, refreshToken, deps);
  } catch (error) {
    if (!(error instanceof InvalidTokenError)) throw error;
    throw invalidToken(error);
  }
}

function invalidToken(
  error: InvalidTokenError,
  headers: Record<string, string> = {},
): ClientError {
  return new ClientError(401, "unauthorized", error.message, {
    details: { reason: error.reason },
    headers: {
      "WWW-Authenticate": `Bearer realm="${AUTH_REALM}", error="invalid_token"`,
      ...headers,
    },
    cause: error,
  });
}

function accessBody(pair: TokenPair) {
  return {
    access_token: pair.accessToken,
    token_type: pair.tokenType,
    expires_in: pair.expiresIn,
  };
}

function tokenBody(pair: TokenPair) {
  return {
    access_token: pair.accessToken,
    token_type: pair.tokenType,
    expires_in: pair.expiresIn,
    refresh_token: pair.refreshToken,
  };
}

function tooManyAttempts(state: RateDecision, policy: RatePolicy, now: number): ClientError {
  // The bucket admits again once one interval of its backlog has drained.
  const retryMs = state.resetAt + policy.periodMs / policy.limit - policy.periodMs - now;
  const seconds = Math.max(1, Math.ceil(retryMs / 1000));
  return new ClientError(
    429,
    "rate_limited",
    `Too many failed logins; try again in ${seconds} seconds`,
    {
      details: { retry_after_seconds: seconds, limit: policy.limit },
      headers: {
        "Retry-After": String(seconds),
        "X-RateLimit-Limit": String(policy.limit),
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": String(Math.ceil(state.resetAt / 1000)),
      },
    },
  );
}

/** Deno.serve passes the connection info as the app's env; `app.request()` passes none. */
function remoteAddress(c: Context): string {
  const info = c.env as { remoteAddr?: { hostname?: string } } | undefined;
  return info?.remoteAddr?.hostname ?? "unknown";
}

/** Per-process mutexes by name; several are taken in the order given and released together. */
class KeyedLocks {
  #tails = new Map<string, Promise<void>>();

  async acquire(names: string[]): Promise<() => void> {
    const releases: (() => void)[] = [];
    // Everyone takes user locks before address locks, so no two waiters form a cycle.
    for (const name of names) releases.push(await this.#one(name));
    return () => releases.reverse().forEach((release) => release());
  }

  async #one(name: string): Promise<() => void> {
    const previous = this.#tails.get(name) ?? Promise.resolve();
    let release!: () => void;
    const held = new Promise<void>((resolve) => release = resolve);
    const tail = previous.then(() => held);
    this.#tails.set(name, tail);
    await previous;
    return () => {
      release();
      if (this.#tails.get(name) === tail) this.#tails.delete(name);
    };
  }
}
