/**
 * Starts scheduled check runs. Each tick looks at every configured organization (its saved schedule, or the default
 * daily 06:00): the latest slot of its schedule, and the re-check due once a configuration change has settled. A slot fires only when this process wins
 * the insert of its row in monitoring_slots (the primary key lets one insert through), so any number of processes
 * on one database start one run per slot. The run itself is an ordinary check run (scope all, depth read) with
 * its trigger recorded; CheckService refuses a second active run, and a refused slot stays spent.
 */
import type { FastifyBaseLogger } from "fastify";
import type { CheckRunTrigger } from "../../contract/monitoring.js";
import type { CheckService } from "../checks/service.js";
import { emailConfigSummary } from "../emailConfig/service.js";
import { HttpError } from "../errors.js";
import { allOrganizations } from "../orgs/service.js";
import type { Repositories } from "../repositories.js";
import type { MonitoringRepository } from "./repository.js";
import type { MonitoringService } from "./service.js";
import { latestSlot } from "./scheduleTimes.js";

/** A slot missed by more than this (the server was down) is skipped rather than run late. */
export const SLOT_GRACE_MS = 15 * 60_000;
export const SCHEDULER_ACTOR = "scheduler";
/**
 * At least this long between two scheduled starts in one process: the 06:00 slot of 600 organizations starts over
 * a minute per process (the slot rows share the organizations among processes), not in one burst of preflights and
 * database writes; well inside the slot's grace.
 */
export const SLOT_START_SPACING_MS = 100;

export interface SchedulerDeps {
  repos: Repositories;
  store: MonitoringRepository;
  monitoring: MonitoringService;
  checks: CheckService;
  now: () => Date;
  log: FastifyBaseLogger;
}

export interface StartedRun {
  orgId: string;
  runId: string;
  trigger: CheckRunTrigger;
  slot: string;
}

export class MonitoringScheduler {
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<StartedRun[]> | null = null;

  constructor(private readonly deps: SchedulerDeps) {}

  start(intervalMs: number): void {
    if (intervalMs <= 0 || this.timer !== null) return;
    this.timer = setInterval(() => void this.tick(), intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.ticking;
  }

  /** One pass over every scheduled organization; resolves with the runs this process started. */
  tick(): Promise<StartedRun[]> {
    // One pass at a time in a process; other processes are kept out by the slot rows.
    this.ticking ??= this.pass().finally(() => (this.ticking = null));
    return this.ticking;
  }

  private async pass(): Promise<StartedRun[]> {
    const started: StartedRun[] = [];
    // An organization that never saved a schedule follows the default one (daily 06:00) once it is configured.
    const saved = new Map((await this.deps.store.scheduled()).map((row) => [row.org_id, row]));
    for (const org of await allOrganizations(this.deps.repos)) {
      const row = saved.get(org.id) ?? null;
      try {
        const schedule = this.deps.monitoring.storedSchedule(row);
        const due = await this.dueSlots(org.id, schedule, row?.schedule_updated_at ?? null);
        for (const slot of due) {
          const run = await this.fire(org.id, slot.key, slot.trigger);
          if (run === null) continue;
          started.push(run);
          // Spread: a slot shared by hundreds of organizations starts their runs (preflights, then chunk jobs) paced.
          await new Promise((resolve) => setTimeout(resolve, SLOT_START_SPACING_MS));
        }
      } catch (error) {
        this.deps.log.error({ err: error, orgId: org.id }, "monitoring schedule pass failed");
      }
    }
    return started;
  }

  private async dueSlots(
    orgId: string,
    schedule: ReturnType<MonitoringService["storedSchedule"]>,
    savedAt: string | null,
  ): Promise<Array<{ key: string; trigger: CheckRunTrigger }>> {
    const config = await emailConfigSummary(this.deps.repos, orgId);
    // Nothing to check before an admin chose how mailboxes are reached.
    if (config.accessType === null) return [];
    const now = this.deps.now();
    const since = savedAt === null ? 0 : Date.parse(savedAt);
    const due: Array<{ key: string; trigger: CheckRunTrigger }> = [];
    const slot = latestSlot(schedule, now);
    // Slots before the schedule was saved, or missed long ago, never fire.
    if (slot !== null && slot.getTime() >= since && now.getTime() - slot.getTime() <= SLOT_GRACE_MS) {
      due.push({ key: `scheduled:${slot.toISOString()}`, trigger: "scheduled" });
    }
    if (schedule.recheckAfterChange) {
      if (config.updatedAt !== null) {
        const settled = Date.parse(config.updatedAt) + schedule.settlingMinutes * 60_000;
        if (settled <= now.getTime() && settled > since) {
          due.push({ key: `after_change:${config.version}`, trigger: "after_change" });
        }
      }
    }
    return due;
  }

  private async fire(orgId: string, key: string, trigger: CheckRunTrigger): Promise<StartedRun | null> {
    const { store, checks, log } = this.deps;
    if (!(await store.claimSlot(orgId, key))) return null;
    try {
      const run = await checks.start(orgId, SCHEDULER_ACTOR, { scope: { all: true }, depth: "read" }, trigger);
      await store.slotStarted(orgId, key, run.id);
      log.info({ orgId, runId: run.id, slot: key }, "started a scheduled check run");
      return { orgId, runId: run.id, trigger, slot: key };
    } catch (error) {
      // A run already active, no configuration or no users: this slot is spent; the next one tries again.
      if (error instanceof HttpError && error.status < 500) {
        log.warn({ orgId, slot: key, reason: error.message }, "scheduled check run not started");
        return null;
      }
      throw error;
    }
  }
}
