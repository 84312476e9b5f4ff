// One module in one repository, as the go command's modfetch.codeRepo sees
// it in direct mode (cmd/go/internal/modfetch/coderepo.go): which tags are
// its versions, what version a revision is, where its go.mod is, and which
// files its zip holds. Every rule here mirrors a rule there; the comments
// name the function. Content comes from a CodeHost (GitLab's API).
import * as semver from "../../module/semver.js";
import { isPseudoVersion, pseudoVersion, pseudoVersionBase, pseudoVersionRev, pseudoVersionTime } from "../../module/pseudo.js";
import { canonicalVersion, checkPathMajor, isMajor, matchPathMajor, pathMajorPrefix, splitPathVersion } from "../../module/path.js";
import { legacyGoMod, modulePath, retractions } from "../../module/modfile.js";
import type { CodeHost, RevInfo, ZipContent } from "./code-host.js";
import type { Origin, Repo, ResolvedVersion } from "./repo.js";
import type { ModuleZip } from "../zip/module-zip.js";
import { zipOf } from "./zip.js";
import { bytesFile } from "../zip/file.js";
import { invalidVersion, moduleError, NotExistError, type ModuleError } from "../../module/errors.js";
import { GitlabUnavailable } from "../../gitlab/failure.js";

/** codehost.MaxGoMod: larger go.mod files are refused. */
export const MAX_GO_MOD = 16 << 20;

export interface ModuleLocation {
  /** The module path asked for: "go.example.com/tools/v2". */
  path: string;
  /** The go-import prefix the path falls under: "go.example.com/tools". */
  codeRoot: string;
  /** Go 1.25 go-import subdir (4th field), "" when none. */
  subdir: string;
}

export interface FoundDir {
  commit: string;
  /** The module's directory in the repository: codeDir, or codeDir/vN. */
  dir: string;
  /** go.mod bytes when found there (undefined: none, LegacyGoMod applies). */
  gomod?: Uint8Array;
}

const decoder = new TextDecoder();

export type { ResolvedVersion } from "./repo.js";

export class CodeRepo implements Repo {
  readonly modPath: string;
  readonly codeRoot: string;
  /** The module's directory relative to the repository root ("" at the root). */
  readonly codeDir: string;
  /** "/v2" or "" (gopkg.in's ".v2" never occurs on a GitLab vanity host, but is kept as the go command does). */
  readonly pathMajor: string;
  readonly pathPrefix: string;
  /** "v2" or "": the major of pseudo-versions without a base. */
  readonly pseudoMajor: string;
  readonly origin: Origin;
  /**
   * Where findDir looks for the module's go.mod: its directory, and for a major version
   * past v1 outside the repository's root module also the vN subdirectory. Stat asks the host
   * for them as soon as a revision's commit is known (CodeHost.stat's prefetch).
   */
  private readonly goModFiles: readonly string[];

  constructor(
    readonly host: CodeHost,
    location: ModuleLocation,
  ) {
    // newCodeRepo
    const { path, codeRoot, subdir } = location;
    const split = splitPathVersion(path);
    let pathPrefix = split.prefix;
    const pathMajor = split.pathMajor;
    if (codeRoot === path) pathPrefix = path;
    let codeDir = trimSlashes(pathPrefix.slice(codeRoot.length));
    if (subdir !== "") codeDir = codeDir === "" ? subdir : `${codeDir}/${subdir}`;
    this.modPath = path;
    this.codeRoot = codeRoot;
    this.codeDir = codeDir;
    this.pathMajor = pathMajor;
    this.pathPrefix = pathPrefix;
    this.pseudoMajor = pathMajorPrefix(pathMajor);
    this.origin = { url: host.url, subdir: codeDir };
    const file1 = joinPath(codeDir, "go.mod");
    const hasDir2 = pathMajor !== "" && codeRoot !== path && !pathMajor.startsWith(".");
    this.goModFiles = hasDir2 ? [file1, joinPath(joinPath(codeDir, pathMajor.slice(1)), "go.mod")] : [file1];
  }

  get modulePath(): string {
    return this.modPath;
  }

