import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/server/config.js";
import { configError } from "../../support/configError.js";

const key = Buffer.alloc(32, 7).toString("base64");
const production = {
  NODE_ENV: "production",
  TOKEN_ISSUERS: "https://login.microsoftonline.com/{tenantid}/v2.0",
  TOKEN_AUDIENCE: "api://x",
  SECRETS_KEY: key,
};

describe("loadConfig: the check runner's limits", () => {
  it("defaults to 10 workers within a budget of 27, five attempts, 30-second requests and pages of 500", () => {
    expect(loadConfig({}).checks).toEqual({
      defaultConcurrency: 10,
      maxConcurrency: 27,
      maxAttempts: 5,
      requestTimeoutMs: 30_000,
      retryBaseMs: 200,
      defaultBackOffMs: 1_000,
      pageSize: 500,
      maxThrottledWaitMs: 600_000,
      queue: { chunkUsers: 250, workersPerProcess: 64, expireSeconds: 900 },
    });
  });

  it("lowers the default concurrency to a smaller budget", () => {
    expect(loadConfig({ CHECK_MAX_CONCURRENCY: "4" }).checks).toMatchObject({
      defaultConcurrency: 4,
      maxConcurrency: 4,
    });
  });

  it("reads every CHECK_* variable", () => {
    const checks = loadConfig({
      CHECK_CONCURRENCY: "12",
      CHECK_MAX_CONCURRENCY: "40",
      CHECK_MAX_ATTEMPTS: "3",
      CHECK_REQUEST_TIMEOUT_MS: "2000",
      CHECK_RETRY_BASE_MS: "50",
      CHECK_DEFAULT_BACKOFF_MS: "750",
      CHECK_PAGE_SIZE: "100",
      CHECK_MAX_THROTTLED_WAIT_MS: "90000",
      CHECK_CHUNK_USERS: "1000",
      CHECK_CHUNK_WORKERS: "4",
      CHECK_CHUNK_EXPIRE_SECONDS: "120",
    }).checks;
    expect(checks).toEqual({
      defaultConcurrency: 12,
      maxConcurrency: 40,
      maxAttempts: 3,
      requestTimeoutMs: 2_000,
      retryBaseMs: 50,
      defaultBackOffMs: 750,
      pageSize: 100,
      maxThrottledWaitMs: 90_000,
      queue: { chunkUsers: 1_000, workersPerProcess: 4, expireSeconds: 120 },
    });
  });

  it.each([
    [{ CHECK_CONCURRENCY: "ten" }, "CHECK_CONCURRENCY", "must be a whole number between 1 and 500"],
    [{ CHECK_MAX_CONCURRENCY: "501" }, "CHECK_MAX_CONCURRENCY", "must be a whole number between 1 and 500"],
    [{ CHECK_MAX_ATTEMPTS: "0" }, "CHECK_MAX_ATTEMPTS", "must be a whole number between 1 and 20"],
    [{ CHECK_REQUEST_TIMEOUT_MS: "99" }, "CHECK_REQUEST_TIMEOUT_MS", "between 100 and 600000"],
    [{ CHECK_RETRY_BASE_MS: "1.5" }, "CHECK_RETRY_BASE_MS", "between 1 and 60000"],
    [{ CHECK_DEFAULT_BACKOFF_MS: "-1" }, "CHECK_DEFAULT_BACKOFF_MS", "between 1 and 600000"],
    [{ CHECK_PAGE_SIZE: "5" }, "CHECK_PAGE_SIZE", "between 10 and 10000"],
    [{ CHECK_CHUNK_USERS: "9" }, "CHECK_CHUNK_USERS", "between 10 and 10000"],
    [{ CHECK_CHUNK_WORKERS: "0" }, "CHECK_CHUNK_WORKERS", "between 1 and 1024"],
    [{ CHECK_CHUNK_EXPIRE_SECONDS: "30" }, "CHECK_CHUNK_EXPIRE_SECONDS", "between 60 and 86400"],
    [
      { CHECK_CONCURRENCY: "30", CHECK_MAX_CONCURRENCY: "27" },
      "CHECK_CONCURRENCY",
      "must not exceed CHECK_MAX_CONCURRENCY (27)",
    ],
    [
      { CHECK_CONCURRENCY: "11", CHECK_MAX_CONCURRENCY: "10" },
      "CHECK_CONCURRENCY",
      "must not exceed CHECK_MAX_CONCURRENCY (10)",
    ],
  ])("stops on %j naming %s", (env, variable, rule) => {
    const error = configError(env);
    expect(error.variable).toBe(variable);
    expect(error.message).toMatch(new RegExp(`^Invalid configuration: ${variable} `));
    expect(error.message).toContain(rule);
  });
});

