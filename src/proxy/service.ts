// The module proxy: from a parsed request to an answer. The way a request
// takes, in order: where the module lives (locate) → who may read it
// (access) → the immutable store → GitLab, once per version at a time.
import { Lru } from "../lib/lru.js";
import { dataAnswer, textAnswer, type PlainAnswer } from "../http/responses.js";
import { GitlabUnavailable } from "../gitlab/failure.js";
import type { GitlabClient, GitlabProject as GitlabProjectInfo } from "../gitlab/client.js";
import { AccessControl } from "./access.js";
import { AccessDecisions } from "./auth/decisions.js";
import type { Locate } from "./location.js";
import type { ProxyEndpoint, ProxyRequest } from "./request.js";
import { CodeRepo, type ResolvedVersion } from "./repo/code-repo.js";
import { canonicalVersion } from "../module/path.js";
import { GitlabHost, HostMemo } from "./repo/gitlab-host.js";
import { NotExistError, TooLargeError } from "./repo/errors.js";
import { ModuleError } from "../module/errors.js";
import { escapePath, escapeVersion } from "../module/escape.js";
import { goDirective } from "../module/modfile.js";
import type { ContentStore, StoredObject } from "./store/store.js";
import { goModHash } from "../module/dirhash.js";
import { checkFiles, checkedFilesError } from "./zip/check-files.js";
import { createModuleZip } from "./zip/module-zip.js";
import { Expiring } from "../lib/expiring.js";
import { MAX_REMEMBERED_BYTES, StoredAnswers } from "./cache/stored-answers.js";
import { isPseudoVersion } from "../module/pseudo.js";
import * as semver from "../module/semver.js";

export interface ProxyServiceOptions {
  /** Where a module path lives (src/app/locate.ts: the go-get rules and discovery). */
  locate: Locate;
  store: ContentStore;
  /** The assembly's one GitLab client (src/gitlab/client.ts): its cap on calls and its circuit are shared with discovery. */
  gitlab: GitlabClient;
  listTtlSeconds: number;
  /** Seconds an access decision per (credential, project) is remembered. */
  authTtlSeconds: number;
  now?: () => number;
  onEvent?: (event: ProxyEvent) => void;
}

export type ProxyEvent =
  | {
      type: "request";
      endpoint: string;
      outcome: "ok" | "not-found" | "forbidden" | "unavailable" | "bad-request";
      /** For .info of a canonical version, .mod and .zip: whether the store already held it. */
      fromStore?: boolean;
      /** Body bytes of the answer (its size, also for HEAD). */
      bytes?: number;
    }
  | { type: "zip-build"; module: string; version: string; files: number; bytes: number; ms: number }
  | { type: "gitlab-call"; endpoint: string; status: number; ms: number }
  /**
   * The store serves a version whose tag GitLab now puts on another commit:
   * the first content stays (a version never changes, go.sum depends on it).
   */
  | { type: "tag-moved"; module: string; version: string; servedCommit: string; tagCommit: string };

/** What `modgate resolve MODULE@QUERY` prints: the version as the go command would download it. */
export interface ModuleSummary {
  module: string;
  version: string;
  /** Full commit id (Origin.Hash of the .info served). */
  commit: string;
  /** Time as in the .info served (RFC 3339, UTC). */
  time: string;
  /** h1 of the zip (go.sum's line, `go mod download -json`'s Sum). */
  sum: string;
  /** h1 of the go.mod (GoModSum). */
  goModSum: string;
  files: number;
  zipBytes: number;
}

const JSON_TYPE = "application/json";
const TEXT_TYPE = "text/plain; charset=utf-8";
const ZIP_TYPE = "application/zip";

interface ModuleContext {
  modulePath: string;
  /** escapePath(modulePath), the store keys' prefix: made once per module, not per request. */
  escapedPath: string;
  repo: CodeRepo;
  /** Public content may be kept by shared caches; anything else is the reader's alone. */
  isPublic: boolean;
}

/** Where a module lives and its project's visibility, as found at `at`. */
interface Found {
  at: number;
  /** The project look-up this rests on: when it is due again, so is this. */
  project: Expiring<GitlabProjectInfo | undefined>;
  /** The project's current full path: what the access decision asks GitLab about. */
  projectPath: string;
  visibility: "public" | "internal" | "private";
  context: ModuleContext;
}

/** Filled in by answer(): whether the store already held what was asked for. */
interface StoreNote {
  fromStore?: boolean;
}

