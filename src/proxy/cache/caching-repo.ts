// A Repo behind the content store and caches, as cmd/go's cachingRepo and
// download cache sit around codeRepo (cmd/go/internal/modfetch/cache.go,
// fetch.go): immutable files of canonical versions come from the store when
// it has them and are stored when made (the store keeps the first writer's);
// lists and queries are reused for listTtl; one zip build per version at a
// time. The protocol layer (src/proxy/protocol/handler.ts) turns what this
// returns into answers.
import type { Repo, ResolvedVersion } from "../repo/repo.js";
import { infoJson } from "../repo/repo.js";
import type { ContentStore, StoredObject } from "../store/store.js";
import { LRUCache } from "lru-cache";
import { Expiring, ExpiringMemo } from "../../lib/expiring.js";
import { escapeVersion } from "../../module/escape.js";
import { canonicalVersion } from "../../module/path.js";
import { isPseudoVersion } from "../../module/pseudo.js";
import { NotExistError } from "../../module/errors.js";
import { Semaphore, SemaphoreFull } from "../../lib/semaphore.js";
import { TooManyBuildsError } from "../repo/errors.js";
import type { ProxyEvent } from "../events.js";
import { encodeZipRecord, parseZipRecord, zipRecordKey, type ZipRecord } from "./zip-record.js";

/** Filled in by the file methods: whether the store already held what was asked for (metrics). */
export interface StoreNote {
  fromStore?: boolean;
}

export type FileKind = "info" | "mod" | "zip";

export interface CachingRepoOptions {
  store: ContentStore;
  /** escapePath(modulePath): the store keys' prefix. */
  escapedPath: string;
  listTtlMs: number;
  now: () => number;
  onEvent?: (event: ProxyEvent) => void;
  /** The cap on zip builds at once, shared by every module of the service (proxy.maxConcurrentBuilds); none: no cap. */
  builds?: Semaphore;
  /** GitLab is known to fail now (its circuit): the list is served as it was, stale (listing()). */
  failing?: () => boolean;
}

/** How many builds may wait per build slot (proxy.maxConcurrentBuilds) before more are refused with 503. */
export const WAITING_BUILDS_PER_SLOT = 8;

export function buildGate(maxConcurrentBuilds: number): Semaphore {
  return new Semaphore(maxConcurrentBuilds, maxConcurrentBuilds * WAITING_BUILDS_PER_SLOT);
}

/** How long a list request waits for a due refresh before the last good list answers (stale). */
const LIST_GRACE_MS = 1_000;
/**
 * Zip builds running in the background at once, in the whole process (every
 * module, every config a reload made): they are guesses, so they never take
 * more than this of GitLab's call slots and of the CPU; past it, a .zip
 * builds when it is asked, as before.
 */
export const MAX_BACKGROUND_BUILDS = 2;
let backgroundBuilds = 0;

/** A version the go command asks .mod and .zip for: canonical, pseudo-versions included. */
export function isCanonical(v: string): boolean {
  return v === canonicalVersion(v);
}

export class CachingRepo {
  private readonly list: Expiring<string[]>;
  private readonly queries: ExpiringMemo<string, ResolvedVersion>;
  /** Zip builds in flight by store key; `background`: started by a cold .info, not by a request for the zip. */
  private readonly builds = new Map<string, { done: Promise<void>; background: boolean }>();
  /**
   * Store keys by version: a warm answer looks its bytes up by key on every
   * request, and escaping the version each time was most of that look-up.
   */
  private readonly keys = new LRUCache<string, Record<FileKind, string>>({ max: 1024 });
  /** Origin.Hash of stored .info files, by version: immutable, so remembered (moved-tag checks). */
  private readonly servedCommits = new LRUCache<string, string>({ max: 1024 });
  /** What the store records of zips (h1, size), by zip key: immutable, so remembered (size checks). */
  private readonly zipRecords = new LRUCache<string, ZipRecord>({ max: 1024 });
  /**
   * Revisions GitLab said do not exist (stat and queries: a made-up version, an unknown branch),
   * remembered for listTtl as lists are: each cost two GitLab calls again on every repeat. Only
   * NotExistError: a GitLab failure is never remembered. Undefined when listTtl is 0.
   */
  private readonly misses?: LRUCache<string, NotExistError>;

