// Go string literals in go.mod files: strconv.Unquote (for quoted module
// paths and versions) and modfile.AutoQuote/MustQuote (for the go.mod the go
// command synthesizes for a module without one).
import { goQuote, isGoPrint } from "./errors.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder(); // non-fatal: bytes that are not UTF-8 become U+FFFD

const SIMPLE_ESCAPES: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, "\\": 92 };

/**
 * strconv.Unquote for "..." and `...` literals; undefined when Go would say
 * "invalid syntax". \x and octal escapes produce bytes; the result is decoded
 * as UTF-8 (invalid sequences become U+FFFD, where Go would keep raw bytes).
 */
export function unquote(s: string): string | undefined {
  if (s.length < 2) return undefined;
  const quote = s[0];
  if (quote !== s[s.length - 1]) return undefined;
  const body = s.slice(1, -1);
  if (quote === "`") {
    if (body.includes("`")) return undefined;
    return body.replaceAll("\r", ""); // raw strings drop carriage returns
  }
  if (quote !== '"' || body.includes("\n")) return undefined;
  const bytes: number[] = [];
  for (let i = 0; i < body.length;) {
    const c = body[i]!;
    if (c === '"') return undefined;
    if (c !== "\\") {
      const cp = body.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      bytes.push(...encoder.encode(ch));
      i += ch.length;
      continue;
    }
    const e = body[i + 1];
    if (e === undefined) return undefined;
    i += 2;
    if (e in SIMPLE_ESCAPES) {
      bytes.push(SIMPLE_ESCAPES[e]!);
    } else if (e === '"') {
      bytes.push(0x22);
    } else if (e === "x" || e === "u" || e === "U") {
      const n = e === "x" ? 2 : e === "u" ? 4 : 8;
      const digits = body.slice(i, i + n);
      if (!new RegExp(`^[0-9A-Fa-f]{${n}}$`).test(digits)) return undefined;
      i += n;
      const v = parseInt(digits, 16);
      if (e === "x") {
        bytes.push(v);
      } else {
        if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return undefined;
        bytes.push(...encoder.encode(String.fromCodePoint(v)));
      }
    } else if (e >= "0" && e <= "7") {
      const digits = body.slice(i - 1, i + 2);
      if (!/^[0-7]{3}$/.test(digits)) return undefined;
      const v = parseInt(digits, 8);
      if (v > 255) return undefined;
      i += 2;
      bytes.push(v);
    } else {
      return undefined; // includes \' inside a double-quoted string
    }
  }
  return decoder.decode(new Uint8Array(bytes));
}

/**
 * modfile.MustQuote: a go.mod token needs quotes if it contains a space, a
 * quote, a non-printable rune, "//" or "/*", or a bracket or comma that is
 * not the whole token, or is empty.
 */
export function mustQuote(s: string): boolean {
  for (const ch of s) {
    switch (ch) {
      case " ":
      case '"':
      case "'":
      case "`":
        return true;
      case "(":
      case ")":
      case "[":
      case "]":
      case "{":
      case "}":
      case ",":
        if (s.length > 1) return true;
        break;
      default:
        if (!isGoPrint(ch)) return true;
    }
  }
  return s === "" || s.includes("//") || s.includes("/*");
}

/** modfile.AutoQuote. */
export function autoQuote(s: string): string {
  return mustQuote(s) ? goQuote(s) : s;
}
