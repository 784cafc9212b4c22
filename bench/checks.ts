// `npm run bench -- checks [--case NAME[,NAME…]] [--db sqlite|postgres|both] [--users N] [--memory-users N]`
// Check-run throughput and memory against the Exchange lab, the backend and the lab each in their own process.
// Cases (throughput and ntlm together also print ntlm_vs_basic: NTLM within 10% of Basic): throughput (10,000 users, 50 ms latency, budget 27, runner concurrency 27: ratio actual/ideal ≤ 1.25),
// server_busy_5pct (the same with 5% ErrorServerBusy: no user ends throttled, ratio ≤ 2), unknown budget (5,000 users,
// 50 ms, a server that allows 6 concurrent requests, runner configured for 27: ratio to users × latency / 6 ≤ 1.5),
// three processes (the 10,000-user run over three backend processes on one PostgreSQL database, its chunks pg-boss
// jobs: ratio ≤ 1.3 and the lab's peak_in_flight ≤ the budget), memory (100,000 users on SQLite and PostgreSQL: the
// backend's peak RSS < 300 MB), hybrid (10,000 users over two connection profiles, On-premises EWS and Cloud Graph
// app-only, budget 27 each, 50 ms: the group run within 1.25 of its slower profile's requests × latency / budget,
// each account's or app's peak_in_flight ≤ 27; bench/checksHybrid.ts). One JSON line per case, each with
// cpu_ms_per_user (the backends' CPU time over the users checked) and the lab's peak_in_flight for the account.
// Case names with a space are quoted: --case "unknown budget".
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import type { Kysely } from "kysely";
import { Agent, fetch as undiciFetch } from "undici";
import type { CheckRunDto } from "../src/contract/checks.js";
import { DEMO_SCENARIO_FILE, generateScenario, loadScenarioFile, type Scenario } from "../src/lab/index.js";
import { openDatabase } from "../src/server/db/database.js";
import { migrateToLatest } from "../src/server/domains.js";
import { spawnBackend, type BackendProcess } from "../test/support/backendProcess.js";
import { storedResults } from "../test/support/checkResults.js";
import { seedOrg } from "../test/support/seed.js";
import { runHybridBench } from "./checksHybrid.js";
import { MANY_ORGANIZATIONS, runManyOrganizations } from "./checksManyOrgs.js";
import { benchBackendEnv, createDatabase, labToken, startLabProcess } from "./checksSupport.js";
const BUDGET = 27;
const THROTTLED = ["server_busy", "throttled", "too_many_connections"] as const;

interface BenchCase {
  name: string;
  db: "sqlite" | "postgres";
  users: number;
  latencyMs: number;
  busyRate: number;
  backOffMs: number;
  /** Concurrent EWS requests the lab's server allows (EWSMaxConcurrency), and what the run is configured for. */
  serverBudget: number;
  concurrency: number;
  targetRatio: number | null;
  rssTargetMb: number | null;
  /** What the lab's EWS offers and what the configuration asks for (Basic, or Windows authentication). */
  auth: "basic" | "ntlm";
  /** Backend processes sharing the run (more than one needs PostgreSQL); default 1. */
  processes?: number;
}

const { values: args } = parseArgs({
  args: process.argv.slice(3),
  options: {
    case: { type: "string", default: "all" },
    db: { type: "string", default: "both" },
    users: { type: "string", default: "10000" },
    "memory-users": { type: "string", default: "100000" },
    "memory-latency": { type: "string", default: "5" },
    "busy-backoff": { type: "string", default: "20" },
    // many organizations: shrinks its users and organizations (0.2: a fifth).
    scale: { type: "string", default: "1" },
    // V8 grows its heap lazily up to a limit derived from the machine's memory; a ceiling makes peak RSS a property
    // of the program rather than of the host. Pass --node-options "" to measure without it.
    "node-options": { type: "string", default: "--max-old-space-size=128" },
  },
});
const nodeFlags = (args["node-options"] ?? "").split(/\s+/).filter((flag) => flag !== "");

