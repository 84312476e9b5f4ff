// A value fetched on demand and kept for a time: one fetch at a time, the
// last good value served (stale) when a refresh fails.

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
