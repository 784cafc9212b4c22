/**
 * Check runs as the API sees them: start (validate scope and configuration, fix the users, launch in the
 * background), read, cancel, and resume every run a crash interrupted. The process that drives a run holds it (on
 * PostgreSQL an advisory lock other processes see, so they take it over when that process dies); a shutdown leaves
 * active runs in state running so the next start, or another process, continues them.
 */
import { randomUUID } from "node:crypto";
import type { FastifyBaseLogger } from "fastify";
import { CATEGORIES, stopsRun } from "../../contract/categories.js";
import type { CategoryId, Severity } from "../../contract/categories.js";
import type { MailboxState, MailboxStatusDto } from "../../contract/api.js";
import { isCategoryId } from "../../contract/categories.js";
import type { CheckPreflightDto, CheckRunDto, CheckSettlingDto, StartCheckRunInput } from "../../contract/checks.js";
import type { CheckRunTrigger } from "../../contract/monitoring.js";
import { recordAudit } from "../audit/service.js";
import { probeCanaries, principalOf } from "../canaries/probe.js";
import {
  configurationForRun,
  openDraft,
  sealDraft,
  type DriverFactory,
  type UrlGuard,
} from "../emailConfig/service.js";
import { conflict, notFound, unprocessable } from "../errors.js";
import type { CheckDepth, MailboxDriver, PreflightReport } from "../exchange/driver.js";
import type { ResolvedEmailConfig } from "../exchange/config.js";
import { organizationOf } from "../orgs/service.js";
import type { Repositories } from "../repositories.js";
import type { Keyring } from "../secrets/keyring.js";
import { EtaEstimator } from "./eta.js";
import type { CheckRunEvents } from "./progressEvents.js";
import type { CheckRunRecord, CheckRunsRepository } from "./repository.js";
import type { ChunkQueue } from "./chunkQueue.js";
import { finishOf, QueuedRuns, type RunConfiguration, type RunFinish } from "./queuedRuns.js";
import { runChecks } from "./runner.js";
import type { CheckSettings } from "./settings.js";
import { settlingOf } from "./settling.js";
import type { RunSignal, RunSignals } from "./runSignals.js";
import { budgetKeyOf, type ConcurrencySlots } from "./slots.js";
import type { RunProgress } from "./types.js";

export type { DriverFactory } from "../emailConfig/service.js";

const STATE_BY_SEVERITY: Record<Severity, MailboxState> = {
  ok: "connected",
  warning: "needs_attention",
  transient: "needs_attention",
  error: "not_connected",
};

/** A user's latest check result as their status shows it; null when they were never checked. */
export async function latestMailboxCheck(
  repos: Pick<Repositories, "mailboxStatus">,
  orgId: string,
  userId: string,
): Promise<{ state: MailboxState; lastCheck: NonNullable<MailboxStatusDto["lastCheck"]> } | null> {
  const latest = await repos.mailboxStatus.latest(orgId, userId);
  if (!latest) return null;
  const category = CATEGORIES[isCategoryId(latest.category) ? latest.category : "unknown_error"];
  return {
    state: STATE_BY_SEVERITY[category.severity],
    lastCheck: {
      category: latest.category,
      severity: category.severity,
      message: category.message,
      tellAdmin: category.severity === "ok" ? null : category.tellAdmin,
      checkedAt: latest.checkedAt,
    },
  };
}

export interface CheckServiceDeps {
  repos: Repositories;
  runs: CheckRunsRepository;
  keyring: Keyring;
  guardUrl: UrlGuard;
  driverFor: DriverFactory;
  settings: CheckSettings;
  events: CheckRunEvents;
  /** Where each request takes its slot of the service account's budget. */
  slots: ConcurrencySlots;
  slotsKind: "in-process" | "postgres";
  /** PostgreSQL: cancels, progress and ends told to the other processes on the database; null on SQLite. */
  signals: RunSignals | null;
  /** PostgreSQL: the chunk jobs every process works once a run's preflight passed; null on SQLite. */
  queue: ChunkQueue | null;
  log: FastifyBaseLogger;
}

interface ActiveRun {
  record: CheckRunRecord;
  controller: AbortController;
  /** Why the controller aborted: an admin's cancel ends the run; a shutdown leaves it to resume. */
  stop: "cancel" | "shutdown" | null;
  eta: EtaEstimator;
  settled: Promise<void>;
}

