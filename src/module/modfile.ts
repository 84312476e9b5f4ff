// What the go command reads from a module's go.mod when it serves or selects
// versions (docs/go-rules.md §3, §4.3, §2.5): the module path (modfile.ModulePath,
// tolerant of everything else), and through modfile.ParseLax the `go`
// directive (x/mod/zip's vendor rule) and the `retract` directives (which
// tags may be a pseudo-version's base). ParseLax is all-or-nothing: a syntax
// error or a bad `require` line anywhere fails the whole file, and the go
// command then treats the go version as absent (zip) or fails the lookup
// (retractions) — so this is a port of its lexer and lax grammar, not a regexp.
import { ModuleError, goQuote, goQuoteRune, isGoPrint, invalidVersion } from "./errors.js";
import { checkPathMajor, canonicalVersion, splitPathVersion } from "./path.js";
import { autoQuote, unquote } from "./quote.js";

export interface Retraction {
  /** Lowest retracted version, as written (ParseLax does not canonicalize retractions). */
  low: string;
  /** Highest retracted version; equal to `low` for a single version. */
  high: string;
  /** The comment on the directive (or on its block), "//" and spaces trimmed, lines joined by "\n"; "" if none. */
  rationale: string;
}

export interface LaxGoMod {
  /** The module path, or undefined without a module directive. */
  module: string | undefined;
  /** The go directive's version ("1.21", lax forms reduced: "1.21.x" → "1.21"), or undefined. */
  go: string | undefined;
  retract: Retraction[];
}

// ---- Lexer (modfile/read.go) -------------------------------------------------

interface Position {
  line: number;
  /** Rune in line, from 1. */
  lineRune: number;
  /** Offset in the JS string (only compared, like Go's byte offset). */
  offset: number;
}

type Kind = "EOF" | "EOLCOMMENT" | "IDENT" | "STRING" | "COMMENT" | "\n" | "(" | ")" | "[" | "]" | "{" | "}" | ",";

interface Token {
  kind: Kind;
  pos: Position;
  endPos: Position;
  text: string;
}

interface Comment {
  start: Position;
  token: string;
}

interface Line {
  start: Position;
  end: Position;
  tokens: string[];
  before: Comment[];
  suffix: Comment[];
}

interface LineBlock {
  type: "block";
  start: Position;
  tokens: string[];
  lparen: Position;
  rparen: Position;
  lines: Line[];
  before: Comment[];
  suffix: Comment[];
  lparenSuffix: Comment[];
  rparenSuffix: Comment[];
}

type Stmt = ({ type: "line" } & Line) | LineBlock | { type: "comments"; start: Position; before: Comment[]; suffix: Comment[] };

const isEOL = (k: Kind) => k === "EOF" || k === "EOLCOMMENT" || k === "\n";
const PUNCT = new Set(["\n", "(", ")", "[", "]", "{", "}", ","]);

/** A go.mod syntax or grammar error, positioned as Go prints it. */
interface GoModError {
  pos: Position | undefined;
  /** "verb path: " or "verb: " directive prefix, already formatted. */
  directive: string;
  message: string;
}

function formatError(file: string, e: GoModError): string {
  let pos = "";
  if (e.pos && e.pos.lineRune > 1) pos = `${file}:${e.pos.line}:${e.pos.lineRune}: `;
  else if (e.pos && e.pos.line > 0) pos = `${file}:${e.pos.line}: `;
  else if (file !== "") pos = `${file}: `;
  return pos + e.directive + e.message;
}

class GoModSyntaxError extends Error {}

/** unicode.IsSpace. */
const GO_SPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/u;

function isIdent(ch: string): boolean {
  if (" ()[]{},".includes(ch)) return false;
  return !GO_SPACE.test(ch) && isGoPrint(ch);
}

class Input {
  private i = 0;
  pos: Position = { line: 1, lineRune: 1, offset: 0 };
  token!: Token;
  private tokenStart = 0;
  /** End-of-line comments, attached to syntax after parsing. */
  readonly comments: Comment[] = [];
  readonly errors: GoModError[] = [];

  constructor(readonly text: string) {}

  error(message: string): never {
    this.errors.push({ pos: { ...this.pos }, directive: "", message });
    throw new GoModSyntaxError(message);
  }

  private eof(): boolean {
    return this.i >= this.text.length;
  }

