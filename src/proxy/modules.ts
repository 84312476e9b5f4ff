// Module path → the repository that serves it, for the proxy's requests:
// where the rules say it lives (locate, handed in by the assembly), the
// GitLab project behind it (asked again after listTtl), and one CachingRepo
// per module around a CodeRepo over that project. Only what the config and
// GitLab said is kept; who may read it is decided per request (access.ts).
// Once a module was found, a due look-up never holds its requests up while
// GitLab fails or hangs (finding 6): the last good location answers (stale)
// and the look-up goes on in the background, one at a time per module.
import { LRUCache } from "lru-cache";
import { Expiring, graceOf } from "../lib/expiring.js";
import type { GitlabClient } from "../gitlab/client.js";
import { isPubliclyReadable, type GitlabProject, type Visibility } from "../gitlab/project.js";
import type { Locate } from "./location.js";
import type { ContentStore } from "./store/store.js";
import { CodeRepo } from "./repo/code-repo.js";
import { GitlabHost, HostMemo } from "./repo/gitlab-host.js";
import { CachingRepo } from "./cache/caching-repo.js";
import type { Semaphore } from "../lib/semaphore.js";
import { escapePath } from "../module/escape.js";
import { NotExistError } from "../module/errors.js";
import type { ProxyEvent } from "./events.js";

/** Where a module lives and its project's visibility, as found at `at`. */
export interface FoundModule {
  at: number;
  /** The project look-up this rests on: when it is due again, so is this. */
  project: Expiring<GitlabProject | undefined>;
  /** The project's current full path: what the access decision asks GitLab about. */
  projectPath: string;
  /** GitLab's id of that project: access decisions and stored content are the project's, not the path's. */
  projectId: number | undefined;
  visibility: Visibility;
  /**
   * Anyone may read it (isPubliclyReadable), as the proxy's own project look-up
   * said at most listTtl ago: never discovery's cached visibility, never a
   * look-up kept past its time while GitLab fails. Public content is answered
   * without a credential and may be kept by shared caches; anything else only
   * to a reader GitLab accepts, and is that reader's alone.
   */
  isPublic: boolean;
  repo: CachingRepo;
}

/**
 * A rule maps the module path, but GitLab has no project there that modgate's
 * token can see. Answered 404 to a client with a credential; without one, 401
 * like a private project (service.ts), so anonymous clients learn nothing of
 * which non-public projects exist.
 */
export class UnknownProject extends NotExistError {
  override readonly name: string = "UnknownProject";
}

/** Discovery could not decide (GitLab failing, or its call queue full): answered 503 like a go-get answer. */
export class LocateUnavailable extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = "LocateUnavailable";
  }
}

export interface ModulesOptions {
  locate: Locate;
  client: GitlabClient;
  store: ContentStore;
  listTtlMs: number;
  now: () => number;
  onEvent?: (event: ProxyEvent) => void;
  /** The zip builds' cap, shared by every module (proxy.maxConcurrentBuilds). */
  builds?: Semaphore;
  /** How long a request waits for a due look-up of a module found before; default REFRESH_GRACE_MS. */
  refreshGraceMs?: number;
}

/**
 * A request whose module's look-up is due waits this long for it while GitLab
 * is thought up (a project made private is refused as soon as listTtl has
 * passed), then is answered from the last good look-up (stale): a hanging
 * GitLab costs one request per listTtl at most this much, never a timeout.
 */
export const REFRESH_GRACE_MS = 1_000;
/** After a failed look-up of a module found before, its requests take the last good one without asking for this long (at most listTtl). */
const RETRY_MS = 1_000;
/** A look-up in flight this long is taken to have been abandoned (work cancelled after its answer, as on Workers). */
const ABANDONED_MS = 60_000;

/** A look-up that settled for the project's last good answer (GitLab failed): not a fresh look-up. */
class StaleLookup extends Error {}

