/**
 * The check runner's settings, from the server configuration (CHECK_* variables, validated at start-up by
 * loadConfig) plus the fixed limits no deployment needs to change.
 */
import type { CheckQueueConfig, ChecksConfig } from "../../config.js";
import { DEFAULT_RUNNER_SETTINGS, type RunnerSettings } from "./runner.js";

export interface CheckSettings {
  defaultConcurrency: number;
  maxConcurrency: number;
  runner: Omit<RunnerSettings, "concurrency" | "maxConcurrency">;
  /** Preflight (URL, TLS, authentication, own mailbox, rooms) as a whole. */
  preflightTimeoutMs: number;
  /** Minimum spacing of progress events per run (≤ 4 a second). */
  progressIntervalMs: number;
  /** PostgreSQL: chunk jobs (pg-boss). */
  queue: CheckQueueConfig;
}

export function checkSettingsFrom(checks: ChecksConfig): CheckSettings {
  const { defaultConcurrency, maxConcurrency, queue, ...runner } = checks;
  return {
    defaultConcurrency,
    maxConcurrency,
    queue,
    runner: { ...DEFAULT_RUNNER_SETTINGS, ...runner },
    preflightTimeoutMs: 60_000,
    progressIntervalMs: 250,
  };
}
