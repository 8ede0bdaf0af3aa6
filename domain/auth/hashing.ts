/**
 * The service's cryptographic primitives, in one place so that every secret is handled the same
 * way: argon2id for passwords (hash-wasm, which runs wherever WebAssembly does, Deno Deploy
 * included), SHA-256 digests for high-entropy secrets (tenant secrets, API keys, refresh tokens),
 * constant-time comparison of digests, and random tokens. Password hashes run on a pool of Web
 * Workers (`hash_pool.ts`), never on the HTTP thread, except the tiny test cost.
 *
 * @module
 */
import { timingSafeEqual } from "node:crypto";
import { HashingBusyError, HashPool } from "./hash_pool.ts";
import { runHashJob } from "./hash_worker.ts";

/** The work factor of argon2id. */
export interface PasswordCost {
  /** Memory per hash in KiB (at least 8 × `parallelism`). */
  readonly memoryKib: number;
  /** Passes over the memory (at least 1). */
  readonly iterations: number;
  /** Lanes (default 1). */
  readonly parallelism?: number;
}

/** OWASP's Password Storage Cheat Sheet minimum for argon2id: m = 19 MiB, t = 2, p = 1. */
export const DEFAULT_PASSWORD_COST: PasswordCost = Object.freeze({
  memoryKib: 19 * 1024,
  iterations: 2,
  parallelism: 1,
});

/** A cost that hashes in about a millisecond, for tests only: it protects nothing. */
export const TEST_PASSWORD_COST: PasswordCost = Object.freeze({
  memoryKib: 64,
  iterations: 1,
  parallelism: 1,
});

/** Passwords longer than this are refused before hashing, so a huge body cannot cost CPU. */
export const MAX_PASSWORD_LENGTH = 1024;

const SALT_BYTES = 16;
const HASH_BYTES = 32;

/**
 * Hashes `password` with argon2id at `cost` and a fresh 16-byte salt. The password is NFKC
 * normalised first (NIST SP 800-63B), so that the same characters typed on another keyboard
 * verify. Returns the PHC string (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`), which carries its
 * own parameters: changing the cost later leaves old hashes verifiable.
 *
 * @throws {RangeError} when the password is longer than `MAX_PASSWORD_LENGTH` or the cost is
 * out of range.
 *
 * @example
 * ```ts
 * import { hashPassword, TEST_PASSWORD_COST, verifyPassword } from "./hashing.ts";
 * const hash = await hashPassword("correct horse", TEST_PASSWORD_COST);
 * console.assert(await verifyPassword("correct horse", hash));
 * ```
 */
export async function hashPassword(
  password: string,
  cost: PasswordCost = DEFAULT_PASSWORD_COST,
): Promise<string> {
  checkPasswordLength(password);
  const parallelism = cost.parallelism ?? 1;
  if (!Number.isInteger(parallelism) || parallelism < 1) {
    throw new RangeError(`Expected parallelism to be an integer ≥ 1 but found ${parallelism}`);
  }
  if (!Number.isInteger(cost.memoryKib) || cost.memoryKib < 8 * parallelism) {
    throw new RangeError(
      `Expected memoryKib to be an integer ≥ ${8 * parallelism} but found ${cost.memoryKib}`,
    );
  }
  if (!Number.isInteger(cost.iterations) || cost.iterations < 1) {
    throw new RangeError(`Expected iterations to be an integer ≥ 1 but found ${cost.iterations}`);
  }
  const hash = await runJob({
    op: "hash",
    password: password.normalize("NFKC"),
    options: {
      salt: crypto.getRandomValues(new Uint8Array(SALT_BYTES)),
      parallelism,
      iterations: cost.iterations,
      memorySize: cost.memoryKib,
      hashLength: HASH_BYTES,
    },
  }, cost.memoryKib);
  return String(hash);
}

/**
 * True when `password` matches the PHC string `hash` made by `hashPassword`. A malformed hash or
 * an over-long password verifies as false rather than throwing, so callers have one failure
 * path to answer.
 *
 * @throws {HashingBusyError} when too many hashes are waiting for a worker (answer 503).
 */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  if (password.length > MAX_PASSWORD_LENGTH) return false;
  const memoryKib = Number(/\$m=(\d+),/.exec(hash)?.[1] ?? NaN);
  if (!(memoryKib >= 8)) return false;
  try {
    const job = { op: "verify" as const, password: password.normalize("NFKC"), hash };
    return await runJob(job, memoryKib) === true;
  } catch (error) {
    // A full queue must reach the route (503), not read as a wrong password.
    if (error instanceof HashingBusyError) throw error;
    return false;
  }
}

