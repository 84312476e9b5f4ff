// Request data quoted in an answer. A Host header is whatever the client sent:
// shown back as is it could carry control characters (a forged log line when
// the answer is printed) or be as long as the server's header limit. So: the
// printable ASCII kept, everything else escaped, the length capped, quoted.

/** Characters of request data shown in an answer; longer data is cut with "...". */
export const MAX_QUOTED_CHARS = 100;

export function quoteRequestText(text: string, max = MAX_QUOTED_CHARS): string {
  const cut = text.length > max;
  let out = "";
  for (const ch of cut ? text.slice(0, max) : text) {
    const code = ch.codePointAt(0)!;
    if (ch === '"' || ch === "\\") out += "\\" + ch;
    else if (code >= 0x20 && code < 0x7f) out += ch;
    else if (code < 0x100) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else out += `\\u{${code.toString(16)}}`;
  }
  return `"${out}"${cut ? "..." : ""}`;
}