function isAnswer<T extends object>(x: T | PlainAnswer): x is PlainAnswer {
  return "status" in x && "body" in x;
}

function bodyBytes(answer: PlainAnswer): number {
  const body = answer.body;
  if (body === null) return 0;
  if (typeof body === "string") return utf8Length(body);
  if (body instanceof Uint8Array) return body.byteLength;
  return body.size;
}

/** UTF-8 length without encoding (answers are mostly ASCII; no allocation per request). */
function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
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

export class ProxyService {
  private readonly client: GitlabClient;
  private readonly memo = new HostMemo();
  private readonly now: () => number;
  private readonly listTtlMs: number;
  private readonly projects = new Lru<string, Expiring<GitlabProjectInfo | undefined>>({ max: 4096 });
  private readonly hosts = new Lru<string, GitlabHost>({ max: 1024 });
  private readonly lists = new Lru<string, Expiring<string[]>>({ max: 4096 });
  private readonly queries = new Lru<string, { at: number; value: Promise<ResolvedVersion> }>({ max: 8192 });
  private readonly builds = new Map<string, Promise<void>>();
  private readonly access: AccessControl;
  /** Origin.Hash of .info files in the store, by key: immutable, so remembered (moved-tag checks). */
  private readonly servedCommits = new Lru<string, string>({ max: 16384 });
  /**
   * Module path → its project, for listTtl (as long as the project look-up
   * itself is trusted): locating the module and building its repository on
   * every request was most of a warm answer's cost after the file reads.
   * Only what the config and GitLab said is kept; the access decision runs
   * on every request.
   */
  private readonly located = new Lru<string, Found>({ max: 4096 });
  private readonly stored = new StoredAnswers();
  /** The list answer per list fetched: built once per refresh, not once per request. */
  private readonly listAnswers = new WeakMap<string[], PlainAnswer>();

  constructor(private readonly o: ProxyServiceOptions) {
    this.now = o.now ?? Date.now;
    this.listTtlMs = o.listTtlSeconds * 1000;
    this.client = o.gitlab;
    this.access = new AccessControl(new AccessDecisions(o.authTtlSeconds * 1000, this.now), (project, credential) => o.gitlab.canRead(project, credential));
  }

  /**
   * `authorization`: the request's Authorization header, used only to ask GitLab about access.
   * Synchronous when the answer is already known for a public module (remembered stored
   * content, a fresh list): a warm proxy answer then costs what a literal go-get hit costs,
   * with no promise chain (`npm run bench`, docs/benchmarks.md). Non-public modules always
   * take the long way: their access decision is asynchronous.
   */
  handle(request: ProxyRequest, authorization?: string): PlainAnswer | Promise<PlainAnswer> {
    if (request.kind === "module") {
      const known = this.known(request.modulePath, request.endpoint, request.version);
      if (known) return this.count(request.endpoint, outcomeOf(known.status), known, request.endpoint === "list" ? undefined : true);
    }
    return this.handleAsync(request, authorization);
  }

  /**
   * The answer when every piece of it is in memory and fresh and the module is
   * public: the module's location and the remembered content. undefined: take the long way.
   */
  private known(modulePath: string, endpoint: ProxyEndpoint, version: string | undefined): PlainAnswer | undefined {
    const found = this.located.get(modulePath);
    if (!found || found.visibility !== "public" || !this.isFresh(found)) return undefined;
    const c = found.context;
    switch (endpoint) {
      case "list": {
        const versions = this.lists.get(modulePath)?.peek();
        return versions && this.listAnswers.get(versions);
      }
      case "info":
      case "mod":
      case "zip":
        // Only canonical versions are ever remembered, so a query ("v1.2", a branch) misses here.
        return this.stored.get(this.key(c, version!, endpoint));
      case "latest":
        return undefined;
    }
  }

  private async handleAsync(request: ProxyRequest, authorization?: string): Promise<PlainAnswer> {
    if (request.kind === "sumdb") return this.count("sumdb", "not-found", textAnswer(404, "not found: this proxy does not serve the checksum database"));
    if (request.kind === "bad") return this.count("bad", "bad-request", textAnswer(400, `bad request: ${request.reason}`));
    const { modulePath, endpoint, version } = request;
    try {
      const context = await this.context(modulePath, authorization);
      if (isAnswer(context)) return this.count(endpoint, outcomeOf(context.status), context);
      const note: StoreNote = {};
      const answer = await this.answer(context, endpoint, version, note);
      return this.count(endpoint, "ok", answer, note.fromStore);
    } catch (err) {
      const answer = errorAnswer(err);
      return this.count(endpoint, outcomeOf(answer.status), answer);
    }
  }

