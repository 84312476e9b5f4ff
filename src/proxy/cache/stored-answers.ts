// Answers of immutable proxy content (.info of a canonical version, .mod, and
// zips small enough) kept in memory, bounded by their bytes. Reading them from
// the content store on every request cost two to four file-system calls per
// answer (stat, open, read, close: over half the CPU of a warm `.info` on Node,
// measured by `npm run bench`); what a version is never changes once stored, so
// a remembered answer can never go stale. The same PlainAnswer object is
// returned each time, so the Node listener also encodes its headers once.
//
// Only the content is remembered, never who may read it: the access decision
// is made before this memo is asked, on every request.
import { LRUCache } from "lru-cache";
import { isStreamBody, type PlainAnswer } from "../../http/responses.js";

/** A zip up to this size is held in memory; larger ones are streamed from the store each time. */
export const MAX_REMEMBERED_BYTES = 1024 * 1024;
/** All remembered bodies together: about as much as 32 ordinary module zips, far below what Node needs anyway. */
export const REMEMBERED_TOTAL_BYTES = 32 * 1024 * 1024;

export class StoredAnswers {
  private readonly answers: LRUCache<string, PlainAnswer>;

  constructor(totalBytes = REMEMBERED_TOTAL_BYTES) {
    this.answers = new LRUCache<string, PlainAnswer>({
      // The byte bound decides; the entry bound only keeps the map's bookkeeping small.
      max: 65_536,
      maxSize: totalBytes,
      // The key and headers cost too: count a fixed 256 bytes on top of the body, so small answers are bounded as well.
      sizeCalculation: (a) => 256 + bodySize(a),
    });
  }

  get(key: string): PlainAnswer | undefined {
    return this.answers.get(key);
  }

  /** Keeps an answer whose body is bytes of at most MAX_REMEMBERED_BYTES; anything else is not kept. */
  remember(key: string, answer: PlainAnswer): PlainAnswer {
    if (answer.status === 200 && !isStreamBody(answer.body) && bodySize(answer) <= MAX_REMEMBERED_BYTES) this.answers.set(key, answer);
    return answer;
  }
}

function bodySize(a: PlainAnswer): number {
  const body = a.body;
  if (body === null) return 0;
  if (typeof body === "string") return body.length * 3; // UTF-16 in memory; an upper bound of its UTF-8 bytes
  if (body instanceof Uint8Array) return body.byteLength;
  return body.size;
}
