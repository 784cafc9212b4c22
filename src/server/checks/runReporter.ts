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
import type { CategoryId } from "../../contract/categories.js";
import type { CheckRunRecord, CheckRunMember, CheckRunsRepository } from "./repository.js";
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
    const parentId = run.parentRunId;
    if (parentId !== null && this.deps.events.listenerCount(parentId) > 0) {
      // A group's followers see its summed progress: read once per durable write of a child.
      void this.deps.runs
        .get(run.orgId, parentId)
        .then((parent) => {
          if (parent !== null) this.deps.events.progress(parentId, () => runDto(parent, null));
        })
        .catch((error: unknown) => this.deps.log.error({ err: error, runId: parentId }, "group run not read"));
    }
    const now = Date.now();
    if (now - (this.signalledAt.get(run.id) ?? 0) < this.deps.progressIntervalMs) return;
    this.signalledAt.set(run.id, now);
    void this.signal({ kind: "progress", orgId: run.orgId, runId: run.id });
    if (parentId !== null) void this.signal({ kind: "progress", orgId: run.orgId, runId: parentId });
  }

  /** Ends the run once, whichever process or chunk gets there first, and tells everyone who follows it. */
  async end(run: CheckRunRecord, finish: RunFinish): Promise<void> {
    if (await this.deps.runs.finish(run.id, finish)) await this.announceEnd(run);
    if (run.parentRunId !== null) await this.settleGroup(run.orgId, run.parentRunId);
  }

  /**
   * Ends a group's parent once its last child ended (whichever process ends that child; a crash leaves it to the
   * resume pass): completed when all completed, else the worst child's end, naming its profile.
   */
  async settleGroup(orgId: string, parentId: string): Promise<boolean> {
    const parent = await this.deps.runs.get(orgId, parentId);
    if (parent === null || parent.members === undefined) return false;
    if (parent.state !== "preflight" && parent.state !== "running") return false;
    if (parent.members.some((member) => member.state === "preflight" || member.state === "running")) return false;
    const finish = groupFinish(parent.members);
    if (!(await this.deps.runs.finish(parentId, finish))) return false;
    await this.announceEnd(parent);
    return true;
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
    // Monitoring and audit see top-level runs only: a group's child ends inside its parent.
    for (const listener of stored.parentRunId === null ? this.endListeners : []) {
      await listener(dto).catch((error: unknown) =>
        this.deps.log.error({ err: error, runId: run.id }, "a run-end listener failed"),
      );
    }
    await this.signal({ kind: "end", orgId: run.orgId, runId: run.id });
  }
}

/** Worst first: the end a group's parent takes when its children did not all complete. */
const END_ORDER = ["auth_failed", "throttled", "failed", "preflight_failed", "cancelled"] as const;

/** A group's end from its children's: states, summed progress, and the worst child's stop naming its profile. */
export function groupFinish(members: readonly CheckRunMember[]): RunFinish {
  const counts: Partial<Record<CategoryId, number>> = {};
  let done = 0;
  for (const member of members) {
    done += member.done;
    for (const [category, count] of Object.entries(member.counts) as Array<[CategoryId, number]>) {
      counts[category] = (counts[category] ?? 0) + count;
    }
  }
  const progress = { done, counts };
  if (members.every((member) => member.state === "completed")) return { state: "completed", progress };
  for (const state of END_ORDER) {
    const worst = members.find((member) => member.state === state);
    if (worst === undefined) continue;
    const why = worst.stopDetail ?? (worst.stopCategory === null ? state.replace("_", " ") : worst.stopCategory);
    return {
      state,
      progress,
      stopCategory: worst.stopCategory,
      stopDetail: `Profile ${worst.profileName || (worst.profileId ?? worst.orgId)}: ${why}`,
    };
  }
  return { state: "failed", progress, stopCategory: null, stopDetail: "The group's runs ended in an unknown state." };
}
