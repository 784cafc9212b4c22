/**
 * Scheduled re-checks driven by a controllable clock: one run per slot (also with two schedulers on one database),
 * none before the slot or for slots missed while the server was down, the re-check once a configuration change has
 * settled, and a 400 naming the field for a bad schedule.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MailboxStatusDto } from "../../../../src/contract/api.js";
import type { CheckRunDto } from "../../../../src/contract/checks.js";
import type { MonitoringScheduleDto } from "../../../../src/contract/monitoring.js";
import { buildApp } from "../../../../src/server/app.js";
import type { FastifyInstance } from "fastify";
import { createTestBackend, type TestBackend } from "../../../support/backend.js";
import { postgresEnabled } from "../../../support/postgres.js";
import type { SeededOrg } from "../../../support/seed.js";
import { EWS_CONFIG, FakeMailboxDriver } from "../../../support/fakeMailboxDriver.js";

const ADMIN = "admin@contoso.test";
// Both dialects: on PostgreSQL the two schedulers' slot inserts really race on separate connections.
const dialects: Array<"sqlite" | "postgres"> = ["sqlite"];
if (await postgresEnabled()) dialects.push("postgres");

describe.each(dialects)("monitoring schedules on %s", (dialect) => {
  let harness: TestBackend;
  let second: FastifyInstance;
  let org: SeededOrg;
  let other: SeededOrg;
  let token: string;
  const driver = new FakeMailboxDriver();
  let clock = new Date("2026-12-01T04:00:00.000Z");
  const now = () => clock;

  const api = (method: "GET" | "PUT" | "POST", url: string, body?: unknown, as = token) =>
    harness.app.inject({
      method,
      url,
      headers: {
        authorization: `Bearer ${as}`,
        ...(method === "PUT" && url.endsWith("email-config") ? { "if-match": '"0"' } : {}),
      },
      ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
    });

  async function runsOf(orgId: string): Promise<CheckRunDto[]> {
    const listed = await api("GET", `/api/orgs/${orgId}/checks?limit=50`);
    expect(listed.statusCode, listed.body).toBe(200);
    return listed.json<{ items: CheckRunDto[] }>().items;
  }

  async function settle(runIds: string[]): Promise<void> {
    for (const runId of runIds) {
      await harness.app.ctx.checks.settled(runId);
      await second.ctx.checks.settled(runId);
    }
  }

  beforeAll(async () => {
    harness = await createTestBackend({
      dialect,
      env: {
        MONITORING_TICK_MS: "0",
        OUTBOUND_HOST_OVERRIDES: "mail.contoso.test=127.0.0.1",
        RATE_LIMIT_MAX: "100000",
      },
      resolver: "system",
      deps: { now },
    });
    // A second server on the same database: another process of the same deployment.
    second = await buildApp(harness.config, { database: harness.database, keyring: harness.keyring, now });
    for (const app of [harness.app, second]) app.ctx.checks.useDriverFactory(() => driver);
    org = await harness.seedUsers(4, ADMIN);
    other = await harness.seedUsers(2, "admin@fabrikam.test", "fabrikam.test");
    token = await harness.token(ADMIN);
    const saved = await api("PUT", `/api/orgs/${org.id}/email-config`, EWS_CONFIG);
    expect(saved.statusCode, saved.body).toBe(200);
  });

  afterAll(async () => {
    await second.close();
    await harness.close();
  });

  it("answers the defaults until a schedule is saved: daily 06:00 in the server's zone, 2 h settling", async () => {
    const schedule = await api("GET", `/api/orgs/${org.id}/monitoring/schedule`);
    expect(schedule.statusCode, schedule.body).toBe(200);
    expect(schedule.json<MonitoringScheduleDto>()).toMatchObject({
      mode: "daily",
      time: "06:00",
      timeZone: "UTC",
      recheckAfterChange: true,
      settlingMinutes: 120,
      historyDays: 90,
      nextRunAt: "2026-12-01T06:00:00.000Z",
      updatedAt: null,
    });
  });

  it("refuses a bad schedule with 400 problem+json naming the field, and stores nothing", async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ mode: "daily", timeZone: "Mars/Olympus_Mons" }, "timeZone"],
      [{ mode: "daily", time: "25:00" }, "time"],
      [{ mode: "every_hours", everyHours: 0 }, "everyHours"],
      [{ mode: "daily", settlingMinutes: 5000 }, "settlingMinutes"],
      [{ mode: "weekly" }, "mode"],
    ];
    for (const [body, field] of cases) {
      const refused = await api("PUT", `/api/orgs/${org.id}/monitoring/schedule`, body);
      expect(refused.statusCode, JSON.stringify(body)).toBe(400);
      expect(refused.headers["content-type"]).toContain("application/problem+json");
      expect(refused.json<{ errors: Array<{ field: string }> }>().errors.map((error) => error.field)).toContain(field);
    }
    const stored = await api("GET", `/api/orgs/${org.id}/monitoring/schedule`);
    expect(stored.json<MonitoringScheduleDto>().updatedAt).toBeNull();
  });

  it("is the organization's admins' only", async () => {
    const outsider = await harness.token("admin@fabrikam.test");
    const foreign = await api("PUT", `/api/orgs/${org.id}/monitoring/schedule`, { mode: "off" }, outsider);
    // Not a member: the organization does not exist as far as the caller can tell.
    expect(foreign.statusCode).toBe(404);
    const member = await harness.token(org.emails.find((email) => email !== ADMIN)!);
    expect((await api("GET", `/api/orgs/${org.id}/monitoring/schedule`, undefined, member)).statusCode).toBe(403);
  });

  it("starts exactly one run per daily slot in the org's time zone, across two schedulers on one database", async () => {
    const saved = await api("PUT", `/api/orgs/${org.id}/monitoring/schedule`, {
      mode: "daily",
      time: "06:00",
      timeZone: "Europe/Berlin",
      // The configuration was saved at 04:00 UTC; its re-check is tested below.
      recheckAfterChange: false,
    });
    expect(saved.statusCode, saved.body).toBe(200);
    // 06:00 in Berlin is 05:00 UTC in winter.
    expect(saved.json<MonitoringScheduleDto>().nextRunAt).toBe("2026-12-01T05:00:00.000Z");

    clock = new Date("2026-12-01T04:59:59.000Z");
    expect(await harness.app.ctx.scheduler.tick()).toEqual([]);

    clock = new Date("2026-12-01T05:00:30.000Z");
    const [first, other2] = await Promise.all([harness.app.ctx.scheduler.tick(), second.ctx.scheduler.tick()]);
    const started = [...first, ...other2];
    expect(started).toHaveLength(1);
    expect(started[0]).toMatchObject({
      orgId: org.id,
      trigger: "scheduled",
      slot: "scheduled:2026-12-01T05:00:00.000Z",
    });
    await settle(started.map((run) => run.runId));

    clock = new Date("2026-12-01T05:10:00.000Z");
    const again = await Promise.all([harness.app.ctx.scheduler.tick(), second.ctx.scheduler.tick()]);
    expect(again.flat()).toEqual([]);

    clock = new Date("2026-12-02T05:00:05.000Z");
    const nextDay = (await Promise.all([second.ctx.scheduler.tick(), harness.app.ctx.scheduler.tick()])).flat();
    expect(nextDay).toHaveLength(1);
    await settle(nextDay.map((run) => run.runId));

    const runs = await runsOf(org.id);
    expect(runs.filter((run) => run.trigger === "scheduled")).toHaveLength(2);
    expect(runs.every((run) => run.state === "completed" && run.startedBy === "scheduler")).toBe(true);
    const audit = await api("GET", `/api/orgs/${org.id}/audit`);
    const starts = audit
      .json<{ items: Array<{ action: string; actor: string; after: { trigger?: string } }> }>()
      .items.filter((event) => event.action === "check_run.start");
    expect(starts.map((event) => [event.actor, event.after.trigger])).toEqual([
      ["scheduler", "scheduled"],
      ["scheduler", "scheduled"],
    ]);
    // The other organization has no schedule: nothing ran there.
    const elsewhere = await harness.database.db
      .selectFrom("check_runs")
      .select("id")
      .where("org_id", "=", other.id)
      .execute();
    expect(elsewhere).toEqual([]);
  });

  it("tells the end user when their mailbox was last checked and that checks are scheduled", async () => {
    const member = await harness.token(org.emails.find((email) => email !== ADMIN)!);
    const status = await api("GET", "/api/me/mailbox-status", undefined, member);
    expect(status.statusCode, status.body).toBe(200);
    const body = status.json<MailboxStatusDto>();
    expect(body.monitoring.scheduled).toBe(true);
    expect(body.monitoring.lastCheckedAt).not.toBeNull();
    expect(body.monitoring.lastCheckedAt).toBe(body.lastCheck?.checkedAt);
  });

  it("skips a slot missed while the server was down, and never starts a second run while one is active", async () => {
    // Back on 3 December, an hour after the slot: too late to run it.
    clock = new Date("2026-12-03T06:00:00.000Z");
    expect(await harness.app.ctx.scheduler.tick()).toEqual([]);

    const hold = harness.app.ctx.checks;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = new FakeMailboxDriver();
    slow.hold = gate;
    hold.useDriverFactory(() => slow);
    clock = new Date("2026-12-03T07:00:00.000Z");
    const manual = await api("POST", `/api/orgs/${org.id}/checks`, { scope: { all: true }, depth: "read" });
    expect(manual.statusCode, manual.body).toBe(202);
    await api("PUT", `/api/orgs/${org.id}/monitoring/schedule`, { mode: "every_hours", everyHours: 1 });
    clock = new Date("2026-12-03T08:00:10.000Z");
    expect(await harness.app.ctx.scheduler.tick()).toEqual([]);
    release();
    await hold.settled(manual.json<{ runId: string }>().runId);
    hold.useDriverFactory(() => driver);
    const runs = await runsOf(org.id);
    expect(runs.filter((run) => run.trigger === "scheduled")).toHaveLength(2);
    expect(runs.filter((run) => run.trigger === "manual")).toHaveLength(1);
  });

  it("re-checks once after a configuration change has settled, not before", async () => {
    await api("PUT", `/api/orgs/${org.id}/monitoring/schedule`, {
      mode: "off",
      recheckAfterChange: true,
      settlingMinutes: 120,
    });
    clock = new Date("2026-12-04T10:00:00.000Z");
    const current = await api("GET", `/api/orgs/${org.id}/email-config`);
    const changed = await harness.app.inject({
      method: "PUT",
      url: `/api/orgs/${org.id}/email-config`,
      headers: { authorization: `Bearer ${token}`, "if-match": current.headers.etag as string },
      payload: { ...EWS_CONFIG, accountLogon: "svc2@contoso.test" },
    });
    expect(changed.statusCode, changed.body).toBe(200);
    const schedule = await api("GET", `/api/orgs/${org.id}/monitoring/schedule`);
    // On-premises EWS applies a change at once: no alert is held; the re-check still waits settlingMinutes.
    expect(schedule.json<MonitoringScheduleDto>().settlingUntil).toBeNull();

    clock = new Date("2026-12-04T11:59:00.000Z");
    expect(await harness.app.ctx.scheduler.tick()).toEqual([]);
    clock = new Date("2026-12-04T12:00:30.000Z");
    const started = (await Promise.all([harness.app.ctx.scheduler.tick(), second.ctx.scheduler.tick()])).flat();
    expect(started.map((run) => run.trigger)).toEqual(["after_change"]);
    await settle(started.map((run) => run.runId));
    clock = new Date("2026-12-04T13:30:00.000Z");
    expect(await harness.app.ctx.scheduler.tick()).toEqual([]);
    expect((await runsOf(org.id)).filter((run) => run.trigger === "after_change")).toHaveLength(1);
    // The schedule is off now: the end user's card says checks are not scheduled.
    const member = await harness.token(org.emails.find((email) => email !== ADMIN)!);
    const status = await api("GET", "/api/me/mailbox-status", undefined, member);
    expect(status.json<MailboxStatusDto>().monitoring.scheduled).toBe(false);
  });

  it("checks a configured organization that never saved a schedule daily at 06:00, by default", async () => {
    const fabrikam = await harness.token("admin@fabrikam.test");
    clock = new Date("2026-12-05T05:59:00.000Z");
    const configured = await api("PUT", `/api/orgs/${other.id}/email-config`, EWS_CONFIG, fabrikam);
    expect(configured.statusCode, configured.body).toBe(200);
    const schedule = await api("GET", `/api/orgs/${other.id}/monitoring/schedule`, undefined, fabrikam);
    expect(schedule.json<MonitoringScheduleDto>()).toMatchObject({ mode: "daily", updatedAt: null });

    clock = new Date("2026-12-05T06:00:30.000Z");
    const started = (await Promise.all([harness.app.ctx.scheduler.tick(), second.ctx.scheduler.tick()])).flat();
    // One run for the default slot; its re-check after the change is not due before 07:59.
    expect(started.filter((run) => run.orgId === other.id)).toEqual([
      expect.objectContaining({ trigger: "scheduled", slot: "scheduled:2026-12-05T06:00:00.000Z" }),
    ]);
    await settle(started.map((run) => run.runId));
  });
});
