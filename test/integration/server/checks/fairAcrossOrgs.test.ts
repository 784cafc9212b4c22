/**
 * PostgreSQL, the real chunk queue, one backend process: a big organization's run on a slow server does not hold up
 * a small organization's run started after it. The big run's chunks wait on its own service account's budget; they
 * must not hold the places the small run's only chunk needs (before, every process worked 2 chunks at a time, both
 * of the big run, and the small run waited for one of them to finish).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DEMO_SCENARIO_FILE,
  generateScenario,
  loadScenarioFile,
  startLab,
  type Lab,
} from "../../../../src/lab/index.js";
import { createTestBackend, type TestBackend } from "../../../support/backend.js";
import { storedResults } from "../../../support/checkResults.js";
import { postgresEnabled } from "../../../support/postgres.js";
import { seedOrgUsers } from "../../../support/seed.js";
import { until } from "../../../support/until.js";

const BIG = 120;
const SMALL = 4;
/** Users per chunk: a chunk of the big run takes CHUNK / 2 × LATENCY_MS = 6 s at its 2 requests at a time. */
const CHUNK = 30;
const LATENCY_MS = 400;

describe.runIf(await postgresEnabled())("check runs fair across organizations on PostgreSQL", () => {
  let lab: Lab;
  let backend: TestBackend;
  let admin: string;
  let bigOrg: string;
  let smallOrg: string;

  async function startRun(orgId: string): Promise<string> {
    const started = await backend.app.inject({
      method: "POST",
      url: `/api/orgs/${orgId}/checks`,
      headers: { authorization: await backend.bearer(admin) },
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
    const generated = generateScenario({ users: BIG + SMALL + 1, base: await loadScenarioFile(DEMO_SCENARIO_FILE) });
    lab = await startLab({
      scenario: { ...generated, latencyMs: { min: LATENCY_MS, max: LATENCY_MS }, faults: [] },
      port: 0,
    });
    backend = await createTestBackend({
      dialect: "postgres",
      env: {
        OUTBOUND_CA_FILE: lab.caCertFile,
        OUTBOUND_HOST_OVERRIDES: "localhost=127.0.0.1",
        RATE_LIMIT_MAX: "100000",
        CHECK_CHUNK_USERS: String(CHUNK),
        // Each run's budget stays at 2 (the adaptive budget never grows past the ceiling).
        CHECK_MAX_CONCURRENCY: "2",
        CHECK_CONCURRENCY: "2",
      },
      resolver: "system",
    });
    const emails = generated.users.map((user) => user.email);
    admin = emails[0] ?? "";
    bigOrg = (await backend.seedUsers(0)).id;
    smallOrg = (await backend.seedUsers(0)).id;
    await seedOrgUsers(backend.database.db, bigOrg, [admin, ...emails.slice(1, BIG + 1)], admin);
    await seedOrgUsers(backend.database.db, smallOrg, [admin, ...emails.slice(BIG + 1)], admin);
  });

  afterAll(async () => {
    await backend.close();
    await lab.close();
  });

  it("finishes a small organization's run while a big one's first chunk is still being checked", async () => {
    const bigRun = await startRun(bigOrg);
    await until(
      async () => (await storedResults(backend.database.db, bigRun)).rows > 0,
      20_000,
      "the big run's first results",
    );

    const smallRun = await startRun(smallOrg);
    await until(
      async () => !["preflight", "running"].includes((await backend.app.ctx.checks.get(smallOrg, smallRun)).state),
      30_000,
      "the small run to end",
    );
    const small = await backend.app.ctx.checks.get(smallOrg, smallRun);
    const bigDone = (await storedResults(backend.database.db, bigRun)).rows;
    const big = await backend.app.ctx.checks.get(bigOrg, bigRun);
    expect(small).toMatchObject({ state: "completed", total: SMALL + 1, done: SMALL + 1 });
    // Its only chunk did not wait for one of the big run's: the big run is not through its first chunk yet.
    expect(big.state).toBe("running");
    expect(bigDone).toBeLessThan(CHUNK);

    const cancelled = await backend.app.inject({
      method: "POST",
      url: `/api/orgs/${bigOrg}/checks/${bigRun}/cancel`,
      headers: { authorization: await backend.bearer(admin) },
    });
    expect(cancelled.statusCode, cancelled.body).toBe(200);
  });
});