  private peekRune(): string {
    if (this.eof()) return "";
    return String.fromCodePoint(this.text.codePointAt(this.i)!);
  }

  private peekPrefix(prefix: string): boolean {
    return this.text.startsWith(prefix, this.i);
  }

  private readRune(): string {
    const ch = this.peekRune();
    this.i += ch.length;
    if (ch === "\n") {
      this.pos.line++;
      this.pos.lineRune = 1;
    } else {
      this.pos.lineRune++;
    }
    this.pos.offset = this.i;
    return ch;
  }

  private startToken(): void {
    this.tokenStart = this.i;
    this.token = { kind: "EOF", pos: { ...this.pos }, endPos: { ...this.pos }, text: "" };
  }

  private endToken(kind: Kind): void {
    let text = this.text.slice(this.tokenStart, this.i);
    if (kind === "COMMENT" || kind === "EOLCOMMENT") {
      if (text.endsWith("\r\n")) text = text.slice(0, -2);
      else if (text.endsWith("\n")) text = text.slice(0, -1);
    }
    this.token.kind = kind;
    this.token.text = text;
    this.token.endPos = { ...this.pos };
  }

  peek(): Kind {
    return this.token.kind;
  }

  lex(): Token {
    const tok = this.token;
    this.readToken();
    return tok;
  }

  readToken(): void {
    while (!this.eof()) {
      const c = this.peekRune();
      if (c === " " || c === "\t" || c === "\r") {
        this.readRune();
        continue;
      }
      if (this.peekPrefix("//")) {
        this.startToken();
        // A comment alone on its line is a statement-level token; after other
        // tokens it is an end-of-line comment, attached to syntax later.
        const lineStart = this.text.lastIndexOf("\n", this.i - 1) + 1;
        const suffix = this.text.slice(lineStart, this.i).trim() !== "";
        this.readRune();
        this.readRune();
        while (!this.eof() && this.readRune() !== "\n") {
          // consume the comment through its newline
        }
        if (!suffix) {
          this.endToken("COMMENT");
          return;
        }
        this.endToken("EOLCOMMENT");
        this.comments.push({ start: this.token.pos, token: this.token.text });
        return;
      }
      if (this.peekPrefix("/*")) this.error("mod files must use // comments (not /* */ comments)");
      break;
    }
    this.startToken();
    if (this.eof()) {
      this.endToken("EOF");
      return;
    }
    const c = this.peekRune();
    if (PUNCT.has(c)) {
      this.readRune();
      this.endToken(c as Kind);
      return;
    }
    if (c === '"' || c === "`") {
      this.readRune();
      for (;;) {
        if (this.eof()) {
          this.pos = { ...this.token.pos };
          this.error("unexpected EOF in string");
        }
        if (this.peekRune() === "\n") this.error("unexpected newline in string");
        const r = this.readRune();
        if (r === c) break;
        if (r === "\\" && c !== "`") {
          if (this.eof()) {
            this.pos = { ...this.token.pos };
            this.error("unexpected EOF in string");
          }
          this.readRune();
        }
      }
      this.endToken("STRING");
      return;
    }
    if (!isIdent(c)) this.error(`unexpected input character ${goQuoteRune(c)}`);
    while (!this.eof() && isIdent(this.peekRune())) {
      if (this.peekPrefix("//")) break;
      if (this.peekPrefix("/*")) this.error("mod files must use // comments (not /* */ comments)");
      this.readRune();
    }
    this.endToken("IDENT");
  }
}

// ---- Parser (modfile/read.go parseFile, parseStmt, parseLineBlock) -----------

function parseSyntax(text: string, file: string): Stmt[] {
  const input = new Input(text);
  const stmts: Stmt[] = [];
  try {
    input.readToken();
    let cb: Comment[] | undefined;
    let cbStart: Position | undefined;
    for (;;) {
      const kind = input.peek();
      if (kind === "\n") {
        input.lex();
        if (cb) stmts.push({ type: "comments", start: cbStart!, before: cb, suffix: [] });
        cb = undefined;
      } else if (kind === "COMMENT") {
        const tok = input.lex();
        if (!cb) {
          cb = [];
          cbStart = tok.pos;
        }
        cb.push({ start: tok.pos, token: tok.text });
      } else if (kind === "EOF") {
        if (cb) stmts.push({ type: "comments", start: cbStart!, before: cb, suffix: [] });
        break;
      } else {
        parseStmt(input, stmts, file);
        // Comments directly above a statement (no blank line) belong to it.
        if (cb) stmts[stmts.length - 1]!.before = cb;
        cb = undefined;
      }
    }
  } catch (e) {
    if (!(e instanceof GoModSyntaxError)) throw e;
    throw new ModuleError(input.errors.map((err) => formatError(file, err)).join("\n"));
  }
  assignSuffixComments(stmts, input.comments);
  return stmts;
}

