/**
 * The order in which a worker tries to claim jobs, fair between tenants: first the tenants with
 * the fewest jobs running, then round-robin over tenants starting after the one served last
 * (the claim cursor), then each tenant's oldest job. One tenant's burst therefore waits its
 * turn instead of holding every worker until it is done. See docs/jobs.md.
 *
 * @module
 */

/** What the order needs of a job. */
export interface ClaimCandidate {
  readonly id: string;
  readonly tenantId: string;
  readonly state: string;
}

/**
 * The `claimable` jobs of `active` (every unfinished job) in the order to try them. `cursor` is
 * the tenant served by the last claim (null: none yet).
 */
export function claimOrder<T extends ClaimCandidate>(
  active: readonly T[],
  claimable: readonly T[],
  cursor: string | null,
): T[] {
  const running = new Map<string, number>();
  for (const job of active) {
    if (job.state === "processing") {
      running.set(job.tenantId, (running.get(job.tenantId) ?? 0) + 1);
    }
  }
  // 0 for tenants after the cursor (their turn comes first), 1 for the cursor and those before.
  const turn = (tenantId: string) => (cursor !== null && tenantId <= cursor ? 1 : 0);
  return [...claimable].sort((a, b) =>
    (running.get(a.tenantId) ?? 0) - (running.get(b.tenantId) ?? 0) ||
    turn(a.tenantId) - turn(b.tenantId) ||
    compare(a.tenantId, b.tenantId) ||
    compare(a.id, b.id)
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