const SEVERITIES: Severity[] = ["ok", "warning", "error", "transient"];

/** Told of every run that ended (monitoring keeps history and raises alerts); its failure never fails the run. */
export type RunEndListener = (run: CheckRunDto) => Promise<void>;

export class CheckService {
  private readonly active = new Map<string, ActiveRun>();
  private readonly endListeners: RunEndListener[] = [];
  private closing = false;
  private resuming: Promise<number> | null = null;
  private orphanWatch: NodeJS.Timeout | null = null;
  private driverFor: DriverFactory;
  /** PostgreSQL: the runs past their preflight, worked as chunks by every process; null on SQLite. */
  private readonly queued: QueuedRuns | null;
  /** When progress of each run was last told to the other processes (at most one signal per progress interval). */
  private readonly signalledAt = new Map<string, number>();
  /** The runs' store and progress events, which the routes read as well. */
  readonly runs: CheckRunsRepository;
  readonly events: CheckRunEvents;

  constructor(private readonly deps: CheckServiceDeps) {
    this.driverFor = deps.driverFor;
    this.runs = deps.runs;
    this.events = deps.events;
    this.queued =
      deps.queue === null || deps.signals === null
        ? null
        : new QueuedRuns({
            queue: deps.queue,
            runs: deps.runs,
            settings: deps.settings,
            slots: deps.slots,
            signals: deps.signals,
            log: deps.log,
            configOf: (run) => this.configOf(run),
            driverFor: (orgId, config) => this.driverFor(orgId, config),
            end: (run, finish) => this.end(run, finish),
            progressed: (run) => this.progressed(run),
          });
    deps.signals?.subscribe((signal) => this.onSignal(signal));
  }

  /** PostgreSQL: starts this process's chunk workers (it then takes its share of every queued run). */
  async startWorking(): Promise<void> {
    await this.queued?.start();
  }

  onRunEnd(listener: RunEndListener): void {
    this.endListeners.push(listener);
  }

  /** Tests: swaps how drivers are built for runs started from now on. */
  useDriverFactory(factory: DriverFactory): void {
    this.driverFor = factory;
  }

  async start(
    orgId: string,
    actor: string,
    input: StartCheckRunInput,
    trigger: CheckRunTrigger = "manual",
  ): Promise<CheckRunRecord> {
    const { repos, runs, settings } = this.deps;
    if (this.closing) throw conflict("The server is shutting down; start the run again in a moment.");
    const concurrency = input.concurrency ?? settings.defaultConcurrency;
    if (concurrency > settings.maxConcurrency) {
      throw unprocessable([{ field: "concurrency", message: `must be at most ${settings.maxConcurrency}` }]);
    }
    if ((await organizationOf(repos, orgId)) === null) throw notFound("Organization");
    const resolution = await configurationForRun(repos, orgId, input.draft, this.deps.guardUrl);
    if (!resolution.ok) throw unprocessable(resolution.errors);

    const runId = randomUUID();
    const draft = input.draft !== undefined;
    const created = await runs.create({
      id: runId,
      orgId,
      depth: input.depth,
      scope: input.scope,
      accessType: resolution.config.accessType,
      configVersion: draft ? null : resolution.version,
      // The draft is never saved as configuration; sealed here only so a crash can resume the run.
      draftEnc: draft ? sealDraft(this.deps.keyring, runId, resolution.config) : null,
      concurrency,
      startedBy: actor,
      trigger,
    });
    switch (created.kind) {
      case "active_run_exists":
        throw conflict(
          `A check run is already active for this organization (${created.activeRunId ?? "starting"}); cancel it or wait for it to end.`,
          [{ field: "runId", message: created.activeRunId ?? "" }],
        );
      case "no_users":
        throw unprocessable([{ field: "scope", message: "selects no users: the organization has no users to check" }]);
      case "unknown_users":
        throw unprocessable([
          {
            field: "scope.userIds",
            message: `are not users of this organization: ${created.userIds.slice(0, 10).join(", ")}${created.userIds.length > 10 ? ", …" : ""}`,
          },
        ]);
      case "created":
        break;
    }
    // A new run's id is unique: the claim only marks it as driven here for the other processes.
    await this.deps.signals?.claim(runId);
    this.launch(created.run, resolution.config, { done: 0, counts: {} }, draft ? null : resolution.changedAt);
    // The run is under way whatever happens to its audit line; a failed write is logged, not surfaced.
    await recordAudit(repos, {
      orgId,
      actor,
      action: "check_run.start",
      target: runId,
      after: { depth: input.depth, scope: created.run.scope, total: created.run.total, draft, concurrency, trigger },
    }).catch((error: unknown) => this.deps.log.error({ err: error, runId }, "check run start not audited"));
    return created.run;
  }

