/**
 * Sidebar reach: a member reports for their own user only (at most once an hour, 400 naming a wrong field), admins
 * read per user and per client, nothing crosses organizations, reports go after 90 days, and the sidebar-reach alert
 * fires once to the webhook and sends its resolved message when every connected user has the sidebar again.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AlertSettingsDto } from "../../../../src/contract/monitoring.js";
import type { ReachSummaryDto, SidebarReportInput, UserReachDto } from "../../../../src/contract/reach.js";
import { createTestBackend, type TestBackend } from "../../../support/backend.js";
import { postgresEnabled } from "../../../support/postgres.js";
import type { SeededOrg } from "../../../support/seed.js";
import { EWS_CONFIG, FakeMailboxDriver } from "../../../support/fakeMailboxDriver.js";
import { startWebhookReceiver, type WebhookReceiver } from "../monitoring/webhookReceiver.js";

const ADMIN = "admin@contoso.test";
const SECRET = "whsec-0123456789abcdef";
const HOUR = 3_600_000;

const report = (overrides: Partial<SidebarReportInput> = {}): SidebarReportInput => ({
  client: "newOutlookWindows",
  platform: "OfficeOnline",
  clientVersion: "20250101002.10",
  addinVersion: "0.1.0",
  manifest: "unified",
  mailboxVersion: "1.14",
  nestedAppAuth: true,
  signInPath: "naa",
  signInFailure: null,
  ...overrides,
});

const dialects: Array<"sqlite" | "postgres"> = ["sqlite", ...((await postgresEnabled()) ? ["postgres" as const] : [])];

describe.each(dialects)("sidebar reach on %s", (dialect) => {
  let harness: TestBackend;
  let receiver: WebhookReceiver;
  let org: SeededOrg;
  let other: SeededOrg;
  const tokens: Record<string, string> = {};
  const driver = new FakeMailboxDriver();
  // The seed adds users at the real time; the clock starts weeks later, so every user has had 7 days.
  let clock = new Date(Date.now() + 30 * 24 * HOUR);

  const call = (method: "GET" | "PUT" | "POST", url: string, as: string, body?: unknown) =>
    harness.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${tokens[as]}` },
      ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
    });
  const reportAs = (email: string, body: unknown, orgId = org.id) =>
    call("POST", `/api/orgs/${orgId}/sidebar-reports`, email, body);
  const users = async (filter?: string) => {
    const answer = await call("GET", `/api/orgs/${org.id}/reach/users${filter ? `?filter=${filter}` : ""}`, ADMIN);
    expect(answer.statusCode, answer.body).toBe(200);
    return answer.json<{ items: UserReachDto[] }>().items;
  };
  async function checkEveryone(): Promise<void> {
    const started = await call("POST", `/api/orgs/${org.id}/checks`, ADMIN, { scope: { all: true }, depth: "read" });
    expect(started.statusCode, started.body).toBe(202);
    await harness.app.ctx.checks.settled(started.json<{ runId: string }>().runId);
    await harness.app.ctx.monitoring.idle();
  }

  beforeAll(async () => {
    receiver = await startWebhookReceiver(SECRET);
    harness = await createTestBackend({
      env: {
        OUTBOUND_HOST_OVERRIDES: "mail.contoso.test=127.0.0.1,localhost=127.0.0.1",
        OUTBOUND_CA_FILE: receiver.caCertFile,
        RATE_LIMIT_MAX: "100000",
      },
      resolver: "system",
      dialect,
      deps: { now: () => clock },
    });
    harness.app.ctx.checks.useDriverFactory(() => driver);
    org = await harness.seedUsers(3, ADMIN);
    other = await harness.seedUsers(1, "admin@fabrikam.test", "fabrikam.test");
    for (const email of [ADMIN, ...org.emails, "admin@fabrikam.test", ...other.emails]) {
      tokens[email] = await harness.token(email);
    }
    const saved = await harness.app.inject({
      method: "PUT",
      url: `/api/orgs/${org.id}/email-config`,
      headers: { authorization: `Bearer ${tokens[ADMIN]}`, "if-match": '"0"' },
      payload: EWS_CONFIG,
    });
    expect(saved.statusCode, saved.body).toBe(200);
    const channels = await call("PUT", `/api/orgs/${org.id}/monitoring/channels`, ADMIN, {
      email: { enabled: false, recipients: [] },
      webhook: { enabled: true, url: receiver.url, secret: SECRET },
    });
    expect(channels.statusCode, channels.body).toBe(200);
  });

  afterAll(async () => {
    await harness.close();
    await receiver.close();
  });

  it("stores a member's report for their own user, at most once an hour", async () => {
    const [user0, user1] = org.emails;
    expect((await reportAs(user0!, report())).json()).toEqual({ recorded: true });
    expect((await reportAs(user0!, report({ client: "OutlookWebApp" }))).json()).toEqual({ recorded: false });
    expect((await reportAs(user1!, report({ signInPath: "popup", signInFailure: "12011" }))).json()).toEqual({
      recorded: true,
    });

    const listed = await users();
    expect(listed.map((user) => [user.email, user.sidebar?.client, user.sidebar?.signInFailure])).toEqual([
      [user0, "newOutlookWindows", null],
      [user1, "newOutlookWindows", "12011"],
    ]);
    expect(listed[0]?.sidebar).toMatchObject({
      reportedAt: clock.toISOString(),
      nestedAppAuth: true,
      manifest: "unified",
    });
    expect((await users("never_opened")).map((user) => user.email).sort()).toEqual([ADMIN, org.emails[2]].sort());
    expect((await users("sign_in_failing")).map((user) => user.email)).toEqual([user1]);

    clock = new Date(clock.getTime() + HOUR + 1);
    expect((await reportAs(user0!, report({ client: "OutlookWebApp" }))).json()).toEqual({ recorded: true });
    expect((await users())[0]?.sidebar?.client).toBe("OutlookWebApp");
  });

  it("refuses a report with a wrong or extra field, naming it, and stores nothing", async () => {
    const cases: Array<[unknown, string]> = [
      [report({ signInPath: "sms" as never }), "signInPath"],
      [{ ...report(), email: "someone@contoso.test" }, "email"],
      [report({ client: "new Outlook <script>" }), "client"],
      [report({ mailboxVersion: "2.0" }), "mailboxVersion"],
    ];
    for (const [body, field] of cases) {
      const refused = await reportAs(org.emails[2]!, body);
      expect(refused.statusCode, JSON.stringify(body)).toBe(400);
      expect(refused.headers["content-type"]).toContain("application/problem+json");
      expect(refused.body).toContain(field);
    }
    expect((await users("never_opened")).map((user) => user.email)).toContain(org.emails[2]);
  });

  it("keeps organizations apart and the reads for admins", async () => {
    expect((await reportAs(other.emails[0]!, report(), org.id)).statusCode).toBe(404);
    expect((await reportAs(other.emails[0]!, report({ client: "OutlookIOS" }), other.id)).json()).toEqual({
      recorded: true,
    });
    expect((await users()).map((user) => user.email)).not.toContain(other.emails[0]);
    for (const path of ["reach/users", "reach/summary"]) {
      expect((await call("GET", `/api/orgs/${org.id}/${path}`, org.emails[0]!)).statusCode, path).toBe(403);
      expect((await call("GET", `/api/orgs/${org.id}/${path}`, "admin@fabrikam.test")).statusCode, path).toBe(404);
    }
    const theirs = await call("GET", `/api/orgs/${other.id}/reach/users`, "admin@fabrikam.test");
    expect(theirs.json<{ items: UserReachDto[] }>().items.map((user) => user.email)).toEqual([other.emails[0]]);
  });

  it("fires the sidebar-reach alert once, then sends its resolved message", async () => {
    // Past the 2-hour settling window after the email configuration was saved.
    clock = new Date(clock.getTime() + 3 * HOUR);
    await checkEveryone();
    const fired = receiver.received.filter((hook) => hook.body.kind === "sidebar_reach");
    expect(fired.map((hook) => [hook.body.event, hook.body.summary, hook.signatureValid])).toEqual([
      [
        "fired",
        "2 users have a connected mailbox but have not opened the sidebar in 7 days; " +
          "sign-in is failing in the sidebar for 1 user",
        true,
      ],
    ]);
    const open = (await call("GET", `/api/orgs/${org.id}/monitoring/alerts`, ADMIN)).json<AlertSettingsDto>();
    expect(open.rules.sidebarReach).toEqual({ enabled: true, days: 7 });
    expect(open.open.map((alert) => alert.kind)).toEqual(["sidebar_reach"]);

    const summary = (await call("GET", `/api/orgs/${org.id}/reach/summary`, ADMIN)).json<ReachSummaryDto>();
    expect(summary).toEqual({
      windowDays: 7,
      connected: 4,
      reached: 2,
      perClient: [
        { client: "new Outlook (Windows)", users: 1 },
        { client: "Outlook on the web", users: 1 },
      ],
    });

    // Still the same at the next run: the alert is open already, nothing more is sent.
    clock = new Date(clock.getTime() + HOUR);
    await checkEveryone();
    expect(receiver.received.filter((hook) => hook.body.kind === "sidebar_reach")).toHaveLength(1);

    clock = new Date(clock.getTime() + 2 * HOUR);
    for (const email of [ADMIN, ...org.emails]) {
      expect((await reportAs(email, report({ client: "Outlook", platform: "PC" }))).json()).toEqual({ recorded: true });
    }
    await checkEveryone();
    expect(receiver.received.filter((hook) => hook.body.kind === "sidebar_reach").map((h) => h.body.event)).toEqual([
      "fired",
      "resolved",
    ]);
    expect((await call("GET", `/api/orgs/${org.id}/monitoring/alerts`, ADMIN)).json<AlertSettingsDto>().open).toEqual(
      [],
    );
  });

  it("a PUT of the alert rules without sidebarReach keeps it; one out of range is refused naming the field", async () => {
    const url = `/api/orgs/${org.id}/monitoring/alerts`;
    const { sidebarReach: _kept, ...older } = (await call("GET", url, ADMIN)).json<AlertSettingsDto>().rules;
    const withDays = await call("PUT", url, ADMIN, { ...older, sidebarReach: { enabled: true, days: 14 } });
    expect(withDays.statusCode, withDays.body).toBe(200);
    const saved = await call("PUT", url, ADMIN, older);
    expect(saved.json<AlertSettingsDto>().rules.sidebarReach).toEqual({ enabled: true, days: 14 });
    const refused = await call("PUT", url, ADMIN, { ...older, sidebarReach: { enabled: true, days: 91 } });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain("sidebarReach");
  });

  it("forgets reports after 90 days", async () => {
    clock = new Date(clock.getTime() + 91 * 24 * HOUR);
    expect(await users()).toEqual([]);
    expect((await users("never_opened")).length).toBe(4);
  });
});
