// A Map that never holds more than `max` entries: when full, it starts over.
// For memos on the hot path, where an LRU's bookkeeping would cost more than
// the occasional recomputation after a reset.
export class BoundedMap<K, V> {
  private readonly map = new Map<K, V>();

  constructor(readonly max: number) {}

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  set(key: K, value: V): void {
    if (this.map.size >= this.max) this.map.clear();
    this.map.set(key, value);
  }

  get size(): number {
    return this.map.size;
  }
}
