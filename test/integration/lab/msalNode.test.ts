import { X509Certificate } from "node:crypto";
import { readFile } from "node:fs/promises";
import {
  ConfidentialClientApplication,
  ProtocolMode,
  type INetworkModule,
  type NetworkRequestOptions,
  type NetworkResponse,
} from "@azure/msal-node";
import { decodeJwt } from "jose";
import { generate } from "selfsigned";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseScenario, startLab, type Lab } from "../../../src/lab/index.js";
import { agentFor, ews, getFolderBody, labRequest, responseCode } from "../../support/labClient.js";

const ONLINE_FILE = new URL("../../../src/lab/scenarios/online.json", import.meta.url);
const GRAPH_APP = "4f7b2c9e-1a6d-4b38-8e5f-3c0a7d2b9e61";
const CERT_APP = "0c6e2a9d-5b8f-4e13-a7c2-9f4d1b6e8a30";
const BACKEND = { clientId: "e8b3a1d6-5c9f-4d27-b4e0-1f6a9c3d8b52", secret: "lab-online-backend-secret" };

let lab: Lab;
let certificate: { privateKey: string; thumbprint: string; thumbprintSha256: string; pem: string };

/** msal-node's network client over undici, trusting only the lab's CA. */
function networkClient(): INetworkModule {
  const send = async <T>(
    method: "GET" | "POST",
    url: string,
    options?: NetworkRequestOptions,
  ): Promise<NetworkResponse<T>> => {
    const response = await request(url, {
      method,
      dispatcher: agentFor(lab),
      headers: options?.headers ?? {},
      body: options?.body ?? null,
    });
    const headers = Object.fromEntries(Object.entries(response.headers).map(([k, v]) => [k, String(v)]));
    return { status: response.statusCode, headers, body: (await response.body.json()) as T };
  };
  return {
    sendGetRequestAsync: <T>(url: string, options?: NetworkRequestOptions) => send<T>("GET", url, options),
    sendPostRequestAsync: <T>(url: string, options?: NetworkRequestOptions) => send<T>("POST", url, options),
  };
}

function confidentialClient(
  clientId: string,
  credential:
    | { clientSecret: string }
    | { clientCertificate: { privateKey: string; thumbprint?: string; thumbprintSha256?: string; x5c?: string } },
) {
  return new ConfidentialClientApplication({
    auth: {
      clientId,
      authority: lab.authority,
      knownAuthorities: [new URL(lab.authority).host],
      ...credential,
    },
    system: { networkClient: networkClient(), protocolMode: ProtocolMode.OIDC },
  });
}

beforeAll(async () => {
  const generated = await generate([{ name: "commonName", value: "Sync Sidebar app certificate" }], {
    keySize: 2048,
    algorithm: "sha256",
  });
  const x509 = new X509Certificate(generated.cert);
  certificate = {
    privateKey: generated.private,
    pem: generated.cert,
    thumbprint: x509.fingerprint.replaceAll(":", ""),
    thumbprintSha256: x509.fingerprint256.replaceAll(":", ""),
  };
  const raw = JSON.parse(await readFile(ONLINE_FILE, "utf8")) as { apps: { appOnly: unknown[] } };
  const withCertApp = {
    ...raw,
    apps: {
      ...raw.apps,
      appOnly: [
        ...raw.apps.appOnly,
        {
          clientId: CERT_APP,
          displayName: "Certificate app",
          certificatePem: certificate.pem,
          roles: { "https://graph.microsoft.com": ["Mail.Read"] },
          mailboxScope: ["adam.ok@fabrikam.lab"],
        },
      ],
    },
  };
  lab = await startLab({ scenario: parseScenario(withCertApp) });
});
afterAll(async () => {
  await lab.close();
});

