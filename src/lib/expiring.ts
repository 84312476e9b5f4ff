// The one way modgate keeps what it fetched for a time: Expiring for one
// value (one fetch at a time, the last good value served when a refresh
// fails), ExpiringMemo for values per key (failures forgotten at once).
import { LRUCache } from "lru-cache";

export class Expiring<T> {
  private value: { data: T; at: number } | undefined;
  private pending: Promise<T> | undefined;

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
    private readonly fetch: () => Promise<T>,
  ) {}

  /** The value when it is fresh, without waiting: undefined when it would have to be fetched. `now`: the clock read once by the caller. */
  peek(now = this.now()): T | undefined {
    return this.value && now - this.value.at < this.ttlMs ? this.value.data : undefined;
  }

  /** When the value held was fetched (undefined: never): a stale value kept while the source fails is older than its ttl. */
  fetchedAt(): number | undefined {
    return this.value?.at;
  }

  get(): Promise<T> {
    if (this.value && this.now() - this.value.at < this.ttlMs) return Promise.resolve(this.value.data);
    this.pending ??= this.fetch().then(
      (data) => {
        this.value = { data, at: this.now() };
        this.pending = undefined;
        return data;
      },
      (err: unknown) => {
        this.pending = undefined;
        // While the source fails, what it said last is still the best answer.
        if (this.value) return this.value.data;
        throw err;
      },
    );
    return this.pending;
  }
}

/**
 * Values made per key and reused for ttl: one making at a time per key (the
 * promise is shared), a failure forgotten at once so the next caller asks
 * again. Bounded, least recently used first out. The clock is injected, so
 * tests and the caller's other caches age together.
 */
export class ExpiringMemo<K extends {}, V> {
  private readonly cache?: LRUCache<K, Promise<V>>;

  constructor(o: { max: number; ttlMs: number; now: () => number }) {
    // ttl 0 means "keep forever" to lru-cache: a ttl of 0 here means "never reuse".
    // ttlResolution 0: the injected clock is read on every check, never cached for a millisecond.
    if (o.ttlMs > 0) this.cache = new LRUCache<K, Promise<V>>({ max: o.max, ttl: o.ttlMs, ttlResolution: 0, perf: { now: o.now } });
  }

  get(key: K, make: () => Promise<V>): Promise<V> {
    const cache = this.cache;
    if (!cache) return make();
    const known = cache.get(key);
    if (known) return known;
    const value = make();
    cache.set(key, value);
    value.catch(() => {
      if (cache.peek(key) === value) cache.delete(key);
    });
    return value;
  }
}
