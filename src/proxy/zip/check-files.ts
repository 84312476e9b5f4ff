import type { FileKind } from "./file.js";
import { checkFilePath, goQuote } from "./file-path.js";
import { strToFold } from "./fold.js";
import { goVersionCompare, goVersionLang } from "../../module/gover.js";

/**
 * Which files a module zip holds, after x/mod/zip's checkFiles (zip.go), rule by rule and
 * in its order: the first rule that matches a file decides. The go command runs this on
 * the files of `git archive`; any invalid file or a size error makes the version not
 * downloadable in direct mode, so a proxy must refuse it too.
 */

/** Limits from x/mod/zip (MaxZipFile, MaxGoMod, MaxLICENSE). */
export const MAX_ZIP_FILE = 500 << 20;
export const MAX_GO_MOD = 16 << 20;
export const MAX_LICENSE = 16 << 20;

/** What checkFiles needs of a file; ModuleFile satisfies it. */
export interface CheckableFile {
  path: string;
  kind: FileKind;
  size: number;
}

export interface FileProblem {
  path: string;
  reason: string;
}

export interface CheckedFiles<F extends CheckableFile> {
  /** Files that go in the zip, in input order. */
  valid: F[];
  /** Files left out on purpose (vendor, nested modules, symlinks, ...): no error. */
  omitted: FileProblem[];
  /** Files that make the zip invalid. */
  invalid: FileProblem[];
  /** Set when the files together exceed MAX_ZIP_FILE; the zip is invalid. */
  sizeError?: string;
}

export interface CheckFilesOptions {
  /**
   * The `go` directive of the module's root go.mod as modfile.ParseLax reads it
   * (e.g. "1.24", "1.21.3", "1.24rc1"), or undefined when there is no go.mod, no go line or
   * the file does not parse. It selects the vendor rules (golang/go#37397).
   */
  goVersion?: string | undefined;
}

/** Reasons, worded as x/mod/zip's errors so that a user sees the go command's text. */
export const REASONS = {
  notClean: "file path is not clean",
  notRelative: "file path is not relative",
  vendored: "file is in vendor directory",
  submodule: "file is in another module",
  gitlink: "submodule: git archive writes it as an empty directory, which the go command skips",
  hgArchival: "file is inserted by 'hg archive' and is always omitted",
  goModCase: "go.mod files must have lowercase names",
  symlink: "file is a symbolic link",
  notRegular: "not a regular file",
  goModSize: `go.mod file too large (max size is ${MAX_GO_MOD} bytes)`,
  licenseSize: `LICENSE file too large (max size is ${MAX_LICENSE} bytes)`,
  tooLarge: `module source tree too large (max size is ${MAX_ZIP_FILE} bytes)`,
} as const;

export function checkFiles<F extends CheckableFile>(input: readonly F[], opts: CheckFilesOptions = {}): CheckedFiles<F> {
  let files = input;
  const result: CheckedFiles<F> = { valid: [], omitted: [], invalid: [] };
  // x/mod/zip reports each path once: a second entry for a path already reported is dropped.
  const reported = new Set<string>();
  const report = (list: FileProblem[], path: string, reason: string): void => {
    if (reported.has(path)) return;
    reported.add(path);
    list.push({ path, reason });
  };
  const newVendorRules = goVersionAtLeast124(opts.goVersion);
  // Gitlinks never reach x/mod/zip: git archive writes them as directory entries and the go
  // command drops every name ending in '/'. So they take no part in any rule, collisions included.
  const submodules = files.filter((f) => f.kind === "submodule");
  for (const f of submodules) report(result.omitted, f.path, REASONS.gitlink);
  files = files.filter((f) => f.kind !== "submodule");
  const nestedModuleDirs = goModDirs(files);
  const collisions = new CollisionChecker();
  let remaining = MAX_ZIP_FILE;

  for (const file of files) {
    const p = file.path;
    if (!isCleanPath(p)) {
      report(result.invalid, p, REASONS.notClean);
      continue;
    }
    if (p.startsWith("/")) {
      report(result.invalid, p, REASONS.notRelative);
      continue;
    }
    if (isVendoredPackage(p, newVendorRules)) {
      report(result.omitted, p, REASONS.vendored);
      continue;
    }
    if (inNestedModule(p, nestedModuleDirs)) {
      report(result.omitted, p, REASONS.submodule);
      continue;
    }
    // hg archive writes this file; the go command drops it whatever the VCS (zip.go).
    if (p === ".hg_archival.txt") {
      report(result.omitted, p, REASONS.hgArchival);
      continue;
    }
    const malformed = checkFilePath(p);
    if (malformed !== undefined) {
      report(result.invalid, p, malformed);
      continue;
    }
    // "GO.MOD" at the root would be go.mod on a case-insensitive disk but not for the go command.
    if (p.toLowerCase() === "go.mod" && p !== "go.mod") {
      report(result.invalid, p, REASONS.goModCase);
      continue;
    }
    // Before the symlink test, as in zip.go: a symlink still collides with a file.
    const collision = collisions.check(p, false);
    if (collision !== undefined) {
      report(result.invalid, p, collision);
      continue;
    }
    // Symlinks could point outside the module (golang/go#27093); gitlinks and others have no content.
    if (file.kind === "symlink") {
      report(result.omitted, p, REASONS.symlink);
      continue;
    }
    if (file.kind !== "file") {
      report(result.omitted, p, REASONS.notRegular);
      continue;
    }
    // The running total counts every kept file, even one refused just below for its own size.
    if (file.size >= 0 && file.size <= remaining) remaining -= file.size;
    else result.sizeError ??= REASONS.tooLarge;
    if (p === "go.mod" && file.size > MAX_GO_MOD) {
      report(result.invalid, p, REASONS.goModSize);
      continue;
    }
    if (p === "LICENSE" && file.size > MAX_LICENSE) {
      report(result.invalid, p, REASONS.licenseSize);
      continue;
    }
    result.valid.push(file);
  }
  return result;
}

