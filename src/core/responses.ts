// Every response modgate sends is built here, so the headers that matter
// (type, caching, security) are the same on every path and every runtime.

// No page has scripts, styles, images or forms: forbid them all.
const CONTENT_SECURITY_POLICY = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const COMMON = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
} as const;

export function htmlResponse(body: string, cacheControl: string, status = 200): Response {
  return new Response(body, {
    status,
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Cache-Control": cacheControl,
      "Content-Security-Policy": CONTENT_SECURITY_POLICY,
      ...COMMON,
    },
  });
}

/** A plain-text answer: one line saying what happened. */
export function textResponse(status: number, line: string, extra?: Record<string, string>): Response {
  return new Response(line + "\n", {
    status,
    headers: {
      "Content-Type": "text/plain; charset=utf-8",
      "Cache-Control": "no-cache",
      ...COMMON,
      ...extra,
    },
  });
}

/** A redirect to a URL built from config and a validated path, never from raw request data. */
export function redirectResponse(location: string, cacheControl: string): Response {
  return new Response(null, {
    status: 302,
    headers: { Location: location, "Cache-Control": cacheControl, ...COMMON },
  });
}

export function publicCache(maxAge: number): string {
  return `public, max-age=${maxAge}`;
}
