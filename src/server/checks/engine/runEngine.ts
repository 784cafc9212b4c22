/**
 * The one place a run's checks start from, whichever executor carries the run: builds the runner's input (the run's
 * settings, store, budget key and progress) and keeps the run's record and ETA at its freshest durable progress.
 */
import type { FastifyBaseLogger } from "fastify";
import type { ResolvedEmailConfig } from "../../exchange/config.js";
import type { MailboxDriver } from "../../exchange/driver.js";
import { suggestedProfileFor, type PlacementTarget } from "../../profiles/placement.js";
import type { CheckRunRecord, CheckRunsRepository } from "../repository.js";
import type { RunFinish, RunReporter } from "../runReporter.js";
import { PauseLedger } from "./adaptiveBudget.js";
import { EtaEstimator } from "./eta.js";
import { budgetKeyOf, type ConcurrencySlots } from "./requestSlots.js";
import { runChecks, type RunEnd } from "./runner.js";
import type { CheckSettings } from "./runSettings.js";

/** A run this process checks users of. */
export interface CheckedRun {
  /** Kept at the freshest durable progress this process saw. */
  record: CheckRunRecord;
  /** The connection profile the run checks through (each result names it). */
  profileId: string;
  config: ResolvedEmailConfig;
  driver: MailboxDriver;
  eta: EtaEstimator;
  /** The run's throttled waiting here, shared by its chunks in this process (the run-level limit counts them all). */
  throttledWait: PauseLedger;
}

/** `profileId`: the profile the run checks through; until runs go over profiles, the default (id = the org's id). */
export function checkedRun(
  record: CheckRunRecord,
  config: ResolvedEmailConfig,
  driver: MailboxDriver,
  profileId: string = record.orgId,
): CheckedRun {
  const eta = new EtaEstimator();
  eta.record(record.done);
  return { record, profileId, config, driver, eta, throttledWait: new PauseLedger() };
}

export interface RunEngineDeps {
  runs: Pick<CheckRunsRepository, "storeFor">;
  settings: CheckSettings;
  /** Where each request takes its slot of the service account's budget. */
  slots: ConcurrencySlots;
  reporter: Pick<RunReporter, "progressed">;
  /** The organization's profiles, read once per call, for the suggestion a result carries; absent: none. */
  placementTargets?: (orgId: string) => Promise<PlacementTarget[]>;
  log: FastifyBaseLogger;
}

export class RunEngine {
  constructor(private readonly deps: RunEngineDeps) {}

  get settings(): CheckSettings {
    return this.deps.settings;
  }

  /**
   * Checks the run's pending users (only the chunk's, when given) until done, stopped, or the run must end;
   * `onDrained` once only requests in flight are left.
   */
  async check(
    run: CheckedRun,
    signal: AbortSignal,
    chunk?: { after: string | null; last: string },
    onDrained?: () => void,
  ): Promise<RunEnd> {
    const { settings, runs, slots, reporter, log } = this.deps;
    const record = run.record;
    const targets = (await this.deps.placementTargets?.(record.orgId)) ?? [];
    return runChecks({
      runId: record.id,
      depth: record.depth,
      driver: run.driver,
      store: runs.storeFor(record.orgId),
      settings: { ...settings.runner, concurrency: record.concurrency, maxConcurrency: settings.maxConcurrency },
      slots,
      budgetKey: budgetKeyOf(record.orgId, run.config),
      profileId: run.profileId,
      suggestProfile: (placement) => suggestedProfileFor(placement.where, targets, run.profileId)?.profileId ?? null,
      initial: { done: record.done, counts: record.counts },
      ...(chunk === undefined ? {} : { chunk }),
      throttledWait: run.throttledWait,
      signal,
      ...(onDrained === undefined ? {} : { onDrained }),
      onProgress: (progress) => {
        // Chunks (here and in other processes) write concurrently: the freshest durable count wins.
        if (progress.done < record.done) return;
        record.done = progress.done;
        record.counts = progress.counts;
        run.eta.record(progress.done);
        reporter.progressed(record, run.eta);
      },
      log: (message, error) => log.error({ err: error, runId: record.id }, message),
    });
  }
}

/** What the run's end stores, from how the runner ended. */
export function finishOf(end: RunEnd): RunFinish {
  switch (end.state) {
    case "completed":
    case "cancelled":
      return { state: end.state, progress: end.progress };
    case "auth_failed":
      return { state: "auth_failed", progress: end.progress, stopCategory: end.category, stopDetail: end.detail };
    case "throttled":
      return { state: "throttled", progress: end.progress, stopCategory: "throttled", stopDetail: end.detail };
    case "failed":
      return { state: "failed", progress: end.progress, stopCategory: null, stopDetail: end.detail };
  }
}
