/**
 * The service of `tests/routes/segmentation/_service.ts` with document 003's routes
 * (`segmentsApiRoutes`) mounted at `/api` when `createApp` does not mount them yet, generous rate
 * limits (the tests make many requests per tenant), a clock the tests can move, and a session
 * helper: a tenant whose requests carry its credentials, with upload, JSON and clustering
 * shortcuts.
 */
import assert from "node:assert/strict";
import { segmentationJobType } from "../../../domain/jobs/segmentation_job.ts";
import { JobRunner } from "../../../domain/jobs/runner.ts";
import type { AppDeps } from "../../../routes/mod.ts";
import { NOW, segmentationService } from "../segmentation/_service.ts";

export { NOW };

/** The Mall customers (200 rows: id, gender, age, income in k$, spending score). */
export const MALL = await Deno.readFile(new URL("../../data/mall_customers.csv", import.meta.url));

const HOUR_MS = 3_600_000;
const GENEROUS = { limit: 10_000, periodMs: HOUR_MS };

/** A clock the tests advance: `clock.now` is read on every call of `clock.read`. */
export interface TestClock {
  now: number;
  read: () => number;
}

/** Builds the service; dispose it with `await using`. */
export async function segmentsService(overrides: Partial<AppDeps> = {}) {
  const clock: TestClock = { now: NOW, read: () => clock.now };
  const s = await segmentationService({
    clock: clock.read,
    rateLimits: { default: GENEROUS, clusters_run: GENEROUS, export: GENEROUS },
    ...overrides,
  });
  return Object.assign(s, { clock });
}

export type Service = Awaited<ReturnType<typeof segmentsService>>;

/** A tenant's session: requests with its credentials. */
export async function session(s: Service, name = "acme") {
  const t = await s.tenant(name);
  const { "Content-Type": _json, ...auth } = t.headers;
  const call = (path: string, init: RequestInit = {}) =>
    s.app.request(path, { ...init, headers: { ...auth, ...(init.headers ?? {}) } });
  const get = async (path: string) => {
    const res = await call(path);
    return { status: res.status, body: await res.json(), headers: res.headers };
  };
  const post = async (path: string, body?: unknown) => {
    const res = await call(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: await res.json(), headers: res.headers };
  };
  const upload = async (bytes: Uint8Array<ArrayBuffer> | string, filename = "customers.csv") => {
    const form = new FormData();
    form.append("file", new File([bytes], filename, { type: "text/csv" }));
    const res = await call("/api/upload", { method: "POST", body: form });
    assert.equal(res.status, 200, await res.clone().text());
    return await res.json();
  };
  return { ...t, auth, call, get, post, upload };
}

export type Session = Awaited<ReturnType<typeof session>>;

/** A session with the Mall dataset uploaded and clustered into 5 segments. */
export async function clusteredMall(s: Service, name = "acme"): Promise<Session> {
  const a = await session(s, name);
  await a.upload(MALL, "mall_customers.csv");
  const clustered = await a.post("/api/cluster", { n_clusters: 5, random_state: 42 });
  assert.equal(clustered.status, 200, JSON.stringify(clustered.body));
  return a;
}

/** Runs every queued job. */
export async function drain(s: Service): Promise<void> {
  const runner = new JobRunner(s.kv, [segmentationJobType(s.engine)], {
    clock: s.clock.read,
    onError: () => {},
  });
  await runner.drain();
}
