/**
 * A group run (two connection profiles) whose backend process is killed with SIGKILL mid-run: at restart each child
 * resumes by itself, the parent is never driven itself and ends once its last child does, with one result per user.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CheckRunDto } from "../../../../src/contract/checks.js";
import type { ConnectionProfileDto } from "../../../../src/contract/profiles.js";
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
import { createTestDatabase, type TestDatabase } from "../../../support/database.js";
import { postgresEnabled } from "../../../support/postgres.js";
import { seedOrg } from "../../../support/seed.js";

const USERS = 800;
const dialects: Array<"sqlite" | "postgres"> = (await postgresEnabled()) ? ["postgres"] : ["sqlite"];

describe.each(dialects)("a group check run interrupted by a crash on %s", (dialect) => {
  let lab: Lab;
  let testDb: TestDatabase;
  let env: Record<string, string>;
  let backend: BackendProcess | null = null;

  beforeAll(async () => {
    const base = await loadScenarioFile(DEMO_SCENARIO_FILE);
    const scenario = generateScenario({ users: USERS, mix: { ok: 1 }, base });
    lab = await startLab({ scenario: { ...scenario, latencyMs: { min: 6, max: 10 } }, port: 0 });
    testDb = await createTestDatabase(dialect);
    env = {
      ...backendEnvForLab({ ...lab.ready, port: lab.port, backendClientSecret: scenario.apps.backend.secret }),
      DATABASE_URL: testDb.url,
      SECRETS_KEYS: generateKeyEntry("crash"),
      CHECK_CONCURRENCY: "5",
    };
  });

  afterAll(async () => {
    await backend?.kill("SIGKILL");
    await testDb.dispose();
    await lab.close();
  });

  it("resumes every child at restart and ends the parent once, without losing anyone", async () => {
    const users = lab.scenario.users;
    const admin = users[0]!.email;
    const org = await seedOrg(testDb.database.db, users.length - 1, {
      emailOf: (index) => users[index + 1]!.email,
      adminEmail: admin,
    });
    const token = await lab.mintToken({ user: admin, audience: lab.ready.backendClientId });
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    const config = {
      accessType: "ews_basic_impersonation",
      ewsUrl: lab.ewsUrl,
      accountLogon: "svc-sync@contoso.lab",
      password: "Sync-Lab-2026!",
    };
    backend = await spawnBackend(env);
    const api = (method: string, url: string, body?: unknown, extra: Record<string, string> = {}) =>
      fetch(`${backend!.url}/api/orgs/${org.id}${url}`, {
        method,
        headers: { ...headers, ...extra },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    expect((await api("PUT", "/email-config", config, { "if-match": '"0"' })).status).toBe(200);
    const cloud = (await (await api("POST", "/profiles", { name: "Cloud" })).json()) as ConnectionProfileDto;
    const savedCloud = await api("PUT", `/profiles/${cloud.id}`, config, { "if-match": `"${cloud.version}"` });
    expect(savedCloud.status, await savedCloud.clone().text()).toBe(200);
    const db = testDb.database.db.withTables<CheckTables>();
    const ids = (
      await db.selectFrom("org_users").select("id").where("org_id", "=", org.id).orderBy("id").execute()
    ).map((row) => row.id);
    const moved = await api("POST", "/users/move-profile", { userIds: ids.slice(0, USERS / 2), profileId: cloud.id });
    expect(moved.status, await moved.clone().text()).toBe(200);

    const started = await api("POST", "/checks", { scope: { all: true }, depth: "read" });
    expect(started.status, backend.output()).toBe(202);
    const { runId } = (await started.json()) as { runId: string };
    for (;;) {
      const run = (await (await api("GET", `/checks/${runId}`)).json()) as CheckRunDto;
      expect(run.state, backend.output()).toBe("running");
      if (run.done >= USERS * 0.25) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await backend.kill("SIGKILL");
    backend = null;
    const children = await db.selectFrom("check_runs").selectAll().where("parent_run_id", "=", runId).execute();
    expect(children).toHaveLength(2);
    expect(children.reduce((sum, child) => sum + Number(child.done), 0)).toBeLessThan(USERS);

    backend = await spawnBackend(env);
    let final: CheckRunDto;
    for (;;) {
      final = (await (await api("GET", `/checks/${runId}`)).json()) as CheckRunDto;
      if (final.state !== "running" && final.state !== "preflight") break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(final.state, backend.output()).toBe("completed");
    expect(final.done).toBe(USERS);
    expect(final.total).toBe(USERS);
    expect(final.profiles.map((profile) => [profile.name, profile.done, profile.state]).sort()).toEqual([
      ["Cloud", USERS / 2, "completed"],
      ["Default", USERS / 2, "completed"],
    ]);
    const results = await db
      .selectFrom("check_results")
      .select(["user_id"])
      .where(
        "run_id",
        "in",
        children.map((child) => child.id),
      )
      .execute();
    expect(results).toHaveLength(USERS);
    expect(new Set(results.map((row) => row.user_id)).size).toBe(USERS);
    // The parent holds no users nor results of its own.
    expect(await db.selectFrom("check_results").select("user_id").where("run_id", "=", runId).execute()).toEqual([]);
  });
});
