import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CATEGORIES, type CategoryId } from "../../../../../src/contract/categories.js";
import { classifyEwsAnswer, isExchangeOnlineVersion } from "../../../../../src/server/exchange/ews/classify.js";
import {
  createdItemIdOf,
  folderIdOf,
  parseEwsResponse,
  roomListsOf,
  roomsOf,
} from "../../../../../src/server/exchange/ews/parse.js";
import type { EwsOperation } from "../../../../../src/server/exchange/ews/requests.js";
import { classifyTransportError, retryAfterMs } from "../../../../../src/server/exchange/transport.js";
import { validateEwsEnvelopes } from "../../../../support/ewsSchema.js";
import { referenceAvailability } from "../../../../support/sharedReference.js";
import { ewsFixture } from "./fixtures.js";

const reference = referenceAvailability();

function answer(status: number, body: string, headers: Record<string, string> = {}) {
  return { status, headers: new Headers(headers), body };
}

interface FixtureCase {
  fixture: string;
  operation: EwsOperation;
  status: number;
  category: CategoryId;
  backOffMs?: number;
  primarySmtpAddress?: string;
}

// Exchange sends impersonation and throttling failures as HTTP 500 SOAP faults, mailbox failures as response messages.
const FIXTURE_CASES: FixtureCase[] = [
  { fixture: "getfolder-success.xml", operation: "GetFolder", status: 200, category: "ok" },
  { fixture: "getfolder-success-exchange-online.xml", operation: "GetFolder", status: 200, category: "ok" },
  { fixture: "createitem-success.xml", operation: "CreateItem", status: 200, category: "ok" },
  { fixture: "deleteitem-success.xml", operation: "DeleteItem", status: 200, category: "ok" },
  { fixture: "getroomlists-success.xml", operation: "GetRoomLists", status: 200, category: "ok" },
  { fixture: "getrooms-success.xml", operation: "GetRooms", status: 200, category: "ok" },
  {
    fixture: "fault-impersonate-user-denied.xml",
    operation: "GetFolder",
    status: 500,
    category: "impersonation_denied",
  },
  {
    fixture: "fault-impersonation-denied.xml",
    operation: "GetFolder",
    status: 500,
    category: "impersonation_not_granted",
  },
  { fixture: "fault-impersonation-failed.xml", operation: "GetFolder", status: 500, category: "impersonation_failed" },
  { fixture: "fault-non-existent-mailbox.xml", operation: "GetFolder", status: 500, category: "no_mailbox" },
  {
    fixture: "fault-invalid-impersonation-header.xml",
    operation: "GetFolder",
    status: 500,
    category: "bad_impersonation_header",
  },
  {
    fixture: "fault-token-header-must-be-present.xml",
    operation: "GetFolder",
    status: 500,
    category: "token_header_mismatch",
  },
  {
    fixture: "fault-token-header-must-not-be-present.xml",
    operation: "GetFolder",
    status: 500,
    category: "token_header_mismatch",
  },
  { fixture: "fault-server-busy.xml", operation: "GetFolder", status: 500, category: "server_busy", backOffMs: 297749 },
  { fixture: "fault-internal-server-error.xml", operation: "GetFolder", status: 500, category: "server_error" },
  { fixture: "fault-schema-validation.xml", operation: "DeleteItem", status: 500, category: "unknown_error" },
  {
    fixture: "getfolder-error-server-busy.xml",
    operation: "GetFolder",
    status: 200,
    category: "server_busy",
    backOffMs: 5000,
  },
  { fixture: "getfolder-error-non-existent-mailbox.xml", operation: "GetFolder", status: 200, category: "no_mailbox" },
  {
    fixture: "getfolder-error-non-primary-smtp-address.xml",
    operation: "GetFolder",
    status: 200,
    category: "non_primary_address",
    primarySmtpAddress: "adele.vance@contoso.com",
  },
  { fixture: "getfolder-error-missing-email-address.xml", operation: "GetFolder", status: 200, category: "no_mailbox" },
  { fixture: "getfolder-error-access-denied.xml", operation: "GetFolder", status: 200, category: "access_denied" },
  {
    fixture: "getfolder-error-account-disabled.xml",
    operation: "GetFolder",
    status: 200,
    category: "account_disabled",
  },
  {
    fixture: "getfolder-error-mailbox-move-in-progress.xml",
    operation: "GetFolder",
    status: 200,
    category: "mailbox_moving",
  },
  {
    fixture: "getfolder-error-mailbox-store-unavailable.xml",
    operation: "GetFolder",
    status: 200,
    category: "mailbox_store_unavailable",
  },
  {
    fixture: "getfolder-error-exceeded-connection-count.xml",
    operation: "GetFolder",
    status: 200,
    category: "too_many_connections",
  },
  { fixture: "getfolder-error-unrecognised-code.xml", operation: "GetFolder", status: 200, category: "unknown_error" },
  {
    fixture: "getroomlists-error-non-existent-mailbox.xml",
    operation: "GetRoomLists",
    status: 200,
    category: "no_mailbox",
  },
  { fixture: "createitem-error-quota-exceeded.xml", operation: "CreateItem", status: 200, category: "mailbox_full" },
  { fixture: "invalid-truncated-getfolder.xml", operation: "GetFolder", status: 200, category: "bad_response" },
  { fixture: "invalid-schema-getfolder.xml", operation: "GetFolder", status: 200, category: "bad_response" },
  { fixture: "invalid-login-page.html", operation: "GetFolder", status: 200, category: "bad_response" },
  // A GetFolder answer to a CreateItem request is the wrong shape, whatever its content.
  { fixture: "getfolder-success.xml", operation: "CreateItem", status: 200, category: "bad_response" },
];