export class Modules {
  private readonly memo = new HostMemo();
  private readonly projects = new LRUCache<string, Expiring<GitlabProject | undefined>>({ max: 4096 });
  private readonly hosts = new LRUCache<string, GitlabHost>({ max: 1024 });
  private readonly repos = new LRUCache<string, CachingRepo>({ max: 4096 });
  /**
   * Module path → its project, for listTtl (as long as the project look-up
   * itself is trusted): locating the module and building its repository on
   * every request was most of a warm answer's cost after the file reads.
   */
  private readonly found = new LRUCache<string, FoundModule>({ max: 4096 });

  constructor(private readonly o: ModulesOptions) {}

  /** The clock every look-up here is timed by: a warm answer reads it once and hands it on. */
  now(): number {
    return this.o.now();
  }

  /** The module when it is known, public and fresh at `now`: the synchronous path of warm public answers. */
  peekPublic(modulePath: string, now = this.o.now()): FoundModule | undefined {
    const found = this.found.get(modulePath);
    return found && found.isPublic && this.isFresh(found, now) ? found : undefined;
  }

  /**
   * Look-ups in flight per module (one at a time), and after a failed one
   * when the next may go. Dropped once one succeeds.
   */
  private readonly lookups = new LRUCache<string, { pending?: Promise<FoundModule>; since: number; retryAt: number }>({ max: 4096 });

  /**
   * The module; NotExistError when no rule or project serves it, LocateUnavailable while that cannot be decided.
   * Found before and due again: asked again, but waited for only while GitLab
   * is thought up, and only REFRESH_GRACE_MS; otherwise (GitLab known to
   * fail, a look-up already running or just failed, the grace over, the
   * look-up failing) the last good location answers. A look-up GitLab
   * answers "no such module" is the answer (and forgets the location).
   */
  async find(modulePath: string): Promise<FoundModule> {
    const now = this.o.now();
    const found = this.found.get(modulePath);
    if (found && this.isFresh(found, now)) return found;
    if (!found) return this.lookUp(modulePath, false);
    const state = this.lookups.get(modulePath);
    if (state && (isRunning(state, now) || now < state.retryAt)) return found;
    // Started either way; nobody waits for it while GitLab is known to fail (lookUp handles its failure).
    const refresh = this.lookUp(modulePath, true);
    if (this.o.client.health.isFailing) return found;
    const answer = refresh.catch((err: unknown) => {
      if (err instanceof NotExistError) throw err;
      return found;
    });
    return graceOf(answer, this.o.refreshGraceMs ?? REFRESH_GRACE_MS, found);
  }

  /**
   * After listTtl, or once the project look-up it rests on is due (another
   * module of the project may have made it earlier), GitLab is asked again.
   * A reloaded config makes a new proxy, so its rules never meet old locations.
   */
  private isFresh(found: FoundModule, now = this.o.now()): boolean {
    return now - found.at < this.o.listTtlMs && found.project.peek(now) !== undefined;
  }

  /**
   * The module's look-up, one at a time. `again`: a location is known, so a
   * look-up that GitLab did not answer (the project's last good answer
   * served instead) is a failure, not a fresh location.
   */
  private lookUp(modulePath: string, again: boolean): Promise<FoundModule> {
    const now = this.o.now();
    const state = this.lookups.get(modulePath);
    if (state?.pending && isRunning(state, now)) return state.pending;
    const entry: { pending?: Promise<FoundModule>; since: number; retryAt: number } = { since: now, retryAt: 0 };
    const pending = this.locate(modulePath).then((found) => {
      if (again && found.project.peek() === undefined) throw new StaleLookup(`${modulePath}: GitLab did not answer the project look-up`);
      this.found.set(modulePath, found);
      if (this.lookups.get(modulePath) === entry) this.lookups.delete(modulePath);
      return found;
    });
    entry.pending = pending.catch((err: unknown) => {
      if (err instanceof NotExistError) {
        this.found.delete(modulePath);
        if (this.lookups.get(modulePath) === entry) this.lookups.delete(modulePath);
      } else {
        entry.pending = undefined;
        entry.retryAt = this.o.now() + Math.min(this.o.listTtlMs, RETRY_MS);
      }
      throw err;
    });
    // Nobody may wait for a background look-up: its failure is not unhandled.
    entry.pending.catch(() => {});
    this.lookups.set(modulePath, entry);
    return entry.pending;
  }

