import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_SCENARIO_FILE, expectedEwsOutcome, parseScenario, startLab, type Lab } from "../../../src/lab/index.js";
import { validateEwsEnvelopes } from "../../support/ewsSchema.js";
import { referenceAvailability } from "../../support/sharedReference.js";
import { basic, ews, getFolderBody, responseCode } from "../../support/labClient.js";

const ONLINE_FILE = new URL("../../../src/lab/scenarios/online.json", import.meta.url);
const GRAPH_APP = "4f7b2c9e-1a6d-4b38-8e5f-3c0a7d2b9e61";
const DIRECTORY_APP = "b2e6d9a3-7f1c-4a58-9d0b-6e3f8a1c5d74";
const imp = (address: string) => ({ PrimarySmtpAddress: address });
const bearer = (token: string) => `Bearer ${token}`;

let online: Lab;
let blocked: Lab;
let onprem: Lab;
const bodies: string[] = [];

beforeAll(async () => {
  const raw = JSON.parse(await readFile(ONLINE_FILE, "utf8")) as Record<string, unknown>;
  [online, blocked, onprem] = await Promise.all([
    startLab({ scenario: parseScenario(raw) }),
    startLab({ scenario: parseScenario({ ...raw, name: "online-blocked", ewsBlocked: true }) }),
    startLab({ scenario: DEMO_SCENARIO_FILE }),
  ]);
});
afterAll(async () => {
  await Promise.all([online.close(), blocked.close(), onprem.close()]);
});

describe("token and impersonation header rules in Exchange Online mode", () => {
  it("refuses an app-only token without the impersonation header: the header must be present", async () => {
    const token = await online.mintToken({ appClientId: GRAPH_APP });
    const res = await ews(online, bearer(token), getFolderBody());
    bodies.push(res.body);
    expect(res.status).toBe(500);
    expect(responseCode(res.body)).toBe("ErrorInvalidExchangeImpersonationHeaderData");
    expect(res.body).toContain("ExchangeImpersonation SOAP header must be present for this type of OAuth token.");
  });

  it("accepts an app-only token with the header for a mailbox in the app's scope, and denies one outside it", async () => {
    const token = await online.mintToken({ appClientId: GRAPH_APP });
    const ok = await ews(online, bearer(token), getFolderBody(), imp("adam.ok@fabrikam.lab"));
    expect(responseCode(ok.body)).toBe("NoError");
    const outside = await ews(online, bearer(token), getFolderBody(), imp("bella.outside@fabrikam.lab"));
    bodies.push(ok.body, outside.body);
    expect(responseCode(outside.body)).toBe("ErrorAccessDenied");
  });

  it("refuses a delegated token with the header: ApplicationImpersonation is gone from Exchange Online", async () => {
    const token = await online.mintToken({ user: "svc-sync@fabrikam.lab" });
    const res = await ews(online, bearer(token), getFolderBody(), imp("adam.ok@fabrikam.lab"));
    bodies.push(res.body);
    expect(res.status).toBe(500);
    expect(res.body).toContain("ExchangeImpersonation SOAP header must not be present for this type of OAuth token.");
    const own = await ews(online, bearer(token), getFolderBody());
    expect(responseCode(own.body)).toBe("NoError");
  });

  it("refuses Basic authentication outright with 401", async () => {
    const res = await ews(
      online,
      basic("svc-sync@fabrikam.lab", "Sync-Lab-2026!"),
      getFolderBody(),
      imp("adam.ok@fabrikam.lab"),
    );
    expect(res.status).toBe(401);
    expect(String(res.headers["www-authenticate"])).not.toContain("Basic");
  });

  it("answers 403 for F1/F3 kiosk mailboxes and for the whole tenant when EWS is blocked", async () => {
    const token = await online.mintToken({ appClientId: GRAPH_APP });
    const kiosk = await ews(online, bearer(token), getFolderBody(), imp("dana.kiosk@fabrikam.lab"));
    expect(kiosk.status).toBe(403);
    const blockedToken = await blocked.mintToken({ appClientId: GRAPH_APP });
    const res = await ews(blocked, bearer(blockedToken), getFolderBody(), imp("adam.ok@fabrikam.lab"));
    expect(res.status).toBe(403);
  });

  it("answers 401 for tokens that are expired, for another audience, without the EWS role, or signed by someone else", async () => {
    const expired = await online.mintToken({ appClientId: GRAPH_APP, lifetimeSeconds: -60 });
    const graphToken = await online.mintToken({ appClientId: GRAPH_APP, audience: "https://graph.microsoft.com" });
    const noRole = await online.mintToken({ appClientId: DIRECTORY_APP });
    const foreign = await onprem.mintToken({ user: "alex.wilber@contoso.lab" });
    for (const token of [expired, graphToken, noRole, foreign]) {
      const res = await ews(online, bearer(token), getFolderBody(), imp("adam.ok@fabrikam.lab"));
      expect(res.status).toBe(401);
      expect(String(res.headers["www-authenticate"])).toContain("Bearer");
    }
  });

  it("matches expectedEwsOutcome for every user with the app-only credential", async () => {
    const token = await online.mintToken({ appClientId: GRAPH_APP });
    for (const user of online.scenario.users) {
      const expected = expectedEwsOutcome(online.scenario, { kind: "appOnly", appClientId: GRAPH_APP }, user.email);
      const res = await ews(online, bearer(token), getFolderBody(), imp(user.email));
      expect(res.status, user.email).toBe(expected.httpStatus);
      expect(responseCode(res.body), user.email).toBe(expected.responseCode);
    }
  });
});

