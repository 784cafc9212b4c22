/**
 * Monitoring end to end against the Exchange lab: a real EWS check through the lab, a fault staged through the lab's
 * control endpoint, the threshold alert caught by the lab's SMTP server, and the resolved message once the fault is
 * fixed the same way. A refused service account (its password changed in the lab) alerts too.
 */
import { Agent, fetch } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DEMO_SCENARIO_FILE,
  generateScenario,
  loadScenarioFile,
  startLab,
  type Lab,
} from "../../../../src/lab/index.js";
import { backendEnvForLab } from "../../../../scripts/labEnv.js";
import { createTestBackend, type TestBackend } from "../../../support/backend.js";

const ADMIN = "admin@contoso.lab";
const SERVICE_ACCOUNT = "svc-sync@contoso.lab";

describe("alert email through the lab's mail catcher", () => {
  let lab: Lab;
  let harness: TestBackend;
  let dispatcher: Agent;
  let orgId: string;
  let token: string;
  let password: string;

  const api = (method: "GET" | "PUT" | "POST", url: string, body?: unknown, headers: Record<string, string> = {}) =>
    harness.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}`, ...headers },
      ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
    });

  async function control(change: Record<string, string>): Promise<void> {
    const response = await fetch(`${lab.baseUrl}/lab/control`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(change),
      dispatcher,
    });
    expect(response.status, await response.clone().text()).toBe(200);
  }

  async function checkEveryone(): Promise<{ state: string }> {
    const started = await api("POST", `/api/orgs/${orgId}/checks`, { scope: { all: true }, depth: "read" });
    expect(started.statusCode, started.body).toBe(202);
    const { runId } = started.json<{ runId: string }>();
    await harness.app.ctx.checks.settled(runId);
    await harness.app.ctx.monitoring.idle();
    return (await api("GET", `/api/orgs/${orgId}/checks/${runId}`)).json<{ state: string }>();
  }

  beforeAll(async () => {
    const scenario = generateScenario({ users: 9, mix: { ok: 1 }, base: await loadScenarioFile(DEMO_SCENARIO_FILE) });
    lab = await startLab({ scenario, port: 0 });
    dispatcher = new Agent({ connect: { ca: lab.caCertPem } });
    // The test's own token issuer signs the admin in; the lab plays only Exchange here.
    const { TOKEN_ISSUERS, TOKEN_AUDIENCE, TOKEN_JWKS_URI, ...exchangeEnv } = backendEnvForLab({
      ...lab.ready,
      port: lab.port,
      backendClientSecret: lab.scenario.apps.backend.secret,
    });
    void [TOKEN_ISSUERS, TOKEN_AUDIENCE, TOKEN_JWKS_URI];
    harness = await createTestBackend({
      env: {
        ...exchangeEnv,
        SMTP_HOST: lab.ready.smtpHost,
        SMTP_PORT: String(lab.smtpPort),
        SMTP_FROM: "monitoring@contoso.lab",
        PANE_URL: "https://localhost:3000/taskpane.html",
        MONITORING_TICK_MS: "0",
        RATE_LIMIT_MAX: "100000",
      },
      resolver: "system",
    });
    const seeded = await harness.seedOrg({
      name: "Contoso lab",
      admin: ADMIN,
      users: lab.scenario.users.map((user) => user.email),
    });
    orgId = seeded.orgId;
    token = await harness.token(ADMIN);
    password = lab.scenario.serviceAccounts.find((account) => account.email === SERVICE_ACCOUNT)!.password;
    const saved = await api(
      "PUT",
      `/api/orgs/${orgId}/email-config`,
      {
        accessType: "ews_basic_impersonation",
        ewsUrl: `https://mail.contoso.lab:${lab.port}/EWS/Exchange.asmx`,
        accountLogon: SERVICE_ACCOUNT,
        password,
      },
      { "if-match": '"0"' },
    );
    expect(saved.statusCode, saved.body).toBe(200);
    // No settling window in this test: alerts may go out at once.
    const schedule = await api("PUT", `/api/orgs/${orgId}/monitoring/schedule`, { mode: "off", settlingMinutes: 0 });
    expect(schedule.statusCode, schedule.body).toBe(200);
    const channels = await api("PUT", `/api/orgs/${orgId}/monitoring/channels`, {
      email: { enabled: true, recipients: ["it-alerts@contoso.lab"] },
      webhook: { enabled: false, url: null },
    });
    expect(channels.statusCode, channels.body).toBe(200);
    expect(channels.json()).toMatchObject({ email: { smtpConfigured: true } });
  });

  afterAll(async () => {
    await harness?.close();
    await dispatcher?.close();
    await lab?.close();
  });

  it("mails the threshold alert when users fail, and the resolved message once they are fixed", async () => {
    expect((await checkEveryone()).state).toBe("completed");
    expect(lab.mail).toEqual([]);

    const broken = lab.scenario.users.slice(0, 3).map((user) => user.email);
    for (const user of broken) await control({ action: "mailbox", user, state: "disabled" });
    expect((await checkEveryone()).state).toBe("completed");
    expect(lab.mail).toHaveLength(1);
    const [alert] = lab.mail;
    expect(alert).toMatchObject({ from: "monitoring@contoso.lab", to: ["it-alerts@contoso.lab"] });
    expect(alert?.subject).toContain("Alert");
    // 3 of the 9 users and the admin (who has no mailbox in the lab) fail: 40%.
    expect(alert?.text).toContain("40% of checked users are failing (4 of 10; threshold 20%)");

    for (const user of broken) await control({ action: "mailbox", user, state: "ok" });
    // The admin still fails (10%), below the threshold: the condition has cleared.
    expect((await checkEveryone()).state).toBe("completed");
    expect(lab.mail).toHaveLength(2);
    expect(lab.mail[0]?.subject).toContain("Resolved");
    expect(lab.mail[0]?.text).toContain("This condition has cleared.");

    const listed = await fetch(`${lab.baseUrl}/lab/mail`, { dispatcher });
    const { messages } = (await listed.json()) as { messages: Array<{ subject: string }> };
    expect(messages.map((message) => message.subject)).toEqual(lab.mail.map((message) => message.subject));
    const log = await api("GET", `/api/orgs/${orgId}/monitoring/deliveries`);
    expect(log.json<{ items: Array<{ channel: string; status: string }> }>().items).toMatchObject([
      { channel: "email", status: "delivered" },
      { channel: "email", status: "delivered" },
    ]);
  });

  it("alerts when the service account is refused (its password changed in the lab) and resolves once it works", async () => {
    const before = lab.mail.length;
    await control({ action: "password", account: SERVICE_ACCOUNT, password: "Changed-Elsewhere-1!" });
    expect((await checkEveryone()).state).toBe("auth_failed");
    expect(lab.mail.length).toBe(before + 1);
    // The alert by its name, and a link back to the pane's Health tab.
    expect(lab.mail[0]?.text).toContain("Alert: Service account or app refused");
    expect(lab.mail[0]?.text).toContain("https://localhost:3000/taskpane.html#/admin/health");
    expect(lab.mail[0]?.text).not.toContain("service_account_refused");
    // The stopped run stays in the history with its reason.
    const history = await api("GET", `/api/orgs/${orgId}/monitoring/history?limit=1`);
    expect(history.json<{ items: unknown[] }>().items[0]).toMatchObject({
      state: "auth_failed",
      stopReason: { category: "ntlm_refused", message: expect.stringContaining("refused") as string },
    });
    // And in Activity: the run's end with its outcome.
    const audit = await api("GET", `/api/orgs/${orgId}/audit`);
    const ends = audit
      .json<{ items: Array<{ action: string; actor: string; after: Record<string, unknown> }> }>()
      .items.filter((event) => event.action === "check_run.finish");
    expect(ends[0]).toMatchObject({
      actor: ADMIN,
      after: { state: "auth_failed", draft: false, stopCategory: "ntlm_refused" },
    });
    const log = await api("GET", `/api/orgs/${orgId}/monitoring/deliveries?limit=1`);
    expect(log.json<{ items: unknown[] }>().items[0]).toMatchObject({
      kind: "service_account_refused",
      alertName: "Service account or app refused",
    });

    await control({ action: "password", account: SERVICE_ACCOUNT, password });
    expect((await checkEveryone()).state).toBe("completed");
    expect(lab.mail.length).toBe(before + 2);
    expect(lab.mail[0]).toMatchObject({ subject: expect.stringContaining("Resolved") as string });
    expect(lab.mail[0]?.subject).toContain("Resolved: Service account or app refused");
  });
});
