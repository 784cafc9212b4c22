/**
 * Check runs as the API sees them: start (validate scope and configuration, fix the users, launch in the
 * background), read, cancel, and resume every run a crash interrupted. The process that drives a run holds it (on
 * PostgreSQL an advisory lock other processes see, so they take it over when that process dies); a shutdown leaves
 * active runs in state running so the next start, or another process, continues them.
 */
import { randomUUID } from "node:crypto";
import type { FastifyBaseLogger } from "fastify";
import { CATEGORIES, stopsRun } from "../../contract/categories.js";
import type { Severity } from "../../contract/categories.js";
import type { MailboxState, MailboxStatusDto } from "../../contract/api.js";
import { isCategoryId } from "../../contract/categories.js";
import type { CheckRunDto, CheckSettlingDto, StartCheckRunInput } from "../../contract/checks.js";
import type { CheckRunTrigger } from "../../contract/monitoring.js";
import { recordAudit } from "../audit/service.js";
import { probeCanaries, principalOf } from "../canaries/probe.js";
import { configurationForRun, sealDraft, type DriverFactory, type UrlGuard } from "../emailConfig/service.js";
import { conflict, notFound, unprocessable } from "../errors.js";
import type { CheckDepth, MailboxDriver, PreflightReport } from "../exchange/driver.js";
import type { ResolvedEmailConfig } from "../exchange/config.js";
import { organizationOf } from "../orgs/service.js";
import { effectiveProfiles } from "../profiles/service.js";
import type { Repositories } from "../repositories.js";
import type { Keyring } from "../secrets/keyring.js";
import { checkedRun, type CheckedRun } from "./engine/runEngine.js";
import type { CheckSettings } from "./engine/runSettings.js";
import type { CheckRunEvents } from "./progressEvents.js";
import type { CheckRunRecord, CheckRunsRepository } from "./repository.js";
import type { RunConfigs } from "./runConfigs.js";
import { runDto } from "./runDto.js";
import type { RunExecutor, RunSignal } from "./runExecutor.js";
import type { RunEndListener, RunReporter } from "./runReporter.js";
import { settlingOf } from "./settling.js";

export type { RunEndListener } from "./runReporter.js";
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
  settings: CheckSettings;
  events: CheckRunEvents;
  /** The configuration and driver of a stored run. */
  configs: RunConfigs;
  /** Progress and ends, told to this process's followers and the other processes. */
  reporter: RunReporter;
  /** Where a run's checks execute once its preflight passed (chosen once in app.ts). */
  executor: RunExecutor;
  log: FastifyBaseLogger;
}

interface ActiveRun {
  run: CheckedRun;
  controller: AbortController;
  /** Why the controller aborted: an admin's cancel ends the run; a shutdown leaves it to resume. */
  stop: "cancel" | "shutdown" | null;
  settled: Promise<void>;
}

export class CheckService {
  /** The runs this process drives: their preflight and, in-process, their checks. */
  private readonly active = new Map<string, ActiveRun>();
  private closing = false;
  private resuming: Promise<number> | null = null;
  private orphanWatch: NodeJS.Timeout | null = null;
  /** The runs' store and progress events, which the routes read as well. */
  readonly runs: CheckRunsRepository;
  readonly events: CheckRunEvents;

  constructor(private readonly deps: CheckServiceDeps) {
    this.runs = deps.runs;
    this.events = deps.events;
    deps.executor.signals.subscribe((signal) => this.onSignal(signal));
  }

  /** Starts taking check work (on PostgreSQL this process's chunk workers, its share of every queued run). */
  async startWorking(): Promise<void> {
    await this.deps.executor.start();
  }

  onRunEnd(listener: RunEndListener): void {
    this.deps.reporter.onRunEnd(listener);
  }

  /** The driver a run would check this configuration with (the directory listing of canary suggestions uses it). */
  /** `profileId`: the profile whose EWS OAuth token cache the driver keeps (absent: the default profile's). */
  driverFor(orgId: string, config: ResolvedEmailConfig, profileId?: string): MailboxDriver {
    return this.deps.configs.driverFor(orgId, config, profileId);
  }

