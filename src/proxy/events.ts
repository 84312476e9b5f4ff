// What the module proxy reports as it works: requests by outcome, zip builds,
// GitLab calls, moved tags. The Node runtime turns them into metrics and
// operator lines (src/node/proxy-metrics.ts, tag-move-log.ts).

export type ProxyEvent =
  | {
      type: "request";
      endpoint: string;
      outcome: "ok" | "not-found" | "forbidden" | "unavailable" | "bad-request";
      /** For .info of a canonical version, .mod and .zip: whether the store already held it. */
      fromStore?: boolean;
      /** Body bytes of the answer (its size, also for HEAD). */
      bytes?: number;
    }
  | { type: "zip-build"; module: string; version: string; files: number; bytes: number; ms: number }
  | { type: "gitlab-call"; endpoint: string; status: number; ms: number }
  /**
   * The store serves a version whose tag GitLab now puts on another commit:
   * the first content stays (a version never changes, go.sum depends on it).
   */
  | { type: "tag-moved"; module: string; version: string; servedCommit: string; tagCommit: string };

export type RequestOutcome = Extract<ProxyEvent, { type: "request" }>["outcome"];
