import { describe, expect, it } from "vitest";
import { XMLParser } from "fast-xml-parser";
import {
  buildCreateItem,
  buildDeleteItem,
  buildGetFolder,
  buildGetRoomLists,
  buildGetRooms,
  buildResolveNames,
  type EwsRequest,
  type EwsRequestContext,
} from "../../../../../src/server/exchange/ews/requests.js";
import { UnencodableValueError } from "../../../../../src/server/exchange/unencodable.js";
import { escapeXml } from "../../../../../src/server/exchange/ews/xml.js";
import { validateEwsEnvelopes } from "../../../../support/ewsSchema.js";
import { referenceAvailability } from "../../../../support/sharedReference.js";

const reference = referenceAvailability();
const hostile = `o'brien&<x>"@contoso.com`;

const impersonating: EwsRequestContext = { serverVersion: "Exchange2016", impersonate: "adele.vance@contoso.com" };
const asServiceAccount: EwsRequestContext = {
  serverVersion: "Exchange2013_SP1",
  impersonate: null,
  anchorMailbox: "svc-sync@contoso.com",
};

function everyRequest(): EwsRequest[] {
  const contexts: EwsRequestContext[] = [
    impersonating,
    asServiceAccount,
    { serverVersion: "Exchange2013", impersonate: hostile },
  ];
  return contexts.flatMap((context) => [
    buildGetFolder(context, "msgfolderroot"),
    buildGetFolder(context, "inbox"),
    buildCreateItem(context, { subject: `Test <&> "quoted" ${hostile}`, body: "Line one\nLine two & ]]> end" }),
    buildDeleteItem(context, { id: "AAMkAD+/=", changeKey: "CQAA&<>" }),
    buildDeleteItem(context, { id: "AAMkADk3NGU0", changeKey: null }),
    buildGetRoomLists(context),
    buildGetRooms(context, hostile),
    buildResolveNames(context, "SMTP:"),
  ]);
}

const parser = new XMLParser({ removeNSPrefix: true, ignoreAttributes: false, attributeNamePrefix: "@_" });

