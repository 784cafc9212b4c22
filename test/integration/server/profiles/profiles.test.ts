/**
 * Connection profiles through the API, on SQLite and PostgreSQL: list, create, read, save, rename, delete and
 * set-default, each audited and never returning a secret; the Email Configuration API keeps reading and writing the
 * default; bad input (duplicate name, another organization's profile, deleting the default or a profile with users,
 * a rule matching no one) gets a 4xx naming the field with nothing stored.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConnectionProfileDto, ConnectionProfileListDto } from "../../../../src/contract/profiles.js";
import { createTestBackend, type TestBackend } from "../../../support/backend.js";
import { postgresEnabled } from "../../../support/postgres.js";

const dialects: Array<"sqlite" | "postgres"> = ["sqlite"];
if (await postgresEnabled()) dialects.push("postgres");

const onPremises = {
  accessType: "ews_basic_impersonation",
  ewsUrl: "https://mail.contoso.com/EWS/Exchange.asmx",
  accountLogon: "svc-sync@contoso.com",
  password: "OnPrem-Secret-2026!",
};
const cloud = {
  accessType: "graph_app_only",
  appOnly: {
    tenantId: "2a8e4f61-93c7-4d15-b0e2-7c4a9d1f3e58",
    clientId: "9d3a6f1b-2c8e-4b57-a0d4-5e7c1b9f3a26",
    clientSecret: "Cloud-Client-Secret-Value",
    clientSecretExpiresAt: "2027-06-30",
  },
};

describe.each(dialects)("connection profiles on %s", (dialect) => {
  let backend: TestBackend;
  let orgId = "";
  let otherOrgId = "";
  let admin = "";
  let userIds: Record<string, string> = {};

  beforeAll(async () => {
    backend = await createTestBackend({ dialect });
    const seeded = await backend.seedOrg({
      name: "Contoso",
      admin: "admin@contoso.com",
      users: ["ann@contoso.com", "bob@cloud.contoso.com", "cy@cloud.contoso.com"],
    });
    orgId = seeded.orgId;
    userIds = seeded.userIds;
    otherOrgId = (await backend.seedOrg({ name: "Fabrikam", admin: "admin@fabrikam.com" })).orgId;
    admin = await backend.bearer("admin@contoso.com");
  });
  afterAll(async () => {
    await backend.close();
  });

  const call = (method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE", url: string, payload?: object, ifMatch?: string) =>
    backend.app.inject({
      method,
      url: `/api/orgs/${orgId}${url}`,
      headers: { authorization: admin, ...(ifMatch === undefined ? {} : { "if-match": ifMatch }) },
      ...(payload === undefined ? {} : { payload }),
    });
  const list = async () => (await call("GET", "/profiles")).json<ConnectionProfileListDto>().items;
  const fieldsOf = (body: { errors?: Array<{ field: string }> }) => (body.errors ?? []).map((error) => error.field);
  const auditActions = async () => (await backend.repos.audit.list(orgId, { limit: 100 })).items.map((e) => e.action);
  let cloudProfile: ConnectionProfileDto;

  it("lists the default profile, with the organization's users, before anything else exists", async () => {
    const items = await list();
    expect(items).toEqual([
      expect.objectContaining({ id: orgId, name: "Default", isDefault: true, accessType: null, userCount: 4 }),
    ]);
  });

  it("creates a profile with its configuration, never answering its secret, and audits it", async () => {
    const response = await call("POST", "/profiles", { name: "Cloud", config: cloud });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.body).not.toContain("Cloud-Client-Secret-Value");
    cloudProfile = response.json<ConnectionProfileDto>();
    expect(response.headers.etag).toBe(`"${cloudProfile.version}"`);
    expect(cloudProfile).toMatchObject({
      name: "Cloud",
      isDefault: false,
      accessType: "graph_app_only",
      appOnly: { hasClientSecret: true, clientSecretExpiresAt: "2027-06-30" },
      version: 1,
    });
    expect((await backend.repos.emailConfigs.profileCredentials(orgId, cloudProfile.id)).clientSecret).toBe(
      "Cloud-Client-Secret-Value",
    );
    // The default profile (what the Email Configuration tab shows) is untouched.
    expect((await call("GET", "/email-config")).json()).toMatchObject({ accessType: null, version: 0 });
    expect(await auditActions()).toContain("profile.create");
    const events = JSON.stringify((await backend.repos.audit.list(orgId, { limit: 100 })).items);
    expect(events).not.toContain("Cloud-Client-Secret-Value");
  });

  it("refuses a duplicate name (case aside) with 409 naming name, storing nothing", async () => {
    const response = await call("POST", "/profiles", { name: "  cloud ", config: onPremises });
    expect(response.statusCode).toBe(409);
    expect(response.headers["content-type"]).toContain("application/problem+json");
    expect(fieldsOf(response.json())).toEqual(["name"]);
    expect((await list()).map((profile) => profile.name)).toEqual(["Default", "Cloud"]);
  });

  it("refuses a configuration that breaks a rule with 422 naming config.<field>, storing nothing", async () => {
    const response = await call("POST", "/profiles", {
      name: "Broken",
      config: { ...cloud, appOnly: { ...cloud.appOnly, clientId: "not-a-guid" } },
    });
    expect(response.statusCode).toBe(422);
    expect(fieldsOf(response.json())).toEqual(["config.appOnly.clientId"]);
    expect((await list()).map((profile) => profile.name)).toEqual(["Default", "Cloud"]);
  });

  it("answers another organization's profile with 404 naming profileId, whatever the method", async () => {
    const foreign = (await backend.repos.emailConfigs.ensureDefault(otherOrgId)).profileId;
    for (const [method, url, payload] of [
      ["GET", `/profiles/${foreign}`, undefined],
      ["PUT", `/profiles/${foreign}`, onPremises],
      ["PATCH", `/profiles/${foreign}`, { name: "Mine now" }],
      ["DELETE", `/profiles/${foreign}`, undefined],
      ["POST", `/profiles/${foreign}/default`, undefined],
    ] as const) {
      const response = await call(method, url, payload, '"0"');
      expect(response.statusCode, `${method} ${url}`).toBe(404);
      expect(fieldsOf(response.json())).toEqual(["profileId"]);
    }
    expect(await backend.repos.emailConfigs.profile(otherOrgId, foreign)).toMatchObject({ name: "Default" });
  });

  it("saves a profile over the version read: 428 without If-Match, 412 when stale", async () => {
    const url = `/profiles/${cloudProfile.id}`;
    expect((await call("PUT", url, cloud)).statusCode).toBe(428);
    expect((await call("PUT", url, cloud, '"0"')).statusCode).toBe(412);
    const saved = await call("PUT", url, { ...cloud, appOnly: { ...cloud.appOnly, clientSecret: "" } }, '"1"');
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json()).toMatchObject({ version: 2, appOnly: { hasClientSecret: true } });
    // A blank secret kept the stored one.
    expect((await backend.repos.emailConfigs.profileCredentials(orgId, cloudProfile.id)).clientSecret).toBe(
      "Cloud-Client-Secret-Value",
    );
    expect((await call("GET", url)).headers.etag).toBe('"2"');
  });

  it("renames over the version read, refusing a name another profile holds", async () => {
    const url = `/profiles/${cloudProfile.id}`;
    const taken = await call("PATCH", url, { name: "DEFAULT" }, '"2"');
    expect(taken.statusCode).toBe(409);
    expect(fieldsOf(taken.json())).toEqual(["name"]);
    const blank = await call("PATCH", url, { name: "   " }, '"2"');
    expect(blank.statusCode).toBe(422);
    expect(fieldsOf(blank.json())).toEqual(["name"]);
    const renamed = await call("PATCH", url, { name: "Exchange Online" }, '"2"');
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.json()).toMatchObject({ name: "Exchange Online", version: 3 });
    expect(await auditActions()).toContain("profile.rename");
  });

  it("keeps the Email Configuration API on the default profile", async () => {
    const saved = await call("PUT", "/email-config", onPremises, '"0"');
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.body).not.toContain("OnPrem-Secret");
    const defaultProfile = await call("GET", `/profiles/${orgId}`);
    expect(defaultProfile.json()).toMatchObject({
      id: orgId,
      isDefault: true,
      accessType: "ews_basic_impersonation",
      hasPassword: true,
      version: 1,
    });
    expect(defaultProfile.body).not.toContain("OnPrem-Secret");
    expect((await backend.repos.emailConfigs.credentials(orgId)).password).toBe(onPremises.password);
  });

  it("refuses to delete the default profile, or one that still checks users, naming profileId", async () => {
    const deleteDefault = await call("DELETE", `/profiles/${orgId}`);
    expect(deleteDefault.statusCode).toBe(409);
    expect(fieldsOf(deleteDefault.json())).toEqual(["profileId"]);

    const moved = await call("POST", "/users/move-profile", {
      userIds: [userIds["bob@cloud.contoso.com"], userIds["cy@cloud.contoso.com"]],
      profileId: cloudProfile.id,
    });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json()).toEqual({ moved: 2, profileId: cloudProfile.id });
    const withUsers = await call("DELETE", `/profiles/${cloudProfile.id}`);
    expect(withUsers.statusCode).toBe(409);
    expect(withUsers.json().errors[0]).toMatchObject({
      field: "profileId",
      message: expect.stringContaining("2 users"),
    });
    expect((await list()).find((profile) => profile.id === cloudProfile.id)).toMatchObject({ userCount: 2 });
  });

  it("makes another profile the default: the Email Configuration tab then shows it", async () => {
    const response = await call("POST", `/profiles/${cloudProfile.id}/default`);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ id: cloudProfile.id, isDefault: true });
    expect((await call("GET", "/email-config")).json()).toMatchObject({ accessType: "graph_app_only", version: 3 });
    expect((await list()).map((profile) => [profile.name, profile.isDefault])).toEqual([
      ["Exchange Online", true],
      ["Default", false],
    ]);
    expect(await auditActions()).toContain("profile.set_default");
    // Back again, so the next tests run on the first default.
    expect((await call("POST", `/profiles/${orgId}/default`)).statusCode).toBe(200);
  });

  it("deletes a profile once its users are moved, and audits it", async () => {
    const back = await call("POST", "/users/move-profile", {
      userIds: [userIds["bob@cloud.contoso.com"], userIds["cy@cloud.contoso.com"]],
      profileId: null,
    });
    expect(back.statusCode).toBe(200);
    const spare = (await call("POST", "/profiles", { name: "Spare" })).json<ConnectionProfileDto>();
    expect(spare).toMatchObject({ name: "Spare", accessType: null, version: 0 });
    const removed = await call("DELETE", `/profiles/${spare.id}`);
    expect(removed.statusCode, removed.body).toBe(204);
    expect((await list()).map((profile) => profile.name)).toEqual(["Default", "Exchange Online"]);
    expect(await auditActions()).toContain("profile.delete");
  });

  describe("placement rules", () => {
    it("refuses a rule that matches no user, or names another organization's profile, storing nothing", async () => {
      const foreign = (await backend.repos.emailConfigs.ensureDefault(otherOrgId)).profileId;
      const response = await call(
        "PUT",
        "/profile-placement",
        {
          automatic: true,
          rules: [
            { kind: "mail_domain", value: "nobody.example", profileId: cloudProfile.id },
            { kind: "mail_domain", value: "cloud.contoso.com", profileId: foreign },
          ],
        },
        '"0"',
      );
      expect(response.statusCode).toBe(422);
      expect(fieldsOf(response.json())).toEqual(["rules[0].value", "rules[1].profileId"]);
      expect((await call("GET", "/profile-placement")).json()).toMatchObject({
        version: 0,
        automatic: false,
        rules: [],
      });
    });

    it("places users by mail domain, and refuses to delete the profile a rule names", async () => {
      const saved = await call(
        "PUT",
        "/profile-placement",
        { automatic: false, rules: [{ kind: "mail_domain", value: "@Cloud.Contoso.com", profileId: cloudProfile.id }] },
        '"0"',
      );
      expect(saved.statusCode, saved.body).toBe(200);
      expect(saved.json()).toMatchObject({
        version: 1,
        rules: [{ kind: "mail_domain", value: "cloud.contoso.com", profileId: cloudProfile.id }],
      });
      const users = await call("GET", `/users?profileId=${cloudProfile.id}`);
      expect(
        users
          .json<{ items: Array<{ email: string; profile: unknown }> }>()
          .items.map((user) => [user.email, user.profile]),
      ).toEqual([
        ["bob@cloud.contoso.com", expect.objectContaining({ profileId: cloudProfile.id, source: "rule" })],
        ["cy@cloud.contoso.com", expect.objectContaining({ profileId: cloudProfile.id, source: "rule" })],
      ]);
      const refused = await call("DELETE", `/profiles/${cloudProfile.id}`);
      expect(refused.statusCode).toBe(409);
      expect(refused.json().errors[0]).toMatchObject({
        field: "profileId",
        message: expect.stringContaining("rules[0]"),
      });
      expect(await auditActions()).toContain("profile_placement.update");
    });
  });
});