describe("client credentials through @azure/msal-node", () => {
  it("issues an app-only Graph token with Entra's claims and the registration's roles for a client secret", async () => {
    const app = confidentialClient(GRAPH_APP, { clientSecret: "lab-online-graph-secret" });
    const result = await app.acquireTokenByClientCredential({ scopes: ["https://graph.microsoft.com/.default"] });
    const claims = decodeJwt(result!.accessToken);
    expect(claims).toMatchObject({
      iss: lab.issuer,
      aud: "https://graph.microsoft.com",
      tid: lab.scenario.tenantId,
      ver: "2.0",
      azp: GRAPH_APP,
      appid: GRAPH_APP,
      roles: ["Mail.Read", "User.Read.All", "Place.Read.All"],
    });
    expect(claims.scp).toBeUndefined();
    const graph = await labRequest(lab, "/v1.0/users/adam.ok@fabrikam.lab/messages?$top=1", {
      headers: { authorization: `Bearer ${result!.accessToken}` },
    });
    expect(graph.status).toBe(200);
  });

  it("issues an EWS full_access_as_app token for the outlook .default scope, usable with impersonation", async () => {
    const app = confidentialClient(GRAPH_APP, { clientSecret: "lab-online-graph-secret" });
    const result = await app.acquireTokenByClientCredential({ scopes: ["https://outlook.office365.com/.default"] });
    expect(decodeJwt(result!.accessToken)).toMatchObject({
      aud: "https://outlook.office365.com",
      roles: ["full_access_as_app"],
    });
    const res = await ews(lab, `Bearer ${result!.accessToken}`, getFolderBody(), {
      PrimarySmtpAddress: "adam.ok@fabrikam.lab",
    });
    expect(responseCode(res.body)).toBe("NoError");
  });

  it("authenticates a certificate registration by private_key_jwt (x5t and x5t#S256 assertions)", async () => {
    for (const clientCertificate of [
      { thumbprint: certificate.thumbprint, privateKey: certificate.privateKey },
      { thumbprintSha256: certificate.thumbprintSha256, privateKey: certificate.privateKey, x5c: certificate.pem },
    ]) {
      const app = confidentialClient(CERT_APP, { clientCertificate });
      const result = await app.acquireTokenByClientCredential({ scopes: ["https://graph.microsoft.com/.default"] });
      expect(decodeJwt(result!.accessToken)).toMatchObject({
        aud: "https://graph.microsoft.com",
        roles: ["Mail.Read"],
        azp: CERT_APP,
      });
    }
  });

  it("refuses a wrong client secret", async () => {
    const app = confidentialClient(GRAPH_APP, { clientSecret: "wrong" });
    await expect(
      app.acquireTokenByClientCredential({ scopes: ["https://graph.microsoft.com/.default"] }),
    ).rejects.toThrow(/invalid_client/);
  });
});

describe("on-behalf-of through @azure/msal-node", () => {
  it("trades the pane's API token for a delegated EWS token of the same user, with a refresh token", async () => {
    const apiToken = await lab.mintToken({
      user: "svc-sync@fabrikam.lab",
      audience: BACKEND.clientId,
      scopes: ["access_as_user"],
    });
    const backend = confidentialClient(BACKEND.clientId, { clientSecret: BACKEND.secret });
    const result = await backend.acquireTokenOnBehalfOf({
      oboAssertion: apiToken,
      scopes: ["https://outlook.office365.com/EWS.AccessAsUser.All"],
    });
    const claims = decodeJwt(result!.accessToken);
    expect(claims).toMatchObject({
      aud: "https://outlook.office365.com",
      scp: "EWS.AccessAsUser.All",
      preferred_username: "svc-sync@fabrikam.lab",
      tid: lab.scenario.tenantId,
      ver: "2.0",
    });
    expect(typeof claims.oid).toBe("string");
    const own = await ews(lab, `Bearer ${result!.accessToken}`, getFolderBody());
    expect(responseCode(own.body)).toBe("NoError");
  });

  it("issues refresh tokens that redeem, and fails redemption for a user whose refresh is revoked", async () => {
    const tokenFor = async (user: string) => {
      const assertion = await lab.mintToken({ user, audience: BACKEND.clientId, scopes: ["access_as_user"] });
      const form = new URLSearchParams({
        grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer",
        requested_token_use: "on_behalf_of",
        assertion,
        scope: "https://outlook.office365.com/EWS.AccessAsUser.All offline_access",
        client_id: BACKEND.clientId,
        client_secret: BACKEND.secret,
      });
      const res = await labRequest(lab, new URL(lab.tokenEndpoint).pathname, {
        body: form.toString(),
        headers: { "content-type": "application/x-www-form-urlencoded" },
      });
      expect(res.status).toBe(200);
      return JSON.parse(res.body) as { refresh_token: string; access_token: string };
    };
    const refresh = async (refreshToken: string) => {
      const form = new URLSearchParams({
        grant_type: "refresh_token",
        refresh_token: refreshToken,
        client_id: BACKEND.clientId,
        client_secret: BACKEND.secret,
      });
      return labRequest(lab, new URL(lab.tokenEndpoint).pathname, {
        body: form.toString(),
        headers: { "content-type": "application/x-www-form-urlencoded" },
      });
    };
    const good = await tokenFor("adam.ok@fabrikam.lab");
    const renewed = await refresh(good.refresh_token);
    expect(renewed.status).toBe(200);
    const renewedToken = (JSON.parse(renewed.body) as { access_token: string }).access_token;
    expect(decodeJwt(renewedToken)).toMatchObject({
      aud: "https://outlook.office365.com",
      scp: "EWS.AccessAsUser.All",
    });
    const revoked = await tokenFor("gina.revoked@fabrikam.lab");
    const refused = await refresh(revoked.refresh_token);
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.body)).toMatchObject({ error: "invalid_grant" });
  });

  it("refuses an assertion minted for another audience", async () => {
    const wrongAudience = await lab.mintToken({ user: "adam.ok@fabrikam.lab" });
    const backend = confidentialClient(BACKEND.clientId, { clientSecret: BACKEND.secret });
    await expect(
      backend.acquireTokenOnBehalfOf({
        oboAssertion: wrongAudience,
        scopes: ["https://outlook.office365.com/EWS.AccessAsUser.All"],
      }),
    ).rejects.toThrow(/invalid_grant/);
  });
});
