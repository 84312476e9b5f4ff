// A least-recently-used map, bounded by entry count and optionally by a total
// size. Written here instead of importing lru-cache because the Worker bundle
// has a 64 KiB gzipped budget (issue 12) and lru-cache alone cost ~6 KiB of
// it; the proxy needs only get/set/delete.
//
// How: a JavaScript Map iterates in insertion order, so re-inserting a key on
// every get/set keeps the least recently used entry first; evicting takes the
// Map's first key. Every operation is O(1).
export interface LruOptions<V> {
  /** Most entries kept; the least recently used goes first when a set would exceed it. */
  max: number;
  /** Most total size kept, as measured by sizeOf (both required together). */
  maxSize?: number;
  /** Size of one value: a positive number (e.g. its byte length). */
  sizeOf?: (value: V) => number;
}

export class Lru<K, V> {
  private readonly map = new Map<K, V>();
  private readonly sizes = new Map<K, number>();
  private total = 0;
  /**
   * The most recently used key, when known: a get of it needs no reordering.
   * A warm proxy answer gets the same few keys again and again, and the
   * delete and set of a reorder cost more than the look-up itself.
   */
  private newest: K | undefined;
  private hasNewest = false;

  constructor(private readonly o: LruOptions<V>) {
    // A zero or negative bound would evict every entry on insertion: a caller's mistake, said at construction.
    if (!(o.max >= 1)) throw new RangeError(`Lru: max must be at least 1, not ${o.max}`);
    if ((o.maxSize === undefined) !== (o.sizeOf === undefined)) throw new RangeError("Lru: maxSize and sizeOf go together");
  }

  /** The value, now the most recently used; undefined when absent. */
  get(key: K): V | undefined {
    const value = this.map.get(key);
    if (value === undefined && !this.map.has(key)) return undefined;
    if (this.hasNewest && this.newest === key) return value;
    // Re-insert: moves the key to the end of the Map's order (most recent).
    this.map.delete(key);
    this.map.set(key, value as V);
    this.newest = key;
    this.hasNewest = true;
    return value;
  }

  /** Whether key is held, without making it recent. */
  has(key: K): boolean {
    return this.map.has(key);
  }

  /**
   * Stores value as the most recently used, then evicts the least recently
   * used entries until both bounds hold. A value larger than maxSize on its
   * own is not kept (as lru-cache did): it would only push everything else out.
   */
  set(key: K, value: V): this {
    this.delete(key);
    const size = this.o.sizeOf ? this.o.sizeOf(value) : 0;
    if (this.o.maxSize !== undefined && size > this.o.maxSize) return this;
    this.map.set(key, value);
    this.newest = key;
    this.hasNewest = true;
    if (this.o.sizeOf) {
      this.sizes.set(key, size);
      this.total += size;
    }
    // map.size > 0: a sizeOf that is not positive can never loop here forever.
    while (this.map.size > 0 && (this.map.size > this.o.max || (this.o.maxSize !== undefined && this.total > this.o.maxSize))) {
      this.delete(this.map.keys().next().value as K);
    }
    return this;
  }

  /** True when key was held. */
  delete(key: K): boolean {
    if (!this.map.delete(key)) return false;
    if (this.hasNewest && this.newest === key) {
      this.newest = undefined;
      this.hasNewest = false;
    }
    this.total -= this.sizes.get(key) ?? 0;
    this.sizes.delete(key);
    return true;
  }

  get size(): number {
    return this.map.size;
  }

  /** Sum of sizeOf over the entries held (0 without sizeOf). */
  get totalSize(): number {
    return this.total;
  }
}