function cases(): BenchCase[] {
  const users = Number(args.users);
  const memoryUsers = Number(args["memory-users"]);
  const dbs: Array<"sqlite" | "postgres"> =
    args.db === "both" ? ["sqlite", "postgres"] : [args.db === "postgres" ? "postgres" : "sqlite"];
  // The 10,000-user run at 50 ms against a budget of 27 that the configuration knows; each case changes a part.
  const standard: Omit<BenchCase, "name" | "targetRatio"> = {
    db: "sqlite",
    users,
    latencyMs: 50,
    busyRate: 0,
    backOffMs: 2_000,
    serverBudget: BUDGET,
    concurrency: BUDGET,
    rssTargetMb: null,
    auth: "basic",
  };
  const all: BenchCase[] = [
    { ...standard, name: "throughput", targetRatio: 1.25 },
    // The same run over NTLMv2: one handshake per pinned connection, then requests as cheap as Basic's.
    { ...standard, name: "ntlm", targetRatio: 1.25, auth: "ntlm" },
    {
      ...standard,
      name: "server_busy_5pct",
      busyRate: 0.05,
      // The BackOffMilliseconds the lab's ErrorServerBusy carries; the runner pauses every worker for it.
      backOffMs: Number(args["busy-backoff"]),
      targetRatio: 2,
    },
    // A customised throttling policy the admin cannot know: the service account's budget must find it.
    { ...standard, name: "unknown budget", users: 5_000, serverBudget: 6, targetRatio: 1.5 },
    // The run over three processes on one PostgreSQL database: its chunks are pg-boss jobs all three work, inside
    // the one shared budget.
    { ...standard, name: "three processes", db: "postgres", targetRatio: 1.3, processes: 3 },
    ...dbs.map((db): BenchCase => ({
      ...standard,
      name: "memory",
      db,
      users: memoryUsers,
      latencyMs: Number(args["memory-latency"]),
      targetRatio: null,
      rssTargetMb: 300,
    })),
  ];
  if (args.case === "all") return all;
  // Several cases, comma-separated, run one after the other in one invocation: their ratios compare on one machine state.
  const wanted = new Set((args.case ?? "").split(","));
  return all.filter((entry) => wanted.has(entry.name));
}

