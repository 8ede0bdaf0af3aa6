/**
 * The streaming multipart reader against bodies the platform encodes (`Request` with
 * `FormData`): the file comes out byte for byte whatever the chunking, fields before and after
 * it are skipped, and malformed bodies are refused.
 */
import assert from "node:assert/strict";
import {
  multipartBoundary,
  MultipartError,
  multipartFile,
} from "../../../routes/http/multipart.ts";

async function encode(form: FormData): Promise<{ bytes: Uint8Array; boundary: string }> {
  const req = new Request("http://x/", { method: "POST", body: form });
  const boundary = multipartBoundary(req.headers.get("Content-Type")!)!;
  return { bytes: new Uint8Array(await req.arrayBuffer()), boundary };
}

function chunked(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(c) {
      if (at >= bytes.length) return c.close();
      c.enqueue(bytes.slice(at, at += size));
    },
  });
}

async function text(stream: ReadableStream<Uint8Array>): Promise<string> {
  return await new Response(stream).text();
}

Deno.test("multipartBoundary reads quoted and plain boundaries and refuses other types", () => {
  assert.equal(multipartBoundary("multipart/form-data; boundary=abc"), "abc");
  assert.equal(multipartBoundary('multipart/form-data; charset=x; boundary="a b"'), "a b");
  assert.equal(multipartBoundary("text/csv"), null);
  assert.equal(multipartBoundary("multipart/form-data"), null);
});

Deno.test("the file field streams out byte for byte at every chunk size", async () => {
  // Content that looks like a boundary's start, CRLFs and non-ASCII text.
  const content = 'id,name\r\n1,"--a\r\n-"\r\n2,José\r\n' + "x,".repeat(3000) + "\r\n--";
  const form = new FormData();
  form.append("note", "before");
  form.append("file", new File([content], "people.csv", { type: "text/csv" }));
  form.append("after", "after");
  const { bytes, boundary } = await encode(form);
  for (const size of [1, 2, 3, 7, 64, 1000, bytes.length]) {
    const file = await multipartFile(chunked(bytes, size), boundary, "file");
    assert.ok(file, `chunk ${size}`);
    assert.equal(file.filename, "people.csv");
    assert.equal(file.contentType, "text/csv");
    assert.equal(await text(file.stream), content, `chunk ${size}`);
  }
});

Deno.test("a body without the field gives null", async () => {
  const form = new FormData();
  form.append("other", new File(["a,b"], "x.csv"));
  const { bytes, boundary } = await encode(form);
  assert.equal(await multipartFile(chunked(bytes, 5), boundary, "file"), null);
});

Deno.test("a body cut inside the file errors the file's stream", async () => {
  const form = new FormData();
  form.append("file", new File(["a,b\n1,2\n".repeat(100)], "x.csv"));
  const { bytes, boundary } = await encode(form);
  const file = await multipartFile(chunked(bytes.slice(0, 400), 50), boundary, "file");
  await assert.rejects(text(file!.stream), MultipartError);
});

Deno.test("a body that is not multipart is refused", async () => {
  await assert.rejects(
    multipartFile(chunked(new TextEncoder().encode("just text"), 4), "zzz", "file"),
    MultipartError,
  );
});
