/** Bearer token verification: every way a token can be wrong gets 401 with WWW-Authenticate, and nothing else. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenVerifier, matchIssuer } from "../../../../src/server/auth/tokenVerifier.js";
import { loadConfig } from "../../../../src/server/config.js";
import { createOutboundClient } from "../../../../src/server/net/outbound.js";
import { generateKeyEntry } from "../../../../src/server/secrets/keyring.js";
import { createTestBackend, type TestBackend } from "../../../support/backend.js";
import { createTestIssuer, serveJwks } from "../../../support/tokens.js";

let backend: TestBackend;
let orgId = "";
const member = { email: "member@contoso.com" };

beforeAll(async () => {
  backend = await createTestBackend();
  orgId = (await backend.seedOrg({ name: "Contoso", admin: "member@contoso.com" })).orgId;
});
afterAll(async () => {
  await backend.close();
});

async function me(authorization?: string) {
  return backend.app.inject({ method: "GET", url: "/api/me", headers: authorization ? { authorization } : {} });
}

describe("bearer tokens", () => {
  it("accepts a valid token and reports the caller's identity and organizations", async () => {
    const response = await me(await backend.bearer(member));
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      email: "member@contoso.com",
      orgs: [{ id: orgId, name: "Contoso", role: "admin" }],
    });
  });

  it("asks for a token without an error code when none is sent", async () => {
    const response = await me();
    expect(response.statusCode).toBe(401);
    expect(response.headers["www-authenticate"]).toBe('Bearer realm="sync-sidebar"');
  });

  const refusals: Array<[string, () => Promise<string>, RegExp]> = [
    ["an expired token", () => backend.issuer.expired(member), /expired/],
    ["a token not valid yet", () => backend.issuer.notYetValid(member), /not valid yet/],
    ["a token for another audience", () => backend.issuer.wrongAudience(member), /audience/],
    ["a token from an untrusted issuer", () => backend.issuer.wrongIssuer(member), /issuer is not trusted/],
    ["a token signed by a forged key", () => backend.issuer.forged(member), /signature/],
    ["an alg: none token", () => Promise.resolve(backend.issuer.algNone(member)), /algorithm|malformed/],
    [
      "a token whose payload was edited after signing",
      () => backend.issuer.tampered(member, { preferred_username: "ceo@contoso.com" }),
      /signature/,
    ],
    ["a token without an email claim", () => backend.issuer.mint({ email: "no-at-sign" }), /preferred_username/],
  ];

  it.each(refusals)("refuses %s with 401 invalid_token", async (_name, mint, reason) => {
    const response = await me(`Bearer ${await mint()}`);
    expect(response.statusCode).toBe(401);
    expect(response.headers["www-authenticate"]).toContain('error="invalid_token"');
    expect(response.json().detail).toMatch(reason);
  });

  it.each([["Basic dXNlcjpwYXNz"], ["Bearer not-a-jwt"], ["Bearer "], ["bearer"]])(
    "refuses the Authorization header %j",
    async (header) => {
      const response = await me(header);
      expect(response.statusCode).toBe(401);
      expect(response.headers["www-authenticate"]).toMatch(/^Bearer realm/);
    },
  );

  it("hides an organization from a token of another tenant even when the email matches", async () => {
    const foreign = await backend.issuer.mint({ ...member, tid: "99999999-9999-4999-8999-999999999999" });
    const response = await backend.app.inject({
      method: "GET",
      url: `/api/orgs/${orgId}`,
      headers: { authorization: `Bearer ${foreign}` },
    });
    expect(response.statusCode).toBe(404);
  });

  it("needs no token for health, client configuration and the OpenAPI document", async () => {
    for (const url of ["/api/health", "/api/openapi.json"]) {
      expect((await backend.app.inject({ method: "GET", url })).statusCode, url).toBe(200);
    }
    // Not configured in this backend: a problem naming the variables, still without a token.
    const clientConfig = await backend.app.inject({ method: "GET", url: "/api/client-config" });
    expect(clientConfig.statusCode).toBe(503);
    expect(clientConfig.json().detail).toContain("AUTH_CLIENT_ID");
  });
});

describe("an unreachable issuer", () => {
  it("answers 503 rather than blaming the caller's token when the signing keys cannot be fetched", async () => {
    const issuer = await createTestIssuer();
    const config = loadConfig({ NODE_ENV: "test", OUTBOUND_ALLOW_PRIVATE: "127.0.0.1/32" });
    const outbound = createOutboundClient(config.outbound);
    const unreachable = await createTestBackend({
      deps: {
        tokenVerifier: createTokenVerifier({
          issuers: [issuer.issuer],
          audience: [issuer.audience],
          algorithms: ["RS256"],
          jwksUri: "https://127.0.0.1:1/jwks",
          fetch: outbound.fetch,
        }),
      },
    });
    try {
      const response = await unreachable.app.inject({
        method: "GET",
        url: "/api/me",
        headers: { authorization: `Bearer ${await issuer.mint({ email: "a@contoso.com" })}` },
      });
      expect(response.statusCode).toBe(503);
      expect(response.headers["www-authenticate"]).toBeUndefined();
    } finally {
      await unreachable.close();
      await outbound.close();
    }
  });
});

describe("issuer allow-list", () => {
  const template = "https://login.microsoftonline.com/{tenantid}/v2.0";
  const tid = "72f988bf-86f1-41af-91ab-2d7cd011db47";

  it("matches an Entra per-tenant issuer only for the token's own tenant", () => {
    expect(matchIssuer([template], `https://login.microsoftonline.com/${tid}/v2.0`, tid)).toBe(template);
    expect(
      matchIssuer([template], `https://login.microsoftonline.com/${tid}/v2.0`, "11111111-1111-4111-8111-111111111111"),
    ).toBeNull();
    expect(matchIssuer([template], `https://login.microsoftonline.com/${tid}/v2.0`, undefined)).toBeNull();
    expect(matchIssuer([template], "https://login.microsoftonline.com/common/v2.0", tid)).toBeNull();
  });

  it("matches exact issuers exactly", () => {
    expect(matchIssuer(["https://localhost:4443"], "https://localhost:4443", undefined)).toBe("https://localhost:4443");
    expect(matchIssuer(["https://localhost:4443"], "https://localhost:4443/", undefined)).toBeNull();
  });
});

describe("remote JWKS", () => {
  it("downloads the issuer's keys over HTTPS through the outbound client and refetches on an unknown kid", async () => {
    const issuer = await createTestIssuer();
    const jwks = await serveJwks(issuer);
    const config = loadConfig({
      NODE_ENV: "test",
      OUTBOUND_CA_FILE: jwks.caFile,
      OUTBOUND_ALLOW_PRIVATE: "127.0.0.1/32",
    });
    const outbound = createOutboundClient(config.outbound);
    const verifier = createTokenVerifier({
      issuers: [issuer.issuer],
      audience: [issuer.audience],
      algorithms: ["RS256"],
      jwksUri: jwks.jwksUri,
      fetch: outbound.fetch,
      jwksCooldownMs: 0,
    });
    try {
      await expect(verifier.verify(await issuer.mint({ email: "a@contoso.com" }))).resolves.toMatchObject({
        email: "a@contoso.com",
      });
      await verifier.verify(await issuer.mint({ email: "b@contoso.com" }));
      expect(jwks.fetches()).toBe(1);
      await issuer.rotateKey();
      await expect(verifier.verify(await issuer.mint({ email: "c@contoso.com" }))).resolves.toMatchObject({
        email: "c@contoso.com",
      });
      expect(jwks.fetches()).toBe(2);
      await expect(verifier.verify(await issuer.forged({ email: "d@contoso.com" }))).rejects.toThrow(/signature/);
    } finally {
      await outbound.close();
      await jwks.close();
    }
  });

  it("finds the keys through OIDC discovery, and accepts an Entra-style {tenantid} issuer only for its own tid", async () => {
    const issuer = await createTestIssuer();
    const jwks = await serveJwks(issuer);
    const config = loadConfig({
      NODE_ENV: "test",
      OUTBOUND_CA_FILE: jwks.caFile,
      OUTBOUND_ALLOW_PRIVATE: "127.0.0.1/32",
    });
    const outbound = createOutboundClient(config.outbound);
    const template = `${jwks.origin}/{tenantid}/v2.0`;
    const verifier = createTokenVerifier({
      issuers: [template],
      audience: [issuer.audience],
      algorithms: ["RS256"],
      jwksUri: null,
      fetch: outbound.fetch,
    });
    const tid = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    try {
      const token = await issuer.mint({ email: "a@contoso.com", tid }, { issuer: `${jwks.origin}/${tid}/v2.0` });
      await expect(verifier.verify(token)).resolves.toMatchObject({ email: "a@contoso.com", tenantId: tid });
      expect(jwks.fetches()).toBe(1);
      const otherTenant = await issuer.mint(
        { email: "a@contoso.com", tid: "11111111-1111-4111-8111-111111111111" },
        { issuer: `${jwks.origin}/${tid}/v2.0` },
      );
      await expect(verifier.verify(otherTenant)).rejects.toThrow(/issuer is not trusted/);
    } finally {
      await outbound.close();
      await jwks.close();
    }
  });

  it("refuses to download keys from a loopback JWKS the deployment did not allow", async () => {
    const issuer = await createTestIssuer();
    const jwks = await serveJwks(issuer);
    const config = loadConfig({
      NODE_ENV: "production",
      OUTBOUND_CA_FILE: jwks.caFile,
      TOKEN_ISSUERS: issuer.issuer,
      TOKEN_AUDIENCE: "x",
      SECRETS_KEYS: generateKeyEntry("p"),
    });
    const outbound = createOutboundClient(config.outbound);
    const verifier = createTokenVerifier({
      issuers: [issuer.issuer],
      audience: [issuer.audience],
      algorithms: ["RS256"],
      jwksUri: jwks.jwksUri,
      fetch: outbound.fetch,
    });
    try {
      await expect(verifier.verify(await issuer.mint({ email: "a@contoso.com" }))).rejects.toThrow();
      expect(jwks.fetches()).toBe(0);
    } finally {
      await outbound.close();
      await jwks.close();
    }
  });
});
