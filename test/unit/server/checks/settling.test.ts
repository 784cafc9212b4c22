import { describe, expect, it } from "vitest";
import { settlingOf } from "../../../../src/server/checks/settling.js";

describe("the settling note", () => {
  const changedAt = "2026-12-02T14:45:10.000Z";

  it("names the time a re-check sees the settled answer, 2 hours after the change", () => {
    expect(settlingOf(changedAt, new Date("2026-12-02T15:00:00.000Z"))).toEqual({
      changedAt,
      recheckAfter: "2026-12-02T16:45:10.000Z",
      note: "Changes to RBAC for Applications can take up to 2 hours; re-check after 16:45 UTC.",
    });
  });

  it("is absent once the window has passed, before the change, and without a recorded change", () => {
    expect(settlingOf(changedAt, new Date("2026-12-02T16:45:10.000Z"))).toBeNull();
    expect(settlingOf(changedAt, new Date("2026-12-02T14:00:00.000Z"))).toBeNull();
    expect(settlingOf(null, new Date("2026-12-02T15:00:00.000Z"))).toBeNull();
  });
});
