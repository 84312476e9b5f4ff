// Module, import and file path grammar (golang.org/x/mod/module CheckPath,
// CheckImportPath, CheckFilePath) and the major-version suffix rules
// (SplitPathVersion, CheckPathMajor). A proxy must refuse exactly what the go
// command refuses: a module path it would never ask for is a 400, a file name
// it would reject makes the whole zip fail (docs/go-rules.md §4.4).
import { ModuleError, goQuote, goQuoteRune, invalidVersion, moduleError } from "./errors.js";
import { build as semverBuild, canonical as semverCanonical, isValid as semverIsValid, major as semverMajor } from "./semver.js";

export type PathKind = "module" | "import" | "file";

/** Module path runes: ASCII letters, digits and - . _ ~ (no "+", unlike import paths). */
function modPathOK(c: number): boolean {
  return c === 0x2d || c === 0x2e || c === 0x5f || c === 0x7e || (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/** Import paths also allow "+" (old gopkg.in-style and C++-ish package names). */
function importPathOK(c: number): boolean {
  return modPathOK(c) || c === 0x2b;
}

const FILE_PUNCT = "!#$%&()+,-.=@[]^_{}~ ";
const LETTER = /^\p{L}$/u;

/**
 * File names: ASCII letters/digits, space and !#$%&()+,-.=@[]^_{}~, or any
 * non-ASCII letter (unicode.IsLetter). Excluded are the characters that are
 * special on some OS or shell (" ' * : < > ? \ ` |), control chars, combining
 * marks and symbols.
 */
function fileNameOK(ch: string, c: number): boolean {
  if (c < 0x80) {
    return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || FILE_PUNCT.includes(ch);
  }
  return LETTER.test(ch);
}

/** The first element of a module path is a host name: lowercase only (golang/go#24351). */
export function firstPathOK(c: number): boolean {
  return c === 0x2d || c === 0x2e || (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a);
}

/** Names Windows reserves for devices, whatever the extension: a checkout would fail there. */
const BAD_WINDOWS_NAMES = new Set([
  "CON",
  "PRN",
  "AUX",
  "NUL",
  "COM1",
  "COM2",
  "COM3",
  "COM4",
  "COM5",
  "COM6",
  "COM7",
  "COM8",
  "COM9",
  "LPT1",
  "LPT2",
  "LPT3",
  "LPT4",
  "LPT5",
  "LPT6",
  "LPT7",
  "LPT8",
  "LPT9",
]);

/** A lone UTF-16 surrogate is JS's equivalent of Go's invalid UTF-8. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Why `path` breaks the grammar of `kind`, without the "malformed ... path" prefix. */
function pathProblem(path: string, kind: PathKind): string | undefined {
  const problem = shapeProblem(path, kind);
  if (problem) return problem;
  for (const elem of path.split("/")) {
    const problem = elemProblem(elem, kind);
    if (problem) return problem;
  }
  return undefined;
}

/** module.checkPath before its elements are checked: encoding, emptiness, dashes and slashes. */
export function shapeProblem(path: string, kind: PathKind): string | undefined {
  if (LONE_SURROGATE.test(path)) return "invalid UTF-8";
  if (path === "") return "empty string";
  if (path[0] === "-" && kind !== "file") return "leading dash";
  if (path.includes("//")) return "double slash";
  if (path.endsWith("/")) return "trailing slash";
  return undefined;
}

/** module.checkElem: one path element (also used for versions, as a file-path element). */
export function elemProblem(elem: string, kind: PathKind): string | undefined {
  if (elem === "") return "empty path element";
  if (/^\.+$/.test(elem)) return `invalid path element ${goQuote(elem)}`;
  // Module path elements may not start with a dot: they become directory names
  // in the module cache, and dot-directories are ignored by go tools.
  if (elem[0] === "." && kind === "module") return "leading dot in path element";
  // Windows strips trailing dots from file names, so "x." and "x" would collide.
  if (elem.endsWith(".")) return "trailing dot in path element";
  const bad = invalidRune(elem, kind);
  if (bad !== undefined) return `invalid char ${goQuoteRune(bad)}`;
  const dot = elem.indexOf(".");
  const short = dot >= 0 ? elem.slice(0, dot) : elem;
  if (short.length <= 4 && BAD_WINDOWS_NAMES.has(asciiUpper(short))) {
    return `${goQuote(short)} disallowed as path element component on Windows`;
  }
  if (kind === "file") return undefined;
  // Windows 8.3 short names ("GOOGLE~1") could alias another directory in the module cache.
  const tilde = short.lastIndexOf("~");
  if (tilde >= 0 && tilde < short.length - 1 && /^[0-9]+$/.test(short.slice(tilde + 1))) {
    return "trailing tilde and digits in path element";
  }
  return undefined;
}

/** The first rune of `elem` that paths of `kind` do not allow (modPathOK, importPathOK, fileNameOK), or undefined. */
export function invalidRune(elem: string, kind: PathKind): string | undefined {
  for (const ch of elem) {
    const c = ch.codePointAt(0)!;
    const ok = kind === "module" ? modPathOK(c) : kind === "import" ? importPathOK(c) : fileNameOK(ch, c);
    if (!ok) return ch;
  }
  return undefined;
}

/** strings.EqualFold against ASCII-only names: only ASCII letters may fold. */
function asciiUpper(s: string): string {
  return s.replace(/[a-z]/g, (c) => c.toUpperCase());
}

function malformed(kind: PathKind, path: string, problem: string): ModuleError {
  return new ModuleError(`malformed ${kind} path ${goQuote(path)}: ${problem}`);
}

/** Why `path` is not a valid module path (the text after `malformed module path "p": `), or undefined. */
function modulePathProblem(path: string): string | undefined {
  const problem = pathProblem(path, "module");
  if (problem) return problem;
  let i = path.indexOf("/");
  if (i < 0) i = path.length;
  if (i === 0) return "leading slash";
  const first = path.slice(0, i);
  // A dot in the first element tells a module path from a standard-library one.
  if (!first.includes(".")) return "missing dot in first path element";
  if (path[0] === "-") return "leading dash in first path element";
  for (const ch of first) {
    if (!firstPathOK(ch.codePointAt(0)!)) return `invalid char ${goQuoteRune(ch)} in first path element`;
  }
  if (!splitPathVersion(path).ok) return "invalid version";
  return undefined;
}

/** module.CheckPath: throws `malformed module path "p": <why>`. */
export function checkPath(path: string): void {
  const problem = modulePathProblem(path);
  if (problem) throw malformed("module", path, problem);
}

/** module.CheckImportPath: throws `malformed import path "p": <why>`. */
export function checkImportPath(path: string): void {
  const problem = pathProblem(path, "import");
  if (problem) throw malformed("import", path, problem);
}

/** module.CheckFilePath: throws `malformed file path "p": <why>` (zip entries, docs/go-rules.md §4.4). */
export function checkFilePath(path: string): void {
  const problem = pathProblem(path, "file");
  if (problem) throw malformed("file", path, problem);
}

/** Predicate forms, for filters that only need yes/no. */
export const isValidPath = (path: string): boolean => modulePathProblem(path) === undefined;
export const isValidFilePath = (path: string): boolean => pathProblem(path, "file") === undefined;

export interface SplitPath {
  /** The path without its major-version suffix. */
  prefix: string;
  /** "/v2", ".v1" (gopkg.in), or "" for v0/v1 paths. */
  pathMajor: string;
  /** false when the path ends in a malformed suffix ("/v1", "/v0", "/v2.0", "/v02"). */
  ok: boolean;
}

/**
 * module.SplitPathVersion: "example.com/m/v2" → {prefix "example.com/m", pathMajor "/v2"}.
 * gopkg.in paths use ".vN" (and "-unstable").
 */
export function splitPathVersion(path: string): SplitPath {
  if (path.startsWith("gopkg.in/")) return splitGopkgIn(path);
  let i = path.length;
  let dot = false;
  while (i > 0 && (isDigitAt(path, i - 1) || path[i - 1] === ".")) {
    if (path[i - 1] === ".") dot = true;
    i--;
  }
  if (i <= 1 || i === path.length || path[i - 1] !== "v" || path[i - 2] !== "/") {
    return { prefix: path, pathMajor: "", ok: true };
  }
  const prefix = path.slice(0, i - 2);
  const pathMajor = path.slice(i - 2);
  // "/v1" is never a major suffix, "/v0x" has a leading zero, "/v2.1" is no major version.
  if (dot || pathMajor.length <= 2 || pathMajor[2] === "0" || pathMajor === "/v1") {
    return { prefix: path, pathMajor: "", ok: false };
  }
  return { prefix, pathMajor, ok: true };
}

function splitGopkgIn(path: string): SplitPath {
  let i = path.length;
  if (path.endsWith("-unstable")) i -= "-unstable".length;
  while (i > 0 && isDigitAt(path, i - 1)) i--;
  if (i <= 1 || path[i - 1] !== "v" || path[i - 2] !== ".") return { prefix: path, pathMajor: "", ok: false };
  const prefix = path.slice(0, i - 2);
  const pathMajor = path.slice(i - 2);
  if (pathMajor.length <= 2 || (pathMajor[2] === "0" && pathMajor !== ".v0")) {
    return { prefix: path, pathMajor: "", ok: false };
  }
  return { prefix, pathMajor, ok: true };
}

function isDigitAt(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 0x30 && c <= 0x39;
}

/**
 * module.CheckPathMajor: does version `v` belong to a module whose path ends in
 * `pathMajor`? Throws `version "v2.0.0" invalid: should be v0 or v1, not v2`.
 * "+incompatible" versions belong to v0/v1 paths; gopkg.in/.v1 accepts v0.0.0 pseudo-versions.
 */
export function checkPathMajor(v: string, pathMajor: string): void {
  const problem = pathMajorProblem(v, pathMajor);
  if (problem) throw invalidVersion(v, problem);
}

function pathMajorProblem(v: string, pathMajor: string): string | undefined {
  if (pathMajor.startsWith(".v") && pathMajor.endsWith("-unstable")) pathMajor = pathMajor.slice(0, -"-unstable".length);
  if (v.startsWith("v0.0.0-") && pathMajor === ".v1") return undefined;
  const m = semverMajor(v);
  let want: string;
  if (pathMajor === "") {
    if (m === "v0" || m === "v1" || semverBuild(v) === "+incompatible") return undefined;
    want = "v0 or v1";
  } else if (pathMajor[0] === "/" || pathMajor[0] === ".") {
    if (m === pathMajor.slice(1)) return undefined;
    want = pathMajor.slice(1);
  } else {
    want = pathMajor;
  }
  return `should be ${want}, not ${m}`;
}

/** module.MatchPathMajor. */
export function matchPathMajor(v: string, pathMajor: string): boolean {
  return pathMajorProblem(v, pathMajor) === undefined;
}

/**
 * module.PathMajorPrefix: "/v2" → "v2", ".v1-unstable" → "v1", "" → "". The
 * tag prefix a version must have to match the path. Throws (Go panics) on a
 * malformed suffix.
 */
export function pathMajorPrefix(pathMajor: string): string {
  if (pathMajor === "") return "";
  if (pathMajor[0] !== "/" && pathMajor[0] !== ".") {
    throw new ModuleError(`pathMajor suffix ${pathMajor} passed to PathMajorPrefix lacks separator`);
  }
  if (pathMajor.startsWith(".v") && pathMajor.endsWith("-unstable")) pathMajor = pathMajor.slice(0, -"-unstable".length);
  const m = pathMajor.slice(1);
  if (m !== semverMajor(m)) {
    throw new ModuleError(`pathMajor suffix ${pathMajor}passed to PathMajorPrefix is not a valid major version`);
  }
  return m;
}

/**
 * The kind of major suffix a go.mod's module path has matches `pathMajor`
 * (modfetch coderepo.go isMajor): only v0/v1 vs /vN is compared, not the
 * whole path (docs/go-rules.md §3).
 */
export function isMajor(mpath: string, pathMajor: string): boolean {
  if (mpath === "") return false; // go.mod with no module line
  const split = splitPathVersion(mpath);
  if (!split.ok) return false; // "/v1" suffix or malformed
  if (pathMajor === "") {
    // gopkg.in/x.v0 and .v1 go.mod paths are fine for a v0/v1 module path.
    const m = pathMajorPrefix(split.pathMajor);
    return m === "" || m === "v0" || m === "v1";
  }
  // A suffix-less go.mod path cannot be trusted to be tagged for a /vN path.
  if (split.pathMajor === "") return false;
  // Only the validation rule must agree: /v2 and gopkg.in's .v2 are the same kind.
  return split.pathMajor.slice(1) === pathMajor.slice(1);
}

/** module.CanonicalVersion: semver canonical form, keeping a "+incompatible" build suffix. */
export function canonicalVersion(v: string): string {
  const cv = semverCanonical(v);
  return semverBuild(v) === "+incompatible" ? cv + "+incompatible" : cv;
}

/**
 * module.Check: a valid module path and a semantic version whose major
 * matches the path. Throws `path@v: invalid version: <why>` (or the path error).
 */
export function check(path: string, version: string): void {
  checkPath(path);
  let err: ModuleError | undefined;
  if (!semverIsValid(version)) {
    err = invalidVersion(version, "not a semantic version");
  } else {
    try {
      checkPathMajor(version, splitPathVersion(path).pathMajor);
    } catch (e) {
      err = e as ModuleError;
    }
  }
  if (err) throw moduleError(path, version, err);
}
