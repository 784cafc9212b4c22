/**
 * Check runs over connection profiles (issue 24 item 3), on SQLite and PostgreSQL: every user checked through their
 * own profile's configuration and driver; a profile whose account is refused stops only its users and the group
 * ends naming it; cancel of the parent cancels its children; the monitoring end listener hears a group once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AttestationDto } from "../../../../src/contract/attestation.js";
import type { CheckRunDto } from "../../../../src/contract/checks.js";
import type { ConnectionProfileDto } from "../../../../src/contract/profiles.js";
import { createTestBackend, type TestBackend } from "../../../support/backend.js";
import {
  APP_ONLY_CONFIG,
  EWS_CONFIG,
  FakeMailboxDriver,
  passingPreflight,
} from "../../../support/fakeMailboxDriver.js";
import { postgresEnabled } from "../../../support/postgres.js";

const dialects: Array<"sqlite" | "postgres"> = ["sqlite"];
if (await postgresEnabled()) dialects.push("postgres");

const ON_PREM = ["ann@contoso.com", "dee@contoso.com"];
/** The admin is a user of the organization too, on the default profile. */
const DEFAULT_CHECKED = ["admin@contoso.com", ...ON_PREM];
const CLOUD = ["bob@contoso.com", "cy@contoso.com", "eve@contoso.com"];