  private async locate(modulePath: string): Promise<FoundModule> {
    const at = this.o.now();
    const located = await this.o.locate(modulePath);
    if (located.kind === "missing") throw located.mapped ? new UnknownProject(located.reason) : new NotExistError(located.reason);
    if (located.kind === "unavailable") throw new LocateUnavailable(located.reason);
    const lookup = this.projectLookup(located.project);
    const project = await lookup.get();
    // The GitLab path is not named: it is internal, and the client needs only to know there is no module.
    if (!project) throw new UnknownProject(`${modulePath}: no such GitLab project (or modgate's token cannot see it)`);
    // Only a look-up made within listTtl grants anonymous access: Expiring hands out the last value
    // while GitLab fails, and a project made private since must not stay public through an outage.
    // (Fetched for this request counts as fresh too: with listTtl 0 nothing else ever is.)
    const fetchedAt = lookup.fetchedAt();
    const fresh = lookup.peek() !== undefined || (fetchedAt !== undefined && fetchedAt >= at);
    const isPublic = fresh && isPubliclyReadable(project);
    const url = located.repo.startsWith("http") || located.repo.startsWith("ssh") ? located.repo : `${this.o.client.url}/${project.pathWithNamespace}.git`;
    const host = this.host(project, url);
    const repoKey = `${modulePath}\u0000${located.codeRoot}\u0000${located.subdir}\u0000${project.id ?? ""}\u0000${hostKey(project, url)}`;
    let repo = this.repos.get(repoKey);
    if (!repo) {
      repo = new CachingRepo(new CodeRepo(host, { path: modulePath, codeRoot: located.codeRoot, subdir: located.subdir }), {
        store: this.o.store,
        escapedPath: storePrefix(modulePath, project),
        listTtlMs: this.o.listTtlMs,
        now: this.o.now,
        ...(this.o.onEvent ? { onEvent: this.o.onEvent } : {}),
        ...(this.o.builds ? { builds: this.o.builds } : {}),
        failing: () => this.o.client.health.isFailing,
      });
      this.repos.set(repoKey, repo);
    }
    return { at, project: lookup, projectPath: project.pathWithNamespace, projectId: project.id, visibility: project.visibility, isPublic, repo };
  }

  private host(project: GitlabProject, url: string): GitlabHost {
    const key = hostKey(project, url);
    let host = this.hosts.get(key);
    if (!host) {
      host = new GitlabHost({
        client: this.o.client,
        project: project.pathWithNamespace,
        defaultBranch: project.defaultBranch,
        url,
        listTtlMs: this.o.listTtlMs,
        now: this.o.now,
        memo: this.memo,
        zip: { spool: () => this.o.store.spool() },
      });
      this.hosts.set(key, host);
    }
    return host;
  }

  private projectLookup(path: string): Expiring<GitlabProject | undefined> {
    let entry = this.projects.get(path);
    if (!entry) {
      entry = new Expiring(this.o.listTtlMs, this.o.now, () => this.o.client.project(path));
      this.projects.set(path, entry);
    }
    return entry;
  }
}

/**
 * The store keys' prefix of a module as served from `project`: stored content
 * belongs to the GitLab project it was built from (finding 3). A path moved
 * away and a new project created at it is another id, so another key space:
 * the old project's versions are never served under the new one's rules,
 * its own are built from its repository, and the store's first write still
 * wins within each. `@p` cannot be in an escaped module path (no `@`), like `@v`.
 * A project without an id (never from GitLab's API) keeps the path's own keys.
 */
export function storePrefix(modulePath: string, project: GitlabProject): string {
  const escaped = escapePath(modulePath);
  return project.id === undefined ? escaped : `${escaped}/@p/${project.id}`;
}

function isRunning(state: { pending?: Promise<FoundModule>; since: number }, now: number): boolean {
  return state.pending !== undefined && now - state.since < ABANDONED_MS;
}

function hostKey(project: GitlabProject, url: string): string {
  return `${project.id ?? ""}\u0000${project.pathWithNamespace}\u0000${project.defaultBranch}\u0000${url}`;
}
