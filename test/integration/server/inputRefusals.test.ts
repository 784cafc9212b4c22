/**
 * Issue 27, item 7: a display name of only spaces and a password with NUL or a lone surrogate are refused with a
 * clear 400 naming the field (the password never echoed); the unauthenticated /api/health names no process and no
 * runs unless HEALTH_DETAILS allows it (off in production, on in development and tests).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/server/config.js";
import { createTestBackend, type TestBackend } from "../../support/backend.js";

const ADMIN = "admin@contoso.com";
let backend: TestBackend;
let orgId = "";
let bearer = "";

beforeAll(async () => {
  backend = await createTestBackend();
  orgId = (await backend.seedOrg({ name: "Contoso", admin: ADMIN })).orgId;
  bearer = await backend.bearer(ADMIN);
});
afterAll(async () => {
  await backend.close();
});

const send = (method: "POST" | "PUT", url: string, body: string, headers: Record<string, string> = {}) =>
  backend.app.inject({
    method,
    url,
    headers: { authorization: bearer, "content-type": "application/json", ...headers },
    payload: body,
  });

function expectRefused(response: { statusCode: number; body: string }, field: string, message: RegExp): void {
  expect(response.statusCode, response.body).toBe(400);
  const problem = JSON.parse(response.body) as { errors: Array<{ field: string; message: string }> };
  expect(problem.errors).toEqual([{ field, message: expect.stringMatching(message) as string }]);
}

describe("input refusals", () => {
  it("refuses a display name of only spaces, naming the field", async () => {
    const response = await send(
      "POST",
      `/api/orgs/${orgId}/users`,
      JSON.stringify({ email: "adele@contoso.com", displayName: "   " }),
    );
    expectRefused(response, "displayName", /only spaces/);
  });

  it("refuses a password with NUL or a lone surrogate, naming the field and not echoing it", async () => {
    const config = (password: string) =>
      JSON.stringify({
        accessType: "ews_basic_impersonation",
        ewsUrl: "https://mail.contoso.com/EWS/Exchange.asmx",
        accountLogon: "svc@contoso.com",
        password,
      });
    const withNul = await send("PUT", `/api/orgs/${orgId}/email-config`, config("Secret\u0000Tail"), {
      "if-match": '"0"',
    });
    expectRefused(withNul, "password", /NUL \(U\+0000\) at position 7/);
    expect(withNul.body).not.toContain("Secret");
    // JSON.stringify writes the lone surrogate as the escape \ud800, which JSON parsing turns back into it.
    const withSurrogate = await send("PUT", `/api/orgs/${orgId}/email-config`, config("Pass\ud800word"), {
      "if-match": '"0"',
    });
    expectRefused(withSurrogate, "password", /surrogate/);
    expect(withSurrogate.body).not.toContain("Pass");
    const discover = await send(
      "POST",
      `/api/orgs/${orgId}/email-config/discover`,
      JSON.stringify({ address: "contoso.com", accountLogon: "svc@contoso.com", password: "a\u0000b" }),
    );
    expectRefused(discover, "password", /NUL/);
  });
});

describe("/api/health", () => {
  it("names no process and no runs when HEALTH_DETAILS is off, as it is by default in production", async () => {
    const quiet = await createTestBackend({ env: { HEALTH_DETAILS: "false" } });
    try {
      const health = await quiet.app.inject({ method: "GET", url: "/api/health" });
      expect(health.json()).toEqual({ status: "ok", database: "ok" });
    } finally {
      await quiet.close();
    }
    const production = loadConfig({
      NODE_ENV: "production",
      TOKEN_ISSUERS: "https://login.microsoftonline.com/{tenantid}/v2.0",
      TOKEN_AUDIENCE: "api://x",
      SECRETS_KEY: Buffer.alloc(32, 7).toString("base64"),
    });
    expect(production.healthDetails).toBe(false);
    expect(loadConfig({ NODE_ENV: "development" }).healthDetails).toBe(true);
  });
});