async function runCase(entry: BenchCase): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(path.join(tmpdir(), "bench-checks-"));
  const cleanups: Array<() => unknown> = [() => rmSync(dir, { recursive: true, force: true })];
  try {
    const generated = generateScenario({ users: entry.users, base: await loadScenarioFile(DEMO_SCENARIO_FILE) });
    const scenario: Scenario = {
      ...generated,
      latencyMs: { min: entry.latencyMs, max: entry.latencyMs },
      ewsAuth: [entry.auth],
      throttling: {
        ...generated.throttling,
        budget: entry.serverBudget,
        response: "serverBusy",
        backOffMs: entry.backOffMs,
      },
      faults:
        entry.busyRate > 0
          ? [
              {
                kind: "throttle",
                rate: entry.busyRate,
                users: generated.users.map((user) => user.email),
                service: "ews",
              },
            ]
          : [],
    };
    const lab = await startLabProcess(scenario, dir);
    cleanups.push(() => lab.child.kill("SIGTERM"));

    const database = await createDatabase(entry.db, dir);
    cleanups.push(() => database.drop());
    const seeding = await openDatabase(database.url);
    await migrateToLatest(seeding.db as unknown as Kysely<unknown>);
    const admin = scenario.users[0]!.email;
    const org = await seedOrg(seeding.db, scenario.users.length - 1, {
      emailOf: (index) => scenario.users[index + 1]!.email,
      adminEmail: admin,
    });
    await seeding.close();

    const backendEnv = benchBackendEnv(lab.ready, scenario, database.url, BUDGET);
    const backends: BackendProcess[] = [];
    for (let index = 0; index < (entry.processes ?? 1); index += 1) {
      const spawned = await spawnBackend(
        { ...backendEnv, PROCESS_NAME: `bench-${index + 1}` },
        { timeoutMs: 120_000, nodeFlags },
      );
      backends.push(spawned);
      cleanups.push(() => spawned.kill("SIGKILL"));
    }
    // The run starts on the first; the others share it (PostgreSQL).
    const backend = backends[0]!;
    const cpuOfAll = (): number => backends.reduce((sum, each) => sum + each.cpuMs(), 0);
    const token = labToken(dir, admin, lab.ready.backendClientId);
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    const saved = await fetch(`${backend.url}/api/orgs/${org.id}/email-config`, {
      method: "PUT",
      headers: { ...headers, "if-match": '"0"' },
      body: JSON.stringify({
        accessType: "ews_basic_impersonation",
        ewsUrl: lab.ready.ewsUrl,
        accountLogon: "svc-sync@contoso.lab",
        password: "Sync-Lab-2026!",
        authentication: entry.auth,
      }),
    });
    if (saved.status !== 200) {
      throw new Error(`email-config: ${saved.status} ${await saved.text()}\n${backend.output()}`);
    }
    // CPU of the run alone: start-up (module loading, migrations) is not the per-user cost.
    const cpuBefore = cpuOfAll();
    const started = await fetch(`${backend.url}/api/orgs/${org.id}/checks`, {
      method: "POST",
      headers,
      body: JSON.stringify({ scope: { all: true }, depth: "read", concurrency: entry.concurrency }),
    });
    if (started.status !== 202) throw new Error(`start: ${started.status} ${await started.text()}`);
    const { runId } = (await started.json()) as { runId: string };
    let run: CheckRunDto;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      run = (await (
        await fetch(`${backend.url}/api/orgs/${org.id}/checks/${runId}`, { headers })
      ).json()) as CheckRunDto;
      if (run.state !== "preflight" && run.state !== "running") break;
    }
    const peakRssMb = Math.max(...backends.map((each) => each.peakRssMb()));
    const cpuMs = cpuOfAll() - cpuBefore;
    const labStats = (await (
      await undiciFetch(`${lab.ready.baseUrl}/lab/stats`, {
        dispatcher: new Agent({ connect: { ca: readFileSync(lab.ready.caCertFile, "utf8") } }),
      })
    ).json()) as Record<string, number> & { peak_in_flight?: Record<string, number> };
    const handshakes = labStats.ntlmHandshakes ?? 0;
    const peakInFlight = Math.max(0, ...Object.values(labStats.peak_in_flight ?? {}));
    for (const each of backends) await each.kill("SIGTERM");

    const verify = await openDatabase(database.url);
    const stored = await storedResults(verify.db, runId);
    await verify.close();

    const users = run.total;
    const idealS = (users * entry.latencyMs) / 1000 / Math.min(entry.serverBudget, entry.concurrency);
    const actualS = (Date.parse(run.finishedAt ?? "") - Date.parse(run.startedAt)) / 1000;
    const ratio = idealS > 0 ? actualS / idealS : null;
    const throttledUsers = THROTTLED.reduce((sum, category) => sum + (run.counts[category] ?? 0), 0);
    const lostResults = stored.missing;
    const duplicateResults = stored.rows - stored.users;
    const pass =
      run.state === "completed" &&
      lostResults === 0 &&
      duplicateResults === 0 &&
      throttledUsers === 0 &&
      (entry.targetRatio === null || (ratio !== null && ratio <= entry.targetRatio)) &&
      (entry.rssTargetMb === null || peakRssMb < entry.rssTargetMb) &&
      // Several processes: together they never send the service account more than its budget.
      ((entry.processes ?? 1) === 1 || peakInFlight <= Math.min(entry.serverBudget, entry.concurrency)) &&
      // Windows authentication belongs to the connection: at most one handshake per worker's pinned connection.
      (entry.auth !== "ntlm" || (handshakes >= 1 && handshakes <= run.concurrency));
    return {
      bench: "checks",
      case: entry.name,
      db: entry.db,
      processes: entry.processes ?? 1,
      users,
      latency_ms: entry.latencyMs,
      budget: entry.serverBudget,
      concurrency: run.concurrency,
      busy_rate: entry.busyRate,
      backoff_ms: entry.busyRate > 0 ? entry.backOffMs : null,
      state: run.state,
      ideal_s: Number(idealS.toFixed(2)),
      actual_s: Number(actualS.toFixed(2)),
      ratio: ratio === null ? null : Number(ratio.toFixed(3)),
      target_ratio: entry.targetRatio,
      throttled_users: throttledUsers,
      lost_results: lostResults,
      duplicate_results: duplicateResults,
      peak_rss_mb: peakRssMb,
      cpu_ms_per_user: Number((cpuMs / Math.max(1, users)).toFixed(3)),
      peak_in_flight: peakInFlight,
      node_options: nodeFlags.join(" "),
      rss_target_mb: entry.rssTargetMb,
      counts: run.counts,
      auth: entry.auth,
      ntlm_handshakes: handshakes,
      accepted_ntlm: labStats.acceptedNtlm ?? 0,
      accepted_basic: labStats.acceptedBasic ?? 0,
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

let failed = false;
const ratios = new Map<string, number>();
for (const entry of cases()) {
  try {
    const line = await runCase(entry);
    if (line.pass !== true) failed = true;
    if (typeof line.ratio === "number") ratios.set(`${entry.name}:${entry.db}`, line.ratio);
    console.log(JSON.stringify(line));
  } catch (error) {
    failed = true;
    console.log(
      JSON.stringify({ bench: "checks", case: entry.name, db: entry.db, users: entry.users, error: String(error) }),
    );
  }
}
// The hybrid organization's group run (bench/checksHybrid.ts): SQLite unless --db postgres.
if (args.case === "all" || (args.case ?? "").split(",").includes("hybrid")) {
  const db = args.db === "postgres" ? "postgres" : "sqlite";
  if (!(await runHybridBench({ db, users: Number(args.users), nodeFlags }))) failed = true;
}
// many organizations (bench/checksManyOrgs.ts), only when named.
if ((args.case ?? "").split(",").includes(MANY_ORGANIZATIONS)) {
  const dbs: Array<"sqlite" | "postgres"> =
    args.db === "both" ? ["postgres", "sqlite"] : [args.db === "sqlite" ? "sqlite" : "postgres"];
  for (const line of await runManyOrganizations({ scale: Number(args.scale), dbs, nodeFlags })) {
    if (line.pass !== true) failed = true;
    console.log(JSON.stringify(line));
  }
}
// Windows authentication must cost about what Basic costs once connections are warm: within 10% in the same run.
const basic = ratios.get("throughput:sqlite");
const ntlm = ratios.get("ntlm:sqlite");
if (basic !== undefined && ntlm !== undefined) {
  const relative = ntlm / basic;
  const pass = relative <= 1.1;
  if (!pass) failed = true;
  console.log(
    JSON.stringify({
      bench: "checks",
      case: "ntlm_vs_basic",
      basic_ratio: basic,
      ntlm_ratio: ntlm,
      relative: Number(relative.toFixed(3)),
      target_relative: 1.1,
      pass,
    }),
  );
}
process.exitCode = failed ? 1 : 0;
