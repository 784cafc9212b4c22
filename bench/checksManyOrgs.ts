// `npm run bench -- checks --case "many organizations" [--db sqlite|postgres|both] [--scale F]`
// A shared schedule slot: one organization of 20,000 users (its service account's EWS budget 27) and 200 of 25 users
// (budget 6 each), every organization with its own service account in the lab, all started in the same minute, on
// PostgreSQL over three backend processes and on SQLite in one. The 200 run first alone, then again beside the big
// one. Prints per database: the small organizations' median and p95 run time beside the big one relative to alone
// (`interference`, ≤ 1.5), the big organization's ratio to its own bound users × latency / budget (≤ 1.3), the most
// requests any service account had in flight at once against its budget (`peak_in_flight`, never above it), and lost
// and duplicated results (0). `--scale 0.2` shrinks the users and the organizations for a quick run.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Kysely } from "kysely";
import { Agent, fetch as undiciFetch } from "undici";
import { DEMO_SCENARIO_FILE, generateScenario, loadScenarioFile, type Scenario } from "../src/lab/index.js";
import type { CheckTables } from "../src/server/checks/tables.js";
import { openDatabase } from "../src/server/db/database.js";
import { migrateToLatest } from "../src/server/domains.js";
import { spawnBackend, type BackendProcess } from "../test/support/backendProcess.js";
import { storedResults } from "../test/support/checkResults.js";
import { seedOrg } from "../test/support/seed.js";
import { benchBackendEnv, createDatabase, labToken, startLabProcess } from "./checksSupport.js";

export const MANY_ORGANIZATIONS = "many organizations";

const BIG_USERS = 20_000;
const BIG_BUDGET = 27;
const SMALL_ORGS = 200;
const SMALL_USERS = 25;
const SMALL_BUDGET = 6;
const LATENCY_MS = 100;
const PASSWORD = "Sync-Lab-2026!";
/** Runs started at once while the slot opens (each start runs its preflight). */
const STARTING_AT_ONCE = 20;

interface Org {
  id: string;
  account: string;
  budget: number;
  users: number;
}

interface RunTimes {
  runId: string;
  org: Org;
  state: string;
  seconds: number;
}

export async function runManyOrganizations(options: {
  scale: number;
  dbs: Array<"sqlite" | "postgres">;
  nodeFlags: string[];
}): Promise<Array<Record<string, unknown>>> {
  const lines: Array<Record<string, unknown>> = [];
  for (const db of options.dbs) {
    try {
      lines.push(await manyOrganizations(db, options.scale, options.nodeFlags));
    } catch (error) {
      lines.push({ bench: "checks", case: MANY_ORGANIZATIONS, db, scale: options.scale, error: String(error) });
    }
  }
  return lines;
}

