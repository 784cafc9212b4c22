/** Monitoring's variables: SMTP relay, time zone and webhook retries, each wrong value naming its variable. */
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/server/config.js";
import { configError } from "../../support/configError.js";

describe("monitoring configuration", () => {
  it("has no SMTP relay, UTC and five webhook attempts by default", () => {
    expect(loadConfig({}).monitoring).toEqual({
      timeZone: "UTC",
      tickMs: 30_000,
      smtp: null,
      webhook: { maxAttempts: 5, retryBaseMs: 2_000 },
      testSends: { max: 5, windowMs: 600_000 },
      mailDailyCap: 50,
      paneUrl: null,
    });
  });

  it("reads an SMTP relay with sign-in", () => {
    const { smtp } = loadConfig({
      SMTP_HOST: "smtp.contoso.com",
      SMTP_SECURE: "true",
      SMTP_USER: "alerts",
      SMTP_PASSWORD: "relay-password",
      SMTP_FROM: "alerts@contoso.com",
    }).monitoring;
    expect(smtp).toEqual({
      host: "smtp.contoso.com",
      port: 465,
      secure: true,
      auth: { user: "alerts", pass: "relay-password" },
      from: "alerts@contoso.com",
    });
  });

  it.each([
    [{ SMTP_PORT: "25" }, "SMTP_PORT"],
    [{ SMTP_HOST: "smtp.contoso.com", SMTP_SECURE: "yes" }, "SMTP_SECURE"],
    [{ SMTP_HOST: "smtp.contoso.com", SMTP_FROM: "not an address" }, "SMTP_FROM"],
    [{ SMTP_HOST: "smtp.contoso.com", SMTP_USER: "alerts" }, "SMTP_PASSWORD"],
    [{ SMTP_HOST: "smtp.contoso.com", SMTP_PORT: "70000" }, "SMTP_PORT"],
    [{ SMTP_HOST: "smtp contoso" }, "SMTP_HOST"],
    [{ MONITORING_TIME_ZONE: "Mars/Olympus_Mons" }, "MONITORING_TIME_ZONE"],
    [{ WEBHOOK_MAX_ATTEMPTS: "11" }, "WEBHOOK_MAX_ATTEMPTS"],
  ])("refuses %j naming %s", (env, variable) => {
    expect(configError(env).variable).toBe(variable);
  });

  it("never echoes the SMTP password in an error", () => {
    // configError fails the test when loadConfig accepts the variables; the message is then read whole.
    const withoutHost = configError({ SMTP_PASSWORD: "relay-password" });
    expect(withoutHost.message).toBe(
      "Invalid configuration: SMTP_PASSWORD needs SMTP_HOST (the relay alert email goes through)",
    );
    const withoutUser = configError({ SMTP_HOST: "smtp.contoso.test", SMTP_PASSWORD: "relay-password" });
    expect(withoutUser.message).toBe("Invalid configuration: SMTP_USER SMTP_USER and SMTP_PASSWORD go together");
    for (const error of [withoutHost, withoutUser]) expect(error.message).not.toContain("relay-password");
  });
});