describe.each(dialects)("group check runs on %s", (dialect) => {
  let backend: TestBackend;
  let orgId = "";
  let admin = "";
  let ids: Record<string, string> = {};
  let cloud: ConnectionProfileDto;
  const drivers = new Map<string, FakeMailboxDriver>();
  const ended: CheckRunDto[] = [];

  beforeAll(async () => {
    backend = await createTestBackend({
      dialect,
      env: { OUTBOUND_HOST_OVERRIDES: "mail.contoso.test=127.0.0.1", RATE_LIMIT_MAX: "100000" },
      resolver: "system",
    });
    const seeded = await backend.seedOrg({
      name: "Contoso",
      admin: "admin@contoso.com",
      users: [...ON_PREM, ...CLOUD],
    });
    orgId = seeded.orgId;
    ids = seeded.userIds;
    admin = await backend.bearer("admin@contoso.com");
    // One fake driver per service account: which one checked whom tells which profile did.
    backend.app.ctx.checks.useDriverFactory((_org, config) => {
      const key = JSON.stringify(config).includes("svc-cloud@") ? "svc-cloud@contoso.com" : "svc@contoso.test";
      let driver = drivers.get(key);
      if (driver === undefined) drivers.set(key, (driver = new FakeMailboxDriver()));
      return driver;
    });
    backend.app.ctx.checks.onRunEnd((run) => {
      ended.push(run);
      return Promise.resolve();
    });
    const saved = await call("PUT", "/email-config", EWS_CONFIG, '"0"');
    expect(saved.statusCode, saved.body).toBe(200);
    cloud = (await call("POST", "/profiles", { name: "Cloud" })).json<ConnectionProfileDto>();
    const cloudSaved = await call(
      "PUT",
      `/profiles/${cloud.id}`,
      { ...EWS_CONFIG, accountLogon: "svc-cloud@contoso.com" },
      `"${cloud.version}"`,
    );
    expect(cloudSaved.statusCode, cloudSaved.body).toBe(200);
    const moved = await call("POST", "/users/move-profile", {
      userIds: CLOUD.map((email) => ids[email]),
      profileId: cloud.id,
    });
    expect(moved.statusCode, moved.body).toBe(200);
  });
  afterAll(async () => {
    await backend.close();
  });

  function call(method: "GET" | "POST" | "PUT", url: string, payload?: object, ifMatch?: string) {
    return backend.app.inject({
      method,
      url: `/api/orgs/${orgId}${url}`,
      headers: { authorization: admin, ...(ifMatch === undefined ? {} : { "if-match": ifMatch }) },
      ...(payload === undefined ? {} : { payload }),
    });
  }
  async function runToEnd(body: object): Promise<CheckRunDto> {
    const started = await call("POST", "/checks", body);
    expect(started.statusCode, started.body).toBe(202);
    const runId = started.json<{ runId: string }>().runId;
    await backend.app.ctx.checks.settled(runId);
    return (await call("GET", `/checks/${runId}`)).json<CheckRunDto>();
  }
  const reset = () => {
    for (const driver of drivers.values()) driver.checked.length = 0;
    ended.length = 0;
  };

  it("checks every user through their own profile, with per-profile counts, heard once by the end listener", async () => {
    reset();
    const run = await runToEnd({ scope: { all: true }, depth: "read" });
    expect(run.state).toBe("completed");
    expect(run.total).toBe(6);
    expect(run.done).toBe(6);
    expect(drivers.get("svc@contoso.test")?.checked.sort()).toEqual([...DEFAULT_CHECKED].sort());
    expect(drivers.get("svc-cloud@contoso.com")?.checked.sort()).toEqual([...CLOUD].sort());
    expect(run.profiles.map((p) => [p.name, p.total, p.done, p.state]).sort()).toEqual([
      ["Cloud", 3, 3, "completed"],
      ["Default", 3, 3, "completed"],
    ]);
    expect(ended.map((dto) => dto.id)).toEqual([run.id]);
    const listed = (await call("GET", "/checks")).json<{ items: CheckRunDto[] }>().items;
    expect(listed.filter((item) => item.id === run.id)).toHaveLength(1);
    expect(listed).toHaveLength(1);
    const results = (await call("GET", `/checks/${run.id}/results?limit=50`)).json<{ items: unknown[] }>();
    expect(results.items).toHaveLength(6);
  });

  it("stops only the refused profile's users; the group ends auth_failed naming the profile", async () => {
    reset();
    drivers.get("svc-cloud@contoso.com")!.refuse("auth_failed", "bad password");
    const run = await runToEnd({ scope: { all: true }, depth: "read" });
    drivers.get("svc-cloud@contoso.com")!.preflightReport = passingPreflight();
    expect(run.state).toBe("auth_failed");
    expect(run.stopReason?.detail).toMatch(/^Profile Cloud: /);
    expect(drivers.get("svc@contoso.test")?.checked.sort()).toEqual([...DEFAULT_CHECKED].sort());
    expect(drivers.get("svc-cloud@contoso.com")?.checked).toEqual([]);
    const byName = Object.fromEntries(run.profiles.map((p) => [p.name, p]));
    expect(byName.Default).toMatchObject({ state: "completed", done: 3 });
    expect(byName.Cloud).toMatchObject({ state: "auth_failed", done: 0 });
    expect(ended.map((dto) => dto.id)).toEqual([run.id]);
  });

  it("exports the CSV with each user's profile, and filters results by profile", async () => {
    const latest = (await call("GET", "/checks"))
      .json<{ items: CheckRunDto[] }>()
      .items.find((item) => item.state === "completed" && item.profiles.length === 2);
    const csv = await call("GET", `/checks/${latest!.id}/results.csv`);
    expect(csv.statusCode).toBe(200);
    const lines = csv.body.trim().split("\r\n");
    expect(lines[0]).toMatch(/,"kind","profile","suggested_profile"$/);
    const profileOf = new Map(lines.slice(1).map((line) => [line.split(",")[0], line.split(",").at(-2)]));
    for (const email of CLOUD) expect(profileOf.get(`"${email}"`)).toBe('"Cloud"');
    for (const email of DEFAULT_CHECKED) expect(profileOf.get(`"${email}"`)).toBe('"Default"');
    const cloudOnly = (await call("GET", `/checks/${latest!.id}/results?profile=${cloud.id}`)).json<{
      items: Array<{ email: string }>;
    }>();
    expect(cloudOnly.items.map((item) => item.email).sort()).toEqual([...CLOUD].sort());
  });

  it("cancels every child when the parent is cancelled", async () => {
    reset();
    for (const driver of drivers.values()) driver.delayMs = 2_000;
    const started = await call("POST", "/checks", { scope: { all: true }, depth: "read" });
    expect(started.statusCode, started.body).toBe(202);
    const runId = started.json<{ runId: string }>().runId;
    const cancelled = await call("POST", `/checks/${runId}/cancel`);
    for (const driver of drivers.values()) driver.delayMs = 0;
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    await backend.app.ctx.checks.settled(runId);
    const run = (await call("GET", `/checks/${runId}`)).json<CheckRunDto>();
    expect(run.state).toBe("cancelled");
    expect(run.profiles.map((profile) => profile.state)).toEqual(["cancelled", "cancelled"]);
    expect(run.done).toBeLessThan(6);
    expect(ended.map((dto) => [dto.id, dto.state])).toEqual([[runId, "cancelled"]]);
    // A new run can start: no child is left active.
    const next = await runToEnd({ scope: { all: true }, depth: "read" });
    expect(next.state).toBe("completed");
  });

  it("refuses an unknown profileId naming the field, storing nothing", async () => {
    const before = (await call("GET", "/checks")).json<{ items: unknown[] }>().items.length;
    const refused = await call("POST", "/checks", {
      scope: { all: true },
      depth: "read",
      profileId: "5a1e4b7c-0d2f-4e69-9b3a-7c8d1e2f3a4b",
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.json<{ errors: Array<{ field: string }> }>().errors.map((e) => e.field)).toEqual(["profileId"]);
    expect((await call("GET", "/checks")).json<{ items: unknown[] }>().items).toHaveLength(before);
  });

  it("checks one profile's users only when the start names it", async () => {
    reset();
    const run = await runToEnd({ scope: { all: true }, depth: "read", profileId: cloud.id });
    expect(run.state).toBe("completed");
    expect(run.total).toBe(3);
    expect(drivers.get("svc-cloud@contoso.com")?.checked.sort()).toEqual([...CLOUD].sort());
    expect(drivers.get("svc@contoso.test")?.checked).toEqual([]);
    expect(run.profiles.map((p) => p.profileId)).toEqual([cloud.id]);
  });
});

describe("the attestation of a group run", () => {
  let backend: TestBackend;
  let orgId = "";
  let admin = "";
  let cloud: ConnectionProfileDto;
  const CANARY = "sync-canary@contoso.com";
  const onPremises = new FakeMailboxDriver();
  const graph = new FakeMailboxDriver();

  beforeAll(async () => {
    backend = await createTestBackend({
      env: { OUTBOUND_HOST_OVERRIDES: "mail.contoso.test=127.0.0.1", RATE_LIMIT_MAX: "100000" },
      resolver: "system",
    });
    const seeded = await backend.seedOrg({
      name: "Contoso",
      admin: "admin@contoso.com",
      users: [...ON_PREM, ...CLOUD],
    });
    orgId = seeded.orgId;
    admin = await backend.bearer("admin@contoso.com");
    backend.app.ctx.checks.useDriverFactory((_org, config) =>
      config.accessType === "graph_app_only" ? graph : onPremises,
    );
    // Each profile's probe of the canary is refused: the boundary holds through both.
    onPremises.failing.set(CANARY, "impersonation_denied");
    graph.failing.set(CANARY, "graph_scope_denied");
    expect((await call("PUT", "/email-config", EWS_CONFIG, '"0"')).statusCode).toBe(200);
    const created = await call("POST", "/profiles", { name: "Cloud", config: APP_ONLY_CONFIG });
    expect(created.statusCode, created.body).toBe(201);
    cloud = created.json<ConnectionProfileDto>();
    const moved = await call("POST", "/users/move-profile", {
      userIds: CLOUD.map((email) => seeded.userIds[email]),
      profileId: cloud.id,
    });
    expect(moved.statusCode, moved.body).toBe(200);
    expect((await call("POST", "/canaries", { address: CANARY })).statusCode).toBe(201);
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

  it("lists each profile that took part, with its identity and no secret, beside every child's users and canaries", async () => {
    const started = await call("POST", "/checks", { scope: { all: true }, depth: "read" });
    expect(started.statusCode, started.body).toBe(202);
    const runId = started.json<{ runId: string }>().runId;
    await backend.app.ctx.checks.settled(runId);
    const run = (await call("GET", `/checks/${runId}`)).json<CheckRunDto>();
    expect(run.profiles).toHaveLength(2);
    // Every child checked its profile's saved configuration: the group is no draft (the pane offers its attestation),
    // and monitoring keeps it in the history.
    expect(run.draft).toBe(false);
    await backend.app.ctx.monitoring.idle();
    const history = (await call("GET", "/monitoring/history?limit=1")).json<{ items: Array<{ runId: string }> }>();
    expect(history.items[0]).toMatchObject({ runId, state: "completed" });

    const answer = await call("GET", `/checks/${runId}/attestation`);
    expect(answer.statusCode, answer.body).toBe(200);
    const { document } = answer.json<AttestationDto>();
    const byName = Object.fromEntries(document.profiles.map((profile) => [profile.name, profile]));
    expect(Object.keys(byName).sort()).toEqual(["Cloud", "Default"]);
    expect(byName.Default).toEqual({
      name: "Default",
      accessType: "ews_basic_impersonation",
      serviceAccount: EWS_CONFIG.accountLogon,
      appId: null,
      tenantId: null,
      ewsUrl: EWS_CONFIG.ewsUrl,
      configVersion: 1,
      configurationCurrent: true,
    });
    expect(byName.Cloud).toEqual({
      name: "Cloud",
      accessType: "graph_app_only",
      serviceAccount: null,
      appId: APP_ONLY_CONFIG.appOnly.clientId,
      tenantId: APP_ONLY_CONFIG.appOnly.tenantId,
      ewsUrl: null,
      configVersion: cloud.version,
      configurationCurrent: true,
    });
    expect(document.users.map((user) => user.email).sort()).toEqual(["admin@contoso.com", ...ON_PREM, ...CLOUD].sort());
    expect(document.canaries.map((canary) => [canary.address, canary.verdict])).toEqual([
      [CANARY, "refused"],
      [CANARY, "refused"],
    ]);
    const text = JSON.stringify(document);
    // EWS_CONFIG's password is "pw", too short to search for; the secret value is the one to look for.
    expect(text).not.toContain(APP_ONLY_CONFIG.appOnly.clientSecret);

    // Cloud changed after the run: its identity is no longer vouched for; Default's still is.
    const changed = await call(
      "PUT",
      `/profiles/${cloud.id}`,
      { ...APP_ONLY_CONFIG, appOnly: { ...APP_ONLY_CONFIG.appOnly, clientId: "1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d" } },
      `"${cloud.version}"`,
    );
    expect(changed.statusCode, changed.body).toBe(200);
    const later = (await call("GET", `/checks/${runId}/attestation`)).json<AttestationDto>().document;
    const laterByName = Object.fromEntries(later.profiles.map((profile) => [profile.name, profile]));
    expect(laterByName.Cloud).toMatchObject({ configurationCurrent: false, appId: null, accessType: "graph_app_only" });
    expect(laterByName.Default).toMatchObject({ configurationCurrent: true, ewsUrl: EWS_CONFIG.ewsUrl });
  });
});
