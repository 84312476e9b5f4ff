// One module's versions and files, as cmd/go's modfetch.Repo gives them
// (cmd/go/internal/modfetch/repo.go): a list, a revision's info, a version's
// go.mod and zip. The GitLab implementation is code-repo.ts (over
// gitlab-host.ts); the content store, caches and single flight wrap it
// (src/proxy/cache/caching-repo.ts), as modfetch's cachingRepo wraps codeRepo.
import type { ModuleZip } from "../zip/module-zip.js";

/** What `.info` says of a version (modfetch.RevInfo). */
export interface ResolvedVersion {
  version: string;
  time: Date;
  /** Full commit id. */
  hash: string;
  /** The ref the query named, when it named one (Origin.Ref). */
  ref?: string;
}

/** Where the .info's Origin says the content came from. */
export interface Origin {
  /** The clone URL (Origin.URL). */
  url: string;
  /** The module's directory in the repository, "" at the root (Origin.Subdir). */
  subdir: string;
}

export interface Repo {
  /** The module path (Repo.ModulePath). */
  readonly modulePath: string;
  readonly origin: Origin;
  /** Canonical versions, sorted, +incompatible ones last (Repo.Versions). */
  versions(): Promise<string[]>;
  /** A version, branch, tag or commit → the version it is (Repo.Stat). */
  stat(rev: string): Promise<ResolvedVersion>;
  /** The default branch's head as a version (Repo.Latest). */
  latest(): Promise<ResolvedVersion>;
  /**
   * The go.mod of a canonical version (Repo.GoMod). `pinned`: the commit its stored .info names
   * (Origin.Hash): everything of a version comes from that commit, wherever its tag points now.
   */
  goMod(version: string, pinned?: string): Promise<Uint8Array>;
  /** The module zip of a canonical version, made as it is read (Repo.Zip); `pinned` as for goMod. */
  zip(version: string, pinned?: string): Promise<ModuleZip>;
  /** Which versions the highest release's go.mod retracts (codeRepo.retractedVersions). */
  retractedVersions(): Promise<(v: string) => boolean>;
  /**
   * The commit a tag version's tag names now (remembered for listTtl, as stat's look-up is);
   * undefined for a pseudo-version. What a stored .info is checked against when its .mod or .zip is made.
   */
  tagCommit(version: string): Promise<string | undefined>;
  /** The commit each tag version names now: what stored versions are checked against (moved tags). */
  tagCommits(): Promise<Map<string, string>>;
}

/** The .info JSON as the go command writes it in direct mode: Version, Time (UTC, whole seconds), Origin. */
export function infoJson(origin: Origin, info: ResolvedVersion): string {
  const o: Record<string, string> = { VCS: "git", URL: origin.url };
  if (origin.subdir !== "") o.Subdir = origin.subdir;
  o.Hash = info.hash;
  if (info.ref !== undefined) o.Ref = info.ref;
  return JSON.stringify({ Version: info.version, Time: info.time.toISOString().replace(/\.\d{3}Z$/, "Z"), Origin: o });
}
