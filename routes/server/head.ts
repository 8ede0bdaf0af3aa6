/**
 * The request head as the connection guard sees it: read with a size cap, parsed just enough
 * to frame the body (Content-Length or chunked) and to refuse what would let a request be read
 * two ways (request smuggling), and the raw error responses the guard writes itself, in the
 * project's error body.
 *
 * @module
 */
import { shapeErrorBody } from "../http/error_shapes.ts";

/** A parsed request head: its lines, and how its body is framed. */
export interface RequestHead {
  method: string;
  /** `[name, value]` in order, names as sent. */
  headers: [string, string][];
  /** The body's framing: a byte count (0: none) or chunked. */
  body: { kind: "length"; bytes: number } | { kind: "chunked" };
  /** The client's `X-Request-Id` when it is one the app would keep. */
  requestId?: string;
  /** The request line as sent (`GET /api/health HTTP/1.1`). */
  requestLine: string;
}

/** Why a head was refused, with the status and error name of the answer. */
export class HeadError extends Error {
  override readonly name = "HeadError";
  constructor(readonly status: 400 | 431, readonly error: string, message: string) {
    super(message);
  }
}

const CLIENT_REQUEST_ID = /^[\w-]{1,255}$/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Parses `bytes`, a head that ends with its blank line. Refuses (400) a malformed request line
 * or header line, a folded header, `Content-Length` that is not one decimal number, a
 * `Transfer-Encoding` other than `chunked`, and both together (RFC 9112 §6.3: a server must
 * not trust either).
 *
 * @throws {HeadError}
 */
export function parseHead(bytes: Uint8Array): RequestHead {
  const lines = latin1(bytes).split("\r\n");
  while (lines[0] === "") lines.shift(); // RFC 9112 §2.2: blank lines before a request.
  const requestLine = lines.shift() ?? "";
  const parts = requestLine.split(" ");
  if (parts.length !== 3 || !TOKEN.test(parts[0]!) || !/^HTTP\/1\.[01]$/.test(parts[2]!)) {
    throw new HeadError(400, "bad_request", "Expected a request line such as GET / HTTP/1.1");
  }
  const headers: [string, string][] = [];
  const lengths: string[] = [];
  let encoding: string | undefined;
  let requestId: string | undefined;
  for (const line of lines) {
    if (line === "") continue;
    const colon = line.indexOf(":");
    const name = line.slice(0, colon);
    if (colon < 1 || !TOKEN.test(name)) {
      throw new HeadError(400, "bad_request", "Expected header lines of the form 'Name: value'");
    }
    const value = line.slice(colon + 1).trim();
    const lower = name.toLowerCase();
    if (lower === "content-length") lengths.push(...value.split(",").map((v) => v.trim()));
    if (lower === "transfer-encoding") encoding = encoding ? `${encoding}, ${value}` : value;
    if (lower === "x-request-id" && CLIENT_REQUEST_ID.test(value)) requestId = value;
    headers.push([name, value]);
  }
  if (encoding !== undefined && lengths.length > 0) {
    throw new HeadError(
      400,
      "bad_request",
      "A request may not carry both Content-Length and Transfer-Encoding",
    );
  }
  if (encoding !== undefined) {
    if (encoding.toLowerCase() !== "chunked") {
      throw new HeadError(400, "bad_request", "Only Transfer-Encoding: chunked is accepted");
    }
    return { method: parts[0]!, headers, body: { kind: "chunked" }, requestId, requestLine };
  }
  const first = lengths[0];
  if (first !== undefined && (!/^\d{1,15}$/.test(first) || lengths.some((l) => l !== first))) {
    throw new HeadError(400, "bad_request", "Expected Content-Length to be one decimal number");
  }
  const bytesCount = first === undefined ? 0 : Number(first);
  return {
    method: parts[0]!,
    headers,
    body: { kind: "length", bytes: bytesCount },
    requestId,
    requestLine,
  };
}

/** The head again, as bytes, with `connection: close` added when `close` is set. */
export function serialiseHead(head: RequestHead, options: { close?: boolean } = {}): Uint8Array {
  let text = `${head.requestLine}\r\n`;
  for (const [name, value] of head.headers) {
    if (options.close && name.toLowerCase() === "connection") continue;
    text += `${name}: ${value}\r\n`;
  }
  if (options.close) text += "connection: close\r\n";
  return fromLatin1(`${text}\r\n`);
}

/**
 * A complete HTTP/1.1 error response in the project's error body (`error`, `message`, `code`,
 * `details`, `request_id`), with `X-Request-Id` and `Connection: close`: what the guard answers
 * before any request reaches the app.
 */
export function rawErrorResponse(
  status: number,
  error: string,
  message: string,
  options: {
    details?: Record<string, unknown> | null;
    requestId?: string;
    headers?: Record<string, string>;
  } = {},
): Uint8Array {
  const requestId = options.requestId ?? crypto.randomUUID();
  // The request was never parsed, so its document is unknown: document 001's shape, the one
  // every platform route answers in.
  const body = new TextEncoder().encode(JSON.stringify(
    shapeErrorBody("echointel", {
      status,
      name: error,
      message,
      details: options.details ?? null,
      requestId,
      headers: options.headers ?? {},
      now: Date.now(),
    }).body,
  ));
  let head = `HTTP/1.1 ${status} ${REASONS[status] ?? "Error"}\r\n` +
    "content-type: application/json; charset=UTF-8\r\n" +
    `content-length: ${body.byteLength}\r\n` +
    `x-request-id: ${requestId}\r\n` +
    "x-content-type-options: nosniff\r\n" +
    "connection: close\r\n";
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    head += `${name}: ${value}\r\n`;
  }
  const headBytes = fromLatin1(`${head}\r\n`);
  const out = new Uint8Array(headBytes.byteLength + body.byteLength);
  out.set(headBytes);
  out.set(body, headBytes.byteLength);
  return out;
}

const REASONS: Record<number, string> = {
  400: "Bad Request",
  403: "Forbidden",
  408: "Request Timeout",
  413: "Content Too Large",
  431: "Request Header Fields Too Large",
  503: "Service Unavailable",
};

/** The offset just past the head's blank line in `buf`, searching from `from`; -1 if none. */
export function headEnd(buf: Uint8Array, from = 0): number {
  for (let i = Math.max(3, from); i < buf.length; i++) {
    if (buf[i] === 10 && buf[i - 1] === 13 && buf[i - 2] === 10 && buf[i - 3] === 13) {
      return i + 1;
    }
  }
  return -1;
}

// Byte for byte (not TextDecoder's "latin1", which is windows-1252), so that serialiseHead
// gives back exactly the bytes the client sent.
function latin1(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    text += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return text;
}

function fromLatin1(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}
