import { describe, expect, it } from "vitest";
import { EtaEstimator } from "../../../../src/server/checks/engine/eta.js";

describe("check run ETA", () => {
  it("is unknown until a second of progress has been seen", () => {
    let now = 0;
    const eta = new EtaEstimator(30_000, () => now);
    expect(eta.secondsLeft(100)).toBeNull();
    eta.record(0);
    now = 500;
    eta.record(10);
    expect(eta.secondsLeft(100)).toBeNull();
  });

  it("projects the remaining users at the recent rate", () => {
    let now = 0;
    const eta = new EtaEstimator(30_000, () => now);
    eta.record(0);
    now = 2_000;
    eta.record(100);
    expect(eta.secondsLeft(1_100)).toBe(20);
  });

  it("forgets samples older than the window so a slowdown shows", () => {
    let now = 0;
    const eta = new EtaEstimator(10_000, () => now);
    eta.record(0);
    now = 1_000;
    eta.record(1_000);
    now = 20_000;
    eta.record(1_010);
    now = 21_000;
    eta.record(1_020);
    expect(eta.secondsLeft(2_020)).toBe(100);
  });

  it("is zero once everything is done", () => {
    const eta = new EtaEstimator();
    eta.record(5);
    expect(eta.secondsLeft(5)).toBe(0);
  });
});