  private count(endpoint: string, outcome: Extract<ProxyEvent, { type: "request" }>["outcome"], answer: PlainAnswer, fromStore?: boolean): PlainAnswer {
    const onEvent = this.o.onEvent;
    if (onEvent) onEvent({ type: "request", endpoint, outcome, bytes: bodyBytes(answer), ...(fromStore === undefined ? {} : { fromStore }) });
    return answer;
  }

  /**
   * Where the module lives and whether this client may read it; an answer when it stops there.
   * `operator`: modgate's own question (`modgate resolve`, with the server token): no client to authorise.
   */
  private async context(modulePath: string, authorization: string | undefined, operator = false): Promise<ModuleContext | PlainAnswer> {
    let found = this.located.get(modulePath);
    if (!found || !this.isFresh(found)) {
      const looked = await this.locate(modulePath);
      if (isAnswer(looked)) return looked;
      found = looked;
      this.located.set(modulePath, found);
    }
    const denied = operator ? undefined : await this.access.decide({ modulePath, project: found.projectPath, visibility: found.visibility, authorization });
    if (denied) return denied;
    return found.context;
  }

  /**
   * After listTtl, or once the project look-up it rests on is due (another
   * module of the project may have made it earlier), GitLab is asked again.
   * A reloaded config makes a new proxy, so its rules never meet old locations.
   */
  private isFresh(found: Found): boolean {
    return this.now() - found.at < this.listTtlMs && found.project.peek() !== undefined;
  }

  private async locate(modulePath: string): Promise<Found | PlainAnswer> {
    const at = this.now();
    const located = await this.o.locate(modulePath);
    if (located.kind === "missing") return textAnswer(404, `not found: ${located.reason}`);
    // Discovery could not decide (GitLab failing, or its call queue full): the same 503 a go-get answer gives.
    if (located.kind === "unavailable") return textAnswer(503, `service unavailable: ${located.reason}; try again later`);
    const lookup = this.projectLookup(located.project);
    const project = await lookup.get();
    // The GitLab path is not named: it is internal, and the client needs only to know there is no module.
    if (!project) return textAnswer(404, `not found: ${modulePath}: no such GitLab project (or modgate's token cannot see it)`);
    const visibility = located.visibility ?? project.visibility;
    const url = located.repo.startsWith("http") || located.repo.startsWith("ssh") ? located.repo : `${this.o.gitlab.url}/${project.pathWithNamespace}.git`;
    const hostKey = `${project.pathWithNamespace}\u0000${project.defaultBranch ?? ""}\u0000${url}`;
    let host = this.hosts.get(hostKey);
    if (!host) {
      host = new GitlabHost({
        client: this.client,
        project: project.pathWithNamespace,
        defaultBranch: project.defaultBranch,
        url,
        listTtlMs: this.listTtlMs,
        now: this.now,
        memo: this.memo,
        zip: { spool: () => this.o.store.spool() },
      });
      this.hosts.set(hostKey, host);
    }
    const context: ModuleContext = {
      modulePath,
      escapedPath: escapePath(modulePath),
      isPublic: visibility === "public",
      repo: new CodeRepo(host, { path: modulePath, codeRoot: located.codeRoot, subdir: located.subdir }),
    };
    return { at, project: lookup, projectPath: project.pathWithNamespace, visibility, context };
  }

  private projectLookup(path: string): Expiring<GitlabProjectInfo | undefined> {
    let entry = this.projects.get(path);
    if (!entry) {
      entry = new Expiring(this.listTtlMs, this.now, () => this.client.project(path));
      this.projects.set(path, entry);
    }
    return entry;
  }

