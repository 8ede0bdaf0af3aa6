/**
 * Reads one file field out of a `multipart/form-data` body (RFC 7578) as a stream, without
 * buffering the file: the bytes before the field are skipped, the field's content is passed on
 * as it arrives, holding back only as many bytes as the closing delimiter could span. The upload
 * route feeds it straight into the CSV parser, so an upload never sits whole in memory.
 *
 * @module
 */

/** A file field found in a multipart body. */
export interface MultipartFile {
  /** The `filename` parameter of its Content-Disposition ("" when absent). */
  readonly filename: string;
  /** Its Content-Type ("" when absent). */
  readonly contentType: string;
  /** Its content; errors with `MultipartError` if the body ends before the closing delimiter. */
  readonly stream: ReadableStream<Uint8Array>;
}

/** A body that is not the multipart the caller announced. */
export class MultipartError extends Error {
  override readonly name = "MultipartError";
}

/** Headers of one part at most (a generous bound for Content-Disposition and Content-Type). */
const MAX_HEADER_BYTES = 16 * 1024;

/** The boundary of a `multipart/form-data` Content-Type, or null. */
export function multipartBoundary(contentType: string): string | null {
  if (!/^multipart\/form-data\s*;/i.test(contentType)) return null;
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;"]{1,70}))/i.exec(contentType);
  return m ? (m[1] ?? m[2])! : null;
}

/**
 * Finds field `field` in the multipart `body` delimited by `boundary`.
 *
 * @returns null when the body has no such field.
 * @throws {MultipartError} when the body is not well-formed multipart.
 */
export async function multipartFile(
  body: ReadableStream<Uint8Array>,
  boundary: string,
  field: string,
): Promise<MultipartFile | null> {
  const reader = new BytesReader(body);
  const encoder = new TextEncoder();
  const delimiter = encoder.encode(`\r\n--${boundary}`);
  // The first delimiter may open the body without the CRLF before it.
  if (!await reader.skipPast(encoder.encode(`--${boundary}`))) {
    throw new MultipartError("The multipart body has no opening boundary");
  }
  for (;;) {
    const after = await reader.take(2);
    if (after === "--") return null;
    if (after !== "\r\n") throw new MultipartError("Malformed multipart boundary line");
    const head = await reader.readUntil(encoder.encode("\r\n\r\n"), MAX_HEADER_BYTES);
    if (head === null) throw new MultipartError("A multipart part's headers do not end");
    const headers = parseHeaders(new TextDecoder().decode(head));
    const disposition = headers.get("content-disposition") ?? "";
    const name = parameter(disposition, "name");
    if (name === field) {
      return {
        filename: parameter(disposition, "filename") ?? "",
        contentType: headers.get("content-type") ?? "",
        stream: reader.streamUntil(delimiter),
      };
    }
    if (!await reader.skipPast(delimiter)) {
      throw new MultipartError("The multipart body ends inside a part");
    }
  }
}

function parseHeaders(text: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of text.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) {
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
  }
  return headers;
}

function parameter(header: string, name: string): string | undefined {
  const m = new RegExp(`;\\s*${name}="((?:[^"\\\\]|\\\\.)*)"|;\\s*${name}=([^;\\s]+)`, "i")
    .exec(header);
  if (!m) return undefined;
  return m[1] !== undefined ? m[1].replace(/\\(.)/g, "$1") : m[2];
}

/** A byte reader with a small look-ahead buffer. */
class BytesReader {
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #buf = new Uint8Array(0);
  #done = false;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.#reader = stream.getReader();
  }

  async #fill(): Promise<boolean> {
    if (this.#done) return false;
    const { value, done } = await this.#reader.read();
    if (done) {
      this.#done = true;
      return false;
    }
    const next = new Uint8Array(this.#buf.length + value.length);
    next.set(this.#buf);
    next.set(value, this.#buf.length);
    this.#buf = next;
    return true;
  }

  /** The next `n` bytes as latin-1 text ("" at the end). */
  async take(n: number): Promise<string> {
    while (this.#buf.length < n && await this.#fill());
    const bytes = this.#buf.subarray(0, n);
    this.#buf = this.#buf.subarray(bytes.length);
    return String.fromCharCode(...bytes);
  }

  /** The bytes before `needle` (consumed with it), or null past `limit` bytes or at the end. */
  async readUntil(needle: Uint8Array, limit: number): Promise<Uint8Array | null> {
    for (;;) {
      const at = indexOf(this.#buf, needle);
      if (at >= 0) {
        const before = this.#buf.slice(0, at);
        this.#buf = this.#buf.subarray(at + needle.length);
        return before;
      }
      if (this.#buf.length > limit || !await this.#fill()) return null;
    }
  }

  /** Drops bytes up to and including `needle`; false when the body ends first. */
  async skipPast(needle: Uint8Array): Promise<boolean> {
    for (;;) {
      const at = indexOf(this.#buf, needle);
      if (at >= 0) {
        this.#buf = this.#buf.subarray(at + needle.length);
        return true;
      }
      // Keep only what could be the start of the needle.
      this.#buf = this.#buf.subarray(Math.max(0, this.#buf.length - needle.length + 1));
      if (!await this.#fill()) return false;
    }
  }

  /** The bytes before `needle` as a stream, never holding more than a chunk plus the needle. */
  streamUntil(needle: Uint8Array): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        for (;;) {
          const at = indexOf(this.#buf, needle);
          if (at >= 0) {
            if (at > 0) controller.enqueue(this.#buf.slice(0, at));
            this.#buf = new Uint8Array(0);
            controller.close();
            await this.#reader.cancel().catch(() => {});
            return;
          }
          const safe = this.#buf.length - needle.length + 1;
          if (safe > 0) {
            controller.enqueue(this.#buf.slice(0, safe));
            this.#buf = this.#buf.subarray(safe);
            return;
          }
          if (!await this.#fill()) {
            controller.error(new MultipartError("The multipart body ends inside the file"));
            return;
          }
        }
      },
      cancel: async () => {
        await this.#reader.cancel().catch(() => {});
      },
    });
  }
}

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  const first = needle[0]!;
  const last = haystack.length - needle.length;
  outer: for (
    let i = haystack.indexOf(first);
    i >= 0 && i <= last;
    i = haystack.indexOf(first, i + 1)
  ) {
    for (let j = 1; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}
