import { describe, expect, it } from "vitest";
import { EXCHANGE_ONLINE_EWS_URL, type AccessTypeId } from "../../../src/contract/accessTypes.js";
import { mailboxPlaceOf, type MailboxPlace } from "../../../src/contract/exchangeOnline.js";

const ON_PREMISES_URL = "https://mail.northwind.lab/EWS/Exchange.asmx";

describe("the place a profile reaches, from its access type and its EWS URL", () => {
  it.each<[string, AccessTypeId | null, string | null, MailboxPlace | null]>([
    ["Graph app-only reaches Exchange Online (it has no EWS URL)", "graph_app_only", null, "exchange_online"],
    ["Graph app-only ignores a leftover EWS URL", "graph_app_only", ON_PREMISES_URL, "exchange_online"],
    [
      "EWS OAuth with outlook.office365.com reaches Exchange Online",
      "ews_oauth_impersonation",
      EXCHANGE_ONLINE_EWS_URL,
      "exchange_online",
    ],
    [
      "EWS OAuth with an on-premises URL reaches the server (Hybrid Modern Auth)",
      "ews_oauth_impersonation",
      ON_PREMISES_URL,
      "on_premises",
    ],
    [
      "EWS Basic on an Exchange Online URL points at Exchange Online",
      "ews_basic_impersonation",
      "https://OUTLOOK.office365.com/EWS/Exchange.asmx",
      "exchange_online",
    ],
    ["EWS Basic on an on-premises URL reaches the server", "ews_basic_impersonation", ON_PREMISES_URL, "on_premises"],
    ["an EWS type without an EWS URL reaches nowhere yet", "ews_oauth_impersonation", null, null],
    ["an EWS type with a blank EWS URL reaches nowhere yet", "ews_basic_impersonation", "  ", null],
    ["a profile without an access type reaches nowhere", null, null, null],
  ])("%s", (_, accessType, ewsUrl, expected) => {
    expect(mailboxPlaceOf(accessType, ewsUrl)).toBe(expected);
  });
});
