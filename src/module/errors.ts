// The one error style of this folder: a function that Go writes as returning an
// `error` throws a ModuleError whose message is the go command's own wording
// (so a proxy can answer `not found: <message>` and the user reads what `go`
// itself would have said). Predicates (isValid, isPseudoVersion, ...) never throw.
//
// One kind of "not found", as in cmd/go's modfetch, where every such error
// wraps fs.ErrNotExist: NotExistError. A ModuleError is one (a path or version
// the go command refuses is not there for it either), so whoever maps errors
// to answers tests NotExistError alone (404).

/** The module, version or file does not exist, or direct mode would refuse it (fs.ErrNotExist). Answered 404. */
export class NotExistError extends Error {
  override readonly name: string = "NotExistError";
}

/** What module.InvalidVersionError carries: which version, and why it is invalid. */
export interface InvalidVersion {
  version: string;
  /** true: the noun is "pseudo-version", else "version". */
  pseudo: boolean;
  reason: string;
}

/** A rule of golang.org/x/mod was broken; `message` is Go's text for it. */
export class ModuleError extends NotExistError {
  override readonly name: string = "ModuleError";
  constructor(
    message: string,
    /** Set when Go's error is an InvalidVersionError, so versionError can reword it. */
    readonly invalid?: InvalidVersion,
  ) {
    super(message);
  }
}

/** module.InvalidVersionError: `pseudo-version "v" invalid: <reason>`. */
export function invalidVersion(version: string, reason: string, pseudo = false): ModuleError {
  const noun = pseudo ? "pseudo-version" : "version";
  return new ModuleError(`${noun} ${goQuote(version)} invalid: ${reason}`, { version, pseudo, reason });
}

/**
 * module.ModuleError{Path, Version, Err}: `err` about `path` (at `version`,
 * "" for none), worded by versionError; keeps an InvalidVersionError's detail.
 */
export function moduleError(path: string, version: string, err: unknown): ModuleError {
  return new ModuleError(versionError(path, version, err), err instanceof ModuleError ? err.invalid : undefined);
}

/**
 * module.VersionError + ModuleError.Error: how the go command shows an error
 * about path@version — `path@v: invalid pseudo-version: <reason>` for an
 * invalid version, `path@v: <message>` otherwise, `module path: <message>`
 * without a version.
 */
export function versionError(path: string, version: string, err: unknown): string {
  if (err instanceof ModuleError && err.invalid) {
    const { version: v, pseudo, reason } = err.invalid;
    return `${path}@${v}: invalid ${pseudo ? "pseudo-version" : "version"}: ${reason}`;
  }
  const message = err instanceof Error ? err.message : String(err);
  return version !== "" ? `${path}@${version}: ${message}` : `module ${path}: ${message}`;
}

/** Go's %q for the strings we quote in messages (strconv.Quote semantics for the common cases). */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    out += quoteRune(ch, c, '"');
  }
  return out + '"';
}

/** Go's %q for a rune: 'x', '\n', '\x00', '\u00a0'. */
export function goQuoteRune(ch: string): string {
  return "'" + quoteRune(ch, ch.codePointAt(0)!, "'") + "'";
}

function quoteRune(ch: string, c: number, quote: string): string {
  if (ch === quote) return "\\" + ch;
  if (ch === "\\") return "\\\\";
  if (isGoPrint(ch)) return ch;
  switch (c) {
    case 0x07:
      return "\\a";
    case 0x08:
      return "\\b";
    case 0x0c:
      return "\\f";
    case 0x0a:
      return "\\n";
    case 0x0d:
      return "\\r";
    case 0x09:
      return "\\t";
    case 0x0b:
      return "\\v";
  }
  if (c < 0x20 || c === 0x7f) return "\\x" + c.toString(16).padStart(2, "0");
  if (c === 0xfffd && ch !== "\ufffd") return "\\ufffd";
  if (c < 0x10000) return "\\u" + c.toString(16).padStart(4, "0");
  return "\\U" + c.toString(16).padStart(8, "0");
}

const PRINT = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
export function isGoPrint(ch: string): boolean {
  return PRINT.test(ch);
}
