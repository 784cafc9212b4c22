import { describe, expect, it } from "vitest";
import { loadCheckSettings } from "../../../src/server/checks/settings.js";

describe("check runner settings", () => {
  it("default to 10 workers within a budget of 27, five attempts and a 30-second request timeout", () => {
    const settings = loadCheckSettings({});
    expect(settings.defaultConcurrency).toBe(10);
    expect(settings.maxConcurrency).toBe(27);
    expect(settings.runner.maxAttempts).toBe(5);
    expect(settings.runner.requestTimeoutMs).toBe(30_000);
    expect(settings.progressIntervalMs).toBeGreaterThanOrEqual(250);
  });

  it("name the variable that is wrong", () => {
    expect(() => loadCheckSettings({ CHECK_CONCURRENCY: "ten" })).toThrow(/CHECK_CONCURRENCY/);
    expect(() => loadCheckSettings({ CHECK_MAX_ATTEMPTS: "0" })).toThrow(/CHECK_MAX_ATTEMPTS/);
    expect(() => loadCheckSettings({ CHECK_CONCURRENCY: "30", CHECK_MAX_CONCURRENCY: "27" })).toThrow(
      /CHECK_CONCURRENCY must not exceed CHECK_MAX_CONCURRENCY/,
    );
  });

  it("follow the environment", () => {
    const settings = loadCheckSettings({ CHECK_CONCURRENCY: "20", CHECK_REQUEST_TIMEOUT_MS: "5000" });
    expect(settings.defaultConcurrency).toBe(20);
    expect(settings.runner.requestTimeoutMs).toBe(5_000);
  });
});
