// /-/metrics on Node, in Prometheus text format: requests by outcome and
// status, GitLab API calls and their latency, discovery cache hits and
// misses, config reloads. Counters are plain numbers: no per-request allocation.
import type { LookupEvent } from "../discovery/project-lookup.js";

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
  private readonly cache = { hit: 0, miss: 0, stale: 0 };
  private readonly reloads = { ok: 0, failed: 0 };

  countRequest(status: number): void {
    this.requests.set(status, (this.requests.get(status) ?? 0) + 1);
  }

  countLookup(event: LookupEvent): void {
    if (event.source === "cache") this.cache.hit++;
    else if (event.source === "stale") this.cache.stale++;
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
    family("modgate_gitlab_api_calls_total", "counter", "GitLab API project look-ups, by outcome (found, missing, unavailable).");
    for (const [outcome, n] of this.apiCalls) lines.push(`modgate_gitlab_api_calls_total{outcome="${outcome}"} ${n}`);
    family("modgate_gitlab_api_call_seconds", "histogram", "Time taken by GitLab API look-ups.");
    LATENCY_BUCKETS_SECONDS.forEach((le, i) => lines.push(`modgate_gitlab_api_call_seconds_bucket{le="${le}"} ${this.latencyBuckets[i]}`));
    lines.push(`modgate_gitlab_api_call_seconds_bucket{le="+Inf"} ${this.latencyCount}`);
    lines.push(`modgate_gitlab_api_call_seconds_sum ${this.latencySum}`, `modgate_gitlab_api_call_seconds_count ${this.latencyCount}`);
    family("modgate_discovery_cache_total", "counter", "Discovery look-ups by cache result: hit (fresh), miss (asked GitLab), stale (served while GitLab failed).");
    for (const [result, n] of Object.entries(this.cache)) lines.push(`modgate_discovery_cache_total{result="${result}"} ${n}`);
    family("modgate_config_reloads_total", "counter", "Config reloads (SIGHUP), by result.");
    for (const [result, n] of Object.entries(this.reloads)) lines.push(`modgate_config_reloads_total{result="${result}"} ${n}`);
    return lines.join("\n") + "\n";
  }
}
