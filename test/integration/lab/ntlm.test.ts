/**
 * The lab's EWS directory signs callers in with NTLMv2 the way IIS does: per TCP connection, from the account's
 * password. Messages are built with @ewsjs/ntlm-client (not the lab's code); httpntlm, a second, independent npm
 * client, signs in too, so the lab is not only agreeing with itself.
 */
import { Agent as HttpsAgent } from "node:https";
import ntlmClient from "@ewsjs/ntlm-client";
import httpntlm from "httpntlm";
import { Client } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_SCENARIO_FILE, loadScenarioFile, startLab, type Lab, type Scenario } from "../../../src/lab/index.js";
import { basic, envelope, getFolderBody, responseCode } from "../../support/labClient.js";

const { createType1Message, createType3Message, decodeType2Message } = ntlmClient;
const PASSWORD = "Sync-Lab-2026!";
const GET_FOLDER = envelope(getFolderBody(), { PrimarySmtpAddress: "alex.wilber@contoso.lab" });

let lab: Lab;
let demo: Scenario;
const opened: Array<Client | Lab> = [];

beforeAll(async () => {
  demo = await loadScenarioFile(DEMO_SCENARIO_FILE);
  lab = await startLab({ scenario: demo });
  opened.push(lab);
});
afterAll(async () => {
  await Promise.all(opened.map((entry) => entry.close()));
});

/** One TCP connection to a lab: every request on it travels over the same socket. */
function connection(target: Lab = lab): Client {
  const client = new Client(target.baseUrl, { connect: { ca: target.caCertPem }, pipelining: 1 });
  opened.push(client);
  return client;
}

async function post(client: Client, authorization?: string, path = "/EWS/Exchange.asmx", body = GET_FOLDER) {
  const headers: Record<string, string> = { "content-type": "text/xml; charset=utf-8" };
  if (authorization !== undefined) headers.authorization = authorization;
  const response = await client.request({ path, method: "POST", headers, body });
  const challenges = [response.headers["www-authenticate"] ?? []].flat();
  return { status: response.statusCode, challenges, body: await response.body.text() };
}

/** NEGOTIATE on the connection; returns the decoded CHALLENGE. */
async function negotiate(client: Client, path?: string) {
  const answer = await post(client, createType1Message("WS01", ""), path, "");
  expect(answer.status).toBe(401);
  const token = answer.challenges.find((value) => value.startsWith("NTLM "));
  expect(token, "a CHALLENGE in WWW-Authenticate").toBeDefined();
  return decodeType2Message(token!);
}

function authenticate(challenge: ReturnType<typeof decodeType2Message>, logon: string, password = PASSWORD): string {
  const backslash = logon.indexOf("\\");
  const [user, domain] = backslash < 0 ? [logon, ""] : [logon.slice(backslash + 1), logon.slice(0, backslash)];
  return createType3Message({ ...challenge, version: 2 }, user, password, "WS01", domain);
}