  private get tagPrefix(): string {
    return this.codeDir === "" ? "" : this.codeDir + "/";
  }

  /** codeRepo.Versions(""): canonical tag versions of this module, +incompatible ones appended. */
  async versions(): Promise<string[]> {
    if (this.modPath.startsWith("gopkg.in/") && this.modPath.endsWith("-unstable")) return [];
    const p = this.tagPrefix;
    const tags = await this.host.tags(p);
    const list: string[] = [];
    const incompatible: string[] = [];
    for (const tag of tags) {
      if (!tag.name.startsWith(p)) continue;
      const v = tag.name.slice(p.length);
      // Only canonical semver tags are versions: "v1.2", "v1.2.3+meta" are not.
      if (v === "" || v !== semver.canonical(v)) continue;
      // A pseudo-version-looking tag would be confused with a commit.
      if (isPseudoVersion(v)) continue;
      if (!passes(() => checkPathMajor(v, this.pathMajor))) {
        // String order, as the go command compares them ("v10" > "v1", "v0" < "v1").
        if (this.codeDir === "" && this.pathMajor === "" && semver.major(v) > "v1") {
          incompatible.push(v);
        }
        continue;
      }
      list.push(v);
    }
    semver.sort(list);
    semver.sort(incompatible);
    return this.appendIncompatibleVersions(list, incompatible);
  }

  /**
   * The commit each of this module's tag versions names now ("v2.0.0+incompatible"
   * under its tag's, v2.0.0): what a stored .info is checked against when a
   * list is refreshed. The host's tag list is cached, so this asks GitLab nothing new.
   */
  async tagCommits(): Promise<Map<string, string>> {
    const p = this.tagPrefix;
    const commits = new Map<string, string>();
    for (const tag of await this.host.tags(p)) {
      if (!tag.name.startsWith(p)) continue;
      const v = tag.name.slice(p.length);
      commits.set(v, tag.commit);
      commits.set(v + "+incompatible", tag.commit);
    }
    return commits;
  }

  /** Repo.tagCommit: the host's stat of the version's tag (the look-up stat and findDir share). */
  async tagCommit(version: string): Promise<string | undefined> {
    if (!semver.isValid(version) || isPseudoVersion(version)) return undefined;
    return (await this.host.stat(this.revToRev(version), this.goModFiles)).name;
  }

  /**
   * +incompatible versions are listed only while the module has no go.mod:
   * not when the highest compatible version has one, and per major not when
   * that major's highest tag has one (appendIncompatibleVersions).
   */
  private async appendIncompatibleVersions(list: string[], incompatible: string[]): Promise<string[]> {
    if (incompatible.length === 0 || this.pathMajor !== "") return list;
    const hasGoMod = async (v: string) => {
      const info = await this.host.stat(v);
      return (await this.host.readFile(info.name, "go.mod")) !== undefined;
    };
    if (list.length > 0 && (await hasGoMod(list[list.length - 1]!))) return list;
    const out = [...list];
    let lastMajor = "";
    let lastMajorHasGoMod = false;
    for (let i = 0; i < incompatible.length; i++) {
      const v = incompatible[i]!;
      const major = semver.major(v);
      if (major !== lastMajor) {
        let j = i;
        while (j + 1 < incompatible.length && semver.major(incompatible[j + 1]!) === major) j++;
        lastMajor = major;
        lastMajorHasGoMod = await hasGoMod(incompatible[j]!);
      }
      if (lastMajorHasGoMod) continue;
      out.push(v + "+incompatible");
    }
    return out;
  }

  /** codeRepo.Stat: a version, branch, tag name or commit hash → the version it is. */
  async stat(rev: string): Promise<ResolvedVersion> {
    if (rev === "latest") return this.latest();
    let info: RevInfo;
    try {
      info = await this.host.stat(this.revToRev(rev), this.goModFiles);
    } catch (err) {
      if (err instanceof NotExistError) throw moduleError(this.modPath, "", invalidVersion(rev, err.message));
      throw err;
    }
    return this.convert(info, rev);
  }

