/**
 * The app as `main.ts` builds it for the segmentation routes (documents 000–002): an in-memory
 * KV, the single-threaded CPU backend, authentication, a fixed clock, and tenants whose
 * tenant headers (`X-Customer-Api-Id` + `X-Secret`, as EchoIntel's SDKs send) the tests use.
 */
import { createCpuBackend } from "../../../compute/cpu/backend.ts";
import { TEST_PASSWORD_COST } from "../../../domain/auth/hashing.ts";
import { inProcessEngine } from "../../../domain/segmentation/engine.ts";
import { createTenant } from "../../../domain/auth/tenants.ts";
import { type AppDeps, createApp } from "../../../routes/mod.ts";
import { openStore } from "../../../storage/mod.ts";

/** The tests' clock (epoch ms). */
export const NOW = 1_800_000_000_000;

/** A tenant and the JSON request headers that authenticate as it. */
export interface TenantCredentials {
  tenantId: string;
  headers: Record<string, string>;
}

/** Builds the service (with `overrides` of its dependencies); dispose it with `await using`. */
export async function segmentationService(overrides: Partial<AppDeps> = {}) {
  const kv = await openStore(":memory:");
  const engine = inProcessEngine(createCpuBackend({ threads: 1 }));
  const app = createApp({
    compute: engine,
    engine,
    kv,
    clock: () => NOW,
    logger: () => {},
    auth: {
      jwt: { secret: "p".repeat(40), issuer: "t", audience: "t" },
      refreshTtlSeconds: 3600,
      passwordCost: TEST_PASSWORD_COST,
    },
    ...overrides,
  });
  const tenant = async (name: string): Promise<TenantCredentials> => {
    const t = await createTenant(kv, { name }, { now: () => NOW });
    return {
      tenantId: t.tenantId,
      headers: {
        "Content-Type": "application/json",
        "X-Customer-Api-Id": t.customerApiId,
        "X-Secret": t.secret,
      },
    };
  };
  return {
    app,
    kv,
    engine,
    tenant,
    async [Symbol.asyncDispose]() {
      await engine.dispose();
      kv.close();
    },
  };
}
