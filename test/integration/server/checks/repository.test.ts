import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkRunsRepository, type CheckRunsRepository } from "../../../../src/server/checks/repository.js";
import type { CheckResultRecord } from "../../../../src/server/checks/engine/types.js";
import { createTestDatabase, type TestDatabase, type TestDialect } from "../../../support/database.js";
import { seedOrg } from "../../../support/seed.js";

function result(userId: string, email: string, category: CheckResultRecord["category"]): CheckResultRecord {
  return {
    userId,
    email,
    category,
    detail: category === "ok" ? null : `detail for ${email}`,
    primarySmtpAddress: null,
    httpStatus: category === "ok" ? 200 : 500,
    attempts: 1,
    durationMs: 12,
    steps: [{ step: "GetFolder", ok: category === "ok", category, durationMs: 12 }],
    checkedAt: new Date("2026-11-21T10:00:00.000Z"),
  };
}

describe.each<TestDialect>(["sqlite", "postgres"])("check runs repository on %s", (dialect) => {
  let testDb: TestDatabase;
  let repo: CheckRunsRepository;

  beforeAll(async () => {
    testDb = await createTestDatabase(dialect);
    repo = checkRunsRepository(testDb.database.db);
  });

  afterAll(async () => {
    await testDb.dispose();
  });

  async function newRun(orgId: string, scope: { all: true } | { userIds: string[] } = { all: true }) {
    const outcome = await repo.create({
      orgId,
      depth: "read",
      scope,
      accessType: "ews_basic_impersonation",
      configVersion: 1,
      draftEnc: null,
      concurrency: 10,
      startedBy: "admin@contoso.test",
    });
    return outcome;
  }

  it("fixes the users in scope when a run starts and refuses a second active run for the org", async () => {
    const org = await seedOrg(testDb.database.db, 25);
    const first = await newRun(org.id);
    expect(first).toMatchObject({ kind: "created", run: { total: 25, state: "preflight", done: 0 } });

    const second = await newRun(org.id);
    expect(second).toEqual({ kind: "active_run_exists", activeRunId: first.kind === "created" ? first.run.id : "" });
  });

  it("reports a list scope naming users that are not in the organization", async () => {
    const org = await seedOrg(testDb.database.db, 3);
    const stranger = randomUUID();
    expect(await newRun(org.id, { userIds: [org.userIds[0]!, stranger] })).toEqual({
      kind: "unknown_users",
      userIds: [stranger],
    });
    const listed = await newRun(org.id, { userIds: [org.userIds[0]!, org.userIds[2]!, org.userIds[0]!] });
    expect(listed).toMatchObject({ kind: "created", run: { total: 2, scope: "list" } });
  });

  it("refuses a run for an organization without users", async () => {
    const org = await seedOrg(testDb.database.db, 0);
    expect(await newRun(org.id)).toEqual({ kind: "no_users" });
    expect(await repo.activeRunId(org.id)).toBeNull();
  });

  it("pages pending users, records results once, and upserts each user's latest status", async () => {
    const org = await seedOrg(testDb.database.db, 12);
    const created = await newRun(org.id);
    if (created.kind !== "created") throw new Error(`expected a run, got ${created.kind}`);
    const runId = created.run.id;
    const store = repo.storeFor(org.id);

    const firstPage = await store.pendingTargets(runId, null, 5);
    expect(firstPage).toHaveLength(5);
    const secondPage = await store.pendingTargets(runId, firstPage.at(-1)!.userId, 5);
    expect(secondPage).toHaveLength(5);
    expect(secondPage[0]!.userId > firstPage.at(-1)!.userId).toBe(true);

    expect(
      await store.recordResults(
        runId,
        firstPage.map((target, index) => result(target.userId, target.email, index === 0 ? "access_denied" : "ok")),
      ),
    ).toEqual({ done: 5, counts: { ok: 4, access_denied: 1 } });
    // Writing the same user again (a replayed batch, or another process's answer) neither adds a row nor counts.
    expect(
      await store.recordResults(runId, [result(firstPage[1]!.userId, firstPage[1]!.email, "server_error")]),
    ).toEqual({ done: 5, counts: { ok: 4, access_denied: 1 } });

    const pending = await store.pendingTargets(runId, null, 100);
    expect(pending).toHaveLength(7);
    expect(pending.map((target) => target.userId)).not.toContain(firstPage[0]!.userId);
    expect(await repo.progressOf(runId)).toEqual({ done: 5, counts: { ok: 4, access_denied: 1 } });
    expect(await repo.get(org.id, runId)).toMatchObject({ done: 5, counts: { ok: 4, access_denied: 1 } });

    const status = await testDb.database.db
      .selectFrom("user_mailbox_status")
      .selectAll()
      .where("org_id", "=", org.id)
      .orderBy("user_id")
      .execute();
    expect(status).toHaveLength(5);
    expect(status.find((row) => row.user_id === firstPage[0]!.userId)).toMatchObject({
      category: "access_denied",
      severity: "error",
      run_id: runId,
    });
  });

  it("cuts a run into chunks by user id and pages each chunk's pending users within its bounds", async () => {
    const org = await seedOrg(testDb.database.db, 23);
    const created = await newRun(org.id);
    if (created.kind !== "created") throw new Error(`expected a run, got ${created.kind}`);
    const runId = created.run.id;
    const store = repo.storeFor(org.id);
    const ids = (await store.pendingTargets(runId, null, 100)).map((target) => target.userId);

    const chunks = await repo.chunksOf(runId, [10]);
    expect(chunks).toEqual([
      { after: null, last: ids[9] },
      { after: ids[9], last: ids[19] },
      { after: ids[19], last: ids[22] },
    ]);
    expect(await repo.chunksOf(runId, [23])).toEqual([{ after: null, last: ids[22] }]);
    expect(await repo.chunksOf(runId, [12, 8, 2])).toEqual([
      { after: null, last: ids[11] },
      { after: ids[11], last: ids[19] },
      { after: ids[19], last: ids[21] },
      { after: ids[21], last: ids[22] },
    ]);
    const second = await store.pendingTargets(runId, chunks[1]!.after, 100, chunks[1]!.last);
    expect(second.map((target) => target.userId)).toEqual(ids.slice(10, 20));

    await store.recordResults(
      runId,
      second.slice(0, 4).map((target) => result(target.userId, target.email, "ok")),
    );
    expect(await repo.pendingCount(runId)).toBe(19);
    expect((await store.pendingTargets(runId, chunks[1]!.after, 100, chunks[1]!.last)).length).toBe(6);
  });

  it("pages results by email with a category filter and a cursor", async () => {
    const org = await seedOrg(testDb.database.db, 7);
    const created = await newRun(org.id);
    if (created.kind !== "created") throw new Error(`expected a run, got ${created.kind}`);
    const runId = created.run.id;
    const store = repo.storeFor(org.id);
    const targets = await store.pendingTargets(runId, null, 100);
    await store.recordResults(
      runId,
      targets.map((target, index) => result(target.userId, target.email, index % 2 === 0 ? "ok" : "no_mailbox")),
    );

    const first = await repo.results(runId, {}, undefined, 3);
    const second = await repo.results(runId, {}, first.nextCursor ?? undefined, 3);
    const third = await repo.results(runId, {}, second.nextCursor ?? undefined, 3);
    const emails = [...first.items, ...second.items, ...third.items].map((item) => item.email);
    expect(emails).toEqual([...targets.map((target) => target.email)].sort());
    expect(third.nextCursor).toBeNull();

    const errors = await repo.results(runId, { category: "no_mailbox" }, undefined, 100);
    expect(errors.items).toHaveLength(3);
    expect(errors.items.every((item) => item.category === "no_mailbox" && item.steps.length === 1)).toBe(true);
    const bySeverity = await repo.results(runId, { severity: "ok" }, undefined, 100);
    expect(bySeverity.items).toHaveLength(4);
  });

  it("finishes a run once, lists it as recent and no longer as interrupted", async () => {
    const org = await seedOrg(testDb.database.db, 2);
    const created = await newRun(org.id);
    if (created.kind !== "created") throw new Error(`expected a run, got ${created.kind}`);
    expect((await repo.interrupted()).map((run) => run.id)).toContain(created.run.id);

    await repo.markRunning(created.run.id, { canProceed: true, steps: [], warnings: [] });
    expect(await repo.finish(created.run.id, { state: "cancelled", progress: { done: 0, counts: {} } })).toBe(true);
    // A second end (another process finishing, a late cancel) changes nothing and says so.
    expect(await repo.finish(created.run.id, { state: "completed" })).toBe(false);

    const stored = await repo.get(org.id, created.run.id);
    expect(stored).toMatchObject({ state: "cancelled", preflight: { canProceed: true } });
    expect(stored?.finishedAt).not.toBeNull();
    expect((await repo.interrupted()).map((run) => run.id)).not.toContain(created.run.id);
    expect((await repo.recent(org.id, 5)).map((run) => run.id)).toEqual([created.run.id]);
    expect(await repo.get(randomUUID(), created.run.id)).toBeNull();
  });
});
