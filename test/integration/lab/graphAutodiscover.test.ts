import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectedGraphOutcome, parseScenario, startLab, type Lab } from "../../../src/lab/index.js";
import { basic, labRequest, withBasic } from "../../support/labClient.js";

const ONLINE_FILE = new URL("../../../src/lab/scenarios/online.json", import.meta.url);
const GRAPH_APP = "4f7b2c9e-1a6d-4b38-8e5f-3c0a7d2b9e61";
const DIRECTORY_APP = "b2e6d9a3-7f1c-4a58-9d0b-6e3f8a1c5d74";
const GRAPH = "https://graph.microsoft.com";

let online: Lab;
let onprem: Lab;
beforeAll(async () => {
  const raw = JSON.parse(await readFile(ONLINE_FILE, "utf8")) as Record<string, unknown>;
  [online, onprem] = await Promise.all([
    startLab({ scenario: parseScenario(raw) }),
    startLab({ scenario: await withBasic() }),
  ]);
});
afterAll(async () => {
  await Promise.all([online.close(), onprem.close()]);
});

interface GraphBody {
  error: { code: string; innerError: Record<string, string> };
  value: Array<Record<string, unknown>>;
  displayName?: string;
  userPrincipalName?: string;
}

const get = async (lab: Lab, path: string, token?: string) => {
  const res = await labRequest(lab, path, {
    headers: token ? { authorization: `Bearer ${token}`, "client-request-id": "req-1" } : {},
  });
  return { status: res.status, headers: res.headers, json: JSON.parse(res.body) as GraphBody };
};

