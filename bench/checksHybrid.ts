// The `hybrid` case of `npm run bench -- checks`: one group run over a hybrid organization's two connection profiles.
// Half the users live on-premises (EWS, NTLM impersonation through the service account), half in Exchange Online
// (Graph app-only); each profile's account or app has its own budget of 27 concurrent requests and the lab answers
// every request in 50 ms. Users are placed explicitly on their profile first (the API's bulk move), so the figures
// are the run's, not placement's. The children run side by side, so the run can take no less than its slower
// profile: `bound_s` is the bound (the larger profile's users × latency / budget), and each profile's
// `ideal_s` is the requests the lab answered for it × latency / budget (a Graph read check is three requests:
// the user, the inbox, the calendar; an EWS one is one GetFolder), whose largest is `bound_requests_s`.
// Why a run is slower than its bound, per profile: start_lag_s (its child run's start after the parent's),
// first_result_s, users_per_s_together (while both profiles check) and users_per_s_alone (after the other ended);
// settle_lag_s is the parent's end after its last child's, lab_cpu_ms_per_user the lab's own CPU.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Kysely } from "kysely";
import { Agent, fetch as undiciFetch } from "undici";
import type { CheckRunDto } from "../src/contract/checks.js";
import type { ConnectionProfileDto } from "../src/contract/profiles.js";
import { generateScenario, loadScenarioFile, parseScenario, type Scenario } from "../src/lab/index.js";
import type { CheckTables } from "../src/server/checks/tables.js";
import { openDatabase } from "../src/server/db/database.js";
import { migrateToLatest } from "../src/server/domains.js";
import { spawnBackend } from "../test/support/backendProcess.js";
import { storedResults } from "../test/support/checkResults.js";
import { seedOrg } from "../test/support/seed.js";
import { benchBackendEnv, createDatabase, labToken, root, startLabProcess } from "./checksSupport.js";

const BUDGET = 27;
const LATENCY_MS = 50;
const TARGET_RATIO = 1.25;
const HYBRID_FILE = path.join(root, "src/lab/scenarios/hybrid.json");

export interface HybridOptions {
  db: "sqlite" | "postgres";
  /** Users of the organization, the admin included; the first half on-premises, the rest in Exchange Online. */
  users: number;
  nodeFlags: string[];
}

interface LabStatsBody {
  acceptedNtlm?: number;
  acceptedBasic?: number;
  graphRequests?: number;
  ewsBusy?: number;
  graphThrottled?: number;
  peak_in_flight?: Record<string, number>;
  graph_peak_in_flight?: Record<string, number>;
}

const seconds = (value: number): number => Number(value.toFixed(2));

/** CPU time a process used so far (utime + stime from /proc/<pid>/stat, USER_HZ = 100), in ms. */
function processCpuMs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) * 10;
}

/** Runs the case and prints its JSON line; true when it passed. */
export async function runHybridBench(options: HybridOptions): Promise<boolean> {
  try {
    const line = await runHybridCase(options);
    console.log(JSON.stringify(line));
    return line.pass === true;
  } catch (error) {
    console.log(
      JSON.stringify({ bench: "checks", case: "hybrid", db: options.db, users: options.users, error: String(error) }),
    );
    return false;
  }
}

