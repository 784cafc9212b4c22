/**
 * How many requests one service account (or app registration) may have in flight, learned from the server's answers
 * the way TCP learns a link's capacity (AIMD): start at the configured concurrency; a throttling answer halves the
 * limit and pauses everyone for as long as the server asks; a round of clean answers raises it by one, never above
 * the ceiling (CHECK_MAX_CONCURRENCY). An admin cannot know a customised EWSMaxConcurrency; this finds it.
 *
 * Pure: no timers, an injectable clock. Waiting is the slots' business (slots.ts).
 */

export interface AdaptiveBudgetSettings {
  /** The limit to start from (the run's configured concurrency). */
  initial: number;
  /** Never above this (CHECK_MAX_CONCURRENCY). */
  ceiling: number;
  /** Multiplicative decrease on throttling (0.5 halves). */
  decreaseFactor: number;
  /** Throttles tolerated per round, as a share of the limit (random busy answers pause without lowering it). */
  noiseShare: number;
  /** Before probing again at a level that was throttled: at least this long, and `probeQuietFactor` × the last pause. */
  probeQuietMs: number;
  probeQuietFactor: number;
}

/** Below this many requests per round, a throttle is too large a share to be told from the server's budget. */
const NOISE_MIN_LEVEL = 10;

export const DEFAULT_BUDGET_SETTINGS: Omit<AdaptiveBudgetSettings, "initial" | "ceiling"> = {
  decreaseFactor: 0.5,
  noiseShare: 0.15,
  probeQuietMs: 1_000,
  probeQuietFactor: 10,
};

/** What a slot's request got back: throttling, a clean answer (any answer the server gave), or neither (timeout). */
export type SlotAnswer = { kind: "clean" } | { kind: "throttled"; backOffMs: number } | { kind: "neutral" };

/** A granted slot; `epoch` says which limit it was granted under, so a burst of throttles halves the limit once. */
export interface BudgetTicket {
  epoch: number;
}

/** Union of pauses: overlapping back-offs do not add up. Counts how long was spent paused in total. */
export class PauseLedger {
  private until = 0;
  private total = 0;

  /** Extends the pause to at least `now + ms`; returns how much longer it now lasts. */
  extend(now: number, ms: number): number {
    if (!(ms > 0)) return 0;
    const end = now + ms;
    if (end <= this.until) return 0;
    const added = end - Math.max(now, this.until);
    this.until = end;
    this.total += added;
    return added;
  }

  /** Ms of pause left at `now` (0 when not paused). */
  remainingAt(now: number): number {
    return Math.max(0, this.until - now);
  }

  get endsAt(): number {
    return this.until;
  }

  get totalMs(): number {
    return this.total;
  }
}

export class AdaptiveBudget {
  private current: number;
  private held = 0;
  private epochNo = 0;
  /** The highest limit a whole round ran at without throttling. */
  private proven = 0;
  /** The limit the last decrease came from: probing back up to it waits for a quiet period. */
  private throttledAt = Number.POSITIVE_INFINITY;
  private lastPauseMs = 0;
  /** Throttles answered by requests granted under the limit just decreased from, and that limit's epoch. */
  private refusedSinceDecrease = 0;
  private decreasedFromEpoch = -1;
  private decreasedFromProven = false;
  /** Failed probes in a row at the same level: each doubles the quiet period before the next. */
  private failedProbes = 0;
  private roundAnswers = 0;
  private roundThrottles = 0;
  private readonly pause = new PauseLedger();
  /** Slots this process may use of a budget shared with other processes (slots.ts, sharedSlots.ts). */
  private share = Number.POSITIVE_INFINITY;
  private readonly settings: AdaptiveBudgetSettings;

  constructor(
    settings: Pick<AdaptiveBudgetSettings, "initial" | "ceiling"> & Partial<AdaptiveBudgetSettings>,
    private readonly now: () => number = Date.now,
  ) {
    this.settings = { ...DEFAULT_BUDGET_SETTINGS, ...settings };
    this.current = clamp(settings.initial, 1, Math.max(1, settings.ceiling));
  }

  get limit(): number {
    return this.current;
  }

  get inFlight(): number {
    return this.held;
  }

  /** Ms until the server's requested pause is over (0 when not paused). */
  pausedMs(): number {
    return this.pause.remainingAt(this.now());
  }

  /** Total ms this budget spent paused on the server's request. */
  get pausedTotalMs(): number {
    return this.pause.totalMs;
  }