describe("Graph app-only access with RBAC for Applications", () => {
  it("reads the inbox and one message of a user inside the app's management scope", async () => {
    const token = await online.mintToken({ appClientId: GRAPH_APP, audience: GRAPH });
    const inbox = await get(online, "/v1.0/users/adam.ok@fabrikam.lab/mailFolders/inbox", token);
    expect(inbox.status).toBe(200);
    expect(inbox.json.displayName).toBe("Inbox");
    const messages = await get(online, "/v1.0/users/adam.ok@fabrikam.lab/messages?$top=1", token);
    expect(messages.json.value).toHaveLength(1);
  });

  it("denies a user outside the scope with 403 ErrorAccessDenied in Graph's error shape", async () => {
    const token = await online.mintToken({ appClientId: GRAPH_APP, audience: GRAPH });
    const res = await get(online, "/v1.0/users/bella.outside@fabrikam.lab/mailFolders/inbox", token);
    expect(res.status).toBe(403);
    expect(res.json.error.code).toBe("ErrorAccessDenied");
    expect(res.json.error.innerError).toMatchObject({ "client-request-id": "req-1" });
    expect(typeof res.json.error.innerError["request-id"]).toBe("string");
    expect(typeof res.json.error.innerError.date).toBe("string");
  });

  it("needs a mail role for mail and a user role for users", async () => {
    const token = await online.mintToken({ appClientId: DIRECTORY_APP, audience: GRAPH });
    expect((await get(online, "/v1.0/users/adam.ok@fabrikam.lab/mailFolders/inbox", token)).status).toBe(403);
    const user = await get(online, "/v1.0/users/adam.ok@fabrikam.lab", token);
    expect(user.status).toBe(200);
    expect(user.json.userPrincipalName).toBe("adam.ok@fabrikam.lab");
    const noUserRole = await online.mintToken({ appClientId: GRAPH_APP, audience: GRAPH, roles: ["Mail.Read"] });
    const denied = await get(online, "/v1.0/users/adam.ok@fabrikam.lab", noUserRole);
    expect(denied.status).toBe(403);
    expect(denied.json.error.code).toBe("Authorization_RequestDenied");
  });

  it("lists the directory's users page by page with $select, $top and an @odata.nextLink on its own host", async () => {
    const token = await online.mintToken({ appClientId: DIRECTORY_APP, audience: GRAPH });
    const first = await get(
      online,
      "/v1.0/users?$select=mail,userPrincipalName,displayName,proxyAddresses&$top=4",
      token,
    );
    expect(first.status).toBe(200);
    expect(first.json.value).toHaveLength(4);
    expect(Object.keys(first.json.value[0]!).sort()).toEqual([
      "displayName",
      "mail",
      "proxyAddresses",
      "userPrincipalName",
    ]);
    const addresses: unknown[] = first.json.value.map((user) => user.mail);
    let link = (first.json as unknown as Record<string, unknown>)["@odata.nextLink"];
    expect(typeof link).toBe("string");
    expect(new URL(link as string).host).toBe(`localhost:${online.port}`);
    for (let page = 0; typeof link === "string" && page < 20; page += 1) {
      const next = new URL(link);
      const answer = await get(online, `${next.pathname}${next.search}`, token);
      expect(answer.status).toBe(200);
      addresses.push(...answer.json.value.map((user) => user.mail));
      link = (answer.json as unknown as Record<string, unknown>)["@odata.nextLink"];
    }
    expect(link).toBeUndefined();
    // Every user once, aliases folded into their mailbox (hana.schmidt answers to hana.alias), rooms left to places.
    expect(new Set(addresses).size).toBe(addresses.length);
    expect(addresses).toContain("sync-canary@fabrikam.lab");
    expect(addresses).toContain("hana.schmidt@fabrikam.lab");
    expect(addresses).not.toContain("hana.alias@fabrikam.lab");
    expect(addresses).not.toContain("room-atlas@fabrikam.lab");
    const hana = (await get(online, "/v1.0/users?$select=mail,proxyAddresses&$top=999", token)).json.value.find(
      (user) => user.mail === "hana.schmidt@fabrikam.lab",
    );
    expect(hana?.proxyAddresses).toEqual(["SMTP:hana.schmidt@fabrikam.lab", "smtp:hana.alias@fabrikam.lab"]);
    const noUserRole = await online.mintToken({ appClientId: GRAPH_APP, audience: GRAPH, roles: ["Mail.Read"] });
    const denied = await get(online, "/v1.0/users?$select=mail&$top=10", noUserRole);
    expect(denied.status).toBe(403);
    expect(denied.json.error.code).toBe("Authorization_RequestDenied");
  });

  it("answers 404 MailboxNotEnabledForRESTAPI for a user without a mailbox and 404 for unknown users", async () => {
    const token = await online.mintToken({ appClientId: GRAPH_APP, audience: GRAPH });
    const none = await get(online, "/v1.0/users/carl.nomailbox@fabrikam.lab/mailFolders/inbox", token);
    expect(none.status).toBe(404);
    expect(none.json.error.code).toBe("MailboxNotEnabledForRESTAPI");
    const unknown = await get(online, "/v1.0/users/nobody@fabrikam.lab", token);
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.code).toBe("Request_ResourceNotFound");
  });

  it("matches expectedGraphOutcome for every user and both apps", async () => {
    for (const app of [GRAPH_APP, DIRECTORY_APP]) {
      const token = await online.mintToken({ appClientId: app, audience: GRAPH });
      for (const user of online.scenario.users) {
        const res = await get(online, `/v1.0/users/${user.email}/mailFolders/inbox`, token);
        const expected = expectedGraphOutcome(online.scenario, app, user.email);
        expect(res.status, `${app} ${user.email}`).toBe(expected.httpStatus);
        if (expected.code) expect(res.json.error.code, user.email).toBe(expected.code);
      }
    }
  });

  it("lists rooms with Place.Read.All and rejects missing, foreign-audience and expired tokens with 401", async () => {
    const token = await online.mintToken({ appClientId: GRAPH_APP, audience: GRAPH });
    const rooms = await get(online, "/v1.0/places/microsoft.graph.room", token);
    expect(rooms.json.value).toEqual([expect.objectContaining({ emailAddress: "room-atlas@fabrikam.lab" })]);
    const ewsToken = await online.mintToken({ appClientId: GRAPH_APP });
    const expired = await online.mintToken({ appClientId: GRAPH_APP, audience: GRAPH, lifetimeSeconds: -60 });
    for (const bad of [undefined, ewsToken, expired]) {
      const res = await get(online, "/v1.0/users/adam.ok@fabrikam.lab", bad);
      expect(res.status).toBe(401);
      expect(res.json.error.code).toBe("InvalidAuthenticationToken");
    }
  });

  it("answers 429 with Retry-After beyond the app's concurrency budget", async () => {
    const scenario = parseScenario({
      ...online.scenario,
      name: "graph-busy",
      latencyMs: { min: 200, max: 200 },
      throttling: { ...online.scenario.throttling, graphBudget: 2 },
    });
    const busy = await startLab({ scenario });
    try {
      const token = await busy.mintToken({ appClientId: GRAPH_APP, audience: GRAPH });
      const results = await Promise.all(
        Array.from({ length: 4 }, () => get(busy, "/v1.0/users/adam.ok@fabrikam.lab/messages?$top=1", token)),
      );
      const throttled = results.filter((r) => r.status === 429);
      expect(throttled).toHaveLength(2);
      expect(throttled[0]!.headers["retry-after"]).toBe("2");
      expect((await get(busy, "/v1.0/users/adam.ok@fabrikam.lab/messages?$top=1", token)).status).toBe(200);
    } finally {
      await busy.close();
    }
  });

  it("counts the most Graph requests each app had in flight at once, apart from EWS's", async () => {
    const scenario = parseScenario({ ...online.scenario, name: "graph-peak", latencyMs: { min: 200, max: 200 } });
    const lab = await startLab({ scenario });
    try {
      const token = await lab.mintToken({ appClientId: GRAPH_APP, audience: GRAPH });
      await Promise.all(Array.from({ length: 5 }, () => get(lab, "/v1.0/users/adam.ok@fabrikam.lab", token)));
      expect(lab.stats.graphPeakInFlight()).toEqual({ [`app:${GRAPH_APP}`]: 5 });
      // One at a time afterwards leaves the peak where it was; anonymous requests are not counted.
      await get(lab, "/v1.0/users/adam.ok@fabrikam.lab", token);
      await get(lab, "/v1.0/users/adam.ok@fabrikam.lab");
      expect(lab.stats.graphPeakInFlight()).toEqual({ [`app:${GRAPH_APP}`]: 5 });
      expect(lab.stats.peakInFlight()).toEqual({});
    } finally {
      await lab.close();
    }
  });
});

