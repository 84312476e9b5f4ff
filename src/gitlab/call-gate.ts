// A cap on GitLab API calls in flight, with a bounded wait queue. Each call
// holds a socket to GitLab; without a cap, a burst of made-up paths against a
// hanging GitLab held thousands of them open (issue 9). A call that cannot
// even wait (queue full), or waits longer than a call may take, is refused:
// the request gets a 503 at once instead of piling up. The queue itself is the
// one semaphore (src/lib/semaphore.ts); this file only says it in GitLab's terms.
import { Semaphore, SemaphoreFull } from "../lib/semaphore.js";
import { GitlabUnavailable } from "./failure.js";

/** How many calls may wait per call slot: a burst of the go command's prefix requests fits. */
export const WAITING_PER_SLOT = 8;

export class CallGate {
  private readonly places: Semaphore;

  constructor(
    readonly max: number,
    private readonly maxWaitMs: number,
    /** What the calls are, and the setting that caps them, for the refusal's reason. */
    private readonly what = "GitLab API calls at once (gitlab.maxConcurrentCalls)",
  ) {
    this.places = new Semaphore(max, max * WAITING_PER_SLOT);
  }

  /** Calls in flight now. */
  get active(): number {
    return this.places.active;
  }

  /** Resolves with `release` once a slot is free; rejects with GitlabUnavailable("overloaded"). */
  acquire(): Promise<() => void> {
    return this.places.acquire(this.maxWaitMs).catch((err: unknown) => {
      const why =
        err instanceof SemaphoreFull ? `${this.places.maxWaiting} calls are already waiting` : `no call slot came free within ${this.maxWaitMs / 1000} s`;
      throw new GitlabUnavailable("overloaded", `too many ${this.what}: ${why}`);
    });
  }
}
