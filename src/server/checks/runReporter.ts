/**
 * What everyone following a run hears, from whichever part of this process moved it (the lifecycle, the in-process
 * executor or a chunk): new durable progress (this process's followers now, the other processes at most every
 * interval) and the run's end, stored once whoever gets there first, then told to followers, the end listeners
 * (monitoring) and the other processes.
 */
import type { FastifyBaseLogger } from "fastify";
import type { CheckRunDto } from "../../contract/checks.js";
import type { EtaEstimator } from "./engine/eta.js";
import type { CheckRunEvents } from "./progressEvents.js";
import type { CheckRunRecord, CheckRunsRepository } from "./repository.js";
import { runDto } from "./runDto.js";
import type { RunSignal, RunSignals } from "./runExecutor.js";

export type RunFinish = Parameters<CheckRunsRepository["finish"]>[1];

/** Told of every run that ended (monitoring keeps history and raises alerts); its failure never fails the run. */
export type RunEndListener = (run: CheckRunDto) => Promise<void>;

export interface RunReporterDeps {
  runs: CheckRunsRepository;
  events: CheckRunEvents;
  signals: RunSignals;
  /** Minimum spacing of the progress signals of one run to the other processes. */
  progressIntervalMs: number;
  log: FastifyBaseLogger;
}

export class RunReporter {
  private readonly endListeners: RunEndListener[] = [];
  /** When progress of each run was last told to the other processes. */
  private readonly signalledAt = new Map<string, number>();

  constructor(private readonly deps: RunReporterDeps) {}

  onRunEnd(listener: RunEndListener): void {
    this.endListeners.push(listener);
  }

  /** New durable progress of a run this process works; `eta` is its estimate here (null: none). */
  progressed(run: CheckRunRecord, eta: EtaEstimator | null): void {
    this.deps.events.progress(run.id, () => runDto(run, eta?.secondsLeft(run.total) ?? null));
    const now = Date.now();
    if (now - (this.signalledAt.get(run.id) ?? 0) < this.deps.progressIntervalMs) return;
    this.signalledAt.set(run.id, now);
    void this.signal({ kind: "progress", orgId: run.orgId, runId: run.id });
  }

  /** Ends the run once, whichever process or chunk gets there first, and tells everyone who follows it. */
  async end(run: CheckRunRecord, finish: RunFinish): Promise<void> {
    if (await this.deps.runs.finish(run.id, finish)) await this.announceEnd(run);
  }

  /** Ends the run failed, with what is stored, for a reason the admin reads. */
  async fail(run: CheckRunRecord, detail: string): Promise<void> {
    await this.end(run, {
      state: "failed",
      progress: await this.deps.runs.progressOf(run.id),
      stopCategory: null,
      stopDetail: detail,
    });
  }

  async signal(signal: Omit<RunSignal, "from">): Promise<void> {
    await this.deps.signals
      .publish(signal)
      .catch((error: unknown) => this.deps.log.error({ err: error, runId: signal.runId }, "check run signal not sent"));
  }

  private async announceEnd(run: CheckRunRecord): Promise<void> {
    this.signalledAt.delete(run.id);
    const stored = await this.deps.runs.get(run.orgId, run.id);
    if (stored === null) return;
    const dto = runDto(stored, null);
    this.deps.events.end(run.id, dto);
    for (const listener of this.endListeners) {
      await listener(dto).catch((error: unknown) =>
        this.deps.log.error({ err: error, runId: run.id }, "a run-end listener failed"),
      );
    }
    await this.signal({ kind: "end", orgId: run.orgId, runId: run.id });
  }
}
