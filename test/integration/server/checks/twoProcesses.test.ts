/**
 * Two backends on one PostgreSQL schema, as two processes would be: a run started on one is followed from the other
 * (its progress and end reach the other's event subscribers through LISTEN/NOTIFY), a cancel sent to the other
 * stops every process working it, and when the process that started a run goes away the other works its chunks
 * (pg-boss jobs) to the end, with exactly one result per user. A cancel that reaches the starter while it is still
 * queuing the run's chunks ends the run as cancelled, not completed.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CheckRunDto, CheckRunEvent } from "../../../../src/contract/checks.js";
import {
  DEMO_SCENARIO_FILE,
  generateScenario,
  loadScenarioFile,
  startLab,
  type Lab,
} from "../../../../src/lab/index.js";
import { createTestBackend, type TestBackend } from "../../../support/backend.js";
import { storedResults } from "../../../support/checkResults.js";
import { postgresEnabled, TEST_DATABASE_URL } from "../../../support/postgres.js";
import { seedOrgUsers } from "../../../support/seed.js";
import { until } from "../../../support/until.js";

const USERS = 300;

describe.runIf(await postgresEnabled())("check runs shared by two backend processes on PostgreSQL", () => {
  let lab: Lab;
  let starter: TestBackend;
  let other: TestBackend;
  let orgId: string;
  let admin: string;

  /** Starts a run of every user on the starter, two requests at a time; resolves with its id. */
  async function startRun(): Promise<string> {
    const started = await starter.app.inject({
      method: "POST",
      url: `/api/orgs/${orgId}/checks`,
      headers: { authorization: await starter.bearer(admin) },
      payload: {
        scope: { all: true },
        depth: "read",
        concurrency: 2,
        draft: {
          accessType: "ews_basic_impersonation",
          ewsUrl: lab.ewsUrl,
          accountLogon: "svc-sync@contoso.lab",
          password: "Sync-Lab-2026!",
        },
      },
    });
    expect(started.statusCode, started.body).toBe(202);
    return started.json<{ runId: string }>().runId;
  }

  beforeAll(async () => {
    const generated = generateScenario({ users: USERS, base: await loadScenarioFile(DEMO_SCENARIO_FILE) });
    lab = await startLab({ scenario: { ...generated, latencyMs: { min: 20, max: 20 }, faults: [] }, port: 0 });
    const env = {
      OUTBOUND_CA_FILE: lab.caCertFile,
      OUTBOUND_HOST_OVERRIDES: "localhost=127.0.0.1",
      RATE_LIMIT_MAX: "100000",
      // Small chunks, so that both processes work the run.
      CHECK_CHUNK_USERS: "50",
    };
    starter = await createTestBackend({ dialect: "postgres", env: { ...env, PROCESS_NAME: "a" }, resolver: "system" });
    other = await createTestBackend({
      joinPostgresSchema: starter.postgresSchema ?? "",
      // Processes on one database share SECRETS_KEYS: a run's sealed draft opens in either.
      deps: { keyring: starter.keyring },
      env: { ...env, PROCESS_NAME: "b" },
      resolver: "system",
    });
    admin = generated.users[0]?.email ?? "";
    orgId = (await starter.seedUsers(0)).id;
    // The scenario's users, its first one the admin, as the organization's user list.
    await seedOrgUsers(
      starter.database.db,
      orgId,
      generated.users.map((user) => user.email),
      admin,
    );
  });

  afterAll(async () => {
    await other.close();
    await starter.close();
    await lab.close();
  });

  it("follows the run from the other process and stops it everywhere when the other process cancels", async () => {
    const runId = await startRun();
    const seenByOther: CheckRunEvent[] = [];
    const unsubscribe = other.app.ctx.checks.events.subscribe(runId, (event) => seenByOther.push(event));
    await until(() => seenByOther.some((event) => event.type === "progress" && event.run.done > 0), 10_000, "progress");

    const cancelled = await other.app.inject({
      method: "POST",
      url: `/api/orgs/${orgId}/checks/${runId}/cancel`,
      headers: { authorization: await other.bearer(admin) },
    });
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect(cancelled.json<CheckRunDto>().state).toBe("cancelled");
    // The process driving the run hears it and stops sending requests.
    await until(() => !starter.app.ctx.checks.isActive(runId), 5_000, "the starter to stop");
    const stored = async (): Promise<number> => (await storedResults(starter.database.db, runId)).rows;
    const afterStop = await stored();
    const requestsAfterStop = lab.stats.ewsRequests;
    await new Promise((resolve) => setTimeout(resolve, 400));

    expect(await stored()).toBe(afterStop);
    expect(lab.stats.ewsRequests).toBe(requestsAfterStop);
    expect(afterStop).toBeLessThan(USERS);
    const end = seenByOther.find((event) => event.type === "end");
    expect(end?.run.state).toBe("cancelled");
    unsubscribe();
  });

  it("ends a run cancelled when the cancel comes while the starter is queuing its chunks", async () => {
    // Holding pg-boss's job table keeps the starter inside the queuing of the run's chunks (after its preflight, the
    // run already `running`) until the lock is let go.
    const holder = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await holder.connect();
    try {
      await holder.query("BEGIN");
      await holder.query(`LOCK TABLE "${starter.postgresSchema ?? ""}_jobs".job IN EXCLUSIVE MODE`);
      const runId = await startRun();
      await until(
        async () => (await starter.app.ctx.checks.get(orgId, runId)).state === "running",
        10_000,
        "the preflight to pass",
      );
      const cancelling = starter.app.inject({
        method: "POST",
        url: `/api/orgs/${orgId}/checks/${runId}/cancel`,
        headers: { authorization: await starter.bearer(admin) },
      });
      await new Promise((resolve) => setTimeout(resolve, 200));
      await holder.query("COMMIT");
      const cancelled = await cancelling;
      expect(cancelled.statusCode, cancelled.body).toBe(200);
      expect(cancelled.json<CheckRunDto>().state).toBe("cancelled");

      // The chunks were queued as the cancel came: nobody works them to the end.
      await until(
        () => !starter.app.ctx.checks.isActive(runId) && !other.app.ctx.checks.isActive(runId),
        5_000,
        "both processes to stop",
      );
      const afterStop = (await storedResults(starter.database.db, runId)).rows;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect((await storedResults(starter.database.db, runId)).rows).toBe(afterStop);
      expect(afterStop).toBeLessThan(USERS);
      expect((await other.app.ctx.checks.get(orgId, runId)).state).toBe("cancelled");
    } finally {
      await holder.query("ROLLBACK").catch(() => undefined);
      await holder.end();
    }
  });

  it("finishes a run whose starter went away: the other works its chunks, one result per user", async () => {
    const runId = await startRun();
    const stored = () => storedResults(starter.database.db, runId);
    await until(async () => (await stored()).rows >= 30, 10_000, "the first results");

    // Both processes work the run's chunks.
    await until(() => other.app.ctx.checks.isActive(runId), 10_000, "the other process to work a chunk");
    // The starter goes away mid-run: the chunks it worked go back to the queue, and the other process takes them.
    await starter.app.ctx.checks.close();
    expect(starter.app.ctx.checks.isActive(runId)).toBe(false);
    expect((await stored()).rows).toBeLessThan(USERS);
    await until(
      async () => (await other.app.ctx.checks.get(orgId, runId)).state !== "running",
      30_000,
      "the other process to finish the run",
    );

    const run = await other.app.ctx.checks.get(orgId, runId);
    expect(run).toMatchObject({ state: "completed", total: USERS, done: USERS, counts: { ok: USERS } });
    expect(await stored()).toEqual({ rows: USERS, users: USERS, missing: 0 });
  });
});
