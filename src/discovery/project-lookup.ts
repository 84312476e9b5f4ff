// Path look-ups — is this full path a project, a group, or nothing? — with a
// cache, one look-up in flight per path, stale answers while GitLab fails,
// and nothing asked while GitLab is known to fail (the GitLab client's
// circuit, src/gitlab/client.ts, which also holds the cap on calls in flight).
// The go command asks for every prefix of a package at once, so a burst for
// one package must cost one call per path. GitLab resolves paths in any
// letter case, so look-ups are keyed by the case-folded path: made-up case
// variants of a real project share its entry instead of evicting it.
import type { CompiledDiscovery } from "../core/compiled.js";
import type { LookupCache, CachedLookup, PathAnswer } from "./lookup-cache.js";
import type { GitlabClient, GitlabProject } from "../gitlab/client.js";
import { clientReason, GitlabUnavailable, type FailureCause } from "../gitlab/failure.js";
import { isGitlabFailure } from "../gitlab/health.js";

/** How long an entry stays usable as a stale fallback after its TTL. */
export const STALE_KEEP_SECONDS = 24 * 3600;

/** freshUntil: epoch ms until which the answer may be reused without asking again; absent when stale. */
export type LookupResult =
  | { kind: "found"; project: GitlabProject; stale: boolean; freshUntil?: number }
  | { kind: "group"; fullPath: string; freshUntil?: number }
  | { kind: "missing"; freshUntil?: number }
  /** reason: what clients may be told; detail: the operator's why. */
  | { kind: "unavailable"; reason: string; cause: FailureCause; detail: string };

/** What one look-up did, for `modgate resolve`, metrics and logs. Never carries the token. */
export interface LookupEvent {
  path: string;
  /** held: not asked, GitLab is known to fail (or too many calls are waiting). */
  source: "cache" | "api" | "stale" | "held";
  outcome: "found" | "group" | "missing" | "unavailable";
  /** For API look-ups: the HTTP status that decided it (when there was one) and the time taken. */
  status?: number;
  ms?: number;
  /** The project's or group's current path when found; the operator's reason when unavailable. */
  detail?: string;
  /** Why GitLab was unavailable, from a fixed set (a metrics label). */
  cause?: FailureCause;
}

export interface ProjectLookupOptions {
  /** The assembly's one GitLab client: its cap on calls, its circuit (health) and its clock are the look-ups' too. */
  client: GitlabClient;
  discovery: CompiledDiscovery;
  cache: LookupCache;
  onEvent?: (event: LookupEvent) => void;
}

export class ProjectLookup {
  private readonly inFlight = new Map<string, Promise<LookupResult>>();
  /** The clock of look-ups (and of the answers that rest on them): the client's, which its circuit runs on. */
  readonly now: () => number;
  /** Cache keys name the GitLab and the token: a rotated token never serves what the old one saw. */
  private readonly keyPrefix: string;
  private readonly client: GitlabClient;

  constructor(private readonly options: ProjectLookupOptions) {
    this.client = options.client;
    this.now = options.client.now;
    // "v2": entries say project, group or nothing; older entries (Workers' Cache API) are not read.
    this.keyPrefix = `v2\u0000${options.client.identity}\u0000`;
  }