  constructor(
    readonly repo: Repo,
    private readonly o: CachingRepoOptions,
  ) {
    this.queries = new ExpiringMemo({ max: 1024, ttlMs: o.listTtlMs, now: o.now });
    // ttlResolution 0: the injected clock is read on every check (as ExpiringMemo does).
    if (o.listTtlMs > 0) this.misses = new LRUCache({ max: 4096, ttl: o.listTtlMs, ttlResolution: 0, perf: { now: o.now } });
    this.list = new Expiring(o.listTtlMs, o.now, async () => {
      const list = await repo.versions();
      // After the answer: a slow store must not delay the list.
      this.noticeMovedTags(list).catch((err: unknown) => console.error("modgate: checking stored versions against GitLab's tags failed:", err));
      return list;
    });
  }

  get modulePath(): string {
    return this.repo.modulePath;
  }

  /** The store key of a version's file. */
  key(version: string, kind: FileKind): string {
    let keys = this.keys.get(version);
    if (keys === undefined) {
      const base = `${this.o.escapedPath}/@v/${escapeVersion(version)}.`;
      keys = { info: base + "info", mod: base + "mod", zip: base + "zip" };
      this.keys.set(version, keys);
    }
    return keys[kind];
  }

  /** @v/list: reused for listTtl; the last good list while GitLab fails. */
  versions(): Promise<string[]> {
    return this.list.get();
  }

  /**
   * @v/list for an answer: the last good list at once (`stale`) while a due
   * refresh runs, fails, takes longer than LIST_GRACE_MS, or GitLab is known
   * to fail; the refresh goes on in the background (finding 6).
   */
  listing(): Promise<{ data: string[]; stale: boolean }> {
    return this.list.read({ graceMs: LIST_GRACE_MS, ...(this.o.failing ? { failing: this.o.failing } : {}) });
  }

  /** The list when it is fresh (at `now`, the clock as the caller read it), without waiting. */
  peekVersions(now?: number): string[] | undefined {
    return this.list.peek(now);
  }

  /** A query that is not a canonical version (a branch, a hash, `latest`): its answer can change, reused for listTtl. */
  query(q: string): Promise<ResolvedVersion> {
    return this.queries.get(q, () => {
      const value = this.rememberMiss(q, () => (q === "latest" ? this.repo.latest() : this.repo.stat(q)));
      value.then(
        (info) => this.noticeMovedTag(info).catch((err: unknown) => console.error("modgate: checking a stored version against GitLab's tag failed:", err)),
        () => {}, // forgotten by the memo: the next request asks again
      );
      return value;
    });
  }

  /** What `ask` answers for a revision, unless GitLab said within listTtl that it does not exist (then that again, asking nothing). */
  private rememberMiss(rev: string, ask: () => Promise<ResolvedVersion>): Promise<ResolvedVersion> {
    const misses = this.misses;
    const known = misses?.get(rev);
    if (known) return Promise.reject(known);
    const value = ask();
    if (misses) {
      value.catch((err: unknown) => {
        if (err instanceof NotExistError) misses.set(rev, err);
      });
    }
    return value;
  }

  /** The .info of a query as served for it (not stored: what a query names can change). */
  async queryInfo(q: string): Promise<string> {
    return infoJson(this.repo.origin, await this.query(q));
  }

  /** The .info of a canonical version: stored once, then always the stored bytes. */
  async info(version: string, note: StoreNote = {}): Promise<Uint8Array> {
    const key = this.key(version, "info");
    const stored = await this.o.store.get(key);
    note.fromStore = stored !== undefined;
    if (stored) return stored.bytes();
    const bytes = await this.computeInfo(version);
    this.buildInBackground(version);
    return bytes;
  }

  /** The go.mod of a canonical version; only versions whose .info succeeds are served (docs/go-rules.md §3, +incompatible). */
  async goMod(version: string, note: StoreNote = {}): Promise<Uint8Array> {
    requireCanonical(this.modulePath, version);
    const key = this.key(version, "mod");
    const stored = await this.o.store.get(key);
    note.fromStore = stored !== undefined;
    if (stored) return stored.bytes();
    const data = await this.repo.goMod(version, await this.pinnedCommit(version));
    await this.o.store.put(key, data);
    return data;
  }

  /** The zip of a canonical version from the store, built first when it is not there. */
  async zip(version: string, note: StoreNote = {}): Promise<StoredObject> {
    requireCanonical(this.modulePath, version);
    const key = this.key(version, "zip");
    let stored = await this.o.store.get(key);
    if (stored && !(await this.sizeAsRecorded(key, stored))) stored = undefined;
    note.fromStore = stored !== undefined;
    if (!stored) {
      const joined = this.builds.get(key);
      try {
        await this.build(version, key);
      } catch (err) {
        // A build this request did not ask for (a cold .info's, started before it) failed: that
        // failure is not this request's answer. It builds again (its own build, or one another
        // request started since), and answers with what that gives, an error included.
        if (joined?.background !== true) throw err;
        await this.build(version, key);
      }
      stored = await this.o.store.get(key);
      if (!stored) throw new Error(`the zip of ${this.modulePath}@${version} was built but is not in the store`);
    }
    return stored;
  }

