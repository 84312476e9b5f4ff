// Module path → the repository that serves it, for the proxy's requests:
// where the rules say it lives (locate, handed in by the assembly), the
// GitLab project behind it (asked again after listTtl), and one CachingRepo
// per module around a CodeRepo over that project. Only what the config and
// GitLab said is kept; who may read it is decided per request (access.ts).
import { LRUCache } from "lru-cache";
import { Expiring } from "../lib/expiring.js";
import type { GitlabClient } from "../gitlab/client.js";
import type { GitlabProject, Visibility } from "../gitlab/project.js";
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
  visibility: Visibility;
  /** Public content may be kept by shared caches; anything else is the reader's alone. */
  isPublic: boolean;
  repo: CachingRepo;
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
}

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

  /** The module; NotExistError when no rule or project serves it, LocateUnavailable while that cannot be decided. */
  async find(modulePath: string): Promise<FoundModule> {
    let found = this.found.get(modulePath);
    if (!found || !this.isFresh(found)) {
      found = await this.locate(modulePath);
      this.found.set(modulePath, found);
    }
    return found;
  }

  /**
   * After listTtl, or once the project look-up it rests on is due (another
   * module of the project may have made it earlier), GitLab is asked again.
   * A reloaded config makes a new proxy, so its rules never meet old locations.
   */
  private isFresh(found: FoundModule, now = this.o.now()): boolean {
    return now - found.at < this.o.listTtlMs && found.project.peek(now) !== undefined;
  }

  private async locate(modulePath: string): Promise<FoundModule> {
    const at = this.o.now();
    const located = await this.o.locate(modulePath);
    if (located.kind === "missing") throw new NotExistError(located.reason);
    if (located.kind === "unavailable") throw new LocateUnavailable(located.reason);
    const lookup = this.projectLookup(located.project);
    const project = await lookup.get();
    // The GitLab path is not named: it is internal, and the client needs only to know there is no module.
    if (!project) throw new NotExistError(`${modulePath}: no such GitLab project (or modgate's token cannot see it)`);
    const visibility = located.visibility ?? project.visibility;
    const url = located.repo.startsWith("http") || located.repo.startsWith("ssh") ? located.repo : `${this.o.client.url}/${project.pathWithNamespace}.git`;
    const host = this.host(project, url);
    const repoKey = `${modulePath}\u0000${located.codeRoot}\u0000${located.subdir}\u0000${hostKey(project, url)}`;
    let repo = this.repos.get(repoKey);
    if (!repo) {
      repo = new CachingRepo(new CodeRepo(host, { path: modulePath, codeRoot: located.codeRoot, subdir: located.subdir }), {
        store: this.o.store,
        escapedPath: escapePath(modulePath),
        listTtlMs: this.o.listTtlMs,
        now: this.o.now,
        ...(this.o.onEvent ? { onEvent: this.o.onEvent } : {}),
        ...(this.o.builds ? { builds: this.o.builds } : {}),
      });
      this.repos.set(repoKey, repo);
    }
    return { at, project: lookup, projectPath: project.pathWithNamespace, visibility, isPublic: visibility === "public", repo };
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

function hostKey(project: GitlabProject, url: string): string {
  return `${project.pathWithNamespace}\u0000${project.defaultBranch}\u0000${url}`;
}
