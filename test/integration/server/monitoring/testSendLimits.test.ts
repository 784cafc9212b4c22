/**
 * Issue 27, item 3: test sends are limited per organization (429 problem+json with Retry-After), answer at once
 * while the delivery (retries included) lands in the delivery log, and alert mail stops at a daily cap per
 * organization with one audit line when it is reached.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditEventDto, Page } from "../../../../src/contract/api.js";
import type { DeliveryAttemptDto } from "../../../../src/contract/monitoring.js";
import { createTestBackend, type TestBackend } from "../../../support/backend.js";

const ADMIN = "admin@contoso.test";
let harness: TestBackend;
let orgId = "";
let token = "";
let clock = new Date("2026-12-01T10:00:00.000Z");
/** A relay that takes every mail: counts them. */
const mailed: string[][] = [];
/** A webhook that never answers 2xx: the test send must not wait for its retries. */
let webhookCalls = 0;

const api = (method: "GET" | "POST" | "PUT", url: string, payload?: unknown) =>
  harness.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${token}` },
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });
const monitoring = (path: string) => `/api/orgs/${orgId}/monitoring/${path}`;

beforeAll(async () => {
  harness = await createTestBackend({
    env: {
      SMTP_HOST: "relay.contoso.test",
      SMTP_FROM: "alerts@contoso.test",
      ALERT_TEST_SENDS_MAX: "5",
      ALERT_TEST_SENDS_WINDOW_MS: "600000",
      ALERT_MAIL_DAILY_CAP: "7",
      WEBHOOK_MAX_ATTEMPTS: "3",
      WEBHOOK_RETRY_BASE_MS: "400",
    },
    deps: { now: () => clock },
  });
  const seeded = await harness.seedOrg({ name: "Contoso", admin: ADMIN });
  orgId = seeded.orgId;
  token = await harness.token(ADMIN);
  const service = harness.app.ctx.monitoring as unknown as {
    deps: { mailer: { sendMail(mail: { to: string[] }): Promise<unknown>; close(): void }; fetch: unknown };
  };
  service.deps.mailer = {
    sendMail: (mail) => {
      mailed.push(mail.to);
      return Promise.resolve({});
    },
    close: () => undefined,
  };
  service.deps.fetch = () => {
    webhookCalls += 1;
    return Promise.resolve({ status: 503, headers: new Headers(), body: null });
  };
  const saved = await harness.app.inject({
    method: "PUT",
    url: monitoring("channels"),
    headers: { authorization: `Bearer ${token}` },
    payload: {
      email: { enabled: true, recipients: ["ops@contoso.test", "oncall@contoso.test"] },
      webhook: { enabled: false, url: null },
    },
  });
  expect(saved.statusCode, saved.body).toBe(200);
});
afterAll(async () => {
  await harness.close();
});

describe("test sends", () => {
  it("allow five per ten minutes per organization, then answer 429 problem+json with Retry-After", async () => {
    for (let sent = 0; sent < 5; sent += 1) {
      const queued = await api("POST", monitoring("channels/test"));
      expect(queued.statusCode, queued.body).toBe(202);
      expect(queued.json()).toMatchObject({ channels: ["email"] });
    }
    const refused = await api("POST", monitoring("channels/test"));
    expect(refused.statusCode).toBe(429);
    expect(refused.headers["content-type"]).toContain("application/problem+json");
    expect(Number(refused.headers["retry-after"])).toBe(600);
    expect(refused.json()).toMatchObject({ status: 429, title: "Too Many Requests" });
    await harness.app.ctx.monitoring.idle();
    expect(mailed).toHaveLength(5);

    clock = new Date(clock.getTime() + 600_001);
    expect((await api("POST", monitoring("channels/test"))).statusCode).toBe(202);
    await harness.app.ctx.monitoring.idle();
  });

  it("answer at once while the webhook's retries go on, and report them in the delivery log", async () => {
    clock = new Date(clock.getTime() + 600_001);
    const saved = await api("PUT", monitoring("channels"), {
      email: { enabled: false, recipients: [] },
      webhook: { enabled: true, url: "https://mail.contoso.com/hook", secret: "a-signing-secret-of-16+" },
    });
    expect(saved.statusCode, saved.body).toBe(200);
    const started = Date.now();
    const queued = await api("POST", monitoring("channels/test"));
    expect(queued.statusCode, queued.body).toBe(202);
    // Three attempts wait 400 + 800 ms between them: the answer came before the back-off.
    expect(Date.now() - started).toBeLessThan(1_000);
    const { messageId } = queued.json<{ messageId: string }>();
    await harness.app.ctx.monitoring.idle();
    expect(webhookCalls).toBe(3);
    const log = (await api("GET", monitoring("deliveries"))).json<Page<DeliveryAttemptDto>>();
    expect(log.items.filter((row) => row.messageId === messageId).map((row) => row.status)).toEqual([
      "failed",
      "retrying",
      "retrying",
    ]);
  });
});

describe("the daily cap on alert mail", () => {
  it("holds back mail past the cap with a reason in the log, and audits the cap once", async () => {
    clock = new Date("2026-12-01T20:00:00.000Z");
    await api("PUT", monitoring("channels"), {
      email: { enabled: true, recipients: ["ops@contoso.test"] },
      webhook: { enabled: false, url: null },
    });
    // Six mails went out today; the cap is seven: one more goes, then none.
    for (let sent = 0; sent < 3; sent += 1) {
      expect((await api("POST", monitoring("channels/test"))).statusCode).toBe(202);
      await harness.app.ctx.monitoring.idle();
    }
    expect(mailed).toHaveLength(7);
    const log = (await api("GET", monitoring("deliveries?limit=2"))).json<Page<DeliveryAttemptDto>>();
    expect(log.items.map((row) => [row.channel, row.status, row.error?.slice(0, 40)])).toEqual([
      ["email", "failed", "Not sent: the organization's daily cap o"],
      ["email", "failed", "Not sent: the organization's daily cap o"],
    ]);
    const audit = (await api("GET", `/api/orgs/${orgId}/audit?limit=50`)).json<Page<AuditEventDto>>();
    expect(audit.items.filter((event) => event.action === "monitoring.alert_mail.cap_reached")).toHaveLength(1);

    // The next UTC day starts afresh.
    clock = new Date("2026-12-02T00:30:00.000Z");
    expect((await api("POST", monitoring("channels/test"))).statusCode).toBe(202);
    await harness.app.ctx.monitoring.idle();
    expect(mailed).toHaveLength(8);
  });
});
