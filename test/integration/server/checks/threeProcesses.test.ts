/**
 * Three backend processes (`node src/server/main.ts`) on one PostgreSQL schema against the lab, 5,000 users: the run's
 * chunks (pg-boss jobs) are worked by all three; the process that started the run is SIGKILLed mid-run and the
 * other two finish it with exactly one stored result per user, each the lab's expected answer, while the lab never
 * sees more concurrent requests of the service account than its budget. A second run, started on one process and
 * cancelled on another, stops everywhere.
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
import type { CheckTables } from "../../../../src/server/checks/tables.js";
import { generateKeyEntry } from "../../../../src/server/secrets/keyring.js";
import { backendEnvForLab, spawnBackend, type BackendProcess } from "../../../support/backendProcess.js";
import { storedResults } from "../../../support/checkResults.js";
import { createTestDatabase, type TestDatabase } from "../../../support/database.js";
import { postgresEnabled } from "../../../support/postgres.js";
import { seedOrg } from "../../../support/seed.js";
import { until } from "../../../support/until.js";

const USERS = 5_000;
/** The service account's budget: what the lab allows at once, and what the run may use over all processes. */
const BUDGET = 12;
const SERVICE_ACCOUNT = "svc-sync@contoso.lab";

describe.runIf(await postgresEnabled())("a check run shared by three backend processes on PostgreSQL", () => {
  let lab: Lab;
  let testDb: TestDatabase;
  const backends: BackendProcess[] = [];
  let orgId: string;
  let headers: Record<string, string>;

  const runOf = async (backend: BackendProcess, runId: string): Promise<CheckRunDto> =>
    (await (await fetch(`${backend.url}/api/orgs/${orgId}/checks/${runId}`, { headers })).json()) as CheckRunDto;

  const start = async (backend: BackendProcess): Promise<string> => {
    const started = await fetch(`${backend.url}/api/orgs/${orgId}/checks`, {
      method: "POST",
      headers,
      body: JSON.stringify({ scope: { all: true }, depth: "read", concurrency: BUDGET }),
    });
    expect(started.status, backend.output()).toBe(202);
    return ((await started.json()) as { runId: string }).runId;
  };

  beforeAll(async () => {
    const base = await loadScenarioFile(DEMO_SCENARIO_FILE);
    const scenario = generateScenario({ users: USERS, mix: { ok: 0.9, denied: 0.1 }, base });
    lab = await startLab({
      scenario: {
        ...scenario,
        latencyMs: { min: 8, max: 8 },
        throttling: { ...scenario.throttling, budget: BUDGET, response: "serverBusy", backOffMs: 50 },
        faults: [],
      },
      port: 0,
    });
    testDb = await createTestDatabase("postgres");
    const users = lab.scenario.users;
    const admin = users[0]!.email;
    orgId = (
      await seedOrg(testDb.database.db, users.length - 1, {
        emailOf: (index) => users[index + 1]!.email,
        adminEmail: admin,
      })
    ).id;
    const env = {
      ...backendEnvForLab({ ...lab.ready, port: lab.port, backendClientSecret: scenario.apps.backend.secret }),
      DATABASE_URL: testDb.url,
      // One key for all: a process opens the secrets another one sealed.
      SECRETS_KEYS: generateKeyEntry("three"),
      CHECK_CONCURRENCY: String(BUDGET),
      CHECK_MAX_CONCURRENCY: String(BUDGET),
    };
    for (const name of ["a", "b", "c"]) backends.push(await spawnBackend({ ...env, PROCESS_NAME: name }));
    const token = await lab.mintToken({ user: admin, audience: lab.ready.backendClientId });
    headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    const saved = await fetch(`${backends[0]!.url}/api/orgs/${orgId}/email-config`, {
      method: "PUT",
      headers: { ...headers, "if-match": '"0"' },
      body: JSON.stringify({
        accessType: "ews_basic_impersonation",
        ewsUrl: lab.ewsUrl,
        accountLogon: SERVICE_ACCOUNT,
        password: "Sync-Lab-2026!",
      }),
    });
    expect(saved.status, await saved.clone().text()).toBe(200);
  }, 180_000);

  afterAll(async () => {
    for (const backend of backends) await backend.kill("SIGKILL");
    await testDb?.dispose();
    await lab?.close();
  });

  it("survives the SIGKILL of the process that started it: one result per user, within the budget", async () => {
    const [starter, second, third] = backends as [BackendProcess, BackendProcess, BackendProcess];
    for (const backend of backends) {
      const health = (await (await fetch(`${backend.url}/api/health`)).json()) as {
        process?: string;
        worker?: { active?: boolean };
      };
      expect(health.worker?.active, JSON.stringify(health)).toBe(true);
    }
    const runId = await start(starter);
    // Every process takes chunks of the run, not only the one that started it.
    const working = new Set<string>();
    await until(
      async () => {
        for (const backend of backends) {
          const health = (await (await fetch(`${backend.url}/api/health`)).json()) as { worker: { runs: number } };
          if (health.worker.runs > 0) working.add(backend.url);
        }
        const run = await runOf(second, runId);
        expect(["preflight", "running"], starter.output()).toContain(run.state);
        return run.done >= USERS * 0.3 ? run : null;
      },
      120_000,
      "a third of the users",
    );
    expect(working.size).toBe(3);
    await starter.kill("SIGKILL");

    const final = await until(
      async () => {
        const run = await runOf(third, runId);
        return run.state === "running" ? null : run;
      },
      180_000,
      "the other processes to finish the run",
    );
    expect(final.state, `${second.output()}\n${third.output()}`).toBe("completed");
    expect({ total: final.total, done: final.done }).toEqual({ total: USERS, done: USERS });

    expect(await storedResults(testDb.database.db, runId)).toEqual({ rows: USERS, users: USERS, missing: 0 });
    const results = await testDb.database.db
      .withTables<CheckTables>()
      .selectFrom("check_results")
      .select(["email", "category"])
      .where("run_id", "=", runId)
      .execute();
    const expected = new Map(
      lab.scenario.users.map((user) => [user.email, user.inManagementScope ? "ok" : "impersonation_denied"]),
    );
    expect(results.filter((row) => expected.get(row.email) !== row.category)).toEqual([]);
    expect(final.counts).toEqual({ ok: USERS * 0.9, impersonation_denied: USERS * 0.1 });

    // The budget held over the three processes: never more in flight than it, so the server never refused one.
    const peak = lab.stats.peakInFlight();
    expect(Math.max(...Object.values(peak))).toBeGreaterThan(BUDGET / 2);
    expect(Math.max(...Object.values(peak))).toBeLessThanOrEqual(BUDGET);
    expect(lab.stats.ewsBusy).toBe(0);
  }, 360_000);

  it("stops everywhere when a process that did not start the run cancels it", async () => {
    const [, second, third] = backends as [BackendProcess, BackendProcess, BackendProcess];
    const runId = await start(second);
    await until(async () => ((await runOf(third, runId)).done >= 500 ? true : null), 60_000, "the first results");

    const cancelled = await fetch(`${third.url}/api/orgs/${orgId}/checks/${runId}/cancel`, {
      method: "POST",
      headers: { authorization: headers.authorization ?? "" },
    });
    expect(cancelled.status, third.output()).toBe(200);
    expect(((await cancelled.json()) as CheckRunDto).state).toBe("cancelled");

    // Requests in flight at the cancel finish; after that, nobody sends any more and nothing more is stored.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const requests = lab.stats.ewsRequests;
    const count = async (): Promise<number> => (await storedResults(testDb.database.db, runId)).rows;
    const storedAtStop = await count();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(lab.stats.ewsRequests).toBe(requests);
    expect(await count()).toBe(storedAtStop);
    expect(storedAtStop).toBeLessThan(USERS);
    expect((await runOf(second, runId)).state).toBe("cancelled");
  }, 120_000);
});