  async get(orgId: string, runId: string): Promise<CheckRunRecord> {
    const run = await this.deps.runs.get(orgId, runId);
    if (run === null) throw notFound("Check run");
    return run;
  }

  async cancel(orgId: string, runId: string, actor: string): Promise<CheckRunRecord> {
    const run = await this.get(orgId, runId);
    if (run.state !== "preflight" && run.state !== "running") {
      throw conflict(`The check run already ended (${run.state}); its results stay readable.`);
    }
    const active = this.active.get(runId);
    if (active !== undefined) {
      active.stop = "cancel";
      active.controller.abort();
      await active.settled;
    }
    const state = await this.deps.runs.stateOf(runId);
    if (state === "preflight" || state === "running") {
      // Queued (its chunks worked by every process; the drive here may have queued it as the cancel came) or driven
      // by another process (or by none: its resume failed): end it here with what is stored, and tell the others so
      // every process working it stops sending requests.
      await this.end(run, { state: "cancelled", progress: await this.deps.runs.progressOf(runId) });
      await this.signal({ kind: "cancel", orgId, runId });
      this.queued?.stopRun(runId);
      await this.queued?.settled(runId);
    }
    await recordAudit(this.deps.repos, { orgId, actor, action: "check_run.cancel", target: runId });
    return this.get(orgId, runId);
  }

  /** Continues every run a crash left in state preflight or running, from the users still without a result. */
  async resumeInterrupted(): Promise<number> {
    // One pass at a time: a session's advisory lock is re-entrant, so two passes could both claim one run.
    if (this.closing || this.resuming !== null) return 0;
    this.resuming = this.resumePass();
    try {
      return await this.resuming;
    } finally {
      this.resuming = null;
    }
  }

  /** PostgreSQL: every interval, takes over the runs whose process died (their claim died with its connection). */
  watchOrphans(intervalMs: number): void {
    if (this.deps.signals === null) return;
    this.orphanWatch = setInterval(() => {
      this.resumeInterrupted().catch((error: unknown) =>
        this.deps.log.error({ err: error }, "orphan runs not resumed"),
      );
    }, intervalMs);
    this.orphanWatch.unref();
  }

  private async resumePass(): Promise<number> {
    const { runs, log } = this.deps;
    let resumed = 0;
    const interrupted = await runs.interrupted();
    // Queued runs are the queue's: only their dead processes' chunks, or a run left without any, need help.
    await this.queued?.reclaim(interrupted.filter((run) => run.queuedAt !== null));
    for (const run of interrupted) {
      if (this.active.has(run.id) || run.queuedAt !== null) continue;
      // On PostgreSQL another live process may be driving it; only a run nobody holds is taken over.
      if (this.deps.signals !== null && !(await this.deps.signals.claim(run.id))) continue;
      const resolved = await this.configOf(run);
      if (!resolved.ok) {
        await this.fail(run, resolved.detail);
        await this.deps.signals?.release(run.id);
        continue;
      }
      const { config } = resolved;
      const changedAt = resolved.changedAt ?? null;
      const progress = await runs.progressOf(run.id);
      log.info({ runId: run.id, done: progress.done, total: run.total }, "resuming interrupted check run");
      this.launch({ ...run, ...progress }, config, progress, changedAt);
      resumed += 1;
    }
    return resumed;
  }

