import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMailboxDriver } from "../../../../src/server/exchange/index.js";
import type { MailboxDriver } from "../../../../src/server/exchange/driver.js";
import { scenarioFile, startExchangeLab, type ExchangeLab } from "../../../support/lab.js";

const signal = new AbortController().signal;
let harness: ExchangeLab;

function basicDriver(accountLogon: string, password = "Sync-Lab-2026!", ewsUrl?: string): MailboxDriver {
  return createMailboxDriver(
    { accessType: "ews_basic_impersonation", ewsUrl: ewsUrl ?? harness.lab.ewsUrl, accountLogon, password },
    harness.deps(),
  );
}

beforeAll(async () => {
  harness = await startExchangeLab(scenarioFile("demo"));
});
afterAll(async () => {
  await harness.close();
});

describe("Exchange Impersonation (basic) against the on-premises lab", () => {
  it("passes preflight with TLS, authentication, the service account's own mailbox and its rooms", async () => {
    const report = await basicDriver("svc-sync@contoso.lab").preflight(signal);
    expect(report.canProceed).toBe(true);
    expect(report.warnings).toEqual([]);
    expect(report.steps.map((step) => [step.step, step.category])).toEqual(
      expect.arrayContaining([
        ["Connect (TLS)", "ok"],
        ["Authenticate", "ok"],
        ["GetFolder (service account's own mailbox)", "ok"],
        ["GetRoomLists", "ok"],
      ]),
    );
  });

  it("warns that rooms and resources will not be read when the service account has no mailbox", async () => {
    const report = await basicDriver("svc-nomailbox@contoso.lab").preflight(signal);
    expect(report.canProceed).toBe(true);
    expect(report.warnings.length).toBeGreaterThan(0);
    expect(report.warnings.every((warning) => warning.message.includes("rooms and resources will not be read"))).toBe(
      true,
    );
    expect(report.warnings[0]!.category).toBe("no_mailbox");
  });

  it("stops preflight with ntlm_refused on a wrong password, after one logon attempt", async () => {
    const before = { ...harness.lab.stats.snapshot() };
    const report = await basicDriver("svc-sync@contoso.lab", "wrong-password").preflight(signal);
    expect(report.canProceed).toBe(false);
    expect(report.steps.at(-1)).toMatchObject({ step: "Authenticate", ok: false, category: "ntlm_refused" });
    // The unauthenticated TLS probe, then one NEGOTIATE and one AUTHENTICATE: no retries against a lockout policy.
    const after = harness.lab.stats.snapshot();
    expect(after.ewsRequests! - before.ewsRequests!).toBe(3);
    expect(after.ntlmRefused! - before.ntlmRefused!).toBe(1);
  });

  it("stops preflight with tls_error when the certificate is not trusted", async () => {
    const { fetch } = await import("undici");
    const untrusting = createMailboxDriver(
      {
        accessType: "ews_basic_impersonation",
        ewsUrl: harness.lab.ewsUrl,
        accountLogon: "svc-sync@contoso.lab",
        password: "x",
      },
      { ...harness.deps(), fetch: (url, init) => fetch(url, init) },
    );
    const report = await untrusting.preflight(signal);
    expect(report.canProceed).toBe(false);
    expect(report.steps[0]).toMatchObject({ step: "Connect (TLS)", category: "tls_error" });
  });

  it.each([
    ["alex.wilber@contoso.lab", "ok"],
    ["lee.gu@contoso.lab", "impersonation_denied"],
    ["adele.vance@contoso.lab", "no_mailbox"],
    ["diego.siciliani@contoso.lab", "account_disabled"],
    ["isaiah.langer@contoso.lab", "mailbox_moving"],
    ["johanna.lorenz@contoso.lab", "mailbox_store_unavailable"],
    ["nestor.wilke@contoso.lab", "impersonation_failed"],
    ["nobody@contoso.lab", "no_mailbox"],
  ])("classifies a read check of %s as %s", async (email, category) => {
    const outcome = await basicDriver("svc-sync@contoso.lab").checkUser({ email }, "read", signal);
    expect(outcome.category).toBe(category);
    expect(outcome.steps[0]!.step).toBe("GetFolder");
  });

  it("reports an alias as non_primary_address with the primary address, after confirming access with it", async () => {
    const outcome = await basicDriver("svc-sync@contoso.lab").checkUser({ email: "lynne@contoso.lab" }, "full", signal);
    expect(outcome).toMatchObject({ category: "non_primary_address", primarySmtpAddress: "lynne.robbins@contoso.lab" });
    expect(outcome.steps.map((step) => [step.step, step.ok])).toEqual([
      ["GetFolder", true],
      ["GetFolder as lynne.robbins@contoso.lab", true],
      ["CreateItem", true],
      ["DeleteItem", true],
    ]);
  });

  it("runs the full connectivity test as GetFolder, CreateItem and DeleteItem, anchored on the target", async () => {
    const anchoredBefore = harness.lab.stats.ewsAnchored;
    const outcome = await basicDriver("svc-sync@contoso.lab").checkUser(
      { email: "megan.bowen@contoso.lab" },
      "full",
      signal,
    );
    expect(outcome.category).toBe("ok");
    expect(outcome.steps.map((step) => step.step)).toEqual(["GetFolder", "CreateItem", "DeleteItem"]);
    expect(harness.lab.stats.ewsAnchored - anchoredBefore).toBe(3);
    expect(harness.lab.stats.ewsAnchorMismatches).toBe(0);
  });

  it("says impersonation_not_granted when the service account has no impersonation right", async () => {
    const outcome = await basicDriver("svc-norights@contoso.lab").checkUser(
      { email: "alex.wilber@contoso.lab" },
      "read",
      signal,
    );
    expect(outcome.category).toBe("impersonation_not_granted");
  });

  it("lists the rooms of every room list", async () => {
    const rooms = await basicDriver("svc-sync@contoso.lab").listRooms(signal);
    expect(rooms.ok).toBe(true);
    expect(rooms.rooms.length).toBe(harness.lab.scenario.rooms.length);
    expect(rooms.rooms.map((room) => room.email).sort()).toEqual(
      harness.lab.scenario.rooms.map((room) => room.email).sort(),
    );
  });

  it("explains an Exchange Online URL as a retired access type without sending anything", async () => {
    const before = harness.lab.stats.ewsRequests;
    const driver = basicDriver(
      "svc-sync@contoso.lab",
      "Sync-Lab-2026!",
      "https://outlook.office365.com/EWS/Exchange.asmx",
    );
    const report = await driver.preflight(signal);
    expect(report.canProceed).toBe(false);
    expect(report.steps[0]).toMatchObject({ category: "retired_access_type" });
    expect(report.steps[0]!.detail).toContain("2025-02-01");
    expect(report.steps[0]!.detail).toContain("App-only");
    expect((await driver.checkUser({ email: "alex.wilber@contoso.lab" }, "read", signal)).category).toBe(
      "retired_access_type",
    );
    expect(harness.lab.stats.ewsRequests).toBe(before);
  });
});

