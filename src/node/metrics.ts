// /-/metrics on Node, in Prometheus text format: requests by outcome and
// status, GitLab API calls and their latency, discovery cache hits and
// misses, config reloads; the module proxy's own (proxy-metrics.ts). Counters are plain numbers: no per-request allocation.
import type { LookupEvent } from "../discovery/project-lookup.js";
import type { GitlabState } from "../gitlab/health.js";
import { FAILURE_CAUSES, type FailureCause } from "../gitlab/failure.js";
import { ProxyMetrics } from "./proxy-metrics.js";

const LATENCY_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** What a status means to an operator. */
function outcomeOf(status: number): string {
  if (status === 200) return "answered";
  if (status === 302) return "redirected";
  if (status === 404) return "not_found";
  if (status === 503) return "gitlab_unavailable";
  if (status >= 500) return "error";
  return "rejected"; // 405, 414, and Node's own 400/431
}

export class Metrics {
  private readonly requests = new Map<number, number>();
  private readonly apiCalls = new Map<string, number>();
  private readonly latencyBuckets = LATENCY_BUCKETS_SECONDS.map(() => 0);
  private latencySum = 0;
  private latencyCount = 0;
  private readonly cache = { hit: 0, miss: 0, stale: 0, held: 0 };
  /** By cause, from the fixed set: labels never carry URLs or tokens. */
  private readonly failures = new Map<FailureCause, number>();
  private gitlabUp = 1;
  private readonly reloads = { ok: 0, failed: 0 };
  /** The module proxy's requests, store, zip builds and GitLab calls. */
  readonly proxy = new ProxyMetrics();

  countRequest(status: number): void {
    this.requests.set(status, (this.requests.get(status) ?? 0) + 1);
  }

  countLookup(event: LookupEvent): void {
    // Look-ups held back while GitLab is known to fail are not new failures; a full queue is one.
    if (event.cause !== undefined && event.outcome === "unavailable" && (event.source === "api" || event.cause === "overloaded")) {
      this.failures.set(event.cause, (this.failures.get(event.cause) ?? 0) + 1);
    }
    if (event.source === "cache") this.cache.hit++;
    else if (event.source === "stale") this.cache.stale++;
    else if (event.source === "held") this.cache.held++;
    else {
      this.cache.miss++;
      this.apiCalls.set(event.outcome, (this.apiCalls.get(event.outcome) ?? 0) + 1);
      const seconds = (event.ms ?? 0) / 1000;
      this.latencySum += seconds;
      this.latencyCount++;
      LATENCY_BUCKETS_SECONDS.forEach((le, i) => {
        if (seconds <= le) this.latencyBuckets[i]!++;
      });
    }
  }

  setGitlabState(state: GitlabState): void {
    this.gitlabUp = state.up ? 1 : 0;
  }

  countReload(ok: boolean): void {
    if (ok) this.reloads.ok++;
    else this.reloads.failed++;
  }

  render(): string {
    const lines: string[] = [];
    const family = (name: string, type: string, help: string) => lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);

    family("modgate_requests_total", "counter", "Requests answered, by outcome and HTTP status.");
    for (const [status, n] of [...this.requests].sort((a, b) => a[0] - b[0])) {
      lines.push(`modgate_requests_total{outcome="${outcomeOf(status)}",status="${status}"} ${n}`);
    }
    family("modgate_gitlab_up", "gauge", "1 while GitLab answers (or has not failed yet), 0 while it is known to fail.");
    lines.push(`modgate_gitlab_up ${this.gitlabUp}`);
    family(
      "modgate_gitlab_failures_total",
      "counter",
      "GitLab look-ups that failed, by cause (tls, refused, dns, timeout, token_rejected, rate_limited, server_error, overloaded...).",
    );
    for (const cause of FAILURE_CAUSES) {
      const n = this.failures.get(cause);
      if (n !== undefined) lines.push(`modgate_gitlab_failures_total{cause="${cause}"} ${n}`);
    }
    family(
      "modgate_gitlab_api_calls_total",
      "counter",
      "GitLab API look-ups of a path (a project and a group call), by outcome (found, group, missing, unavailable).",
    );
    for (const [outcome, n] of this.apiCalls) lines.push(`modgate_gitlab_api_calls_total{outcome="${outcome}"} ${n}`);
    family("modgate_gitlab_api_call_seconds", "histogram", "Time taken by GitLab API look-ups.");
    LATENCY_BUCKETS_SECONDS.forEach((le, i) => lines.push(`modgate_gitlab_api_call_seconds_bucket{le="${le}"} ${this.latencyBuckets[i]}`));
    lines.push(`modgate_gitlab_api_call_seconds_bucket{le="+Inf"} ${this.latencyCount}`);
    lines.push(`modgate_gitlab_api_call_seconds_sum ${this.latencySum}`, `modgate_gitlab_api_call_seconds_count ${this.latencyCount}`);
    family(
      "modgate_discovery_cache_total",
      "counter",
      "Discovery look-ups by cache result: hit (fresh), miss (asked GitLab), stale (served while GitLab failed), held (not asked: GitLab failing or too many calls waiting).",
    );
    for (const [result, n] of Object.entries(this.cache)) lines.push(`modgate_discovery_cache_total{result="${result}"} ${n}`);
    family("modgate_config_reloads_total", "counter", "Config reloads (SIGHUP), by result.");
    for (const [result, n] of Object.entries(this.reloads)) lines.push(`modgate_config_reloads_total{result="${result}"} ${n}`);
    this.proxy.render(lines, family);
    return lines.join("\n") + "\n";
  }
}