  /** codeRepo.Latest: the default branch's head, converted like any revision. */
  async latest(): Promise<ResolvedVersion> {
    const info = await this.host.latest();
    const resolved = await this.convert(info, "");
    return { ...resolved, ref: "HEAD" };
  }

  private revToRev(rev: string): string {
    if (semver.isValid(rev)) {
      if (isPseudoVersion(rev)) return pseudoVersionRev(rev);
      if (semver.build(rev) === "+incompatible") rev = rev.slice(0, -"+incompatible".length);
      return this.codeDir === "" ? rev : `${this.codeDir}/${rev}`;
    }
    return rev;
  }

  /** codeRepo.convert: the canonical version for a resolved commit. */
  private async convert(info: RevInfo, statVers: string): Promise<ResolvedVersion> {
    const incompatibleOk = new Map<string, boolean>();
    const canUseIncompatible = async (v: string): Promise<boolean> => {
      if (this.codeDir !== "" || this.pathMajor !== "") return false;
      let ok = incompatibleOk.get("");
      if (ok === undefined) {
        ok = (await this.host.readFile(info.name, "go.mod")) === undefined;
        incompatibleOk.set("", ok);
      }
      if (!ok) return false;
      if (v !== "" && !statVers.endsWith("+incompatible")) {
        const major = semver.major(v);
        let okMajor = incompatibleOk.get(major);
        if (okMajor === undefined) {
          okMajor = (await this.host.readFile(info.name, `${major}/go.mod`)) === undefined;
          incompatibleOk.set(major, okMajor);
        }
        if (!okMajor) return false;
      }
      return true;
    };

    const result = (version: string): ResolvedVersion => ({
      version,
      time: info.time,
      hash: info.name,
      ...(info.ref !== undefined && !isPseudoVersion(version) ? { ref: info.ref } : {}),
    });

    const checkCanonical = async (version: string): Promise<ResolvedVersion> => {
      let v = version;
      try {
        await this.findDir(v);
      } catch (err) {
        if (err instanceof NotExistError) throw moduleError(this.modPath, "", invalidVersion(v, err.message));
        throw err;
      }
      if (v === trimIncompatible(statVers)) v = statVers;
      const base = trimIncompatible(v);
      let errIncompatible: ModuleError | undefined;
      if (!matchPathMajor(base, this.pathMajor)) {
        if (await canUseIncompatible(base)) {
          v = base + "+incompatible";
        } else if (this.pathMajor !== "") {
          errIncompatible = moduleError(this.modPath, "", invalidVersion(v, "module path includes a major version suffix, so major version must match"));
        } else {
          errIncompatible = moduleError(
            this.modPath,
            "",
            invalidVersion(v, `module contains a go.mod file, so module path must match major version ("${this.pathPrefix}/${semver.major(v)}")`),
          );
        }
      } else if (v.endsWith("+incompatible")) {
        errIncompatible = moduleError(this.modPath, "", invalidVersion(v, `+incompatible suffix not allowed: major version ${semver.major(v)} is compatible`));
      }
      // A canonical query must resolve to itself: v1.2.3 on a commit tagged otherwise is not v1.2.3.
      if (statVers !== "" && statVers === canonicalVersion(statVers)) {
        const statBase = trimIncompatible(statVers);
        if (statBase !== base) throw moduleError(this.modPath, "", invalidVersion(statVers, `resolves to version ${v} (${statBase} is not a tag)`));
      }
      if (errIncompatible) throw errIncompatible;
      return result(v);
    };

    if (isPseudoVersion(statVers)) {
      const resolved = await checkCanonical(statVers);
      await this.validatePseudoVersion(info, statVers);
      return resolved;
    }

    const tagPrefix = this.tagPrefix;
    let retracted: ((v: string) => boolean) | undefined;
    const isRetracted = async (v: string) => {
      retracted ??= await this.retractedVersions().catch((err: unknown) => {
        // retractedVersions errors (no go.mod, one ParseLax refuses) make nothing retracted, as in
        // the go command; GitLab failing is not such an error and must not change a version.
        if (err instanceof GitlabUnavailable) throw err;
        return () => false;
      });
      return retracted(v);
    };

    const tagToVersion = (tag: string): { v: string; canonical: boolean } => {
      if (!tag.startsWith(tagPrefix)) return { v: "", canonical: false };
      const trimmed = tag.slice(tagPrefix.length);
      // Tested on the whole tag, prefix included, as the go command does (docs/go-rules.md §2.5).
      if (isPseudoVersion(tag)) return { v: "", canonical: false };
      const v = semver.canonical(trimmed);
      if (v === "" || !trimmed.startsWith(v)) return { v: "", canonical: false };
      return { v, canonical: v === trimmed };
    };

    const named = tagToVersion(info.version);
    if (named.canonical) {
      try {
        return await checkCanonical(named.v);
      } catch (err) {
        if (!(err instanceof NotExistError)) throw err;
      }
    }

    let highestCanonical = "";
    let pseudoBase = "";
    for (const pathTag of await info.tags()) {
      const { v, canonical } = tagToVersion(pathTag);
      if (statVers !== "" && semver.compare(v, statVers) === 0) {
        if (canonical) return checkCanonical(v);
        pseudoBase = v;
      }
      if (canonical && semver.compare(highestCanonical, v) < 0 && !(await isRetracted(v))) {
        if (matchPathMajor(v, this.pathMajor) || (await canUseIncompatible(v))) highestCanonical = v;
      }
    }
    if (highestCanonical !== "") return checkCanonical(highestCanonical);

    if (pseudoBase === "") {
      // Tags are judged up front (the host's callback is synchronous).
      const candidates = await this.host.tags(tagPrefix);
      const allowed = new Set<string>();
      for (const t of candidates) {
        const { v } = tagToVersion(t.name);
        if (v === "") continue;
        if (!matchPathMajor(v, this.pathMajor) && !(await canUseIncompatible(v))) continue;
        if (await isRetracted(v)) continue;
        allowed.add(t.name);
      }
      const tag = await this.host.recentTag(info.name, tagPrefix, (t) => allowed.has(t));
      if (tag !== "") pseudoBase = tagToVersion(tag).v;
    }
    return checkCanonical(pseudoVersion(this.pseudoMajor, pseudoBase, info.time, info.short));
  }