describe("loadConfig: the drivers' identity provider", () => {
  it("defaults to Microsoft Entra ID with no backend client and the drivers' own Graph root and scopes", () => {
    expect(loadConfig({}).exchange).toEqual({
      authority: "https://login.microsoftonline.com/{tenantid}",
      knownAuthorities: [],
      protocolMode: "aad",
      backendClient: null,
      graphBaseUrl: null,
      ewsScope: null,
      graphScope: null,
    });
  });

  it("points at another provider (the lab) and infers the oidc protocol from its authority", () => {
    const exchange = loadConfig({
      EXCHANGE_AUTHORITY: "https://localhost:4443/{tenantid}/v2.0",
      EXCHANGE_KNOWN_AUTHORITIES: "localhost:4443, login.lab",
      BACKEND_CLIENT_ID: "backend-app",
      BACKEND_CLIENT_SECRET: "backend-secret",
      GRAPH_BASE_URL: "https://localhost:4443",
      EXCHANGE_EWS_SCOPE: "https://outlook.lab/EWS.AccessAsUser.All",
      GRAPH_SCOPE: "https://graph.lab/.default",
    }).exchange;
    expect(exchange).toEqual({
      authority: "https://localhost:4443/{tenantid}/v2.0",
      knownAuthorities: ["localhost:4443", "login.lab"],
      protocolMode: "oidc",
      backendClient: { clientId: "backend-app", clientSecret: "backend-secret" },
      graphBaseUrl: "https://localhost:4443",
      ewsScope: "https://outlook.lab/EWS.AccessAsUser.All",
      graphScope: "https://graph.lab/.default",
    });
  });

  it("lets EXCHANGE_PROTOCOL_MODE override the inferred protocol", () => {
    expect(loadConfig({ EXCHANGE_PROTOCOL_MODE: "oidc" }).exchange.protocolMode).toBe("oidc");
  });

  it("accepts a plain-http Graph root outside production", () => {
    expect(loadConfig({ GRAPH_BASE_URL: "http://127.0.0.1:8080" }).exchange.graphBaseUrl).toBe("http://127.0.0.1:8080");
  });

  it.each([
    [{ EXCHANGE_PROTOCOL_MODE: "saml" }, "EXCHANGE_PROTOCOL_MODE"],
    [{ EXCHANGE_AUTHORITY: "login.microsoftonline.com/{tenantid}" }, "EXCHANGE_AUTHORITY"],
    [{ GRAPH_BASE_URL: "graph.microsoft.com" }, "GRAPH_BASE_URL"],
    [{ BACKEND_CLIENT_ID: "backend-app" }, "BACKEND_CLIENT_SECRET"],
    [{ BACKEND_CLIENT_SECRET: "backend-secret" }, "BACKEND_CLIENT_ID"],
    [{ ...production, GRAPH_BASE_URL: "http://graph.contoso.com" }, "GRAPH_BASE_URL"],
    [{ ...production, EXCHANGE_AUTHORITY: "http://login.contoso.com/{tenantid}" }, "EXCHANGE_AUTHORITY"],
  ])("stops on %j naming %s", (env, variable) => {
    const error = configError(env);
    expect(error.variable).toBe(variable);
    expect(error.message).toMatch(new RegExp(`^Invalid configuration: ${variable} `));
  });

  it("never repeats the backend client secret in an error message", () => {
    expect(configError({ BACKEND_CLIENT_SECRET: "Do-Not-Echo-4471" }).message).not.toContain("Do-Not-Echo-4471");
  });
});