describe("EWS answer classification from captured payloads", () => {
  it.each(FIXTURE_CASES)("classifies $fixture (HTTP $status, $operation) as $category", (testCase) => {
    const outcome = classifyEwsAnswer(testCase.operation, answer(testCase.status, ewsFixture(testCase.fixture)));
    expect(outcome.classified.category).toBe(testCase.category);
    expect(outcome.ok).toBe(testCase.category === "ok");
    expect(outcome.classified.backOffMs).toBe(testCase.backOffMs);
    expect(outcome.classified.primarySmtpAddress).toBe(testCase.primarySmtpAddress);
    if (testCase.category !== "ok") expect(outcome.classified.detail).toBeTruthy();
  });

  it("keeps the server's own words and response code in the detail the admin reads", () => {
    const outcome = classifyEwsAnswer("GetFolder", answer(500, ewsFixture("fault-impersonate-user-denied.xml")));
    expect(outcome.classified.detail).toBe(
      "ErrorImpersonateUserDenied: The account does not have permission to impersonate the requested user.",
    );
    expect(outcome.classified.httpStatus).toBe(500);
  });

  it("maps HTTP 401 to auth_failed and 403 to forbidden, whatever the body", () => {
    expect(
      classifyEwsAnswer("GetFolder", answer(401, "", { "www-authenticate": 'Basic realm="mail"' })).classified,
    ).toMatchObject({ category: "auth_failed", httpStatus: 401 });
    expect(classifyEwsAnswer("GetFolder", answer(403, "<html>Forbidden</html>")).classified).toMatchObject({
      category: "forbidden",
      httpStatus: 403,
    });
  });

  it.each([
    ["the organization's", "Exchange Web Services are blocked for this organization (EwsEnabled is False)."],
    ["the mailbox's", "Exchange Web Services are disabled for this mailbox (CASMailbox EwsEnabled is False)."],
    [
      "the allow-list's",
      "The application is not in the organization's EwsAllowedAppIDs (EwsApplicationAccessPolicy EnforceAllowList).",
    ],
  ])("maps a 403 naming %s EWS switch to ews_blocked, keeping Exchange's reason", (_which, reason) => {
    const headers = { "x-ms-diagnostics": `2000003;reason="${reason}";error_category="access_denied"` };
    expect(classifyEwsAnswer("GetFolder", answer(403, "", headers)).classified).toEqual({
      category: "ews_blocked",
      detail: `HTTP 403: ${reason}`,
      httpStatus: 403,
    });
  });

  it("keeps a licence block (F1/F3/kiosk) as forbidden", () => {
    const headers = {
      "x-ms-diagnostics":
        '2000003;reason="EWS access is blocked for F1, F3 and kiosk licences.";error_category="access_denied"',
    };
    expect(classifyEwsAnswer("GetFolder", answer(403, "", headers)).classified.category).toBe("forbidden");
  });

  it("maps a 401 whose diagnostics name the token/header mismatch to token_header_mismatch", () => {
    const outcome = classifyEwsAnswer(
      "GetFolder",
      answer(401, "", {
        "x-ms-diagnostics":
          '2000003;reason="ExchangeImpersonation SOAP header must be present for this type of OAuth token.";error_category="invalid_token"',
      }),
    );
    expect(outcome.classified.category).toBe("token_header_mismatch");
  });

  it("maps 429 and 503 to throttled and honours Retry-After in seconds or as a date", () => {
    expect(classifyEwsAnswer("GetFolder", answer(429, "", { "retry-after": "17" })).classified).toMatchObject({
      category: "throttled",
      backOffMs: 17_000,
      httpStatus: 429,
    });
    const outcome = classifyEwsAnswer("GetFolder", answer(503, "Service Unavailable"));
    expect(outcome.classified).toMatchObject({ category: "throttled", httpStatus: 503 });
    expect(outcome.classified.backOffMs).toBeUndefined();
    const now = Date.parse("2026-11-02T10:00:00Z");
    expect(retryAfterMs(new Headers({ "retry-after": "Mon, 02 Nov 2026 10:00:30 GMT" }), now)).toBe(30_000);
  });

  it("takes the longer of Retry-After and BackOffMilliseconds when a 503 carries an ErrorServerBusy fault", () => {
    const outcome = classifyEwsAnswer(
      "GetFolder",
      answer(503, ewsFixture("fault-server-busy.xml"), { "retry-after": "5" }),
    );
    expect(outcome.classified).toMatchObject({ category: "throttled", backOffMs: 297749 });
  });

  it("maps a 500 without a SOAP envelope to server_error and a redirect to a login page to bad_response", () => {
    expect(classifyEwsAnswer("GetFolder", answer(500, "Internal Server Error")).classified.category).toBe(
      "server_error",
    );
    const redirected = classifyEwsAnswer(
      "GetFolder",
      answer(302, "", { location: "https://mail.contoso.com/owa/auth/logon.aspx" }),
    );
    expect(redirected.classified.category).toBe("bad_response");
    expect(redirected.classified.detail).toContain("logon.aspx");
    expect(classifyEwsAnswer("GetFolder", answer(404, "Not Found")).classified.category).toBe("bad_response");
  });

  it("treats an empty 200 answer as bad_response", () => {
    expect(classifyEwsAnswer("GetFolder", answer(200, "")).classified.category).toBe("bad_response");
  });
});