describe("the directory through EWS (canary suggestions)", () => {
  it("lists mail-enabled recipients with ResolveNames, each with the aliases it answers to", async () => {
    const listing = await basicDriver("svc-sync@contoso.lab").listDirectory(signal, 200);
    if (!listing.ok) throw new Error(`expected a listing, got ${listing.category}`);
    expect(listing.truncated).toBe(false);
    const addresses = listing.mailboxes.map((mailbox) => mailbox.address);
    expect(addresses).toContain("sync-canary@contoso.lab");
    expect(addresses).not.toContain("svc-nomailbox@contoso.lab");
    expect(
      listing.mailboxes.find((mailbox) => mailbox.address === "lynne.robbins@contoso.lab")?.otherAddresses,
    ).toEqual(["lynne@contoso.lab"]);
  });

  it("marks the listing truncated when more than the limit came back, and fails with the category on a wrong password", async () => {
    const few = await basicDriver("svc-sync@contoso.lab").listDirectory(signal, 2);
    expect(few).toMatchObject({ ok: true, truncated: true });
    if (few.ok) expect(few.mailboxes).toHaveLength(2);
    const refused = await basicDriver("svc-sync@contoso.lab", "wrong-password").listDirectory(signal, 20);
    // The demo server offers NTLM only: a wrong password is refused after a complete handshake.
    expect(refused).toMatchObject({ ok: false, category: "ntlm_refused", httpStatus: 401 });
  });
});
