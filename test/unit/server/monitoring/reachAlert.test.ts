import { describe, expect, it } from "vitest";
import { evaluateAlerts, type RunFacts } from "../../../../src/server/monitoring/alerts.js";
import { DEFAULT_RULES } from "../../../../src/server/monitoring/settings.js";

const now = new Date("2026-12-01T09:00:00.000Z");
const run: RunFacts = {
  state: "completed",
  done: 10,
  counts: { ok: 10 },
  newlyFailing: [],
  failingNow: 0,
};
const config = { serviceAccountState: null, credentialExpiry: null };
const reach = (notOpened: number, signInFailing: number) => ({ days: 7, notOpened, signInFailing });

describe("the sidebar-reach alert rule", () => {
  it.each([
    [
      reach(3, 0),
      { holds: true, summary: "3 users have a connected mailbox but have not opened the sidebar in 7 days" },
    ],
    [reach(0, 2), { holds: true, summary: "sign-in is failing in the sidebar for 2 users" }],
    [
      reach(1, 1),
      {
        holds: true,
        summary:
          "1 user has a connected mailbox but has not opened the sidebar in 7 days; " +
          "sign-in is failing in the sidebar for 1 user",
      },
    ],
    [reach(0, 0), { holds: false }],
    [null, "unknown"],
  ])("decides %j as %j", (facts, verdict) => {
    expect(evaluateAlerts(DEFAULT_RULES, run, config, now, facts).sidebar_reach).toEqual(verdict);
  });

  it("is off when the rule is disabled or absent from stored rules", () => {
    const off = { ...DEFAULT_RULES, sidebarReach: { enabled: false, days: 7 } };
    expect(evaluateAlerts(off, run, config, now, reach(5, 5)).sidebar_reach).toBe("off");
    const { sidebarReach: _absent, ...older } = DEFAULT_RULES;
    expect(evaluateAlerts(older, run, config, now, reach(5, 5)).sidebar_reach).toBe("off");
  });
});
