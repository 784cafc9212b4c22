/**
 * The app-only client secret's expiry date, entered with the secret: stored and answered with the configuration
 * (422 naming the field when it is not a date), and the expiry alert that opens within the rule's days and closes
 * once a new date is entered.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmailConfigDto } from "../../../../src/contract/api.js";
import type { AlertSettingsDto } from "../../../../src/contract/monitoring.js";
import { createTestBackend, type TestBackend } from "../../../support/backend.js";
import type { SeededOrg } from "../../../support/seed.js";
import { FakeMailboxDriver } from "../../../support/fakeMailboxDriver.js";

const ADMIN = "admin@contoso.test";
const APP = { tenantId: "contoso.onmicrosoft.com", clientId: "9d4f1a7c-2e6b-4c83-b5a9-0e7d3c8f1b26" };

describe("client secret expiry", () => {
  let harness: TestBackend;
  let org: SeededOrg;
  let token: string;
  let clock = new Date("2026-12-01T09:00:00.000Z");

  const api = (method: "GET" | "PUT" | "POST", url: string, body?: unknown, headers: Record<string, string> = {}) =>
    harness.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}`, ...headers },
      ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
    });

  async function saveAppOnly(appOnly: Record<string, unknown>) {
    const current = await api("GET", `/api/orgs/${org.id}/email-config`);
    return api(
      "PUT",
      `/api/orgs/${org.id}/email-config`,
      { accessType: "graph_app_only", appOnly: { ...APP, ...appOnly } },
      { "if-match": current.headers.etag as string },
    );
  }

  async function openAlertsAfterARun(): Promise<AlertSettingsDto["open"]> {
    const started = await api("POST", `/api/orgs/${org.id}/checks`, { scope: { all: true }, depth: "read" });
    expect(started.statusCode, started.body).toBe(202);
    await harness.app.ctx.checks.settled(started.json<{ runId: string }>().runId);
    return (await api("GET", `/api/orgs/${org.id}/monitoring/alerts`)).json<AlertSettingsDto>().open;
  }

  beforeAll(async () => {
    harness = await createTestBackend({ env: { MONITORING_TICK_MS: "0" }, deps: { now: () => clock } });
    harness.app.ctx.checks.useDriverFactory(() => new FakeMailboxDriver());
    org = await harness.seedUsers(2, ADMIN);
    token = await harness.token(ADMIN);
    const schedule = await api("PUT", `/api/orgs/${org.id}/monitoring/schedule`, { mode: "off", settlingMinutes: 0 });
    expect(schedule.statusCode, schedule.body).toBe(200);
  });

  afterAll(async () => {
    await harness.close();
  });

  it("refuses an expiry that is not a calendar date, naming the field", async () => {
    const refused = await saveAppOnly({ clientSecret: "lab-secret-value", clientSecretExpiresAt: "2026-02-30" });
    expect(refused.statusCode).toBe(422);
    expect(refused.json<{ errors: Array<{ field: string }> }>().errors[0]?.field).toBe("appOnly.clientSecretExpiresAt");
  });

  it("keeps the date with the secret and opens the expiry alert within the rule's 14 days", async () => {
    const saved = await saveAppOnly({ clientSecret: "lab-secret-value", clientSecretExpiresAt: "2026-12-10" });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json<EmailConfigDto>().appOnly).toMatchObject({
      hasClientSecret: true,
      clientSecretExpiresAt: "2026-12-10",
    });
    expect(saved.body).not.toContain("lab-secret-value");

    const open = await openAlertsAfterARun();
    expect(open.map((alert) => [alert.kind, alert.summary])).toEqual([
      ["credential_expiring", "The app-only client secret expires on 2026-12-10 (in 9 days)"],
    ]);
  });

  it("closes the alert once a later date is entered, keeping the stored secret", async () => {
    clock = new Date("2026-12-02T09:00:00.000Z");
    const saved = await saveAppOnly({ clientSecretExpiresAt: "2027-06-30" });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json<EmailConfigDto>().appOnly).toMatchObject({
      hasClientSecret: true,
      clientSecretExpiresAt: "2027-06-30",
    });
    expect(await openAlertsAfterARun()).toEqual([]);
    // Saved again without the field: the date stays.
    const again = await saveAppOnly({});
    expect(again.json<EmailConfigDto>().appOnly.clientSecretExpiresAt).toBe("2027-06-30");
  });
});
