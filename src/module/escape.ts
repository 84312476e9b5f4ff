// Case-encoding of module paths and versions in proxy URLs (module.EscapePath,
// EscapeVersion, UnescapePath, UnescapeVersion; docs/go-rules.md §1.2). Proxies and
// module caches live on case-insensitive file systems too, so every uppercase
// letter is sent as "!" + its lowercase form: "github.com/Azure" → "github.com/!azure".
import { ModuleError, goQuote, invalidVersion } from "./errors.js";
import { checkPath, elemProblem } from "./path.js";

/** "!"-encode ASCII uppercase; callers have already refused "!" and non-ASCII. */
function escapeString(s: string): string {
  for (const ch of s) {
    if (ch === "!" || ch.codePointAt(0)! >= 0x80) throw new ModuleError("internal error: inconsistency in EscapePath");
  }
  return s.replace(/[A-Z]/g, (c) => "!" + c.toLowerCase());
}

/** module.EscapePath: checks the module path (throws `malformed module path ...`), then encodes it. */
export function escapePath(path: string): string {
  checkPath(path);
  return escapeString(path);
}

/**
 * module.EscapeVersion: a version must be a valid file-path element without
 * "!"; so "feature/x" can never be asked of a proxy. Throws
 * `version "x" invalid: disallowed version string`.
 */
export function escapeVersion(v: string): string {
  if (elemProblem(v, "file") !== undefined || v.includes("!")) {
    throw invalidVersion(v, "disallowed version string");
  }
  return escapeString(v);
}

/** "!x" → "X"; undefined for a bare uppercase letter, a "!" not followed by a-z, or non-ASCII. */
function unescapeString(escaped: string): string | undefined {
  let out = "";
  let bang = false;
  for (const ch of escaped) {
    const c = ch.codePointAt(0)!;
    if (c >= 0x80) return undefined;
    if (bang) {
      bang = false;
      if (c < 0x61 || c > 0x7a) return undefined;
      out += ch.toUpperCase();
      continue;
    }
    if (ch === "!") {
      bang = true;
      continue;
    }
    if (c >= 0x41 && c <= 0x5a) return undefined;
    out += ch;
  }
  return bang ? undefined : out;
}

/** module.UnescapePath: throws `invalid escaped module path "e"[: malformed module path ...]`. */
export function unescapePath(escaped: string): string {
  const path = unescapeString(escaped);
  if (path === undefined) throw new ModuleError(`invalid escaped module path ${goQuote(escaped)}`);
  try {
    checkPath(path);
  } catch (e) {
    throw new ModuleError(`invalid escaped module path ${goQuote(escaped)}: ${(e as Error).message}`);
  }
  return path;
}

/** module.UnescapeVersion: throws `invalid escaped version "e"` or `invalid escaped version "v": <why>`. */
export function unescapeVersion(escaped: string): string {
  const v = unescapeString(escaped);
  if (v === undefined) throw new ModuleError(`invalid escaped version ${goQuote(escaped)}`);
  const problem = elemProblem(v, "file");
  if (problem) throw new ModuleError(`invalid escaped version ${goQuote(v)}: ${problem}`);
  return v;
}
