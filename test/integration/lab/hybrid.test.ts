/**
 * The hybrid scenario as each side of the organization answers it: the on-premises EWS and Autodiscover for a
 * mailbox that lives there or has moved to Exchange Online, Graph for a synced user whose mailbox is still
 * on-premises, a move in progress on both sides, and the control that moves a mailbox while the lab runs. Every
 * SOAP answer is validated against the EWS schemas.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  expectedAutodiscoverAnswer,
  expectedEwsOutcome,
  expectedGraphOutcome,
  startLab,
  type Lab,
} from "../../../src/lab/index.js";
import { validateEwsEnvelopes } from "../../support/ewsSchema.js";
import { referenceAvailability } from "../../support/sharedReference.js";
import { basic, ews, getFolderBody, labRequest, responseCode, withBasic } from "../../support/labClient.js";

const HYBRID_FILE = new URL("../../../src/lab/scenarios/hybrid.json", import.meta.url).pathname;
const SVC = basic("svc-sync@northwind.lab", "Sync-Lab-2026!");
const GRAPH_APP = "3dfd95b3-6e90-4b65-b311-899c149960bf";
const GRAPH = "https://graph.microsoft.com";

let lab: Lab;
const seen: Array<{ what: string; body: string }> = [];

beforeAll(async () => {
  // Basic on beside NTLM, so an answer is one request to read; the drivers' tests sign in with NTLM.
  lab = await startLab({ scenario: await withBasic(HYBRID_FILE) });
});
afterAll(async () => {
  await lab.close();
});

async function getFolderAs(user: string): Promise<{ status: number; code: string | undefined; body: string }> {
  const res = await ews(lab, SVC, getFolderBody(), { PrimarySmtpAddress: user });
  seen.push({ what: `GetFolder ${user}`, body: res.body });
  return { status: res.status, code: responseCode(res.body), body: res.body };
}

const poxBody = (email: string): string =>
  `<?xml version="1.0" encoding="utf-8"?><Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">` +
  `<Request><EMailAddress>${email}</EMailAddress><AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema></Request></Autodiscover>`;

async function autodiscover(email: string): Promise<string> {
  const res = await labRequest(lab, "/autodiscover/autodiscover.xml", {
    body: poxBody(email),
    headers: { authorization: SVC, "content-type": "text/xml; charset=utf-8" },
  });
  expect(res.status).toBe(200);
  return res.body;
}

async function graph(path: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const token = await lab.mintToken({ appClientId: GRAPH_APP, audience: GRAPH });
  const res = await labRequest(lab, path, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, json: JSON.parse(res.body) as Record<string, unknown> };
}

const graphCode = (json: Record<string, unknown>): string | undefined =>
  (json.error as { code?: string } | undefined)?.code;

async function move(body: Record<string, string>): Promise<{ status: number; json: Record<string, string> }> {
  const res = await labRequest(lab, "/lab/control", {
    body: JSON.stringify({ action: "move", ...body }),
    headers: { "content-type": "application/json" },
  });
  return { status: res.status, json: JSON.parse(res.body) as Record<string, string> };
}

describe("the hybrid scenario's on-premises side", () => {
  it("answers GetFolder for an on-premises mailbox and ErrorNonExistentMailbox for one moved to Exchange Online", async () => {
    expect(await getFolderAs("oscar.onprem@northwind.lab")).toMatchObject({ status: 200, code: "NoError" });
    const moved = await getFolderAs("clara.cloud@northwind.lab");
    expect(moved).toMatchObject({ status: 200, code: "ErrorNonExistentMailbox" });
    expect(moved.body).toContain("The SMTP address has no mailbox associated with it.");
    expect(await getFolderAs("mia.moving@northwind.lab")).toMatchObject({ code: "ErrorMailboxMoveInProgress" });
  });

  it("redirects a moved mailbox's Autodiscover to its cloud routing address, and knows no cloud-only user", async () => {
    const moved = await autodiscover("clara.cloud@northwind.lab");
    expect(moved).toContain("<Action>redirectAddr</Action>");
    expect(moved).toContain("<RedirectAddr>clara.cloud@northwind.mail.onmicrosoft.com</RedirectAddr>");
    const onprem = await autodiscover("oscar.onprem@northwind.lab");
    expect(onprem).toContain("<Action>settings</Action>");
    expect(onprem).toContain("/EWS/Exchange.asmx</EwsUrl>");
    expect(await autodiscover("cora.cloudonly@northwind.lab")).toContain("<ErrorCode>500</ErrorCode>");
  });

  it("answers every user as expectedEwsOutcome and expectedAutodiscoverAnswer say", async () => {
    for (const user of lab.scenario.users) {
      const expected = expectedEwsOutcome(
        lab.scenario,
        { kind: "basic", serviceAccount: "svc-sync@northwind.lab" },
        user.email,
      );
      const answer = await getFolderAs(user.email);
      expect([user.email, answer.status, answer.code]).toEqual([
        user.email,
        expected.httpStatus,
        expected.responseCode,
      ]);
      const discovered = expectedAutodiscoverAnswer(lab.scenario, user.email);
      expect([user.email, await autodiscover(user.email)]).toEqual([
        user.email,
        expect.stringContaining(
          discovered.action === "error" ? "<Error " : `<Action>${discovered.action}</Action>`,
        ) as string,
      ]);
    }
  });
});

describe("the hybrid scenario's Exchange Online side", () => {
  it("knows synced users in the directory and answers MailboxNotEnabledForRESTAPI for a mailbox still on-premises", async () => {
    const user = await graph("/v1.0/users/oscar.onprem@northwind.lab");
    expect(user).toMatchObject({
      status: 200,
      json: { mail: "oscar.onprem@northwind.lab", onPremisesSyncEnabled: true },
    });
    const inbox = await graph("/v1.0/users/oscar.onprem@northwind.lab/mailFolders/inbox");
    expect([inbox.status, graphCode(inbox.json)]).toEqual([404, "MailboxNotEnabledForRESTAPI"]);
    expect((await graph("/v1.0/users/clara.cloud@northwind.lab/mailFolders/inbox")).status).toBe(200);
    const cloudOnly = await graph("/v1.0/users/cora.cloudonly@northwind.lab");
    expect(cloudOnly.json.onPremisesSyncEnabled).toBeNull();
    const moving = await graph("/v1.0/users/mia.moving@northwind.lab/mailFolders/inbox");
    expect([moving.status, graphCode(moving.json)]).toEqual([503, "ErrorMailboxMoveInProgress"]);
  });

  it("answers every user's inbox as expectedGraphOutcome says", async () => {
    for (const user of lab.scenario.users) {
      const expected = expectedGraphOutcome(lab.scenario, GRAPH_APP, user.email);
      const inbox = await graph(`/v1.0/users/${user.email}/mailFolders/inbox`);
      expect([user.email, inbox.status, graphCode(inbox.json)]).toEqual([
        user.email,
        expected.httpStatus,
        expected.code,
      ]);
    }
  });
});

describe("moving a mailbox while the lab runs (POST /lab/control, action move)", () => {
  it("starts a move (both sides answer ErrorMailboxMoveInProgress), completes it, and moves it back", async () => {
    const user = "olivia.onprem@northwind.lab";
    expect(await move({ user, to: "cloud", stage: "start" })).toMatchObject({
      status: 200,
      json: { done: `${user}: the move to Exchange Online is in progress` },
    });
    expect((await getFolderAs(user)).code).toBe("ErrorMailboxMoveInProgress");
    expect(graphCode((await graph(`/v1.0/users/${user}/mailFolders/inbox`)).json)).toBe("ErrorMailboxMoveInProgress");

    expect(await move({ user, to: "cloud" })).toMatchObject({
      status: 200,
      json: { done: `${user}: the mailbox now lives in Exchange Online` },
    });
    expect((await getFolderAs(user)).code).toBe("ErrorNonExistentMailbox");
    expect(await autodiscover(user)).toContain(
      "<RedirectAddr>olivia.onprem@northwind.mail.onmicrosoft.com</RedirectAddr>",
    );
    expect((await graph(`/v1.0/users/${user}/mailFolders/inbox`)).status).toBe(200);
    expect(lab.scenario.users.find((entry) => entry.email === user)?.location).toBe("cloud");

    expect((await move({ user, to: "onprem" })).status).toBe(200);
    expect((await getFolderAs(user)).code).toBe("NoError");
    expect(graphCode((await graph(`/v1.0/users/${user}/mailFolders/inbox`)).json)).toBe("MailboxNotEnabledForRESTAPI");
  });

  it("refuses a move that names no place, a cloud-only user, a service account or the side the mailbox is on", async () => {
    expect(await move({ user: "oscar.onprem@northwind.lab", to: "mars" })).toMatchObject({
      status: 400,
      json: { message: "to must be one of onprem, cloud" },
    });
    expect(await move({ user: "cora.cloudonly@northwind.lab", to: "onprem" })).toMatchObject({
      status: 400,
      json: { message: expect.stringContaining("cloud-only user") as string },
    });
    expect((await move({ user: "svc-sync@northwind.lab", to: "cloud" })).status).toBe(400);
    expect(await move({ user: "clara.cloud@northwind.lab", to: "cloud" })).toMatchObject({
      status: 400,
      json: { message: "clara.cloud@northwind.lab: the mailbox is already in Exchange Online" },
    });
    expect((await move({ user: "noah.nomailbox@northwind.lab", to: "cloud" })).status).toBe(400);
  });

  it("offers the move on the front page of a hybrid lab", async () => {
    const page = await labRequest(lab, "/");
    expect(page.body).toContain('name="action" value="move"');
    expect(page.body).toContain("Lives in");
  });
});

describe("the hybrid lab's SOAP", () => {
  const availability = referenceAvailability();
  it.skipIf(!availability.available)("validates every EWS answer above against the EWS schemas", async () => {
    expect(seen.length).toBeGreaterThan(10);
    const verdicts = await validateEwsEnvelopes(seen.map((entry) => entry.body));
    const failures = verdicts
      .map((verdict, i) => ({ what: seen[i]!.what, errors: verdict.errors }))
      .filter((_, i) => !verdicts[i]!.valid);
    expect(failures).toEqual([]);
  });
});