async function runHybridCase(options: HybridOptions): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(path.join(tmpdir(), "bench-checks-hybrid-"));
  const cleanups: Array<() => unknown> = [() => rmSync(dir, { recursive: true, force: true })];
  try {
    // The demo organization the scenario seeds for `npm start` names its own users; the bench seeds its own.
    const { demoOrganization: _demo, ...base } = await loadScenarioFile(HYBRID_FILE);
    const generated = generateScenario({ users: options.users, base });
    const onPremCount = Math.ceil(options.users / 2);
    const scenario: Scenario = parseScenario(
      {
        ...generated,
        users: generated.users.map((user, index) => ({
          ...user,
          location: index < onPremCount ? "onprem" : "cloud",
        })),
        latencyMs: { min: LATENCY_MS, max: LATENCY_MS },
        throttling: { ...generated.throttling, budget: BUDGET, graphBudget: BUDGET, response: "serverBusy" },
        faults: [],
      },
      "(hybrid bench)",
    );
    const account = scenario.serviceAccounts[0]!;
    const app = scenario.apps.appOnly[0]!;
    const lab = await startLabProcess(scenario, dir);
    cleanups.push(() => lab.child.kill("SIGTERM"));

    const database = await createDatabase(options.db, dir);
    cleanups.push(() => database.drop());
    const seeding = await openDatabase(database.url);
    await migrateToLatest(seeding.db as unknown as Kysely<unknown>);
    const admin = scenario.users[0]!.email;
    const org = await seedOrg(seeding.db, scenario.users.length - 1, {
      emailOf: (index) => scenario.users[index + 1]!.email,
      adminEmail: admin,
    });
    const idOf = new Map(
      (await seeding.db.selectFrom("org_users").select(["id", "email"]).where("org_id", "=", org.id).execute()).map(
        (row) => [row.email, row.id],
      ),
    );
    await seeding.close();
    const onPremIds = scenario.users.slice(0, onPremCount).map((user) => idOf.get(user.email)!);
    const cloudIds = scenario.users.slice(onPremCount).map((user) => idOf.get(user.email)!);

    const backend = await spawnBackend(benchBackendEnv(lab.ready, scenario, database.url, BUDGET), {
      timeoutMs: 120_000,
      nodeFlags: options.nodeFlags,
    });
    cleanups.push(() => backend.kill("SIGKILL"));
    const token = labToken(dir, admin, lab.ready.backendClientId);
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    const api = async (method: string, url: string, body: unknown, extra: Record<string, string> = {}) => {
      const response = await fetch(`${backend.url}/api/orgs/${org.id}${url}`, {
        method,
        headers: { ...headers, ...extra },
        body: JSON.stringify(body),
      });
      if (response.status >= 300) {
        throw new Error(`${method} ${url}: ${response.status} ${await response.text()}\n${backend.output()}`);
      }
      return response;
    };

    // The default profile becomes On-premises (EWS, NTLM impersonation); Cloud is added with the Graph app.
    await api(
      "PUT",
      "/email-config",
      {
        accessType: "ews_basic_impersonation",
        ewsUrl: lab.ready.ewsUrl,
        accountLogon: account.email,
        password: account.password,
        authentication: "ntlm",
      },
      { "if-match": '"0"' },
    );
    const profiles = (await (await fetch(`${backend.url}/api/orgs/${org.id}/profiles`, { headers })).json()) as {
      items: Array<{ id: string; isDefault: boolean; version: number }>;
    };
    const defaultProfile = profiles.items.find((item) => item.isDefault)!;
    await api(
      "PATCH",
      `/profiles/${defaultProfile.id}`,
      { name: "On-premises" },
      {
        "if-match": `"${defaultProfile.version}"`,
      },
    );
    const cloud = (await (
      await api("POST", "/profiles", {
        name: "Cloud",
        config: {
          accessType: "graph_app_only",
          appOnly: { tenantId: scenario.tenantId, clientId: app.clientId, clientSecret: app.secret },
        },
      })
    ).json()) as ConnectionProfileDto;
    await api("POST", "/users/move-profile", { userIds: onPremIds, profileId: defaultProfile.id });
    await api("POST", "/users/move-profile", { userIds: cloudIds, profileId: cloud.id });

    const labAgent = new Agent({ connect: { ca: readFileSync(lab.ready.caCertFile, "utf8") } });
    const labStats = async (): Promise<LabStatsBody> =>
      (await (await undiciFetch(`${lab.ready.baseUrl}/lab/stats`, { dispatcher: labAgent })).json()) as LabStatsBody;
    const before = await labStats();
    // CPU of the run alone: start-up (module loading, migrations) is not the per-user cost.
    const cpuBefore = backend.cpuMs();
    const labCpuBefore = processCpuMs(lab.child.pid);
    const startedAt = Date.now();
    const started = await api("POST", "/checks", { scope: { all: true }, depth: "read", concurrency: BUDGET });
    const { runId } = (await started.json()) as { runId: string };
    let run: CheckRunDto;
    // Each profile's done users at each poll: how fast one goes while the other runs, and once it has ended.
    const polls: Array<{ at: number; done: Record<string, number> }> = [];
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      run = (await (
        await fetch(`${backend.url}/api/orgs/${org.id}/checks/${runId}`, { headers })
      ).json()) as CheckRunDto;
      polls.push({
        at: Date.now(),
        done: Object.fromEntries(run.profiles.map((profile) => [profile.profileId, profile.done])),
      });
      if (run.state !== "preflight" && run.state !== "running") break;
    }
    const cpuMs = backend.cpuMs() - cpuBefore;
    // The lab's own CPU over the run: on a small machine the other party's cost shows in the product's figures.
    const labCpuMs = processCpuMs(lab.child.pid) - labCpuBefore;
    const peakRssMb = backend.peakRssMb();
    const after = await labStats();
    await labAgent.close();
    await backend.kill("SIGTERM");

    const verify = await openDatabase(database.url);
    const stored = await storedResults(verify.db, runId);
    const children = await verify.db
      .withTables<CheckTables>()
      .selectFrom("check_runs")
      .select(["id", "profile_id", "started_at", "finished_at"])
      .where("parent_run_id", "=", runId)
      .execute();
    await verify.close();

    const requests = {
      // Authenticated EWS requests (an NTLM handshake's first leg is answered at once, without the latency).
      [defaultProfile.id]:
        (after.acceptedNtlm ?? 0) +
        (after.acceptedBasic ?? 0) -
        (before.acceptedNtlm ?? 0) -
        (before.acceptedBasic ?? 0),
      [cloud.id]: (after.graphRequests ?? 0) - (before.graphRequests ?? 0),
    };
    const peaks = {
      [defaultProfile.id]: after.peak_in_flight?.[account.email] ?? 0,
      [cloud.id]: after.graph_peak_in_flight?.[`app:${app.clientId}`] ?? 0,
    };
    const perProfile = run.profiles.map((profile) => {
      const child = children.find((row) => row.profile_id === profile.profileId);
      const actualS =
        child?.finished_at == null ? null : (Date.parse(child.finished_at) - Date.parse(child.started_at)) / 1000;
      const profileRequests = requests[profile.profileId] ?? 0;
      // Users per second while every profile was still checking, and after the first one had finished.
      const together = polls.filter((poll) => run.profiles.every((each) => poll.done[each.profileId]! < each.total));
      const rate = (from: (typeof polls)[number] | undefined, to: (typeof polls)[number] | undefined) =>
        from === undefined || to === undefined || to.at <= from.at
          ? null
          : Number(
              (
                ((to.done[profile.profileId] ?? 0) - (from.done[profile.profileId] ?? 0)) /
                ((to.at - from.at) / 1000)
              ).toFixed(1),
            );
      const lastTogether = together.at(-1);
      const firstResult = polls.find((poll) => (poll.done[profile.profileId] ?? 0) > 0);
      const alone = polls.filter(
        (poll) =>
          lastTogether !== undefined &&
          poll.at >= lastTogether.at &&
          (poll.done[profile.profileId] ?? 0) < profile.total,
      );
      return {
        name: profile.name,
        access_type: profile.accessType,
        state: profile.state,
        users: profile.total,
        done: profile.done,
        requests: profileRequests,
        requests_per_user: Number((profileRequests / Math.max(1, profile.total)).toFixed(3)),
        ideal_users_s: seconds((profile.total * LATENCY_MS) / 1000 / BUDGET),
        ideal_s: seconds((profileRequests * LATENCY_MS) / 1000 / BUDGET),
        actual_s: actualS === null ? null : seconds(actualS),
        peak_in_flight: peaks[profile.profileId] ?? 0,
        start_lag_s:
          child === undefined ? null : seconds((Date.parse(child.started_at) - Date.parse(run.startedAt)) / 1000),
        first_result_s: firstResult === undefined ? null : seconds((firstResult.at - startedAt) / 1000),
        users_per_s_together: rate(together[0], lastTogether),
        users_per_s_alone: alone.length < 2 ? null : rate(alone[0], alone.at(-1)),
        counts: profile.counts,
      };
    });
    const boundS = (Math.max(0, ...run.profiles.map((profile) => profile.total)) * LATENCY_MS) / 1000 / BUDGET;
    const boundRequestsS = Math.max(
      0,
      ...run.profiles.map((profile) => ((requests[profile.profileId] ?? 0) * LATENCY_MS) / 1000 / BUDGET),
    );
    const actualS = (Date.parse(run.finishedAt ?? "") - Date.parse(run.startedAt)) / 1000;
    // The parent ends when its last child does: the lag between the two is the settle's cost.
    const lastChildEnd = Math.max(...children.map((row) => Date.parse(row.finished_at ?? "")));
    const settleLagS = (Date.parse(run.finishedAt ?? "") - lastChildEnd) / 1000;
    const ratio = boundS > 0 ? actualS / boundS : null;
    const ratioRequests = boundRequestsS > 0 ? actualS / boundRequestsS : null;
    const lostResults = stored.missing;
    const duplicateResults = stored.rows - stored.users;
    const okUsers = run.counts.ok ?? 0;
    const pass =
      run.state === "completed" &&
      run.profiles.length === 2 &&
      okUsers === run.total &&
      // Counted over every child run: one stored result per user of the run, none missing, none twice.
      stored.users === run.total &&
      lostResults === 0 &&
      duplicateResults === 0 &&
      perProfile.every((profile) => profile.peak_in_flight > 0 && profile.peak_in_flight <= BUDGET) &&
      ratioRequests !== null &&
      ratioRequests <= TARGET_RATIO;
    return {
      bench: "checks",
      case: "hybrid",
      db: options.db,
      users: run.total,
      latency_ms: LATENCY_MS,
      budget: BUDGET,
      concurrency: run.concurrency,
      state: run.state,
      profiles: perProfile,
      bound_s: seconds(boundS),
      bound_requests_s: seconds(boundRequestsS),
      actual_s: seconds(actualS),
      settle_lag_s: Number.isFinite(settleLagS) ? Number(settleLagS.toFixed(3)) : null,
      ratio: ratio === null ? null : Number(ratio.toFixed(3)),
      ratio_requests: ratioRequests === null ? null : Number(ratioRequests.toFixed(3)),
      target_ratio: TARGET_RATIO,
      peak_in_flight: { [account.email]: peaks[defaultProfile.id], [`app:${app.clientId}`]: peaks[cloud.id] },
      ews_busy: (after.ewsBusy ?? 0) - (before.ewsBusy ?? 0),
      graph_throttled: (after.graphThrottled ?? 0) - (before.graphThrottled ?? 0),
      stored_results: stored.rows,
      lost_results: lostResults,
      duplicate_results: duplicateResults,
      cpu_ms_per_user: Number((cpuMs / Math.max(1, run.total)).toFixed(3)),
      lab_cpu_ms_per_user: Number((labCpuMs / Math.max(1, run.total)).toFixed(3)),
      peak_rss_mb: peakRssMb,
      counts: run.counts,
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
