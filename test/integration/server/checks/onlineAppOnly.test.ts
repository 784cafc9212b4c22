/**
 * Exchange Online app-only as it is in late 2026, end to end through the check API against the lab's online
 * scenario: a tenant-wide consent that voids the RBAC scope, per-capability outcomes (mail ok, calendar denied), an
 * alias with its primary address, drafts without Mail.ReadWrite, each client-credential failure with its own
 * category, and a mailbox's 429 that delays that mailbox only.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Agent, fetch as undiciFetch } from "undici";
import type { JWK } from "jose";
import type { CheckResultDto, CheckRunDto } from "../../../../src/contract/checks.js";
import { startLab, type Lab, type Scenario } from "../../../../src/lab/index.js";
import { backendEnvForLab } from "../../../support/backendProcess.js";
import { createTestBackend, type TestBackend } from "../../../support/backend.js";
import { scenarioFile } from "../../../support/lab.js";
import { TEST_AUDIENCE } from "../../../support/tokens.js";

const ADMIN = "admin@fabrikam.lab";
const SCOPED_APP = "4f7b2c9e-1a6d-4b38-8e5f-3c0a7d2b9e61";
const CONSENTED_APP = "9d3a6f1b-2c8e-4b57-a0d4-5e7c1b9f3a26";
const DIRECTORY_APP = "b2e6d9a3-7f1c-4a58-9d0b-6e3f8a1c5d74";
const EXPIRED_APP = "3e9c1a7f-5b2d-4c86-a1f0-7d4b9e2c6a18";
const BLOCKED_APP = "c5a8e2d4-9f1b-4e37-b6c0-2a7d5f3e9b41";
const THROTTLED = ["tom.busy@fabrikam.lab", "tina.busy@fabrikam.lab", "theo.busy@fabrikam.lab"];
const SECRETS: Record<string, string> = {
  [SCOPED_APP]: "lab-online-graph-secret",
  [CONSENTED_APP]: "lab-online-consented-secret",
  [DIRECTORY_APP]: "lab-online-directory-secret",
  [EXPIRED_APP]: "lab-online-expired-secret",
  [BLOCKED_APP]: "lab-online-blocked-secret",
};

function onlineScenario(): Scenario {
  const scenario = scenarioFile("online");
  scenario.apps.appOnly.push(
    {
      clientId: EXPIRED_APP,
      displayName: "Graph app whose secret expired",
      secret: SECRETS[EXPIRED_APP]!,
      roles: { "https://graph.microsoft.com": ["User.Read.All"] },
      mailboxScope: "scoped",
      credentialFailure: "secretExpired",
    },
    {
      clientId: BLOCKED_APP,
      displayName: "Graph app blocked by Conditional Access",
      secret: SECRETS[BLOCKED_APP]!,
      roles: { "https://graph.microsoft.com": ["User.Read.All"] },
      mailboxScope: "scoped",
      credentialFailure: "conditionalAccess",
    },
  );
  for (const email of THROTTLED) {
    scenario.users.push({
      email,
      displayName: email,
      password: "Lab-Passw0rd!",
      mailbox: "ok",
      inManagementScope: true,
      refresh: "ok",
      graphThrottled: { times: 2, retryAfterSeconds: 0.75 },
    });
  }
  // Requests take long enough that a shared pause would show in every other mailbox's duration.
  scenario.latencyMs = { min: 30, max: 30 };
  return scenario;
}

describe("Exchange Online app-only through the check API", () => {
  let lab: Lab;
  let harness: TestBackend;
  let orgId: string;
  let adminToken: string;
  const userIds = new Map<string, string>();

  beforeAll(async () => {
    lab = await startLab({ scenario: onlineScenario(), port: 0 });
    const labEnv = backendEnvForLab({
      ...lab.ready,
      port: lab.port,
      backendClientSecret: lab.scenario.apps.backend.secret,
    });
    const identityEnv = Object.fromEntries(
      Object.entries(labEnv).filter(([key]) => /^(EXCHANGE_|BACKEND_|GRAPH_)/.test(key)),
    );
    const dispatcher = new Agent({ connect: { ca: lab.caCertPem } });
    const jwks = (await (await undiciFetch(lab.jwksUri, { dispatcher })).json()) as { keys: JWK[] };
    await dispatcher.close();
    harness = await createTestBackend({
      env: {
        OUTBOUND_CA_FILE: labEnv.OUTBOUND_CA_FILE!,
        OUTBOUND_HOST_OVERRIDES: labEnv.OUTBOUND_HOST_OVERRIDES!,
        TOKEN_AUDIENCE: `${TEST_AUDIENCE},${lab.ready.backendClientId}`,
        ...identityEnv,
        // The tenant of the configuration picks the authority, as with login.microsoftonline.com/{tenantid}.
        EXCHANGE_AUTHORITY: lab.authority.replace(lab.scenario.tenantId, "{tenantid}"),
        CHECK_MAX_ATTEMPTS: "2",
        RATE_LIMIT_MAX: "100000",
      },
      resolver: "system",
      extraIssuers: [{ issuer: lab.issuer, keys: jwks }],
    });
    orgId = (await harness.seedUsers(0, ADMIN, "fabrikam.lab")).id;
    const now = new Date().toISOString();
    const rows = lab.scenario.users.map((user, index) => {
      const id = `20000000-0000-4000-8000-${String(index).padStart(12, "0")}`;
      userIds.set(user.email, id);
      return {
        id,
        org_id: orgId,
        email: user.email,
        email_normalized: user.email.toLowerCase(),
        display_name: user.displayName,
        role: "user" as const,
        added_by: "test",
        added_at: now,
      };
    });
    await harness.database.db.insertInto("org_users").values(rows).execute();
    adminToken = await harness.token(ADMIN);
  });

  afterAll(async () => {
    await harness.close();
    await lab.close();
  });

  const call = (method: "GET" | "POST", url: string, body?: unknown) =>
    harness.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${adminToken}` },
      ...(body === undefined ? {} : { payload: body as object }),
    });

  async function checkRun(
    appOnly: { tenantId?: string; clientId: string; clientSecret?: string },
    options: { depth?: "read" | "full"; users?: string[] } = {},
  ): Promise<{ run: CheckRunDto; results: Map<string, CheckResultDto> }> {
    const scope = options.users === undefined ? { all: true } : { userIds: options.users.map((u) => userIds.get(u)) };
    const draft = {
      accessType: "graph_app_only",
      appOnly: {
        tenantId: appOnly.tenantId ?? lab.scenario.tenantId,
        clientId: appOnly.clientId,
        clientSecret: appOnly.clientSecret ?? SECRETS[appOnly.clientId],
      },
    };
    const started = await call("POST", `/api/orgs/${orgId}/checks`, {
      scope,
      depth: options.depth ?? "read",
      draft,
      concurrency: 10,
    });
    expect(started.statusCode, started.body).toBe(202);
    const { runId } = started.json<{ runId: string }>();
    await harness.app.ctx.checks.settled(runId);
    const run = (await call("GET", `/api/orgs/${orgId}/checks/${runId}`)).json<CheckRunDto>();
    const page = await call("GET", `/api/orgs/${orgId}/checks/${runId}/results?limit=500`);
    const results = new Map(page.json<{ items: CheckResultDto[] }>().items.map((r) => [r.email, r]));
    return { run, results };
  }

  it("warns, naming Mail.Read, that a tenant-wide consent voids the RBAC scope, and counts mail-only users apart", async () => {
    const { run, results } = await checkRun(
      { clientId: CONSENTED_APP },
      { users: ["adam.ok@fabrikam.lab", "bella.outside@fabrikam.lab"] },
    );
    expect(run.state, JSON.stringify(run.stopReason)).toBe("completed");
    const consent = run.preflight?.warnings.find((w) => w.category === "tenant_wide_consent");
    expect(consent?.message).toMatch(/^Mail\.Read is consented tenant-wide/);
    // What a read check needs, and where the app holds it: Mail.Read from the consent, calendars from RBAC (token).
    expect(run.preflight?.permissions?.map((p) => [p.permission, p.state, p.seenIn])).toEqual([
      ["User.Read.All", "present", "role_assignments"],
      ["Mail.Read", "present", "role_assignments"],
      ["Calendars.Read", "present", "token"],
      ["Place.Read.All", "present", "role_assignments"],
    ]);
    expect(results.get("adam.ok@fabrikam.lab")).toMatchObject({
      category: "ok",
      capabilities: { mail: "ok", calendar: "ok", drafts: null },
    });
    // Mail reaches Bella through the consent; her calendar follows the RBAC scope she is outside of.
    expect(results.get("bella.outside@fabrikam.lab")).toMatchObject({
      category: "calendar_denied",
      severity: "warning",
      capabilities: { mail: "ok", calendar: "calendar_denied" },
    });
    expect(run.counts).toEqual({ ok: 1, calendar_denied: 1 });

    const csv = await call("GET", `/api/orgs/${orgId}/checks/${run.id}/results.csv`);
    expect(csv.body.split("\r\n")[0]).toMatch(/,"capabilities","kind","profile","suggested_profile"$/);
    expect(csv.body).toContain('"mail ok; calendar calendar_denied"');
  });

  it("gives the scoped app no consent warning and keeps Bella's mail denied by the scope", async () => {
    const { run, results } = await checkRun(
      { clientId: SCOPED_APP },
      { users: ["adam.ok@fabrikam.lab", "bella.outside@fabrikam.lab"] },
    );
    expect(run.preflight?.warnings.map((w) => w.category)).not.toContain("tenant_wide_consent");
    expect(results.get("bella.outside@fabrikam.lab")).toMatchObject({
      category: "graph_scope_denied",
      capabilities: { mail: "graph_scope_denied", calendar: null },
    });
  });

  it("names, for an app with directory access only, each permission a read check needs and which are missing", async () => {
    const { run, results } = await checkRun({ clientId: DIRECTORY_APP }, { users: ["adam.ok@fabrikam.lab"] });
    expect(run.preflight?.permissions).toEqual([
      expect.objectContaining({ permission: "User.Read.All", state: "present", heldAs: "User.Read.All" }),
      expect.objectContaining({ permission: "Mail.Read", state: "missing", rbacRole: "Application Mail.Read" }),
      expect.objectContaining({ permission: "Calendars.Read", state: "missing", seenIn: null }),
      expect.objectContaining({ permission: "Place.Read.All", state: "missing", rbacRole: null }),
    ]);
    expect(run.preflight?.warnings.map((w) => w.category)).not.toContain("permission_missing");
    // What the preflight could only suspect, the user's check proves: no mail permission reaches the mailbox.
    expect(results.get("adam.ok@fabrikam.lab")?.category).not.toBe("ok");
  });

  it("reports an alias as non_primary_address with the mailbox's primary SMTP address", async () => {
    const { results } = await checkRun({ clientId: SCOPED_APP }, { users: ["hana.alias@fabrikam.lab"] });
    expect(results.get("hana.alias@fabrikam.lab")).toMatchObject({
      category: "non_primary_address",
      primarySmtpAddress: "hana.schmidt@fabrikam.lab",
      capabilities: { mail: "ok", calendar: "ok" },
    });
  });

  it("says drafts_not_permitted at full depth without Mail.ReadWrite instead of failing", async () => {
    const { run, results } = await checkRun(
      { clientId: SCOPED_APP },
      { depth: "full", users: ["adam.ok@fabrikam.lab"] },
    );
    expect(run.state).toBe("completed");
    const permissions = new Map(run.preflight?.permissions?.map((p) => [p.permission, p]));
    expect(permissions.get("Mail.ReadWrite")).toMatchObject({
      state: "missing",
      rbacRole: "Application Mail.ReadWrite",
    });
    expect(permissions.get("Mail.Read")).toMatchObject({ state: "present", seenIn: "token" });
    expect(results.get("adam.ok@fabrikam.lab")).toMatchObject({
      category: "drafts_not_permitted",
      capabilities: { mail: "ok", calendar: "ok", drafts: "drafts_not_permitted" },
    });
  });

  it.each([
    ["an expired secret (AADSTS7000222)", { clientId: EXPIRED_APP }, "secret_expired"],
    [
      "the secret's ID instead of its value (AADSTS7000215)",
      { clientId: SCOPED_APP, clientSecret: "3f2a9c1e-secret-id" },
      "secret_id_pasted",
    ],
    [
      "an app the tenant does not know (AADSTS700016)",
      { clientId: "0d9e8f7a-6b5c-4d3e-9f1a-2b3c4d5e6f70", clientSecret: "x" },
      "app_not_in_tenant",
    ],
    [
      "Conditional Access for workload identities (AADSTS53003)",
      { clientId: BLOCKED_APP },
      "conditional_access_blocked",
    ],
    [
      "an unknown tenant (AADSTS90002)",
      { clientId: SCOPED_APP, tenantId: "7b6a5c4d-3e2f-4a1b-9c8d-0e1f2a3b4c5d" },
      "tenant_not_found",
    ],
  ])("stops the run at preflight for %s with its own category and remedy", async (_case, appOnly, category) => {
    const { run } = await checkRun(appOnly, { users: ["adam.ok@fabrikam.lab"] });
    expect(run.state).toBe("auth_failed");
    expect(run.stopReason?.category).toBe(category);
    expect(run.stopReason?.detail).toMatch(/AADSTS\d+/);
    expect(run.done).toBe(0);
  });

  it("adds the settling note to a run started right after a save, and re-saving the same values changes nothing", async () => {
    const body = {
      accessType: "graph_app_only",
      appOnly: { tenantId: lab.scenario.tenantId, clientId: CONSENTED_APP, clientSecret: SECRETS[CONSENTED_APP] },
    };
    const put = (version: number, payload: unknown) =>
      harness.app.inject({
        method: "PUT",
        url: `/api/orgs/${orgId}/email-config`,
        headers: { authorization: `Bearer ${adminToken}`, "if-match": `"${version}"` },
        payload: payload as object,
      });
    const saved = await put(0, body);
    expect(saved.statusCode, saved.body).toBe(200);
    const savedAt = Date.now();
    const started = await call("POST", `/api/orgs/${orgId}/checks`, {
      scope: { userIds: [userIds.get("bella.outside@fabrikam.lab")] },
      depth: "read",
    });
    expect(started.statusCode, started.body).toBe(202);
    const { runId } = started.json<{ runId: string }>();
    await harness.app.ctx.checks.settled(runId);
    const run = (await call("GET", `/api/orgs/${orgId}/checks/${runId}`)).json<CheckRunDto>();
    expect(run.counts).toEqual({ calendar_denied: 1 });
    const settling = run.preflight?.settling;
    expect(settling?.note).toMatch(
      /^Changes to RBAC for Applications can take up to 2 hours; re-check after \d\d:\d\d UTC\.$/,
    );
    const recheckAfter = Date.parse(settling!.recheckAfter);
    expect(Math.abs(recheckAfter - savedAt - 2 * 3_600_000)).toBeLessThan(60_000);
    expect(settling!.note).toContain(settling!.recheckAfter.slice(11, 16));

    // A save that changes nothing keeps the time of the last change.
    const { clientSecret: _kept, ...unchanged } = body.appOnly;
    const again = await put(1, { ...body, appOnly: unchanged });
    expect(again.statusCode, again.body).toBe(200);
    const record = await harness.app.ctx.repos.emailConfigs.get(orgId);
    expect(record.changedAt).toBe(settling!.changedAt);
  });

  it("delays only the mailboxes that answer 429: the others finish as fast as in a run without them", async () => {
    const others = [
      "adam.ok@fabrikam.lab",
      "gina.revoked@fabrikam.lab",
      "hana.alias@fabrikam.lab",
      "dana.kiosk@fabrikam.lab",
    ];
    const slowest = (results: Map<string, CheckResultDto>, emails: string[]) =>
      Math.max(...emails.map((email) => results.get(email)!.durationMs));
    const alone = await checkRun({ clientId: SCOPED_APP }, { users: others });
    const mixed = await checkRun({ clientId: SCOPED_APP }, { users: [...THROTTLED, ...others] });
    for (const email of THROTTLED) {
      // Two 429s of 0.75 s each, honoured in the driver, then the mailbox answers.
      expect(mixed.results.get(email)).toMatchObject({ category: "ok", attempts: 1 });
    }
    const throttledFastest = Math.min(...THROTTLED.map((email) => mixed.results.get(email)!.durationMs));
    const othersWith = slowest(mixed.results, others);
    const othersWithout = slowest(alone.results, others);
    // A shared pause would hold every mailbox for the throttled ones' 1.5 s; a per-mailbox wait holds nobody else.
    expect(othersWith / Math.max(othersWithout, 1)).toBeLessThan(3);
    expect(throttledFastest / othersWith).toBeGreaterThan(2);
  });
});