function parseStmt(input: Input, stmts: Stmt[], file: string): void {
  const first = input.lex();
  const start = first.pos;
  let end = first.endPos;
  const tokens = [first.text];
  for (;;) {
    const tok = input.lex();
    if (isEOL(tok.kind)) {
      stmts.push({ type: "line", start, end, tokens, before: [], suffix: [] });
      return;
    }
    if (tok.kind === "(") {
      const next = input.peek();
      if (isEOL(next)) {
        stmts.push(parseLineBlock(input, start, tokens, tok, file));
        return;
      }
      if (next === ")") {
        const rparen = input.lex();
        if (isEOL(input.peek())) {
          input.lex();
          stmts.push(emptyBlock(start, tokens, tok.pos, rparen.pos));
          return;
        }
        tokens.push(tok.text, rparen.text); // "( )" inside a line
      } else {
        tokens.push(tok.text); // "(" inside a line
      }
      continue;
    }
    tokens.push(tok.text);
    end = tok.endPos;
  }
}

function emptyBlock(start: Position, tokens: string[], lparen: Position, rparen: Position): LineBlock {
  return { type: "block", start, tokens, lparen, rparen, lines: [], before: [], suffix: [], lparenSuffix: [], rparenSuffix: [] };
}

function parseLineBlock(input: Input, start: Position, tokens: string[], lparen: Token, file: string): LineBlock {
  const block = emptyBlock(start, tokens, lparen.pos, lparen.pos);
  let comments: Comment[] = [];
  const blank = (c: Comment | undefined) => c !== undefined && c.token === "";
  for (;;) {
    const kind = input.peek();
    if (kind === "EOLCOMMENT") {
      input.lex();
    } else if (kind === "\n") {
      input.lex();
      // A blank line is kept as an empty comment: it separates a line from the comments above.
      if ((comments.length === 0 && block.lines.length > 0) || (comments.length > 0 && !blank(comments[comments.length - 1]))) {
        comments.push({ start: input.token.pos, token: "" });
      }
    } else if (kind === "COMMENT") {
      const tok = input.lex();
      comments.push({ start: tok.pos, token: tok.text });
    } else if (kind === "EOF") {
      input.error(`syntax error (unterminated block started at ${file}:${start.line}:${start.lineRune})`);
    } else if (kind === ")") {
      const rparen = input.lex();
      block.rparen = rparen.pos;
      if (!isEOL(input.peek())) input.error("syntax error (expected newline after closing paren)");
      input.lex();
      return block;
    } else {
      const line = parseLine(input);
      line.before = comments;
      block.lines.push(line);
      comments = [];
    }
  }
}

function parseLine(input: Input): Line {
  const first = input.lex();
  const start = first.pos;
  let end = first.endPos;
  const tokens = [first.text];
  for (;;) {
    const tok = input.lex();
    if (isEOL(tok.kind)) return { start, end, tokens, before: [], suffix: [] };
    tokens.push(tok.text);
    end = tok.endPos;
  }
}

/**
 * modfile assignComments, for end-of-line comments (the only kind the lexer
 * defers): walking the syntax from the end, each single-line element takes the
 * comments that start after it ends.
 */
function assignSuffixComments(stmts: Stmt[], suffixComments: Comment[]): void {
  const pending = [...suffixComments];
  const post: { start: Position; end: Position; suffix: Comment[] }[] = [];
  const one = (p: Position): Position => ({ ...p, lineRune: p.lineRune + 1, offset: p.offset + 1 });
  for (const s of stmts) {
    if (s.type === "block") {
      const lp = { start: s.lparen, end: one(s.lparen), suffix: s.lparenSuffix };
      const rp = { start: s.rparen, end: one(s.rparen), suffix: s.rparenSuffix };
      post.push(lp, ...s.lines, rp, { start: s.start, end: one(s.rparen), suffix: s.suffix });
    } else if (s.type === "line") {
      post.push(s);
    } else {
      post.push({ start: s.start, end: s.start, suffix: s.suffix });
    }
  }
  for (let k = post.length - 1; k >= 0; k--) {
    const x = post[k]!;
    if (x.start.line !== x.end.line) continue;
    while (pending.length > 0 && x.end.offset <= pending[pending.length - 1]!.start.offset) {
      x.suffix.unshift(pending.pop()!);
    }
  }
}