  /** codeRepo.validatePseudoVersion: a requested pseudo-version must be the one this commit would get. */
  private async validatePseudoVersion(info: RevInfo, version: string): Promise<void> {
    const fail = (why: string) => moduleError(this.modPath, "", invalidVersion(version, why, true));
    const rev = pseudoVersionRev(version);
    if (rev !== info.short) {
      if (rev.startsWith(info.short)) throw fail(`revision is longer than canonical (expected ${info.short})`);
      if (info.short.startsWith(rev)) throw fail(`revision is shorter than canonical (expected ${info.short})`);
      throw fail(`does not match short name of revision (expected ${info.short})`);
    }
    const t = pseudoVersionTime(version);
    if (t.getTime() !== Math.floor(info.time.getTime() / 1000) * 1000) {
      throw fail(`does not match version-control timestamp (expected ${timestamp(info.time)})`);
    }
    const tagPrefix = this.tagPrefix;
    const base = pseudoVersionBase(trimIncompatible(version));
    if (base === "") {
      if (this.pseudoMajor === "" && semver.major(version) === "v1") throw fail("major version without preceding tag must be v0, not v1");
      return;
    }
    for (const tag of await info.tags()) {
      const versionOnly = tag.startsWith(tagPrefix) ? tag.slice(tagPrefix.length) : tag;
      if (versionOnly === base) {
        throw fail(`tag (${tag}) found on revision ${rev} is already canonical, so should not be replaced with a pseudo-version derived from that tag`);
      }
    }
    let lastTag = "";
    let ancestorFound = false;
    for (const tag of await this.host.tags(tagPrefix + base)) {
      const versionOnly = tag.name.startsWith(tagPrefix) ? tag.name.slice(tagPrefix.length) : tag.name;
      if (semver.compare(versionOnly, base) === 0) {
        lastTag = tag.name;
        ancestorFound = await this.host.descendsFrom(info.name, tag.name);
        if (ancestorFound) break;
      }
    }
    if (lastTag === "") throw fail(`preceding tag (${base}) not found`);
    if (!ancestorFound) throw fail(`revision ${rev} is not a descendent of preceding tag (${lastTag})`);
  }