  /** Caps what this budget grants at `slots` (its share of a budget several processes use), whatever its limit. */
  setShare(slots: number): void {
    this.share = Math.max(0, slots);
  }

  /** A slot when one is free and no pause is in force; null otherwise (wait for a release or the pause's end). */
  tryAcquire(): BudgetTicket | null {
    if (this.held >= Math.min(this.current, this.share) || this.pausedMs() > 0) return null;
    this.held += 1;
    return { epoch: this.epochNo };
  }

  release(ticket: BudgetTicket, answer: SlotAnswer): void {
    this.held = Math.max(0, this.held - 1);
    if (answer.kind === "throttled") this.onThrottled(ticket, answer.backOffMs);
    // A clean answer to a request granted under a limit since decreased says nothing about the new one.
    else if (answer.kind === "clean" && ticket.epoch > this.decreasedFromEpoch) this.onClean();
  }

  /** Pauses as asked; lowers the limit unless this looks like noise at a level already proven clean. */
  private onThrottled(ticket: BudgetTicket, backOffMs: number): void {
    const now = this.now();
    this.pause.extend(now, backOffMs);
    this.lastPauseMs = Math.max(backOffMs, 0);
    // A burst of refusals under the limit just decreased from says how many requests were too many: 27 sent and
    // 21 refused means 6, learned in one step. Older throttles were already answered by an earlier decrease.
    if (ticket.epoch === this.decreasedFromEpoch) {
      this.refusedSinceDecrease += 1;
      this.current = Math.max(1, Math.min(this.current, this.throttledAt - this.refusedSinceDecrease));
      if (!this.decreasedFromProven) this.proven = Math.min(this.proven, this.current);
      return;
    }
    if (ticket.epoch !== this.epochNo) return;
    this.roundThrottles += 1;
    this.roundAnswers += 1;
    const tolerated = this.tolerated();
    if (this.roundThrottles < tolerated) return;
    this.failedProbes = this.current === this.throttledAt ? this.failedProbes + 1 : 0;
    // Noise bunched up at a level that already ran clean (a few throttles among many answers) lowers the limit for a
    // while, not what is known to work: the way back up stays quick. In a small round, or as a large share of one,
    // refusals are the server's budget, not noise: what is proven comes down too.
    this.decreasedFromProven =
      this.current >= NOISE_MIN_LEVEL && this.current <= this.proven && this.roundThrottles <= this.current * 0.25;
    this.throttledAt = this.current;
    this.decreasedFromEpoch = this.epochNo;
    // The throttles tolerated before deciding were refusals of this burst too.
    this.refusedSinceDecrease = this.roundThrottles;
    this.current = Math.max(1, Math.min(this.current - 1, Math.floor(this.current * this.settings.decreaseFactor)));
    if (!this.decreasedFromProven) this.proven = Math.min(this.proven, this.current);
    this.epochNo += 1;
    this.startRound();
  }

  private onClean(): void {
    this.roundAnswers += 1;
    // Back to a level already proven clean: quickly; above it, one step per round of clean answers.
    const below = this.current < this.proven;
    const round = below ? Math.max(1, Math.ceil(this.current / 4)) : this.current;
    if (this.roundAnswers < round) return;
    if (this.roundThrottles < this.tolerated()) this.proven = Math.max(this.proven, this.current);
    const next = this.current + 1;
    if (next <= this.settings.ceiling && (below || this.mayProbe(next))) {
      this.current = next;
      this.epochNo += 1;
    }
    this.startRound();
  }

  /**
   * Throttles a round may bring without lowering the limit. A few are noise (a random ErrorServerBusy) at a level
   * already proven, or before any throttling was seen; a budget really too high refuses far more in one round
   * (27 sent to a server allowing 6: 21 refused). A probe above the proven level is lowered by its first refusal.
   */
  private tolerated(): number {
    const noise = this.current <= this.proven || this.throttledAt === Number.POSITIVE_INFINITY;
    return noise ? Math.max(2, Math.ceil(this.current * this.settings.noiseShare)) : 1;
  }

  /** At or above the level that was throttled, only after a quiet period: each probe costs one pause. */
  private mayProbe(level: number): boolean {
    if (level < this.throttledAt) return true;
    const quiet = Math.max(this.settings.probeQuietMs, this.settings.probeQuietFactor * this.lastPauseMs);
    return this.now() - this.pause.endsAt >= quiet * 2 ** Math.min(this.failedProbes, 6);
  }

  private startRound(): void {
    this.roundAnswers = 0;
    this.roundThrottles = 0;
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.floor(value)));
}
