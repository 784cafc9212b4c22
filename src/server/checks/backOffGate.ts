/**
 * One gate shared by every worker of a run: when any worker is told to back off (ErrorServerBusy's
 * BackOffMilliseconds, Retry-After, a bare 503), no worker sends another request until the pause has passed.
 * A service account has one throttling budget, so one worker's back-off is everyone's.
 */
import { abortableSleep } from "./sleep.js";

export class BackOffGate {
  private pausedUntil = 0;
  private pauses = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Extends the shared pause to at least `ms` from now; overlapping back-offs do not add up. */
  pause(ms: number): void {
    if (!(ms > 0)) return;
    const until = this.now() + ms;
    if (until > this.pausedUntil) this.pausedUntil = until;
    this.pauses += 1;
  }

  /** Resolves once no pause is in force (re-checks: another worker may extend it while this one waits). */
  async wait(signal: AbortSignal): Promise<void> {
    for (let remaining = this.remainingMs(); remaining > 0; remaining = this.remainingMs()) {
      await abortableSleep(remaining, signal);
      if (signal.aborted) return;
    }
  }

  remainingMs(): number {
    return Math.max(0, this.pausedUntil - this.now());
  }

  /** How many back-offs were requested (for logs and tests). */
  get pauseCount(): number {
    return this.pauses;
  }
}
