import { describe, expect, it } from "vitest";
import { checkSettingsFrom } from "../../../../src/server/checks/engine/runSettings.js";
import { DEFAULT_RUNNER_SETTINGS } from "../../../../src/server/checks/engine/runner.js";
import { loadConfig } from "../../../../src/server/config.js";

describe("check runner settings", () => {
  it("default to 10 workers within a budget of 27, five attempts and a 30-second request timeout", () => {
    const settings = checkSettingsFrom(loadConfig({}).checks);
    expect(settings.defaultConcurrency).toBe(10);
    expect(settings.maxConcurrency).toBe(27);
    expect(settings.runner.maxAttempts).toBe(5);
    expect(settings.runner.requestTimeoutMs).toBe(30_000);
    expect(settings.progressIntervalMs).toBeGreaterThanOrEqual(250);
  });

  it("follow the CHECK_* variables and keep the runner's fixed limits", () => {
    const settings = checkSettingsFrom(
      loadConfig({ CHECK_CONCURRENCY: "20", CHECK_REQUEST_TIMEOUT_MS: "5000", CHECK_PAGE_SIZE: "50" }).checks,
    );
    expect(settings.defaultConcurrency).toBe(20);
    expect(settings.runner.requestTimeoutMs).toBe(5_000);
    expect(settings.runner.pageSize).toBe(50);
    expect(settings.runner.retryMaxMs).toBe(DEFAULT_RUNNER_SETTINGS.retryMaxMs);
    expect(settings.runner).not.toHaveProperty("defaultConcurrency");
    expect(settings.runner).not.toHaveProperty("maxConcurrency");
  });
});
