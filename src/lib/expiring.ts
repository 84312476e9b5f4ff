// The one way modgate keeps what it fetched for a time: Expiring for one
// value (one fetch at a time, the last good value served when a refresh
// fails; read(): stale-while-revalidate), ExpiringMemo for values per key (failures forgotten at once).
import { LRUCache } from "lru-cache";

export class Expiring<T> {
  private value: { data: T; at: number } | undefined;
  /** The fetch in flight (its own outcome, failure included) and when it started. */
  private pending: { fetch: Promise<T>; since: number } | undefined;
  /** After a failed fetch, no reader of read() starts another before this. */
  private retryAt = 0;

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

  /** Waits for a due fetch; while the source fails, what it said last is still the best answer. */
  get(): Promise<T> {
    if (this.value && this.now() - this.value.at < this.ttlMs) return Promise.resolve(this.value.data);
    return this.refresh().catch((err: unknown) => {
      if (this.value) return this.value.data;
      throw err;
    });
  }

  /**
   * Stale-while-revalidate: the fresh value at once; with none, the fetch's
   * (waited for, failure thrown). When the value is due, one fetch at a time
   * is started and waited for at most `graceMs` (its failure, or its taking
   * longer: the last good value, `stale`); a reader arriving while it runs,
   * or just after one failed, gets the last good value at once, `stale`. `failing`: the source is known to fail now (GitLab's
   * circuit): the value is served stale without waiting, and counts as stale
   * even when fresh by its age (a refresh may have settled for an older answer).
   */
  async read(o: { graceMs: number; failing?: () => boolean }): Promise<{ data: T; stale: boolean }> {
    const now = this.now();
    const last = this.value;
    if (last && now - last.at < this.ttlMs) return { data: last.data, stale: o.failing?.() ?? false };
    if (!last) return { data: await this.refresh(), stale: false };
    const running = this.pending !== undefined && now - this.pending.since < Math.max(this.ttlMs, ABANDONED_MS);
    if (running || now < this.retryAt) return { data: last.data, stale: true };
    const fetch = this.refresh().then(
      (data) => ({ data, stale: false }),
      () => ({ data: last.data, stale: true }),
    );
    if (o.failing?.()) return { data: last.data, stale: true };
    return graceOf(fetch, o.graceMs, { data: last.data, stale: true });
  }

  /** The one fetch in flight, started when none is: rejects when the source fails. */
  private refresh(): Promise<T> {
    const now = this.now();
    // A fetch that never settled (work cancelled after its answer, as Workers may) is abandoned, not waited on forever.
    if (this.pending && now - this.pending.since < Math.max(this.ttlMs, ABANDONED_MS)) return this.pending.fetch;
    const entry: { fetch: Promise<T>; since: number } = { fetch: undefined as unknown as Promise<T>, since: now };
    entry.fetch = this.fetch().then(
      (data) => {
        this.value = { data, at: this.now() };
        if (this.pending === entry) this.pending = undefined;
        return data;
      },
      (err: unknown) => {
        if (this.pending === entry) this.pending = undefined;
        this.retryAt = this.now() + Math.min(this.ttlMs, RETRY_MS);
        throw err;
      },
    );
    // Nobody may be waiting for a background refresh: its failure is not unhandled.
    entry.fetch.catch(() => {});
    this.pending = entry;
    return entry.fetch;
  }
}

/** A refresh in flight this long is taken to have been abandoned (never settling). */
const ABANDONED_MS = 60_000;
/** After a failed refresh, stale readers wait this long (at most the ttl) before starting another. */
const RETRY_MS = 1_000;

/** `work`'s outcome (a failure thrown) when it settles within `graceMs`, else `otherwise` (the work goes on). */
export function graceOf<T>(work: Promise<T>, graceMs: number, otherwise: T): Promise<T> {
  if (graceMs <= 0) return Promise.resolve(otherwise);
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => resolve(otherwise), graceMs);
    work.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
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
