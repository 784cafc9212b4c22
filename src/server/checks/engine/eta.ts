/** Estimates a running check's remaining time from its recent rate (a sliding window, so back-offs show quickly). */
export class EtaEstimator {
  private readonly samples: Array<{ at: number; done: number }> = [];

  constructor(
    private readonly windowMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  record(done: number): void {
    const at = this.now();
    this.samples.push({ at, done });
    while (this.samples.length > 2 && (this.samples[0]?.at ?? at) < at - this.windowMs) this.samples.shift();
  }

  /** Whole seconds until `total`, or null until at least a second of progress has been seen. */
  secondsLeft(total: number): number | null {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (first === undefined || last === undefined) return null;
    if (last.done >= total) return 0;
    const elapsed = last.at - first.at;
    const progressed = last.done - first.done;
    if (elapsed < 1_000 || progressed <= 0) return null;
    const rate = progressed / elapsed;
    return Math.ceil((total - last.done) / rate / 1_000);
  }
}
