import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectedEwsOutcome, startLab, type Lab } from "../../../src/lab/index.js";
import { validateEwsEnvelopes } from "../../support/ewsSchema.js";
import { referenceAvailability } from "../../support/sharedReference.js";
import {
  basic,
  createItemBody,
  deleteItemBody,
  envelope,
  ews,
  getFolderBody,
  getRoomListsBody,
  getRoomsBody,
  labRequest,
  messageValue,
  withBasic,
  resolveNamesBody,
  responseCode,
  type LabResponse,
} from "../../support/labClient.js";

const SVC = basic("svc-sync@contoso.lab", "Sync-Lab-2026!");
const NO_MAILBOX = basic("svc-nomailbox@contoso.lab", "Sync-Lab-2026!");
const NO_RIGHTS = basic("svc-norights@contoso.lab", "Sync-Lab-2026!");
const imp = (address: string) => ({ PrimarySmtpAddress: address });

let lab: Lab;
/** Every SOAP answer the tests see, validated against the EWS schemas at the end. */
const seen: Array<{ what: string; body: string }> = [];

async function record(what: string, pending: Promise<LabResponse>): Promise<LabResponse> {
  const response = await pending;
  if (response.body.startsWith("<?xml")) seen.push({ what, body: response.body });
  return response;
}

beforeAll(async () => {
  lab = await startLab({ scenario: await withBasic() });
});
afterAll(async () => {
  await lab.close();
});

describe("EWS impersonation on the on-premises demo org", () => {
  it("answers GetFolder for a user inside the service account's scope with NoError and the folder id", async () => {
    const res = await record("GetFolder ok", ews(lab, SVC, getFolderBody(), imp("alex.wilber@contoso.lab")));
    expect(res.status).toBe(200);
    expect(res.body).toContain('ResponseClass="Success"');
    expect(res.body).toMatch(/<t:FolderId Id="[^"]+" ChangeKey="[^"]+"\/>/);
    expect(res.body).toContain('<h:ServerVersionInfo MajorVersion="15"');
  });

  it("refuses a user outside the scope with an ErrorImpersonateUserDenied SOAP fault", async () => {
    const res = await record("ImpersonateUserDenied", ews(lab, SVC, getFolderBody(), imp("lee.gu@contoso.lab")));
    expect(res.status).toBe(500);
    expect(res.body).toContain("<faultcode");
    expect(responseCode(res.body)).toBe("ErrorImpersonateUserDenied");
  });

  it("refuses a service account without the ApplicationImpersonation role with ErrorImpersonationDenied", async () => {
    const res = await record(
      "ImpersonationDenied",
      ews(lab, NO_RIGHTS, getFolderBody(), imp("alex.wilber@contoso.lab")),
    );
    expect(res.status).toBe(500);
    expect(responseCode(res.body)).toBe("ErrorImpersonationDenied");
  });

  it("rejects impersonation header data that names no valid principal", async () => {
    for (const bad of [
      { PrimarySmtpAddress: "not-an-address" },
      { SID: "garbage" },
      { SID: "S-1-5-21-1-2-3-1001" },
      { raw: "" },
    ]) {
      const res = await record("InvalidHeaderData", ews(lab, SVC, getFolderBody(), bad));
      expect(res.status, JSON.stringify(bad)).toBe(500);
      expect(responseCode(res.body), JSON.stringify(bad)).toBe("ErrorInvalidExchangeImpersonationHeaderData");
    }
  });

  it("answers each mailbox state with its response code, and the alias with the primary address in MessageXml", async () => {
    const cases: Array<[string, string]> = [
      ["adele.vance@contoso.lab", "ErrorNonExistentMailbox"],
      ["diego.siciliani@contoso.lab", "ErrorAccountDisabled"],
      ["isaiah.langer@contoso.lab", "ErrorMailboxMoveInProgress"],
      ["johanna.lorenz@contoso.lab", "ErrorMailboxStoreUnavailable"],
      ["lynne@contoso.lab", "ErrorNonPrimarySmtpAddress"],
      ["nobody@contoso.lab", "ErrorNonExistentMailbox"],
      ["lynne.robbins@contoso.lab", "NoError"],
    ];
    for (const [user, code] of cases) {
      const res = await record(`state ${code}`, ews(lab, SVC, getFolderBody(), imp(user)));
      expect(responseCode(res.body), user).toBe(code);
    }
    const alias = await ews(lab, SVC, getFolderBody(), imp("lynne@contoso.lab"));
    expect(messageValue(alias.body, "Primary")).toBe("lynne.robbins@contoso.lab");
    const unresolved = await record(
      "ImpersonationFailed",
      ews(lab, SVC, getFolderBody(), imp("nestor.wilke@contoso.lab")),
    );
    expect(unresolved.status).toBe(500);
    expect(responseCode(unresolved.body)).toBe("ErrorImpersonationFailed");
  });

  it("gives every user of the demo org exactly the outcome published by expectedEwsOutcome", async () => {
    for (const account of lab.scenario.serviceAccounts) {
      const auth = basic(account.email, account.password);
      for (const user of lab.scenario.users) {
        const expected = expectedEwsOutcome(lab.scenario, { kind: "basic", serviceAccount: account.email }, user.email);
        const res = await ews(lab, auth, getFolderBody(), imp(user.email));
        const label = `${account.email} → ${user.email}`;
        expect(res.status, label).toBe(expected.httpStatus);
        expect(responseCode(res.body), label).toBe(expected.responseCode);
        if (expected.primarySmtpAddress)
          expect(messageValue(res.body, "Primary"), label).toBe(expected.primarySmtpAddress);
      }
    }
  });

  it("accepts the other ConnectingSID forms (SmtpAddress, PrincipalName) and counts X-AnchorMailbox mismatches", async () => {
    for (const form of [{ SmtpAddress: "megan.bowen@contoso.lab" }, { PrincipalName: "megan.bowen@contoso.lab" }]) {
      const res = await ews(lab, SVC, getFolderBody(), form);
      expect(responseCode(res.body)).toBe("NoError");
    }
    const before = lab.stats.ewsAnchorMismatches;
    await ews(lab, SVC, getFolderBody(), imp("megan.bowen@contoso.lab"), {});
    await ews(
      lab,
      SVC,
      getFolderBody(),
      { SmtpAddress: "megan.bowen@contoso.lab" },
      { "x-anchormailbox": "alex.wilber@contoso.lab" },
    );
    expect(lab.stats.ewsAnchorMismatches).toBe(before + 1);
  });
});

