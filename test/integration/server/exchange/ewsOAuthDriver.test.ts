import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMailboxDriver, signInServiceAccount } from "../../../../src/server/exchange/index.js";
import type { EwsOAuthConfig } from "../../../../src/server/exchange/config.js";
import type { Scenario } from "../../../../src/lab/index.js";
import {
  memoryTokenStore,
  scenarioFile,
  startExchangeLab,
  testCipher,
  type ExchangeLab,
} from "../../../support/lab.js";

const signal = new AbortController().signal;

async function signedIn(harness: ExchangeLab, serviceAccount: string) {
  const store = memoryTokenStore();
  const cipher = testCipher();
  // What the pane sends: the service account's token for the backend's API, verified by the route before this.
  const assertion = await harness.lab.mintToken({
    user: serviceAccount,
    audience: harness.lab.scenario.apps.backend.clientId,
  });
  const signIn = await signInServiceAccount(
    assertion,
    {
      identity: harness.identity,
      fetch: harness.fetch,
      store,
      cipher,
      tenantId: harness.lab.scenario.tenantId,
      timeoutMs: 10_000,
    },
    serviceAccount,
  );
  if (!signIn.ok) throw new Error(`sign-in failed: ${JSON.stringify(signIn.classified)}`);
  const needsSignIn: string[] = [];
  const config: EwsOAuthConfig = {
    accessType: "ews_oauth_impersonation",
    ewsUrl: harness.lab.ewsUrl,
    tenantId: harness.lab.scenario.tenantId,
    serviceAccount: { username: signIn.session.username, homeAccountId: signIn.session.homeAccountId },
  };
  const driver = createMailboxDriver(
    config,
    harness.deps({ tokenCache: { store, cipher }, onNeedsSignIn: (reason) => void needsSignIn.push(reason) }),
  );
  return { driver, store, session: signIn.session, needsSignIn };
}

describe("Microsoft 365 OAuth (EWS) – Impersonated logon against on-premises Exchange with Hybrid Modern Auth", () => {
  let harness: ExchangeLab;
  beforeAll(async () => {
    const scenario = scenarioFile("demo");
    scenario.tokens = { accessTokenSeconds: 5, refreshTokenSeconds: 3600 };
    scenario.serviceAccounts.push({
      email: "svc-revoked@contoso.lab",
      displayName: "Service account whose refresh is revoked",
      password: "Sync-Lab-2026!",
      impersonation: "all",
      hasMailbox: true,
      refresh: "revoked",
    });
    harness = await startExchangeLab(scenario);
  });
  afterAll(async () => {
    await harness.close();
  });

  it("exchanges the pane's token on-behalf-of and keeps only an encrypted token cache", async () => {
    const { store, session } = await signedIn(harness, "svc-sync@contoso.lab");
    expect(session.username).toBe("svc-sync@contoso.lab");
    expect(store.saves).toBeGreaterThan(0);
    expect(store.row).not.toBeNull();
    expect(store.row).not.toContain("svc-sync");
    expect(store.row).not.toContain("RefreshToken");
  });

  it("passes preflight and checks users with the delegated token and the impersonation header", async () => {
    const { driver } = await signedIn(harness, "svc-sync@contoso.lab");
    const report = await driver.preflight(signal);
    expect(report.canProceed).toBe(true);
    expect(report.warnings).toEqual([]);
    expect((await driver.checkUser({ email: "alex.wilber@contoso.lab" }, "full", signal)).category).toBe("ok");
    expect((await driver.checkUser({ email: "lee.gu@contoso.lab" }, "read", signal)).category).toBe(
      "impersonation_denied",
    );
    const alias = await driver.checkUser({ email: "lynne@contoso.lab" }, "read", signal);
    expect(alias).toMatchObject({ category: "non_primary_address", primarySmtpAddress: "lynne.robbins@contoso.lab" });
  });

  it("refreshes an expired access token silently from the encrypted cache", async () => {
    const { driver, store, needsSignIn } = await signedIn(harness, "svc-sync@contoso.lab");
    expect((await driver.checkUser({ email: "megan.bowen@contoso.lab" }, "read", signal)).category).toBe("ok");
    const savesBefore = store.saves;
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    const outcome = await driver.checkUser({ email: "megan.bowen@contoso.lab" }, "read", signal);
    expect(outcome.category).toBe("ok");
    // The refreshed tokens were written back (sealed) to the store.
    expect(store.saves).toBeGreaterThan(savesBefore);
    expect(needsSignIn).toEqual([]);
  });

  it("reports token_expired and asks once for a new sign-in when refresh is refused", async () => {
    const { driver, needsSignIn } = await signedIn(harness, "svc-revoked@contoso.lab");
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    const first = await driver.checkUser({ email: "alex.wilber@contoso.lab" }, "read", signal);
    const second = await driver.checkUser({ email: "megan.bowen@contoso.lab" }, "read", signal);
    expect(first.category).toBe("token_expired");
    expect(second.category).toBe("token_expired");
    expect(needsSignIn).toHaveLength(1);
    const report = await driver.preflight(signal);
    expect(report.canProceed).toBe(false);
    expect(report.steps.at(-1)).toMatchObject({ step: "Authenticate", category: "token_expired" });
  });
});