  private async answer(c: ModuleContext, endpoint: Exclude<ProxyRequest, { kind: "sumdb" | "bad" }>["endpoint"], version: string | undefined, note: StoreNote): Promise<PlainAnswer> {
    // Non-public answers are the authorised reader's: no shared cache may keep them.
    const scope = c.isPublic ? "public" : "private";
    const listCache = `${scope}, max-age=${this.o.listTtlSeconds}`;
    const IMMUTABLE = `${scope}, max-age=31536000, immutable`;
    switch (endpoint) {
      case "list": {
        const versions = await this.versions(c);
        let list = this.listAnswers.get(versions);
        if (!list) {
          list = dataAnswer(200, TEXT_TYPE, versions.map((v) => v + "\n").join(""), listCache);
          this.listAnswers.set(versions, list);
        }
        return list;
      }
      case "latest": {
        const info = await this.query(c, "latest");
        return dataAnswer(200, JSON_TYPE, infoJson(c, info), listCache);
      }
      case "info": {
        const v = version!;
        if (isCanonical(v)) {
          const key = this.key(c, v, "info");
          const known = this.stored.get(key);
          note.fromStore = true;
          if (known) return known;
          const stored = await this.o.store.get(key);
          note.fromStore = stored !== undefined;
          if (stored) return this.stored.remember(key, dataAnswer(200, JSON_TYPE, await stored.bytes(), IMMUTABLE));
          return dataAnswer(200, JSON_TYPE, await this.computeInfo(c, v), IMMUTABLE);
        }
        const info = await this.query(c, v);
        return dataAnswer(200, JSON_TYPE, infoJson(c, info), listCache);
      }
      case "mod": {
        const v = this.requireCanonical(c, version!);
        const key = this.key(c, v, "mod");
        const known = this.stored.get(key);
        note.fromStore = true;
        if (known) return known;
        const stored = await this.o.store.get(key);
        note.fromStore = stored !== undefined;
        if (stored) return this.stored.remember(key, dataAnswer(200, TEXT_TYPE, await stored.bytes(), IMMUTABLE));
        // Only versions whose .info succeeds are served (module-proxy-rules.md §3, +incompatible).
        await this.ensureInfo(c, v);
        const data = await c.repo.goMod(v);
        await this.o.store.put(this.key(c, v, "mod"), data);
        return dataAnswer(200, TEXT_TYPE, data, IMMUTABLE);
      }
      case "zip": {
        const v = this.requireCanonical(c, version!);
        const key = this.key(c, v, "zip");
        const known = this.stored.get(key);
        note.fromStore = true;
        if (known) return known;
        const stored = await this.o.store.get(key);
        note.fromStore = stored !== undefined;
        const object = stored ?? (await this.zipObject(c, v));
        // Small zips (most modules) are answered from memory like .info; large ones stream, so RSS stays bounded.
        if (object.size <= MAX_REMEMBERED_BYTES) return this.stored.remember(key, dataAnswer(200, ZIP_TYPE, await object.bytes(), IMMUTABLE));
        return dataAnswer(200, ZIP_TYPE, { size: object.size, open: () => object.stream() }, IMMUTABLE);
      }
    }
  }

  private requireCanonical(c: ModuleContext, v: string): string {
    if (!isCanonical(v)) throw new NotExistError(`${c.modulePath}@${v}: version ${v} is not canonical`);
    return v;
  }

  private async ensureInfo(c: ModuleContext, v: string): Promise<void> {
    if (await this.o.store.get(this.key(c, v, "info"))) return;
    await this.computeInfo(c, v);
  }

  /** The .info of a canonical version from GitLab, into the store; returns the bytes served. */
  private async computeInfo(c: ModuleContext, v: string): Promise<Uint8Array> {
    const key = this.key(c, v, "info");
    const info = await c.repo.stat(v);
    // Another request (or cluster worker) may have stored it first: the
    // store keeps that one, and it is what this answer serves too.
    await this.noticeMovedTag(c, info);
    await this.o.store.put(key, new TextEncoder().encode(infoJson(c, info)));
    const stored = await this.o.store.get(key);
    if (!stored) throw new Error(`the .info of ${c.modulePath}@${v} was stored but is not in the store`);
    return stored.bytes();
  }

  /** The zip of a canonical version from the store, built first when it is not there. */
  private async zipObject(c: ModuleContext, v: string): Promise<StoredObject> {
    const key = this.key(c, v, "zip");
    let stored = await this.o.store.get(key);
    if (!stored) {
      await this.build(c, v, key);
      stored = await this.o.store.get(key);
      if (!stored) throw new Error(`the zip of ${c.modulePath}@${v} was built but is not in the store`);
    }
    return stored;
  }

  /** One build per version at a time: concurrent requests for a cold zip share it. */
  private build(c: ModuleContext, v: string, key: string): Promise<void> {
    let pending = this.builds.get(key);
    if (!pending) {
      pending = this.buildZip(c, v, key).finally(() => this.builds.delete(key));
      this.builds.set(key, pending);
    }
    return pending;
  }

