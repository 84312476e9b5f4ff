// Every answer modgate gives is built here, as a plain status/headers/body
// triple, so the headers that matter (type, caching, security) are the same
// on every path and every runtime. Hono turns answers into Responses; the
// Node fast path writes them to node:http directly.

export interface PlainAnswer {
  readonly status: number;
  /** Shared between answers: never mutate. */
  readonly headers: Readonly<Record<string, string>>;
  /** Text, bytes, or (module zips) a stream of known size opened only when the body is sent. */
  readonly body: string | Uint8Array | StreamBody | null;
}

/** A body too large to hold: opened when it is written, never for HEAD. */
export interface StreamBody {
  readonly size: number;
  open(): ReadableStream<Uint8Array>;
}

export function isStreamBody(body: PlainAnswer["body"]): body is StreamBody {
  return body !== null && typeof body === "object" && !(body instanceof Uint8Array);
}

// No page has scripts, styles, images or forms: forbid them all.
const CONTENT_SECURITY_POLICY = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const COMMON = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
} as const;

const HTML_TYPE = "text/html; charset=utf-8";
const TEXT_HEADERS = Object.freeze({ "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-cache", ...COMMON });

/** Header sets by Cache-Control value, made once: answers share them. */
const htmlHeaders = new Map<string, Readonly<Record<string, string>>>();

function htmlHeadersFor(cacheControl: string): Readonly<Record<string, string>> {
  let headers = htmlHeaders.get(cacheControl);
  if (!headers) {
    headers = Object.freeze({ "Content-Type": HTML_TYPE, "Cache-Control": cacheControl, "Content-Security-Policy": CONTENT_SECURITY_POLICY, ...COMMON });
    htmlHeaders.set(cacheControl, headers);
  }
  return headers;
}

export function htmlAnswer(body: string, cacheControl: string, status = 200): PlainAnswer {
  return { status, headers: htmlHeadersFor(cacheControl), body };
}

/** The same answer with another Cache-Control (the memo's replays: max-age counts down). */
export function withCacheControl(answer: PlainAnswer, cacheControl: string): PlainAnswer {
  const old = answer.headers["Cache-Control"];
  const headers =
    old !== undefined && answer.headers === htmlHeaders.get(old)
      ? htmlHeadersFor(cacheControl)
      : Object.freeze({ ...answer.headers, "Cache-Control": cacheControl });
  return { status: answer.status, headers, body: answer.body };
}

/** A plain-text answer: one line saying what happened. */
export function textAnswer(status: number, line: string, extra?: Record<string, string>): PlainAnswer {
  return { status, headers: extra ? { ...TEXT_HEADERS, ...extra } : TEXT_HEADERS, body: line + "\n" };
}

/** A redirect to a URL built from config and a validated path, never from raw request data. */
export function redirectAnswer(location: string, cacheControl: string): PlainAnswer {
  return { status: 302, headers: { Location: location, "Cache-Control": cacheControl, ...COMMON }, body: null };
}

export function publicCache(maxAge: number): string {
  return `public, max-age=${maxAge}`;
}

export function toResponse(answer: PlainAnswer, method = "GET"): Response {
  const body = answer.body;
  if (isStreamBody(body)) {
    const headers = { ...answer.headers, "Content-Length": String(body.size) };
    return new Response(method === "HEAD" ? null : body.open(), { status: answer.status, headers });
  }
  return new Response(body as BodyInit | null, { status: answer.status, headers: answer.headers });
}

/** The body of a text or HTML answer ("" for bytes, streams and none): for commands and tests. */
export function bodyText(answer: PlainAnswer): string {
  const body = answer.body;
  if (typeof body === "string") return body;
  if (body instanceof Uint8Array) return new TextDecoder().decode(body);
  return "";
}

/** An answer of the module proxy: JSON, text or bytes, with its own caching. */
export function dataAnswer(
  status: number,
  contentType: string,
  body: string | Uint8Array | StreamBody,
  cacheControl: string,
  extra?: Record<string, string>,
): PlainAnswer {
  return { status, headers: { "Content-Type": contentType, "Cache-Control": cacheControl, ...COMMON, ...extra }, body };
}
