/**
 * Every Deno KV key the service writes, in one place. Keys are arrays with a named prefix first
 * and the id last. Tenant data lives under `["t", tenantId, …]`, so that one tenant's objects
 * can be listed (and deleted) by prefix and no key of another tenant can be reached from a
 * tenant-scoped read. The global indexes hold pointers (ids), never copies of the objects.
 *
 * | key | value |
 * | --- | --- |
 * | `["tenant", tenantId]` | `TenantRecord` |
 * | `["tenant_by_api_id", customerApiId]` | tenantId |
 * | `["user_by_name", username]` | `{ tenantId, userId }` |
 * | `["apikey", sha256(key)]` | `ApiKeyRecord` (tenantId, keyId, revokedAt) |
 * | `["refresh", sha256(token)]` | `RefreshRecord` (family, used, expiresAt) |
 * | `["refresh_family", familyId]` | `{ revoked, tenantId, userId }` |
 * | `["ratelimit", principal, class]` | `{ tat }` (GCRA theoretical arrival time, ms) |
 * | `["job_queue", jobId]` | `{ tenantId }`: a job that is queued or leased (the worker's index) |
 * | `["local_tenant"]` | tenantId of the open mode's local tenant (created once) |
 * | `["t", tenantId, "user", userId]` | `UserRecord` |
 * | `["t", tenantId, "apikey", keyId]` | sha256(key), a pointer to the `apikey` entry |
 * | `["t", tenantId, "job", jobId]` | `JobRecord` |
 * | `["t", tenantId, "job_idem", idempotencyKey]` | `{ jobId, fingerprint, expiresAt }`: the job an idempotency key created |
 * | `["t", tenantId, "job_slot", i]` | jobId: one of the tenant's `MAX_ACTIVE_JOBS_PER_TENANT` active jobs |
 * | `["job_claim_cursor"]` | tenantId last claimed for: where the round-robin over tenants resumes |
 * | `["job_input_pending", tenantId, kind, id]` | `PendingInput`: a stored job input no job owns yet |
 * | `["t", tenantId, "blob", kind, id]` | `BlobManifest` of a chunked object |
 * | `["t", tenantId, "chunk", kind, id, generation, index]` | `Uint8Array` ≤ 60 KiB |
 * | `["t", tenantId, "pointer", name]` | an id (e.g. `current_dataset`, `latest_run`) |
 * | `["gc", generationId]` | `{ tenantId, kind, id, generation, since }`: chunks being written |
 * | `["export_expiry", expiresAt, tenantId, exportId]` | `true`: an export to sweep once expired |
 * | `["t", tenantId, "export_gone", exportId]` | the swept export's info (its 410), kept 30 days |
 */
export type { KvKey } from "./types.ts";

export const keys = {
  tenant: (tenantId: string) => ["tenant", tenantId],
  tenantByApiId: (customerApiId: string) => ["tenant_by_api_id", customerApiId],
  userByName: (username: string) => ["user_by_name", username],
  apiKey: (digest: string) => ["apikey", digest],
  refresh: (digest: string) => ["refresh", digest],
  refreshFamily: (familyId: string) => ["refresh_family", familyId],
  rateLimit: (principal: string, cls: string) => ["ratelimit", principal, cls],
  jobQueue: (jobId: string) => ["job_queue", jobId],
  jobQueuePrefix: () => ["job_queue"],
  tenantPrefix: (tenantId: string) => ["t", tenantId],
  user: (tenantId: string, userId: string) => ["t", tenantId, "user", userId],
  tenantApiKey: (tenantId: string, keyId: string) => ["t", tenantId, "apikey", keyId],
  tenantApiKeyPrefix: (tenantId: string) => ["t", tenantId, "apikey"],
  localTenant: () => ["local_tenant"],
  job: (tenantId: string, jobId: string) => ["t", tenantId, "job", jobId],
  jobPrefix: (tenantId: string) => ["t", tenantId, "job"],
  jobIdempotency: (tenantId: string, idempotencyKey: string) => [
    "t",
    tenantId,
    "job_idem",
    idempotencyKey,
  ],
  jobSlot: (tenantId: string, index: number) => ["t", tenantId, "job_slot", index],
  jobSlotPrefix: (tenantId: string) => ["t", tenantId, "job_slot"],
  jobClaimCursor: () => ["job_claim_cursor"],
  jobInputPending: (tenantId: string, kind: string, id: string) => [
    "job_input_pending",
    tenantId,
    kind,
    id,
  ],
  jobInputPendingPrefix: () => ["job_input_pending"],
  blob: (tenantId: string, kind: string, id: string) => ["t", tenantId, "blob", kind, id],
  blobPrefix: (tenantId: string, kind: string) => ["t", tenantId, "blob", kind],
  chunk: (tenantId: string, kind: string, id: string, generation: string, index: number) => [
    "t",
    tenantId,
    "chunk",
    kind,
    id,
    generation,
    index,
  ],
  chunkPrefix: (tenantId: string, kind: string, id: string, generation: string) => [
    "t",
    tenantId,
    "chunk",
    kind,
    id,
    generation,
  ],
  pointer: (tenantId: string, name: string) => ["t", tenantId, "pointer", name],
  gc: (generationId: string) => ["gc", generationId],
  exportExpiry: (expiresAt: number, tenantId: string, exportId: string) => [
    "export_expiry",
    expiresAt,
    tenantId,
    exportId,
  ],
  exportExpiryPrefix: () => ["export_expiry"],
  exportGone: (tenantId: string, exportId: string) => ["t", tenantId, "export_gone", exportId],
  gcPrefix: () => ["gc"],
} as const;
