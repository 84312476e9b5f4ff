// The module proxy's part of /-/metrics: requests by endpoint and outcome,
// store hits, bytes served, zip builds, GitLab calls by endpoint and status
// class, tags GitLab moved after modgate served them. Every label comes from
// a fixed set (anything else counts as "other"): a module path or version
// never becomes a label, so a client cannot grow the series without bound.
import type { ProxyEvent } from "../proxy/service.js";

const ENDPOINTS = ["list", "latest", "info", "mod", "zip", "sumdb", "bad"] as const;
const OUTCOMES = ["ok", "not-found", "forbidden", "unavailable", "bad-request"] as const;
/** The proxy's REST calls of src/gitlab/client.ts (docs/go-rules.md §8); discovery's look-ups and the access check are not counted here. */
const GITLAB_ENDPOINTS = ["project", "tags", "tag", "branches", "branch", "commit", "commit-refs", "merge-base", "tree", "file", "blob", "archive"] as const;
const STATUS_CLASSES = ["2xx", "3xx", "4xx", "5xx", "none"] as const;
const BUILD_BUCKETS_SECONDS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

type Counts = Map<string, number>;

function add(counts: Counts, key: string, n = 1): void {
  counts.set(key, (counts.get(key) ?? 0) + n);
}

function fixed<T extends string>(set: readonly T[], value: string): string {
  return (set as readonly string[]).includes(value) ? value : "other";
}

/** "none" when GitLab gave no answer (refused, timed out): status 0. */
function statusClass(status: number): (typeof STATUS_CLASSES)[number] {
  if (status >= 200 && status < 300) return "2xx";
  if (status >= 300 && status < 400) return "3xx";
  if (status >= 400 && status < 500) return "4xx";
  if (status >= 500 && status < 600) return "5xx";
  return "none";
}

export class ProxyMetrics {
  private readonly requests: Counts = new Map();
  private readonly bytes: Counts = new Map();
  private readonly store = { hit: 0, miss: 0 };
  private readonly buildBuckets = BUILD_BUCKETS_SECONDS.map(() => 0);
  private buildSeconds = 0;
  private builds = 0;
  private buildBytes = 0;
  private readonly gitlabCalls: Counts = new Map();
  private movedTags = 0;
  private readonly labels = new Map<string, Map<string, { endpoint: string; key: string }>>();

  count(event: ProxyEvent): void {
    switch (event.type) {
      case "request": {
        const labels = this.requestLabels(event.endpoint, event.outcome);
        add(this.requests, labels.key);
        if (event.bytes) add(this.bytes, labels.endpoint, event.bytes);
        if (event.fromStore !== undefined) this.store[event.fromStore ? "hit" : "miss"]++;
        return;
      }
      case "zip-build": {
        const seconds = event.ms / 1000;
        this.builds++;
        this.buildSeconds += seconds;
        this.buildBytes += event.bytes;
        BUILD_BUCKETS_SECONDS.forEach((le, i) => {
          if (seconds <= le) this.buildBuckets[i]!++;
        });
        return;
      }
      case "gitlab-call":
        add(this.gitlabCalls, `${fixed(GITLAB_ENDPOINTS, event.endpoint)}\u0000${statusClass(event.status)}`);
        return;
      case "tag-moved":
        // Counted by the caller once per version (TagMoveLog), not once per list refresh.
        return;
    }
  }

  /**
   * The series of a request's endpoint and outcome, made once per pair (a
   * request is counted on every answer, warm ones included: no string is
   * built per request).
   */
  private requestLabels(endpoint: string, outcome: string): { endpoint: string; key: string } {
    let byOutcome = this.labels.get(endpoint);
    if (byOutcome === undefined) {
      byOutcome = new Map();
      // Only the fixed sets' values are kept: anything else shares "other", so this stays bounded.
      if (this.labels.size < ENDPOINTS.length + 1) this.labels.set(endpoint, byOutcome);
    }
    let labels = byOutcome.get(outcome);
    if (labels === undefined) {
      const fixedEndpoint = fixed(ENDPOINTS, endpoint);
      labels = { endpoint: fixedEndpoint, key: `${fixedEndpoint}\u0000${fixed(OUTCOMES, outcome)}` };
      if (byOutcome.size < OUTCOMES.length + 1) byOutcome.set(outcome, labels);
    }
    return labels;
  }

  /** One version whose tag GitLab moved after it was served, first noticed. */
  countMovedTag(): void {
    this.movedTags++;
  }

  render(lines: string[], family: (name: string, type: string, help: string) => void): void {
    family(
      "modgate_proxy_requests_total",
      "counter",
      "Module proxy requests by endpoint (list, latest, info, mod, zip, sumdb, bad) and outcome (ok, not-found, forbidden, unavailable, bad-request).",
    );
    for (const [key, n] of this.requests) {
      const [endpoint, outcome] = key.split("\u0000");
      lines.push(`modgate_proxy_requests_total{endpoint="${endpoint}",outcome="${outcome}"} ${n}`);
    }
    family("modgate_proxy_served_bytes_total", "counter", "Body bytes of module proxy answers, by endpoint.");
    for (const [endpoint, n] of this.bytes) lines.push(`modgate_proxy_served_bytes_total{endpoint="${endpoint}"} ${n}`);
    family(
      "modgate_proxy_store_total",
      "counter",
      "Requests for .info (canonical versions), .mod and .zip by store result: hit (kept from an earlier request), miss (asked GitLab).",
    );
    for (const [result, n] of Object.entries(this.store)) lines.push(`modgate_proxy_store_total{result="${result}"} ${n}`);
    family("modgate_proxy_zip_build_seconds", "histogram", "Module zips built from GitLab into the store, and the time each took.");
    BUILD_BUCKETS_SECONDS.forEach((le, i) => lines.push(`modgate_proxy_zip_build_seconds_bucket{le="${le}"} ${this.buildBuckets[i]}`));
    lines.push(`modgate_proxy_zip_build_seconds_bucket{le="+Inf"} ${this.builds}`);
    lines.push(`modgate_proxy_zip_build_seconds_sum ${this.buildSeconds}`, `modgate_proxy_zip_build_seconds_count ${this.builds}`);
    family("modgate_proxy_zip_build_bytes_total", "counter", "Bytes of the module zips built.");
    lines.push(`modgate_proxy_zip_build_bytes_total ${this.buildBytes}`);
    family("modgate_proxy_gitlab_calls_total", "counter", "GitLab REST calls made by the module proxy, by endpoint and status class (none: no answer).");
    for (const [key, n] of this.gitlabCalls) {
      const [endpoint, status] = key.split("\u0000");
      lines.push(`modgate_proxy_gitlab_calls_total{endpoint="${endpoint}",status="${status}"} ${n}`);
    }
    family(
      "modgate_proxy_moved_tags_total",
      "counter",
      "Versions whose tag GitLab moved to another commit after modgate served them; the first content is still served.",
    );
    lines.push(`modgate_proxy_moved_tags_total ${this.movedTags}`);
  }
}
