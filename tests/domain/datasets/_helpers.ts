/** Helpers of the dataset tests: streams of bytes, refusals, and column readers. */
import assert from "node:assert/strict";
import { parseCsvStream } from "../../../domain/datasets/csv_stream.ts";
import { DatasetError } from "../../../domain/datasets/errors.ts";
import type { Dataset, NumericColumn, TextColumn } from "../../../domain/datasets/types.ts";

export const DATA = new URL("../../data/", import.meta.url);
export const OPTS = { name: "test.csv", now: 1_700_000_000_000, id: "ds_test" };

/** A stream of `bytes` in chunks of `size` bytes (the whole at once when absent). */
export function streamOf(input: string | Uint8Array, size?: number): ReadableStream<Uint8Array> {
  const bytes = typeof input === "string" ? new TextEncoder().encode(input) : input;
  const step = size ?? Math.max(1, bytes.byteLength);
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.byteLength) return controller.close();
      controller.enqueue(bytes.slice(at, at + step));
      at += step;
    },
  });
}

export function parse(
  text: string | Uint8Array,
  extra: Record<string, unknown> = {},
): Promise<Dataset> {
  return parseCsvStream(streamOf(text), { ...OPTS, ...extra });
}

export async function refusal(p: Promise<unknown>): Promise<DatasetError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof DatasetError, `expected a DatasetError but got ${err}`);
    return err;
  }
  assert.fail("expected a DatasetError");
}

export function refusalSync(f: () => unknown): DatasetError {
  try {
    f();
  } catch (err) {
    assert.ok(err instanceof DatasetError, `expected a DatasetError but got ${err}`);
    return err;
  }
  assert.fail("expected a DatasetError");
}

export function column(ds: Dataset, name: string) {
  const c = ds.columns.find((c) => c.name === name);
  assert.ok(c, `no column ${name}`);
  return c;
}

export function numbers(ds: Dataset, name: string): number[] {
  const c = column(ds, name);
  assert.equal(c.kind, "numeric");
  return Array.from((c as NumericColumn).values);
}

export function texts(ds: Dataset, name: string): (string | null)[] {
  const c = column(ds, name);
  assert.notEqual(c.kind, "numeric");
  return [...(c as TextColumn).values];
}

export async function file(name: string): Promise<Dataset> {
  const f = await Deno.open(new URL(name, DATA));
  return parseCsvStream(f.readable, { ...OPTS, name });
}
