import assert from "node:assert/strict";
import { parseCsvStream } from "../../../domain/datasets/csv_stream.ts";
import { datasetFromRecords } from "../../../domain/datasets/records.ts";
import {
  clearSession,
  currentDatasetPointer,
  decodeDataset,
  encodeDataset,
  getCurrentDatasetId,
  getDataset,
  listDatasets,
  saveDataset,
  setCurrentDataset,
} from "../../../domain/datasets/store.ts";
import { CHUNK_BYTES, keys } from "../../../storage/mod.ts";

const NOW = 1_700_000_000_000;

function small(id: string, name = "small.csv") {
  return datasetFromRecords([
    { id: "a", gender: "F", age: 30, income: 50.5, joined: "2020-01-02" },
    { id: "b", gender: null, age: null, income: 61, joined: "2021-03-04" },
    { id: "c", gender: "M", age: 45, income: 70, joined: null },
  ], { name, now: NOW, id });
}

Deno.test("dataset encoding round-trips every column kind, NaN and null included", () => {
  const ds = small("ds_1");
  const back = decodeDataset(encodeDataset(ds));
  assert.deepEqual(back, ds);
});

Deno.test("saveDataset and getDataset round-trip a dataset of many chunks", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const bytes = await Deno.readFile(new URL("../../data/cc_general.csv", import.meta.url));
    const ds = await parseCsvStream(new Blob([bytes]).stream(), {
      name: "cc_general.csv",
      now: NOW,
      id: "ds_cc",
    });
    const summary = await saveDataset(kv, "tenantA", ds, NOW + 5);
    assert.ok(summary.bytes > CHUNK_BYTES * 12, "more chunks than one atomic write holds");
    assert.equal(summary.rowCount, 8950);
    assert.equal(summary.columnCount, 18);
    assert.deepEqual(summary.columns?.[0], { name: "CUST_ID", kind: "id", missing: 0 });
    const back = await getDataset(kv, "tenantA", "ds_cc");
    assert.deepEqual(back, ds);
    await assert.rejects(() => saveDataset(kv, "tenantA", ds, NOW), /already exists/);
  } finally {
    kv.close();
  }
});

Deno.test("listDatasets returns summaries only, newest first", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    await saveDataset(kv, "t", small("ds_old", "old.csv"), NOW);
    await saveDataset(kv, "t", small("ds_new", "new.csv"), NOW + 1000);
    const list = await listDatasets(kv, "t");
    assert.deepEqual(list.map((d) => d.name), ["new.csv", "old.csv"]);
    assert.deepEqual(Object.keys(list[0]!).sort(), [
      "bytes",
      "columnCount",
      "columnMap",
      "columns",
      "createdAt",
      "id",
      "incomeScale",
      "name",
      "rowCount",
      "storedAt",
    ]);
    assert.deepEqual(list[0]!.columnMap, {
      customer_id: "id",
      gender: "gender",
      age: "age",
      income: "income",
    });
  } finally {
    kv.close();
  }
});

Deno.test("tenant B can neither read, list nor point at tenant A's dataset", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    await saveDataset(kv, "tenantA", small("ds_a"), NOW);
    assert.equal(await getDataset(kv, "tenantB", "ds_a"), null);
    assert.deepEqual(await listDatasets(kv, "tenantB"), []);
    assert.equal(await setCurrentDataset(kv, "tenantB", "user1", "ds_a"), false);
    assert.equal(await getCurrentDatasetId(kv, "tenantB", "user1"), null);
    assert.notEqual(await getDataset(kv, "tenantA", "ds_a"), null);
  } finally {
    kv.close();
  }
});

Deno.test("getDataset answers null for unknown and malformed ids without touching KV limits", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    assert.equal(await getDataset(kv, "t", "ds_missing"), null);
    assert.equal(await getDataset(kv, "t", "x".repeat(3000)), null);
    assert.equal(await getDataset(kv, "t", "../etc"), null);
    await assert.rejects(() => saveDataset(kv, "t", small("bad/id"), NOW), RangeError);
  } finally {
    kv.close();
  }
});

Deno.test("the current dataset is per principal and reset clears only that principal's pointers", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    await saveDataset(kv, "t", small("ds_1"), NOW);
    await saveDataset(kv, "t", small("ds_2"), NOW);
    assert.equal(await setCurrentDataset(kv, "t", "alice", "ds_1"), true);
    assert.equal(await setCurrentDataset(kv, "t", "bob", "ds_2"), true);
    assert.equal(await setCurrentDataset(kv, "t", "bob", "ds_none"), false);
    assert.equal(await getCurrentDatasetId(kv, "t", "alice"), "ds_1");
    assert.equal(await getCurrentDatasetId(kv, "t", "bob"), "ds_2");
    // Another module's per-owner session pointer and a tenant-wide pointer.
    await kv.set(keys.pointer("t", "session_run:alice"), "run_1");
    await kv.set(keys.pointer("t", "latest_run"), "run_1");
    await kv.set(keys.pointer("t", "session_run:alice2"), "run_2");

    assert.equal(await clearSession(kv, "t", "alice"), 2);
    assert.equal(await getCurrentDatasetId(kv, "t", "alice"), null);
    assert.equal((await kv.get(keys.pointer("t", "session_run:alice"))).value, null);
    assert.equal(await getCurrentDatasetId(kv, "t", "bob"), "ds_2");
    assert.equal((await kv.get(keys.pointer("t", "latest_run"))).value, "run_1");
    assert.equal((await kv.get(keys.pointer("t", "session_run:alice2"))).value, "run_2");
    assert.notEqual(await getDataset(kv, "t", "ds_1"), null, "stored datasets are kept");
    assert.equal(currentDatasetPointer("alice"), "current_dataset:alice");
  } finally {
    kv.close();
  }
});
