/**
 * The Microsoft Exchange Impersonation type's Authentication (Automatic, Windows (NTLM), Basic) against lab
 * directories offering Windows authentication only (as Exchange ships), Windows + Basic, Basic only, or Negotiate
 * alone (Kerberos), through the real EWS driver, outbound connections and TLS.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EwsAuthentication } from "../../../../src/contract/accessTypes.js";
import type { EwsAuthMethod, Scenario } from "../../../../src/lab/index.js";
import type { MailboxDriver } from "../../../../src/server/exchange/driver.js";
import { createMailboxDriver } from "../../../../src/server/exchange/index.js";
import { scenarioFile, startExchangeLab, type ExchangeLab } from "../../../support/lab.js";

const signal = new AbortController().signal;
const OFFERED: Record<string, EwsAuthMethod[]> = {
  windows: ["ntlm"],
  "windows+basic": ["ntlm", "basic"],
  basic: ["basic"],
  kerberos: ["kerberos"],
};
const labs = new Map<string, ExchangeLab>();

function driverFor(
  harness: ExchangeLab,
  authentication: EwsAuthentication,
  accountLogon = "CONTOSO\\svc-sync",
  password = "Sync-Lab-2026!",
): MailboxDriver {
  return createMailboxDriver(
    { accessType: "ews_basic_impersonation", ewsUrl: harness.lab.ewsUrl, accountLogon, password, authentication },
    harness.deps(),
  );
}

function withAuth(name: string, ewsAuth: EwsAuthMethod[], extra: Partial<Scenario> = {}): Scenario {
  return { ...scenarioFile("demo"), name, ewsAuth, ...extra };
}

beforeAll(async () => {
  const started = await Promise.all(
    [...Object.entries(OFFERED), ["epa", ["ntlm"]] as const].map(async ([name, ewsAuth]) => {
      const extra = name === "epa" ? { ewsExtendedProtection: true } : {};
      return [name, await startExchangeLab(withAuth(name, [...ewsAuth], extra))] as const;
    }),
  );
  for (const [name, harness] of started) labs.set(name, harness);
});
afterAll(async () => {
  await Promise.all([...labs.values()].map((harness) => harness.close()));
});

// [Authentication, offered set] → the Authenticate step's category and the method the lab saw, if accepted.
const MATRIX: Array<[EwsAuthentication, string, string, "ntlm" | "basic" | null]> = [
  ["automatic", "windows", "ok", "ntlm"],
  ["automatic", "windows+basic", "ok", "ntlm"],
  ["automatic", "basic", "ok", "basic"],
  ["automatic", "kerberos", "auth_method_unsupported", null],
  ["ntlm", "windows", "ok", "ntlm"],
  ["ntlm", "windows+basic", "ok", "ntlm"],
  ["ntlm", "basic", "auth_method_unsupported", null],
  ["ntlm", "kerberos", "auth_method_unsupported", null],
  ["basic", "windows", "basic_disabled", null],
  ["basic", "windows+basic", "ok", "basic"],
  ["basic", "basic", "ok", "basic"],
  ["basic", "kerberos", "basic_disabled", null],
];

describe("Authentication × what the EWS directory offers", () => {
  it.each(MATRIX)("%s against a %s directory: preflight %s", async (authentication, offered, category, method) => {
    const harness = labs.get(offered)!;
    const before = { ...harness.lab.stats.snapshot() };
    const driver = driverFor(
      harness,
      authentication,
      method === "basic" ? "svc-sync@contoso.lab" : "CONTOSO\\svc-sync",
    );
    const report = await driver.preflight(signal);
    const connect = report.steps.find((step) => step.step === "Connect (TLS)");
    expect(connect?.detail).toMatch(/the server offers (Negotiate|Basic)/);
    const authenticate = report.steps.find((step) => step.step === "Authenticate");
    expect(authenticate?.category).toBe(category);
    expect(report.canProceed).toBe(category === "ok");
    const after = harness.lab.stats.snapshot();
    if (method === null) {
      expect(after.acceptedNtlm! + after.acceptedBasic! - before.acceptedNtlm! - before.acceptedBasic!).toBe(0);
      return;
    }
    expect(authenticate?.detail).toBe(
      method === "ntlm" ? "signed in with Windows authentication (NTLM)" : "signed in with Basic authentication",
    );
    const key = method === "ntlm" ? "acceptedNtlm" : "acceptedBasic";
    const other = method === "ntlm" ? "acceptedBasic" : "acceptedNtlm";
    expect(after[key]! - before[key]!).toBeGreaterThan(0);
    expect(after[other]! - before[other]!).toBe(0);
    const user = await driver.checkUser({ email: "alex.wilber@contoso.lab" }, "full", signal);
    expect(user.category).toBe("ok");
  });

  it("refuses a correct sign-in under Extended Protection with ntlm_refused, after one handshake", async () => {
    const harness = labs.get("epa")!;
    const report = await driverFor(harness, "automatic").preflight(signal);
    expect(report.canProceed).toBe(false);
    expect(report.steps.at(-1)).toMatchObject({ step: "Authenticate", category: "ntlm_refused" });
    expect(harness.lab.stats.ntlmRefused).toBe(1);
  });
});

describe("NTLM connections under parallel load", () => {
  it("signs each concurrent worker's connection in once and reuses it", async () => {
    const harness = labs.get("windows")!;
    const before = { ...harness.lab.stats.snapshot() };
    const driver = driverFor(harness, "ntlm");
    const workers = 6;
    const users = ["alex.wilber@contoso.lab", "megan.bowen@contoso.lab"];
    await Promise.all(
      Array.from({ length: workers }, async () => {
        for (let round = 0; round < 5; round += 1) {
          const outcome = await driver.checkUser({ email: users[round % 2]! }, "read", signal);
          expect(outcome.category).toBe("ok");
        }
      }),
    );
    const after = harness.lab.stats.snapshot();
    expect(after.ntlmHandshakes! - before.ntlmHandshakes!).toBe(workers);
    expect(after.acceptedNtlm! - before.acceptedNtlm!).toBe(workers * 5);
    expect(after.ntlmRefused! - before.ntlmRefused!).toBe(0);
  });

  it("checks every demo user to the same category over NTLM as over Basic", async () => {
    const harness = labs.get("windows+basic")!;
    const emails = harness.lab.scenario.users.map((user) => user.email);
    const categoriesWith = async (authentication: EwsAuthentication) => {
      const driver = driverFor(harness, authentication, "svc-sync@contoso.lab");
      expect((await driver.preflight(signal)).canProceed).toBe(true);
      const outcomes = await Promise.all(emails.map((email) => driver.checkUser({ email }, "full", signal)));
      return Object.fromEntries(emails.map((email, index) => [email, outcomes[index]!.category]));
    };
    const before = { ...harness.lab.stats.snapshot() };
    const overBasic = await categoriesWith("basic");
    const middle = { ...harness.lab.stats.snapshot() };
    const overNtlm = await categoriesWith("ntlm");
    const after = harness.lab.stats.snapshot();
    expect(overNtlm).toEqual(overBasic);
    expect(new Set(Object.values(overBasic)).size).toBeGreaterThan(3);
    expect(middle.acceptedNtlm! - before.acceptedNtlm!).toBe(0);
    expect(after.acceptedBasic! - middle.acceptedBasic!).toBe(0);
  });
});
