/**
 * The job table's keys beyond the ones in `storage/keys.ts` (the per-tenant slots, the claim
 * cursor, the markers of job inputs being stored). Kept here until `storage/keys.ts`, owned
 * elsewhere, takes them in; the layout follows it (global indexes hold pointers only).
 *
 * | key | value |
 * | --- | --- |
 * | `["t", tenantId, "job_slot", i]` | jobId: one of the tenant's `MAX_ACTIVE_JOBS_PER_TENANT` active jobs |
 * | `["job_claim_cursor"]` | tenantId last claimed for: where the round-robin over tenants resumes |
 * | `["job_input_pending", tenantId, kind, id]` | `PendingInput`: a stored input no job owns yet |
 *
 * @module
 */

/** What `["job_input_pending", …]` holds: an input object stored before its job is enqueued. */
export interface PendingInput {
  readonly tenantId: string;
  readonly kind: string;
  readonly id: string;
  /** Epoch ms when the store began. */
  readonly since: number;
}

export const jobKeys = {
  slot: (tenantId: string, index: number) => ["t", tenantId, "job_slot", index],
  slotPrefix: (tenantId: string) => ["t", tenantId, "job_slot"],
  claimCursor: () => ["job_claim_cursor"],
  pendingInput: (tenantId: string, kind: string, id: string) => [
    "job_input_pending",
    tenantId,
    kind,
    id,
  ],
  pendingInputPrefix: () => ["job_input_pending"],
} as const;