  /**
   * The configuration a run checks with: its sealed draft, or the saved configuration if it did not change since
   * the run started (with when it last changed, for the settling note).
   */
  private async configOf(run: CheckRunRecord): Promise<RunConfiguration & { changedAt?: string | null }> {
    if (run.draftEnc !== null) {
      try {
        return { ok: true, config: openDraft(this.deps.keyring, run.id, run.draftEnc), changedAt: null };
      } catch (error) {
        this.deps.log.error({ err: error, runId: run.id }, "check run draft could not be reopened");
        return { ok: false, detail: "The draft configuration of this run could not be reopened; start a new run." };
      }
    }
    const resolution = await configurationForRun(this.deps.repos, run.orgId, undefined, this.deps.guardUrl);
    if (resolution.version !== run.configVersion) {
      return { ok: false, detail: "The email configuration changed while the run was under way; start a new run." };
    }
    if (!resolution.ok) {
      return {
        ok: false,
        detail: `The saved configuration is no longer valid: ${resolution.errors[0]?.message ?? ""}`,
      };
    }
    return { ok: true, config: resolution.config, changedAt: resolution.changedAt };
  }

  /** Stops driving runs without ending them: they stay running in the database and resume at the next start. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.orphanWatch !== null) clearInterval(this.orphanWatch);
    await this.resuming?.catch(() => undefined);
    const runs = [...this.active.values()];
    for (const run of runs) {
      run.stop ??= "shutdown";
      run.controller.abort();
    }
    await Promise.all(runs.map((run) => run.settled));
    await this.queued?.close();
    await this.deps.slots.close?.();
    await this.deps.signals?.close();
  }

  /** For /api/health: whether this process takes check work, the runs it drives, and how its budget is kept. */
  workerStatus(): { active: boolean; runs: number; budget: "in-process" | "postgres" } {
    return { active: !this.closing, runs: this.active.size + (this.queued?.count() ?? 0), budget: this.deps.slotsKind };
  }

  /** Whether this process drives the run or works some of its chunks. */
  isActive(runId: string): boolean {
    return this.active.has(runId) || (this.queued?.has(runId) ?? false);
  }

