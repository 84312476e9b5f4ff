// Project look-ups with a cache, one API call in flight per project path,
// and stale answers while GitLab fails. The go command asks for every prefix
// of a package at once, so a burst for one package must cost one call per path.
import type { CompiledDiscovery } from "../core/compiled.js";
import type { LookupCache, CachedLookup } from "./lookup-cache.js";
import { fetchProject, GitlabUnavailable, type ApiSettings, type GitlabProject, type ProjectAnswer } from "./gitlab-api.js";

/** How long an entry stays usable as a stale fallback after its TTL. */
export const STALE_KEEP_SECONDS = 24 * 3600;

/**
 * After GitLab fails, for this long a look-up with a stale answer serves it at
 * once instead of waiting out another timeout; paths with nothing cached still
 * ask (they have nothing better to give).
 */
export const FAILURE_BACKOFF_MS = 5_000;

/** A request that joins another's API call waits at most this much longer than the call's own timeout. */
const JOIN_GRACE_MS = 500;

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
  cache: LookupCache;
  /** Set when the token could not be resolved (a Worker secret not set): every call is refused with this reason. */
  misconfigured?: string;
  fetch?: typeof fetch;
  now?: () => number;
  onEvent?: (event: LookupEvent) => void;
}

export class ProjectLookup {
  private readonly inFlight = new Map<string, Promise<LookupResult>>();
  /** The clock of look-ups (and of the answers that rest on them). */
  readonly now: () => number;
  /** Cache keys name the GitLab and the token: a rotated token never serves what the old one saw. */
  private readonly keyPrefix: string;
  private failingUntil = 0;

  constructor(private readonly options: ProjectLookupOptions) {
    this.now = options.now ?? Date.now;
    this.keyPrefix = `${options.api.url}\u0000${fingerprint(options.api.token ?? "")}\u0000`;
  }

  async lookup(fullPath: string): Promise<LookupResult> {
    const key = this.keyPrefix + fullPath;
    const cached = await this.options.cache.get(key);
    if (cached && this.isFresh(cached)) {
      this.emit({ path: fullPath, source: "cache", ...describe(cached.answer) });
      return toResult(cached.answer, this.expiry(cached));
    }
    if (cached && this.now() < this.failingUntil) return this.serveStale(fullPath, cached);
    const joined = this.inFlight.get(key);
    if (joined) return this.withDeadline(joined, fullPath, cached);
    const pending = this.callApi(key, fullPath, cached).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, pending);
    return pending;
  }

  /**
   * Another request's API call, awaited with a deadline of our own: that
   * request may be cancelled (a Worker's client going away cancels its I/O),
   * and we must not wait forever for it.
   */
  private withDeadline(joined: Promise<LookupResult>, fullPath: string, stale: CachedLookup | undefined): Promise<LookupResult> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<LookupResult>((resolve) => {
      timer = setTimeout(() => {
        resolve(stale ? this.serveStale(fullPath, stale) : { kind: "unavailable", reason: `GitLab did not answer within ${this.options.api.apiTimeoutMs / 1000} s` });
      }, this.options.api.apiTimeoutMs + JOIN_GRACE_MS);
    });
    return Promise.race([joined, deadline]).finally(() => clearTimeout(timer));
  }

  private serveStale(fullPath: string, stale: CachedLookup): LookupResult {
    this.emit({ path: fullPath, source: "stale", ...describe(stale.answer) });
    return toResult(stale.answer, undefined);
  }

  private expiry(entry: CachedLookup): number {
    const { cacheTtlSeconds, negativeCacheTtlSeconds } = this.options.discovery;
    return entry.fetchedAt + (entry.answer.found ? cacheTtlSeconds : negativeCacheTtlSeconds) * 1000;
  }

  private isFresh(entry: CachedLookup): boolean {
    return this.now() < this.expiry(entry);
  }

  private async callApi(key: string, fullPath: string, stale: CachedLookup | undefined): Promise<LookupResult> {
    const started = this.now();
    try {
      if (this.options.misconfigured) throw new GitlabUnavailable(this.options.misconfigured);
      const answer = await fetchProject(this.options.api, fullPath, this.options.fetch);
      this.failingUntil = 0;
      const entry: CachedLookup = { answer, fetchedAt: this.now() };
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
      this.failingUntil = this.now() + FAILURE_BACKOFF_MS;
      if (stale) return this.serveStale(fullPath, stale);
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

/** FNV-1a of the token: enough to tell tokens apart in cache keys, and not the token. */
function fingerprint(token: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < token.length; i++) {
    hash ^= token.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16);
}

function describe(answer: ProjectAnswer): Pick<LookupEvent, "outcome" | "detail"> {
  return answer.found ? { outcome: "found", detail: answer.project.pathWithNamespace } : { outcome: "missing" };
}