describe("EWS at its one path", () => {
  it("answers 404 for a mistyped EWS path, as Exchange's IIS does, and serves the path in any letter case", async () => {
    const headers = { "content-type": "text/xml; charset=utf-8", authorization: SVC };
    for (const path of ["/EWS/Exchange.asmxx", "/EWS/Exchange.asmx/extra", "/EWS/Exchangeasmx", "/ews/"]) {
      const res = await labRequest(lab, path, { body: envelope(getFolderBody()), headers });
      expect(res.status, path).toBe(404);
    }
    const exact = await labRequest(lab, "/ews/EXCHANGE.asmx", { body: envelope(getFolderBody()), headers });
    expect(exact.status).toBe(200);
  });
});

describe("EWS authentication and the service account's own mailbox", () => {
  it("answers 401 with Basic and Bearer challenges for a wrong password and for no credentials", async () => {
    for (const auth of [basic("svc-sync@contoso.lab", "wrong"), undefined]) {
      const res = await ews(lab, auth, getFolderBody(), imp("alex.wilber@contoso.lab"));
      expect(res.status).toBe(401);
      expect(String(res.headers["www-authenticate"])).toContain("Basic");
      expect(String(res.headers["www-authenticate"])).toContain("Bearer");
    }
  });

  it("accepts the DOMAIN\\user logon form", async () => {
    const res = await ews(
      lab,
      basic("CONTOSO\\svc-sync", "Sync-Lab-2026!"),
      getFolderBody(),
      imp("alex.wilber@contoso.lab"),
    );
    expect(responseCode(res.body)).toBe("NoError");
  });

  it("refuses GetFolder without impersonation for an account without a mailbox (ErrorMissingEmailAddress)", async () => {
    const res = await record("MissingEmailAddress", ews(lab, NO_MAILBOX, getFolderBody("msgfolderroot")));
    expect(responseCode(res.body)).toBe("ErrorMissingEmailAddress");
    const own = await ews(lab, SVC, getFolderBody("msgfolderroot"));
    expect(responseCode(own.body)).toBe("NoError");
  });

  it("lists room lists and rooms for a licensed service account but not for one without a mailbox", async () => {
    const lists = await record("GetRoomLists", ews(lab, SVC, getRoomListsBody()));
    expect(lists.body).toContain("<t:EmailAddress>rooms-hq@contoso.lab</t:EmailAddress>");
    const rooms = await record("GetRooms", ews(lab, SVC, getRoomsBody("rooms-hq@contoso.lab")));
    expect(rooms.body.match(/<t:Room>/g)).toHaveLength(2);
    const unknownList = await record("GetRooms unknown", ews(lab, SVC, getRoomsBody("nope@contoso.lab")));
    expect(responseCode(unknownList.body)).toBe("ErrorNameResolutionNoResults");
    const denied = await record("GetRoomLists no mailbox", ews(lab, NO_MAILBOX, getRoomListsBody()));
    expect(denied.body).toContain('ResponseClass="Error"');
    expect(responseCode(denied.body)).toBe("ErrorNonExistentMailbox");
    const deniedRooms = await record("GetRooms no mailbox", ews(lab, NO_MAILBOX, getRoomsBody("rooms-hq@contoso.lab")));
    expect(responseCode(deniedRooms.body)).toBe("ErrorNonExistentMailbox");
  });

  it("creates and deletes a test message in an impersonated mailbox, and deletes it only once", async () => {
    const created = await record("CreateItem", ews(lab, SVC, createItemBody(), imp("megan.bowen@contoso.lab")));
    expect(responseCode(created.body)).toBe("NoError");
    const id = /<t:ItemId Id="([^"]+)"/.exec(created.body)?.[1];
    expect(id).toBeTruthy();
    const deleted = await record("DeleteItem", ews(lab, SVC, deleteItemBody(id!), imp("megan.bowen@contoso.lab")));
    expect(responseCode(deleted.body)).toBe("NoError");
    const again = await record(
      "DeleteItem missing",
      ews(lab, SVC, deleteItemBody(id!), imp("megan.bowen@contoso.lab")),
    );
    expect(responseCode(again.body)).toBe("ErrorItemNotFound");
    const refused = await record(
      "CreateItem moving",
      ews(lab, SVC, createItemBody(), imp("isaiah.langer@contoso.lab")),
    );
    expect(responseCode(refused.body)).toBe("ErrorMailboxMoveInProgress");
    const refusedDelete = await record(
      "DeleteItem disabled",
      ews(lab, SVC, deleteItemBody("x"), imp("diego.siciliani@contoso.lab")),
    );
    expect(responseCode(refusedDelete.body)).toBe("ErrorAccountDisabled");
  });

  it("resolves names to one mailbox, warns on several and errors on none", async () => {
    const one = await record("ResolveNames one", ews(lab, SVC, resolveNamesBody("megan")));
    expect(responseCode(one.body)).toBe("NoError");
    expect(one.body).toContain("<t:EmailAddress>megan.bowen@contoso.lab</t:EmailAddress>");
    const many = await record("ResolveNames many", ews(lab, SVC, resolveNamesBody("room")));
    expect(many.body).toContain('ResponseClass="Warning"');
    const none = await record("ResolveNames none", ews(lab, SVC, resolveNamesBody("zzz")));
    expect(responseCode(none.body)).toBe("ErrorNameResolutionNoResults");
  });

  it("lists the directory for the bare SMTP: prefix, with each mailbox's addresses as full contact data", async () => {
    const body =
      '<m:ResolveNames ReturnFullContactData="true" SearchScope="ActiveDirectory"><m:UnresolvedEntry>SMTP:</m:UnresolvedEntry></m:ResolveNames>';
    const listed = await record("ResolveNames SMTP:", ews(lab, SVC, body));
    expect(listed.status).toBe(200);
    expect(listed.body).toContain('ResponseClass="Warning"');
    expect(responseCode(listed.body)).toBe("ErrorNameResolutionMultipleResults");
    expect(listed.body).toContain('IncludesLastItemInRange="true"');
    expect(listed.body).toContain("<t:EmailAddress>sync-canary@contoso.lab</t:EmailAddress>");
    expect(listed.body).toContain('<t:Entry Key="EmailAddress1">SMTP:alex.wilber@contoso.lab</t:Entry>');
    // Rooms and accounts without a mailbox are not mail-enabled users of the list.
    expect(listed.body).not.toContain("<t:EmailAddress>svc-nomailbox@contoso.lab</t:EmailAddress>");
    expect(listed.body).not.toMatch(/<t:EmailAddress>room[^<]*<\/t:EmailAddress>/);
  });

  it("answers an unsupported operation and an unparseable request with soap:Client faults", async () => {
    const unknown = await record("unknown op", ews(lab, SVC, '<m:FindItem Traversal="Shallow"/>'));
    expect(unknown.status).toBe(500);
    expect(unknown.body).toContain("<faultcode");
    expect(responseCode(unknown.body)).toBe("ErrorInvalidRequest");
    const garbage = await postRaw("<soap:Envelope><unclosed>");
    expect(garbage.status).toBe(500);
    expect(responseCode(garbage.body)).toBe("ErrorSchemaValidation");
    seen.push({ what: "schema fault", body: garbage.body });
  });
});

function postRaw(body: string): Promise<LabResponse> {
  return labRequest(lab, "/EWS/Exchange.asmx", { body, headers: { authorization: SVC, "content-type": "text/xml" } });
}

describe("EWS responses against Microsoft's schemas", () => {
  const availability = referenceAvailability();
  it.skipIf(!availability.available)("validates every response envelope the tests above received", async () => {
    expect(seen.length).toBeGreaterThan(20);
    const verdicts = await validateEwsEnvelopes(seen.map((s) => s.body));
    const failures = verdicts
      .map((v, i) => ({ what: seen[i]!.what, errors: v.errors }))
      .filter((_, i) => !verdicts[i]!.valid);
    expect(failures).toEqual([]);
  });
});
