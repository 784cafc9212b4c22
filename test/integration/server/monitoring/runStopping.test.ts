/**
 * A refused service account or app means one thing wherever it is found: for every run-stopping category of the
 * contract, the preflight's answer and a user's answer mid-run end the run in the same state, with the same stop
 * category, and open the same alert ("before any user" only when nobody was checked), on SQLite (in-process) and
 * PostgreSQL (chunk jobs) alike.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RUN_STOPPING_CATEGORIES, type CategoryId } from "../../../../src/contract/categories.js";
import type { CheckRunDto } from "../../../../src/contract/checks.js";
import type { AlertSettingsDto } from "../../../../src/contract/monitoring.js";
import { createTestBackend, type TestBackend } from "../../../support/backend.js";
import { EWS_CONFIG, FakeMailboxDriver, outcome } from "../../../support/fakeMailboxDriver.js";
import { postgresEnabled } from "../../../support/postgres.js";
import type { SeededOrg } from "../../../support/seed.js";

const ADMIN = "admin@contoso.test";
/** Users checked before the mid-run refusal (one request at a time, so exactly these many). */
const CHECKED_FIRST = 2;

const dialects: Array<"sqlite" | "postgres"> = ["sqlite"];
if (await postgresEnabled()) dialects.push("postgres");

describe.each(dialects)("a run-stopping category at preflight and mid-run on %s", (dialect) => {
  let harness: TestBackend;
  let org: SeededOrg;
  let token: string;
  /** The category every user's check answers after the first CHECKED_FIRST; null: everyone is ok. */
  let midRun: CategoryId | null = null;
  let calls = 0;
  const driver = new FakeMailboxDriver(() => {
    calls += 1;
    return midRun !== null && calls > CHECKED_FIRST ? outcome(midRun, { detail: "refused" }) : outcome("ok");
  });
  let clock = new Date("2026-12-01T09:00:00.000Z");

  const api = (method: "GET" | "POST", url: string, body?: unknown) =>
    harness.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
    });

  /** Checks everyone one user at a time; answers the finished run and the open alerts once monitoring is done. */
  async function checkEveryone(): Promise<{ run: CheckRunDto; open: AlertSettingsDto["open"] }> {
    calls = 0;
    clock = new Date(clock.getTime() + 3_600_000);
    const started = await api("POST", `/api/orgs/${org.id}/checks`, {
      scope: { all: true },
      depth: "read",
      concurrency: 1,
    });
    expect(started.statusCode, started.body).toBe(202);
    const { runId } = started.json<{ runId: string }>();
    await harness.app.ctx.checks.settled(runId);
    await harness.app.ctx.monitoring.idle();
    const run = (await api("GET", `/api/orgs/${org.id}/checks/${runId}`)).json<CheckRunDto>();
    const open = (await api("GET", `/api/orgs/${org.id}/monitoring/alerts`)).json<AlertSettingsDto>().open;
    return { run, open };
  }

  /** A clean run closes the refused alert before the next case. */
  async function cleanRun(): Promise<void> {
    driver.accept();
    midRun = null;
    const { run, open } = await checkEveryone();
    expect(run.state).toBe("completed");
    expect(open).toEqual([]);
  }

  beforeAll(async () => {
    harness = await createTestBackend({
      env: { MONITORING_TICK_MS: "0", OUTBOUND_HOST_OVERRIDES: "mail.contoso.test=127.0.0.1" },
      resolver: "system",
      dialect,
      deps: { now: () => clock },
    });
    harness.app.ctx.checks.useDriverFactory(() => driver);
    org = await harness.seedUsers(5, ADMIN);
    token = await harness.token(ADMIN);
    const saved = await harness.app.inject({
      method: "PUT",
      url: `/api/orgs/${org.id}/email-config`,
      headers: { authorization: `Bearer ${token}`, "if-match": '"0"' },
      payload: EWS_CONFIG,
    });
    expect(saved.statusCode, saved.body).toBe(200);
    // Past the configuration change's settling window, so that alerts are sent.
    clock = new Date("2026-12-01T12:00:00.000Z");
  });

  afterAll(async () => {
    await harness.close();
  });

  it("stops on every refused service account or app: the contract's run-stopping categories", () => {
    expect([...RUN_STOPPING_CATEGORIES].sort()).toEqual(
      [
        "app_not_in_tenant",
        "auth_failed",
        "auth_method_unsupported",
        "basic_disabled",
        "conditional_access_blocked",
        "ntlm_refused",
        "secret_expired",
        "secret_id_pasted",
        "tenant_not_found",
        "token_expired",
      ].sort(),
    );
  });

  it.each(RUN_STOPPING_CATEGORIES)(
    "gives the same run state and the same alert at preflight as mid-run: %s",
    async (category) => {
      await cleanRun();
      driver.refuse(category, "refused");
      const atPreflight = await checkEveryone();

      await cleanRun();
      midRun = category;
      const midway = await checkEveryone();

      for (const [when, { run }] of [
        ["preflight", atPreflight],
        ["mid-run", midway],
      ] as const) {
        expect({ when, state: run.state, stopCategory: run.stopReason?.category }).toEqual({
          when,
          state: "auth_failed",
          stopCategory: category,
        });
      }
      expect(atPreflight.run.done).toBe(0);
      expect(midway.run.done).toBe(CHECKED_FIRST);
      expect(atPreflight.open.map((alert) => [alert.kind, alert.runId, alert.summary])).toEqual([
        [
          "service_account_refused",
          atPreflight.run.id,
          "The service account or app was refused; the check run stopped before any user",
        ],
      ]);
      expect(midway.open.map((alert) => [alert.kind, alert.runId, alert.summary])).toEqual([
        [
          "service_account_refused",
          midway.run.id,
          `The service account or app was refused; the check run stopped after ${CHECKED_FIRST} user(s)`,
        ],
      ]);
    },
  );
});
