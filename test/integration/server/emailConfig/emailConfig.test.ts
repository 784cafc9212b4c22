/**
 * Email configuration: secrets never leave the server, If-Match guards concurrent admins, blank secrets keep the
 * stored ones, every access type has its own rules, and the EWS URL passes the outbound guard.
 */
import { generate } from "selfsigned";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestBackend, type TestBackend } from "../../../support/backend.js";

let backend: TestBackend;
let orgId = "";
let admin = "";

beforeAll(async () => {
  backend = await createTestBackend();
  orgId = (await backend.seedOrg({ name: "Contoso", admin: "admin@contoso.com" })).orgId;
  admin = await backend.bearer("admin@contoso.com");
});
afterAll(async () => {
  await backend.close();
});

const url = () => `/api/orgs/${orgId}/email-config`;
const get = () => backend.app.inject({ method: "GET", url: url(), headers: { authorization: admin } });
async function put(payload: unknown, ifMatch?: string) {
  const version = ifMatch ?? `"${(await get()).json().version}"`;
  return backend.app.inject({
    method: "PUT",
    url: url(),
    headers: { authorization: admin, ...(version === "" ? {} : { "if-match": version }) },
    payload: payload as object,
  });
}

const basic = {
  accessType: "ews_basic_impersonation",
  ewsUrl: "https://mail.contoso.com/EWS/Exchange.asmx",
  accountLogon: "svc-sync@contoso.com",
};

describe("before anything is saved", () => {
  it("answers an empty configuration at version 0 with its ETag", async () => {
    const response = await get();
    expect(response.statusCode).toBe(200);
    expect(response.headers.etag).toBe('"0"');
    expect(response.json()).toMatchObject({ orgId, accessType: null, hasPassword: false, version: 0 });
  });
});

describe("saving", () => {
  it("stores basic impersonation with its password, answering hasPassword and never the password", async () => {
    const response = await put({ ...basic, password: "Winter2026!secret" });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers.etag).toBe('"1"');
    expect(response.body).not.toContain("Winter2026");
    expect(response.json()).toMatchObject({ ...basic, hasPassword: true, version: 1, updatedBy: "admin@contoso.com" });
    expect((await backend.repos.emailConfigs.credentials(orgId)).password).toBe("Winter2026!secret");
  });

  it("keeps the stored password when the field is blank or omitted", async () => {
    expect((await put({ ...basic, password: "" })).statusCode).toBe(200);
    expect((await put({ ...basic, accountLogon: "CONTOSO\\svc-sync" })).statusCode).toBe(200);
    expect((await backend.repos.emailConfigs.credentials(orgId)).password).toBe("Winter2026!secret");
    expect((await get()).json()).toMatchObject({ accountLogon: "CONTOSO\\svc-sync", hasPassword: true, version: 3 });
  });

  it("answers 428 without If-Match, 412 on a stale version and 400 on a malformed one, writing nothing", async () => {
    expect((await put({ ...basic, password: "x" }, "")).statusCode).toBe(428);
    const stale = await put({ ...basic, password: "stale-write" }, '"1"');
    expect(stale.statusCode).toBe(412);
    expect(stale.json().errors[0].field).toBe("If-Match");
    expect((await put(basic, "banana")).statusCode).toBe(400);
    expect((await backend.repos.emailConfigs.credentials(orgId)).password).toBe("Winter2026!secret");
    expect((await get()).json().version).toBe(3);
  });

  it("accepts a weak ETag form of the current version", async () => {
    expect((await put(basic, 'W/"3"')).statusCode).toBe(200);
  });

  it("audits every save with the secrets redacted", async () => {
    const audit = await backend.app.inject({
      method: "GET",
      url: `/api/orgs/${orgId}/audit`,
      headers: { authorization: admin },
    });
    expect(audit.body).not.toContain("Winter2026");
    const first = (audit.json().items as Array<{ action: string; after: Record<string, unknown> }>).at(-2);
    expect(first).toMatchObject({
      action: "email_config.update",
      after: { hasPassword: true, passwordChanged: true },
    });
  });
});

