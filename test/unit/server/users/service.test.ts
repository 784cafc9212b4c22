import { describe, expect, it } from "vitest";
import { judgeRows } from "../../../../src/server/users/service.js";

describe("judgeRows", () => {
  it("accepts the first of case-insensitive duplicates and defaults role and display name", () => {
    const { verdicts, accepted } = judgeRows(
      [{ email: "Ann@x.io" }, { email: "ann@X.io" }, { email: "bo@x.io", role: "ADMIN", displayName: " Bo " }],
      new Set(),
    );
    expect(accepted).toEqual([
      { email: "Ann@x.io", displayName: "Ann", role: "user" },
      { email: "bo@x.io", displayName: "Bo", role: "admin" },
    ]);
    expect(verdicts[1]).toMatchObject({ verdict: "rejected", reason: "ann@X.io is already on row 1 of this import." });
  });
});