// ---- Lax grammar (modfile/rule.go parseToFile, add with strict=false) --------

/** go.mod's `go` version syntax: 1.21, 1.21.0, 1.21rc1. */
const GO_VERSION_RE = /^([1-9][0-9]*)\.(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))?([a-z]+[0-9]+)?$/;
/** What lax parsing accepts from dependencies' go.mod files: "1.21.x", "v1.21-custom" → "1.21". */
const LAX_GO_VERSION_RE = /^v?(([1-9][0-9]*)\.(0|[1-9][0-9]*))([^0-9].*)$/s;

/** modfile.parseString: a quoted token is unquoted; quotes elsewhere are refused. */
function parseString(s: string): string {
  if (s.startsWith('"')) {
    const t = unquote(s);
    if (t === undefined) throw new Error("invalid syntax");
    return t;
  }
  if (/["'`]/.test(s)) throw new Error("unquoted string cannot contain quote");
  return s;
}

/** The comment text of a directive, or of its block when the line has none (parseDirectiveComment). */
function directiveComment(block: LineBlock | undefined, line: Line): string {
  let before = line.before;
  let suffix = line.suffix;
  if (block && before.length === 0 && suffix.length === 0) {
    before = block.before;
    suffix = block.suffix;
  }
  return [...before, ...suffix]
    .filter((c) => c.token.startsWith("//"))
    .map((c) => c.token.slice(2).trim())
    .join("\n");
}

/** modfile.parseVersionInterval with dontFixRetract; undefined where lax parsing skips the line. */
function parseRetract(args: string[]): { low: string; high: string } | undefined {
  const version = (t: string | undefined): string | undefined => {
    if (t === undefined) return undefined;
    try {
      return parseString(t);
    } catch {
      return undefined;
    }
  };
  if (args.length === 0 || args[0] === "(") return undefined;
  if (args[0] !== "[") {
    const v = version(args[0]);
    return v === undefined ? undefined : { low: v, high: v };
  }
  const low = version(args[1]);
  if (low === undefined || args[2] !== ",") return undefined;
  const high = version(args[3]);
  if (high === undefined || args[4] !== "]") return undefined;
  return { low, high };
}

interface Collected {
  mod: LaxGoMod;
  moduleSeen: boolean;
  goSeen: boolean;
  errors: GoModError[];
}

/** modfile (*File).add for the verbs ParseLax keeps: go, module, retract, require, ignore. */
function addDirective(c: Collected, block: LineBlock | undefined, line: Line, verb: string, args: string[]): void {
  const fail = (message: string, directive = ""): void => {
    c.errors.push({ pos: line.start, directive, message });
  };
  // Error.Error's "verb path: " prefix ("verb: " without a path).
  const about = (path: string): string => (path === "" ? `${verb}: ` : `${verb} ${path}: `);
  switch (verb) {
    case "go": {
      if (c.goSeen) return fail("repeated go statement");
      if (args.length !== 1) return fail("go directive expects exactly one argument");
      let v = args[0]!;
      if (!GO_VERSION_RE.test(v)) {
        const m = LAX_GO_VERSION_RE.exec(v);
        if (!m) return fail(`invalid go version '${v}': must match format 1.23.0`);
        v = m[1]!;
      }
      c.goSeen = true;
      c.mod.go = v;
      return;
    }
    case "module": {
      if (c.moduleSeen) return fail("repeated module statement");
      c.moduleSeen = true;
      if (args.length !== 1) return fail("usage: module module/path");
      try {
        c.mod.module = parseString(args[0]!);
      } catch (e) {
        fail(`invalid quoted string: ${(e as Error).message}`);
      }
      return;
    }
    case "require": {
      if (args.length !== 2) return fail(`usage: ${verb} module/path v1.2.3`);
      let path: string;
      try {
        path = parseString(args[0]!);
      } catch (e) {
        return fail(`invalid quoted string: ${(e as Error).message}`);
      }
      let v: string;
      try {
        v = canonicalVersion(parseString(args[1]!));
      } catch (e) {
        return fail(`version ${goQuote(args[1]!)} invalid: ${(e as Error).message}`, about(path));
      }
      // With no VersionFixer, ParseLax wants a (canonicalizable) semantic version.
      if (v === "") return fail(invalidVersion(parseString(args[1]!), "must be of the form v1.2.3").message, about(path));
      const split = splitPathVersion(path);
      if (!split.ok) return fail("invalid module path");
      try {
        checkPathMajor(v, split.pathMajor);
      } catch (e) {
        return fail((e as Error).message, about(path));
      }
      return;
    }
    case "retract": {
      const rationale = directiveComment(block, line);
      const interval = parseRetract(args);
      // Lax parsing skips intervals it cannot read: newer syntax must not break old go commands.
      if (interval) c.mod.retract.push({ ...interval, rationale });
      return;
    }
    case "ignore": {
      if (args.length !== 1) return fail("ignore directive expects exactly one argument");
      try {
        parseString(args[0]!);
      } catch (e) {
        fail(`invalid quoted string: ${(e as Error).message}`);
      }
      return;
    }
    default:
      return; // ParseLax ignores every other directive in a dependency's go.mod
  }
}

const BLOCK_VERBS = new Set(["module", "godebug", "require", "exclude", "replace", "retract", "tool", "ignore"]);

/**
 * modfile.ParseLax (with a nil VersionFixer), reduced to what a proxy needs.
 * Throws a ModuleError with Go's error list text (`go.mod:3: usage: require
 * module/path v1.2.3`, one error per line) when Go's ParseLax fails.
 */
export function parseLax(text: string, file = "go.mod"): LaxGoMod {
  const stmts = parseSyntax(text, file);
  const c: Collected = { mod: { module: undefined, go: undefined, retract: [] }, moduleSeen: false, goSeen: false, errors: [] };
  for (const s of stmts) {
    if (s.type === "line") {
      addDirective(c, undefined, s, s.tokens[0]!, s.tokens.slice(1));
    } else if (s.type === "block") {
      // Unknown or multi-token blocks ("require foo (") are ignored in lax mode.
      if (s.tokens.length > 1 || !BLOCK_VERBS.has(s.tokens[0]!)) continue;
      for (const l of s.lines) addDirective(c, s, l, s.tokens[0]!, l.tokens);
    }
  }
  if (c.errors.length > 0) throw new ModuleError(c.errors.map((e) => formatError(file, e)).join("\n"));
  return c.mod;
}

/**
 * The go version x/mod/zip uses for its vendor rule: ParseLax's go directive,
 * "" when there is none or the file does not parse (docs/go-rules.md §4.3).
 */
export function goDirective(text: string): string {
  try {
    return parseLax(text).go ?? "";
  } catch (e) {
    if (e instanceof ModuleError) return "";
    throw e;
  }
}

/**
 * The retract directives, as the go command reads them from the highest
 * release's go.mod (coderepo retractedVersions). Throws like parseLax: there
 * the whole lookup fails.
 */
export function retractions(text: string): Retraction[] {
  return parseLax(text).retract;
}

/** unicode.IsSpace at both ends (bytes.TrimSpace). */
function trimGoSpace(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && GO_SPACE.test(s[a]!)) a++;
  while (b > a && GO_SPACE.test(s[b - 1]!)) b--;
  return s.slice(a, b);
}

/**
 * modfile.ModulePath: the first `module <path>` line, ignoring everything
 * else in the file (even syntax errors); "" if none. A quoted path is
 * unquoted; a malformed quoted one gives "". Note: like Go, "//" starts a
 * comment even inside quotes here.
 */
export function modulePath(text: string): string {
  for (const raw of text.split("\n")) {
    let line = raw;
    const slash = line.indexOf("//");
    if (slash >= 0) line = line.slice(0, slash);
    line = trimGoSpace(line);
    if (!line.startsWith("module")) continue;
    line = line.slice("module".length);
    const n = line.length;
    line = trimGoSpace(line);
    if (line.length === n || line.length === 0) continue; // "modulex", or "module" alone
    if (line[0] === '"' || line[0] === "`") return unquote(line) ?? "";
    return line;
  }
  return "";
}

/**
 * The go.mod the go command synthesizes for a version without one
 * (modfetch LegacyGoMod): `module <path>\n`, no go line (docs/go-rules.md §3).
 */
export function legacyGoMod(path: string): string {
  return `module ${autoQuote(path)}\n`;
}