describe("token and impersonation header rules in on-premises mode (Hybrid Modern Auth)", () => {
  it("accepts a delegated token of the service account with the impersonation header", async () => {
    const token = await onprem.mintToken({ user: "svc-sync@contoso.lab" });
    const res = await ews(onprem, bearer(token), getFolderBody(), imp("alex.wilber@contoso.lab"));
    bodies.push(res.body);
    expect(responseCode(res.body)).toBe("NoError");
    const outside = await ews(onprem, bearer(token), getFolderBody(), imp("lee.gu@contoso.lab"));
    expect(responseCode(outside.body)).toBe("ErrorImpersonateUserDenied");
  });

  it("refuses a delegated token without the EWS scope and a plain user's token trying to impersonate", async () => {
    const noScope = await onprem.mintToken({ user: "svc-sync@contoso.lab", scopes: ["User.Read"] });
    expect((await ews(onprem, bearer(noScope), getFolderBody(), imp("alex.wilber@contoso.lab"))).status).toBe(401);
    const userToken = await onprem.mintToken({ user: "megan.bowen@contoso.lab" });
    const res = await ews(onprem, bearer(userToken), getFolderBody(), imp("alex.wilber@contoso.lab"));
    expect(responseCode(res.body)).toBe("ErrorImpersonationDenied");
  });

  it("matches expectedEwsOutcome for the delegated credential", async () => {
    const token = await onprem.mintToken({ user: "svc-sync@contoso.lab" });
    for (const user of onprem.scenario.users) {
      const expected = expectedEwsOutcome(
        onprem.scenario,
        { kind: "delegated", serviceAccount: "svc-sync@contoso.lab" },
        user.email,
      );
      const res = await ews(onprem, bearer(token), getFolderBody(), imp(user.email));
      expect(res.status, user.email).toBe(expected.httpStatus);
      expect(responseCode(res.body), user.email).toBe(expected.responseCode);
    }
  });

  it.skipIf(!referenceAvailability().available)("returns schema-valid envelopes for the token cases", async () => {
    const verdicts = await validateEwsEnvelopes(bodies);
    expect(verdicts.flatMap((v) => v.errors)).toEqual([]);
    expect(bodies.length).toBeGreaterThanOrEqual(4);
  });
});
