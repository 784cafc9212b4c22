import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CheckResultDto, CheckRunDto } from "../../../../src/contract/checks.js";
import type { CheckOutcome } from "../../../../src/server/exchange/driver.js";
import type { ResolvedEmailConfig } from "../../../../src/server/exchange/config.js";
import type { SeededOrg } from "../../../support/seed.js";
import { createTestBackend, type TestBackend } from "../../../support/backend.js";
import { FakeMailboxDriver, outcome } from "../../../support/fakeMailboxDriver.js";

const EWS_URL = "https://mail.contoso.test/EWS/Exchange.asmx";
const ADMIN = "admin@contoso.test";

/** Answers by the user's address: every fifth from user1 is denied impersonation, every fifth from user2 has no mailbox. */
function byAddress(email: string): CheckOutcome {
  const index = Number(/user(\d+)@/.exec(email)?.[1] ?? "0");
  if (index % 5 === 1) return { category: "impersonation_denied", detail: "ErrorImpersonateUserDenied", steps: [] };
  if (index % 5 === 2) return { category: "no_mailbox", detail: '=HYPERLINK("http://x")', steps: [] };
  return outcome("ok");
}

describe("check routes", () => {
  let harness: TestBackend;
  let driver: FakeMailboxDriver;
  /** The configuration each run handed the driver factory. */
  const configs: ResolvedEmailConfig[] = [];
  let org: SeededOrg;
  let other: SeededOrg;
  let adminToken: string;

  const api = async (
    method: "GET" | "POST" | "PUT",
    url: string,
    options: { token?: string | null; body?: unknown; headers?: Record<string, string> } = {},
  ) => {
    const token = options.token === undefined ? adminToken : options.token;
    return harness.app.inject({
      method,
      url,
      headers: { ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...options.headers },
      ...(options.body === undefined ? {} : { payload: options.body as Record<string, unknown> }),
    });
  };

  async function runToEnd(orgId: string, runId: string): Promise<CheckRunDto> {
    await harness.app.ctx.checks.settled(runId);
    return (await api("GET", `/api/orgs/${orgId}/checks/${runId}`)).json<CheckRunDto>();
  }

  async function saveConfig(orgId: string): Promise<void> {
    const saved = await api("PUT", `/api/orgs/${orgId}/email-config`, {
      headers: { "if-match": '"0"' },
      body: {
        accessType: "ews_basic_impersonation",
        ewsUrl: EWS_URL,
        accountLogon: "svc@contoso.test",
        password: "pw",
      },
    });
    expect(saved.statusCode, saved.body).toBe(200);
  }

  beforeAll(async () => {
    harness = await createTestBackend({
      env: { OUTBOUND_HOST_OVERRIDES: "mail.contoso.test=127.0.0.1", RATE_LIMIT_MAX: "100000" },
      resolver: "system",
    });
    driver = new FakeMailboxDriver(byAddress);
    harness.app.ctx.checks.useDriverFactory((_orgId, config) => {
      configs.push(config);
      return driver;
    });
    org = await harness.seedUsers(20, ADMIN);
    other = await harness.seedUsers(3, "other-admin@fabrikam.test", "fabrikam.test");
    adminToken = await harness.token(ADMIN);
    await saveConfig(org.id);
  });

  afterAll(async () => {
    await harness.close();
  });

  it("runs a check for every user, counts categories and pages results by category", async () => {
    const started = await api("POST", `/api/orgs/${org.id}/checks`, { body: { scope: { all: true }, depth: "read" } });
    expect(started.statusCode, started.body).toBe(202);
    const { runId } = started.json<{ runId: string }>();
    expect(started.headers.location).toBe(`/api/orgs/${org.id}/checks/${runId}`);

    const run = await runToEnd(org.id, runId);
    expect(run).toMatchObject({
      state: "completed",
      // 20 users and the admin, who is a user of the organization too.
      total: 21,
      done: 21,
      counts: { ok: 13, impersonation_denied: 4, no_mailbox: 4 },
      severityCounts: { ok: 13, warning: 0, error: 8, transient: 0 },
      configVersion: 1,
      draft: false,
      depth: "read",
      concurrency: 10,
      preflight: { canProceed: true },
      stopReason: null,
    });
    expect(run.finishedAt).not.toBeNull();

    const denied = await api(
      "GET",
      `/api/orgs/${org.id}/checks/${runId}/results?category=impersonation_denied&limit=3`,
    );
    expect(denied.headers["cache-control"]).toBe("no-store");
    const page = denied.json<{ items: CheckResultDto[]; nextCursor: string | null }>();
    expect(page.items).toHaveLength(3);
    expect(page.items[0]).toMatchObject({
      category: "impersonation_denied",
      severity: "error",
      detail: "ErrorImpersonateUserDenied",
      attempts: 1,
    });
    expect(page.items[0]?.remedy).toContain("ApplicationImpersonation");
    const rest = await api(
      "GET",
      `/api/orgs/${org.id}/checks/${runId}/results?category=impersonation_denied&cursor=${page.nextCursor ?? ""}`,
    );
    expect(rest.json<{ items: CheckResultDto[]; nextCursor: string | null }>()).toMatchObject({ nextCursor: null });
    expect(rest.json<{ items: CheckResultDto[] }>().items).toHaveLength(1);

    const recent = await api("GET", `/api/orgs/${org.id}/checks`);
    expect(recent.json<{ items: CheckRunDto[] }>().items[0]).toMatchObject({ id: runId, configVersion: 1 });
  });

  it("feeds each user's latest result into their own mailbox status", async () => {
    const deniedUser = "user1@contoso.test";
    const status = await api("GET", "/api/me/mailbox-status", { token: await harness.token(deniedUser) });
    expect(status.statusCode, status.body).toBe(200);
    expect(status.json()).toMatchObject({
      state: "not_connected",
      lastCheck: { category: "impersonation_denied", severity: "error" },
    });
  });

  it("exports the results as CSV with formula triggers neutralised", async () => {
    const runs = (await api("GET", `/api/orgs/${org.id}/checks`)).json<{ items: CheckRunDto[] }>();
    const runId = runs.items[0]!.id;
    const csv = await api("GET", `/api/orgs/${org.id}/checks/${runId}/results.csv`);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers["content-type"]).toBe("text/csv; charset=utf-8");
    expect(csv.headers["cache-control"]).toBe("no-store");
    expect(csv.headers["content-disposition"]).toBe(`attachment; filename="check-run-${runId}.csv"`);
    const lines = csv.body.trimEnd().split("\r\n");
    expect(lines).toHaveLength(22);
    expect(lines[0]).toMatch(/^"email","user_id","category"/);
    const noMailbox = lines.find((line) => line.includes('"no_mailbox"'));
    expect(noMailbox).toContain(`"'=HYPERLINK(""http://x"")"`);
    const filtered = await api("GET", `/api/orgs/${org.id}/checks/${runId}/results.csv?severity=ok`);
    expect(filtered.body.trimEnd().split("\r\n")).toHaveLength(14);
  });

  it("answers 409 while a run is active, cancels it, and keeps the cancelled run's results readable", async () => {
    let release: () => void = () => undefined;
    driver.hold = new Promise((resolve) => (release = resolve));
    const first = await api("POST", `/api/orgs/${org.id}/checks`, { body: { scope: { all: true }, depth: "full" } });
    expect(first.statusCode).toBe(202);
    const { runId } = first.json<{ runId: string }>();

    const second = await api("POST", `/api/orgs/${org.id}/checks`, { body: { scope: { all: true }, depth: "read" } });
    expect(second.statusCode).toBe(409);
    expect(second.headers["content-type"]).toContain("application/problem+json");
    expect(second.json<{ detail: string }>().detail).toContain(runId);

    const cancelling = api("POST", `/api/orgs/${org.id}/checks/${runId}/cancel`);
    const cancelled = await cancelling;
    driver.hold = null;
    release();
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect(cancelled.json<CheckRunDto>()).toMatchObject({ state: "cancelled", done: 0 });

    const results = await api("GET", `/api/orgs/${org.id}/checks/${runId}/results`);
    expect(results.statusCode).toBe(200);
    expect(results.json()).toEqual({ items: [], nextCursor: null });
    const again = await api("POST", `/api/orgs/${org.id}/checks/${runId}/cancel`);
    expect(again.statusCode).toBe(409);
  });

  it("checks a listed subset with an unsaved draft whose blank password falls back to the stored one", async () => {
    configs.length = 0;
    const started = await api("POST", `/api/orgs/${org.id}/checks`, {
      body: {
        scope: { userIds: [org.userIds[0], org.userIds[3]] },
        depth: "read",
        concurrency: 2,
        draft: { accessType: "ews_basic_impersonation", ewsUrl: EWS_URL, accountLogon: "other-svc@contoso.test" },
      },
    });
    expect(started.statusCode, started.body).toBe(202);
    const run = await runToEnd(org.id, started.json<{ runId: string }>().runId);
    expect(run).toMatchObject({
      state: "completed",
      total: 2,
      done: 2,
      draft: true,
      configVersion: null,
      scope: "list",
    });
    expect(configs[0]).toEqual({
      accessType: "ews_basic_impersonation",
      ewsUrl: EWS_URL,
      accountLogon: "other-svc@contoso.test",
      password: "pw",
      // Not given in the draft: the server offers decide (NTLM preferred).
      authentication: "automatic",
    });
  });

  it("stops as auth_failed when preflight's authentication is refused, checking nobody", async () => {
    driver.checked = [];
    driver.refuse("auth_failed", "HTTP 401");
    const started = await api("POST", `/api/orgs/${org.id}/checks`, { body: { scope: { all: true }, depth: "read" } });
    const run = await runToEnd(org.id, started.json<{ runId: string }>().runId);
    driver.accept();
    expect(run).toMatchObject({
      state: "auth_failed",
      done: 0,
      stopReason: { category: "auth_failed", detail: "HTTP 401" },
    });
    expect(driver.checked).toEqual([]);
  });

  it("names the field for each kind of bad input", async () => {
    const post = (body: unknown, orgId = org.id) => api("POST", `/api/orgs/${orgId}/checks`, { body });
    const fields = (response: Awaited<ReturnType<typeof post>>) =>
      response.json<{ errors?: Array<{ field: string; message: string }> }>().errors?.map((error) => error.field);

    const badDepth = await post({ scope: { all: true }, depth: "deep" });
    expect(badDepth.statusCode).toBe(400);
    expect(fields(badDepth)).toContain("depth");

    const tooMany = await post({ scope: { all: true }, depth: "read", concurrency: 28 });
    expect(tooMany.statusCode).toBe(422);
    expect(fields(tooMany)).toEqual(["concurrency"]);

    const refusedUrl = await post({
      scope: { all: true },
      depth: "read",
      draft: {
        accessType: "ews_basic_impersonation",
        ewsUrl: "https://10.1.2.3/EWS/Exchange.asmx",
        accountLogon: "a@b.c",
      },
    });
    expect(refusedUrl.statusCode).toBe(422);
    expect(fields(refusedUrl)).toEqual(["draft.ewsUrl"]);

    const invalidDraft = await post({
      scope: { all: true },
      depth: "read",
      draft: { accessType: "graph_app_only", appOnly: { tenantId: "not a tenant", clientId: "x" } },
    });
    expect(invalidDraft.statusCode).toBe(422);
    expect(fields(invalidDraft)).toEqual(expect.arrayContaining(["draft.appOnly.tenantId", "draft.appOnly.clientId"]));

    const unknownUser = await post({ scope: { userIds: [other.userIds[0]] }, depth: "read" });
    expect(unknownUser.statusCode).toBe(422);
    expect(fields(unknownUser)).toEqual(["scope.userIds"]);

    const otherToken = await harness.token("other-admin@fabrikam.test");
    const noConfig = await api("POST", `/api/orgs/${other.id}/checks`, {
      token: otherToken,
      body: { scope: { all: true }, depth: "read" },
    });
    expect(noConfig.statusCode).toBe(422);
    expect(fields(noConfig)).toEqual(["draft"]);

    const empty = await harness.seedUsers(0, "lonely-admin@northwind.test", "northwind.test");
    const noUsers = await api("POST", `/api/orgs/${empty.id}/checks`, {
      token: await harness.token("lonely-admin@northwind.test"),
      body: {
        scope: { all: true },
        depth: "read",
        draft: {
          accessType: "ews_basic_impersonation",
          ewsUrl: EWS_URL,
          accountLogon: "s@contoso.test",
          password: "p",
        },
      },
    });
    // The organization's only member is its admin, so "all users" selects the admin alone.
    expect(noUsers.statusCode).toBe(202);

    const unknownRun = await api("GET", `/api/orgs/${org.id}/checks/00000000-0000-4000-8000-000000000000`);
    expect(unknownRun.statusCode).toBe(404);
    const unknownResults = await api("GET", `/api/orgs/${org.id}/checks/00000000-0000-4000-8000-000000000000/results`);
    expect(unknownResults.statusCode).toBe(404);
  });

  it("refuses a run for an organization without any user", async () => {
    const { id } = await harness.seedUsers(0);
    // Nobody can be admin of an organization without users, so ask the service directly.
    const service = harness.app.ctx.checks;
    await expect(
      service.start(id, ADMIN, {
        scope: { all: true },
        depth: "read",
        draft: {
          accessType: "ews_basic_impersonation",
          ewsUrl: EWS_URL,
          accountLogon: "s@contoso.test",
          password: "p",
        },
      }),
    ).rejects.toMatchObject({ status: 422, errors: [{ field: "scope" }] });
  });

  it("documents every check route in the OpenAPI document", async () => {
    const document = (await api("GET", "/api/openapi.json", { token: null })).json<{ paths: Record<string, object> }>();
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        "/api/orgs/{orgId}/checks",
        "/api/orgs/{orgId}/checks/{runId}",
        "/api/orgs/{orgId}/checks/{runId}/results",
        "/api/orgs/{orgId}/checks/{runId}/results.csv",
        "/api/orgs/{orgId}/checks/{runId}/events",
        "/api/orgs/{orgId}/checks/{runId}/events/ticket",
        "/api/orgs/{orgId}/checks/{runId}/cancel",
        "/api/orgs/{orgId}/email-config/discover",
        "/api/orgs/{orgId}/email-config/service-account",
        "/api/orgs/{orgId}/email-config/rbac-script",
      ]),
    );
  });

  it("lets only the organization's admins reach the check routes", async () => {
    const runs = (await api("GET", `/api/orgs/${org.id}/checks`)).json<{ items: CheckRunDto[] }>();
    const runId = runs.items.at(-1)!.id;
    const base = `/api/orgs/${org.id}/checks`;
    const routes: Array<["GET" | "POST", string, unknown?]> = [
      ["POST", base, { scope: { all: true }, depth: "read" }],
      ["GET", base],
      ["GET", `${base}/${runId}`],
      ["GET", `${base}/${runId}/results`],
      ["GET", `${base}/${runId}/results.csv`],
      ["GET", `${base}/${runId}/events`],
      ["POST", `${base}/${runId}/events/ticket`],
      ["POST", `${base}/${runId}/cancel`],
    ];
    const member = await harness.token("user4@contoso.test");
    const foreignAdmin = await harness.token("other-admin@fabrikam.test");
    for (const [method, url, body] of routes) {
      const options = body === undefined ? {} : { body };
      expect((await api(method, url, { ...options, token: null })).statusCode, `${method} ${url} without token`).toBe(
        401,
      );
      expect((await api(method, url, { ...options, token: member })).statusCode, `${method} ${url} as member`).toBe(
        403,
      );
      expect(
        (await api(method, url, { ...options, token: foreignAdmin })).statusCode,
        `${method} ${url} as another org's admin`,
      ).toBe(404);
    }
  });
});
