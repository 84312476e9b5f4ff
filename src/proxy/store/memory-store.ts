// A ContentStore in memory: tests, and runtimes without a better place.
import type { ContentStore, StoredObject } from "./store.js";
import type { Spool } from "../repo/gitlab-zip.js";

export class MemoryStore implements ContentStore {
  private readonly objects = new Map<string, Uint8Array>();
  readonly backgroundWork: boolean;

  /** `backgroundWork`: see ContentStore; off unless the runtime says its process outlives an answer. */
  constructor(o: { backgroundWork?: boolean } = {}) {
    this.backgroundWork = o.backgroundWork ?? false;
  }

  async get(key: string): Promise<StoredObject | undefined> {
    const data = this.objects.get(key);
    return data === undefined ? undefined : bytesObject(data);
  }

  async put(key: string, body: ReadableStream<Uint8Array> | Uint8Array): Promise<boolean> {
    const data = body instanceof Uint8Array ? body : new Uint8Array(await new Response(body).arrayBuffer());
    if (this.objects.has(key)) return false;
    this.objects.set(key, data);
    return true;
  }

  async delete(key: string): Promise<void> {
    this.objects.delete(key);
  }

  async *list(prefix: string): AsyncIterable<string> {
    for (const key of [...this.objects.keys()].sort()) if (key.startsWith(prefix)) yield key;
  }

  spool(): Spool {
    return memorySpool();
  }
}

export function bytesObject(data: Uint8Array): StoredObject {
  return {
    size: data.length,
    stream: () => new Response(data as BodyInit).body!,
    bytes: async () => data,
  };
}

export function memorySpool(): Spool {
  const chunks: Uint8Array[] = [];
  return {
    async write(chunk) {
      chunks.push(chunk.slice());
    },
    async finish() {
      const size = chunks.reduce((n, c) => n + c.length, 0);
      const all = new Uint8Array(size);
      let at = 0;
      for (const c of chunks) {
        all.set(c, at);
        at += c.length;
      }
      chunks.length = 0;
      return {
        size,
        read: async (offset: number, length: number) => all.subarray(offset, offset + length),
        dispose: async () => {},
      };
    },
    async abort() {
      chunks.length = 0;
    },
  };
}
