import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/server/config.js";
import { configError } from "../../support/configError.js";

const key = Buffer.alloc(32, 7).toString("base64");

describe("loadConfig", () => {
  it("starts a development server with no variables at all", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      environment: "development",
      port: 3001,
      host: "127.0.0.1",
      databaseUrl: "data/sync-sidebar.db",
      allowedOrigins: ["https://localhost:3000"],
    });
    expect(config.outbound.allowPrivateCidrs).toEqual(["127.0.0.0/8", "::1/128"]);
  });

  it.each([
    [{ PORT: "eighty" }, "PORT"],
    [{ PORT: "70000" }, "PORT"],
    [{ LOG_LEVEL: "loud" }, "LOG_LEVEL"],
    [{ TOKEN_ISSUERS: "https://login.example" }, "TOKEN_AUDIENCE"],
    [{ TOKEN_ISSUERS: "not a url", TOKEN_AUDIENCE: "a" }, "TOKEN_ISSUERS"],
    [{ TOKEN_ALGORITHMS: "HS256" }, "TOKEN_ALGORITHMS"],
    [{ ALLOWED_ORIGINS: "localhost:3000" }, "ALLOWED_ORIGINS"],
    [{ OUTBOUND_ALLOW_PRIVATE: "10.0.0.0" }, "OUTBOUND_ALLOW_PRIVATE"],
    [{ OUTBOUND_HOST_OVERRIDES: "outlook.office365.com" }, "OUTBOUND_HOST_OVERRIDES"],
    [{ BOOTSTRAP_ADMIN: "admin" }, "BOOTSTRAP_ADMIN"],
    [{ BOOTSTRAP_ADMIN: "a@b.co", BOOTSTRAP_TENANT_ID: "contoso" }, "BOOTSTRAP_TENANT_ID"],
    [{ AUTH_CLIENT_ID: "abc" }, "AUTH_AUTHORITY"],
  ])("stops on %j naming %s", (env, variable) => {
    const error = configError(env);
    expect(error.variable).toBe(variable);
    expect(error.message).toContain(variable);
  });

  it("requires issuers, audience and a secrets key in production, and refuses lab overrides there", () => {
    expect(configError({ NODE_ENV: "production" }).variable).toBe("TOKEN_ISSUERS");
    const base = { NODE_ENV: "production", TOKEN_ISSUERS: "https://login.microsoftonline.com/{tenantid}/v2.0" };
    expect(configError({ ...base, TOKEN_AUDIENCE: "api://x" }).variable).toBe("SECRETS_KEYS");
    expect(
      configError({ ...base, TOKEN_AUDIENCE: "api://x", SECRETS_KEY: key, OUTBOUND_HOST_OVERRIDES: "a.com=127.0.0.1" })
        .variable,
    ).toBe("OUTBOUND_HOST_OVERRIDES");
    const config = loadConfig({ ...base, TOKEN_AUDIENCE: "api://x", SECRETS_KEY: key });
    expect(config.outbound.allowPrivateCidrs).toEqual([]);
    expect(config.allowedOrigins).toEqual([]);
  });

  it("parses host overrides with and without a port", () => {
    const config = loadConfig({
      OUTBOUND_HOST_OVERRIDES: "Outlook.Office365.com=127.0.0.1:4443, graph.microsoft.com=[::1]",
    });
    expect(config.outbound.hostOverrides).toEqual({
      "outlook.office365.com": { address: "127.0.0.1", port: 4443 },
      "graph.microsoft.com": { address: "::1", port: null },
    });
  });

  it("derives the client sign-in settings the pane reads", () => {
    const config = loadConfig({
      AUTH_AUTHORITY: "https://login.microsoftonline.com/contoso.onmicrosoft.com",
      AUTH_CLIENT_ID: "6a1f3b2c-4d5e-4f60-8a7b-9c0d1e2f3a4b",
      AUTH_API_SCOPES: "api://sync-sidebar/access_as_user",
    });
    expect(config.clientAuth).toMatchObject({
      protocolMode: "aad",
      apiScopes: ["api://sync-sidebar/access_as_user"],
      knownAuthorities: [],
    });
  });
});
