// Path look-ups — is this full path a project, a group, or nothing? — with a
// cache, one look-up in flight per path, stale answers while GitLab fails, a
// cap on API calls in flight and a circuit while GitLab is known to fail.
// The go command asks for every prefix of a package at once, so a burst for
// one package must cost one call per path. GitLab resolves paths in any
// letter case, so look-ups are keyed by the case-folded path: made-up case
// variants of a real project share its entry instead of evicting it.
import type { CompiledDiscovery } from "../core/compiled.js";
import type { LookupCache, CachedLookup, PathAnswer } from "./lookup-cache.js";
import { fetchGroup, fetchProject, type ApiSettings, type GitlabProject } from "../gitlab/projects-api.js";
import { clientReason, GitlabUnavailable, type FailureCause } from "../gitlab/failure.js";
import { CallGate } from "../gitlab/call-gate.js";
import { GitlabHealth, GitlabHeldBack, type GitlabState } from "../gitlab/health.js";
import { DEFAULTS } from "../core/defaults.js";

/** How long an entry stays usable as a stale fallback after its TTL. */
export const STALE_KEEP_SECONDS = 24 * 3600;

/**
 * After GitLab fails, for this long look-ups are not sent: a stale answer is
 * served at once, a path with nothing cached gets a 503 at once. Then one
 * look-up at a time probes GitLab.
 */
export const FAILURE_BACKOFF_MS = 5_000;

/** A request that joins another's look-up waits at most this much longer than the call's own timeout. */
const JOIN_GRACE_MS = 500;

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
  api: ApiSettings & { maxConcurrentCalls?: number };
  discovery: CompiledDiscovery;
  cache: LookupCache;
  /** Set when the token could not be resolved (a Worker secret not set): every call is refused with this reason. */
  misconfigured?: string;
  fetch?: typeof fetch;
  now?: () => number;
  onEvent?: (event: LookupEvent) => void;
  /** Called once per change of GitLab's state (failing with a cause, recovered). */
  onStateChange?: (state: GitlabState) => void;
}

export class ProjectLookup {
  private readonly inFlight = new Map<string, Promise<LookupResult>>();
  /** The clock of look-ups (and of the answers that rest on them). */
  readonly now: () => number;
  /** Cache keys name the GitLab and the token: a rotated token never serves what the old one saw. */
  private readonly keyPrefix: string;
  /** Shared with the module proxy's GitLab calls: one cap on sockets to GitLab per router. */
  readonly gate: CallGate;
  /** GitLab's state; the module proxy's calls report to it too (src/discovery/create-router.ts). */
  readonly health: GitlabHealth;

  constructor(private readonly options: ProjectLookupOptions) {
    this.now = options.now ?? Date.now;
    // "v2": entries say project, group or nothing; older entries (Workers' Cache API) are not read.
    this.keyPrefix = `v2\u0000${options.api.url}\u0000${fingerprint(options.api.token ?? "")}\u0000`;
    const timeout = options.api.apiTimeoutMs;
    this.gate = new CallGate(options.api.maxConcurrentCalls ?? DEFAULTS.gitlab.maxConcurrentCalls, timeout);
    this.health = new GitlabHealth(this.now, FAILURE_BACKOFF_MS, 2 * timeout + JOIN_GRACE_MS, options.onStateChange);
  }

  /** API calls in flight now (for tests and metrics). */
  get callsInFlight(): number {
    return this.gate.active;
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
    const probe = this.health.isFailing;
    if (probe && !this.health.claimProbe()) {
      if (cached) return this.serveStale(fullPath, cached);
      return this.unavailable(fullPath, this.health.heldBack());
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
        const timeout = this.options.api.apiTimeoutMs;
        resolve(stale ? this.serveStale(fullPath, stale) : this.unavailable(fullPath, new GitlabUnavailable("timeout", `GitLab did not answer within ${timeout / 1000} s`)));
      }, 2 * this.options.api.apiTimeoutMs + JOIN_GRACE_MS);
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
      if (this.options.misconfigured) throw new GitlabUnavailable("misconfigured", this.options.misconfigured);
      const answer = await this.askGitlab(fullPath, probe);
      this.health.succeeded();
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
      this.emit({ path: fullPath, source: failure ? "api" : "held", outcome: "unavailable", status: err.status, ms: this.now() - started, detail: err.reason, cause: err.kind });
      if (failure) this.health.failed(err);
      if (stale) return this.serveStale(fullPath, stale);
      return unavailableResult(err);
    }
  }

  /**
   * Both questions at once (one round trip): GitLab's paths are unique across
   * projects and groups, so a found one settles it even if the other call failed.
   */
  private async askGitlab(fullPath: string, probe: boolean): Promise<PathAnswer> {
    const fetchFn = this.options.fetch;
    const [project, group] = await Promise.allSettled([
      this.call(() => fetchProject(this.options.api, fullPath, fetchFn), probe),
      this.call(() => fetchGroup(this.options.api, fullPath, fetchFn), probe),
    ]);
    if (project.status === "fulfilled" && project.value.found) return { kind: "project", project: project.value.project };
    if (group.status === "fulfilled" && group.value.found) return { kind: "group", fullPath: group.value.fullPath };
    if (project.status === "rejected") throw project.reason;
    if (group.status === "rejected") throw group.reason;
    return { kind: "none" };
  }

  /**
   * One API call, in a slot of the gate; dropped if GitLab was found failing
   * while it waited. A failure opens the circuit before the slot is handed on,
   * so the call waiting for it sees the failure instead of opening one more
   * socket to a GitLab that just failed.
   */
  private async call<T>(fn: () => Promise<T>, probe: boolean): Promise<T> {
    const release = await this.gate.acquire();
    try {
      if (!probe && this.health.isFailing) throw this.health.heldBack();
      return await fn();
    } catch (err) {
      if (isGitlabFailure(err)) this.health.failed(err);
      throw err;
    } finally {
      release();
    }
  }

  private emit(event: LookupEvent): void {
    this.options.onEvent?.(event);
  }
}

/** GitLab itself failed; our own queue being full, or a call held back, says nothing new about it. */
function isGitlabFailure(err: unknown): err is GitlabUnavailable {
  return err instanceof GitlabUnavailable && !(err instanceof GitlabHeldBack) && err.kind !== "overloaded";
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

/** FNV-1a of the token: enough to tell tokens apart in cache keys, and not the token. */
function fingerprint(token: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < token.length; i++) {
    hash ^= token.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16);
}

function describe(answer: PathAnswer): Pick<LookupEvent, "outcome" | "detail"> {
  if (answer.kind === "project") return { outcome: "found", detail: answer.project.pathWithNamespace };
  if (answer.kind === "group") return { outcome: "group", detail: answer.fullPath };
  return { outcome: "missing" };
}