const poxRequest = (email: string) =>
  `<?xml version="1.0" encoding="utf-8"?><Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">` +
  `<Request><EMailAddress>${email}</EMailAddress><AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema></Request></Autodiscover>`;

describe("Autodiscover", () => {
  it("answers POX Autodiscover for an authenticated caller with the on-premises EWS URL", async () => {
    const res = await labRequest(onprem, "/autodiscover/autodiscover.xml", {
      body: poxRequest("alex.wilber@contoso.lab"),
      headers: { "content-type": "text/xml", authorization: basic("svc-sync@contoso.lab", "Sync-Lab-2026!") },
    });
    expect(res.status).toBe(200);
    expect(res.body).toContain(`<EwsUrl>https://mail.contoso.lab:${onprem.port}/EWS/Exchange.asmx</EwsUrl>`);
    expect(res.body).toContain("<Type>EXCH</Type>");
  });

  it("challenges an unauthenticated POX request and reports unknown addresses as an Autodiscover error", async () => {
    const anonymous = await labRequest(onprem, "/autodiscover/autodiscover.xml", {
      body: poxRequest("alex.wilber@contoso.lab"),
      headers: { "content-type": "text/xml" },
    });
    expect(anonymous.status).toBe(401);
    expect(String(anonymous.headers["www-authenticate"])).toContain("Basic");
    const unknown = await labRequest(onprem, "/autodiscover/autodiscover.xml", {
      body: poxRequest("nobody@contoso.lab"),
      headers: { "content-type": "text/xml", authorization: basic("svc-sync@contoso.lab", "Sync-Lab-2026!") },
    });
    expect(unknown.body).toContain("<ErrorCode>500</ErrorCode>");
  });

  it("answers Autodiscover v2 JSON with the Exchange Online EWS URL, and rejects other protocols and users", async () => {
    const ok = await labRequest(online, "/autodiscover/autodiscover.json?Email=adam.ok@fabrikam.lab&Protocol=EWS");
    expect(JSON.parse(ok.body)).toEqual({
      Protocol: "EWS",
      Url: `https://outlook.office365.com:${online.port}/EWS/Exchange.asmx`,
    });
    const pathForm = await labRequest(online, "/autodiscover/autodiscover.json/v1.0/adam.ok@fabrikam.lab?Protocol=Ews");
    expect(pathForm.status).toBe(200);
    const badProtocol = await labRequest(
      online,
      "/autodiscover/autodiscover.json?Email=adam.ok@fabrikam.lab&Protocol=Nope",
    );
    expect(badProtocol.status).toBe(400);
    expect(JSON.parse(badProtocol.body)).toMatchObject({ ErrorCode: "InvalidProtocol" });
    const unknown = await labRequest(online, "/autodiscover/autodiscover.json?Email=nobody@elsewhere.lab&Protocol=EWS");
    expect(unknown.status).toBe(404);
  });
});
