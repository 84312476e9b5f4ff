// Percent-encoding of values that become elements of a URL path: ref names
// from GitLab's API (default_branch) and project paths. A raw "功能" in a
// Location header makes node:http throw (ERR_INVALID_CHAR, issue 9), a raw
// "é" goes out as a Latin-1 byte, and "#", "?", "%" or "%2e%2e/" change
// where the link points. Encoded per element, like GitLab's own links
// (Rails' escape_path): "/" between the elements of "feature/x" is kept.

const encoder = new TextEncoder();

/** Fast path: the characters of almost every real branch and project name. */
const PLAIN = /^[A-Za-z0-9._~-]*$/;

/**
 * RFC 3986 pchar without pct-encoded: unreserved, sub-delims, ":" and "@".
 * Everything else, "%" included, is encoded, so "%2e" stays the three
 * characters it was and never becomes a dot.
 */
function isSegmentByte(b: number): boolean {
  return (
    (b >= 0x61 && b <= 0x7a) || // a-z
    (b >= 0x41 && b <= 0x5a) || // A-Z
    (b >= 0x30 && b <= 0x39) || // 0-9
    "-._~!$&'()*+,;=:@".includes(String.fromCharCode(b))
  );
}

/** One path segment: "a/b" → "a%2Fb". Lone surrogates become U+FFFD (TextEncoder), never a throw. */
export function encodePathSegment(segment: string): string {
  if (PLAIN.test(segment)) return segment;
  let out = "";
  for (const b of encoder.encode(segment)) {
    out += isSegmentByte(b) ? String.fromCharCode(b) : "%" + b.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

/** A slash-separated path, each element encoded: "feature/功能" → "feature/%E5%8A%9F%E8%83%BD". */
export function encodePath(path: string): string {
  return PLAIN.test(path) ? path : path.split("/").map(encodePathSegment).join("/");
}
