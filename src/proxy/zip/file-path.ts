/**
 * x/mod/module.CheckFilePath (module.go checkPath with kind filePath, checkElem, fileNameOK):
 * whether a path may appear in a module zip. A failure makes the whole zip invalid in
 * x/mod/zip, so the error text follows Go's: `malformed file path "p": <reason>`.
 * Local copy for the zip library; src/proxy/module/path.ts has the module-path siblings.
 */
export function checkFilePath(path: string): string | undefined {
  const reason = filePathProblem(path);
  return reason === undefined ? undefined : `malformed file path ${goQuote(path)}: ${reason}`;
}

function filePathProblem(path: string): string | undefined {
  if (!isWellFormedUtf16(path)) return 'invalid UTF-8';
  if (path === '') return 'empty string';
  // A leading dash is allowed in file paths (only module and import paths refuse it).
  if (path.includes('//')) return 'double slash';
  if (path.endsWith('/')) return 'trailing slash';
  for (const elem of path.split('/')) {
    const problem = elemProblem(elem);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/** Windows reserves these names whatever the extension (Go's badWindowsNames). */
const BAD_WINDOWS_NAMES = [
  'CON', 'PRN', 'AUX', 'NUL',
  'COM1', 'COM2', 'COM3', 'COM4', 'COM5', 'COM6', 'COM7', 'COM8', 'COM9',
  'LPT1', 'LPT2', 'LPT3', 'LPT4', 'LPT5', 'LPT6', 'LPT7', 'LPT8', 'LPT9',
];

function elemProblem(elem: string): string | undefined {
  if (elem === '') return 'empty path element';
  // "." and ".." (and "...") would escape or alias directories when unzipped.
  if (/^\.+$/.test(elem)) return `invalid path element ${goQuote(elem)}`;
  // Windows strips a trailing dot, so "a." and "a" would be the same file.
  if (elem.endsWith('.')) return 'trailing dot in path element';
  for (const ch of elem) {
    if (!fileNameOK(ch)) return `invalid char ${goQuoteRune(ch)}`;
  }
  // Leading dots are fine for files; Windows short names (~1) are only refused in import paths.
  const dot = elem.indexOf('.');
  const short = dot >= 0 ? elem.slice(0, dot) : elem;
  if (BAD_WINDOWS_NAMES.some((bad) => bad.toLowerCase() === asciiLower(short) && short.length === bad.length)) {
    return `${goQuote(short)} disallowed as path element component on Windows`;
  }
  return undefined;
}

/** ASCII letters, digits, space and !#$%&()+,-.=@[]^_{}~; beyond ASCII, Unicode letters only (fileNameOK). */
function fileNameOK(ch: string): boolean {
  const cp = ch.codePointAt(0)!;
  if (cp < 0x80) return /[0-9A-Za-z!#$%&()+,\-.=@[\]^_{}~ ]/.test(ch);
  return /^\p{L}$/u.test(ch);
}

/**
 * strings.EqualFold against an ASCII name: Go folds Unicode too, so "ＣON" is not "CON",
 * but K (U+212A, Kelvin) folds to k: "LPT1" never contains k, "COM"/"CON" never either,
 * so only ASCII matters except for U+017F (long s), which folds to s — no name here has s.
 */
function asciiLower(s: string): string {
  return s.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** Lone surrogates are what a string decoded from invalid UTF-8 would carry (and cannot be re-encoded). */
function isWellFormedUtf16(s: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
}

/** Go's strconv.Quote (fmt's %q on a string), so messages read exactly as the go command's. */
export function goQuote(s: string): string {
  return `"${Array.from(s, (ch) => goEscape(ch, '"')).join('')}"`;
}

/** Go's strconv.QuoteRune (fmt's %q on a rune). */
function goQuoteRune(ch: string): string {
  return `'${goEscape(ch, "'")}'`;
}

const SIMPLE_ESCAPES: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '\\': '\\\\' };

function goEscape(ch: string, quote: string): string {
  if (ch === quote) return `\\${ch}`;
  const simple = SIMPLE_ESCAPES[ch];
  if (simple !== undefined) return simple;
  const cp = ch.codePointAt(0)!;
  // unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
  if (ch === ' ' || /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(ch)) return ch;
  if (cp < 0x80) return `\\x${cp.toString(16).padStart(2, '0')}`;
  if (cp >= 0xd800 && cp <= 0xdfff) return '\\ufffd'; // a lone surrogate stands for invalid UTF-8
  if (cp < 0x10000) return `\\u${cp.toString(16).padStart(4, '0')}`;
  return `\\U${cp.toString(16).padStart(8, '0')}`;
}