describe("EWS transport failures", () => {
  const fetchFailed = (code: string, message = code) =>
    Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error(message), { code }) });

  it.each([
    ["DEPTH_ZERO_SELF_SIGNED_CERT", "tls_error"],
    ["CERT_HAS_EXPIRED", "tls_error"],
    ["ERR_TLS_CERT_ALTNAME_INVALID", "tls_error"],
    ["UNABLE_TO_VERIFY_LEAF_SIGNATURE", "tls_error"],
    ["ECONNREFUSED", "network_error"],
    ["ENOTFOUND", "network_error"],
    ["ECONNRESET", "network_error"],
    ["UND_ERR_CONNECT_TIMEOUT", "timeout"],
  ])("classifies a fetch failure caused by %s as %s", (code, category) => {
    expect(classifyTransportError(fetchFailed(code), false).category).toBe(category);
  });

  it("classifies the request timeout firing as timeout", () => {
    const abort = new DOMException("The operation was aborted due to timeout", "TimeoutError");
    expect(classifyTransportError(abort, true)).toEqual({
      category: "timeout",
      detail: "no answer within the request timeout",
    });
  });
});

describe("EWS response parsing", () => {
  it("reads folder ids, created item ids, room lists and rooms whatever the namespace prefixes", () => {
    for (const fixture of ["getfolder-success.xml", "getfolder-success-exchange-online.xml"]) {
      const parsed = parseEwsResponse("GetFolder", ewsFixture(fixture));
      expect(parsed.kind).toBe("messages");
      if (parsed.kind !== "messages") return;
      expect(folderIdOf(parsed.messages[0]!)).toMatch(/^AQMk|^AAMk/);
    }
    const created = parseEwsResponse("CreateItem", ewsFixture("createitem-success.xml"));
    if (created.kind !== "messages") throw new Error("expected messages");
    expect(createdItemIdOf(created.messages[0]!)).toEqual({
      id: expect.stringMatching(/^AAMkADk3/) as string,
      changeKey: "CQAAABYAAABE4r2LNQ6WQrlT9ELBMcHcAAAbVf+t",
    });
    const lists = parseEwsResponse("GetRoomLists", ewsFixture("getroomlists-success.xml"));
    if (lists.kind !== "messages") throw new Error("expected messages");
    expect(roomListsOf(lists.messages[0]!)).toEqual([
      { name: "Building 1 Rooms", email: "building1rooms@contoso.com" },
      { name: "Building 2 Rooms", email: "building2rooms@contoso.com" },
    ]);
    const rooms = parseEwsResponse("GetRooms", ewsFixture("getrooms-success.xml"));
    if (rooms.kind !== "messages") throw new Error("expected messages");
    expect(roomsOf(rooms.messages[0]!).map((room) => room.email)).toEqual([
      "conf1101@contoso.com",
      "conf1102@contoso.com",
    ]);
  });

  it("recognises Exchange Online by its 15.20 server version and on-premises 2016 (15.1) as not online", () => {
    const online = parseEwsResponse("GetFolder", ewsFixture("getfolder-success-exchange-online.xml"));
    const onPremises = parseEwsResponse("GetFolder", ewsFixture("getfolder-success.xml"));
    expect(online.kind === "messages" && isExchangeOnlineVersion(online.serverVersion)).toBe(true);
    expect(onPremises.kind === "messages" && isExchangeOnlineVersion(onPremises.serverVersion)).toBe(false);
  });

  it("refuses documents with entity declarations instead of expanding them", () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE s [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetFolderResponse>&b;</GetFolderResponse></s:Body></s:Envelope>`;
    expect(parseEwsResponse("GetFolder", bomb).kind).toBe("invalid");
  });

  it("has a remedy for every category the classifier can produce", () => {
    for (const testCase of FIXTURE_CASES) expect(CATEGORIES[testCase.category].remedy.length).toBeGreaterThan(10);
  });
});

describe("EWS fixtures", () => {
  const fixtureDir = fileURLToPath(new URL("../../../../fixtures/ews/", import.meta.url));
  const xmlFixtures = readdirSync(fixtureDir).filter((name) => name.endsWith(".xml"));

  it.skipIf(!reference.available)("are valid EWS envelopes, except the deliberately broken ones", async () => {
    const verdicts = await validateEwsEnvelopes(xmlFixtures.map(ewsFixture));
    const verdictByName = Object.fromEntries(xmlFixtures.map((name, index) => [name, verdicts[index]!]));
    for (const [name, verdict] of Object.entries(verdictByName)) {
      expect({ name, valid: verdict.valid, errors: verdict.errors }).toEqual({
        name,
        valid: !name.startsWith("invalid-"),
        errors: name.startsWith("invalid-") ? expect.any(Array) : [],
      });
    }
    expect(xmlFixtures.length).toBeGreaterThanOrEqual(29);
  });

  it("are each used by a classification case", () => {
    const used = new Set(FIXTURE_CASES.map((testCase) => testCase.fixture));
    expect(readdirSync(fixtureDir).filter((name) => !used.has(name))).toEqual([]);
  });
});
