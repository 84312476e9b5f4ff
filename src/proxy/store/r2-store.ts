// The module proxy's content store on Workers: an R2 bucket binding
// (wrangler.toml [[r2_buckets]], binding MODGATE_STORE). R2 is one store for
// every data centre and isolate, so a version built once is served
// everywhere, and nothing evicts it.
//
// First write wins (a version once served never changes, docs/go-rules.md §1.8):
// - an object that fits one part (.info, .mod, .ziphash, zips ≤ PART_SIZE)
//   is written with `onlyIf: If-None-Match: *`: R2 refuses the put when the
//   key exists, atomically, across all isolates;
// - a larger zip goes up as a multipart upload (R2 needs a known length per
//   put and a zip is streamed as it is built) and R2's complete() takes no
//   condition: the key is checked just before completing, and the upload is
//   aborted when it exists. Two builds racing through that window (ms) both
//   complete; the last one stays, and both report that they created it.
//   Both are built from the same commit, so their bytes differ only if
//   GitLab moved the tag between the two builds.
// A build that fails part way aborts its upload: readers never see part of a zip.
import type { ContentStore, StoredObject } from "./store.js";
import type { Spool } from "../repo/gitlab-zip.js";

/** The part of the Workers R2 API this store uses (the full types stay out of the Node build). */
export interface R2BucketLike {
  get(key: string): Promise<R2ObjectBodyLike | null>;
  head(key: string): Promise<{ size: number } | null>;
  /** null when `onlyIf` refused the put. */
  put(key: string, value: Uint8Array | ArrayBuffer, options?: { onlyIf?: Headers; httpMetadata?: { contentType?: string } }): Promise<object | null>;
  delete(key: string): Promise<void>;
  createMultipartUpload(key: string, options?: { httpMetadata?: { contentType?: string } }): Promise<R2MultipartUploadLike>;
}

export interface R2ObjectBodyLike {
  size: number;
  body: ReadableStream<Uint8Array>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

export interface R2MultipartUploadLike {
  uploadPart(partNumber: number, value: Uint8Array): Promise<{ partNumber: number; etag: string }>;
  complete(parts: Array<{ partNumber: number; etag: string }>): Promise<unknown>;
  abort(): Promise<void>;
}

/**
 * Bytes per multipart part. R2 wants every part but the last the same size
 * and at least 5 MiB; 8 MiB keeps one part in memory at a time, next to the
 * spooled archive, well inside the isolate's 128 MB.
 */
export const PART_SIZE = 8 * 1024 * 1024;

export interface R2StoreOptions {
  bucket: R2BucketLike;
  /** Where GitLab's archive is kept while a zip is built (memory on Workers). */
  spool: () => Spool;
  /** Key prefix inside the bucket, so one bucket can serve several deployments. */
  prefix?: string;
}

export class R2Store implements ContentStore {
  private readonly prefix: string;

  constructor(private readonly o: R2StoreOptions) {
    this.prefix = o.prefix ?? "";
  }

  async get(key: string): Promise<StoredObject | undefined> {
    const object = await this.o.bucket.get(this.prefix + key);
    if (!object) return undefined;
    let body: ReadableStream<Uint8Array> | undefined = object.body;
    // One get gives one body: stream() takes it, and a second call asks R2 again.
    return {
      size: object.size,
      stream: () => {
        if (body) {
          const b = body;
          body = undefined;
          return b;
        }
        return laterStream(() => this.o.bucket.get(this.prefix + key));
      },
      bytes: async () => new Uint8Array(await object.arrayBuffer()),
    };
  }

  async put(key: string, body: ReadableStream<Uint8Array> | Uint8Array): Promise<boolean> {
    const name = this.prefix + key;
    if (body instanceof Uint8Array) return this.putOnce(name, body);
    const reader = body.getReader();
    const first = await readPart(reader);
    if (first.done) return this.putOnce(name, first.bytes);
    return this.putParts(name, first.bytes, reader);
  }

  async delete(key: string): Promise<void> {
    await this.o.bucket.delete(this.prefix + key);
  }

  spool(): Spool {
    return this.o.spool();
  }

  /** Atomic first write: R2 refuses the put when the key exists (If-None-Match: *). */
  private async putOnce(name: string, bytes: Uint8Array): Promise<boolean> {
    const written = await this.o.bucket.put(name, bytes, { onlyIf: new Headers({ "If-None-Match": "*" }), httpMetadata: { contentType: contentTypeOf(name) } });
    return written !== null;
  }

  private async putParts(name: string, first: Uint8Array, reader: ReadableStreamDefaultReader<Uint8Array>): Promise<boolean> {
    const upload = await this.o.bucket.createMultipartUpload(name, { httpMetadata: { contentType: contentTypeOf(name) } });
    const parts: Array<{ partNumber: number; etag: string }> = [];
    try {
      let part: { bytes: Uint8Array; done: boolean } = { bytes: first, done: false };
      for (;;) {
        parts.push(await upload.uploadPart(parts.length + 1, part.bytes));
        if (part.done) break;
        part = await readPart(reader);
        if (part.bytes.length === 0) break;
      }
      // complete() takes no condition: the narrow race is described at the top of this file.
      if (await this.o.bucket.head(name)) {
        await upload.abort();
        return false;
      }
      await upload.complete(parts);
      return true;
    } catch (err) {
      await upload.abort().catch(() => {});
      await reader.cancel(err).catch(() => {});
      throw err;
    }
  }
}

/** Up to PART_SIZE bytes; done when the stream ended within them. */
async function readPart(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<{ bytes: Uint8Array; done: boolean }> {
  const part = new Uint8Array(PART_SIZE);
  let filled = 0;
  // A chunk larger than what is left of the part carries over.
  for (;;) {
    const carried = pending.get(reader);
    const next = carried ? { done: false, value: carried } : await reader.read();
    if (carried) pending.delete(reader);
    if (next.done) return { bytes: part.subarray(0, filled), done: true };
    const chunk = next.value;
    const n = Math.min(chunk.length, PART_SIZE - filled);
    part.set(chunk.subarray(0, n), filled);
    filled += n;
    if (n < chunk.length) pending.set(reader, chunk.subarray(n));
    if (filled === PART_SIZE) return { bytes: part, done: false };
  }
}

/** Bytes read past a part's end, waiting for the next part. */
const pending = new WeakMap<ReadableStreamDefaultReader<Uint8Array>, Uint8Array>();

function laterStream(open: () => Promise<R2ObjectBodyLike | null>): ReadableStream<Uint8Array> {
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  void open().then(
    (object) => (object ? object.body.pipeTo(writable) : writable.abort(new Error("the stored object went away"))),
    (err) => writable.abort(err),
  );
  return readable;
}

/** What an object holds, from its key's extension (shown by the R2 dashboard, never served from here). */
function contentTypeOf(name: string): string {
  if (name.endsWith(".zip")) return "application/zip";
  if (name.endsWith(".info")) return "application/json";
  return "text/plain; charset=utf-8";
}
