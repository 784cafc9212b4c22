/**
 * The check runner's settings from the environment, validated at start-up like the server's own configuration:
 *  CHECK_CONCURRENCY (default 10), CHECK_MAX_CONCURRENCY (the server's budget, default 27: EWSMaxConcurrency),
 *  CHECK_MAX_ATTEMPTS (default 5), CHECK_REQUEST_TIMEOUT_MS (default 30000), CHECK_RETRY_BASE_MS (default 200),
 *  CHECK_DEFAULT_BACKOFF_MS (default 1000), CHECK_PAGE_SIZE (default 500).
 */
import { ConfigError } from "../config.js";
import { DEFAULT_RUNNER_SETTINGS, type RunnerSettings } from "./runner.js";

export interface CheckSettings {
  defaultConcurrency: number;
  maxConcurrency: number;
  runner: Omit<RunnerSettings, "concurrency">;
  /** Preflight (URL, TLS, authentication, own mailbox, rooms) as a whole. */
  preflightTimeoutMs: number;
  /** Minimum spacing of progress events per run (≤ 4 a second). */
  progressIntervalMs: number;
}

function whole(env: Record<string, string | undefined>, name: string, fallback: number, min: number, max: number) {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(name, `must be a whole number between ${min} and ${max} (got "${raw}")`);
  }
  return value;
}

export function loadCheckSettings(env: Record<string, string | undefined> = process.env): CheckSettings {
  const maxConcurrency = whole(env, "CHECK_MAX_CONCURRENCY", 27, 1, 500);
  const defaultConcurrency = whole(env, "CHECK_CONCURRENCY", Math.min(10, maxConcurrency), 1, 500);
  if (defaultConcurrency > maxConcurrency) {
    throw new ConfigError("CHECK_CONCURRENCY", `must not exceed CHECK_MAX_CONCURRENCY (${maxConcurrency})`);
  }
  return {
    defaultConcurrency,
    maxConcurrency,
    runner: {
      ...DEFAULT_RUNNER_SETTINGS,
      maxAttempts: whole(env, "CHECK_MAX_ATTEMPTS", DEFAULT_RUNNER_SETTINGS.maxAttempts, 1, 20),
      requestTimeoutMs: whole(env, "CHECK_REQUEST_TIMEOUT_MS", DEFAULT_RUNNER_SETTINGS.requestTimeoutMs, 100, 600_000),
      retryBaseMs: whole(env, "CHECK_RETRY_BASE_MS", DEFAULT_RUNNER_SETTINGS.retryBaseMs, 1, 60_000),
      defaultBackOffMs: whole(env, "CHECK_DEFAULT_BACKOFF_MS", DEFAULT_RUNNER_SETTINGS.defaultBackOffMs, 1, 600_000),
      pageSize: whole(env, "CHECK_PAGE_SIZE", DEFAULT_RUNNER_SETTINGS.pageSize, 10, 10_000),
    },
    preflightTimeoutMs: 60_000,
    progressIntervalMs: 250,
  };
}
