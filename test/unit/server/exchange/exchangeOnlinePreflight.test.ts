/**
 * The server's half of the Exchange Online agreement: preflight stops on every host the pane's notice names (the
 * pane's half is in test/unit/taskpane/admin/emailConfig/EmailConfigTab.test.tsx; both iterate the one list in src/contract).
 */
import { describe, expect, it } from "vitest";
import { EXCHANGE_ONLINE_HOSTS } from "../../../../src/contract/exchangeOnline.js";
import { createMailboxDriver } from "../../../../src/server/exchange/index.js";

const nothingSent = () => Promise.reject(new Error("preflight must not call Exchange Online"));

describe("preflight against Exchange Online", () => {
  it.each([...EXCHANGE_ONLINE_HOSTS])("stops EWS impersonation at %s as a retired access type", async (host) => {
    const driver = createMailboxDriver(
      {
        accessType: "ews_basic_impersonation",
        ewsUrl: `https://${host}/EWS/Exchange.asmx`,
        accountLogon: "svc-sync@contoso.com",
        password: "unused",
      },
      {
        fetch: nothingSent,
        identity: {
          authorityFor: () => "https://login.invalid",
          knownAuthorities: [],
          protocolMode: "aad",
          backendClient: null,
        },
      },
    );
    const report = await driver.preflight(new AbortController().signal);
    expect(report.canProceed).toBe(false);
    expect(report.steps[0]).toMatchObject({ category: "retired_access_type" });
  });
});
