// The operator's lines about GitLab: one when it starts failing (with the
// cause), one when its cause changes, one when it answers again — never one
// per request. However GitLab flaps, at most one "failing" line per
// minInterval; a failure held back by the limit is written when the interval
// is over if GitLab still fails, so the last line always tells the state
// GitLab is in. "Answers again" is written at once: the on-call operator wants
// that news first. Runtime-agnostic (Workers write these to their log too).
import type { GitlabState } from "./health.js";

export const STATE_LINE_INTERVAL_MS = 60_000;

export class GitlabStateLog {
  private shown = "up";
  private failingShownAt = -Infinity;
  private failingSince?: number;
  private pending?: GitlabState;
  private timer?: ReturnType<typeof setTimeout>;

  constructor(
    private readonly write: (line: string) => void,
    private readonly now: () => number = Date.now,
    private readonly minIntervalMs = STATE_LINE_INTERVAL_MS,
  ) {}

  update(state: GitlabState): void {
    if (!state.up) this.failingSince ??= state.since;
    if (keyOf(state) === this.shown) {
      this.pending = undefined;
      if (state.up) this.failingSince = undefined;
      return;
    }
    const wait = state.up ? 0 : this.failingShownAt + this.minIntervalMs - this.now();
    if (wait <= 0) return this.show(state);
    this.pending = state;
    if (this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        if (this.pending) this.show(this.pending);
      }, wait);
      // A pending line must not keep a stopping Node process alive.
      (this.timer as { unref?: () => void }).unref?.();
    }
  }

  /** Stops the pending line's timer (server close). */
  close(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private show(state: GitlabState): void {
    this.pending = undefined;
    this.shown = keyOf(state);
    if (state.up) {
      const failed = this.failingSince === undefined ? "" : ` after failing for ${duration(state.since - this.failingSince)}`;
      this.failingSince = undefined;
      this.write(`modgate: GitLab answers again${failed}`);
    } else {
      this.failingShownAt = this.now();
      this.write(`modgate: GitLab is failing (${state.kind}): ${state.reason}; serving cached answers, 503 for paths not cached`);
    }
  }
}

function keyOf(state: GitlabState): string {
  return state.up ? "up" : `failing ${state.kind}`;
}

function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 120 ? `${s} s` : `${Math.round(s / 60)} min`;
}
