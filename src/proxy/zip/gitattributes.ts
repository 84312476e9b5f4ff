import { wildmatch } from "./wildmatch.js";

/**
 * The attributes git gives a path from the .gitattributes files of a commit's tree, as git's
 * attr.c computes them for `git archive` (which reads them from the archived tree):
 * - a line is `pattern attr...`; patterns match like .gitignore without negation (a `!pattern`
 *   line is ignored): no '/' ⇒ the basename at any depth below the file's directory; with '/'
 *   ⇒ the path relative to that directory (wildmatch with WM_PATHNAME, `**`); a trailing '/'
 *   only matches directories, so it never gives a file attributes;
 * - deeper files win over shallower ones, later lines over earlier ones, later attributes on a
 *   line over earlier ones; `-a` unsets, `!a` makes a unspecified (and still hides earlier lines);
 * - macros (`[attr]name ...`) only in the root file; the builtin `binary` = `-diff -merge -text`;
 *   a macro expands only when set;
 * - a .gitattributes that is a symlink is ignored (git reads them with READ_ATTR_NOFOLLOW), lines
 *   of 2048 bytes or more and files over 100 MiB too (git ≥ 2.39.1, CVE-2022-23521).
 */

/** true = set, false = unset (`-a`), string = value (`a=v`), undefined = unspecified. */
export type AttrValue = true | false | string | undefined;

export interface GitattributesFile {
  /** Directory of the file in the tree: '' for the root, `a/b` for `a/b/.gitattributes`. */
  dir: string;
  content: Uint8Array | string;
  /** A symlinked .gitattributes is ignored by git. */
  isSymlink?: boolean;
}

/** What the go command's zip depends on (convert.c reads the first six; export-* are reported, git archive applies them, go does not). */
export interface PathAttributes {
  text: AttrValue;
  eol: AttrValue;
  crlf: AttrValue;
  ident: AttrValue;
  "working-tree-encoding": AttrValue;
  filter: AttrValue;
  "export-ignore": AttrValue;
  "export-subst": AttrValue;
}

const REPORTED: readonly (keyof PathAttributes)[] = ["text", "eol", "crlf", "ident", "working-tree-encoding", "filter", "export-ignore", "export-subst"];

const MAX_LINE_LENGTH = 2048;
/** attr.c ATTR_MAX_FILE_SIZE: a .gitattributes of this many bytes or more is ignored ("ignoring overly large gitattributes blob"). */
export const ATTR_MAX_FILE_SIZE = 100 * 1024 * 1024;
/** Warnings kept for the logs: a file of a million bad lines must not make a million strings. */
const MAX_WARNINGS = 100;
const BLANK = " \t\r\n";

type State = readonly [name: string, value: AttrValue];

interface Rule {
  matches(path: string): boolean;
  states: readonly State[];
}

interface ParsedFile {
  dir: string;
  rules: Rule[];
}

export class GitAttributes {
  private readonly files: ParsedFile[];
  private readonly macros = new Map<string, readonly State[]>([
    [
      "binary",
      [
        ["diff", false],
        ["merge", false],
        ["text", false],
      ],
    ],
  ]);
  /** Warnings git would print (ignored lines), for logs. */
  readonly warnings: string[] = [];

  constructor(files: readonly GitattributesFile[]) {
    const usable = files.filter((f) => {
      if (f.isSymlink) return false;
      if (byteLength(f.content) < ATTR_MAX_FILE_SIZE) return true;
      this.warn(`ignoring overly large gitattributes blob '${f.dir === "" ? "" : f.dir + "/"}.gitattributes'`);
      return false;
    });
    this.files = usable.map((f) => this.parseFile(f)).sort((a, b) => depth(a.dir) - depth(b.dir));
  }

  /** True when no file gave any rule: every path then has no attributes and its content is the raw blob. */
  get isEmpty(): boolean {
    return this.files.every((f) => f.rules.length === 0);
  }