/** CheckedFiles.Err's text: the size error, else every invalid file as `path: reason` lines; undefined when the zip is fine. */
export function checkedFilesError(checked: CheckedFiles<CheckableFile>): string | undefined {
  if (checked.sizeError !== undefined) return checked.sizeError;
  if (checked.invalid.length > 0) return checked.invalid.map((e) => `${e.path}: ${e.reason}`).join("\n");
  return undefined;
}

/**
 * zip.go's test for the new vendor rules: checkFiles reads vers = version.Lang(parseGoVers(go.mod))
 * ("go" + the go line, "" without one), isVendoredPackage asks version.Compare(vers, "go1.24") >= 0.
 * Lang keeps major.minor, so 1.24rc1 and 1.24.0 count as 1.24; no or an unparsable go line
 * compares lower (old rules).
 */
export function goVersionAtLeast124(goVersion: string | undefined): boolean {
  const vers = goVersionLang(goVersion ? "go" + goVersion : "");
  return goVersionCompare(vers, "go1.24") >= 0;
}

/**
 * path.Clean(p) === p without building the cleaned path: no empty or "." elements, no
 * trailing slash, and ".." only as a leading run of a relative path (Clean keeps "../a").
 */
function isCleanPath(p: string): boolean {
  if (p === "." || p === "/") return true; // path.Clean's own fixed points
  if (p === "") return false; // Clean("") is "."
  const absolute = p.startsWith("/");
  const elems = (absolute ? p.slice(1) : p).split("/");
  let leadingDotDots = !absolute;
  for (const e of elems) {
    if (e === "" || e === ".") return false;
    if (e === "..") {
      if (!leadingDotDots) return false;
    } else leadingDotDots = false;
  }
  return true;
}

/**
 * zip.go isVendoredPackage. Files of vendored packages (vendor/<pkg>/...) are left out.
 * vendor/modules.txt was kept up to go 1.23 and is dropped from 1.24 on, so old sums stay valid.
 * Below 1.24 a nested `x/vendor/` is tested from offset len("/vendor/") of the whole path, not
 * after the match (golang/go#37397): in practice every file under a nested vendor dir is dropped.
 */
export function isVendoredPackage(name: string, newRules: boolean): boolean {
  if (newRules && name === "vendor/modules.txt") return true;
  let i: number;
  if (name.startsWith("vendor/")) {
    i = "vendor/".length;
  } else {
    const j = name.indexOf("/vendor/");
    if (j < 0) return false;
    i = newRules ? j + "/vendor/".length : "/vendor/".length;
  }
  return name.slice(i).includes("/");
}

/** Directories ("dir/", with slash) holding a regular file whose name EqualFolds go.mod; a symlinked go.mod does not count. */
function goModDirs(files: readonly CheckableFile[]): Set<string> {
  const dirs = new Set<string>();
  for (const f of files) {
    const slash = f.path.lastIndexOf("/");
    const base = f.path.slice(slash + 1);
    if (f.kind === "file" && equalFoldAscii(base, "go.mod")) dirs.add(f.path.slice(0, slash + 1));
  }
  return dirs;
}

/** strings.EqualFold with "go.mod": its letters fold only to ASCII letters, so ASCII lowering is exact. */
function equalFoldAscii(s: string, lower: string): boolean {
  return s.length === lower.length && s.replace(/[A-Z]/g, (c) => c.toLowerCase()) === lower;
}

/** A file below a directory (other than the root) with its own go.mod belongs to that nested module. */
function inNestedModule(p: string, goModDirs: Set<string>): boolean {
  let rest = p;
  for (;;) {
    const slash = rest.lastIndexOf("/");
    if (slash < 0) return false;
    const dir = rest.slice(0, slash + 1);
    if (goModDirs.has(dir)) return true;
    rest = rest.slice(0, slash);
  }
}

/**
 * zip.go collisionChecker: folded path → first path seen. A file and a directory, or two
 * spellings of one name, collide; every parent directory is checked too, so "A/x" and "a/y" collide.
 */
class CollisionChecker {
  private readonly seen = new Map<string, { path: string; isDir: boolean }>();

  check(p: string, isDir: boolean): string | undefined {
    const fold = strToFold(p);
    const other = this.seen.get(fold);
    if (other !== undefined) {
      if (p !== other.path) return `case-insensitive file name collision: ${goQuote(other.path)} and ${goQuote(p)}`;
      if (isDir !== other.isDir) return `entry ${goQuote(p)} is both a file and a directory`;
      if (!isDir) return `multiple entries for file ${goQuote(p)}`;
    } else {
      this.seen.set(fold, { path: p, isDir });
    }
    const slash = p.lastIndexOf("/");
    return slash > 0 ? this.check(p.slice(0, slash), true) : undefined;
  }
}
