/**
 * The backend process is killed with SIGKILL in the middle of a check run and started again: the run resumes by
 * itself and ends with exactly one result per user (nothing lost, nothing twice), each matching the lab's scenario.
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
import { DEFAULT_RUNNER_SETTINGS } from "../../../../src/server/checks/engine/runner.js";
import { generateKeyEntry } from "../../../../src/server/secrets/keyring.js";
import { backendEnvForLab, spawnBackend, type BackendProcess } from "../../../support/backendProcess.js";
import { storedResults } from "../../../support/checkResults.js";
import { createTestDatabase, type TestDatabase } from "../../../support/database.js";
import { seedOrg } from "../../../support/seed.js";

const USERS = 1_500;
const CONCURRENCY = 10;

describe("a check run interrupted by a crash", () => {
  let lab: Lab;
  let testDb: TestDatabase;
  let env: Record<string, string>;
  let backend: BackendProcess | null = null;

  beforeAll(async () => {
    const base = await loadScenarioFile(DEMO_SCENARIO_FILE);
    const scenario = generateScenario({ users: USERS, mix: { ok: 0.9, denied: 0.1 }, base });
    // Slow enough that the kill lands mid-run (≈ 1,500 × 8 ms / 10 ≈ 1.2 s of checks).
    lab = await startLab({ scenario: { ...scenario, latencyMs: { min: 6, max: 10 } }, port: 0 });
    testDb = await createTestDatabase("sqlite");
    env = {
      ...backendEnvForLab({ ...lab.ready, port: lab.port, backendClientSecret: scenario.apps.backend.secret }),
      DATABASE_URL: testDb.url,
      SECRETS_KEYS: generateKeyEntry("crash"),
      CHECK_CONCURRENCY: String(CONCURRENCY),
    };
  });

  afterAll(async () => {
    await backend?.kill("SIGKILL");
    await testDb.dispose();
    await lab.close();
  });

  it("resumes at restart without losing anyone or checking anyone twice", async () => {
    const users = lab.scenario.users;
    const admin = users[0]!.email;
    const org = await seedOrg(testDb.database.db, users.length - 1, {
      emailOf: (index) => users[index + 1]!.email,
      adminEmail: admin,
    });
    const token = await lab.mintToken({ user: admin, audience: lab.ready.backendClientId });
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };

    backend = await spawnBackend(env);
    const saved = await fetch(`${backend.url}/api/orgs/${org.id}/email-config`, {
      method: "PUT",
      headers: { ...headers, "if-match": '"0"' },
      body: JSON.stringify({
        accessType: "ews_basic_impersonation",
        ewsUrl: lab.ewsUrl,
        accountLogon: "svc-sync@contoso.lab",
        password: "Sync-Lab-2026!",
      }),
    });
    expect(saved.status, await saved.clone().text()).toBe(200);
    const started = await fetch(`${backend.url}/api/orgs/${org.id}/checks`, {
      method: "POST",
      headers,
      body: JSON.stringify({ scope: { all: true }, depth: "read" }),
    });
    expect(started.status, backend.output()).toBe(202);
    const { runId } = (await started.json()) as { runId: string };
    const runUrl = `/api/orgs/${org.id}/checks/${runId}`;

    // Kill once a fair share of users is durable.
    for (;;) {
      const run = (await (await fetch(`${backend.url}${runUrl}`, { headers })).json()) as CheckRunDto;
      expect(["preflight", "running"], backend.output()).toContain(run.state);
      if (run.done >= USERS * 0.25) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await backend.kill("SIGKILL");
    backend = null;
    const requestsAtKill = lab.stats.ewsRequests;
    const db = testDb.database.db.withTables<CheckTables>();
    const beforeRestart = await db.selectFrom("check_runs").select(["state", "done"]).executeTakeFirstOrThrow();
    expect(beforeRestart.state).toBe("running");
    const doneAtKill = Number(beforeRestart.done);
    expect(doneAtKill).toBeLessThan(USERS);

    backend = await spawnBackend(env);
    let final: CheckRunDto;
    for (;;) {
      final = (await (await fetch(`${backend.url}${runUrl}`, { headers })).json()) as CheckRunDto;
      if (final.state !== "running" && final.state !== "preflight") break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(final.state, backend.output()).toBe("completed");
    expect(final.done).toBe(USERS);
    expect(final.total).toBe(USERS);

    expect(await storedResults(testDb.database.db, runId)).toEqual({ rows: USERS, users: USERS, missing: 0 });
    const results = await db
      .selectFrom("check_results")
      .select(["email", "category"])
      .where("run_id", "=", runId)
      .execute();

    // Each result matches the scenario: users outside the management scope are denied, everyone else works.
    const expected = new Map(users.map((user) => [user.email, user.inManagementScope ? "ok" : "impersonation_denied"]));
    const mismatched = results.filter((row) => expected.get(row.email) !== row.category);
    expect(mismatched).toEqual([]);
    expect(final.counts).toEqual({ ok: USERS * 0.9, impersonation_denied: USERS * 0.1 });

    // Only users whose result was not yet durable at the kill (in flight, or in the unwritten batch) are asked again.
    const askedAgainAtMost = CONCURRENCY + DEFAULT_RUNNER_SETTINGS.flushBatchSize;
    expect(lab.stats.ewsRequests - requestsAtKill).toBeLessThanOrEqual(USERS - doneAtKill + askedAgainAtMost + 10);
  });
});
