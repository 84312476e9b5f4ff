// What the module logic (code-repo.ts) needs of a repository: the go
// command's codehost.Repo, reduced to what a module proxy uses. The GitLab
// implementation is gitlab-host.ts; tests may bring a table-driven one.
import type { ModuleFile } from "../zip/file.js";

export interface Tag {
  name: string;
  /** Peeled commit id. */
  commit: string;
}

/** A commit as a revision query resolved it (codehost.RevInfo). */
export interface RevInfo {
  /** Full commit id. */
  name: string;
  /** The first 12 hex digits (codehost.ShortenSHA1). */
  short: string;
  /** Committer time (never author time), an instant. */
  time: Date;
  /** The query itself when it named a tag on this commit, else the commit id. */
  version: string;
  /** The ref the query named (refs/tags/x, refs/heads/x, HEAD), for Origin. */
  ref?: string;
  /** Names of the tags that point at this commit, sorted. */
  tags(): Promise<string[]>;
}

export interface CodeHost {
  /** The web-visible clone URL, for Origin.URL. */
  readonly url: string;
  /** Tags whose names start with prefix. */
  tags(prefix: string): Promise<Tag[]>;
  /**
   * Resolves a tag, branch, HEAD or hex commit prefix; throws NotExistError("unknown revision …").
   * `prefetch`: files the caller will read at the commit (its go.mod): asked as soon as the
   * commit is known, alongside what the RevInfo still needs, and kept for readFile.
   */
  stat(rev: string, prefetch?: readonly string[]): Promise<RevInfo>;
  /** The default branch's head. */
  latest(): Promise<RevInfo>;
  /** Raw file bytes at a commit, undefined when absent. */
  readFile(commit: string, path: string): Promise<Uint8Array | undefined>;
  /** The highest allowed tag with the prefix that is an ancestor of (or on) commit, "" if none. */
  recentTag(commit: string, prefix: string, allowed: (tag: string) => boolean): Promise<string>;
  /** True when the tag's commit is an ancestor of commit. */
  descendsFrom(commit: string, tag: string): Promise<boolean>;
  /**
   * The files of `dir` at commit as the go command's `git archive` sees them
   * (conversions of .gitattributes applied, export-ignore/export-subst not),
   * names relative to dir; and the raw root LICENSE reader for subdir modules.
   */
  readZip(commit: string, dir: string): Promise<ZipContent>;
}

export interface ZipContent {
  files: ModuleFile[];
  /** Releases what the content holds (a spooled archive). */
  dispose(): Promise<void>;
}
