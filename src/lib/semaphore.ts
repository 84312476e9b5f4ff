// A cap on work in flight with a bounded wait queue: up to `max` holders at
// once, up to `maxWaiting` more waiting in arrival order; past that, acquire
// refuses at once (the caller answers "busy, retry" instead of piling up).
// The zip builds' cap (proxy.maxConcurrentBuilds) and the GitLab call gates
// (src/gitlab/call-gate.ts, which also bounds each wait) use it.

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

/** A wait outlasted its deadline: nothing was acquired. */
export class SemaphoreTimeout extends Error {
  constructor(readonly waitedMs: number) {
    super(`no place came free within ${waitedMs} ms`);
    this.name = "SemaphoreTimeout";
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

  /**
   * Resolves with `release` (safe to call twice) once a place is free; rejects with
   * SemaphoreFull when the queue is full, with SemaphoreTimeout after `maxWaitMs` of waiting.
   */
  acquire(maxWaitMs?: number): Promise<() => void> {
    if (this.running < this.max) {
      this.running++;
      return Promise.resolve(this.releaser());
    }
    if (this.waiting.length >= this.maxWaiting) return Promise.reject(new SemaphoreFull(this.max, this.waiting.length));
    return new Promise((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const grant = () => {
        if (timer !== undefined) clearTimeout(timer);
        resolve(this.releaser());
      };
      if (maxWaitMs !== undefined) {
        timer = setTimeout(() => {
          const at = this.waiting.indexOf(grant);
          if (at >= 0) this.waiting.splice(at, 1);
          reject(new SemaphoreTimeout(maxWaitMs));
        }, maxWaitMs);
      }
      this.waiting.push(grant);
    });
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