  /** What `fullPath` is in GitLab. */
  async lookup(fullPath: string): Promise<LookupResult> {
    const key = this.keyPrefix + fullPath.toLowerCase();
    const cached = await this.options.cache.get(key);
    if (cached && this.isFresh(cached)) {
      this.emit({ path: fullPath, source: "cache", ...describe(cached.answer) });
      return toResult(cached.answer, this.expiry(cached));
    }
    const joined = this.inFlight.get(key);
    if (joined) return this.withDeadline(joined, fullPath, cached);
    // While GitLab is known to fail, only the probe asks; everyone else gets what there is at once.
    const health = this.client.health;
    const probe = health.isFailing;
    if (probe && !health.claimProbe()) {
      if (cached) return this.serveStale(fullPath, cached);
      return this.unavailable(fullPath, health.heldBack());
    }
    const pending = this.callApi(key, fullPath, cached, probe).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, pending);
    return pending;
  }

  /**
   * Another request's look-up, awaited with a deadline of our own: that
   * request may be cancelled (a Worker's client going away cancels its I/O),
   * and we must not wait forever for it.
   */
  private withDeadline(joined: Promise<LookupResult>, fullPath: string, stale: CachedLookup | undefined): Promise<LookupResult> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<LookupResult>((resolve) => {
      timer = setTimeout(() => {
        const timeout = this.client.apiTimeoutMs;
        resolve(
          stale
            ? this.serveStale(fullPath, stale)
            : this.unavailable(fullPath, new GitlabUnavailable("timeout", `GitLab did not answer within ${timeout / 1000} s`)),
        );
      }, this.client.callDeadlineMs);
    });
    return Promise.race([joined, deadline]).finally(() => clearTimeout(timer));
  }

  private serveStale(fullPath: string, stale: CachedLookup): LookupResult {
    this.emit({ path: fullPath, source: "stale", ...describe(stale.answer) });
    return toResult(stale.answer, undefined);
  }

  /** A look-up not sent (GitLab known to fail, too many calls waiting). */
  private unavailable(fullPath: string, err: GitlabUnavailable): LookupResult {
    this.emit({ path: fullPath, source: "held", outcome: "unavailable", detail: err.reason, cause: err.kind });
    return unavailableResult(err);
  }

  private expiry(entry: CachedLookup): number {
    const { cacheTtlSeconds, negativeCacheTtlSeconds } = this.options.discovery;
    return entry.fetchedAt + (entry.answer.kind === "none" ? negativeCacheTtlSeconds : cacheTtlSeconds) * 1000;
  }

  private isFresh(entry: CachedLookup): boolean {
    return this.now() < this.expiry(entry);
  }

  private async callApi(key: string, fullPath: string, stale: CachedLookup | undefined, probe: boolean): Promise<LookupResult> {
    const started = this.now();
    try {
      // The client refuses every call while modgate is misconfigured (the token's secret not set).
      const answer = await this.askGitlab(fullPath, probe);
      // Once per look-up, both calls settled: the client leaves a look-up's success to it (src/gitlab/client.ts, Role).
      this.client.health.succeeded();
      const entry: CachedLookup = { answer, fetchedAt: this.now() };
      const ttl = answer.kind === "none" ? this.options.discovery.negativeCacheTtlSeconds : this.options.discovery.cacheTtlSeconds;
      try {
        await this.options.cache.set(key, entry, ttl + STALE_KEEP_SECONDS);
      } catch (err) {
        // Remembering is an optimisation: the answer GitLab gave still stands.
        console.error("modgate: discovery cache write failed:", err);
      }
      this.emit({ path: fullPath, source: "api", status: answer.kind === "none" ? 404 : 200, ms: this.now() - started, ...describe(answer) });
      return toResult(answer, this.expiry(entry));
    } catch (err) {
      if (!(err instanceof GitlabUnavailable)) throw err;
      const failure = isGitlabFailure(err);
      this.emit({
        path: fullPath,
        source: failure ? "api" : "held",
        outcome: "unavailable",
        status: err.status,
        ms: this.now() - started,
        detail: err.reason,
        cause: err.kind,
      });
      if (failure) this.client.health.failed(err);
      if (stale) return this.serveStale(fullPath, stale);
      return unavailableResult(err);
    }
  }

  /**
   * Both questions at once (one round trip): GitLab's paths are unique across
   * projects and groups, so a found one settles it even if the other call failed.
   */
  private async askGitlab(fullPath: string, probe: boolean): Promise<PathAnswer> {
    // Each call takes a slot of the client's cap, and is dropped if GitLab was found failing while it
    // waited for it (unless it is the probe); its failure opens the circuit before the slot is handed on.
    const [project, group] = await Promise.allSettled([this.client.project(fullPath, { probe }), this.client.group(fullPath, { probe })]);
    if (project.status === "fulfilled" && project.value) return { kind: "project", project: project.value };
    if (group.status === "fulfilled" && group.value) return { kind: "group", fullPath: group.value.fullPath };
    if (project.status === "rejected") throw project.reason;
    if (group.status === "rejected") throw group.reason;
    return { kind: "none" };
  }

  private emit(event: LookupEvent): void {
    this.options.onEvent?.(event);
  }
}

function unavailableResult(err: GitlabUnavailable): LookupResult {
  return { kind: "unavailable", reason: clientReason(err.kind), cause: err.kind, detail: err.reason };
}

/** freshUntil undefined: a stale answer, served because GitLab failed. */
function toResult(answer: PathAnswer, freshUntil: number | undefined): LookupResult {
  const fresh = freshUntil === undefined ? {} : { freshUntil };
  if (answer.kind === "project") return { kind: "found", project: answer.project, stale: freshUntil === undefined, ...fresh };
  if (answer.kind === "group") return { kind: "group", fullPath: answer.fullPath, ...fresh };
  return { kind: "missing", ...fresh };
}

function describe(answer: PathAnswer): Pick<LookupEvent, "outcome" | "detail"> {
  if (answer.kind === "project") return { outcome: "found", detail: answer.project.pathWithNamespace };
  if (answer.kind === "group") return { outcome: "group", detail: answer.fullPath };
  return { outcome: "missing" };
}