describe("rules per access type", () => {
  it.each([
    [{ accessType: "ews_basic_impersonation" }, ["ewsUrl", "accountLogon"]],
    [{ ...basic, ewsUrl: "http://mail.contoso.com/EWS/Exchange.asmx" }, ["ewsUrl"]],
    [{ ...basic, ewsUrl: "https://user:pw@mail.contoso.com/EWS/Exchange.asmx" }, ["ewsUrl"]],
    [{ ...basic, ewsUrl: "https://exchange.corp.contoso.com/EWS/Exchange.asmx" }, ["ewsUrl"]],
    [{ ...basic, ewsUrl: "https://169.254.169.254/latest/meta-data" }, ["ewsUrl"]],
    [{ ...basic, ewsUrl: "https://rebind.example.com/EWS/Exchange.asmx" }, ["ewsUrl"]],
    [{ ...basic, ewsUrl: "https://nowhere.invalid/EWS/Exchange.asmx" }, ["ewsUrl"]],
    [{ ...basic, accountLogon: "not a logon" }, ["accountLogon"]],
    [{ accessType: "ews_oauth_impersonation" }, ["ewsUrl"]],
    [{ accessType: "graph_app_only" }, ["appOnly"]],
    [
      { accessType: "graph_app_only", appOnly: { tenantId: "??", clientId: "nope" } },
      ["appOnly.tenantId", "appOnly.clientId", "appOnly.clientSecret"],
    ],
  ])("refuses %j with 422 naming %j and writes nothing", async (payload, fields) => {
    const before = (await get()).json();
    const response = await put(payload);
    expect(response.statusCode, response.body).toBe(422);
    expect((response.json().errors as Array<{ field: string }>).map((e) => e.field)).toEqual(fields);
    expect((await get()).json()).toEqual(before);
  });

  it("refuses unknown fields and unknown access types with 400", async () => {
    const unknownField = await put({ ...basic, smtpServer: "x" });
    expect(unknownField.statusCode).toBe(400);
    expect(unknownField.json().errors[0]).toEqual({ field: "smtpServer", message: "is not an accepted field" });
    const unknownType = await put({ accessType: "pop3" });
    expect(unknownType.statusCode).toBe(400);
    expect(unknownType.json().errors[0].field).toBe("accessType");
  });

  it("refuses an organization id that is not a UUID with 400 naming params.orgId, before any lookup", async () => {
    const response = await backend.app.inject({
      method: "GET",
      url: "/api/orgs/not-an-id/email-config",
      headers: { authorization: admin },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toEqual([{ field: "params.orgId", message: "must be a valid uuid" }]);
  });

  it("requires a password for basic impersonation when none is stored", async () => {
    const other = await backend.seedOrg({ name: "Fresh", admin: "admin@fresh.example" });
    const response = await backend.app.inject({
      method: "PUT",
      url: `/api/orgs/${other.orgId}/email-config`,
      headers: { authorization: await backend.bearer("admin@fresh.example"), "if-match": '"0"' },
      payload: basic,
    });
    expect(response.statusCode).toBe(422);
    expect(response.json().errors).toEqual([{ field: "password", message: "is required (no password is stored yet)" }]);
  });

  it("stores app-only with a client secret, dropping the basic password it no longer uses", async () => {
    const response = await put({
      accessType: "graph_app_only",
      appOnly: {
        tenantId: "0b7e8c3a-1f2d-4e5a-9b6c-7d8e9f0a1b2c",
        clientId: "6a1f3b2c-4d5e-4f60-8a7b-9c0d1e2f3a4b",
        clientSecret: "app~secret~value",
      },
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.body).not.toContain("app~secret~value");
    expect(response.json()).toMatchObject({
      accessType: "graph_app_only",
      ewsUrl: null,
      hasPassword: false,
      appOnly: { credentialType: "secret", hasClientSecret: true, certificateThumbprint: null },
    });
    const credentials = await backend.repos.emailConfigs.credentials(orgId);
    expect(credentials).toMatchObject({ password: null, clientSecret: "app~secret~value" });
  });

  it("switches app-only to a certificate whose key matches, and refuses a key that does not", async () => {
    const pems = await generate([{ name: "commonName", value: "sync-sidebar-app" }], { keySize: 2048 });
    const other = await generate([{ name: "commonName", value: "someone-else" }], { keySize: 2048 });
    const appOnly = { tenantId: "contoso.onmicrosoft.com", clientId: "6a1f3b2c-4d5e-4f60-8a7b-9c0d1e2f3a4b" };
    const mismatch = await put({
      accessType: "graph_app_only",
      appOnly: { ...appOnly, certificatePem: pems.cert, privateKeyPem: other.private },
    });
    expect(mismatch.statusCode).toBe(422);
    expect(mismatch.json().errors).toEqual([
      { field: "appOnly.privateKeyPem", message: "does not match the certificate" },
    ]);
    const response = await put({
      accessType: "graph_app_only",
      appOnly: { ...appOnly, certificatePem: pems.cert, privateKeyPem: pems.private },
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().appOnly).toMatchObject({ credentialType: "certificate", hasClientSecret: false });
    expect(response.json().appOnly.certificateThumbprint).toMatch(/^[0-9A-F]{40}$/);
    expect(response.body).not.toContain("PRIVATE KEY");
    // Saving again without credentials keeps the stored certificate.
    const again = await put({ accessType: "graph_app_only", appOnly });
    expect(again.statusCode).toBe(200);
    expect(again.json().appOnly.credentialType).toBe("certificate");
    expect((await backend.repos.emailConfigs.credentials(orgId)).privateKeyPem).toBe(pems.private);
  });

  it("accepts EWS OAuth with the Exchange Online URL and reports the service account as not signed in", async () => {
    const response = await put({
      accessType: "ews_oauth_impersonation",
      ewsUrl: "https://outlook.office365.com/EWS/Exchange.asmx",
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().serviceAccount).toEqual({ username: null, state: "not_signed_in", tokenExpiresAt: null });
    await backend.repos.emailConfigs.saveServiceAccount(orgId, {
      username: "svc@contoso.com",
      state: "signed_in",
      tokenExpiresAt: "2026-12-01T00:00:00.000Z",
      tokenCache: '{"refresh_token":"rt-very-secret"}',
    });
    const read = await get();
    expect(read.json().serviceAccount).toEqual({
      username: "svc@contoso.com",
      state: "signed_in",
      tokenExpiresAt: "2026-12-01T00:00:00.000Z",
    });
    expect(read.body).not.toContain("rt-very-secret");
  });
});

describe("Authentication for Microsoft Exchange Impersonation", () => {
  let other = "";
  let otherAdmin = "";
  const otherUrl = () => `/api/orgs/${other}/email-config`;
  async function save(payload: object) {
    const version = (
      await backend.app.inject({ method: "GET", url: otherUrl(), headers: { authorization: otherAdmin } })
    ).json().version as number;
    return backend.app.inject({
      method: "PUT",
      url: otherUrl(),
      headers: { authorization: otherAdmin, "if-match": `"${version}"` },
      payload,
    });
  }
  beforeAll(async () => {
    other = (await backend.seedOrg({ name: "Fabrikam", admin: "admin@fabrikam.example" })).orgId;
    otherAdmin = await backend.bearer("admin@fabrikam.example");
  });

  it("defaults to Automatic and keeps each choice across a save and a read", async () => {
    const first = await save({ ...basic, password: "Autumn2026!secret" });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json().authentication).toBe("automatic");
    for (const authentication of ["ntlm", "basic", "automatic"]) {
      const saved = await save({ ...basic, authentication });
      expect(saved.statusCode, saved.body).toBe(200);
      expect(saved.json().authentication).toBe(authentication);
      const read = await backend.app.inject({ method: "GET", url: otherUrl(), headers: { authorization: otherAdmin } });
      expect(read.json()).toMatchObject({ authentication, hasPassword: true });
    }
    // The stored password survives changing only the method.
    expect((await backend.repos.emailConfigs.credentials(other)).password).toBe("Autumn2026!secret");
  });

  it("refuses a method it does not know with 400 naming the field, writing nothing", async () => {
    const before = (
      await backend.app.inject({ method: "GET", url: otherUrl(), headers: { authorization: otherAdmin } })
    ).json();
    const response = await save({ ...basic, authentication: "kerberos" });
    expect(response.statusCode, response.body).toBe(400);
    expect(response.headers["content-type"]).toContain("application/problem+json");
    expect(response.json().errors[0].field).toBe("authentication");
    const after = await backend.app.inject({ method: "GET", url: otherUrl(), headers: { authorization: otherAdmin } });
    expect(after.json()).toEqual(before);
  });

  it("does not carry a method over to an access type without one: back on Basic impersonation it is Automatic", async () => {
    expect((await save({ ...basic, authentication: "ntlm" })).json().authentication).toBe("ntlm");
    const oauth = await save({
      accessType: "ews_oauth_impersonation",
      ewsUrl: "https://outlook.office365.com/EWS/Exchange.asmx",
    });
    expect(oauth.statusCode, oauth.body).toBe(200);
    const back = await save({ ...basic, password: "Autumn2026!again" });
    expect(back.statusCode, back.body).toBe(200);
    expect(back.json().authentication).toBe("automatic");
  });
});
