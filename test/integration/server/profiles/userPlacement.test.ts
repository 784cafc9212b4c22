/**
 * Each user's profile, on SQLite and PostgreSQL: explicit (PATCH, add, bulk move, the import's profile column) >
 * the first matching rule > Automatic's last placement > the default; `placeUser` and the SQL the Users filter and
 * the profiles' counts use agree on every user; bad input names its field and stores nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OrgUserDto, UserImportResultDto } from "../../../../src/contract/api.js";
import type { ConnectionProfileDto } from "../../../../src/contract/profiles.js";
import {
  effectiveProfiles,
  listProfiles,
  placementPolicyOf,
  profileForUser,
  recordPlacements,
} from "../../../../src/server/profiles/service.js";
import { createTestBackend, type TestBackend } from "../../../support/backend.js";
import { postgresEnabled } from "../../../support/postgres.js";

const dialects: Array<"sqlite" | "postgres"> = ["sqlite"];
if (await postgresEnabled()) dialects.push("postgres");

describe.each(dialects)("placing users in profiles on %s", (dialect) => {
  let backend: TestBackend;
  let orgId = "";
  let otherOrgId = "";
  let admin = "";
  let ids: Record<string, string> = {};
  let onPremises: ConnectionProfileDto;
  let cloud: ConnectionProfileDto;

  beforeAll(async () => {
    backend = await createTestBackend({ dialect });
    const seeded = await backend.seedOrg({
      name: "Contoso",
      admin: "admin@contoso.com",
      users: ["ann@contoso.com", "bob@cloud.contoso.com", "cy@cloud.contoso.com", "dee@contoso.com"],
    });
    orgId = seeded.orgId;
    ids = seeded.userIds;
    otherOrgId = (await backend.seedOrg({ name: "Fabrikam", admin: "admin@fabrikam.com" })).orgId;
    admin = await backend.bearer("admin@contoso.com");
    const create = async (name: string) =>
      (
        await backend.app.inject({
          method: "POST",
          url: `/api/orgs/${orgId}/profiles`,
          headers: { authorization: admin },
          payload: { name },
        })
      ).json<ConnectionProfileDto>();
    onPremises = await create("On-premises");
    cloud = await create("Cloud");
  });
  afterAll(async () => {
    await backend.close();
  });

  const call = (method: "GET" | "POST" | "PATCH" | "PUT", url: string, payload?: object, ifMatch?: string) =>
    backend.app.inject({
      method,
      url: `/api/orgs/${orgId}${url}`,
      headers: { authorization: admin, ...(ifMatch === undefined ? {} : { "if-match": ifMatch }) },
      ...(payload === undefined ? {} : { payload }),
    });
  const fieldsOf = (body: { errors?: Array<{ field: string }> }) => (body.errors ?? []).map((error) => error.field);
  const usersBy = async (query = "") =>
    new Map(
      (await call("GET", `/users?limit=500${query}`))
        .json<{ items: OrgUserDto[] }>()
        .items.map((user) => [user.email, user.profile]),
    );

  it("puts every user on the default profile until something else decides", async () => {
    const users = await usersBy();
    expect([...users.values()].every((profile) => profile.source === "default" && profile.profileId === orgId)).toBe(
      true,
    );
    expect(users.get("ann@contoso.com")).toMatchObject({ profileName: "Default", explicitProfileId: null });
  });

  it("pins one user with PATCH, and refuses another organization's profile naming profileId", async () => {
    const foreign = (await backend.repos.emailConfigs.ensureDefault(otherOrgId)).profileId;
    const refused = await call("PATCH", `/users/${ids["ann@contoso.com"]}`, { profileId: foreign });
    expect(refused.statusCode).toBe(422);
    expect(fieldsOf(refused.json())).toEqual(["profileId"]);
    expect((await backend.repos.users.get(orgId, ids["ann@contoso.com"]!))?.profileId).toBeNull();

    const pinned = await call("PATCH", `/users/${ids["ann@contoso.com"]}`, { profileId: onPremises.id });
    expect(pinned.statusCode, pinned.body).toBe(200);
    expect(pinned.json<OrgUserDto>().profile).toMatchObject({
      profileId: onPremises.id,
      profileName: "On-premises",
      source: "explicit",
      explicitProfileId: onPremises.id,
    });
  });

  it("moves users in bulk all or none: an unknown user names userIds[i] and moves nobody", async () => {
    const refused = await call("POST", "/users/move-profile", {
      userIds: [ids["dee@contoso.com"], "5a1e4b7c-0d2f-4e69-9b3a-7c8d1e2f3a4b"],
      profileId: cloud.id,
    });
    expect(refused.statusCode).toBe(404);
    expect(fieldsOf(refused.json())).toEqual(["userIds[1]"]);
    expect((await backend.repos.users.get(orgId, ids["dee@contoso.com"]!))?.profileId).toBeNull();
    const foreign = (await backend.repos.emailConfigs.ensureDefault(otherOrgId)).profileId;
    const foreignProfile = await call("POST", "/users/move-profile", {
      userIds: [ids["dee@contoso.com"]],
      profileId: foreign,
    });
    expect(foreignProfile.statusCode).toBe(404);
    expect(fieldsOf(foreignProfile.json())).toEqual(["profileId"]);
  });

  it("decides explicit > rule > Automatic's last placement > default, as the engine will read it", async () => {
    const rule = await call(
      "PUT",
      "/profile-placement",
      { automatic: true, rules: [{ kind: "mail_domain", value: "cloud.contoso.com", profileId: cloud.id }] },
      '"0"',
    );
    expect(rule.statusCode, rule.body).toBe(200);
    // The engine reports where it found three mailboxes: the rule still wins for bob, Automatic decides for dee.
    await recordPlacements(backend.repos, orgId, [
      { userId: ids["ann@contoso.com"]!, profileId: cloud.id, reason: "Autodiscover redirected to the cloud" },
      { userId: ids["bob@cloud.contoso.com"]!, profileId: onPremises.id, reason: "MailboxNotEnabledForRESTAPI" },
      { userId: ids["dee@contoso.com"]!, profileId: cloud.id, reason: "Autodiscover redirected to the cloud" },
    ]);
    const users = await usersBy();
    expect(users.get("ann@contoso.com")).toMatchObject({
      profileId: onPremises.id,
      source: "explicit",
      placedProfileId: cloud.id,
    });
    expect(users.get("bob@cloud.contoso.com")).toMatchObject({
      profileId: cloud.id,
      source: "rule",
      reason: "Rule: mail domain cloud.contoso.com",
    });
    expect(users.get("dee@contoso.com")).toMatchObject({
      profileId: cloud.id,
      source: "automatic",
      reason: "Autodiscover redirected to the cloud",
    });
    expect(users.get("admin@contoso.com")).toMatchObject({ profileId: orgId, source: "default" });
    expect(await profileForUser(backend.repos, orgId, ids["dee@contoso.com"]!)).toMatchObject({
      profileId: cloud.id,
      profileName: "Cloud",
      source: "automatic",
    });
  });

  it("agrees with the Users filter and the profiles' counts on every user (placeUser and its SQL)", async () => {
    const effective = await effectiveProfiles(backend.repos, orgId);
    const counts = new Map((await listProfiles(backend.repos, orgId)).items.map((p) => [p.id, p.userCount]));
    for (const profile of effective.profiles) {
      const filtered = await usersBy(`&profileId=${profile.profileId}`);
      const expected = [...effective.byUser.values()].filter((p) => p.profileId === profile.profileId);
      expect([...filtered.keys()].sort(), profile.name).toEqual(expected.map((p) => p.email).sort());
      expect(counts.get(profile.profileId), profile.name).toBe(expected.length);
      expect(profile.userIds).toHaveLength(expected.length);
    }
    expect(effective.byUser.size).toBe(5);
  });

  it("turning Automatic off sends Automatic's users back to the default", async () => {
    const version = (await call("GET", "/profile-placement")).json<{ version: number }>().version;
    const policy = await placementPolicyOf(backend.repos, orgId);
    const saved = await call("PUT", "/profile-placement", { automatic: false, rules: policy.rules }, `"${version}"`);
    expect(saved.statusCode, saved.body).toBe(200);
    expect((await usersBy()).get("dee@contoso.com")).toMatchObject({ profileId: orgId, source: "default" });
  });

  it("refuses an engine report naming another organization's profile, storing none of it", async () => {
    const foreign = (await backend.repos.emailConfigs.ensureDefault(otherOrgId)).profileId;
    await expect(
      recordPlacements(backend.repos, orgId, [
        { userId: ids["cy@cloud.contoso.com"]!, profileId: onPremises.id, reason: "fine" },
        { userId: ids["cy@cloud.contoso.com"]!, profileId: foreign, reason: "foreign" },
      ]),
    ).rejects.toMatchObject({ status: 422, errors: [{ field: "placements[1].profileId" }] });
    expect((await backend.repos.users.get(orgId, ids["cy@cloud.contoso.com"]!))?.placedProfileId).toBeNull();
  });

  it("imports a profile column: a name (case aside) pins the user, an unknown one rejects its row", async () => {
    const csv = [
      "email,displayName,role,profile",
      "eve@contoso.com,Eve,user,on-PREMISES",
      "fay@contoso.com,Fay,user,Atlantis",
      "gus@contoso.com,Gus,user,",
    ].join("\n");
    const dry = await call("POST", "/users", { import: { format: "csv", csv }, dryRun: true });
    expect(dry.statusCode).toBe(200);
    expect(dry.json<UserImportResultDto>().rows).toEqual([
      { row: 2, email: "eve@contoso.com", verdict: "ok" },
      {
        row: 3,
        email: "fay@contoso.com",
        verdict: "rejected",
        reason: expect.stringContaining("The profile “Atlantis” does not exist"),
        source: "fay@contoso.com,Fay,user,Atlantis",
      },
      { row: 4, email: "gus@contoso.com", verdict: "ok" },
    ]);
    const committed = await call("POST", "/users", { import: { format: "csv", csv } });
    expect(committed.json()).toMatchObject({ accepted: 2, rejected: 1 });
    const users = await usersBy();
    expect(users.get("eve@contoso.com")).toMatchObject({ profileId: onPremises.id, source: "explicit" });
    expect(users.get("gus@contoso.com")).toMatchObject({ profileId: orgId, source: "default" });
    expect(users.has("fay@contoso.com")).toBe(false);
  });

  it("adds one user on a profile, refusing another organization's", async () => {
    const foreign = (await backend.repos.emailConfigs.ensureDefault(otherOrgId)).profileId;
    const refused = await call("POST", "/users", { email: "hal@contoso.com", profileId: foreign });
    expect(refused.statusCode).toBe(422);
    expect(fieldsOf(refused.json())).toEqual(["profileId"]);
    expect(await backend.repos.users.findByEmail(orgId, "hal@contoso.com")).toBeNull();
    const added = await call("POST", "/users", { email: "hal@contoso.com", profileId: cloud.id });
    expect(added.statusCode, added.body).toBe(201);
    expect(added.json<OrgUserDto>().profile).toMatchObject({ profileId: cloud.id, source: "explicit" });
  });
});
