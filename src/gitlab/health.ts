// Whether GitLab is known to be failing: a circuit. After a failure, look-ups
// with nothing cached are answered at once (503) instead of calling a GitLab
// that just failed; after a short back-off one look-up at a time (a probe)
// may ask again, and its success closes the circuit. Each change of state is
// reported once (the operator's stderr line and the metrics gauge), never
// once per request.
import { GitlabUnavailable, type FailureCause } from "./failure.js";

export type GitlabState = { up: true; since: number } | { up: false; kind: FailureCause; reason: string; since: number };

/** A look-up refused because GitLab is known to be failing: it says why, and does not count as a new failure. */
export class GitlabHeldBack extends GitlabUnavailable {}

/** GitLab itself failed; our own queue being full, or a call held back, says nothing new about it. */
export function isGitlabFailure(err: unknown): err is GitlabUnavailable {
  return err instanceof GitlabUnavailable && !(err instanceof GitlabHeldBack) && err.kind !== "overloaded";
}

export class GitlabHealth {
  private failing?: { kind: FailureCause; reason: string; since: number; retryAt: number; probeUntil: number };

  constructor(
    private readonly now: () => number,
    /** How long after a failure the next probe may go out. */
    private readonly backoffMs: number,
    /** How long one probe may take before another may be sent (it may never settle on Workers). */
    private readonly probeMs: number,
    private readonly onChange?: (state: GitlabState) => void,
  ) {}

  get isFailing(): boolean {
    return this.failing !== undefined;
  }

  /** While failing: true for the one look-up allowed to ask GitLab now, false for all others. */
  claimProbe(): boolean {
    const f = this.failing;
    if (!f) return true;
    const now = this.now();
    if (now < f.retryAt || now < f.probeUntil) return false;
    f.probeUntil = now + this.probeMs;
    return true;
  }

  /** Why a look-up is not sent while failing. */
  heldBack(): GitlabHeldBack {
    const f = this.failing;
    return new GitlabHeldBack(f?.kind ?? "unreachable", `not asked: GitLab is failing (${f?.reason ?? "unknown"})`);
  }

  succeeded(): void {
    if (!this.failing) return;
    this.failing = undefined;
    this.onChange?.({ up: true, since: this.now() });
  }

  failed(err: GitlabUnavailable): void {
    const now = this.now();
    const before = this.failing;
    this.failing = { kind: err.kind, reason: err.reason, since: before?.since ?? now, retryAt: now + this.backoffMs, probeUntil: 0 };
    if (!before || before.kind !== err.kind) this.onChange?.({ up: false, kind: err.kind, reason: err.reason, since: now });
  }
}
