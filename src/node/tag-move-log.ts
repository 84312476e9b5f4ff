// "A tag that GitLab later moves keeps serving the first content; say so in
// the log" (issue 10): one stderr line per version per process, however many
// list refreshes notice it again and across config reloads. A version once
// served never changes (go.sum and the checksum database hold its h1), so the
// operator is told what clients get and what to do instead of a silent drift.
import type { ProxyEvent } from "../proxy/service.js";
import { LRUCache } from "lru-cache";

type TagMoved = Extract<ProxyEvent, { type: "tag-moved" }>;

/** Versions remembered as reported; beyond this, the least recently seen may be reported again (bounded memory). */
const REMEMBERED = 10_000;

export class TagMoveLog {
  private readonly reported = new LRUCache<string, true>({ max: REMEMBERED });

  constructor(private readonly report: (line: string) => void) {}

  /** True when this version was not reported before (the line was written). */
  note(event: TagMoved): boolean {
    const key = `${event.module}@${event.version}`;
    if (this.reported.get(key)) return false;
    this.reported.set(key, true);
    this.report(
      `modgate: ${key}: GitLab's tag now points at commit ${event.tagCommit.slice(0, 12)}, ` +
        `but modgate keeps serving the content it first served (commit ${event.servedCommit.slice(0, 12)}): ` +
        `a version never changes once served; tag the new commit with a new version`,
    );
    return true;
  }
}
