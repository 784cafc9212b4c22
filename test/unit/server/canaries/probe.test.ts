import { describe, expect, it } from "vitest";
import type { CanaryVerdictDto } from "../../../../src/contract/canaries.js";
import { leakCause, probeCanaries, verdictOf, type ProbeContext } from "../../../../src/server/canaries/probe.js";
import type { CheckOutcome, MailboxDriver, PreflightReport } from "../../../../src/server/exchange/driver.js";
import { evaluateScopeLeak } from "../../../../src/server/monitoring/alerts.js";
import { DEFAULT_RULES } from "../../../../src/server/monitoring/settings.js";

const AT = new Date("2026-12-07T10:00:00.000Z");
const cleanPreflight: PreflightReport = { canProceed: true, steps: [], warnings: [] };
const consentedPreflight: PreflightReport = {
  canProceed: true,
  steps: [],
  warnings: [
    {
      category: "tenant_wide_consent",
      message: "Mail.Read is consented tenant-wide in Entra ID (appRoleAssignments): it adds to the RBAC scope.",
    },
  ],
};
const graph = (preflight: PreflightReport): ProbeContext => ({
  accessType: "graph_app_only",
  principal: "9d3a6f1b-2c8e-4b57-a0d4-5e7c1b9f3a26",
  preflight,
  depth: "read",
});
const ews: ProbeContext = {
  accessType: "ews_basic_impersonation",
  principal: "svc-nomailbox@contoso.lab",
  preflight: cleanPreflight,
  depth: "read",
};

describe("a canary's verdict", () => {
  it("is refused when the answer is the scope refusal a user outside the scope gets", () => {
    const verdict = verdictOf(
      "sync-canary@fabrikam.lab",
      {
        category: "graph_scope_denied",
        steps: [],
        capabilities: { mail: "graph_scope_denied", calendar: null, drafts: null },
      },
      graph(cleanPreflight),
      AT,
    );
    expect(verdict).toMatchObject({ verdict: "refused", category: "graph_scope_denied", leaked: [], cause: null });
    expect(verdictOf("c@contoso.lab", { category: "impersonation_denied", steps: [] }, ews, AT).verdict).toBe(
      "refused",
    );
  });

  it("names the capability that leaked and the tenant-wide consent behind it", () => {
    const verdict = verdictOf(
      "sync-canary@fabrikam.lab",
      {
        category: "calendar_denied",
        steps: [],
        capabilities: { mail: "ok", calendar: "calendar_denied", drafts: null },
      },
      graph(consentedPreflight),
      AT,
    );
    expect(verdict.verdict).toBe("leaked");
    expect(verdict.category).toBe("scope_leak");
    expect(verdict.leaked).toEqual(["mail"]);
    expect(verdict.cause).toContain("Tenant-wide consent of Mail.Read");
    expect(verdict.remedy).toContain("Remove the Mail.Read application permission");
    expect(verdict.checkedAt).toBe(AT.toISOString());
  });

  it("blames an unscoped role assignment when no consent explains a Graph leak", () => {
    const { cause, remedy } = leakCause(graph(cleanPreflight), ["mail", "calendar"]);
    expect(cause).toContain("unscoped role assignment");
    expect(remedy).toContain("Get-ManagementRoleAssignment -RoleAssignee 9d3a6f1b-2c8e-4b57-a0d4-5e7c1b9f3a26");
  });

  it("a consent of mail does not explain a calendar leak", () => {
    expect(leakCause(graph(consentedPreflight), ["calendar"]).cause).toContain("unscoped role assignment");
  });

  it("blames ApplicationImpersonation without a scope when EWS opens the canary", () => {
    const verdict = verdictOf("c@contoso.lab", { category: "ok", steps: [] }, ews, AT);
    expect(verdict).toMatchObject({ verdict: "leaked", category: "scope_leak", leaked: ["mail", "calendar"] });
    expect(verdict.cause).toContain("ApplicationImpersonation without a scope");
    expect(verdict.remedy).toContain("-CustomRecipientWriteScope");
  });

  it("is inconclusive when the answer proves nothing either way", () => {
    for (const category of ["no_mailbox", "timeout", "mailbox_moving", "unknown_error"] as const) {
      expect(verdictOf("c@contoso.lab", { category, steps: [] }, ews, AT)).toMatchObject({
        verdict: "inconclusive",
        category,
        leaked: [],
      });
    }
  });
});

describe("probing the canaries", () => {
  it("checks each one through the driver at the run's depth; a throwing probe is inconclusive, never a pass", async () => {
    const asked: Array<{ email: string; depth: string }> = [];
    const driver: MailboxDriver = {
      preflight: () => Promise.resolve(cleanPreflight),
      listRooms: () => Promise.resolve({ ok: true, category: "ok", rooms: [] }),
      listDirectory: () => Promise.resolve({ ok: true, mailboxes: [], truncated: false }),
      checkUser: (target, depth): Promise<CheckOutcome> => {
        asked.push({ email: target.email, depth });
        if (target.email.startsWith("boom")) return Promise.reject(new Error("socket hang up"));
        return Promise.resolve({ category: "impersonation_denied", steps: [] });
      },
    };
    const verdicts = await probeCanaries(
      driver,
      ["a@contoso.lab", "boom@contoso.lab"],
      { ...ews, depth: "full" },
      new AbortController().signal,
      1_000,
      () => AT,
    );
    expect(asked).toEqual([
      { email: "a@contoso.lab", depth: "full" },
      { email: "boom@contoso.lab", depth: "full" },
    ]);
    expect(verdicts.map((v) => v.verdict)).toEqual(["refused", "inconclusive"]);
    expect(verdicts[1]?.detail).toBe("socket hang up");
  });
});

describe("the scope-leak alert", () => {
  const leaked: CanaryVerdictDto = {
    address: "sync-canary@fabrikam.lab",
    verdict: "leaked",
    category: "scope_leak",
    leaked: ["mail"],
    cause: "Tenant-wide consent of Mail.Read in Entra ID.",
    remedy: "Remove it.",
    detail: null,
    checkedAt: AT.toISOString(),
  };
  const refused: CanaryVerdictDto = {
    ...leaked,
    verdict: "refused",
    category: "graph_scope_denied",
    leaked: [],
    cause: null,
  };

  it("holds while a canary is readable, naming it, what leaked and the cause", () => {
    const verdict = evaluateScopeLeak(DEFAULT_RULES, [leaked, { ...refused, address: "b@fabrikam.lab" }], 2);
    expect(verdict).toEqual({
      holds: true,
      summary:
        "A mailbox outside the scope is readable: sync-canary@fabrikam.lab (mail). Likely cause: Tenant-wide consent of Mail.Read in Entra ID.",
    });
  });

  it("resolves only when every canary probed is refused again", () => {
    expect(evaluateScopeLeak(DEFAULT_RULES, [refused], 1)).toEqual({ holds: false });
    expect(evaluateScopeLeak(DEFAULT_RULES, [refused, { ...refused, verdict: "inconclusive" }], 2)).toBe("unknown");
  });

  it("says nothing for a run that probed none, and is off without canaries or when disabled", () => {
    expect(evaluateScopeLeak(DEFAULT_RULES, [], 1)).toBe("unknown");
    expect(evaluateScopeLeak(DEFAULT_RULES, [], 0)).toBe("off");
    expect(evaluateScopeLeak({ ...DEFAULT_RULES, scopeLeak: { enabled: false } }, [leaked], 1)).toBe("off");
  });
});
