/**
 * Who is calling and how often: tenants, users and API keys, access and refresh tokens,
 * password and secret hashing, and the rate limiter.
 *
 * @module
 */
export {
  DEFAULT_PASSWORD_COST,
  MAX_PASSWORD_LENGTH,
  type PasswordCost,
  TEST_PASSWORD_COST,
} from "./hashing.ts";
export { HashingBusyError } from "./hash_pool.ts";
export {
  type Bucket,
  consume,
  consumeAll,
  type MultiDecision,
  peek,
  type RateDecision,
  RateLimitContention,
  type RatePolicy,
  refund,
} from "./rate_limit.ts";
export {
  authenticateApiKey,
  authenticateTenant,
  authenticateUser,
  createApiKey,
  createTenant,
  createUser,
  ensureLocalTenant,
  getTenant,
  listApiKeys,
  MAX_USERNAME_LENGTH,
  normaliseUsername,
  revokeApiKey,
} from "./tenants.ts";
export {
  authenticateAccessToken,
  checkJwtConfig,
  InvalidTokenError,
  issueTokenPair,
  type JwtConfig,
  logout,
  MAX_ACCESS_TTL_SECONDS,
  refreshTokenPair,
  type TokenPair,
} from "./tokens.ts";
