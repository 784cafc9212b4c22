import { describe, expect, it } from "vitest";
import { emailAddressProblem, isEmailAddress } from "../../../src/contract/emailAddress.js";
import { EXCHANGE_ONLINE_HOSTS, isExchangeOnlineUrl } from "../../../src/contract/exchangeOnline.js";
import { isDomainName, isDownLevelLogon, isGuid, isTenantIdOrDomain } from "../../../src/contract/identifiers.js";

describe("the rules both sides share", () => {
  it("accepts an ordinary address and names what is wrong with others", () => {
    expect(isEmailAddress("svc-sync@contoso.lab")).toBe(true);
    expect(emailAddressProblem("svc-sync@contoso.lab")).toBeNull();
    // Each refusal names its reason; test/unit/contract/emailAddress.test.ts walks them one by one.
    const refusals: Array<[string, string]> = [
      ["svc sync@contoso.lab", "contains a space at position 4"],
      ["svc-sync@contoso", "has a domain without a dot (such as contoso.com)"],
      ["@contoso.lab", "has nothing before the @"],
      ["a@b@c.lab", "has a second @ at position 4"],
    ];
    for (const [bad, reason] of refusals) {
      expect(isEmailAddress(bad), bad).toBe(false);
      expect(emailAddressProblem(bad), bad).toBe(reason);
    }
    expect(emailAddressProblem(`${"a".repeat(320)}@contoso.lab`)).toBe("is longer than 254 characters");
  });

  it("tells GUIDs, domain names and down-level logons apart", () => {
    expect(isGuid("7f3c9a52-1d4e-4b8a-9c61-2e5d8f0a4b17")).toBe(true);
    expect(isGuid("7f3c9a52-1d4e-4b8a-9c61-2e5d8f0a4b1")).toBe(false);
    expect(isDomainName("contoso.onmicrosoft.com")).toBe(true);
    expect(isDomainName("contoso")).toBe(false);
    expect(isTenantIdOrDomain("contoso.com")).toBe(true);
    expect(isTenantIdOrDomain("7F3C9A52-1D4E-4B8A-9C61-2E5D8F0A4B17")).toBe(true);
    expect(isDownLevelLogon("CONTOSO\\svc-sync")).toBe(true);
    expect(isDownLevelLogon("CONTOSO\\svc sync")).toBe(false);
    expect(isDownLevelLogon("svc-sync@contoso.lab")).toBe(false);
  });

  it("recognises every Exchange Online host, whatever the case or path, and nothing else", () => {
    for (const host of EXCHANGE_ONLINE_HOSTS) {
      expect(isExchangeOnlineUrl(`https://${host.toUpperCase()}/EWS/Exchange.asmx`), host).toBe(true);
      expect(isExchangeOnlineUrl(` https://${host}/EWS/Exchange.asmx `), host).toBe(true);
    }
    expect(isExchangeOnlineUrl("https://mail.contoso.lab/EWS/Exchange.asmx")).toBe(false);
    expect(isExchangeOnlineUrl("not a url")).toBe(false);
  });
});