/**
 * Hashes below this much memory (the test cost) take about a millisecond: they run inline,
 * where a worker's start-up would cost more than the hash.
 */
const INLINE_MAX_KIB = 1024;

const pool = new HashPool();

async function runJob(job: Parameters<HashPool["run"]>[0], memoryKib: number) {
  if (memoryKib < INLINE_MAX_KIB) {
    const answer = await runHashJob({ ...job, id: 0 });
    if (!answer.ok) throw new Error(answer.message);
    return answer.value;
  }
  return await pool.run(job);
}

/**
 * Spends the time of one `verifyPassword` at `cost` and returns false: call it when the user is
 * unknown, so that a login's timing does not tell whether the username exists. The dummy hash is
 * computed once per cost, on first use.
 */
export async function verifyDummyPassword(
  password: string,
  cost: PasswordCost = DEFAULT_PASSWORD_COST,
): Promise<false> {
  const id = `${cost.memoryKib}/${cost.iterations}/${cost.parallelism ?? 1}`;
  let dummy = dummyHashes.get(id);
  if (!dummy) {
    dummy = hashPassword(randomToken(), cost);
    dummyHashes.set(id, dummy);
    // A failed computation must not stay cached.
    dummy.catch(() => dummyHashes.delete(id));
  }
  await verifyPassword(password.slice(0, MAX_PASSWORD_LENGTH), await dummy);
  return false;
}

// A promise rather than a string, so that concurrent first logins compute the hash only once.
const dummyHashes = new Map<string, Promise<string>>();

/** @throws {RangeError} when `password` is longer than `MAX_PASSWORD_LENGTH`. */
export function checkPasswordLength(password: string): void {
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw new RangeError(
      `Expected a password of at most ${MAX_PASSWORD_LENGTH} characters but found ${password.length}`,
    );
  }
}

/**
 * The SHA-256 of `text` (UTF-8) as 64 lowercase hex digits. For secrets with at least 128 bits
 * of entropy (tenant secrets, API keys, refresh tokens), where a fast hash is enough; never for
 * passwords.
 *
 * @example
 * ```ts
 * import { sha256Hex } from "./hashing.ts";
 * console.assert((await sha256Hex("abc")).startsWith("ba7816bf"));
 * ```
 */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return new Uint8Array(digest).toHex();
}

/**
 * Compares two hex digests in time that depends only on their length. Strings of different
 * lengths, or that are not hex, are unequal at once: only fixed-length digests are compared, so
 * the length reveals nothing.
 */
export function digestsEqual(a: string, b: string): boolean {
  if (a.length !== b.length || !HEX.test(a) || !HEX.test(b)) return false;
  const encoder = new TextEncoder();
  return timingSafeEqual(encoder.encode(a), encoder.encode(b));
}

const HEX = /^[0-9a-f]*$/;

/**
 * A random token of `bytes` bytes (default 32, 256 bits) from `crypto.getRandomValues`, as
 * unpadded base64url (43 characters for 32 bytes).
 *
 * @throws {RangeError} when `bytes` is not an integer in [16, 1024].
 */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toBase64({ alphabet: "base64url", omitPadding: true });
}

/**
 * A random string of `bytes` bytes as lowercase hex (`2 × bytes` characters), for secrets that
 * must be plain alphanumerics (the 64-character tenant secret is `randomHex(32)`).
 *
 * @throws {RangeError} when `bytes` is not an integer in [16, 1024].
 */
export function randomHex(bytes = 32): string {
  return randomBytes(bytes).toHex();
}

function randomBytes(bytes: number): Uint8Array {
  // Fewer than 128 bits would make the SHA-256-only storage of these tokens guessable.
  if (!Number.isInteger(bytes) || bytes < 16 || bytes > 1024) {
    throw new RangeError(`Expected a token size in bytes in [16, 1024] but found ${bytes}`);
  }
  return crypto.getRandomValues(new Uint8Array(bytes));
}