  /** Every attribute git would report for `path` (a file path relative to the repository root). */
  all(path: string): Map<string, AttrValue> {
    const found = new Map<string, AttrValue>();
    const applicable = this.files.filter((f) => f.dir === "" || path.startsWith(`${f.dir}/`));
    // Most specific first: deeper files, then later lines; the first value found for an attribute stays.
    for (let fi = applicable.length - 1; fi >= 0; fi--) {
      const file = applicable[fi]!;
      for (let ri = file.rules.length - 1; ri >= 0; ri--) {
        const rule = file.rules[ri]!;
        if (rule.matches(path)) this.fill(found, rule.states);
      }
    }
    return found;
  }

  /** The attributes of PathAttributes for `path`. */
  of(path: string): PathAttributes {
    const found = this.all(path);
    const out = {} as Record<keyof PathAttributes, AttrValue>;
    for (const name of REPORTED) out[name] = found.get(name);
    return out;
  }

  /** attr.c fill_one: a line's states from last to first; a macro set to true expands in place. */
  private fill(found: Map<string, AttrValue>, states: readonly State[]): void {
    for (let i = states.length - 1; i >= 0; i--) {
      const [name, value] = states[i]!;
      if (found.has(name)) continue;
      found.set(name, value);
      const macro = this.macros.get(name);
      if (macro !== undefined && value === true) this.fill(found, macro);
    }
  }

  private warn(message: string): void {
    if (this.warnings.length < MAX_WARNINGS) this.warnings.push(message);
  }

  /**
   * Line by line over the bytes: a line is decoded only when it holds more
   * than blanks or a comment and is short enough to count, so a huge file of
   * blank lines or comments costs no more than its bytes (never a string, or
   * an array of lines, the size of the file).
   */
  private parseFile(file: GitattributesFile): ParsedFile {
    const bytes = typeof file.content === "string" ? new TextEncoder().encode(file.content) : file.content;
    const source = file.dir === "" ? ".gitattributes" : `${file.dir}/.gitattributes`;
    const rules: Rule[] = [];
    const decoder = new TextDecoder();
    const lineWarnings: string[] = [];
    let lineNumber = 0;
    for (let start = 0; start <= bytes.length;) {
      let end = bytes.indexOf(NEWLINE, start);
      if (end < 0) end = bytes.length;
      lineNumber++;
      const from = start;
      start = end + 1;
      let at = from;
      while (at < end && isBlankByte(bytes[at]!)) at++;
      if (at >= end || bytes[at] === HASH) continue;
      const where = `${source}:${lineNumber}`;
      if (end - from >= MAX_LINE_LENGTH) {
        this.warn(`ignoring overly long attributes line ${where}`);
        continue;
      }
      lineWarnings.length = 0;
      const parsed = parseLine(decoder.decode(bytes.subarray(from, end)), where, lineWarnings);
      for (const w of lineWarnings) this.warn(w);
      if (parsed === undefined) continue;
      if (parsed.macro !== undefined) {
        // Macros may only be defined at the top level (attr.c macro_ok): elsewhere the line is dropped.
        if (file.dir !== "") {
          this.warn(`[attr]${parsed.macro} not allowed: ${where}`);
          continue;
        }
        // Later definitions win (determine_macros walks lines from the end).
        this.macros.set(parsed.macro, parsed.states);
        continue;
      }
      rules.push({ matches: patternMatcher(parsed.pattern, file.dir), states: parsed.states });
    }
    return { dir: file.dir, rules };
  }
}

const NEWLINE = 0x0a;
const HASH = 0x23;

function isBlankByte(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0d || b === 0x0a;
}

type ParsedLine = { pattern: string; macro?: undefined; states: State[] } | { macro: string; pattern?: undefined; states: State[] };

