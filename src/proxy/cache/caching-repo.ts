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
import { Lru } from "../../lib/lru.js";
import { BoundedMap } from "../../lib/bounded-map.js";
import { Expiring } from "../../lib/expiring.js";
import { escapeVersion } from "../../module/escape.js";
import { canonicalVersion } from "../../module/path.js";
import { isPseudoVersion } from "../../module/pseudo.js";
import { NotExistError } from "../repo/errors.js";
import type { ProxyEvent } from "../events.js";

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
}

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
  private readonly queries = new Lru<string, { at: number; value: Promise<ResolvedVersion> }>({ max: 1024 });
  /** Zip builds in flight by store key; `background`: started by a cold .info, not by a request for the zip. */
  private readonly builds = new Map<string, { done: Promise<void>; background: boolean }>();
  /**
   * Store keys by version: a warm answer looks its bytes up by key on every
   * request, and escaping the version each time was most of that look-up.
   */
  private readonly keys = new BoundedMap<string, Record<FileKind, string>>(1024);
  /** Origin.Hash of stored .info files, by version: immutable, so remembered (moved-tag checks). */
  private readonly servedCommits = new Lru<string, string>({ max: 1024 });

  constructor(
    readonly repo: Repo,
    private readonly o: CachingRepoOptions,
  ) {
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

  /** The list when it is fresh (at `now`, the clock as the caller read it), without waiting. */
  peekVersions(now?: number): string[] | undefined {
    return this.list.peek(now);
  }

  /** A query that is not a canonical version (a branch, a hash, `latest`): its answer can change, reused for listTtl. */
  query(q: string): Promise<ResolvedVersion> {
    const known = this.queries.get(q);
    if (known && this.o.now() - known.at < this.o.listTtlMs) return known.value;
    const value = q === "latest" ? this.repo.latest() : this.repo.stat(q);
    this.queries.set(q, { at: this.o.now(), value });
    value.then(
      (info) => this.noticeMovedTag(info).catch((err: unknown) => console.error("modgate: checking a stored version against GitLab's tag failed:", err)),
      () => this.queries.delete(q),
    );
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

  /** The go.mod of a canonical version; only versions whose .info succeeds are served (module-proxy-rules.md §3, +incompatible). */
  async goMod(version: string, note: StoreNote = {}): Promise<Uint8Array> {
    requireCanonical(this.modulePath, version);
    const key = this.key(version, "mod");
    const stored = await this.o.store.get(key);
    note.fromStore = stored !== undefined;
    if (stored) return stored.bytes();
    await this.ensureInfo(version);
    const data = await this.repo.goMod(version);
    await this.o.store.put(key, data);
    return data;
  }

  /** The zip of a canonical version from the store, built first when it is not there. */
  async zip(version: string, note: StoreNote = {}): Promise<StoredObject> {
    requireCanonical(this.modulePath, version);
    const key = this.key(version, "zip");
    let stored = await this.o.store.get(key);
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

  /** The h1 recorded when the zip was built, "" when none was recorded. */
  async zipHash(version: string): Promise<string> {
    const stored = await this.o.store.get(`${this.key(version, "zip")}hash`);
    return stored ? new TextDecoder().decode(await stored.bytes()).trim() : "";
  }

  private async ensureInfo(version: string): Promise<void> {
    if (await this.o.store.get(this.key(version, "info"))) return;
    await this.computeInfo(version);
  }

  /** The .info of a canonical version from the repo, into the store; returns the bytes served. */
  private async computeInfo(version: string): Promise<Uint8Array> {
    const key = this.key(version, "info");
    const info = await this.repo.stat(version);
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

  private async buildZip(version: string, key: string, background: boolean): Promise<void> {
    // A background build skips a zip already stored (by another process sharing the store, say).
    if (background && (await this.o.store.get(key))) return;
    const started = this.o.now();
    await this.ensureInfo(version);
    const zip = await this.repo.zip(version);
    await this.o.store.put(key, zip.stream);
    const summary = await zip.done;
    await this.o.store.put(`${key}hash`, new TextEncoder().encode(summary.h1 + "\n"));
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
