// A spool in memory with a ceiling, for runtimes without a disk (Workers).
// GitLab's archive is kept while the zip is built, because a zip is read
// from its central directory at the end (docs/go-rules.md §4.1).
//
// Why memory and not an R2 temporary object read by ranges: GitLab streams
// the archive without a Content-Length, so an R2 object would need a
// multipart upload first, and then every file of the module is one or more
// ranged GETs (R2 class B operations, tens of ms each) — slower and billed
// for the case the memory spool handles. A module whose archive does not fit
// gets a clear 5xx instead (TooLargeError): a Worker isolate has 128 MB.
//
// Chunks are kept as they arrive, never joined into one buffer: joining
// would need the archive's size twice at the moment of the copy.
import type { Spool } from "../repo/gitlab-zip.js";
import { TooLargeError } from "../repo/errors.js";

/** Bytes all the spools of one isolate may hold together; shared by every build running in it. */
export class SpoolBudget {
  private used = 0;
  constructor(
    /** Most bytes one archive may take (and all of them together). */
    readonly limit: number,
  ) {}

  take(n: number): boolean {
    if (this.used + n > this.limit) return false;
    this.used += n;
    return true;
  }

  give(n: number): void {
    this.used = Math.max(0, this.used - n);
  }

  get inUse(): number {
    return this.used;
  }
}

const MIB = 1024 * 1024;

export function boundedMemorySpool(budget: SpoolBudget, runtimeName = "the Worker"): Spool {
  let chunks: Uint8Array[] = [];
  /** Offset of each chunk's first byte, for binary search on read. */
  let starts: number[] = [];
  let size = 0;
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    budget.give(size);
    chunks = [];
    starts = [];
  };
  return {
    async write(chunk) {
      if (chunk.length === 0) return;
      if (size + chunk.length > budget.limit) {
        release();
        throw new TooLargeError(
          `GitLab's archive of this module is larger than the ${budget.limit / MIB} MiB ${runtimeName} can hold while it builds a zip; ` +
            "serve this module from modgate on Node (proxy.cacheDir), which spools to disk",
        );
      }
      if (!budget.take(chunk.length)) {
        release();
        throw new TooLargeError(`${runtimeName} is building other zips and has no memory left for this one; try again in a minute`, true);
      }
      starts.push(size);
      chunks.push(chunk);
      size += chunk.length;
    },
    async finish() {
      return {
        size,
        async read(offset: number, length: number) {
          const end = Math.min(offset + length, size);
          if (offset >= end) return new Uint8Array(0);
          let i = chunkAt(starts, offset);
          const first = chunks[i]!;
          const from = offset - starts[i]!;
          // Within one chunk (the common case for zip headers): a view, no copy.
          if (from + (end - offset) <= first.length) return first.subarray(from, from + (end - offset));
          const out = new Uint8Array(end - offset);
          let at = 0;
          let pos = offset;
          while (pos < end) {
            const c = chunks[i]!;
            const inChunk = pos - starts[i]!;
            const n = Math.min(c.length - inChunk, end - pos);
            out.set(c.subarray(inChunk, inChunk + n), at);
            at += n;
            pos += n;
            i++;
          }
          return out;
        },
        async dispose() {
          release();
        },
      };
    },
    async abort() {
      release();
    },
  };
}

/** Index of the chunk holding byte `offset` (the last start ≤ offset). */
function chunkAt(starts: number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
