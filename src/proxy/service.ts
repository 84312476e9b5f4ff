// The module proxy: from a parsed request to an answer. The way a request
// takes, in order: where the module lives (locate) → who may read it
// (access) → the immutable store → GitLab, once per version at a time.
import { LRUCache } from "lru-cache";
import type { Router } from "../core/router.js";
import { dataAnswer, textAnswer, type PlainAnswer } from "../core/responses.js";
import { GitlabUnavailable } from "../discovery/gitlab-failure.js";
import { GitlabClient, type GitlabProjectInfo } from "./gitlab/client.js";
import { decideAccess } from "./access.js";
import { locateModule } from "./locate.js";
import type { ProxyEndpoint, ProxyRequest } from "./request.js";
import { CodeRepo, canonicalVersion, type ResolvedVersion } from "./repo/code-repo.js";
import { GitlabHost, HostMemo } from "./repo/gitlab-host.js";
import { NotExistError } from "./repo/errors.js";
import { ModuleError } from "./module/errors.js";
import { escapePath, escapeVersion } from "./module/escape.js";
import { goDirective } from "./module/modfile.js";
import type { ContentStore } from "./store/store.js";
import { checkFiles, checkedFilesError } from "./zip/check-files.js";
import { createModuleZip } from "./zip/module-zip.js";
import { Expiring } from "./cache/expiring.js";
import { isPseudoVersion } from "./module/pseudo.js";
import { MAX_REMEMBERED_BYTES, StoredAnswers } from "./cache/stored-answers.js";

export interface ProxyServiceOptions {
  router: () => Router;
  store: ContentStore;
  gitlab: { url: string; token?: string; apiTimeoutMs: number };
  listTtlSeconds: number;
  fetch?: typeof fetch;
  now?: () => number;
  onEvent?: (event: ProxyEvent) => void;
}

export type ProxyEvent =
  | { type: "request"; endpoint: string; outcome: "ok" | "not-found" | "forbidden" | "unavailable" | "bad-request"; fromStore?: boolean; bytes?: number }
  | { type: "zip-build"; module: string; version: string; files: number; bytes: number; ms: number }
  | { type: "gitlab-call"; endpoint: string; status: number; ms: number };

const IMMUTABLE = "public, max-age=31536000, immutable";
const JSON_TYPE = "application/json";
const TEXT_TYPE = "text/plain; charset=utf-8";
const ZIP_TYPE = "application/zip";

interface ModuleContext {
  modulePath: string;
  /** escapePath(modulePath), the store keys' prefix: made once per module, not per request. */
  escapedPath: string;
  repo: CodeRepo;
}

/** Where a module lives and its project's visibility, as found at `at` under `router`. */
interface Located {
  router: Router;
  at: number;
  /** The project look-up this rests on: when it is due again, so is this. */
  project: Expiring<GitlabProjectInfo | undefined>;
  visibility: "public" | "internal" | "private";
  context: ModuleContext;
}

export class ProxyService {
  private readonly client: GitlabClient;
  private readonly memo = new HostMemo();
  private readonly now: () => number;
  private readonly listTtlMs: number;
  private readonly projects = new LRUCache<string, Expiring<GitlabProjectInfo | undefined>>({ max: 4096 });
  private readonly hosts = new LRUCache<string, GitlabHost>({ max: 1024 });
  private readonly lists = new LRUCache<string, Expiring<string[]>>({ max: 4096 });
  private readonly queries = new LRUCache<string, { at: number; value: Promise<ResolvedVersion> }>({ max: 8192 });
  private readonly builds = new Map<string, Promise<void>>();
  /**
   * Module path → its project, for listTtl (as long as the project look-up
   * itself is trusted): locating the module and building its repository on
   * every request was most of a warm answer's cost after the file reads.
   * Only what the config and GitLab said is kept; the access decision runs
   * on every request.
   */
  private readonly located = new LRUCache<string, Located>({ max: 4096 });
  private readonly stored = new StoredAnswers();
  /** The list answer per list fetched: built once per refresh, not once per request. */
  private readonly listAnswers = new WeakMap<string[], PlainAnswer>();

  constructor(private readonly o: ProxyServiceOptions) {
    this.now = o.now ?? Date.now;
    this.listTtlMs = o.listTtlSeconds * 1000;
    this.client = new GitlabClient({
      ...o.gitlab,
      ...(o.fetch ? { fetch: o.fetch } : {}),
      onCall: (endpoint, status, ms) => o.onEvent?.({ type: "gitlab-call", endpoint, status, ms }),
    });
  }

  /**
   * Synchronous when the answer is already known (remembered stored content,
   * a fresh list): a warm proxy answer then costs what a literal go-get hit
   * costs, with no promise chain (the last quarter of the gap to the bare
   * node:http limit in `npm run bench`, docs/benchmarks.md).
   */
  handle(request: ProxyRequest): PlainAnswer | Promise<PlainAnswer> {
    if (request.kind === "module") {
      const known = this.known(request.modulePath, request.endpoint, request.version);
      if (known) return this.count(request.endpoint, outcomeOf(known.status), known);
    }
    return this.handleAsync(request);
  }

