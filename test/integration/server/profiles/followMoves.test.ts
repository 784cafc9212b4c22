/**
 * Results carry the placement and moved mailboxes are followed, on SQLite and PostgreSQL: a run stores the profile
 * that checked each user and the one that reaches the place the answer named; afterwards users on Automatic are
 * placed there (the next run's placement checks them through it), their history says so, and one info message
 * counts them; a user on an explicit profile keeps the suggestion until move-to-suggested moves them (all or none,
 * 422 naming the field, admins only, audited).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OrgUserDto } from "../../../../src/contract/api.js";
import type { CheckResultDto, CheckRunDto } from "../../../../src/contract/checks.js";
import type { StatusChangeDto } from "../../../../src/contract/monitoring.js";
import type { ConnectionProfileDto } from "../../../../src/contract/profiles.js";
import { effectiveProfiles } from "../../../../src/server/profiles/service.js";
import { createTestBackend, type TestBackend } from "../../../support/backend.js";
import { APP_ONLY_CONFIG, EWS_CONFIG, FakeMailboxDriver, outcome } from "../../../support/fakeMailboxDriver.js";
import { postgresEnabled } from "../../../support/postgres.js";
import { startWebhookReceiver, type WebhookReceiver } from "../monitoring/webhookReceiver.js";

const dialects: Array<"sqlite" | "postgres"> = ["sqlite"];
if (await postgresEnabled()) dialects.push("postgres");

const SECRET = "whsec-0123456789abcdef";
const ADMIN = "admin@northwind.test";
const MOVED = ["nina@northwind.test", "nora@northwind.test"];
const PINNED = "ivy@northwind.test";
const STAYS = "oscar@northwind.test";
const EVIDENCE = "On-premises Autodiscover redirected the address to its cloud routing address";

describe.each(dialects)("following moved mailboxes on %s", (dialect) => {
  let backend: TestBackend;
  let receiver: WebhookReceiver;
  let orgId = "";
  let ids: Record<string, string> = {};
  let otherUserId = "";
  let admin = "";
  let cloud: ConnectionProfileDto;
  /** Mailboxes the on-premises server no longer holds; a test moves one more while the others are placed. */
  const inCloud = new Set([...MOVED, PINNED]);
  const driver = new FakeMailboxDriver((email) =>
    inCloud.has(email)
      ? outcome("mailbox_in_cloud", { placement: { where: "exchange_online", evidence: EVIDENCE } })
      : outcome("ok"),
  );

  const call = (method: "GET" | "POST" | "PUT", url: string, payload?: object, headers: Record<string, string> = {}) =>
    backend.app.inject({
      method,
      url: `/api/orgs/${orgId}${url}`,
      headers: { authorization: admin, ...headers },
      ...(payload === undefined ? {} : { payload }),
    });
  const fieldsOf = (body: { errors?: Array<{ field: string }> }) => (body.errors ?? []).map((error) => error.field);
  const infoMessages = () => receiver.received.filter((message) => message.body.event === "info");

  async function checkEveryone(): Promise<string> {
    const started = await call("POST", "/checks", { scope: { all: true }, depth: "read" });
    expect(started.statusCode, started.body).toBe(202);
    const { runId } = started.json<{ runId: string }>();
    await backend.app.ctx.checks.settled(runId);
    await backend.app.ctx.monitoring.idle();
    return runId;
  }
  async function resultsOf(runId: string): Promise<Map<string, CheckResultDto>> {
    const page = (await call("GET", `/checks/${runId}/results?limit=500`)).json<{ items: CheckResultDto[] }>();
    return new Map(page.items.map((result) => [result.email, result]));
  }
  async function usersBy(): Promise<Map<string, OrgUserDto>> {
    const page = (await call("GET", "/users?limit=500")).json<{ items: OrgUserDto[] }>();
    return new Map(page.items.map((user) => [user.email, user]));
  }

  beforeAll(async () => {
    receiver = await startWebhookReceiver(SECRET);
    backend = await createTestBackend({
      dialect,
      env: {
        OUTBOUND_HOST_OVERRIDES: "mail.contoso.test=127.0.0.1,localhost=127.0.0.1",
        OUTBOUND_CA_FILE: receiver.caCertFile,
        RATE_LIMIT_MAX: "100000",
      },
      resolver: "system",
    });
    backend.app.ctx.checks.useDriverFactory(() => driver);
    const seeded = await backend.seedOrg({ name: "Northwind", admin: ADMIN, users: [...MOVED, PINNED, STAYS] });
    orgId = seeded.orgId;
    ids = seeded.userIds;
    otherUserId = Object.values(
      (await backend.seedOrg({ name: "Fabrikam", admin: "admin@fabrikam.test", users: ["fay@fabrikam.test"] })).userIds,
    )[0]!;
    admin = await backend.bearer(ADMIN);

    const saved = await call("PUT", "/email-config", EWS_CONFIG, { "if-match": '"0"' });
    expect(saved.statusCode, saved.body).toBe(200);
    const created = await call("POST", "/profiles", { name: "Cloud", config: APP_ONLY_CONFIG });
    expect(created.statusCode, created.body).toBe(201);
    cloud = created.json<ConnectionProfileDto>();
    const version = (await call("GET", "/profile-placement")).json<{ version: number }>().version;
    const automatic = await call(
      "PUT",
      "/profile-placement",
      { automatic: true, rules: [] },
      { "if-match": `"${version}"` },
    );
    expect(automatic.statusCode, automatic.body).toBe(200);
    // Ivy is pinned to the default (on-premises) profile by an admin.
    const pinned = await call("POST", "/users/move-profile", { userIds: [ids[PINNED]], profileId: orgId });
    expect(pinned.statusCode, pinned.body).toBe(200);
    const channels = await call("PUT", "/monitoring/channels", {
      email: { enabled: false, recipients: [] },
      webhook: { enabled: true, url: receiver.url, secret: SECRET },
    });
    expect(channels.statusCode, channels.body).toBe(200);
  });
  afterAll(async () => {
    await backend?.close();
    await receiver?.close();
  });

  it("stores the checking profile, the suggestion and the evidence, and follows the Automatic users once", async () => {
    const runId = await checkEveryone();
    const results = await resultsOf(runId);
    for (const email of [...MOVED, PINNED]) {
      expect(results.get(email)).toMatchObject({
        category: "mailbox_in_cloud",
        profile: "Default",
        suggestedProfile: "Cloud",
        suggestedProfileId: cloud.id,
        placement: { where: "exchange_online", evidence: EVIDENCE },
      });
      expect(results.get(email)?.remedy).toContain("suggested profile “Cloud”");
    }
    expect(results.get(STAYS)).toMatchObject({ profile: "Default", suggestedProfile: null, placement: null });
    const row = await backend.app.ctx.database.db
      .selectFrom("check_results")
      .select(["profile_id", "suggested_profile_id", "placement_json"])
      .where("run_id", "=", runId)
      .where("user_id", "=", ids[MOVED[0]!]!)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({
      profile_id: orgId,
      suggested_profile_id: cloud.id,
      placement_json: JSON.stringify({ where: "exchange_online", evidence: EVIDENCE }),
    });

    // The next run's placement checks the Automatic users through Cloud; the pinned and the others stay.
    const effective = await effectiveProfiles(backend.app.ctx.repos, orgId);
    for (const email of MOVED) {
      expect(effective.byUser.get(ids[email]!)).toMatchObject({ profileId: cloud.id, source: "automatic" });
      expect(effective.byUser.get(ids[email]!)?.reason).toContain(EVIDENCE);
    }
    expect(effective.byUser.get(ids[PINNED]!)).toMatchObject({ profileId: orgId, source: "explicit" });
    expect(effective.byUser.get(ids[STAYS]!)).toMatchObject({ profileId: orgId, source: "default" });
    expect(effective.profiles.find((profile) => profile.profileId === cloud.id)?.userIds.sort()).toEqual(
      MOVED.map((email) => ids[email]).sort(),
    );

    // The history says each move.
    const changes = (await call("GET", `/monitoring/status-changes?userId=${ids[MOVED[0]!]}`)).json<{
      items: StatusChangeDto[];
    }>().items;
    expect(changes.find((change) => change.change === "moved")).toMatchObject({
      category: "mailbox_in_cloud",
      detail: `Moved from Default to Cloud: ${EVIDENCE}`,
      runId,
    });

    // One info message, with the count and the profile.
    expect(infoMessages()).toHaveLength(1);
    expect(infoMessages()[0]?.body).toMatchObject({
      event: "info",
      kind: "mailboxes_moved",
      summary: "2 mailboxes moved to Exchange Online; now checked through Cloud",
      runId,
    });
    expect(infoMessages()[0]?.signatureValid).toBe(true);

    // The pinned user keeps the suggestion; the moved ones have none left (Cloud checks them now).
    const users = await usersBy();
    expect(users.get(PINNED)?.profile).toMatchObject({ suggestedProfileId: cloud.id, suggestedProfileName: "Cloud" });
    expect(users.get(MOVED[0]!)?.profile).toMatchObject({ profileId: cloud.id, suggestedProfileId: null });

    // A second run that finds the same does not move (or announce) anyone again.
    await checkEveryone();
    expect(infoMessages()).toHaveLength(1);
  });

  it("refuses to move users without a suggestion or of another organization, storing nothing", async () => {
    const before = (await usersBy()).get(PINNED)?.profile;
    for (const [userIds, field] of [
      [[ids[PINNED], ids[STAYS]], "userIds[1]"],
      [[otherUserId], "userIds[0]"],
      [[ids[MOVED[0]!]], "userIds[0]"],
    ] as const) {
      const refused = await call("POST", "/users/move-to-suggested", { userIds });
      expect(refused.statusCode, refused.body).toBe(422);
      expect(refused.headers["content-type"]).toContain("application/problem+json");
      expect(fieldsOf(refused.json())).toEqual([field]);
    }
    expect((await call("POST", "/users/move-to-suggested", { userIds: [] })).statusCode).toBe(400);
    expect((await call("POST", "/users/move-to-suggested", { all: false })).statusCode).toBe(400);
    expect((await usersBy()).get(PINNED)?.profile).toEqual(before);

    const user = await backend.bearer(STAYS);
    const forbidden = await backend.app.inject({
      method: "POST",
      url: `/api/orgs/${orgId}/users/move-to-suggested`,
      headers: { authorization: user },
      payload: { all: true },
    });
    expect(forbidden.statusCode).toBe(403);
  });

  it("moves the pinned user to the suggested profile, audited, and then none is left to move", async () => {
    const moved = await call("POST", "/users/move-to-suggested", { userIds: [ids[PINNED]] });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json()).toMatchObject({
      moved: 1,
      moves: [
        { userId: ids[PINNED], email: PINNED, fromProfileId: orgId, toProfileId: cloud.id, toProfileName: "Cloud" },
      ],
    });
    expect((await usersBy()).get(PINNED)?.profile).toMatchObject({
      profileId: cloud.id,
      source: "explicit",
      explicitProfileId: cloud.id,
      suggestedProfileId: null,
    });
    const audit = await backend.app.ctx.database.db
      .selectFrom("audit_events")
      .select(["actor", "after_json"])
      .where("org_id", "=", orgId)
      .where("action", "=", "users.move_to_suggested")
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]?.actor).toBe(ADMIN);
    expect(JSON.parse(audit[0]!.after_json!)).toMatchObject({
      moved: 1,
      moves: [{ email: PINNED, from: "Default", to: "Cloud" }],
    });

    const none = await call("POST", "/users/move-to-suggested", { all: true });
    expect(none.statusCode, none.body).toBe(200);
    expect(none.json()).toMatchObject({ moved: 0, moves: [] });
  });

  it("follows a mailbox that moved since, in a run over both profiles (the scheduled check of a hybrid organization)", async () => {
    inCloud.add(STAYS);
    const before = infoMessages().length;
    const runId = await checkEveryone();
    const run = (await call("GET", `/checks/${runId}`)).json<CheckRunDto>();
    // Its children checked the saved profiles: the run is no draft, so monitoring keeps it and follows its moves.
    expect(run.draft).toBe(false);
    // A run over every profile that has users: the default for Oscar and the admin, Cloud for the others.
    expect(run.profiles.map((profile) => [profile.name, profile.total]).sort()).toEqual([
      ["Cloud", 3],
      ["Default", 2],
    ]);
    const effective = await effectiveProfiles(backend.app.ctx.repos, orgId);
    expect(effective.byUser.get(ids[STAYS]!)).toMatchObject({ profileId: cloud.id, source: "automatic" });
    const changes = (await call("GET", `/monitoring/status-changes?userId=${ids[STAYS]}`)).json<{
      items: StatusChangeDto[];
    }>().items;
    expect(changes.find((change) => change.change === "moved")).toMatchObject({
      detail: `Moved from Default to Cloud: ${EVIDENCE}`,
      runId,
    });
    expect(infoMessages()).toHaveLength(before + 1);
    expect(infoMessages().at(-1)?.body).toMatchObject({
      kind: "mailboxes_moved",
      summary: "1 mailbox moved to Exchange Online; now checked through Cloud",
      runId,
    });
  });
});
