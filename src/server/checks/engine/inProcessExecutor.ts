/**
 * SQLite (one process): a run's checks execute right here, in the drive that ran its preflight, inside the service
 * account's budget kept in memory. Every run is its own set of runner workers waiting only on its own budget, so
 * many simultaneous runs share the process: a big organization's run never holds a small one's turn.
 */
import type { CheckRunRecord } from "../repository.js";
import type { RunReporter } from "../runReporter.js";
import { ONE_PROCESS_SIGNALS, type RunControl, type RunExecutor } from "../runExecutor.js";
import { finishOf, type CheckedRun, type RunEngine } from "./runEngine.js";

export class InProcessExecutor implements RunExecutor {
  readonly budget = "in-process";
  readonly signals = ONE_PROCESS_SIGNALS;

  constructor(
    private readonly engine: RunEngine,
    private readonly reporter: Pick<RunReporter, "end">,
  ) {}

  start(): Promise<void> {
    return Promise.resolve();
  }

  async execute(run: CheckedRun, control: RunControl): Promise<void> {
    const end = await this.engine.check(run, control.signal);
    // A shutdown leaves the run running: the next start resumes it from the users without a result.
    if (end.state === "cancelled" && control.stop() === "shutdown") return;
    await this.reporter.end(run.record, finishOf(end));
  }

  /** Every interrupted run is driven again by the lifecycle, from its preflight. */
  recover(interrupted: CheckRunRecord[]): Promise<CheckRunRecord[]> {
    return Promise.resolve(interrupted);
  }

  /** The lifecycle's own abort stops the run here. */
  stopRun(): void {}

  settled(): Promise<void> {
    return Promise.resolve();
  }

  has(): boolean {
    return false;
  }

  count(): number {
    return 0;
  }

  secondsLeft(): number | null {
    return null;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