  /**
   * The answer when every piece of it is in memory and fresh: the module's
   * location, the access decision (made here too, every time), and the
   * remembered content. undefined: take the long way.
   */
  private known(modulePath: string, endpoint: ProxyEndpoint, version: string | undefined): PlainAnswer | undefined {
    const found = this.located.get(modulePath);
    if (!found || !this.isFresh(found, this.o.router())) return undefined;
    const denied = decideAccess({ modulePath, visibility: found.visibility });
    if (denied) return denied;
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

  private async handleAsync(request: ProxyRequest): Promise<PlainAnswer> {
    if (request.kind === "sumdb") return this.count("sumdb", "not-found", textAnswer(404, "not found: this proxy does not serve the checksum database"));
    if (request.kind === "bad") return this.count("bad", "bad-request", textAnswer(400, `bad request: ${request.reason}`));
    const { modulePath, endpoint, version } = request;
    try {
      const context = await this.context(modulePath);
      if (context instanceof Object && "status" in context) return this.count(endpoint, outcomeOf(context.status), context);
      const answer = await this.answer(context, endpoint, version);
      return this.count(endpoint, "ok", answer);
    } catch (err) {
      const answer = errorAnswer(err);
      return this.count(endpoint, outcomeOf(answer.status), answer);
    }
  }

  private count(endpoint: string, outcome: Extract<ProxyEvent, { type: "request" }>["outcome"], answer: PlainAnswer): PlainAnswer {
    this.o.onEvent?.({ type: "request", endpoint, outcome });
    return answer;
  }

  /** Where the module lives and whether this client may read it; an answer when it stops there. */
  private async context(modulePath: string): Promise<ModuleContext | PlainAnswer> {
    const router = this.o.router();
    let found = this.located.get(modulePath);
    if (!found || !this.isFresh(found, router)) {
      const looked = await this.locate(router, modulePath);
      if (!("context" in looked)) return looked;
      found = looked;
      this.located.set(modulePath, found);
    }
    const denied = decideAccess({ modulePath, visibility: found.visibility });
    if (denied) return denied;
    return found.context;
  }

  /**
   * A reloaded config (a new router) may map the path elsewhere; after
   * listTtl, or once the project look-up it rests on is due (another module
   * of the project may have made it earlier), GitLab is asked again.
   */
  private isFresh(found: Located, router: Router): boolean {
    return found.router === router && this.now() - found.at < this.listTtlMs && found.project.peek() !== undefined;
  }

  private async locate(router: Router, modulePath: string): Promise<Located | PlainAnswer> {
    const at = this.now();
    const located = await locateModule(router, modulePath);
    if (located.kind === "missing") return textAnswer(404, `not found: ${located.reason}`);
    if (located.kind === "unavailable") throw new GitlabUnavailable("unreachable", located.reason);
    const lookup = this.projectLookup(located.project);
    const project = await lookup.get();
    if (!project) return textAnswer(404, `not found: ${modulePath}: GitLab has no project ${located.project}`);
    const visibility = located.module.visibility ?? project.visibility;
    const url = located.module.repo.startsWith("http") || located.module.repo.startsWith("ssh") ? located.module.repo : `${this.o.gitlab.url}/${project.pathWithNamespace}.git`;
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
    const context = { modulePath, escapedPath: escapePath(modulePath), repo: new CodeRepo(host, { path: modulePath, codeRoot: located.codeRoot, subdir: located.subdir }) };
    return { router, at, project: lookup, visibility, context };
  }

  private projectLookup(path: string): Expiring<GitlabProjectInfo | undefined> {
    let entry = this.projects.get(path);
    if (!entry) {
      entry = new Expiring(this.listTtlMs, this.now, () => this.client.project(path));
      this.projects.set(path, entry);
    }
    return entry;
  }

  private async answer(c: ModuleContext, endpoint: Exclude<ProxyRequest, { kind: "sumdb" | "bad" }>["endpoint"], version: string | undefined): Promise<PlainAnswer> {
    const listCache = `public, max-age=${this.o.listTtlSeconds}`;
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
          if (known) return known;
          const stored = await this.o.store.get(key);
          if (stored) return this.stored.remember(key, dataAnswer(200, JSON_TYPE, await stored.bytes(), IMMUTABLE));
          const info = await c.repo.stat(v);
          const body = new TextEncoder().encode(infoJson(c, info));
          await this.o.store.put(key, body);
          return dataAnswer(200, JSON_TYPE, body, IMMUTABLE);
        }
        const info = await this.query(c, v);
        return dataAnswer(200, JSON_TYPE, infoJson(c, info), listCache);
      }
      case "mod": {
        const v = this.requireCanonical(c, version!);
        const key = this.key(c, v, "mod");
        const known = this.stored.get(key);
        if (known) return known;
        const stored = await this.o.store.get(key);
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
        if (known) return known;
        let stored = await this.o.store.get(key);
        if (!stored) {
          await this.build(c, v, key);
          stored = await this.o.store.get(key);
          if (!stored) throw new Error(`the zip of ${c.modulePath}@${v} was built but is not in the store`);
        }
        const object = stored;
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
    const key = this.key(c, v, "info");
    if (await this.o.store.get(key)) return;
    const info = await c.repo.stat(v);
    await this.o.store.put(key, new TextEncoder().encode(infoJson(c, info)));
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
      entry = new Expiring(this.listTtlMs, this.now, () => c.repo.versions());
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
    value.catch(() => this.queries.delete(key));
    return value;
  }

  private key(c: ModuleContext, v: string, ext: "info" | "mod" | "zip"): string {
    return `${c.escapedPath}/@v/${escapeVersion(v)}.${ext}`;
  }
}

/** A version the go command asks .mod and .zip for: canonical, pseudo-versions included. */
function isCanonical(v: string): boolean {
  return v === canonicalVersion(v) || (isPseudoVersion(v) && v === canonicalVersion(v));
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
    if (err.status === 429) return textAnswer(503, "GitLab is rate-limiting modgate; try again later", { "Retry-After": "60" });
    if (/did not answer within/.test(err.reason)) return textAnswer(504, "GitLab did not answer in time; try again later");
    return textAnswer(502, "GitLab is unavailable; try again later");
  }
  console.error("modgate: proxy internal error:", err);
  return textAnswer(500, "internal error");
}

function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, " ");
}