  /** The h1 recorded when the zip was built, "" when none was recorded (yet: the build that stored the zip records it just after). */
  async zipHash(version: string): Promise<string> {
    return (await this.zipRecord(this.key(version, "zip")))?.h1 ?? "";
  }

  /**
   * Whether a stored zip has the size its record says. One that has not is
   * damaged (cut short, overwritten): it and its record are removed, so the
   * zip is built again. A remembered record that disagrees is read again
   * first: another process may have rebuilt the zip since.
   */
  private async sizeAsRecorded(key: string, stored: StoredObject): Promise<boolean> {
    const known = this.zipRecords.get(key);
    if (known && (known.size === undefined || known.size === stored.size)) return true;
    this.zipRecords.delete(key);
    const record = await this.zipRecord(key);
    if (record?.size === undefined || record.size === stored.size) return true;
    this.zipRecords.delete(key);
    await this.o.store.delete(key);
    await this.o.store.delete(zipRecordKey(key));
    return false;
  }

  /** A zip's record, remembered once read; undefined when there is none. */
  private async zipRecord(key: string): Promise<ZipRecord | undefined> {
    const known = this.zipRecords.get(key);
    if (known) return known;
    const stored = await this.o.store.get(zipRecordKey(key));
    const record = stored && parseZipRecord(await stored.bytes());
    if (record) this.zipRecords.set(key, record);
    return record;
  }

  /**
   * The commit everything of a version comes from: the one its stored .info
   * names (Origin.Hash), the .info made and stored first when there is none
   * (cmd/go's download cache: .mod and .zip follow the .info it keeps). Not
   * where the tag points now: a tag GitLab moved after the .info was stored
   * would give its .mod and .zip another commit's content. A .info made
   * before this call is checked against the tag (after the answer; reported
   * once as tag-moved). Undefined for a stored .info without a hash (never
   * one this proxy wrote): then the tag as it is now.
   */
  private async pinnedCommit(version: string): Promise<string | undefined> {
    let commit = this.servedCommits.get(version);
    if (commit === undefined) {
      const stored = await this.o.store.get(this.key(version, "info"));
      commit = originHash(stored ? await stored.bytes() : await this.computeInfo(version));
      if (commit === undefined) return undefined;
      this.servedCommits.set(version, commit);
      if (!stored) return commit;
    }
    this.checkTag(version);
    return commit;
  }

  /** Whether a version's tag still names the commit its stored .info does; reported (tag-moved) when not. Never fails, never waited for. */
  private checkTag(version: string): void {
    if (!this.o.onEvent || isPseudoVersion(version)) return;
    this.repo
      .tagCommit(version)
      .then((hash) => (hash === undefined ? undefined : this.noticeMovedTag({ version, hash })))
      .catch(() => {}); // the tag deleted, GitLab failing: nothing to report
  }

  /** The .info of a canonical version from the repo, into the store; returns the bytes served. */
  private async computeInfo(version: string): Promise<Uint8Array> {
    const key = this.key(version, "info");
    const info = await this.rememberMiss(version, () => this.repo.stat(version));
    // Another request (or cluster worker) may have stored it first: the
    // store keeps that one, and it is what this answer serves too.
    await this.noticeMovedTag(info);
    await this.o.store.put(key, new TextEncoder().encode(infoJson(this.repo.origin, info)));
    const stored = await this.o.store.get(key);
    if (!stored) throw new Error(`the .info of ${this.modulePath}@${version} was stored but is not in the store`);
    return stored.bytes();
  }

  /**
   * After a cold .info, the go command asks .mod and then .zip (`go mod
   * download`, `go get`): the zip's build starts now, while the .info is sent
   * and the .mod asked, and the .zip request joins it (single flight). Only
   * once the .info succeeded (a version that does not exist starts nothing),
   * only where work may outlive an answer (ContentStore.backgroundWork),
   * only when no build of it is running, and at most MAX_BACKGROUND_BUILDS at
   * once. Its failure is nobody's answer: it is dropped, and a .zip request
   * that joined it builds again (zip()).
   */
  private buildInBackground(version: string): void {
    if (!this.o.store.backgroundWork || backgroundBuilds >= MAX_BACKGROUND_BUILDS) return;
    const key = this.key(version, "zip");
    if (this.builds.has(key)) return;
    backgroundBuilds++;
    this.build(version, key, true)
      .catch(() => {})
      .finally(() => backgroundBuilds--);
  }