  /**
   * Resolves when this process no longer drives the run nor works any of its chunks and, on PostgreSQL, once the
   * run has ended (its last chunks may be another process's).
   */
  async settled(runId: string): Promise<void> {
    await this.active.get(runId)?.settled;
    if (this.queued === null) return;
    for (;;) {
      await this.queued.settled(runId);
      const state = await this.deps.runs.stateOf(runId);
      if (state !== "preflight" && state !== "running") return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  toDto(run: CheckRunRecord): CheckRunDto {
    const severityCounts = Object.fromEntries(SEVERITIES.map((severity) => [severity, 0])) as Record<Severity, number>;
    for (const [category, count] of Object.entries(run.counts) as Array<[CategoryId, number]>) {
      severityCounts[CATEGORIES[category].severity] += count;
    }
    const live = this.active.get(run.id);
    const finished = run.state !== "preflight" && run.state !== "running";
    return {
      id: run.id,
      orgId: run.orgId,
      state: run.state,
      depth: run.depth,
      scope: run.scope,
      accessType: run.accessType,
      configVersion: run.configVersion,
      draft: run.configVersion === null,
      concurrency: run.concurrency,
      total: run.total,
      done: run.done,
      counts: run.counts,
      severityCounts,
      preflight: (run.preflight as CheckPreflightDto | null) ?? null,
      stopReason: stopReasonOf(run),
      startedBy: run.startedBy,
      trigger: run.trigger,
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
      etaSeconds: finished
        ? null
        : live !== undefined
          ? live.eta.secondsLeft(run.total)
          : (this.queued?.secondsLeft(run.id, run.total) ?? null),
    };
  }

  /** `changedAt`: the saved configuration's last change (null for a draft), for the settling note. */
  private launch(
    run: CheckRunRecord,
    config: ResolvedEmailConfig,
    initial: RunProgress,
    changedAt: string | null,
  ): void {
    const active: ActiveRun = {
      record: run,
      controller: new AbortController(),
      stop: null,
      eta: new EtaEstimator(),
      settled: Promise.resolve(),
    };
    active.eta.record(initial.done);
    this.active.set(run.id, active);
    active.settled = this.drive(active, config, initial, changedAt)
      .catch((error: unknown) => {
        this.deps.log.error({ err: error, runId: run.id }, "check run failed");
        return this.fail(active.record, "The server failed while running the checks; the incident was logged.");
      })
      .catch((error: unknown) => this.deps.log.error({ err: error, runId: run.id }, "check run could not be ended"))
      .finally(() => {
        this.active.delete(run.id);
        void this.deps.signals?.release(run.id).catch(() => undefined);
      });
  }

  private async drive(
    active: ActiveRun,
    config: ResolvedEmailConfig,
    initial: RunProgress,
    changedAt: string | null,
  ): Promise<void> {
    const { runs, settings, events } = this.deps;
    const run = active.record;
    const signal = active.controller.signal;
    const driver = this.driverFor(run.orgId, config);

    const preflight = withSettling(
      await this.preflight(driver, signal, run.depth),
      settlingOf(changedAt, new Date(run.startedAt), config),
    );
    if (await this.stoppedEarly(active, preflight)) return;
    if (preflight === null || !preflight.canProceed) {
      const failed = preflight?.steps.find((step) => !step.ok);
      const category = failed?.category ?? "unknown_error";
      return this.end(run, {
        state: stopsRun(category) ? "auth_failed" : "preflight_failed",
        ...(preflight === null ? {} : { preflight }),
        stopCategory: category,
        stopDetail: failed?.detail ?? (preflight === null ? "preflight did not finish in time" : null),
      });
    }
    await runs.markRunning(run.id, preflight);
    Object.assign(run, { state: "running", preflight });
    await this.probeCanaries(run, driver, config, preflight, signal);
    if (signal.aborted && active.stop === "shutdown") return;
    events.progress(run.id, () => this.toDto(run));
    if (this.queued !== null) {
      // PostgreSQL: every process, this one included, works the run's chunks from here on.
      await this.queued.enqueue(run);
      return;
    }

    const end = await runChecks({
      runId: run.id,
      depth: run.depth,
      driver,
      store: runs.storeFor(run.orgId),
      settings: { ...settings.runner, concurrency: run.concurrency, maxConcurrency: settings.maxConcurrency },
      slots: this.deps.slots,
      budgetKey: budgetKeyOf(run.orgId, config),
      initial,
      signal,
      onProgress: (progress) => {
        run.done = progress.done;
        run.counts = progress.counts;
        active.eta.record(progress.done);
        this.progressed(run);
      },
      log: (message, error) => this.deps.log.error({ err: error, runId: run.id }, message),
    });
    if (end.state === "cancelled" && active.stop === "shutdown") return;
    await this.end(run, finishOf(end));
  }

  /**
   * Probes the organization's canaries through the run's driver, at its depth, before any user: each must be refused.
   * Their verdicts are the run's, apart from its users (never counted among them). A failure to probe or store them
   * is logged; the run goes on (its canary verdicts are then missing, which the alert reads as "unknown").
   */
  private async probeCanaries(
    run: CheckRunRecord,
    driver: MailboxDriver,
    config: ResolvedEmailConfig,
    preflight: PreflightReport,
    signal: AbortSignal,
  ): Promise<void> {
    const { repos, settings, log } = this.deps;
    try {
      const canaries = await repos.canaries.list(run.orgId);
      if (canaries.length === 0) return;
      const verdicts = await probeCanaries(
        driver,
        canaries.map((canary) => canary.address),
        { accessType: config.accessType, principal: principalOf(config), preflight, depth: run.depth },
        signal,
        settings.runner.requestTimeoutMs,
      );
      if (!signal.aborted) await repos.canaries.recordVerdicts(run.orgId, run.id, verdicts);
    } catch (error) {
      log.error({ err: error, runId: run.id }, "canaries not probed");
    }
  }

  /** Ends the run once, whichever process or chunk gets there first, and tells everyone who follows it. */
  private async end(run: CheckRunRecord, finish: RunFinish): Promise<void> {
    if (await this.deps.runs.finish(run.id, finish)) await this.announceEnd(run);
  }

  /** New durable progress: this process's followers hear it now, the other processes' at most every interval. */
  private progressed(run: CheckRunRecord): void {
    this.deps.events.progress(run.id, () => this.toDto(run));
    const now = Date.now();
    if (now - (this.signalledAt.get(run.id) ?? 0) < this.deps.settings.progressIntervalMs) return;
    this.signalledAt.set(run.id, now);
    void this.signal({ kind: "progress", orgId: run.orgId, runId: run.id });
  }

  /** The driver's preflight bounded by its own timeout; null when it did not finish (or threw). */
  private async preflight(
    driver: MailboxDriver,
    signal: AbortSignal,
    depth: CheckDepth,
  ): Promise<PreflightReport | null> {
    const timeout = AbortSignal.timeout(this.deps.settings.preflightTimeoutMs);
    const combined = AbortSignal.any([signal, timeout]);
    try {
      return await driver.preflight(combined, depth);
    } catch (error) {
      if (!signal.aborted) this.deps.log.error({ err: error }, "check preflight threw");
      return null;
    }
  }

  /** Handles a cancel or shutdown that arrived during preflight. True when the run must not go on. */
  private async stoppedEarly(active: ActiveRun, preflight: PreflightReport | null): Promise<boolean> {
    if (!active.controller.signal.aborted) return false;
    if (active.stop === "shutdown") return true;
    await this.end(active.record, {
      state: "cancelled",
      progress: await this.deps.runs.progressOf(active.record.id),
      ...(preflight === null ? {} : { preflight }),
    });
    return true;
  }

  private async fail(run: CheckRunRecord, detail: string): Promise<void> {
    await this.end(run, {
      state: "failed",
      progress: await this.deps.runs.progressOf(run.id),
      stopCategory: null,
      stopDetail: detail,
    });
  }

  private async announceEnd(run: CheckRunRecord): Promise<void> {
    this.signalledAt.delete(run.id);
    const stored = await this.deps.runs.get(run.orgId, run.id);
    if (stored === null) return;
    const dto = this.toDto(stored);
    this.deps.events.end(run.id, dto);
    for (const listener of this.endListeners) {
      await listener(dto).catch((error: unknown) =>
        this.deps.log.error({ err: error, runId: run.id }, "a run-end listener failed"),
      );
    }
    await this.signal({ kind: "end", orgId: run.orgId, runId: run.id });
  }

  private async signal(signal: Omit<RunSignal, "from">): Promise<void> {
    await this.deps.signals
      ?.publish(signal)
      .catch((error: unknown) => this.deps.log.error({ err: error, runId: signal.runId }, "check run signal not sent"));
  }

  /** Another process cancelled a run this one drives, or moved a run some client here follows. */
  private onSignal(signal: RunSignal): void {
    const active = this.active.get(signal.runId);
    if (signal.kind === "cancel" || signal.kind === "end") {
      // The run ended elsewhere: this process stops its chunks of it (and, on a cancel, the preflight it drives).
      this.queued?.stopRun(signal.runId);
      if (signal.kind === "cancel") {
        if (active !== undefined) {
          active.stop = "cancel";
          active.controller.abort();
        }
        return;
      }
    } else if (active !== undefined || this.queued?.has(signal.runId) === true) {
      // Progress of a run worked here is already told by this process's own durable writes.
      return;
    }
    if (this.deps.events.listenerCount(signal.runId) === 0) return;
    void this.deps.runs
      .get(signal.orgId, signal.runId)
      .then((run) => {
        if (run === null) return;
        if (signal.kind === "end") this.deps.events.end(run.id, this.toDto(run));
        else this.deps.events.progress(run.id, () => this.toDto(run));
      })
      .catch((error: unknown) => this.deps.log.error({ err: error, runId: signal.runId }, "check run not read"));
  }
}

function stopReasonOf(run: CheckRunRecord): CheckRunDto["stopReason"] {
  if (run.stopCategory !== null) {
    const category = CATEGORIES[run.stopCategory];
    return { category: run.stopCategory, message: category.message, remedy: category.remedy, detail: run.stopDetail };
  }
  if (run.state === "failed") {
    return {
      category: null,
      message: run.stopDetail ?? "The run failed.",
      remedy: "Start a new run; if it fails again, look at the server's log.",
      detail: null,
    };
  }
  return null;
}

/** The preflight as stored and shown, with the settling note when the run started soon after a change. */
function withSettling(
  preflight: PreflightReport | null,
  settling: CheckSettlingDto | null,
): (PreflightReport & { settling?: CheckSettlingDto }) | null {
  return preflight === null || settling === null ? preflight : { ...preflight, settling };
}
