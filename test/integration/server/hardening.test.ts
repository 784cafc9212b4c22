/** OpenAPI coverage, CORS, security headers, body limits, per-user rate limits and log redaction. */
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestBackend, type TestBackend } from "../../support/backend.js";

let backend: TestBackend;
let orgId = "";
let admin = "";
const logLines: string[] = [];
const BACKEND_SECRET = "Backend-Client-Secret-3307";

beforeAll(async () => {
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logLines.push(chunk.toString("utf8"));
      callback();
    },
  });
  backend = await createTestBackend({
    env: {
      RATE_LIMIT_MAX: "5",
      BODY_LIMIT_BYTES: "2048",
      BACKEND_CLIENT_ID: "backend-app",
      BACKEND_CLIENT_SECRET: BACKEND_SECRET,
    },
    deps: { logger: { level: "trace", stream } },
  });
  orgId = (await backend.seedOrg({ name: "Contoso", admin: "admin@contoso.com" })).orgId;
  admin = await backend.bearer("admin@contoso.com");
});
afterAll(async () => {
  await backend.close();
});

describe("OpenAPI document", () => {
  it("describes every API route with its method, and the bearer scheme", async () => {
    const document = (await backend.app.inject({ method: "GET", url: "/api/openapi.json" })).json();
    expect(document.openapi).toMatch(/^3\./);
    expect(document.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
    const documented = Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented).toEqual(
      expect.arrayContaining([
        "GET /api/health",
        "GET /api/client-config",
        "GET /api/me",
        "GET /api/me/mailbox-status",
        "GET /api/orgs",
        "GET /api/orgs/{orgId}",
        "GET /api/orgs/{orgId}/users",
        "POST /api/orgs/{orgId}/users",
        "PATCH /api/orgs/{orgId}/users/{userId}",
        "DELETE /api/orgs/{orgId}/users/{userId}",
        "GET /api/orgs/{orgId}/email-config",
        "PUT /api/orgs/{orgId}/email-config",
        "GET /api/orgs/{orgId}/audit",
        "GET /api/orgs/{orgId}/audit.csv",
      ]),
    );
    for (const [path, methods] of Object.entries(
      document.paths as Record<string, Record<string, { summary?: string }>>,
    )) {
      for (const [method, operation] of Object.entries(methods)) {
        expect(operation.summary, `${method} ${path} has a summary`).toBeTruthy();
      }
    }
    const put = document.paths["/api/orgs/{orgId}/email-config"].put;
    expect(put.requestBody.content["application/json"].schema.properties.accessType).toBeDefined();
    expect(Object.keys(put.responses as object)).toEqual(expect.arrayContaining(["200", "412", "422", "428"]));
    expect(document.paths["/api/health"].get.security).toEqual([]);
  });
});

describe("browser-facing protections", () => {
  it("allows CORS only from the configured origins", async () => {
    const allowed = await backend.app.inject({
      method: "OPTIONS",
      url: "/api/me",
      headers: { origin: "https://localhost:3000", "access-control-request-method": "GET" },
    });
    expect(allowed.headers["access-control-allow-origin"]).toBe("https://localhost:3000");
    const refused = await backend.app.inject({
      method: "OPTIONS",
      url: "/api/me",
      headers: { origin: "https://evil.example", "access-control-request-method": "GET" },
    });
    expect(refused.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("sends security headers and a deny-all CSP on API answers", async () => {
    const response = await backend.app.inject({ method: "GET", url: "/api/health" });
    expect(response.headers["x-content-type-options"]).toBe("nosniff");
    expect(response.headers["strict-transport-security"]).toContain("max-age");
    expect(response.headers["content-security-policy"]).toBe("default-src 'none'; frame-ancestors 'none'");
  });

  it("refuses a body over the limit with 413 before touching the database", async () => {
    const response = await backend.app.inject({
      method: "PATCH",
      url: `/api/orgs/${orgId}/users/00000000-0000-4000-8000-000000000000`,
      headers: { authorization: admin },
      payload: { displayName: "x".repeat(4000) },
    });
    expect(response.statusCode).toBe(413);
    expect(response.json().errors[0].field).toBe("body");
  });
});

describe("rate limits", () => {
  it("limits each signed-in user separately", async () => {
    const heavy = await backend.bearer("heavy@contoso.com");
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      statuses.push(
        (await backend.app.inject({ method: "GET", url: "/api/me", headers: { authorization: heavy } })).statusCode,
      );
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const calm = await backend.bearer("calm@contoso.com");
    expect(
      (await backend.app.inject({ method: "GET", url: "/api/me", headers: { authorization: calm } })).statusCode,
    ).toBe(200);
  });
});

describe("logs", () => {
  it("never contain bearer tokens, the backend client's secret or the password an admin saved", async () => {
    const token = admin.slice("Bearer ".length);
    await backend.app.inject({
      method: "PUT",
      url: `/api/orgs/${orgId}/email-config`,
      headers: { authorization: admin, "if-match": '"0"', cookie: "session=cookie-secret" },
      payload: {
        accessType: "ews_basic_impersonation",
        ewsUrl: "https://mail.contoso.com/EWS/Exchange.asmx",
        accountLogon: "svc@contoso.com",
        password: "Pa55word-in-a-log?",
      },
    });
    const log = logLines.join("");
    expect(log.length).toBeGreaterThan(0);
    expect(log).toContain("/email-config");
    expect(log).not.toContain(token);
    expect(log).not.toContain(token.split(".")[2]!);
    expect(log).not.toContain("Pa55word-in-a-log?");
    expect(log).not.toContain("cookie-secret");
    expect(backend.app.ctx.config.exchange.backendClient?.clientSecret).toBe(BACKEND_SECRET);
    expect(log).not.toContain(BACKEND_SECRET);
  });
});
