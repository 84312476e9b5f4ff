// Answers of immutable proxy content (.info of a canonical version, .mod, and
// zips small enough) kept in memory, bounded by their bytes. Reading them from
// the content store on every request cost two to four file-system calls per
// answer (stat, open, read, close: over half the CPU of a warm `.info` on Node,
// measured by `npm run bench`); what a version is never changes once stored, so
// a remembered answer can never go stale. The same PlainAnswer object is
// returned each time, so the Node listener also encodes its headers once.
//
// Only the content is remembered, never who may read it: the access decision
// is made before this memo is asked, on every request, and so is the scope of
// its Cache-Control (public or private: the project's visibility may change
// while the bytes stay). Each key holds one answer object per scope, the
// second made only when first asked for, sharing the body: the warm public
// path stays one map look-up.
import { LRUCache } from "lru-cache";
import { isStreamBody, type PlainAnswer } from "../../http/responses.js";

/** A zip up to this size is held in memory; larger ones are streamed from the store each time. */
export const MAX_REMEMBERED_BYTES = 1024 * 1024;
/** All remembered bodies together: about as much as 32 ordinary module zips, far below what Node needs anyway. */
export const REMEMBERED_TOTAL_BYTES = 32 * 1024 * 1024;

/** Who may keep an answer: shared caches (public) or only the reader (private). */
export type CacheScope = "public" | "private";

/** One remembered answer, per scope; at least one is set, all share the body. */
type Scoped = Partial<Record<CacheScope, PlainAnswer>>;

export class StoredAnswers {
  private readonly answers: LRUCache<string, Scoped>;

  constructor(totalBytes = REMEMBERED_TOTAL_BYTES) {
    this.answers = new LRUCache<string, Scoped>({
      // The byte bound decides; the entry bound only keeps the map's bookkeeping small.
      max: 65_536,
      maxSize: totalBytes,
      // The key and headers cost too: count a fixed 256 bytes on top of the body, so small answers are bounded as well.
      // One body per key, whichever scopes were asked for.
      sizeCalculation: (a) => 512 + bodySize((a.public ?? a.private)!),
    });
  }

  /** The remembered answer with Cache-Control of `scope` (made from the other scope's once, then kept). */
  get(key: string, scope: CacheScope): PlainAnswer | undefined {
    const scoped = this.answers.get(key);
    if (!scoped) return undefined;
    return (scoped[scope] ??= rescoped((scoped.public ?? scoped.private)!, scope));
  }

  /**
   * Keeps an answer whose body is bytes of at most MAX_REMEMBERED_BYTES (anything else is
   * not kept), made with Cache-Control of `scope`; a key already held keeps its body.
   */
  remember(key: string, answer: PlainAnswer, scope: CacheScope): PlainAnswer {
    if (answer.status !== 200 || isStreamBody(answer.body) || bodySize(answer) > MAX_REMEMBERED_BYTES) return answer;
    const held = this.answers.get(key);
    if (held) return (held[scope] ??= answer);
    this.answers.set(key, { [scope]: answer });
    return answer;
  }
}

/** The same answer with its Cache-Control's scope (its first directive) replaced. */
export function rescoped(answer: PlainAnswer, scope: CacheScope): PlainAnswer {
  const cacheControl = answer.headers["Cache-Control"] ?? "";
  const comma = cacheControl.indexOf(",");
  const rest = comma < 0 ? "" : cacheControl.slice(comma);
  return { ...answer, headers: { ...answer.headers, "Cache-Control": scope + rest } };
}

function bodySize(a: PlainAnswer): number {
  const body = a.body;
  if (body === null) return 0;
  if (typeof body === "string") return body.length * 3; // UTF-16 in memory; an upper bound of its UTF-8 bytes
  if (body instanceof Uint8Array) return body.byteLength;
  return body.size;
}
