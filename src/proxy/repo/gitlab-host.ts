// A CodeHost over GitLab's REST API (docs/go-rules.md §2.2, §2.4, §8):
// the go command's gitRepo, with `git ls-remote` replaced by the tag and
// branch lists and `git log`/`merge-base`/`cat-file` by their API calls.
// What depends only on a commit id never changes, so it is remembered
// (bounded); lists expire after listTtl.
import { LRUCache } from "lru-cache";
import { UNKNOWN_BRANCH, type GitlabClient, type GitlabCommit, type GitlabTag } from "../../gitlab/client.js";
import type { CodeHost, RevInfo, Tag, ZipContent } from "./code-host.js";
import { NotExistError } from "../../module/errors.js";
import { readRawFile, readZipFromGitlab, type ZipRuntime } from "./gitlab-zip.js";
import { Expiring, ExpiringMemo } from "../../lib/expiring.js";

/** Files larger than this are not remembered by (commit, path). */
const MAX_REMEMBERED_FILE = 256 << 10;

export interface GitlabHostOptions {
  client: GitlabClient;
  /** The project's current full path (the API's :id). */
  project: string;
  /** GitlabProject.defaultBranch: a branch name, or UNKNOWN_BRANCH (an empty repository has none). */
  defaultBranch: string;
  /** Clone URL the go-import answer names (Origin.URL). */
  url: string;
  listTtlMs: number;
  now: () => number;
  /** Immutable facts shared by every project of a GitLab (keys include the project). */
  memo: HostMemo;
  zip: ZipRuntime;
}

/** Facts keyed by commit id, which cannot change: shared across requests, bounded. */
export class HostMemo {
  readonly files = new LRUCache<string, { data: Uint8Array | null }>({
    max: 4096,
    maxSize: 64 << 20,
    sizeCalculation: (v) => Math.max(1, v.data?.length ?? 1),
  });
  readonly mergeBases = new LRUCache<string, { id: string | null }>({ max: 16384 });
  readonly commitTimes = new LRUCache<string, Date>({ max: 16384 });
}

export class GitlabHost implements CodeHost {
  readonly url: string;
  private readonly tagList: Expiring<GitlabTag[]>;
  private readonly branchList: Expiring<{ name: string; commit: string }[]>;
  /**
   * Tag look-ups by name, trusted for listTtl like the lists: a cold version's
   * .info, .mod and .zip each resolve its tag, which cost five GitLab calls
   * per version (`npm run bench`, cold download) instead of one.
   */
  private readonly tagLookups: ExpiringMemo<string, GitlabTag | undefined>;
  /**
   * Resolved revisions, for listTtl like the ref lists they rest on: one cold
   * pseudo-version (.info of the hash, then .info, .mod and .zip of the
   * version, each validating it) resolved the same hash a dozen times, 53
   * GitLab calls in all (`npm run bench`, cold download by hash).
   */
  private readonly stats: ExpiringMemo<string, RevInfo>;
  /** Raw file reads in flight, by (commit, path): failures are not remembered, so only these are shared. */
  private readonly reading = new Map<string, Promise<Uint8Array | undefined>>();

  constructor(private readonly o: GitlabHostOptions) {
    this.url = o.url;
    this.tagList = new Expiring(o.listTtlMs, o.now, () => o.client.tags(o.project, ""));
    this.branchList = new Expiring(o.listTtlMs, o.now, () => o.client.branches(o.project));
    this.tagLookups = new ExpiringMemo({ max: 1024, ttlMs: o.listTtlMs, now: o.now });
    this.stats = new ExpiringMemo({ max: 1024, ttlMs: o.listTtlMs, now: o.now });
  }

  async tags(prefix: string): Promise<Tag[]> {
    const all = await this.tagList.get();
    return all.filter((t) => t.name.startsWith(prefix));
  }

  /**
   * gitRepo.stat: refs/tags/<rev>, then refs/heads/<rev>, then HEAD, then a
   * lowercase hex prefix of at least 7 digits — unique among the ref tips, or
   * any commit a branch or tag contains (the go command fetches nothing else).
   */
  stat(rev: string, prefetch?: readonly string[]): Promise<RevInfo> {
    // Failures (unknown revisions, GitLab down) are not remembered: asked again next time.
    return this.stats.get(rev, () => this.resolve(rev, prefetch));
  }

  private async resolve(rev: string, prefetch: readonly string[] = []): Promise<RevInfo> {
    const { client, project } = this.o;
    const named = this.commitNamed(rev);
    const tag = await this.tag(rev);
    if (tag) return this.info(tag.commit, rev, `refs/tags/${rev}`, named, prefetch);
    const branch = await client.branch(project, rev);
    if (branch) return this.info(branch.commit, branch.commit, `refs/heads/${rev}`, named, prefetch);
    if (rev === "HEAD") return this.latest();
    if (isHashPrefix(rev)) {
      const tips = new Map<string, string>();
      for (const t of await this.tagList.get()) if (t.commit.startsWith(rev)) tips.set(t.commit, `refs/tags/${t.name}`);
      for (const b of await this.branchList.get()) if (b.commit.startsWith(rev) && !tips.has(b.commit)) tips.set(b.commit, `refs/heads/${b.name}`);
      if (tips.size > 1) throw new NotExistError(`ambiguous revision ${rev}`);
      if (tips.size === 1) {
        const [hash] = tips.keys();
        return this.info(hash!, hash!, undefined, undefined, prefetch);
      }
      const commit = await client.commit(project, rev);
      if (commit && commit.id.startsWith(rev) && (await client.isReachable(project, commit.id))) {
        this.o.memo.commitTimes.set(this.key(commit.id), commit.committedAt);
        return this.info(commit.id, commit.id, undefined, undefined, prefetch);
      }
    }
    throw new NotExistError(`unknown revision ${rev}`);
  }