  /** codeRepo.retractedVersions: the retract directives of the highest release's go.mod. */
  async retractedVersions(): Promise<(v: string) => boolean> {
    let versions = await this.versions();
    const firstIncompatible = versions.findIndex((v) => v.endsWith("+incompatible"));
    if (firstIncompatible >= 0) versions = versions.slice(0, firstIncompatible);
    if (versions.length === 0) return () => false;
    let highest = "";
    for (let i = versions.length - 1; i >= 0; i--) {
      if (semver.prerelease(versions[i]!) === "") {
        highest = versions[i]!;
        break;
      }
    }
    if (highest === "") highest = versions[versions.length - 1]!;
    const data = await this.goMod(highest);
    const intervals = retractions(decoder.decode(data));
    return (v) => intervals.some((r) => semver.compare(r.low, v) <= 0 && semver.compare(v, r.high) <= 0);
  }

  /**
   * codeRepo.findDir: where the module's go.mod is at a version, checked against the path's major version.
   * `pinned`: the commit the version's stored .info names (its Origin.Hash): looked at there, not where
   * the tag points now (a tag GitLab moved after the .info was served keeps its first content).
   */
  async findDir(version: string, pinned?: string): Promise<FoundDir> {
    if (!semver.isValid(version)) throw moduleError(this.modPath, "", invalidVersion(version, "syntax error"));
    const rev = this.revToRev(version);
    const [file1, file2Path] = this.goModFiles;
    const commit = pinned ?? (await this.host.stat(rev, this.goModFiles)).name;
    // Both places a major version's go.mod may be are asked at once (one round trip to GitLab, not
    // two); each read's failure still surfaces where the sequential reads would have met it.
    const dir2 = file2Path === undefined ? "" : joinPath(this.codeDir, this.pathMajor.slice(1));
    const read1 = settle(this.readGoMod(commit, file1!));
    const read2 = file2Path === undefined ? undefined : settle(this.readGoMod(commit, file2Path));
    const gomod1 = unwrap(await read1);
    const mpath1 = gomod1 === undefined ? "" : modulePath(decoder.decode(gomod1));
    const found1 = gomod1 !== undefined && (isMajor(mpath1, this.pathMajor) || (this.pathMajor === "" && mpath1.startsWith("gopkg.in/")));

    let file2 = "";
    if (read2) {
      file2 = joinPath(dir2, "go.mod");
      const gomod2 = unwrap(await read2);
      const mpath2 = gomod2 === undefined ? "" : modulePath(decoder.decode(gomod2));
      const found2 = gomod2 !== undefined && isMajor(mpath2, this.pathMajor);
      if (found1 && found2) {
        throw new NotExistError(`${this.pathPrefix}/${file1} and ...${this.pathMajor}/go.mod both have ...${this.pathMajor} module paths at revision ${rev}`);
      }
      if (found2) return { commit, dir: dir2, gomod: gomod2! };
      if (gomod2 !== undefined) {
        if (mpath2 === "") throw new NotExistError(`${this.codeRoot}/${file2} is missing module path at revision ${rev}`);
        throw new NotExistError(`${this.codeRoot}/${file2} has non-...${this.pathMajor} module path "${mpath2}" at revision ${rev}`);
      }
    }
    if (found1) return { commit, dir: this.codeDir, gomod: gomod1! };
    if (gomod1 !== undefined) {
      const suffix = file2 !== "" ? ` (and ...${this.pathMajor}/go.mod does not exist)` : "";
      if (mpath1 === "") throw new NotExistError(`${file1} is missing module path${suffix} at revision ${rev}`);
      if (this.pathMajor !== "") throw new NotExistError(`${file1} has non-...${this.pathMajor} module path "${mpath1}"${suffix} at revision ${rev}`);
      if (!splitPathVersion(mpath1).ok) throw new NotExistError(`${file1} has malformed module path "${mpath1}"${suffix} at revision ${rev}`);
      throw new NotExistError(`${file1} has post-${semver.major(version)} module path "${mpath1}"${suffix} at revision ${rev}`);
    }
    if (this.codeDir === "" && (this.pathMajor === "" || this.pathMajor.startsWith("."))) return { commit, dir: "" };
    if (file2 !== "") throw new NotExistError(`missing ${this.pathPrefix}/go.mod and ...${this.pathMajor}/go.mod at revision ${rev}`);
    throw new NotExistError(`missing ${this.pathPrefix}/go.mod at revision ${rev}`);
  }

