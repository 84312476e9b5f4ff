// A cap on work in flight with a bounded wait queue: up to `max` holders at
// once, up to `maxWaiting` more waiting in arrival order; past that, acquire
// refuses at once (the caller answers "busy, retry" instead of piling up).
// The zip builds' cap (proxy.maxConcurrentBuilds) uses it; the GitLab call
// gate (src/gitlab/call-gate.ts) is the same idea with a wait deadline.

/** The queue is full: nothing was acquired. */
export class SemaphoreFull extends Error {
  constructor(
    readonly max: number,
    readonly waiting: number,
  ) {
    super(`${max} running and ${waiting} waiting`);
    this.name = "SemaphoreFull";
  }
}

export class Semaphore {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    readonly max: number,
    readonly maxWaiting: number,
  ) {}

  /** Holders now. */
  get active(): number {
    return this.running;
  }

  /** Waiting now. */
  get queued(): number {
    return this.waiting.length;
  }

  /** `release` when a place is free now, else undefined (nothing waits). */
  tryAcquire(): (() => void) | undefined {
    if (this.running >= this.max) return undefined;
    this.running++;
    return this.releaser();
  }

  /** Resolves with `release` (safe to call twice) once a place is free; rejects with SemaphoreFull when the queue is full. */
  acquire(): Promise<() => void> {
    if (this.running < this.max) {
      this.running++;
      return Promise.resolve(this.releaser());
    }
    if (this.waiting.length >= this.maxWaiting) return Promise.reject(new SemaphoreFull(this.max, this.waiting.length));
    return new Promise((resolve) => this.waiting.push(() => resolve(this.releaser())));
  }

  /** Hands the place to the next waiter, or frees it. */
  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    };
  }
}