  /** Tests: swaps how drivers are built for runs started from now on. */
  useDriverFactory(factory: DriverFactory): void {
    this.deps.configs.useDriverFactory(factory);
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
    if (input.profileId !== undefined && (await repos.emailConfigs.profile(orgId, input.profileId)) === null) {
      throw unprocessable([{ field: "profileId", message: "is not a profile of this organization" }]);
    }
    if ("userIds" in input.scope) {
      const unknown = await repos.users.existingIds(orgId, input.scope.userIds);
      const missing = input.scope.userIds.filter((userId) => !unknown.has(userId));
      if (missing.length > 0) {
        throw unprocessable([
          {
            field: "scope.userIds",
            message: `are not users of this organization: ${missing.slice(0, 10).join(", ")}${missing.length > 10 ? ", …" : ""}`,
          },
        ]);
      }
    }
    // Every user through their own profile: the scope split by profile, profiles without users left out.
    const placed = await effectiveProfiles(repos, orgId);
    const listed = "userIds" in input.scope ? new Set(input.scope.userIds) : null;
    const shares = placed.profiles
      .map((profile) => ({
        ...profile,
        userIds: profile.userIds.filter((userId) => listed === null || listed.has(userId)),
      }))
      .filter((profile) => profile.userIds.length > 0);
    // A draft without a profile is the default profile's form, as before profiles.
    const single =
      input.profileId ??
      (input.draft !== undefined
        ? placed.defaultProfileId
        : shares.length <= 1
          ? (shares[0]?.profileId ?? placed.defaultProfileId)
          : null);
    if (single === null) return this.startGroup(orgId, actor, input, trigger, concurrency, shares);

    const resolution = await configurationForRun(repos, orgId, input.draft, this.deps.guardUrl, single);
    if (!resolution.ok) throw unprocessable(resolution.errors);
    const onlyUserIds = shares.find((share) => share.profileId === single)?.userIds ?? [];
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
      profileId: single,
      onlyUserIds,
    });
    switch (created.kind) {
      case "active_run_exists":
        throw activeRunConflict(created.activeRunId);
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
    await this.deps.executor.signals.claim(runId);
    this.launch(created.run, resolution.config, draft ? null : resolution.changedAt);
    // The run is under way whatever happens to its audit line; a failed write is logged, not surfaced.
    await recordAudit(repos, {
      orgId,
      actor,
      action: "check_run.start",
      target: runId,
      after: {
        depth: input.depth,
        scope: created.run.scope,
        total: created.run.total,
        draft,
        concurrency,
        trigger,
        profileId: single,
      },
    }).catch((error: unknown) => this.deps.log.error({ err: error, runId }, "check run start not audited"));
    return created.run;
  }

  /**
   * A group run: one child per profile with users, each with its own configuration (a profile's invalid one
   * refuses the start whole, naming the profile), launched side by side under one parent.
   */
  private async startGroup(
    orgId: string,
    actor: string,
    input: StartCheckRunInput,
    trigger: CheckRunTrigger,
    concurrency: number,
    shares: Array<{ profileId: string; name: string; userIds: string[] }>,
  ): Promise<CheckRunRecord> {
    const { repos, runs } = this.deps;
    const resolved = [];
    const errors: Array<{ field: string; message: string }> = [];
    for (const share of shares) {
      const resolution = await configurationForRun(repos, orgId, undefined, this.deps.guardUrl, share.profileId);
      if (resolution.ok) resolved.push({ share, resolution });
      else
        for (const error of resolution.errors)
          errors.push({ ...error, message: `Profile ${share.name}: ${error.message}` });
    }
    if (errors.length > 0) throw unprocessable(errors);
    const runId = randomUUID();
    const children = resolved.map(({ share, resolution }) => ({
      id: randomUUID(),
      profileId: share.profileId,
      accessType: resolution.ok ? resolution.config.accessType : "",
      configVersion: resolution.version,
      draftEnc: null,
      userIds: share.userIds,
      config: resolution.ok ? resolution.config : null,
      changedAt: resolution.changedAt,
    }));
    const accessTypes = [...new Set(children.map((child) => child.accessType))];
    const created = await runs.createGroup(
      {
        id: runId,
        orgId,
        depth: input.depth,
        scope: input.scope,
        accessType: accessTypes.length === 1 ? (accessTypes[0] ?? "") : "mixed",
        configVersion: null,
        draftEnc: null,
        concurrency,
        startedBy: actor,
        trigger,
      },
      children,
    );
    if (created.kind === "active_run_exists") throw activeRunConflict(created.activeRunId);
    if (created.kind !== "created") {
      throw unprocessable([{ field: "scope", message: "selects no users: the organization has no users to check" }]);
    }
    for (const child of children) {
      const record = created.run.members?.find((member) => member.id === child.id);
      if (record === undefined || child.config === null) continue;
      await this.deps.executor.signals.claim(child.id);
      const { profileName: _name, ...childRecord } = record;
      this.launch(childRecord, child.config, child.changedAt);
    }
    await recordAudit(repos, {
      orgId,
      actor,
      action: "check_run.start",
      target: runId,
      after: {
        depth: input.depth,
        scope: created.run.scope,
        total: created.run.total,
        draft: false,
        concurrency,
        trigger,
        profiles: children.map((child) => ({
          profileId: child.profileId,
          runId: child.id,
          total: child.userIds.length,
        })),
      },
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
    if (run.members !== undefined) {
      // A group: each child still active is cancelled; the last one's end ends the parent.
      for (const member of run.members) {
        if (member.state === "preflight" || member.state === "running") await this.cancelRun(member);
      }
      await this.deps.reporter.settleGroup(orgId, runId);
    } else await this.cancelRun(run);
    await recordAudit(this.deps.repos, { orgId, actor, action: "check_run.cancel", target: runId });
    return this.get(orgId, runId);
  }

  private async cancelRun(run: CheckRunRecord): Promise<void> {
    const { orgId, id: runId } = run;
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
      await this.deps.reporter.end(run, { state: "cancelled", progress: await this.deps.runs.progressOf(runId) });
      await this.deps.reporter.signal({ kind: "cancel", orgId, runId });
      this.deps.executor.stopRun(runId);
      await this.deps.executor.settled(runId);
    }
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
    this.orphanWatch = setInterval(() => {
      this.resumeInterrupted().catch((error: unknown) =>
        this.deps.log.error({ err: error }, "orphan runs not resumed"),
      );
    }, intervalMs);
    this.orphanWatch.unref();
  }

  private async resumePass(): Promise<number> {
    const { runs, log, executor, reporter } = this.deps;
    let resumed = 0;
    const interrupted: CheckRunRecord[] = [];
    for (const run of await runs.interrupted()) {
      // A group's parent is never driven itself: its children are; one whose children all ended is ended here.
      if (run.parentRunId === null && (await runs.childrenOf(run.id)).length > 0) {
        await reporter.settleGroup(run.orgId, run.id);
        continue;
      }
      interrupted.push(run);
    }
    for (const run of await executor.recover(interrupted)) {
      // Another live process may be driving it; only a run nobody holds is taken over.
      if (this.active.has(run.id) || !(await executor.signals.claim(run.id))) continue;
      const resolved = await this.deps.configs.of(run);
      if (!resolved.ok) {
        await reporter.fail(run, resolved.detail);
        await executor.signals.release(run.id);
        continue;
      }
      const progress = await runs.progressOf(run.id);
      log.info({ runId: run.id, done: progress.done, total: run.total }, "resuming interrupted check run");
      this.launch({ ...run, ...progress }, resolved.config, resolved.changedAt);
      resumed += 1;
    }
    return resumed;
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
    await this.deps.executor.close();
  }

  /** For /api/health: whether this process takes check work, the runs it drives, and how its budget is kept. */
  workerStatus(): { active: boolean; runs: number; budget: "in-process" | "postgres" } {
    const { executor } = this.deps;
    return { active: !this.closing, runs: this.active.size + executor.count(), budget: executor.budget };
  }

  /** Whether this process drives the run or works some of its chunks. */
  isActive(runId: string): boolean {
    return this.active.has(runId) || this.deps.executor.has(runId);
  }

  /**
   * Resolves when this process no longer drives the run nor works any of its chunks and, on PostgreSQL, once the
   * run has ended (its last chunks may be another process's).
   */
  async settled(runId: string): Promise<void> {
    for (const child of await this.deps.runs.childrenOf(runId)) await this.settled(child.id);
    await this.active.get(runId)?.settled;
    await this.deps.executor.settled(runId);
  }

  toDto(run: CheckRunRecord): CheckRunDto {
    const live = this.active.get(run.id);
    const eta =
      live !== undefined ? live.run.eta.secondsLeft(run.total) : this.deps.executor.secondsLeft(run.id, run.total);
    return runDto(run, eta);
  }

  /** `changedAt`: the saved configuration's last change (null for a draft), for the settling note. */
  private launch(record: CheckRunRecord, config: ResolvedEmailConfig, changedAt: string | null): void {
    const { reporter, executor, log } = this.deps;
    const active: ActiveRun = {
      run: checkedRun(
        record,
        config,
        this.deps.configs.driverFor(record.orgId, config, record.profileId ?? undefined),
        record.profileId ?? record.orgId,
      ),
      controller: new AbortController(),
      stop: null,
      settled: Promise.resolve(),
    };
    this.active.set(record.id, active);
    active.settled = this.drive(active, changedAt)
      .catch((error: unknown) => {
        log.error({ err: error, runId: record.id }, "check run failed");
        return reporter.fail(record, "The server failed while running the checks; the incident was logged.");
      })
      .catch((error: unknown) => log.error({ err: error, runId: record.id }, "check run could not be ended"))
      .finally(() => {
        this.active.delete(record.id);
        void executor.signals.release(record.id).catch(() => undefined);
      });
  }

  /** The run's preflight, then its checks wherever the executor runs them. */
  private async drive(active: ActiveRun, changedAt: string | null): Promise<void> {
    const { runs, events, reporter, executor } = this.deps;
    const { record: run, config, driver } = active.run;
    const signal = active.controller.signal;

    const preflight = withSettling(
      await this.preflight(driver, signal, run.depth),
      settlingOf(changedAt, new Date(run.startedAt), config),
    );
    if (await this.stoppedEarly(active, preflight)) return;
    if (preflight === null || !preflight.canProceed) {
      const failed = preflight?.steps.find((step) => !step.ok);
      const category = failed?.category ?? "unknown_error";
      return reporter.end(run, {
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
    await executor.execute(active.run, { signal, stop: () => active.stop });
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
    const run = active.run.record;
    await this.deps.reporter.end(run, {
      state: "cancelled",
      progress: await this.deps.runs.progressOf(run.id),
      ...(preflight === null ? {} : { preflight }),
    });
    return true;
  }

  /** Another process cancelled a run this one drives, or moved a run some client here follows. */
  private onSignal(signal: RunSignal): void {
    const active = this.active.get(signal.runId);
    if (signal.kind === "cancel" || signal.kind === "end") {
      // The run ended elsewhere: this process stops its chunks of it (and, on a cancel, the preflight it drives).
      this.deps.executor.stopRun(signal.runId);
      if (signal.kind === "cancel") {
        if (active !== undefined) {
          active.stop = "cancel";
          active.controller.abort();
        }
        return;
      }
    } else if (active !== undefined || this.deps.executor.has(signal.runId)) {
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

function activeRunConflict(activeRunId: string | null) {
  return conflict(
    `A check run is already active for this organization (${activeRunId ?? "starting"}); cancel it or wait for it to end.`,
    [{ field: "runId", message: activeRunId ?? "" }],
  );
}

/** The preflight as stored and shown, with the settling note when the run started soon after a change. */
function withSettling(
  preflight: PreflightReport | null,
  settling: CheckSettlingDto | null,
): (PreflightReport & { settling?: CheckSettlingDto }) | null {
  return preflight === null || settling === null ? preflight : { ...preflight, settling };
}