  private async readGoMod(commit: string, file: string): Promise<Uint8Array | undefined> {
    const data = await this.host.readFile(commit, file);
    if (data !== undefined && data.length > MAX_GO_MOD) throw new NotExistError(`${file} at revision ${commit}: file too large`);
    return data;
  }

  /**
   * codeRepo.GoMod: the raw go.mod blob (no .gitattributes conversion), or the synthesized one.
   * `pinned`: the commit of the version's stored .info (findDir); a pseudo-version it names was
   * validated when that .info was made, so it is not validated again.
   */
  async goMod(version: string, pinned?: string): Promise<Uint8Array> {
    if (version !== canonicalVersion(version)) throw moduleError(this.modPath, "", `version ${version} is not canonical`);
    if (pinned === undefined && isPseudoVersion(version)) await this.stat(version);
    const found = await this.findDir(version, pinned);
    if (found.gomod) return found.gomod;
    const data = await this.host.readFile(found.commit, joinPath(found.dir, "go.mod"));
    return data ?? new TextEncoder().encode(legacyGoMod(this.modPath));
  }

  /**
   * codeRepo.Zip up to modzip.Create: the files of the module's directory,
   * plus the repository's root LICENSE for a module in a subdirectory that
   * has none of its own. The caller checks and writes them (src/proxy/zip).
   */
  async zipContent(version: string, pinned?: string): Promise<ZipContent> {
    if (version !== canonicalVersion(version)) throw moduleError(this.modPath, "", `version ${version} is not canonical`);
    if (pinned === undefined && isPseudoVersion(version)) await this.stat(version);
    const { commit, dir } = await this.findDir(version, pinned);
    // The root LICENSE is asked with the archive, not after it: one round trip to GitLab less. It is
    // used only when the module's directory has none, and only then can its failure fail the zip.
    const rootLicense = dir === "" ? undefined : this.host.readFile(commit, "LICENSE");
    rootLicense?.catch(() => {});
    const content = await this.host.readZip(commit, dir);
    if (rootLicense && !content.files.some((f) => f.path === "LICENSE")) {
      let license: Uint8Array | undefined;
      try {
        license = await rootLicense;
      } catch (err) {
        await content.dispose();
        throw err;
      }
      if (license !== undefined) content.files.push(bytesFile("LICENSE", license));
    }
    return content;
  }

  /** codeRepo.Zip: the files of zipContent, checked and written as modzip.Create does; `pinned` as for goMod. */
  async zip(version: string, pinned?: string): Promise<ModuleZip> {
    const gomod = await this.goMod(version, pinned);
    return zipOf(this.modPath, version, gomod, await this.zipContent(version, pinned));
  }
}

/** A promise that never rejects: its outcome, to be unwrapped (and a failure thrown) when its turn comes. */
function settle<T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  return p.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

function unwrap<T>(outcome: { ok: true; value: T } | { ok: false; error: unknown }): T {
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}

function trimIncompatible(v: string): string {
  return v.endsWith("+incompatible") ? v.slice(0, -"+incompatible".length) : v;
}

function trimSlashes(s: string): string {
  return s.replace(/^\/+|\/+$/g, "");
}

function joinPath(dir: string, file: string): string {
  return dir === "" ? file : `${dir}/${file}`;
}

/** module.PseudoVersionTimestampFormat in UTC: 20060102150405. */
function timestamp(t: Date): string {
  return t.toISOString().replace(/[-:T]/g, "").slice(0, 14);
}

/** True when a check of x/mod (which throws its error) passes. */
function passes(check: () => void): boolean {
  try {
    check();
    return true;
  } catch {
    return false;
  }
}