describe("the default on-premises EWS directory (Windows authentication, Basic off)", () => {
  it("answers an anonymous request with Negotiate and NTLM, and refuses Basic without offering it", async () => {
    const anonymous = await post(connection());
    expect(anonymous.status).toBe(401);
    expect(anonymous.challenges.slice(0, 2)).toEqual(["Negotiate", "NTLM"]);
    expect(anonymous.challenges.some((value) => value.startsWith("Basic"))).toBe(false);
    const withBasic = await post(connection(), basic("svc-sync@contoso.lab", PASSWORD));
    expect(withBasic.status).toBe(401);
    expect(withBasic.challenges.some((value) => value.startsWith("Basic"))).toBe(false);
  });

  it("issues a fresh challenge whose target info names the NetBIOS and DNS domain and computer", async () => {
    const first = await negotiate(connection());
    const second = await negotiate(connection());
    expect(first.challenge.equals(second.challenge)).toBe(false);
    expect(first.targetName).toBe("CONTOSO");
    expect(first.targetInfo?.parsed).toMatchObject({
      DOMAIN: "CONTOSO",
      SERVER: "MAIL",
      DNS: "contoso.lab",
      FQDN: "mail.contoso.lab",
    });
  });

  it.each(["CONTOSO\\svc-sync", "contoso.lab\\svc-sync", "svc-sync@contoso.lab"])(
    "signs %s in with NTLMv2 and keeps the connection authenticated",
    async (logon) => {
      const before = { ...lab.stats.snapshot() };
      const client = connection();
      const challenge = await negotiate(client);
      const signedIn = await post(client, authenticate(challenge, logon));
      expect(signedIn.status).toBe(200);
      expect(responseCode(signedIn.body)).toBe("NoError");
      const again = await post(client);
      expect(again.status).toBe(200);
      expect(responseCode(again.body)).toBe("NoError");
      const after = lab.stats.snapshot();
      expect(after.ntlmHandshakes! - before.ntlmHandshakes!).toBe(1);
      expect(after.acceptedNtlm! - before.acceptedNtlm!).toBe(2);
    },
  );

  it("refuses a request on another connection, and an AUTHENTICATE not answering that connection's challenge", async () => {
    const first = connection();
    const challenge = await negotiate(first);
    const type3 = authenticate(challenge, "CONTOSO\\svc-sync");
    // Another connection knows nothing of the first one's handshake.
    expect((await post(connection(), type3)).status).toBe(401);
    const third = connection();
    await negotiate(third);
    expect((await post(third, type3)).status).toBe(401);
    expect((await post(first, type3)).status).toBe(200);
    expect((await post(connection())).status).toBe(401);
  });

  it("refuses a wrong password and an unknown domain", async () => {
    for (const [logon, password] of [
      ["CONTOSO\\svc-sync", "wrong-password"],
      ["FABRIKAM\\svc-sync", PASSWORD],
    ] as const) {
      const client = connection();
      const refused = await post(client, authenticate(await negotiate(client), logon, password));
      expect(refused.status, logon).toBe(401);
      expect(refused.challenges).toContain("NTLM");
    }
    expect((await post(connection(), undefined)).status).toBe(401);
  });

  it("refuses an NTLMv1 response with the right password", async () => {
    // httpntlm answers with NTLMv1 when the server does not negotiate extended session security.
    const options = { username: "svc-sync", password: PASSWORD, domain: "CONTOSO", workstation: "WS02" };
    const client = connection();
    const answer = await post(client, httpntlm.ntlm.createType1Message(options), undefined, "");
    const type2 = httpntlm.ntlm.parseType2Message(answer.challenges[0]!, (error) => {
      throw error;
    });
    type2.negotiateFlags &= ~0x00080000;
    const type3 = httpntlm.ntlm.createType3Message(type2, options);
    expect(Buffer.from(type3.slice(5), "base64").readUInt16LE(20), "a 24-byte NTLMv1 response").toBe(24);
    expect((await post(client, type3)).status).toBe(401);
  });

  it("signs Autodiscover POX in the same way", async () => {
    const client = connection();
    const path = "/autodiscover/autodiscover.xml";
    const challenge = await negotiate(client, path);
    const request =
      '<?xml version="1.0" encoding="utf-8"?><Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006"><Request><EMailAddress>alex.wilber@contoso.lab</EMailAddress><AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema></Request></Autodiscover>';
    const answer = await post(client, authenticate(challenge, "svc-sync@contoso.lab"), path, request);
    expect(answer.status).toBe(200);
    expect(answer.body).toContain("<EwsUrl>https://mail.contoso.lab:");
  });

  it("lets httpntlm, an independent NTLM client, sign in as CONTOSO\\svc-sync", async () => {
    const agent = new HttpsAgent({ keepAlive: true, maxSockets: 1, ca: lab.caCertPem });
    try {
      const answer = await new Promise<{ statusCode: number; body: string }>((resolve, reject) =>
        httpntlm.post(
          {
            url: lab.ewsUrl,
            username: "svc-sync",
            password: PASSWORD,
            domain: "CONTOSO",
            workstation: "WS02",
            headers: { "Content-Type": "text/xml; charset=utf-8" },
            body: GET_FOLDER,
            agent,
          },
          (error, response) => (error ? reject(error) : resolve(response)),
        ),
      );
      expect(answer.statusCode).toBe(200);
      expect(responseCode(answer.body)).toBe("NoError");
    } finally {
      agent.destroy();
    }
  });
});

describe("directories that offer other methods", () => {
  it("offers Basic and Bearer only when the scenario turns Windows authentication off", async () => {
    const basicOnly = await startLab({ scenario: { ...demo, name: "basic-only", ewsAuth: ["basic"] } });
    opened.push(basicOnly);
    const client = connection(basicOnly);
    const refused = await post(client, createType1Message("WS01", ""), undefined, "");
    expect(refused.status).toBe(401);
    expect(refused.challenges.map((value) => value.split(" ")[0])).toEqual(["Basic", "Bearer"]);
    const signedIn = await post(client, basic("svc-sync@contoso.lab", PASSWORD));
    expect(signedIn.status).toBe(200);
    expect(basicOnly.stats.acceptedBasic).toBe(1);
  });

  it("offers Negotiate alone for Kerberos, refusing NTLM tokens", async () => {
    const kerberos = await startLab({ scenario: { ...demo, name: "kerberos", ewsAuth: ["kerberos"] } });
    opened.push(kerberos);
    const client = connection(kerberos);
    const anonymous = await post(client);
    expect(anonymous.challenges.map((value) => value.split(" ")[0])).toEqual(["Negotiate", "Bearer"]);
    const type1 = createType1Message("WS01", "").replace(/^NTLM /, "Negotiate ");
    expect((await post(client, type1, undefined, "")).status).toBe(401);
  });

  it("refuses a correct NTLMv2 sign-in without channel binding under Extended Protection", async () => {
    const protectedLab = await startLab({ scenario: { ...demo, name: "epa", ewsExtendedProtection: true } });
    opened.push(protectedLab);
    const client = connection(protectedLab);
    const challenge = await negotiate(client);
    expect((await post(client, authenticate(challenge, "CONTOSO\\svc-sync"))).status).toBe(401);
    expect(protectedLab.stats.ntlmRefused).toBe(1);
  });
});
