/** Which alert conditions a finished run proves, disproves or cannot tell, and what a disabled rule does. */
import { describe, expect, it } from "vitest";
import { evaluateAlerts, type RunFacts } from "../../../../src/server/monitoring/alerts.js";
import { DEFAULT_RULES } from "../../../../src/server/monitoring/settings.js";

const now = new Date("2026-12-01T09:00:00Z");
const noConfig = { serviceAccountState: null, credentialExpiry: null };
const run = (facts: Partial<RunFacts>): RunFacts => ({
  state: "completed",
  done: 10,
  counts: { ok: 10 },
  newlyFailing: [],
  failingNow: 0,
  ...facts,
});

describe("alert conditions", () => {
  it("holds the failing share at the threshold (error and transient count), not below", () => {
    const atThreshold = run({ counts: { ok: 8, no_mailbox: 1, timeout: 1 } });
    expect(evaluateAlerts(DEFAULT_RULES, atThreshold, noConfig, now).failing_share).toMatchObject({ holds: true });
    const below = run({ counts: { ok: 9, non_primary_address: 1 } });
    expect(evaluateAlerts(DEFAULT_RULES, below, noConfig, now).failing_share).toEqual({ holds: false });
  });

  it("cannot tell the failing share from a run that stopped early, but knows the service account was refused", () => {
    const refused = evaluateAlerts(DEFAULT_RULES, run({ state: "auth_failed", done: 0 }), noConfig, now);
    expect(refused.failing_share).toBe("unknown");
    expect(refused.service_account_refused).toMatchObject({ holds: true });
    expect(evaluateAlerts(DEFAULT_RULES, run({}), noConfig, now).service_account_refused).toEqual({ holds: false });
  });

  it('says "before any user" only when the refused run checked nobody', () => {
    const before = evaluateAlerts(DEFAULT_RULES, run({ state: "auth_failed", done: 0 }), noConfig, now);
    expect(before.service_account_refused).toEqual({
      holds: true,
      summary: "The service account or app was refused; the check run stopped before any user",
    });
    const after = evaluateAlerts(DEFAULT_RULES, run({ state: "auth_failed", done: 3 }), noConfig, now);
    expect(after.service_account_refused).toEqual({
      holds: true,
      summary: "The service account or app was refused; the check run stopped after 3 user(s)",
    });
  });

  it("names newly failing users only when the rule is on, and turns a disabled rule off", () => {
    const facts = run({ newlyFailing: ["a@contoso.test", "b@contoso.test"], failingNow: 2 });
    expect(evaluateAlerts(DEFAULT_RULES, facts, noConfig, now).newly_failing).toBe("off");
    const on = { ...DEFAULT_RULES, newlyFailing: { enabled: true } };
    expect(evaluateAlerts(on, facts, noConfig, now).newly_failing).toEqual({
      holds: true,
      summary: "2 user(s) newly failing: a@contoso.test, b@contoso.test",
    });
  });

  it("warns of an expiring credential within the rule's days and of a service account that must sign in", () => {
    const soon = {
      serviceAccountState: "needs_sign_in" as const,
      credentialExpiry: { credential: "certificate" as const, expiresAt: "2026-12-10T00:00:00.000Z" },
    };
    const verdicts = evaluateAlerts(DEFAULT_RULES, run({}), soon, now);
    expect(verdicts.credential_expiring).toMatchObject({
      holds: true,
      summary: expect.stringContaining("in 9 days") as string,
    });
    expect(verdicts.service_account_sign_in).toMatchObject({ holds: true });
    const later = {
      ...soon,
      credentialExpiry: { credential: "certificate" as const, expiresAt: "2027-01-10T00:00:00.000Z" },
    };
    expect(evaluateAlerts(DEFAULT_RULES, run({}), later, now).credential_expiring).toEqual({ holds: false });
  });
});