describe("EWS request builders", () => {
  it.skipIf(!reference.available)("build only envelopes that validate against Microsoft's EWS schemas", async () => {
    const requests = everyRequest();
    const verdicts = await validateEwsEnvelopes(requests.map((request) => request.body));
    const failures = verdicts.flatMap((verdict, index) =>
      verdict.valid ? [] : [`${requests[index]!.operation}: ${verdict.errors.join("; ")}`],
    );
    expect(failures).toEqual([]);
    expect(verdicts).toHaveLength(24);
  });

  it("put the impersonated address in ExchangeImpersonation/ConnectingSID/PrimarySmtpAddress and X-AnchorMailbox", () => {
    const request = buildGetFolder(impersonating, "inbox");
    const document = parser.parse(request.body);
    const header = document.Envelope.Header;
    expect(header.RequestServerVersion["@_Version"]).toBe("Exchange2016");
    expect(header.ExchangeImpersonation.ConnectingSID.PrimarySmtpAddress).toBe("adele.vance@contoso.com");
    expect(request.headers["X-AnchorMailbox"]).toBe("adele.vance@contoso.com");
    expect(request.headers["Content-Type"]).toBe("text/xml; charset=utf-8");
    expect(document.Envelope.Body.GetFolder.FolderIds.DistinguishedFolderId["@_Id"]).toBe("inbox");
    expect(document.Envelope.Body.GetFolder.FolderShape.BaseShape).toBe("IdOnly");
  });

  it("list the directory with ResolveNames of the bare SMTP: prefix in Active Directory, with full contact data", () => {
    const request = buildResolveNames(asServiceAccount, "SMTP:");
    expect(request.headers.SOAPAction).toBe(
      '"http://schemas.microsoft.com/exchange/services/2006/messages/ResolveNames"',
    );
    const body = parser.parse(request.body) as Record<string, Record<string, Record<string, Record<string, string>>>>;
    const resolve = body.Envelope!.Body!.ResolveNames!;
    expect(resolve["@_ReturnFullContactData"]).toBe("true");
    expect(resolve["@_SearchScope"]).toBe("ActiveDirectory");
    expect(resolve.UnresolvedEntry).toBe("SMTP:");
    expect(request.body).not.toContain("ExchangeImpersonation");
  });

  it("omit the impersonation header when acting as the service account, anchoring on the service account", () => {
    const request = buildGetRoomLists(asServiceAccount);
    expect(request.body).not.toContain("ExchangeImpersonation");
    expect(request.headers["X-AnchorMailbox"]).toBe("svc-sync@contoso.com");
    expect(request.headers.SOAPAction).toBe(
      '"http://schemas.microsoft.com/exchange/services/2006/messages/GetRoomLists"',
    );
  });

  it("escape every value so hostile addresses and subjects round-trip as text, not markup", () => {
    const request = buildCreateItem(
      { serverVersion: "Exchange2016", impersonate: hostile },
      {
        subject: `</t:Subject><t:Injected/>`,
        body: "a & b",
      },
    );
    const document = parser.parse(request.body);
    expect(document.Envelope.Header.ExchangeImpersonation.ConnectingSID.PrimarySmtpAddress).toBe(hostile);
    expect(document.Envelope.Body.CreateItem.Items.Message.Subject).toBe("</t:Subject><t:Injected/>");
    expect(request.body).not.toContain("<t:Injected/>");
    expect(request.body).toContain("&lt;/t:Subject&gt;&lt;t:Injected/&gt;");
    const roomRequest = buildGetRooms(asServiceAccount, hostile);
    expect(roomRequest.body).toContain("o&apos;brien&amp;&lt;x&gt;&quot;@contoso.com");
  });

  it("save the connectivity test message to Drafts without sending it, and hard-delete it by id and change key", () => {
    const created = parser.parse(buildCreateItem(impersonating, { subject: "s", body: "b" }).body).Envelope.Body
      .CreateItem;
    expect(created["@_MessageDisposition"]).toBe("SaveOnly");
    expect(created.SavedItemFolderId.DistinguishedFolderId["@_Id"]).toBe("drafts");
    const deleted = parser.parse(buildDeleteItem(impersonating, { id: "ID1", changeKey: "CK1" }).body).Envelope.Body
      .DeleteItem;
    expect(deleted["@_DeleteType"]).toBe("HardDelete");
    expect(deleted.ItemIds.ItemId).toMatchObject({ "@_Id": "ID1", "@_ChangeKey": "CK1" });
  });

  it("refuse an X-AnchorMailbox value with CR/LF or non-ASCII rather than splitting or altering the header", () => {
    expect(() => buildGetFolder({ serverVersion: "Exchange2016", impersonate: "a@contoso.com\r\nX-Evil: 1" })).toThrow(
      "An HTTP header cannot carry a control character (U+000D) at position 14; the value is refused",
    );
    expect(() => buildGetFolder({ serverVersion: "Exchange2016", impersonate: "zhang.张伟@contoso.lab" })).toThrow(
      UnencodableValueError,
    );
  });

  it("refuse characters XML 1.0 cannot carry instead of dropping them (the envelope would name another mailbox)", () => {
    expect(escapeXml("a\tb\r\nc & <d>")).toBe("a\tb\r\nc &amp; &lt;d&gt;");
    expect(() => escapeXml("alex.wil\u0001ber@contoso.lab")).toThrow(
      "XML cannot carry a control character (U+0001) at position 9",
    );
    expect(() => escapeXml("a\u0000b")).toThrow(UnencodableValueError);
    expect(() => escapeXml("a\uD800b")).toThrow(/unpaired surrogate \(U\+D800\)/);
    expect(() => escapeXml("a\uFFFE")).toThrow(UnencodableValueError);
    expect(escapeXml("emoji 😀")).toBe("emoji 😀");
    expect(() =>
      buildGetFolder({ serverVersion: "Exchange2016", impersonate: "alex.wil\u0001ber@contoso.lab" }),
    ).toThrow(UnencodableValueError);
  });
});
