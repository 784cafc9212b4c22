import { describe, expect, it } from "vitest";
import { settlingOf } from "../../../../src/server/checks/settling.js";

describe("the settling note", () => {
  const changedAt = "2026-12-02T14:45:10.000Z";
  const appOnly = { accessType: "graph_app_only" } as const;

  it("names the time a re-check sees the settled answer, 2 hours after the change", () => {
    expect(settlingOf(changedAt, new Date("2026-12-02T15:00:00.000Z"), appOnly)).toEqual({
      changedAt,
      recheckAfter: "2026-12-02T16:45:10.000Z",
      note: "Changes to RBAC for Applications can take up to 2 hours; re-check after 16:45 UTC.",
    });
  });

  it("is absent once the window has passed, before the change, and without a recorded change", () => {
    expect(settlingOf(changedAt, new Date("2026-12-02T16:45:10.000Z"), appOnly)).toBeNull();
    expect(settlingOf(changedAt, new Date("2026-12-02T14:00:00.000Z"), appOnly)).toBeNull();
    expect(settlingOf(null, new Date("2026-12-02T15:00:00.000Z"), appOnly)).toBeNull();
  });

  it("applies only to app-only, where RBAC for Applications settles: on-premises EWS applies rights at once", () => {
    const within = new Date("2026-12-02T15:00:00.000Z");
    expect(settlingOf(changedAt, within, { accessType: "ews_basic_impersonation" })).toBeNull();
    expect(settlingOf(changedAt, within, { accessType: "ews_oauth_impersonation" })).toBeNull();
    expect(settlingOf(changedAt, within, appOnly)).not.toBeNull();
  });
});
