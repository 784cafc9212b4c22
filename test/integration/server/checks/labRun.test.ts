/**
 * Check runs through the real backend app and the real EWS driver against the lab, with faults injected: throttling
 * (ErrorServerBusy with BackOffMilliseconds), HTTP 500, connection resets, truncated and malformed answers, and a
 * server that never answers. Every user ends with the outcome the scenario defines or the one the fault forces.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CheckResultDto, CheckRunDto } from "../../../../src/contract/checks.js";
import {
  DEMO_SCENARIO_FILE,
  generateScenario,
  loadScenarioFile,
  startLab,
  type Lab,
  type Scenario,
} from "../../../../src/lab/index.js";
import { createTestBackend, type TestBackend } from "../../../support/backend.js";
import type { SeededOrg } from "../../../support/seed.js";

const USERS = 300;

describe("check runs against the Exchange lab with injected faults", () => {
  let lab: Lab;
  let scenario: Scenario;
  let harness: TestBackend;
  let org: SeededOrg;
  let adminToken: string;
  const truncatedUser = "user00006@contoso.lab";
  const malformedUser = "user00007@contoso.lab";
  const silentUser = "user00008@contoso.lab";

  beforeAll(async () => {
    const generated = generateScenario({
      users: USERS,
      mix: { ok: 0.8, denied: 0.1, none: 0.05, disabled: 0.05 },
      base: await loadScenarioFile(DEMO_SCENARIO_FILE),
    });
    const everyone = generated.users.map((user) => user.email);
    scenario = {
      ...generated,
      latencyMs: { min: 2, max: 6 },
      throttling: { ...generated.throttling, backOffMs: 40 },
      faults: [
        // Targeted rules first: the lab applies the first rule that fires.
        { kind: "truncated", rate: 1, users: [truncatedUser], service: "ews" },
        { kind: "malformed", rate: 1, users: [malformedUser], service: "ews" },
        { kind: "noAnswer", rate: 1, users: [silentUser], service: "ews" },
        { kind: "throttle", rate: 0.05, users: everyone, service: "ews" },
        { kind: "http500", rate: 0.03, users: everyone, service: "ews" },
        { kind: "reset", rate: 0.02, users: everyone, service: "ews" },
      ],
    };
    lab = await startLab({ scenario, port: 0 });
    harness = await createTestBackend({
      env: {
        OUTBOUND_CA_FILE: lab.caCertFile,
        OUTBOUND_HOST_OVERRIDES: "localhost=127.0.0.1",
        // A short timeout keeps the silent user's five attempts quick.
        CHECK_REQUEST_TIMEOUT_MS: "2000",
        RATE_LIMIT_MAX: "100000",
      },
      resolver: "system",
    });
    org = await harness.seedUsers(0);
    const admin = "admin@contoso.test";
    await harness.database.db
      .insertInto("org_users")
      .values(
        [...scenario.users.map((user) => user.email), admin].map((email, index) => ({
          id: `00000000-0000-4000-8000-${String(index).padStart(12, "0")}`,
          org_id: org.id,
          email,
          email_normalized: email.toLowerCase(),
          display_name: email,
          role: email === admin ? "admin" : "user",
          added_by: "test",
          added_at: new Date().toISOString(),
        })),
      )
      .execute();
    adminToken = await harness.token(admin);
  });

  afterAll(async () => {
    await harness.close();
    await lab.close();
  });

  const post = (url: string, body: unknown) =>
    harness.app.inject({
      method: "POST",
      url,
      headers: { authorization: `Bearer ${adminToken}` },
      payload: body as object,
    });
  const get = (url: string) =>
    harness.app.inject({ method: "GET", url, headers: { authorization: `Bearer ${adminToken}` } });

  async function run(draft: Record<string, unknown>, concurrency: number): Promise<CheckRunDto> {
    const started = await post(`/api/orgs/${org.id}/checks`, {
      scope: { all: true },
      depth: "read",
      concurrency,
      draft,
    });
    expect(started.statusCode, started.body).toBe(202);
    const { runId } = started.json<{ runId: string }>();
    await harness.app.ctx.checks.settled(runId);
    return get(`/api/orgs/${org.id}/checks/${runId}`).then((response) => response.json<CheckRunDto>());
  }

  async function allResults(runId: string): Promise<CheckResultDto[]> {
    const results: CheckResultDto[] = [];
    let cursor = "";
    for (;;) {
      const page = (
        await get(`/api/orgs/${org.id}/checks/${runId}/results?limit=500${cursor ? `&cursor=${cursor}` : ""}`)
      ).json<{ items: CheckResultDto[]; nextCursor: string | null }>();
      results.push(...page.items);
      if (page.nextCursor === null) return results;
      cursor = page.nextCursor;
    }
  }

  it("rides out throttling and transient faults: every user ends with the scenario's outcome", async () => {
    const busyBefore = lab.stats.ewsBusy;
    const faultsBefore = lab.stats.faultsInjected;
    const finished = await run(
      {
        accessType: "ews_basic_impersonation",
        ewsUrl: lab.ewsUrl,
        accountLogon: "svc-sync@contoso.lab",
        password: "Sync-Lab-2026!",
      },
      8,
    );

    expect(finished).toMatchObject({ state: "completed", total: USERS + 1, done: USERS + 1 });
    expect(lab.stats.ewsBusy - busyBefore).toBeGreaterThan(0);
    expect(lab.stats.faultsInjected - faultsBefore).toBeGreaterThan(0);

    const byEmail = new Map((await allResults(finished.id)).map((result) => [result.email, result]));
    const expectedFor = (email: string): string => {
      if (email === malformedUser) return "bad_response";
      // The lab cuts the connection mid-body: a transport failure, retried, then reported as such.
      if (email === truncatedUser) return "network_error";
      if (email === silentUser) return "timeout";
      const user = scenario.users.find((candidate) => candidate.email === email);
      if (user === undefined) return "no_mailbox";
      if (!user.inManagementScope) return "impersonation_denied";
      return { ok: "ok", none: "no_mailbox", disabled: "account_disabled" }[user.mailbox as "ok" | "none" | "disabled"];
    };
    const wrong = [...byEmail.values()]
      .filter((result) => result.category !== expectedFor(result.email))
      .map(
        (result) =>
          `${result.email}: ${result.category} (expected ${expectedFor(result.email)}) ${result.detail ?? ""}`,
      );
    expect(wrong).toEqual([]);
    expect(byEmail.get(silentUser)?.attempts).toBe(5);
    expect(byEmail.get(truncatedUser)?.attempts).toBe(5);
    expect(finished.counts.server_busy ?? 0).toBe(0);
    expect(finished.counts.throttled ?? 0).toBe(0);
    expect(finished.severityCounts.transient).toBe(2);
  });

  it("stops at once as auth_failed on a refused password, with one logon attempt and no user checked", async () => {
    const before = lab.stats.ewsRequests;
    const refusedBefore = lab.stats.ntlmRefused;
    const finished = await run(
      {
        accessType: "ews_basic_impersonation",
        ewsUrl: lab.ewsUrl,
        accountLogon: "svc-sync@contoso.lab",
        password: "not-the-password",
      },
      8,
    );
    // The lab offers Windows authentication only: the probe, then one NEGOTIATE and one refused AUTHENTICATE.
    expect(finished).toMatchObject({ state: "auth_failed", done: 0, stopReason: { category: "ntlm_refused" } });
    expect(lab.stats.ewsRequests - before).toBeLessThanOrEqual(3);
    expect(lab.stats.ntlmRefused - refusedBefore).toBe(1);
  });
});