/** attr.c parse_attr_line. */
function parseLine(line: string, where: string, warnings: string[]): ParsedLine | undefined {
  let at = skip(line, 0, BLANK);
  if (at >= line.length || line[at] === "#") return undefined;
  if (new TextEncoder().encode(line).length >= MAX_LINE_LENGTH) {
    warnings.push(`ignoring overly long attributes line ${where}`);
    return undefined;
  }
  let name: string;
  let rest: number;
  const unquoted = line[at] === '"' ? unquoteC(line, at) : undefined;
  if (unquoted !== undefined) {
    name = unquoted.value;
    rest = unquoted.end;
  } else {
    const end = until(line, at, BLANK);
    name = line.slice(at, end);
    rest = end;
  }
  let macro: string | undefined;
  if (name.length > "[attr]".length && name.startsWith("[attr]")) {
    macro = name.slice("[attr]".length);
    if (!isValidAttrName(macro)) {
      warnings.push(`${JSON.stringify(macro)} is not a valid attribute name: ${where}`);
      return undefined;
    }
  }
  const states: State[] = [];
  at = skip(line, rest, BLANK);
  while (at < line.length) {
    const end = until(line, at, BLANK);
    const token = line.slice(at, end);
    const state = parseState(token);
    if (state === undefined) {
      warnings.push(`${JSON.stringify(token)} is not a valid attribute name: ${where}`);
      return undefined; // one bad attribute drops the whole line, as in git
    }
    states.push(state);
    at = skip(line, end, BLANK);
  }
  if (macro !== undefined) return { macro, states };
  if (name.startsWith("!")) {
    warnings.push(`Negative patterns are ignored in git attributes: ${where}`);
    return undefined;
  }
  return { pattern: name, states };
}

/** `a` set, `-a` unset, `!a` unspecified, `a=v` value. */
function parseState(token: string): State | undefined {
  const eq = token.indexOf("=");
  if (token[0] === "-" || token[0] === "!") {
    const name = eq >= 0 ? token.slice(1, eq) : token.slice(1);
    return isValidAttrName(name) ? [name, token[0] === "-" ? false : undefined] : undefined;
  }
  const name = eq >= 0 ? token.slice(0, eq) : token;
  if (!isValidAttrName(name)) return undefined;
  return [name, eq >= 0 ? token.slice(eq + 1) : true];
}

/** attr_name_valid: [-._0-9a-zA-Z]+, not starting with '-'. */
function isValidAttrName(name: string): boolean {
  return /^[._0-9a-zA-Z][-._0-9a-zA-Z]*$/.test(name);
}

/**
 * dir.c parse_path_pattern + attr.c path_matches for a file (never a directory):
 * trailing '/' ⇒ directories only ⇒ never matches here; no '/' ⇒ basename; else pathname
 * relative to the .gitattributes directory, a leading '/' only anchoring.
 */
function patternMatcher(pattern: string, dir: string): (path: string) => boolean {
  if (pattern.endsWith("/")) return () => false;
  if (!pattern.includes("/")) {
    const match = wildmatch(pattern, false);
    return (path) => match(path.slice(path.lastIndexOf("/") + 1));
  }
  const match = wildmatch(pattern.startsWith("/") ? pattern.slice(1) : pattern, true);
  const base = dir === "" ? "" : `${dir}/`;
  return (path) => path.startsWith(base) && match(path.slice(base.length));
}

/** quote.c unquote_c_style: a "..." pattern with C escapes; undefined when malformed (git then reads it unquoted). */
function unquoteC(line: string, start: number): { value: string; end: number } | undefined {
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  const escapes: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, "\\": 92, '"': 34 };
  let i = start + 1;
  while (i < line.length) {
    const c = line[i]!;
    if (c === '"') return { value: new TextDecoder().decode(new Uint8Array(bytes)), end: i + 1 };
    if (c !== "\\") {
      bytes.push(...encoder.encode(c));
      i++;
      continue;
    }
    const e = line[i + 1];
    if (e === undefined) return undefined;
    if (escapes[e] !== undefined) {
      bytes.push(escapes[e]!);
      i += 2;
      continue;
    }
    if (/^[0-3][0-7][0-7]$/.test(line.slice(i + 1, i + 4))) {
      bytes.push(parseInt(line.slice(i + 1, i + 4), 8));
      i += 4;
      continue;
    }
    return undefined;
  }
  return undefined;
}

function skip(s: string, at: number, chars: string): number {
  while (at < s.length && chars.includes(s[at]!)) at++;
  return at;
}

function until(s: string, at: number, chars: string): number {
  while (at < s.length && !chars.includes(s[at]!)) at++;
  return at;
}

function depth(dir: string): number {
  return dir === "" ? 0 : dir.split("/").length;
}

function byteLength(content: Uint8Array | string): number {
  return typeof content === "string" ? new TextEncoder().encode(content).length : content.length;
}
