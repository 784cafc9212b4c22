import { afterEach, describe, expect, it, vi } from "vitest";
import type { CheckRunDto, CheckRunEvent } from "../../../../src/contract/checks.js";
import { CheckRunEvents } from "../../../../src/server/checks/progressEvents.js";

function runDto(done: number): CheckRunDto {
  return {
    id: "r1",
    orgId: "o1",
    state: "running",
    depth: "read",
    scope: "all",
    accessType: "ews_basic_impersonation",
    configVersion: 1,
    draft: false,
    concurrency: 10,
    total: 100,
    done,
    counts: { ok: done },
    severityCounts: { ok: done, warning: 0, error: 0, transient: 0 },
    preflight: null,
    stopReason: null,
    startedBy: "admin@contoso.test",
    trigger: "manual",
    startedAt: "2026-11-21T10:00:00.000Z",
    finishedAt: null,
    etaSeconds: null,
    profiles: [],
  };
}

describe("check run progress events", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("sends at most one progress event per interval and the latest state when the interval ends", () => {
    vi.useFakeTimers();
    const events = new CheckRunEvents(250);
    const received: CheckRunEvent[] = [];
    events.subscribe("r1", (event) => received.push(event));

    for (let done = 1; done <= 50; done += 1) events.progress("r1", () => runDto(done));
    expect(received.map((event) => event.run.done)).toEqual([1]);

    vi.advanceTimersByTime(249);
    expect(received).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(received.map((event) => event.run.done)).toEqual([1, 50]);

    for (let second = 0; second < 4; second += 1) {
      for (let tick = 0; tick < 100; tick += 1) {
        events.progress("r1", () => runDto(100));
        vi.advanceTimersByTime(10);
      }
    }
    expect(received.length).toBeLessThanOrEqual(2 + 4 * 4);
  });

  it("delivers the end event at once, drops pending progress and forgets the listeners", () => {
    vi.useFakeTimers();
    const events = new CheckRunEvents(250);
    const received: CheckRunEvent[] = [];
    events.subscribe("r1", (event) => received.push(event));
    events.progress("r1", () => runDto(1));
    events.progress("r1", () => runDto(2));

    events.end("r1", { ...runDto(100), state: "completed" });
    vi.advanceTimersByTime(1_000);

    expect(received.map((event) => [event.type, event.run.done])).toEqual([
      ["progress", 1],
      ["end", 100],
    ]);
    expect(events.listenerCount("r1")).toBe(0);
  });

  it("builds no snapshot when nobody listens", () => {
    const events = new CheckRunEvents(250);
    const snapshot = vi.fn(() => runDto(1));
    events.progress("r1", snapshot);
    const unsubscribe = events.subscribe("r1", () => undefined);
    unsubscribe();
    events.progress("r1", snapshot);
    expect(snapshot).not.toHaveBeenCalled();
  });
});