async function manyOrganizations(
  db: "sqlite" | "postgres",
  scale: number,
  nodeFlags: string[],
): Promise<Record<string, unknown>> {
  const bigUsers = Math.max(SMALL_USERS, Math.round(BIG_USERS * scale));
  const smallOrgs = Math.max(2, Math.round(SMALL_ORGS * scale));
  const processes = db === "postgres" ? 3 : 1;
  const dir = mkdtempSync(path.join(tmpdir(), "bench-many-orgs-"));
  const cleanups: Array<() => unknown> = [() => rmSync(dir, { recursive: true, force: true })];
  try {
    // One lab for every organization: user 0 is the admin of all of them, then the big one's users, then the small
    // ones'; one service account per organization, each with its own EWSMaxConcurrency.
    const generated = generateScenario({
      users: 1 + bigUsers + smallOrgs * SMALL_USERS,
      base: await loadScenarioFile(DEMO_SCENARIO_FILE),
    });
    const template = generated.serviceAccounts[0]!;
    const orgAccounts = [
      { email: "svc-big@contoso.lab", budget: BIG_BUDGET },
      ...Array.from({ length: smallOrgs }, (_, index) => ({
        email: `svc-small-${index}@contoso.lab`,
        budget: SMALL_BUDGET,
      })),
    ];
    const scenario: Scenario = {
      ...generated,
      latencyMs: { min: LATENCY_MS, max: LATENCY_MS },
      ewsAuth: ["basic"],
      // A run probing above its budget is refused and pauses briefly (both phases alike).
      throttling: { ...generated.throttling, response: "serverBusy", backOffMs: 200 },
      faults: [],
      serviceAccounts: [
        ...generated.serviceAccounts,
        ...orgAccounts.map((account) => ({
          ...template,
          email: account.email,
          displayName: account.email,
          password: PASSWORD,
          impersonation: "all" as const,
          ewsBudget: account.budget,
        })),
      ],
    };
    const lab = await startLabProcess(scenario, dir);
    cleanups.push(() => lab.child.kill("SIGTERM"));

    const database = await createDatabase(db, dir);
    cleanups.push(() => database.drop());
    const seeding = await openDatabase(database.url);
    await migrateToLatest(seeding.db as unknown as Kysely<unknown>);
    const admin = scenario.users[0]!.email;
    const orgs: Org[] = [];
    let next = 1;
    for (const [index, account] of orgAccounts.entries()) {
      const users = index === 0 ? bigUsers : SMALL_USERS;
      const first = next;
      const seeded = await seedOrg(seeding.db, users, {
        emailOf: (offset) => scenario.users[first + offset]!.email,
        adminEmail: admin,
      });
      next += users;
      // The admin is a user of every organization too: each run checks it.
      orgs.push({ id: seeded.id, account: account.email, budget: account.budget, users: users + 1 });
    }
    await seeding.close();

    const backendEnv = benchBackendEnv(lab.ready, scenario, database.url, BIG_BUDGET, { RATE_LIMIT_MAX: "1000000" });
    const backends: BackendProcess[] = [];
    for (let index = 0; index < processes; index += 1) {
      const spawned = await spawnBackend(
        { ...backendEnv, PROCESS_NAME: `bench-${index + 1}` },
        { timeoutMs: 120_000, nodeFlags },
      );
      backends.push(spawned);
      cleanups.push(() => spawned.kill("SIGKILL"));
    }
    const token = labToken(dir, admin, lab.ready.backendClientId);
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    for (const [index, org] of orgs.entries()) {
      const backend = backends[index % backends.length]!;
      const saved = await fetch(`${backend.url}/api/orgs/${org.id}/email-config`, {
        method: "PUT",
        headers: { ...headers, "if-match": '"0"' },
        body: JSON.stringify({
          accessType: "ews_basic_impersonation",
          ewsUrl: lab.ready.ewsUrl,
          accountLogon: org.account,
          password: PASSWORD,
          authentication: "basic",
        }),
      });
      if (saved.status !== 200) throw new Error(`email-config: ${saved.status} ${await saved.text()}`);
    }

    /** Starts every organization's run (spread over the processes), then waits for all of them to end. */
    const slot = async (group: Org[]): Promise<RunTimes[]> => {
      // In the group's order (the big organization first), whichever start answers first.
      const started: Array<{ runId: string; org: Org }> = [];
      let cursor = 0;
      const starter = async (): Promise<void> => {
        while (cursor < group.length) {
          const index = cursor++;
          const org = group[index]!;
          const backend = backends[index % backends.length]!;
          const response = await fetch(`${backend.url}/api/orgs/${org.id}/checks`, {
            method: "POST",
            headers,
            body: JSON.stringify({ scope: { all: true }, depth: "read", concurrency: org.budget }),
          });
          if (response.status !== 202) throw new Error(`start: ${response.status} ${await response.text()}`);
          started[index] = { runId: ((await response.json()) as { runId: string }).runId, org };
        }
      };
      await Promise.all(Array.from({ length: STARTING_AT_ONCE }, () => starter()));
      const watching = await openDatabase(database.url);
      try {
        const runs = watching.db.withTables<CheckTables>();
        for (;;) {
          await new Promise((resolve) => setTimeout(resolve, 500));
          const rows = await runs
            .selectFrom("check_runs")
            .select(["id", "state", "started_at", "finished_at"])
            .where(
              "id",
              "in",
              started.map((run) => run.runId),
            )
            .execute();
          if (rows.some((row) => row.state === "preflight" || row.state === "running")) continue;
          const byId = new Map(rows.map((row) => [row.id, row]));
          return started.map(({ runId, org }) => {
            const row = byId.get(runId)!;
            const seconds = (Date.parse(String(row.finished_at)) - Date.parse(String(row.started_at))) / 1000;
            return { runId, org, state: row.state, seconds };
          });
        }
      } finally {
        await watching.close();
      }
    };

    const smallOnes = orgs.slice(1);
    const cpuOfAll = (): number => backends.reduce((sum, each) => sum + each.cpuMs(), 0);
    const cpuBefore = cpuOfAll();
    const alone = await slot(smallOnes);
    // The same slot with the big organization: it starts first, the 200 within the same minute.
    const beside = await slot(orgs);
    const cpuMs = cpuOfAll() - cpuBefore;
    const labStats = (await (
      await undiciFetch(`${lab.ready.baseUrl}/lab/stats`, {
        dispatcher: new Agent({ connect: { ca: readFileSync(lab.ready.caCertFile, "utf8") } }),
      })
    ).json()) as { peak_in_flight?: Record<string, number>; ewsBusy?: number };
    for (const each of backends) await each.kill("SIGTERM");

    const verify = await openDatabase(database.url);
    let lost = 0;
    let duplicated = 0;
    for (const run of [...alone, ...beside]) {
      const stored = await storedResults(verify.db, run.runId);
      lost += stored.missing;
      duplicated += stored.rows - stored.users;
    }
    await verify.close();

    const big = beside[0]!;
    const bigBoundS = (big.org.users * LATENCY_MS) / 1000 / BIG_BUDGET;
    const bigRatio = big.seconds / bigBoundS;
    const seconds = (runs: RunTimes[]): number[] => runs.map((run) => run.seconds).sort((a, b) => a - b);
    const aloneS = seconds(alone);
    const besideS = seconds(beside.slice(1));
    const interference = {
      median: quantile(besideS, 0.5) / quantile(aloneS, 0.5),
      p95: quantile(besideS, 0.95) / quantile(aloneS, 0.95),
    };
    const peaks = labStats.peak_in_flight ?? {};
    const peakOf = (org: Org): number => peaks[org.account] ?? 0;
    const overBudget = orgs.filter((org) => peakOf(org) > org.budget).map((org) => `${org.account}:${peakOf(org)}`);
    const smallPeaks = smallOnes.map(peakOf);
    const notCompleted = [...alone, ...beside].filter((run) => run.state !== "completed").length;
    const pass =
      notCompleted === 0 &&
      lost === 0 &&
      duplicated === 0 &&
      overBudget.length === 0 &&
      interference.median <= 1.5 &&
      interference.p95 <= 1.5 &&
      bigRatio <= 1.3;
    return {
      bench: "checks",
      case: MANY_ORGANIZATIONS,
      db,
      processes,
      scale,
      latency_ms: LATENCY_MS,
      big_users: big.org.users,
      small_orgs: smallOrgs,
      small_users: SMALL_USERS + 1,
      small_alone_median_s: round(quantile(aloneS, 0.5)),
      small_alone_p95_s: round(quantile(aloneS, 0.95)),
      small_beside_median_s: round(quantile(besideS, 0.5)),
      small_beside_p95_s: round(quantile(besideS, 0.95)),
      interference_median: round(interference.median),
      interference_p95: round(interference.p95),
      target_interference: 1.5,
      big_actual_s: round(big.seconds),
      big_bound_s: round(bigBoundS),
      big_ratio: round(bigRatio),
      target_big_ratio: 1.3,
      peak_in_flight: {
        big: { peak: peakOf(big.org), budget: BIG_BUDGET },
        small: {
          max: Math.max(0, ...smallPeaks),
          median: quantile(
            [...smallPeaks].sort((a, b) => a - b),
            0.5,
          ),
          budget: SMALL_BUDGET,
        },
      },
      over_budget: overBudget,
      busy_answers: labStats.ewsBusy ?? 0,
      not_completed: notCompleted,
      lost_results: lost,
      duplicate_results: duplicated,
      cpu_ms_per_user: round(
        cpuMs /
          Math.max(
            1,
            [...alone, ...beside].reduce((sum, run) => sum + run.org.users, 0),
          ),
      ),
      pass,
    };
  } finally {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch {
        // Best effort: a failed cleanup must not hide the figures.
      }
    }
  }
}

/** The q-quantile of ascending values (nearest rank). */
function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

function round(value: number): number {
  return Number(value.toFixed(3));
}
