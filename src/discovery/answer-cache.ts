// Where project look-ups are remembered. Entries outlive their TTL so that a
// stale answer can be served while GitLab fails; memory stays bounded.
import { LRUCache } from "lru-cache";
import type { ProjectAnswer } from "./gitlab-api.js";

export interface CachedAnswer {
  answer: ProjectAnswer;
  /** Epoch milliseconds of the API call that produced it. */
  fetchedAt: number;
}

export interface AnswerCache {
  get(key: string): Promise<CachedAnswer | undefined>;
  /** keepSeconds: how long the entry may still serve as a stale fallback. */
  set(key: string, entry: CachedAnswer, keepSeconds: number): Promise<void>;
}

/** An in-process LRU (Node, and the Worker isolate's first level). */
export class MemoryAnswerCache implements AnswerCache {
  private readonly lru: LRUCache<string, CachedAnswer>;

  constructor(readonly maxEntries: number) {
    this.lru = new LRUCache({ max: maxEntries });
  }

  async get(key: string): Promise<CachedAnswer | undefined> {
    return this.lru.get(key);
  }

  async set(key: string, entry: CachedAnswer, keepSeconds: number): Promise<void> {
    this.lru.set(key, entry, { ttl: keepSeconds * 1000 });
  }

  get size(): number {
    return this.lru.size;
  }
}
