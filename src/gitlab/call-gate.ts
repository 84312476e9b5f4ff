// A cap on GitLab API calls in flight, with a bounded wait queue. Each call
// holds a socket to GitLab; without a cap, a burst of made-up paths against a
// hanging GitLab held thousands of them open (issue 9). A call that cannot
// even wait (queue full), or waits longer than a call may take, is refused:
// the request gets a 503 at once instead of piling up.
import { GitlabUnavailable } from "./failure.js";

/** How many calls may wait per call slot: a burst of the go command's prefix requests fits. */
export const WAITING_PER_SLOT = 8;

interface Waiter {
  grant(): void;
  timer: ReturnType<typeof setTimeout>;
}

export class CallGate {
  private running = 0;
  private readonly waiting: Waiter[] = [];
  private readonly maxWaiting: number;

  constructor(
    readonly max: number,
    private readonly maxWaitMs: number,
    /** What the calls are, and the setting that caps them, for the refusal's reason. */
    private readonly what = "GitLab API calls at once (gitlab.maxConcurrentCalls)",
  ) {
    this.maxWaiting = max * WAITING_PER_SLOT;
  }

  /** Calls in flight now. */
  get active(): number {
    return this.running;
  }

  /** Resolves with `release` once a slot is free; rejects with GitlabUnavailable("overloaded"). */
  acquire(): Promise<() => void> {
    if (this.running < this.max) {
      this.running++;
      return Promise.resolve(this.releaser());
    }
    if (this.waiting.length >= this.maxWaiting) return Promise.reject(this.overloaded(`${this.maxWaiting} calls are already waiting`));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        grant: () => {
          clearTimeout(waiter.timer);
          resolve(this.releaser());
        },
        timer: setTimeout(() => {
          const at = this.waiting.indexOf(waiter);
          if (at >= 0) this.waiting.splice(at, 1);
          reject(this.overloaded(`no call slot came free within ${this.maxWaitMs / 1000} s`));
        }, this.maxWaitMs),
      };
      this.waiting.push(waiter);
    });
  }

  private overloaded(why: string): GitlabUnavailable {
    return new GitlabUnavailable("overloaded", `too many ${this.what}: ${why}`);
  }

  /** Hands the slot to the next waiter, or frees it. Safe to call twice. */
  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next.grant();
      else this.running--;
    };
  }
}
