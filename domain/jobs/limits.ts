/**
 * The per-tenant limit on active jobs, from the `MAX_ACTIVE_JOBS_PER_TENANT` setting. Read
 * here rather than in `main.ts`'s settings so that every route that enqueues gets the same
 * limit without threading it through their dependencies.
 *
 * @module
 */
import { DEFAULT_MAX_ACTIVE_JOBS_PER_TENANT } from "./job_record.ts";

/**
 * `MAX_ACTIVE_JOBS_PER_TENANT` (a positive integer), or `DEFAULT_MAX_ACTIVE_JOBS_PER_TENANT`
 * (4) when unset or unreadable (no env permission).
 *
 * @throws {RangeError} when it is set to something other than a positive integer.
 */
export function maxActiveJobsPerTenant(
  get: (name: string) => string | undefined = readEnv,
): number {
  const raw = get("MAX_ACTIVE_JOBS_PER_TENANT");
  if (raw === undefined || raw.trim() === "") return DEFAULT_MAX_ACTIVE_JOBS_PER_TENANT;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(
      `Expected MAX_ACTIVE_JOBS_PER_TENANT to be a positive integer but found "${raw}"`,
    );
  }
  return value;
}

function readEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}
