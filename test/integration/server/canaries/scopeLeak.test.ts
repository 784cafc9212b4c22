/**
 * Canaries against the lab's online scenario: the app whose Mail.Read is also consented tenant-wide reads the canary
 * (scope_leak, with the consent named as the cause), the alert goes out through the lab's SMTP catcher at once
 * (a configuration saved a moment ago is still settling: the leak is not held), and removing the consent through the
 * lab's control resolves it on the next run. The canaries API refuses what must not be stored.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Agent, fetch as undiciFetch } from "undici";
import type { JWK } from "jose";
import type { CanaryListDto, CanaryVerdictDto } from "../../../../src/contract/canaries.js";
import type { CheckRunDto } from "../../../../src/contract/checks.js";
import { startLab, type Lab } from "../../../../src/lab/index.js";
import { backendEnvForLab } from "../../../support/backendProcess.js";
import { createTestBackend, type TestBackend } from "../../../support/backend.js";
import { scenarioFile } from "../../../support/lab.js";
import { TEST_AUDIENCE } from "../../../support/tokens.js";

const ADMIN = "admin@fabrikam.lab";
const CONSENTED_APP = "9d3a6f1b-2c8e-4b57-a0d4-5e7c1b9f3a26";
const CANARY = "sync-canary@fabrikam.lab";

describe("canaries: mailboxes outside the scope that must be refused", () => {
  let lab: Lab;
  let harness: TestBackend;
  let dispatcher: Agent;
  let orgId: string;
  let adminToken: string;

  beforeAll(async () => {
    lab = await startLab({ scenario: scenarioFile("online"), port: 0 });
    dispatcher = new Agent({ connect: { ca: lab.caCertPem } });
    const labEnv = backendEnvForLab({
      ...lab.ready,
      port: lab.port,
      backendClientSecret: lab.scenario.apps.backend.secret,
    });
    const identityEnv = Object.fromEntries(
      Object.entries(labEnv).filter(([key]) => /^(EXCHANGE_|BACKEND_|GRAPH_)/.test(key)),
    );
    const jwks = (await (await undiciFetch(lab.jwksUri, { dispatcher })).json()) as { keys: JWK[] };
    harness = await createTestBackend({
      env: {
        OUTBOUND_CA_FILE: labEnv.OUTBOUND_CA_FILE!,
        OUTBOUND_HOST_OVERRIDES: labEnv.OUTBOUND_HOST_OVERRIDES!,
        TOKEN_AUDIENCE: `${TEST_AUDIENCE},${lab.ready.backendClientId}`,
        ...identityEnv,
        EXCHANGE_AUTHORITY: lab.authority.replace(lab.scenario.tenantId, "{tenantid}"),
        SMTP_HOST: lab.ready.smtpHost,
        SMTP_PORT: String(lab.smtpPort),
        SMTP_FROM: "monitoring@fabrikam.lab",
        MONITORING_TICK_MS: "0",
        RATE_LIMIT_MAX: "100000",
      },
      resolver: "system",
      extraIssuers: [{ issuer: lab.issuer, keys: jwks }],
    });
    const seeded = await harness.seedOrg({
      name: "Fabrikam lab",
      admin: ADMIN,
      users: ["adam.ok@fabrikam.lab", "bella.outside@fabrikam.lab"],
    });
    orgId = seeded.orgId;
    adminToken = await harness.token(ADMIN);
    const saved = await call(
      "PUT",
      `/api/orgs/${orgId}/email-config`,
      {
        accessType: "graph_app_only",
        appOnly: {
          tenantId: lab.scenario.tenantId,
          clientId: CONSENTED_APP,
          clientSecret: "lab-online-consented-secret",
        },
      },
      { "if-match": '"0"' },
    );
    expect(saved.statusCode, saved.body).toBe(200);
    const channels = await call("PUT", `/api/orgs/${orgId}/monitoring/channels`, {
      email: { enabled: true, recipients: ["it-alerts@fabrikam.lab"] },
      webhook: { enabled: false, url: null },
    });
    expect(channels.statusCode, channels.body).toBe(200);
  });

  afterAll(async () => {
    await harness?.close();
    await dispatcher?.close();
    await lab?.close();
  });

  function call(
    method: "GET" | "POST" | "PUT" | "DELETE",
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) {
    return harness.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${adminToken}`, ...headers },
      ...(body === undefined ? {} : { payload: body as object }),
    });
  }

  async function checkEveryone(): Promise<{ run: CheckRunDto; canaries: CanaryVerdictDto[]; csv: string }> {
    const started = await call("POST", `/api/orgs/${orgId}/checks`, { scope: { all: true }, depth: "read" });
    expect(started.statusCode, started.body).toBe(202);
    const { runId } = started.json<{ runId: string }>();
    await harness.app.ctx.checks.settled(runId);
    await harness.app.ctx.monitoring.idle();
    const run = (await call("GET", `/api/orgs/${orgId}/checks/${runId}`)).json<CheckRunDto>();
    const canaries = (await call("GET", `/api/orgs/${orgId}/checks/${runId}/canaries`)).json<{
      items: CanaryVerdictDto[];
    }>().items;
    const csv = (await call("GET", `/api/orgs/${orgId}/checks/${runId}/results.csv`)).body;
    return { run, canaries, csv };
  }

  it("refuses a canary that is one of the organization's users, a duplicate, and a malformed address", async () => {
    const user = await call("POST", `/api/orgs/${orgId}/canaries`, { address: "Adam.Ok@fabrikam.lab" });
    expect(user.statusCode).toBe(422);
    expect(user.headers["content-type"]).toContain("application/problem+json");
    expect(user.json<{ errors: Array<{ field: string; message: string }> }>().errors[0]).toMatchObject({
      field: "address",
      message: expect.stringContaining("is a user of this organization") as string,
    });
    const malformed = await call("POST", `/api/orgs/${orgId}/canaries`, { address: "not-an-address" });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.body).toContain("address");
    expect((await call("GET", `/api/orgs/${orgId}/canaries`)).json<CanaryListDto>().items).toEqual([]);

    const listed = (await call("GET", `/api/orgs/${orgId}/canaries`)).json<CanaryListDto>();
    expect(listed.suggestions[0]).toMatchObject({ address: CANARY });
    expect(listed.suggestions[0]?.powershell).toContain(`New-Mailbox -Shared`);
    expect(listed.suggestions[0]?.powershell).toContain(CANARY);

    const added = await call("POST", `/api/orgs/${orgId}/canaries`, { address: CANARY });
    expect(added.statusCode, added.body).toBe(201);
    const again = await call("POST", `/api/orgs/${orgId}/canaries`, { address: CANARY.toUpperCase() });
    expect(again.statusCode).toBe(409);
    const after = (await call("GET", `/api/orgs/${orgId}/canaries`)).json<CanaryListDto>();
    expect(after.items.map((canary) => canary.address)).toEqual([CANARY]);
    expect(after.suggestions).toEqual([]);
    const audit = await harness.database.db
      .selectFrom("audit_events")
      .select("action")
      .where("org_id", "=", orgId)
      .where("action", "=", "canary.add")
      .execute();
    expect(audit).toHaveLength(1);
  });

  it("finds the canary readable through the tenant-wide consent, alerts at once, and resolves once the consent is gone", async () => {
    const leaking = await checkEveryone();
    expect(leaking.run.state, JSON.stringify(leaking.run.stopReason)).toBe("completed");
    // The canary is never one of the run's users.
    expect(leaking.run.total).toBe(3);
    expect(leaking.canaries).toEqual([
      expect.objectContaining({
        address: CANARY,
        verdict: "leaked",
        category: "scope_leak",
        leaked: ["mail"],
        cause: expect.stringContaining("Tenant-wide consent of Mail.Read") as string,
      }),
    ]);
    expect(leaking.csv).toMatch(new RegExp(`"${CANARY}","","scope_leak","error",.*"mail ok","canary"`));
    const fired = lab.mail.find((message) => message.text.includes("outside the scope"));
    expect(fired?.subject).toContain("A mailbox outside the scope is readable");
    expect(fired?.text).toContain(`${CANARY} (mail)`);
    expect(fired?.text).toContain("Tenant-wide consent of Mail.Read");
    // The other alerts wait for the settling window of the configuration just saved; the leak did not.
    const alerts = (await call("GET", `/api/orgs/${orgId}/monitoring/alerts`)).json<{
      open: Array<{ kind: string }>;
    }>();
    expect(alerts.open.map((alert) => alert.kind)).toEqual(["scope_leak"]);

    const control = await undiciFetch(`${lab.baseUrl}/lab/control`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ action: "consent", app: CONSENTED_APP, permission: "Mail.Read", consent: "removed" }),
      dispatcher,
    });
    expect(control.status, await control.clone().text()).toBe(200);

    const closed = await checkEveryone();
    expect(closed.canaries).toEqual([expect.objectContaining({ address: CANARY, verdict: "refused", leaked: [] })]);
    const resolved = lab.mail.find((message) => message.subject.includes("Resolved"));
    expect(resolved?.text).toContain("Mailboxes outside the scope are readable");
    const open = (await call("GET", `/api/orgs/${orgId}/monitoring/alerts`)).json<{ open: Array<{ kind: string }> }>();
    expect(open.open.map((alert) => alert.kind)).not.toContain("scope_leak");
  });
});