  /** One build per version at a time: concurrent requests for a cold zip share it. */
  private build(version: string, key: string, background = false): Promise<void> {
    let pending = this.builds.get(key);
    if (!pending) {
      const entry = { done: this.buildZip(version, key, background), background };
      entry.done = entry.done.finally(() => {
        if (this.builds.get(key) === entry) this.builds.delete(key);
      });
      pending = entry;
      this.builds.set(key, pending);
    }
    return pending.done;
  }

  /**
   * One build, holding a place of the builds' cap (proxy.maxConcurrentBuilds) from its first GitLab call
   * to its zip stored; waits for one while the queue has room, else TooManyBuildsError (503). Requests
   * that join a build in flight take no place of their own. A background build (a cold .info's) never
   * waits: with no place free it does not start, and the .zip request builds it in its turn.
   */
  private async buildZip(version: string, key: string, background: boolean): Promise<void> {
    const gate = this.o.builds;
    if (!gate) return this.buildZipNow(version, key, background);
    const release = background ? gate.tryAcquire() : await gate.acquire().catch(tooMany);
    // Dropped like any failed background build: a .zip request that joined it builds again.
    if (!release) throw new TooManyBuildsError("no zip build place free for a background build");
    try {
      await this.buildZipNow(version, key, background);
    } finally {
      release();
    }
  }

  private async buildZipNow(version: string, key: string, background: boolean): Promise<void> {
    // A background build skips a zip already stored (by another process sharing the store, say).
    if (background && (await this.o.store.get(key))) return;
    const started = this.o.now();
    const zip = await this.repo.zip(version, await this.pinnedCommit(version));
    // Only the build whose zip the store kept records its h1 and size: another
    // process stored this version first (this zip was discarded) and records its own.
    if (!(await this.o.store.put(key, zip.stream))) return void zip.done.catch(() => {});
    const summary = await zip.done;
    await this.o.store.put(zipRecordKey(key), encodeZipRecord(summary));
    this.o.onEvent?.({ type: "zip-build", module: this.modulePath, version, files: summary.fileCount, bytes: summary.size, ms: this.o.now() - started });
  }

  /**
   * Listed versions the store holds whose stored .info names another commit
   * than the tag does now. Only versions present in the store cost anything
   * (a stat each; the stored commit is remembered, it never changes).
   */
  private async noticeMovedTags(versions: readonly string[]): Promise<void> {
    if (!this.o.onEvent || versions.length === 0) return;
    const commits = await this.repo.tagCommits();
    for (const version of versions) {
      const commit = commits.get(version);
      if (commit !== undefined) await this.noticeMovedTag({ version, hash: commit });
    }
  }

  /** One tag version resolved from GitLab now, against what the store serves for it. */
  private async noticeMovedTag(now: { version: string; hash: string }): Promise<void> {
    // A pseudo-version names its commit: it cannot move.
    if (!this.o.onEvent || isPseudoVersion(now.version) || !isCanonical(now.version)) return;
    let served = this.servedCommits.get(now.version);
    if (served === undefined) {
      const stored = await this.o.store.get(this.key(now.version, "info"));
      if (!stored) return;
      served = originHash(await stored.bytes());
      if (served === undefined) return;
      this.servedCommits.set(now.version, served);
    }
    if (served !== now.hash) this.o.onEvent({ type: "tag-moved", module: this.modulePath, version: now.version, servedCommit: served, tagCommit: now.hash });
  }
}

function tooMany(err: unknown): never {
  if (!(err instanceof SemaphoreFull)) throw err;
  throw new TooManyBuildsError(`too many zip builds at once (proxy.maxConcurrentBuilds: ${err.max} building, ${err.waiting} waiting); try again later`);
}

function requireCanonical(modulePath: string, v: string): void {
  if (!isCanonical(v)) throw new NotExistError(`${modulePath}@${v}: version ${v} is not canonical`);
}

/** Origin.Hash of a stored .info, undefined when it has none (never the case for what this proxy wrote). */
function originHash(info: Uint8Array): string | undefined {
  try {
    const hash = (JSON.parse(new TextDecoder().decode(info)) as { Origin?: { Hash?: unknown } }).Origin?.Hash;
    return typeof hash === "string" ? hash : undefined;
  } catch {
    return undefined;
  }
}
