// The module proxy's content store on Workers without an R2 binding: the
// Cache API (caches.default). The Worker works with no setup at all, but:
// - the Cache API is per data centre: each one builds a version once;
// - it is a cache: Cloudflare may evict an entry at any time (the year's
//   max-age is a ceiling), and the next request builds the version again
//   from GitLab — the same bytes unless the tag moved in between, which an
//   R2 bucket (src/proxy/store/r2-store.ts) would never show a client;
// - it does nothing on workers.dev hostnames: serve from a custom domain.
//
// A zip is streamed into the cache as it is built, never held whole. But
// workerd keeps what a failed stream delivered (checked in
// test/contract/proxy-store.workers.test.ts): so the bytes go under a key of
// their own, and only once all of them are in does a small commit record at
// the version's key name that data key and its size. A failed build leaves an
// unnamed fragment, never a short zip; an evicted data entry is a miss.
//
// First write wins only within one data centre and only against a commit
// that finished before: cache.put has no condition, so the key is checked
// just before the commit record is written.
import type { ContentStore, StoredObject } from "./store.js";
import type { Spool } from "../repo/gitlab-zip.js";

/** Synthetic origin of the keys: never a client-visible URL, never fetched. */
const KEY_ORIGIN = "https://modgate-store.invalid/";

/** Immutable content: as long as the cache keeps anything. */
const KEEP = "public, max-age=31536000, immutable";

interface CommitRecord {
  /** Where the bytes are: the version's key plus a random suffix. */
  data: string;
  size: number;
}

export class CacheStore implements ContentStore {
  constructor(
    private readonly cache: Cache,
    private readonly makeSpool: () => Spool,
  ) {}

  private request(key: string): Request {
    return new Request(KEY_ORIGIN + key.split("/").map(encodeURIComponent).join("/"));
  }

  async get(key: string): Promise<StoredObject | undefined> {
    const record = await this.record(key);
    if (!record) return undefined;
    const hit = await this.cache.match(this.request(record.data));
    if (!hit?.body) return undefined; // evicted apart from its record: built again
    let body: ReadableStream<Uint8Array> | undefined = hit.body;
    return {
      size: record.size,
      stream: () => {
        const b = body ?? readTwice(key);
        body = undefined;
        return b;
      },
      bytes: async () => new Uint8Array(await hit.arrayBuffer()),
    };
  }

  async put(key: string, body: ReadableStream<Uint8Array> | Uint8Array): Promise<boolean> {
    if (await this.record(key)) {
      if (!(body instanceof Uint8Array)) await body.cancel();
      return false;
    }
    const data = `${key}.${crypto.randomUUID()}`;
    let size = 0;
    const counted =
      body instanceof Uint8Array
        ? ((size = body.length), body)
        : body.pipeThrough(
            new TransformStream<Uint8Array, Uint8Array>({
              transform(chunk, controller) {
                size += chunk.length;
                controller.enqueue(chunk);
              },
            }),
          );
    // Rejects when the stream fails: then no record names these bytes.
    await this.cache.put(this.request(data), new Response(counted as BodyInit, { headers: { "Cache-Control": KEEP } }));
    if (await this.record(key)) return false; // another build committed first: its bytes stay
    const record: CommitRecord = { data, size };
    await this.cache.put(this.request(key), new Response(JSON.stringify(record), { headers: { "Content-Type": "application/json", "Cache-Control": KEEP } }));
    return true;
  }

  /** The commit record and the bytes it names. */
  async delete(key: string): Promise<void> {
    const record = await this.record(key);
    await this.cache.delete(this.request(key));
    if (record) await this.cache.delete(this.request(record.data));
  }

  spool(): Spool {
    return this.makeSpool();
  }

  private async record(key: string): Promise<CommitRecord | undefined> {
    const hit = await this.cache.match(this.request(key));
    if (!hit) return undefined;
    try {
      const r = (await hit.json()) as Partial<CommitRecord>;
      return typeof r.data === "string" && Number.isSafeInteger(r.size) ? { data: r.data, size: r.size! } : undefined;
    } catch {
      return undefined;
    }
  }
}

function readTwice(key: string): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.error(new Error(`the stored object ${key} was already read`));
    },
  });
}