  /**
   * The commit GitLab resolves `rev` to (commits/:ref takes a tag or branch
   * name too), asked at the same time as the tag: a tag's commit time then
   * comes with the tag instead of one round trip after it. Only a hint: it
   * is used when it is the very commit the tag (or branch) names, otherwise
   * that commit is asked by its id as before; its failure is nobody's.
   * Not asked when the tag list at hand already names the commit and its
   * time is known.
   */
  private commitNamed(rev: string): Promise<GitlabCommit | undefined> | undefined {
    if (rev === "" || isHashPrefix(rev)) return undefined;
    const listed = this.tagList.peek()?.find((t) => t.name === rev);
    if (listed && this.o.memo.commitTimes.has(this.key(listed.commit))) return undefined;
    return this.o.client.commit(this.o.project, rev).catch(() => undefined);
  }

  private tag(name: string): Promise<GitlabTag | undefined> {
    // A failed look-up is not remembered: the next request asks GitLab again.
    return this.tagLookups.get(name, () => this.o.client.tag(this.o.project, name));
  }

  async latest(): Promise<RevInfo> {
    const branch = this.o.defaultBranch === UNKNOWN_BRANCH ? undefined : await this.o.client.branch(this.o.project, this.o.defaultBranch);
    // gitRepo.Latest: no HEAD, no commits.
    if (!branch) throw new NotExistError("no commits");
    return this.info(branch.commit, branch.commit, "HEAD");
  }

  private async info(
    hash: string,
    version: string,
    ref?: string,
    named?: Promise<GitlabCommit | undefined>,
    prefetch: readonly string[] = [],
  ): Promise<RevInfo> {
    // The commit is known: the files its caller will read are asked now, not after its time.
    for (const path of prefetch) this.readFile(hash, path).catch(() => {});
    const time = await this.commitTime(hash, named);
    const info: RevInfo = {
      name: hash,
      short: hash.slice(0, 12),
      time,
      version,
      tags: async () =>
        (await this.tagList.get())
          .filter((t) => t.commit === hash)
          .map((t) => t.name)
          .sort(),
    };
    if (ref !== undefined) info.ref = ref;
    return info;
  }

  private async commitTime(hash: string, named?: Promise<GitlabCommit | undefined>): Promise<Date> {
    const key = this.key(hash);
    const known = this.o.memo.commitTimes.get(key);
    if (known) return known;
    const hinted = await named;
    if (hinted && hinted.id === hash) {
      this.o.memo.commitTimes.set(key, hinted.committedAt);
      return hinted.committedAt;
    }
    const commit = await this.o.client.commit(this.o.project, hash);
    if (!commit) throw new NotExistError(`unknown revision ${hash}`);
    this.o.memo.commitTimes.set(key, commit.committedAt);
    return commit.committedAt;
  }

  readFile(commit: string, path: string): Promise<Uint8Array | undefined> {
    const key = `${this.key(commit)}\u0000${path}`;
    const known = this.o.memo.files.get(key);
    if (known) return Promise.resolve(known.data ?? undefined);
    // A read already on its way (a prefetch, a concurrent request) is joined, not asked again.
    let reading = this.reading.get(key);
    if (!reading) {
      reading = readRawFile(this.o.client, this.o.project, commit, path).then((data) => {
        if (data === undefined || data.length <= MAX_REMEMBERED_FILE) this.o.memo.files.set(key, { data: data ?? null });
        return data;
      });
      const settled = (): void => {
        if (this.reading.get(key) === reading) this.reading.delete(key);
      };
      reading.then(settled, settled);
      this.reading.set(key, reading);
    }
    return reading;
  }

  /** gitRepo.RecentTag: the highest allowed tag merged into commit, checked highest first. */
  async recentTag(commit: string, prefix: string, allowed: (tag: string) => boolean): Promise<string> {
    const candidates = (await this.tags(prefix)).filter((t) => allowed(t.name));
    candidates.sort((a, b) => compareVersions(b.name.slice(prefix.length), a.name.slice(prefix.length)));
    for (const t of candidates) {
      if (t.commit === commit || (await this.isAncestor(t.commit, commit))) return t.name;
    }
    return "";
  }

  async descendsFrom(commit: string, tag: string): Promise<boolean> {
    const t = (await this.tagList.get()).find((x) => x.name === tag) ?? (await this.tag(tag));
    if (!t) return false;
    return t.commit === commit || this.isAncestor(t.commit, commit);
  }

  private async isAncestor(ancestor: string, commit: string): Promise<boolean> {
    const key = `${this.key(ancestor)}\u0000${commit}`;
    let known = this.o.memo.mergeBases.get(key);
    if (!known) {
      known = { id: (await this.o.client.mergeBase(this.o.project, ancestor, commit)) ?? null };
      this.o.memo.mergeBases.set(key, known);
    }
    return known.id === ancestor;
  }

  readZip(commit: string, dir: string): Promise<ZipContent> {
    return readZipFromGitlab({ client: this.o.client, project: this.o.project, commit, dir, runtime: this.o.zip, readFile: (p) => this.readFile(commit, p) });
  }

  private key(hash: string): string {
    return `${this.o.project}\u0000${hash}`;
  }
}

/** codehost.AllHex with the go command's length bounds: only lowercase hex is a hash. */
function isHashPrefix(rev: string): boolean {
  return rev.length >= 7 && rev.length <= 40 && /^[0-9a-f]+$/.test(rev);
}

import { compare as compareVersions } from "../../module/semver.js";
