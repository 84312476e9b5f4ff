// Project look-ups with a cache, one API call in flight per project path,
// and stale answers while GitLab fails. The go command asks for every prefix
// of a package at once, so a burst for one package must cost one call per path.
import type { CompiledDiscovery } from "../core/compiled.js";
import type { AnswerCache, CachedAnswer } from "./answer-cache.js";
import { fetchProject, GitlabUnavailable, type ApiSettings, type GitlabProject, type ProjectAnswer } from "./gitlab-api.js";

/** How long an entry stays usable as a stale fallback after its TTL. */
export const STALE_KEEP_SECONDS = 24 * 3600;

/** freshUntil: epoch ms until which the answer may be reused without asking again; absent when stale. */
export type LookupResult =
  | { kind: "found"; project: GitlabProject; stale: boolean; freshUntil?: number }
  | { kind: "missing"; freshUntil?: number }
  | { kind: "unavailable"; reason: string };

/** What one look-up did, for `modgate resolve`, metrics and logs. Never carries the token. */
export interface LookupEvent {
  path: string;
  source: "cache" | "api" | "stale";
  outcome: "found" | "missing" | "unavailable";
  /** For API calls: the HTTP status (when there was one) and the time taken. */
  status?: number;
  ms?: number;
  /** The project's current path when found; the reason when unavailable. */
  detail?: string;
}

export interface ProjectLookupOptions {
  api: ApiSettings;
  discovery: CompiledDiscovery;
  cache: AnswerCache;
  /** Set when the token could not be resolved (a Worker secret not set): every call is refused with this reason. */
  misconfigured?: string;
  fetch?: typeof fetch;
  now?: () => number;
  onEvent?: (event: LookupEvent) => void;
}

export class ProjectLookup {
  private readonly inFlight = new Map<string, Promise<LookupResult>>();
  private readonly now: () => number;

  constructor(private readonly options: ProjectLookupOptions) {
    this.now = options.now ?? Date.now;
  }

  async lookup(fullPath: string): Promise<LookupResult> {
    const key = `${this.options.api.url}\u0000${fullPath}`;
    const cached = await this.options.cache.get(key);
    if (cached && this.isFresh(cached)) {
      this.emit({ path: fullPath, source: "cache", ...describe(cached.answer) });
      return toResult(cached.answer, this.expiry(cached));
    }
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.callApi(key, fullPath, cached).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  private expiry(entry: CachedAnswer): number {
    const { cacheTtlSeconds, negativeCacheTtlSeconds } = this.options.discovery;
    return entry.fetchedAt + (entry.answer.found ? cacheTtlSeconds : negativeCacheTtlSeconds) * 1000;
  }

  private isFresh(entry: CachedAnswer): boolean {
    return this.now() < this.expiry(entry);
  }

  private async callApi(key: string, fullPath: string, stale: CachedAnswer | undefined): Promise<LookupResult> {
    const started = this.now();
    try {
      if (this.options.misconfigured) throw new GitlabUnavailable(this.options.misconfigured);
      const answer = await fetchProject(this.options.api, fullPath, this.options.fetch);
      const entry: CachedAnswer = { answer, fetchedAt: this.now() };
      const ttl = answer.found ? this.options.discovery.cacheTtlSeconds : this.options.discovery.negativeCacheTtlSeconds;
      try {
        await this.options.cache.set(key, entry, ttl + STALE_KEEP_SECONDS);
      } catch (err) {
        // Remembering is an optimisation: the answer GitLab gave still stands.
        console.error("modgate: discovery cache write failed:", err);
      }
      this.emit({ path: fullPath, source: "api", status: answer.found ? 200 : 404, ms: this.now() - started, ...describe(answer) });
      return toResult(answer, this.expiry(entry));
    } catch (err) {
      if (!(err instanceof GitlabUnavailable)) throw err;
      this.emit({ path: fullPath, source: "api", outcome: "unavailable", status: err.status, ms: this.now() - started, detail: err.reason });
      if (stale) {
        this.emit({ path: fullPath, source: "stale", ...describe(stale.answer) });
        return toResult(stale.answer, undefined);
      }
      return { kind: "unavailable", reason: err.reason };
    }
  }

  private emit(event: LookupEvent): void {
    this.options.onEvent?.(event);
  }
}

/** freshUntil undefined: a stale answer, served because GitLab failed. */
function toResult(answer: ProjectAnswer, freshUntil: number | undefined): LookupResult {
  const fresh = freshUntil === undefined ? {} : { freshUntil };
  return answer.found ? { kind: "found", project: answer.project, stale: freshUntil === undefined, ...fresh } : { kind: "missing", ...fresh };
}

function describe(answer: ProjectAnswer): Pick<LookupEvent, "outcome" | "detail"> {
  return answer.found ? { outcome: "found", detail: answer.project.pathWithNamespace } : { outcome: "missing" };
}
