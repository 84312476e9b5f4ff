// Where project look-ups are remembered. Entries outlive their TTL so that a
// stale answer can be served while GitLab fails; memory stays bounded.
import { LRUCache } from "lru-cache";
import type { GitlabProject } from "../gitlab/project.js";

/** What a full path is in GitLab. group.fullPath: its canonical path. */
export type PathAnswer = { kind: "project"; project: GitlabProject } | { kind: "group"; fullPath: string } | { kind: "none" };

export interface CachedLookup {
  answer: PathAnswer;
  /** Epoch milliseconds of the API call that produced it. */
  fetchedAt: number;
}

export interface LookupCache {
  get(key: string): Promise<CachedLookup | undefined>;
  /** keepSeconds: how long the entry may still serve as a stale fallback. */
  set(key: string, entry: CachedLookup, keepSeconds: number): Promise<void>;
}

/**
 * In-process LRUs (Node). Projects and groups that exist are kept apart from
 * missing paths, so requests for made-up paths can never evict the entries
 * whose stale answers carry a GitLab outage (a project needs the groups above
 * it too). Keys are case-folded by the caller, so case variants of a real
 * project share its entry. Each holds at most maxEntries.
 */
export class MemoryLookupCache implements LookupCache {
  private readonly found: LRUCache<string, CachedLookup>;
  private readonly missing: LRUCache<string, CachedLookup>;

  constructor(readonly maxEntries: number) {
    this.found = new LRUCache({ max: maxEntries });
    this.missing = new LRUCache({ max: maxEntries });
  }

  async get(key: string): Promise<CachedLookup | undefined> {
    return this.found.get(key) ?? this.missing.get(key);
  }

  async set(key: string, entry: CachedLookup, keepSeconds: number): Promise<void> {
    const [into, other] = entry.answer.kind !== "none" ? [this.found, this.missing] : [this.missing, this.found];
    other.delete(key);
    into.set(key, entry, { ttl: keepSeconds * 1000 });
  }

  /** Entries held, found and missing together (at most 2 × maxEntries). */
  get size(): number {
    return this.found.size + this.missing.size;
  }
}
