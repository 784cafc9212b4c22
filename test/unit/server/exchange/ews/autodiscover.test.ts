/** Reading the on-premises Autodiscover POX answer that tells a moved mailbox from a missing one. */
import { describe, expect, it } from "vitest";
import {
  autodiscoverUrlBeside,
  isCloudRoutingAddress,
  poxRequest,
  readPoxAnswer,
} from "../../../../../src/server/exchange/ews/autodiscover.js";

const OUTER = "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006";
const INNER = "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a";
const answer = (inner: string, withNamespace = true): string =>
  `<?xml version="1.0" encoding="utf-8"?><Autodiscover xmlns="${OUTER}"><Response${withNamespace ? ` xmlns="${INNER}"` : ""}>${inner}</Response></Autodiscover>`;

describe("the on-premises Autodiscover answer for a mailbox EWS did not find", () => {
  it("reads a redirectAddr ([MS-OXDSCLI] 4.2) and the address to ask again with", () => {
    expect(
      readPoxAnswer(
        answer(
          "<Account><Action>redirectAddr</Action><RedirectAddr>adele@contoso.mail.onmicrosoft.com</RedirectAddr></Account>",
        ),
      ),
    ).toEqual({ kind: "redirectAddr", address: "adele@contoso.mail.onmicrosoft.com" });
  });

  it("reads settings, an Autodiscover error, and refuses a DTD or a body that is not Autodiscover", () => {
    expect(
      readPoxAnswer(answer("<Account><AccountType>email</AccountType><Action>settings</Action></Account>")),
    ).toEqual({
      kind: "settings",
    });
    expect(
      readPoxAnswer(
        answer(
          "<Error><ErrorCode>500</ErrorCode><Message>The email address can&apos;t be found.</Message></Error>",
          false,
        ),
      ),
    ).toEqual({ kind: "error", detail: "Autodiscover error 500: The email address can't be found." });
    expect(readPoxAnswer('<!DOCTYPE x [<!ENTITY a "b">]><Autodiscover/>')).toMatchObject({ kind: "invalid" });
    expect(readPoxAnswer("<html><body>Sign in</body></html>")).toMatchObject({ kind: "invalid" });
    expect(
      readPoxAnswer(
        answer("<Account><Action>redirectAddr</Action><RedirectAddr>not an address</RedirectAddr></Account>"),
      ),
    ).toMatchObject({
      kind: "invalid",
    });
  });

  it("counts only a tenant's routing domains as the cloud: worldwide, US government and 21Vianet", () => {
    expect(isCloudRoutingAddress("adele@contoso.mail.onmicrosoft.com")).toBe(true);
    expect(isCloudRoutingAddress("Adele@Contoso.Mail.OnMicrosoft.com")).toBe(true);
    expect(isCloudRoutingAddress("adele@contoso.mail.onmicrosoft.us")).toBe(true);
    expect(isCloudRoutingAddress("adele@contoso.mail.partner.onmschina.cn")).toBe(true);
    expect(isCloudRoutingAddress("adele@subdomain.contoso.com")).toBe(false);
    expect(isCloudRoutingAddress("adele@contoso.onmicrosoft.com.evil.example")).toBe(false);
    expect(isCloudRoutingAddress("no-at-sign")).toBe(false);
  });

  it("asks the Autodiscover beside the EWS URL, escaping the address", () => {
    expect(autodiscoverUrlBeside("https://mail.contoso.com:8443/EWS/Exchange.asmx")).toBe(
      "https://mail.contoso.com:8443/autodiscover/autodiscover.xml",
    );
    expect(poxRequest("a&b@contoso.com")).toContain("<EMailAddress>a&amp;b@contoso.com</EMailAddress>");
  });
});