describe("Microsoft 365 OAuth (EWS) – Impersonated logon against Exchange Online", () => {
  let harness: ExchangeLab;
  beforeAll(async () => {
    const scenario = scenarioFile("online");
    harness = await startExchangeLab(scenario);
  });
  afterAll(async () => {
    await harness.close();
  });

  it("explains in preflight that the access type is retired when the server reports Exchange Online", async () => {
    const { driver } = await signedIn(harness, "svc-sync@fabrikam.lab");
    const report = await driver.preflight(signal);
    expect(report.canProceed).toBe(false);
    expect(report.steps.at(-1)).toMatchObject({ step: "Exchange Online", category: "retired_access_type" });
  });

  it("classifies the refusal of a delegated token with the impersonation header as token_header_mismatch", async () => {
    const { driver } = await signedIn(harness, "svc-sync@fabrikam.lab");
    const outcome = await driver.checkUser({ email: "adam.ok@fabrikam.lab" }, "read", signal);
    expect(outcome.category).toBe("token_header_mismatch");
    expect(outcome.httpStatus).toBe(500);
  });
});

describe.each([
  ["the organization's EwsEnabled", { ewsBlocked: true }, /EwsEnabled is False/],
  [
    "EwsAllowedAppIDs without the app",
    { ewsAllowedAppIds: ["0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"] },
    /EwsAllowedAppIDs/,
  ],
] as Array<[string, Partial<Scenario>, RegExp]>)(
  "EWS where Exchange Online blocks it through %s",
  (_setting, change, reason) => {
    let harness: ExchangeLab;
    beforeAll(async () => {
      harness = await startExchangeLab({ ...scenarioFile("online"), ...change });
    });
    afterAll(async () => {
      await harness.close();
    });

    it("classifies the 403 as ews_blocked, naming the setting and the app ID to allow-list", async () => {
      const { driver } = await signedIn(harness, "svc-sync@fabrikam.lab");
      const outcome = await driver.checkUser({ email: "adam.ok@fabrikam.lab" }, "read", signal);
      expect(outcome).toMatchObject({ category: "ews_blocked", httpStatus: 403 });
      expect(outcome.detail).toMatch(reason);
      expect(outcome.detail).toContain(`the app ID to allow-list is ${harness.lab.scenario.apps.backend.clientId}`);
    });
  },
);

describe("EWS throttling", () => {
  let harness: ExchangeLab;
  beforeAll(async () => {
    const scenario = scenarioFile("demo");
    // One concurrent request per service account and enough latency that parallel checks overlap.
    scenario.throttling = { ...scenario.throttling, budget: 1, backOffMs: 1234 };
    scenario.latencyMs = { min: 40, max: 40 };
    harness = await startExchangeLab(scenario);
  });
  afterAll(async () => {
    await harness.close();
  });

  it("reports server_busy with the server's BackOffMilliseconds when the concurrency budget is exceeded", async () => {
    const { driver } = await signedIn(harness, "svc-sync@contoso.lab");
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, () => driver.checkUser({ email: "alex.wilber@contoso.lab" }, "read", signal)),
    );
    const busy = outcomes.filter((outcome) => outcome.category === "server_busy");
    expect(busy.length).toBeGreaterThan(0);
    expect(busy.length).toBe(harness.lab.stats.ewsBusy);
    expect(busy.every((outcome) => outcome.backOffMs === 1234)).toBe(true);
    expect(outcomes.filter((outcome) => outcome.category === "ok").length).toBe(outcomes.length - busy.length);
  });
});
