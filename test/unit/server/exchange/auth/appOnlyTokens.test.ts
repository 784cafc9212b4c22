/**
 * Client-credential failures as Entra answers them (JSON bodies as login.microsoftonline.com sends them), through
 * the real msal-node: each AADSTS code becomes its own category, and the secret never reaches the detail.
 */
import { describe, expect, it } from "vitest";
import type { IdentitySettings } from "../../../../../src/server/exchange/driver.js";
import type { ExchangeFetch } from "../../../../../src/server/exchange/transport.js";
import { createAppOnlyTokenSource } from "../../../../../src/server/exchange/auth/appOnlyTokens.js";

const TENANT = "2a8e4f61-93c7-4d15-b0e2-7c4a9d1f3e58";
const CLIENT_ID = "4f7b2c9e-1a6d-4b38-8e5f-3c0a7d2b9e61";
const SECRET = "Xq58Q~not-a-real-secret-value";
const AUTHORITY = `https://login.test.invalid/${TENANT}/v2.0`;

function entraError(error: string, code: number, description: string): Record<string, unknown> {
  return {
    error,
    error_description: `AADSTS${code}: ${description}\r\nTrace ID: 0f4e6b0a-8f8e-4a4c-9f5e-3d1b2c7a5100\r\nCorrelation ID: 7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f\r\nTimestamp: 2026-11-02 10:00:00Z`,
    error_codes: [code],
    timestamp: "2026-11-02 10:00:00Z",
    trace_id: "0f4e6b0a-8f8e-4a4c-9f5e-3d1b2c7a5100",
    correlation_id: "7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f",
    error_uri: "https://login.microsoftonline.com/error?code=" + String(code),
  };
}

const discovery = {
  issuer: AUTHORITY,
  authorization_endpoint: `${AUTHORITY}/oauth2/authorize`,
  token_endpoint: `${AUTHORITY}/oauth2/token`,
  end_session_endpoint: `${AUTHORITY}/oauth2/logout`,
  jwks_uri: `${AUTHORITY}/discovery/keys`,
  response_types_supported: ["code"],
};

function json(status: number, body: unknown) {
  return Promise.resolve(
    new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } }),
  ) as ReturnType<ExchangeFetch>;
}

/** An identity provider that serves discovery, then answers the token request (or discovery itself) as given. */
function tokenSourceAgainst(answer: { at: "token" | "discovery"; status: number; body: unknown }) {
  const fetch: ExchangeFetch = (url) => {
    if (url.endsWith("/.well-known/openid-configuration"))
      return answer.at === "discovery" ? json(answer.status, answer.body) : json(200, discovery);
    return json(answer.status, answer.body);
  };
  const identity: IdentitySettings = {
    authorityFor: () => AUTHORITY,
    knownAuthorities: ["login.test.invalid"],
    protocolMode: "oidc",
    backendClient: null,
  };
  return createAppOnlyTokenSource(
    {
      accessType: "graph_app_only",
      tenantId: TENANT,
      clientId: CLIENT_ID,
      credential: { type: "secret", clientSecret: SECRET },
    },
    identity,
    fetch,
    "https://graph.microsoft.com/.default",
    5_000,
  );
}

describe("client-credential failures from Entra", () => {
  it.each([
    [
      "token",
      401,
      entraError(
        "invalid_client",
        7000222,
        `The provided client secret keys for app '${CLIENT_ID}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.`,
      ),
      "secret_expired",
    ],
    [
      "token",
      401,
      entraError(
        "invalid_client",
        7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${CLIENT_ID}'.`,
      ),
      "secret_id_pasted",
    ],
    [
      "token",
      400,
      entraError(
        "unauthorized_client",
        700016,
        `Application with identifier '${CLIENT_ID}' was not found in the directory 'Fabrikam'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
      ),
      "app_not_in_tenant",
    ],
    [
      "token",
      400,
      entraError(
        "invalid_grant",
        53003,
        "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.",
      ),
      "conditional_access_blocked",
    ],
    [
      "discovery",
      400,
      entraError(
        "invalid_tenant",
        90002,
        `Tenant '${TENANT}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
      ),
      "tenant_not_found",
    ],
  ] as const)(
    "an answer at the %s endpoint (HTTP %d) with its AADSTS code is %s",
    async (at, status, body, category) => {
      const token = await tokenSourceAgainst({ at, status, body })(false, new AbortController().signal);
      expect(token.ok).toBe(false);
      if (token.ok) return;
      expect(token.classified.category).toBe(category);
      expect(token.classified.detail).toContain(`AADSTS${String((body.error_codes as number[])[0])}`);
      expect(token.classified.detail).not.toContain(SECRET);
    },
  );

  it("keeps auth_failed for an invalid_client without a known AADSTS code", async () => {
    const body = entraError(
      "invalid_client",
      7000218,
      "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    );
    const token = await tokenSourceAgainst({ at: "token", status: 401, body })(false, new AbortController().signal);
    expect(token.ok ? "ok" : token.classified.category).toBe("auth_failed");
  });
});
