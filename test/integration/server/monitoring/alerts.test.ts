/**
 * What a finished run leaves behind and who hears of it: the history and status-change APIs (admins only, scoped to
 * the organization, paged), no alert while a configuration change settles, the failing-share alert to a signed
 * webhook that is retried after a 500, the resolved message once the fault is fixed, and 400s naming the field.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "../../../../src/contract/api.js";
import type {
  AlertSettingsDto,
  DeliveryAttemptDto,
  FailingUserDto,
  RunHistoryEntryDto,
  StatusChangeDto,
} from "../../../../src/contract/monitoring.js";
import { createTestBackend, type TestBackend } from "../../../support/backend.js";
import type { SeededOrg } from "../../../support/seed.js";
import { APP_ONLY_CONFIG, FakeMailboxDriver } from "../../../support/fakeMailboxDriver.js";
import { startWebhookReceiver, type WebhookReceiver } from "./webhookReceiver.js";

const ADMIN = "admin@contoso.test";
const SECRET = "whsec-0123456789abcdef";

describe("monitoring history and alerts", () => {
  let harness: TestBackend;
  let receiver: WebhookReceiver;
  let org: SeededOrg;
  let other: SeededOrg;
  let token: string;
  const driver = new FakeMailboxDriver();
  let clock = new Date("2026-12-01T09:00:00.000Z");

  const api = (method: "GET" | "PUT" | "POST", url: string, body?: unknown, as = token) =>
    harness.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${as}` },
      ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
    });
  const monitoring = (suffix: string) => `/api/orgs/${org.id}/monitoring/${suffix}`;

  async function checkEveryone(): Promise<string> {
    const started = await api("POST", `/api/orgs/${org.id}/checks`, { scope: { all: true }, depth: "read" });
    expect(started.statusCode, started.body).toBe(202);
    const { runId } = started.json<{ runId: string }>();
    await harness.app.ctx.checks.settled(runId);
    await harness.app.ctx.monitoring.idle();
    return runId;
  }

  beforeAll(async () => {
    receiver = await startWebhookReceiver(SECRET);
    harness = await createTestBackend({
      env: {
        MONITORING_TICK_MS: "0",
        OUTBOUND_HOST_OVERRIDES: "mail.contoso.test=127.0.0.1,localhost=127.0.0.1",
        OUTBOUND_CA_FILE: receiver.caCertFile,
        WEBHOOK_RETRY_BASE_MS: "20",
        RATE_LIMIT_MAX: "100000",
      },
      resolver: "system",
      deps: { now: () => clock },
    });
    harness.app.ctx.checks.useDriverFactory(() => driver);
    org = await harness.seedUsers(4, ADMIN);
    other = await harness.seedUsers(2, "admin@fabrikam.test", "fabrikam.test");
    token = await harness.token(ADMIN);
    const saved = await harness.app.inject({
      method: "PUT",
      url: `/api/orgs/${org.id}/email-config`,
      headers: { authorization: `Bearer ${token}`, "if-match": '"0"' },
      // App-only: its changes settle (RBAC for Applications), so the first run's alerts are held.
      payload: APP_ONLY_CONFIG,
    });
    expect(saved.statusCode, saved.body).toBe(200);
  });

  afterAll(async () => {
    await harness.close();
    await receiver.close();
  });

  it("refuses bad alert rules and channels with 400 naming the field, storing nothing", async () => {
    const rules = (await api("GET", monitoring("alerts"))).json<AlertSettingsDto>().rules;
    expect(rules.failingShare).toEqual({ enabled: true, percent: 20 });
    const tooHigh = await api("PUT", monitoring("alerts"), { ...rules, failingShare: { enabled: true, percent: 101 } });
    expect(tooHigh.statusCode).toBe(400);
    expect(tooHigh.json<{ errors: Array<{ field: string }> }>().errors[0]?.field).toBe("failingShare.percent");

    const channel = (webhook: Record<string, unknown>) => ({ email: { enabled: false, recipients: [] }, webhook });
    const cases: Array<[Record<string, unknown>, string]> = [
      [channel({ enabled: true, url: "http://localhost/hook", secret: SECRET }), "webhook.url"],
      [channel({ enabled: true, url: "https://metadata.example.com/hook", secret: SECRET }), "webhook.url"],
      [channel({ enabled: true, url: receiver.url, secret: "short" }), "webhook.secret"],
      [channel({ enabled: true, url: receiver.url }), "webhook.secret"],
      [
        { email: { enabled: true, recipients: ["not an address"] }, webhook: { enabled: false, url: null } },
        "email.recipients.0",
      ],
    ];
    for (const [body, field] of cases) {
      const refused = await api("PUT", monitoring("channels"), body);
      expect(refused.statusCode, JSON.stringify(body)).toBe(400);
      expect(refused.headers["content-type"]).toContain("application/problem+json");
      expect(refused.json<{ errors: Array<{ field: string }> }>().errors.map((error) => error.field)).toContain(field);
    }
    const stored = await api("GET", monitoring("channels"));
    expect(stored.json()).toMatchObject({ webhook: { enabled: false, url: null, hasSecret: false }, updatedAt: null });
  });

  it("stores the webhook secret sealed and never answers it", async () => {
    const saved = await api("PUT", monitoring("channels"), {
      email: { enabled: false, recipients: [] },
      webhook: { enabled: true, url: receiver.url, secret: SECRET },
    });
    expect(saved.statusCode, saved.body).toBe(200);
    // Shown by its origin only: the path and query are sealed like the secret (issue 27, item 6).
    const shown = `${new URL(receiver.url).origin}/…`;
    expect(saved.json()).toMatchObject({ webhook: { enabled: true, url: shown, hasSecret: true } });
    expect(saved.body).not.toContain(SECRET);
    const row = await harness.database.db
      .selectFrom("monitoring_settings")
      .select("webhook_secret_enc")
      .where("org_id", "=", org.id)
      .executeTakeFirstOrThrow();
    expect(row.webhook_secret_enc).toMatch(/^v1\./);
    expect(row.webhook_secret_enc).not.toContain(SECRET);
    const audit = await api("GET", `/api/orgs/${org.id}/audit`);
    expect(audit.body).not.toContain(SECRET);
  });

  it("keeps history and status changes but sends no alert while the configuration change settles", async () => {
    // Saved at 09:00; the default settling window is 2 hours.
    clock = new Date("2026-12-01T09:30:00.000Z");
    driver.failing = new Map([
      ["user1@contoso.test", "impersonation_denied"],
      ["user2@contoso.test", "no_mailbox"],
    ]);
    const runId = await checkEveryone();

    const history = (await api("GET", monitoring("history"))).json<Page<RunHistoryEntryDto>>();
    expect(history.items).toHaveLength(1);
    expect(history.items[0]).toMatchObject({
      runId,
      trigger: "manual",
      state: "completed",
      total: 5,
      counts: { ok: 3, impersonation_denied: 1, no_mailbox: 1 },
      health: { connected: 3, needsAttention: 0, failing: 2 },
    });
    const changes = (await api("GET", monitoring("status-changes"))).json<Page<StatusChangeDto>>();
    expect(changes.items.map((change) => [change.email, change.change, change.category]).sort()).toEqual([
      ["user1@contoso.test", "started_failing", "impersonation_denied"],
      ["user2@contoso.test", "started_failing", "no_mailbox"],
    ]);
    const failing = (await api("GET", monitoring("failing-users"))).json<{ items: FailingUserDto[] }>().items;
    expect(failing.map((user) => [user.email, user.since])).toEqual([
      ["user1@contoso.test", "2026-12-01T09:30:00.000Z"],
      ["user2@contoso.test", "2026-12-01T09:30:00.000Z"],
    ]);

    expect((await api("GET", monitoring("alerts"))).json<AlertSettingsDto>().open).toEqual([]);
    expect(receiver.received).toEqual([]);
    expect((await api("GET", monitoring("deliveries"))).json<Page<DeliveryAttemptDto>>().items).toEqual([]);
  });

  it("fires the failing-share alert once to a signed webhook, retried after a 500", async () => {
    clock = new Date("2026-12-01T12:00:00.000Z");
    receiver.answer = (index) => (index === 0 ? 500 : 200);
    const runId = await checkEveryone();

    expect(receiver.received.map((hook) => [hook.status, hook.body.event, hook.body.kind])).toEqual([
      [500, "fired", "failing_share"],
      [200, "fired", "failing_share"],
    ]);
    expect(receiver.received.every((hook) => hook.signatureValid)).toBe(true);
    expect(receiver.received[1]?.body.summary).toContain("40%");
    const open = (await api("GET", monitoring("alerts"))).json<AlertSettingsDto>().open;
    expect(open).toMatchObject([{ kind: "failing_share", runId }]);
    const log = (await api("GET", monitoring("deliveries"))).json<Page<DeliveryAttemptDto>>().items;
    expect(log.map((attempt) => [attempt.attempt, attempt.status, attempt.httpStatus])).toEqual([
      [2, "delivered", 200],
      [1, "retrying", 500],
    ]);

    // Still failing at the next run: the alert is already open, nothing more is sent.
    clock = new Date("2026-12-01T13:00:00.000Z");
    await checkEveryone();
    expect(receiver.received).toHaveLength(2);
  });

  it("sends the resolved message once the fault is fixed, and records the recoveries", async () => {
    clock = new Date("2026-12-01T14:00:00.000Z");
    driver.failing = new Map();
    await checkEveryone();
    expect(receiver.received.slice(2).map((hook) => [hook.body.event, hook.body.kind, hook.signatureValid])).toEqual([
      ["resolved", "failing_share", true],
    ]);
    expect((await api("GET", monitoring("alerts"))).json<AlertSettingsDto>().open).toEqual([]);
    const recovered = (await api("GET", monitoring("status-changes?limit=1"))).json<Page<StatusChangeDto>>();
    expect(recovered.items[0]).toMatchObject({ change: "recovered", previousCategory: expect.any(String) as string });
    expect(recovered.nextCursor).not.toBeNull();
    const next = await api("GET", monitoring(`status-changes?limit=10&cursor=${recovered.nextCursor ?? ""}`));
    expect(next.json<Page<StatusChangeDto>>().items).toHaveLength(3);
    expect((await api("GET", monitoring("failing-users"))).json<{ items: FailingUserDto[] }>().items).toEqual([]);
  });

  it("sends a test message on request", async () => {
    const tested = await api("POST", monitoring("channels/test"));
    expect(tested.statusCode, tested.body).toBe(202);
    const { messageId } = tested.json<{ messageId: string; channels: string[] }>();
    expect(tested.json()).toMatchObject({ channels: ["webhook"] });
    await harness.app.ctx.monitoring.idle();
    const log = (await api("GET", monitoring("deliveries"))).json<Page<DeliveryAttemptDto>>();
    expect(log.items.filter((row) => row.messageId === messageId)).toMatchObject([
      { channel: "webhook", event: "test", status: "delivered", httpStatus: 200 },
    ]);
    expect(receiver.received.at(-1)).toMatchObject({ signatureValid: true, body: { event: "test", kind: null } });
  });

  it("answers history and status changes to the organization's admins only", async () => {
    const member = await harness.token(org.emails.find((email) => email !== ADMIN)!);
    const outsider = await harness.token("admin@fabrikam.test");
    for (const path of ["history", "status-changes", "failing-users", "deliveries", "alerts", "channels"]) {
      expect((await api("GET", monitoring(path), undefined, member)).statusCode, path).toBe(403);
      expect((await api("GET", monitoring(path), undefined, outsider)).statusCode, path).toBe(404);
    }
    const theirs = await api("GET", `/api/orgs/${other.id}/monitoring/history`, undefined, outsider);
    expect(theirs.statusCode).toBe(200);
    expect(theirs.json<Page<RunHistoryEntryDto>>().items).toEqual([]);
    const paged = (await api("GET", monitoring("history?limit=2"))).json<Page<RunHistoryEntryDto>>();
    expect(paged.items).toHaveLength(2);
    const rest = await api("GET", monitoring(`history?limit=10&cursor=${paged.nextCursor ?? ""}`));
    expect(rest.json<Page<RunHistoryEntryDto>>().items).toHaveLength(2);
  });
});
