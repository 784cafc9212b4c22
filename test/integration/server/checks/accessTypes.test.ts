/**
 * The email-config helpers and a check run for each access type, end to end through the backend app and the lab:
 * the magic wand, the RBAC script, the EWS OAuth service account's sign-in (on-behalf-of) and checks over it, and
 * checks through Graph app-only.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Agent, fetch as undiciFetch } from "undici";
import type { JWK } from "jose";
import type { EmailConfigDto } from "../../../../src/contract/api.js";
import type { CheckRunDto, DiscoveryResultDto, RbacScriptDto } from "../../../../src/contract/checks.js";
import { DEMO_SCENARIO_FILE, loadScenarioFile, startLab, type Lab } from "../../../../src/lab/index.js";
import { backendEnvForLab } from "../../../support/backendProcess.js";
import { createTestBackend, type TestBackend } from "../../../support/backend.js";
import { TEST_AUDIENCE } from "../../../support/tokens.js";

const ADMIN = "admin@contoso.lab";

describe("access types and email-config helpers against the lab", () => {
  let lab: Lab;
  let harness: TestBackend;
  let orgId: string;
  let adminToken: string;

  beforeAll(async () => {
    const scenario = await loadScenarioFile(DEMO_SCENARIO_FILE);
    lab = await startLab({ scenario, port: 0 });
    const labEnv = backendEnvForLab({
      ...lab.ready,
      port: lab.port,
      backendClientSecret: scenario.apps.backend.secret,
    });
    // The drivers' identity settings (ServerConfig.exchange) point at the lab.
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
        // Graph answers moving and unavailable mailboxes with Retry-After: two attempts keep those users quick.
        CHECK_MAX_ATTEMPTS: "2",
        RATE_LIMIT_MAX: "100000",
      },
      resolver: "system",
      extraIssuers: [{ issuer: lab.issuer, keys: jwks }],
    });
    const org = await harness.seedUsers(0, ADMIN, "contoso.lab");
    orgId = org.id;
    const now = new Date().toISOString();
    await harness.database.db
      .insertInto("org_users")
      .values(
        scenario.users.map((user, index) => ({
          id: `10000000-0000-4000-8000-${String(index).padStart(12, "0")}`,
          org_id: orgId,
          email: user.email,
          email_normalized: user.email.toLowerCase(),
          display_name: user.displayName,
          role: "user" as const,
          added_by: "test",
          added_at: now,
        })),
      )
      .execute();
    adminToken = await harness.token(ADMIN);
  });

  afterAll(async () => {
    await harness.close();
    await lab.close();
  });

  const call = (method: "GET" | "POST" | "PUT", url: string, body?: unknown, headers: Record<string, string> = {}) =>
    harness.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${adminToken}`, ...headers },
      ...(body === undefined ? {} : { payload: body as object }),
    });

  async function checkRun(draft: Record<string, unknown>, depth: "read" | "full" = "full"): Promise<CheckRunDto> {
    const started = await call("POST", `/api/orgs/${orgId}/checks`, { scope: { all: true }, depth, draft });
    expect(started.statusCode, started.body).toBe(202);
    const { runId } = started.json<{ runId: string }>();
    await harness.app.ctx.checks.settled(runId);
    return (await call("GET", `/api/orgs/${orgId}/checks/${runId}`)).json<CheckRunDto>();
  }

  it("finds the on-premises EWS URL with the magic wand, every step reported", async () => {
    const found = await call("POST", `/api/orgs/${orgId}/email-config/discover`, {
      address: "contoso.lab",
      accountLogon: "svc-sync@contoso.lab",
      password: "Sync-Lab-2026!",
    });
    expect(found.statusCode, found.body).toBe(200);
    const result = found.json<DiscoveryResultDto>();
    expect(result.ewsUrl).toMatch(/^https:\/\/mail\.contoso\.lab(:\d+)?\/EWS\/Exchange\.asmx$/);
    expect(result.exchangeOnline).toBe(false);
    expect(result.steps.length).toBeGreaterThan(1);
    expect(result.steps.some((step) => step.outcome === "ok")).toBe(true);

    const bad = await call("POST", `/api/orgs/${orgId}/email-config/discover`, { address: "not a domain" });
    expect(bad.statusCode).toBe(422);
    expect(bad.json<{ errors: Array<{ field: string }> }>().errors[0]?.field).toBe("address");
  });

  it("generates the RBAC for Applications script for exactly the organization's users", async () => {
    const appId = lab.scenario.apps.appOnly[0]!.clientId;
    const script = await call(
      "GET",
      `/api/orgs/${orgId}/email-config/rbac-script?appId=${appId}&servicePrincipalObjectId=6a1f3c2e-9b8d-4e7f-a1c2-3d4e5f6a7b8c`,
    );
    expect(script.statusCode, script.body).toBe(200);
    const text = script.json<RbacScriptDto>().script;
    expect(text).toContain("Test-ServicePrincipalAuthorization");
    for (const user of lab.scenario.users) expect(text).toContain(`'${user.email.toLowerCase()}'`);

    const bad = await call(
      "GET",
      `/api/orgs/${orgId}/email-config/rbac-script?appId=nope&servicePrincipalObjectId=6a1f3c2e-9b8d-4e7f-a1c2-3d4e5f6a7b8c`,
    );
    expect(bad.statusCode).toBe(422);
    expect(bad.json<{ errors: Array<{ field: string }> }>().errors[0]?.field).toBe("query.appId");
  });

  it("checks every user through Exchange Impersonation (basic) with the scenario's outcomes", async () => {
    const run = await checkRun({
      accessType: "ews_basic_impersonation",
      ewsUrl: lab.ewsUrl,
      accountLogon: "svc-sync@contoso.lab",
      password: "Sync-Lab-2026!",
    });
    expect(run.state).toBe("completed");
    expect(run.done).toBe(run.total);
    expect(run.counts.ok).toBeGreaterThan(0);
    expect(run.counts.impersonation_denied).toBeGreaterThan(0);
    expect(run.counts.non_primary_address).toBeGreaterThan(0);
    expect(run.preflight?.canProceed).toBe(true);
  });

  it("signs the EWS OAuth service account in on-behalf-of, then checks users with its delegated token", async () => {
    const refused = await call("POST", `/api/orgs/${orgId}/email-config/service-account`, { accessToken: "x.y.z" });
    expect(refused.statusCode).toBe(422);

    const assertion = await lab.mintToken({ user: "svc-sync@contoso.lab", audience: lab.ready.backendClientId });
    const signedIn = await call("POST", `/api/orgs/${orgId}/email-config/service-account`, { accessToken: assertion });
    expect(signedIn.statusCode, signedIn.body).toBe(200);
    expect(signedIn.json<EmailConfigDto>().serviceAccount).toMatchObject({
      username: "svc-sync@contoso.lab",
      state: "signed_in",
    });
    expect(signedIn.body).not.toContain(assertion);

    const run = await checkRun({ accessType: "ews_oauth_impersonation", ewsUrl: lab.ewsUrl });
    expect(run.state, JSON.stringify(run)).toBe("completed");
    expect(run.counts.ok).toBeGreaterThan(0);
  });

  it("signs a service account in for one connection profile: its own token cache, the default's untouched", async () => {
    const created = await call("POST", `/api/orgs/${orgId}/profiles`, {
      name: "Second forest",
      config: { accessType: "ews_oauth_impersonation", ewsUrl: lab.ewsUrl, accountLogon: "svc-sync@contoso.lab" },
    });
    expect(created.statusCode, created.body).toBe(201);
    const profileId = created.json<{ id: string }>().id;
    const defaultBefore = await harness.repos.emailConfigs.credentials(orgId);

    const unknown = await call("POST", `/api/orgs/${orgId}/email-config/service-account`, {
      accessToken: "x.y.z",
      profileId: "00000000-0000-4000-8000-000000000000",
    });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json<{ errors: Array<{ field: string }> }>().errors[0]?.field).toBe("profileId");

    const assertion = await lab.mintToken({ user: "svc-sync@contoso.lab", audience: lab.ready.backendClientId });
    const signedIn = await call("POST", `/api/orgs/${orgId}/email-config/service-account`, {
      accessToken: assertion,
      profileId,
    });
    expect(signedIn.statusCode, signedIn.body).toBe(200);
    expect(signedIn.json<EmailConfigDto>().serviceAccount).toMatchObject({ state: "signed_in" });
    const profile = await call("GET", `/api/orgs/${orgId}/profiles/${profileId}`);
    expect(profile.json<EmailConfigDto>().serviceAccount).toMatchObject({
      username: "svc-sync@contoso.lab",
      state: "signed_in",
    });
    expect((await harness.repos.emailConfigs.profileCredentials(orgId, profileId)).tokenCache).not.toBeNull();
    expect(await harness.repos.emailConfigs.credentials(orgId)).toEqual(defaultBefore);
  });

  it("checks users through Graph app-only with a client secret", async () => {
    const app = lab.scenario.apps.appOnly[0]!;
    const run = await checkRun(
      {
        accessType: "graph_app_only",
        appOnly: { tenantId: lab.scenario.tenantId, clientId: app.clientId, clientSecret: app.secret },
      },
      "read",
    );
    expect(run.state, JSON.stringify(run)).toBe("completed");
    expect(run.counts.ok).toBeGreaterThan(0);
    expect(
      Object.keys(run.counts).some((category) => category === "graph_scope_denied" || category === "access_denied"),
    ).toBe(true);
  });
});
