/**
 * A server whose throttling policy allows 6 concurrent EWS requests (a customised EWSMaxConcurrency the admin cannot
 * know) and a run configured for 27: the service account's adaptive budget learns the limit from ErrorServerBusy,
 * and no user ends server_busy or throttled. On PostgreSQL the budget's slots are leased from the database
 * (sharedSlots.ts), as several processes would share them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CheckRunDto } from "../../../../src/contract/checks.js";
import {
  DEMO_SCENARIO_FILE,
  generateScenario,
  loadScenarioFile,
  startLab,
  type Lab,
} from "../../../../src/lab/index.js";
import { createTestBackend, type TestBackend } from "../../../support/backend.js";
import { postgresEnabled } from "../../../support/postgres.js";
import { seedOrgUsers } from "../../../support/seed.js";

const USERS = 400;
const SERVER_BUDGET = 6;
const SERVICE_ACCOUNT = "svc-sync@contoso.lab";

const dialects: Array<"sqlite" | "postgres"> = (await postgresEnabled()) ? ["sqlite", "postgres"] : ["sqlite"];

describe.each(dialects)("a check run against a server budget below the configured concurrency on %s", (dialect) => {
  let lab: Lab;
  let harness: TestBackend;
  let orgId: string;
  let adminToken: string;

  beforeAll(async () => {
    const generated = generateScenario({ users: USERS, base: await loadScenarioFile(DEMO_SCENARIO_FILE) });
    lab = await startLab({
      scenario: {
        ...generated,
        latencyMs: { min: 5, max: 5 },
        throttling: { ...generated.throttling, budget: SERVER_BUDGET, response: "serverBusy", backOffMs: 50 },
        faults: [],
      },
      port: 0,
    });
    harness = await createTestBackend({
      dialect,
      env: {
        OUTBOUND_CA_FILE: lab.caCertFile,
        OUTBOUND_HOST_OVERRIDES: "localhost=127.0.0.1",
        CHECK_MAX_CONCURRENCY: "27",
        RATE_LIMIT_MAX: "100000",
      },
      resolver: "system",
    });
    const admin = generated.users[0]?.email ?? "";
    const org = await harness.seedUsers(0);
    orgId = org.id;
    // The scenario's users, its first one the admin, as the organization's user list.
    await seedOrgUsers(
      harness.database.db,
      orgId,
      generated.users.map((user) => user.email),
      admin,
    );
    adminToken = await harness.token(admin);
  });

  afterAll(async () => {
    await harness.close();
    await lab.close();
  });

  it("learns the budget: every user gets a real answer and none ends server_busy or throttled", async () => {
    const started = await harness.app.inject({
      method: "POST",
      url: `/api/orgs/${orgId}/checks`,
      headers: { authorization: `Bearer ${adminToken}` },
      payload: {
        scope: { all: true },
        depth: "read",
        concurrency: 27,
        draft: {
          accessType: "ews_basic_impersonation",
          ewsUrl: lab.ewsUrl,
          accountLogon: SERVICE_ACCOUNT,
          password: "Sync-Lab-2026!",
        },
      },
    });
    expect(started.statusCode, started.body).toBe(202);
    const { runId } = started.json<{ runId: string }>();
    await harness.app.ctx.checks.settled(runId);
    const finished = (
      await harness.app.inject({
        method: "GET",
        url: `/api/orgs/${orgId}/checks/${runId}`,
        headers: { authorization: `Bearer ${adminToken}` },
      })
    ).json<CheckRunDto>();

    expect(finished).toMatchObject({ state: "completed", total: USERS, done: USERS, concurrency: 27 });
    // The server did refuse the first bursts: the budget was learned, not configured.
    expect(lab.stats.ewsBusy).toBeGreaterThan(0);
    expect(harness.app.ctx.checks.workerStatus().budget).toBe(dialect === "postgres" ? "postgres" : "in-process");
    expect(finished.counts.server_busy ?? 0).toBe(0);
    expect(finished.counts.throttled ?? 0).toBe(0);
    expect(finished.counts.too_many_connections ?? 0).toBe(0);
    expect(finished.severityCounts.transient).toBe(0);
    // Few refusals for 400 users: it settles under the server's budget instead of knocking on it all run long.
    expect(lab.stats.ewsBusy).toBeLessThan(USERS / 4);
  });
});
