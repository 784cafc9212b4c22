/**
 * Canary suggestions from the directory, through the backend and the lab: Graph app-only lists `/users` (paged), EWS
 * lists ResolveNames of "SMTP:". Suggestions are none of the organization's users, no alias of one, no canary yet
 * and not the service account; another organization's admin cannot read them; a directory that cannot be read, or
 * no saved configuration, answers 200 with the reason.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Agent, fetch as undiciFetch } from "undici";
import type { JWK } from "jose";
import type { CanaryDirectorySuggestionsDto } from "../../../../src/contract/canaries.js";
import { MAX_DIRECTORY_SUGGESTIONS } from "../../../../src/contract/canaries.js";
import { DEMO_SCENARIO_FILE, loadScenarioFile, startLab, type Lab } from "../../../../src/lab/index.js";
import type { Scenario } from "../../../../src/lab/scenario.js";
import { backendEnvForLab } from "../../../support/backendProcess.js";
import { createTestBackend, type TestBackend } from "../../../support/backend.js";
import { APP_ONLY_CONFIG, EWS_CONFIG, FakeMailboxDriver } from "../../../support/fakeMailboxDriver.js";
import { scenarioFile } from "../../../support/lab.js";
import { TEST_AUDIENCE } from "../../../support/tokens.js";

const SCOPED_APP = "4f7b2c9e-1a6d-4b38-8e5f-3c0a7d2b9e61";
const NO_DIRECTORY_APP = "7e2a9c4f-3b1d-4f68-a5c0-9d8e1b2f6a47";

async function backendFor(lab: Lab): Promise<TestBackend> {
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
  return createTestBackend({
    env: {
      OUTBOUND_CA_FILE: labEnv.OUTBOUND_CA_FILE!,
      OUTBOUND_HOST_OVERRIDES: labEnv.OUTBOUND_HOST_OVERRIDES!,
      TOKEN_AUDIENCE: `${TEST_AUDIENCE},${lab.ready.backendClientId}`,
      ...identityEnv,
      EXCHANGE_AUTHORITY: lab.authority.replace(lab.scenario.tenantId, "{tenantid}"),
      RATE_LIMIT_MAX: "100000",
    },
    resolver: "system",
    extraIssuers: [{ issuer: lab.issuer, keys: jwks }],
  });
}

function caller(harness: TestBackend, admin: string) {
  return async (method: "GET" | "POST" | "PUT", url: string, body?: unknown, headers: Record<string, string> = {}) =>
    harness.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${await harness.token(admin)}`, ...headers },
      ...(body === undefined ? {} : { payload: body as object }),
    });
}

const addresses = (dto: CanaryDirectorySuggestionsDto) => dto.items.map((item) => item.address);

describe("canary suggestions through Graph app-only (the online lab)", () => {
  let lab: Lab;
  let harness: TestBackend;
  let orgId: string;
  let otherOrgId: string;
  let call: ReturnType<typeof caller>;
  let other: ReturnType<typeof caller>;

  beforeAll(async () => {
    const scenario: Scenario = scenarioFile("online");
    scenario.apps.appOnly.push({
      clientId: NO_DIRECTORY_APP,
      displayName: "Graph app without User.Read.All",
      secret: "lab-online-nodirectory-secret",
      roles: { "https://graph.microsoft.com": ["Mail.Read"] },
      mailboxScope: "scoped",
    });
    lab = await startLab({ scenario, port: 0 });
    harness = await backendFor(lab);
    orgId = (
      await harness.seedOrg({
        name: "Fabrikam lab",
        admin: "nora.admin@fabrikam.lab",
        users: ["adam.ok@fabrikam.lab", "hana.alias@fabrikam.lab"],
      })
    ).orgId;
    otherOrgId = (await harness.seedOrg({ name: "Other", admin: "admin@other.example" })).orgId;
    call = caller(harness, "nora.admin@fabrikam.lab");
    other = caller(harness, "admin@other.example");
  });

  afterAll(async () => {
    await harness?.close();
    await lab?.close();
  });

  const save = async (clientId: string, clientSecret: string, version: string) => {
    const saved = await call(
      "PUT",
      `/api/orgs/${orgId}/email-config`,
      { accessType: "graph_app_only", appOnly: { tenantId: lab.scenario.tenantId, clientId, clientSecret } },
      { "if-match": `"${version}"` },
    );
    expect(saved.statusCode, saved.body).toBe(200);
  };

  it("says the directory is read through the saved configuration when none is saved", async () => {
    const answer = await call("GET", `/api/orgs/${orgId}/canaries/suggestions`);
    expect(answer.statusCode, answer.body).toBe(200);
    expect(answer.json<CanaryDirectorySuggestionsDto>()).toEqual({
      listed: false,
      reason: expect.stringContaining("No email configuration is saved yet") as string,
      items: [],
      truncated: false,
    });
  });

  it("gives a clear reason, not a 500, when the app may not list the directory", async () => {
    await save(NO_DIRECTORY_APP, "lab-online-nodirectory-secret", "0");
    const answer = await call("GET", `/api/orgs/${orgId}/canaries/suggestions`);
    expect(answer.statusCode, answer.body).toBe(200);
    const dto = answer.json<CanaryDirectorySuggestionsDto>();
    expect(dto.listed).toBe(false);
    expect(dto.reason).toContain("User.Read.All");
    expect(dto.items).toEqual([]);
  });

  it("suggests directory mailboxes that are none of the users, their aliases or the canaries", async () => {
    await save(SCOPED_APP, "lab-online-graph-secret", "1");
    const first = (await call("GET", `/api/orgs/${orgId}/canaries/suggestions`)).json<CanaryDirectorySuggestionsDto>();
    expect(first).toMatchObject({ listed: true, reason: null, truncated: false });
    expect(addresses(first)).toContain("sync-canary@fabrikam.lab");
    expect(addresses(first)).toContain("bella.outside@fabrikam.lab");
    expect(first.items.find((item) => item.address === "bella.outside@fabrikam.lab")?.displayName).toBeTruthy();
    for (const user of ["adam.ok@fabrikam.lab", "nora.admin@fabrikam.lab", "hana.alias@fabrikam.lab"]) {
      expect(addresses(first)).not.toContain(user);
    }
    // hana.schmidt's mailbox answers to the user hana.alias: the same person, not a mailbox outside the scope.
    expect(addresses(first)).not.toContain("hana.schmidt@fabrikam.lab");
    // Without a mailbox (mail null) nothing can be probed.
    expect(addresses(first)).not.toContain("carl.nomailbox@fabrikam.lab");
    expect(first.items.length).toBeLessThanOrEqual(MAX_DIRECTORY_SUGGESTIONS);

    const added = await call("POST", `/api/orgs/${orgId}/canaries`, { address: "sync-canary@fabrikam.lab" });
    expect(added.statusCode, added.body).toBe(201);
    const after = (await call("GET", `/api/orgs/${orgId}/canaries/suggestions`)).json<CanaryDirectorySuggestionsDto>();
    expect(addresses(after)).not.toContain("sync-canary@fabrikam.lab");
    expect(addresses(after)).toContain("bella.outside@fabrikam.lab");
  });

  it("answers only the organization's own admins", async () => {
    const foreign = await other("GET", `/api/orgs/${orgId}/canaries/suggestions`);
    expect([403, 404]).toContain(foreign.statusCode);
    expect(foreign.headers["content-type"]).toContain("application/problem+json");
    expect(foreign.body).not.toContain("fabrikam.lab");
    // The other organization, without a configuration, reads nothing of Fabrikam's directory.
    const own = (
      await other("GET", `/api/orgs/${otherOrgId}/canaries/suggestions`)
    ).json<CanaryDirectorySuggestionsDto>();
    expect(own).toMatchObject({ listed: false, items: [] });
    const plainUser = await harness.app.inject({
      method: "GET",
      url: `/api/orgs/${orgId}/canaries/suggestions`,
      headers: { authorization: `Bearer ${await harness.token("adam.ok@fabrikam.lab")}` },
    });
    expect(plainUser.statusCode).toBe(403);
    expect(plainUser.headers["content-type"]).toContain("application/problem+json");
  });
});

describe("canary suggestions through Exchange Impersonation (the on-premises demo lab)", () => {
  let lab: Lab;
  let harness: TestBackend;
  let orgId: string;
  let call: ReturnType<typeof caller>;

  beforeAll(async () => {
    lab = await startLab({ scenario: await loadScenarioFile(DEMO_SCENARIO_FILE), port: 0 });
    harness = await backendFor(lab);
    orgId = (
      await harness.seedOrg({
        name: "Contoso lab",
        admin: "megan.bowen@contoso.lab",
        users: ["alex.wilber@contoso.lab", "lynne@contoso.lab"],
      })
    ).orgId;
    call = caller(harness, "megan.bowen@contoso.lab");
    const saved = await call(
      "PUT",
      `/api/orgs/${orgId}/email-config`,
      {
        accessType: "ews_basic_impersonation",
        ewsUrl: lab.ewsUrl,
        accountLogon: "svc-sync@contoso.lab",
        password: "Sync-Lab-2026!",
      },
      { "if-match": '"0"' },
    );
    expect(saved.statusCode, saved.body).toBe(200);
  });

  afterAll(async () => {
    await harness?.close();
    await lab?.close();
  });

  it("lists the directory with ResolveNames, leaving out the users and the service account itself", async () => {
    const answer = await call("GET", `/api/orgs/${orgId}/canaries/suggestions`);
    expect(answer.statusCode, answer.body).toBe(200);
    const dto = answer.json<CanaryDirectorySuggestionsDto>();
    expect(dto.listed).toBe(true);
    expect(addresses(dto)).toContain("sync-canary@contoso.lab");
    expect(addresses(dto)).not.toContain("alex.wilber@contoso.lab");
    expect(addresses(dto)).not.toContain("megan.bowen@contoso.lab");
    expect(addresses(dto)).not.toContain("svc-sync@contoso.lab");
    // lynne.robbins's mailbox answers to the user lynne@ (its contact's EmailAddresses): the same person.
    expect(addresses(dto)).not.toContain("lynne.robbins@contoso.lab");
    expect(addresses(dto)).toContain("lee.gu@contoso.lab");
    expect(dto.items.length).toBeLessThanOrEqual(MAX_DIRECTORY_SUGGESTIONS);
  });
});

describe("canary suggestions of a hybrid organization (a fake driver per profile)", () => {
  let backend: TestBackend;
  let orgId = "";
  let admin = "";
  const onPremises = new FakeMailboxDriver();
  const cloudDriver = new FakeMailboxDriver();
  const mailbox = (address: string, otherAddresses: string[] = []) => ({
    address,
    displayName: address.split("@")[0]!,
    otherAddresses,
  });

  beforeAll(async () => {
    backend = await createTestBackend({
      env: { OUTBOUND_HOST_OVERRIDES: "mail.contoso.test=127.0.0.1", RATE_LIMIT_MAX: "100000" },
      resolver: "system",
    });
    const seeded = await backend.seedOrg({ name: "Contoso", admin: "admin@contoso.com", users: ["ann@contoso.com"] });
    orgId = seeded.orgId;
    admin = await backend.bearer("admin@contoso.com");
    // Each profile's directory: the driver of its configuration.
    backend.app.ctx.checks.useDriverFactory((_org, config) =>
      config.accessType === "graph_app_only" ? cloudDriver : onPremises,
    );
    const saved = await call("PUT", "/email-config", EWS_CONFIG, '"0"');
    expect(saved.statusCode, saved.body).toBe(200);
    const created = await call("POST", "/profiles", { name: "Cloud", config: APP_ONLY_CONFIG });
    expect(created.statusCode, created.body).toBe(201);
    // A third profile never set up lists nothing and says nothing.
    expect((await call("POST", "/profiles", { name: "Spare" })).statusCode).toBe(201);
  });
  afterAll(async () => {
    await backend?.close();
  });

  function call(method: "GET" | "POST" | "PUT", url: string, payload?: object, ifMatch?: string) {
    return backend.app.inject({
      method,
      url: `/api/orgs/${orgId}${url}`,
      headers: { authorization: admin, ...(ifMatch === undefined ? {} : { "if-match": ifMatch }) },
      ...(payload === undefined ? {} : { payload }),
    });
  }
  const suggestions = async () => {
    const answer = await call("GET", "/canaries/suggestions");
    expect(answer.statusCode, answer.body).toBe(200);
    return answer.json<CanaryDirectorySuggestionsDto>();
  };

  it("lists through every profile, each address once, naming the profile that found it", async () => {
    onPremises.directory = {
      ok: true,
      truncated: false,
      mailboxes: [
        mailbox("archive@contoso.com"),
        mailbox("Shared@contoso.com"),
        mailbox("ann@contoso.com"),
        mailbox("svc@contoso.test"),
      ],
    };
    cloudDriver.directory = {
      ok: true,
      truncated: false,
      mailboxes: [
        mailbox("shared@contoso.com"),
        mailbox("cloud-only@contoso.com"),
        // An alias of the user ann: the same person, in the cloud directory.
        mailbox("ann.smith@contoso.com", ["ann@contoso.com"]),
      ],
    };
    const dto = await suggestions();
    expect(dto).toMatchObject({ listed: true, reason: null, truncated: false });
    expect(dto.items.map((item) => [item.address, item.profile]).sort()).toEqual([
      ["archive@contoso.com", "Default"],
      ["cloud-only@contoso.com", "Cloud"],
      // Listed by both: once, found first through the default profile.
      ["shared@contoso.com", "Default"],
    ]);
  });

  it("keeps what one profile listed when another cannot list its directory, and says why for that one", async () => {
    cloudDriver.directory = { ok: false, category: "graph_scope_denied", detail: "Authorization_RequestDenied" };
    const dto = await suggestions();
    expect(dto.listed).toBe(true);
    expect(dto.items.map((item) => item.address).sort()).toEqual(["archive@contoso.com", "shared@contoso.com"]);
    expect(dto.reason).toMatch(/^Profile Cloud: The app may not list the directory's users \(.*User\.Read\.All/);
    expect(dto.reason).not.toContain("Default");
    expect(dto.reason).not.toContain("Spare");

    // None can: not listed, each profile's reason.
    onPremises.directory = null;
    const none = await suggestions();
    expect(none).toMatchObject({ listed: false, items: [], truncated: false });
    expect(none.reason).toContain("Profile Default: The directory could not be read");
    expect(none.reason).toContain("Profile Cloud: The app may not list");
  });
});