  private async buildZip(c: ModuleContext, v: string, key: string): Promise<void> {
    const started = this.now();
    await this.ensureInfo(c, v);
    const gomod = await c.repo.goMod(v);
    const content = await c.repo.zipContent(v);
    try {
      const checked = checkFiles(content.files, { goVersion: goDirective(new TextDecoder().decode(gomod)) || undefined });
      const problem = checkedFilesError(checked);
      if (problem) throw new NotExistError(`${c.modulePath}@${v}: create zip: ${problem}`);
      const zip = createModuleZip({ modulePath: c.modulePath, version: v, files: checked.valid });
      await this.o.store.put(key, zip.stream);
      const summary = await zip.done;
      await this.o.store.put(`${key}hash`, new TextEncoder().encode(summary.h1 + "\n"));
      this.o.onEvent?.({ type: "zip-build", module: c.modulePath, version: v, files: summary.fileCount, bytes: summary.size, ms: this.now() - started });
    } finally {
      await content.dispose();
    }
  }

  private async versions(c: ModuleContext): Promise<string[]> {
    let entry = this.lists.get(c.modulePath);
    if (!entry) {
      entry = new Expiring(this.listTtlMs, this.now, async () => {
        const list = await c.repo.versions();
        // After the answer: a slow store must not delay the list.
        this.noticeMovedTags(c, list).catch((err: unknown) => console.error("modgate: checking stored versions against GitLab's tags failed:", err));
        return list;
      });
      this.lists.set(c.modulePath, entry);
    }
    return entry.get();
  }

  /** Branch, hash and @latest answers can change: reused for listTtl. */
  private query(c: ModuleContext, q: string): Promise<ResolvedVersion> {
    const key = `${c.modulePath}@${q}`;
    const known = this.queries.get(key);
    if (known && this.now() - known.at < this.listTtlMs) return known.value;
    const value = q === "latest" ? c.repo.latest() : c.repo.stat(q);
    this.queries.set(key, { at: this.now(), value });
    value.then(
      (info) => this.noticeMovedTag(c, info).catch((err: unknown) => console.error("modgate: checking a stored version against GitLab's tag failed:", err)),
      () => this.queries.delete(key),
    );
    return value;
  }

  /**
   * Listed versions the store holds whose stored .info names another commit
   * than the tag does now. Only versions present in the store cost anything
   * (a stat each; the stored commit is remembered, it never changes).
   */
  private async noticeMovedTags(c: ModuleContext, versions: readonly string[]): Promise<void> {
    if (!this.o.onEvent || versions.length === 0) return;
    const commits = await c.repo.tagCommits();
    for (const version of versions) {
      const commit = commits.get(version);
      if (commit !== undefined) await this.noticeMovedTag(c, { version, hash: commit });
    }
  }

  /** One tag version resolved from GitLab now, against what the store serves for it. */
  private async noticeMovedTag(c: ModuleContext, now: { version: string; hash: string }): Promise<void> {
    // A pseudo-version names its commit: it cannot move.
    if (!this.o.onEvent || isPseudoVersion(now.version) || !isCanonical(now.version)) return;
    const key = this.key(c, now.version, "info");
    let served = this.servedCommits.get(key);
    if (served === undefined) {
      const stored = await this.o.store.get(key);
      if (!stored) return;
      served = originHash(await stored.bytes());
      if (served === undefined) return;
      this.servedCommits.set(key, served);
    }
    if (served !== now.hash) this.o.onEvent({ type: "tag-moved", module: c.modulePath, version: now.version, servedCommit: served, tagCommit: now.hash });
  }

  /**
   * `latest` as the go command resolves it through a proxy (modload's
   * queryProxy): the list's highest release that is not retracted, else its
   * highest pre-release, and only with no listed version the proxy's @latest.
   */
  private async goLatest(c: ModuleContext): Promise<string> {
    const versions = await this.versions(c);
    if (versions.length > 0) {
      const retracted = await c.repo.retractedVersions();
      const allowed = versions.filter((v) => !retracted(v));
      const pick = allowed.filter((v) => semver.prerelease(v) === "").at(-1) ?? allowed.at(-1);
      if (pick !== undefined) return pick;
    }
    return (await this.query(c, "latest")).version;
  }

