import { describe, expect, it } from "vitest";
import { failingFor, latestFinishedRun, runFigures } from "../../../../../src/taskpane/admin/health/healthFigures";
import { historyEntry } from "../monitoringFixtures";

const counts = { connected: 1, needsAttention: 0, failing: 0 };

describe("health figures", () => {
  it("orders runs oldest first, labelled by day, with the time only when a day has several runs", () => {
    const runs = runFigures(
      [
        historyEntry("c", "2026-12-02T15:30:10", counts),
        historyEntry("b", "2026-12-02T15:30:40", counts),
        historyEntry("a", "2026-11-30T06:00:00", counts),
      ],
      "en-US",
    );
    expect(runs.map((run) => run.runId)).toEqual(["a", "b", "c"]);
    expect(runs.map((run) => run.label)).toEqual(["Nov 30", "Dec 2, 03:30 PM", "Dec 2, 03:30 PM (2)"]);
  });

  it("says how long a user has been failing in its largest whole unit", () => {
    const now = new Date("2026-12-02T12:00:00Z");
    expect(failingFor("2026-11-29T11:00:00Z", now, "en-US")).toBe("3 days");
    expect(failingFor("2026-12-02T07:59:00Z", now, "en-US")).toBe("4 hours");
    expect(failingFor("2026-12-02T11:59:00Z", now, "en-US")).toBe("1 minute");
    expect(failingFor("2026-12-02T11:59:30Z", now, "en-US")).toBe("under a minute");
  });

  it("compares newly failing users against the newest finished run, not one still running", () => {
    const history = [
      historyEntry("running", "2026-12-02T10:00:00Z", counts, { finishedAt: null, state: "running" }),
      historyEntry("done", "2026-12-01T10:00:00Z", counts),
    ];
    expect(latestFinishedRun(history)?.runId).toBe("done");
  });
});