  /**
   * `modgate resolve MODULE@QUERY`: the version a query resolves to, its zip
   * (built into the store when needed) and both h1 sums, or the answer the
   * proxy gives instead (404 with why, 403, 5xx when GitLab fails).
   * countFiles (store/zip-entry-count.ts) is passed in by the Node CLI, the
   * only caller, so the Worker bundle does not carry it (issue 12's budget).
   */
  async summarize(modulePath: string, query: string, countFiles: (zip: StoredObject) => Promise<number>): Promise<ModuleSummary | PlainAnswer> {
    try {
      const c = await this.context(modulePath, undefined, true);
      if (isAnswer(c)) return c;
      const version = isCanonical(query) ? query : query === "latest" ? await this.goLatest(c) : (await this.query(c, query)).version;
      await this.ensureInfo(c, version);
      const info = JSON.parse(new TextDecoder().decode(await (await this.o.store.get(this.key(c, version, "info")))!.bytes())) as { Time: string; Origin: { Hash: string } };
      const zip = await this.zipObject(c, version);
      const zipHash = await this.o.store.get(`${this.key(c, version, "zip")}hash`);
      const sum = zipHash ? new TextDecoder().decode(await zipHash.bytes()).trim() : "";
      const gomod = await this.o.store.get(this.key(c, version, "mod"));
      const gomodBytes = gomod ? await gomod.bytes() : await c.repo.goMod(version);
      if (!gomod) await this.o.store.put(this.key(c, version, "mod"), gomodBytes);
      return {
        module: modulePath,
        version,
        commit: info.Origin.Hash,
        time: info.Time,
        sum,
        goModSum: goModHash(gomodBytes),
        files: await countFiles(zip),
        zipBytes: zip.size,
      };
    } catch (err) {
      return errorAnswer(err);
    }
  }

  private key(c: ModuleContext, v: string, ext: "info" | "mod" | "zip"): string {
    return `${c.escapedPath}/@v/${escapeVersion(v)}.${ext}`;
  }
}

/** A version the go command asks .mod and .zip for: canonical, pseudo-versions included. */
function isCanonical(v: string): boolean {
  return v === canonicalVersion(v);
}

/** The .info JSON as the go command writes it in direct mode: Version, Time (UTC, whole seconds), Origin. */
function infoJson(c: ModuleContext, info: ResolvedVersion): string {
  const origin: Record<string, string> = { VCS: "git", URL: c.repo.host.url };
  if (c.repo.codeDir !== "") origin.Subdir = c.repo.codeDir;
  origin.Hash = info.hash;
  if (info.ref !== undefined) origin.Ref = info.ref;
  return JSON.stringify({ Version: info.version, Time: info.time.toISOString().replace(/\.\d{3}Z$/, "Z"), Origin: origin });
}

function outcomeOf(status: number): Extract<ProxyEvent, { type: "request" }>["outcome"] {
  if (status === 200) return "ok";
  if (status === 400) return "bad-request";
  if (status === 401 || status === 403) return "forbidden";
  if (status === 404 || status === 410) return "not-found";
  return "unavailable";
}

/**
 * Not found is 404 with the go command's words; GitLab failing is a 5xx
 * that ends the client's look-up (a 404 would send the path to the next
 * proxy); anything else is our fault, 500.
 */
export function errorAnswer(err: unknown): PlainAnswer {
  if (err instanceof NotExistError || err instanceof ModuleError) return textAnswer(404, `not found: ${oneLine(err.message)}`);
  if (err instanceof GitlabUnavailable) {
    if (err.kind === "rate_limited") return textAnswer(503, "GitLab is rate-limiting modgate; try again later", { "Retry-After": "60" });
    // A timeout is 504 whatever words its reason uses (an archive GitLab took too long to start, issue 12's 80 MiB module).
    if (err.kind === "timeout") return textAnswer(504, "GitLab did not answer in time; try again later");
    return textAnswer(502, "GitLab is unavailable; try again later");
  }
  // Too large for this runtime: 507 says the server cannot hold it (a retry will not help);
  // too many builds at once in one Worker isolate: 503, worth a retry.
  if (err instanceof TooLargeError) {
    return err.transient ? textAnswer(503, err.message, { "Retry-After": "60" }) : textAnswer(507, oneLine(err.message));
  }
  console.error("modgate: proxy internal error:", err);
  return textAnswer(500, "internal error");
}

function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, " ");
}
