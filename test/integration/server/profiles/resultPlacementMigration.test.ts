/**
 * Migration 029 over data written by the previous schema (migrated to 028, rows written as 028 stored them), on
 * SQLite and PostgreSQL: older results keep everything and read as checked by the default profile with no
 * suggestion, older status changes read with no detail, and new results store the profile, suggestion and evidence.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomBytes, randomUUID } from "node:crypto";
import { sql, type Kysely } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { checkRunsRepository } from "../../../../src/server/checks/repository.js";
import { resultProfileNames, resultProfileWords } from "../../../../src/server/checks/resultProfiles.js";
import { openDatabase, type Database } from "../../../../src/server/db/database.js";
import { migratorFor } from "../../../../src/server/db/migrations.js";
import { migrateToLatest, migrations } from "../../../../src/server/domains.js";
import { monitoringRepository } from "../../../../src/server/monitoring/repository.js";
import { toStatusChangeDto } from "../../../../src/server/monitoring/history.js";
import { createRepositories } from "../../../../src/server/repositories.js";
import { Keyring, parseKey } from "../../../../src/server/secrets/keyring.js";
import { openTestPostgres, postgresEnabled } from "../../../support/postgres.js";

const dialects: Array<"sqlite" | "postgres"> = ["sqlite"];
if (await postgresEnabled()) dialects.push("postgres");

const keyring = new Keyring([parseKey(`k1:${randomBytes(32).toString("base64")}`)]);

async function openAt028(
  dialect: "sqlite" | "postgres",
): Promise<{ database: Database; dispose: () => Promise<void> }> {
  let opened: { database: Database; dispose: () => Promise<void> };
  if (dialect === "sqlite") {
    const dir = mkdtempSync(path.join(tmpdir(), "result-placement-migration-"));
    const database = await openDatabase(path.join(dir, "test.sqlite"));
    opened = {
      database,
      dispose: async () => {
        await database.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } else {
    const postgres = await openTestPostgres("result_placement_migration");
    opened = { database: postgres.database, dispose: () => postgres.drop() };
  }
  const result = await (await migratorFor(opened.database.db, migrations)).migrateTo("028_canaries");
  expect(result.error).toBeUndefined();
  return opened;
}

describe.each(dialects)("migration 029 (results carry the placement) on %s", (dialect) => {
  let dispose: (() => Promise<void>) | null = null;
  afterEach(async () => {
    await dispose?.();
    dispose = null;
  });

  it("keeps older results as the default profile's, and stores the placement of new ones", async () => {
    const opened = await openAt028(dialect);
    dispose = opened.dispose;
    const db = opened.database.db as unknown as Kysely<unknown>;
    const orgId = randomUUID();
    const userId = randomUUID();
    const runId = randomUUID();
    const at = "2026-12-01T06:00:00.000Z";
    await sql`insert into organizations (id, name, tenant_id, created_at, created_by)
      values (${orgId}, 'Northwind', null, ${at}, 'setup@example.com')`.execute(db);
    await sql`insert into org_users (id, org_id, email, email_normalized, display_name, role, added_by, added_at)
      values (${userId}, ${orgId}, 'nina@northwind.test', 'nina@northwind.test', 'Nina', 'user', 'setup', ${at})`.execute(
      db,
    );
    await sql`insert into check_runs (id, org_id, state, depth, scope, access_type, config_version, draft_enc,
        concurrency, total, done, counts_json, preflight_json, stop_category, stop_detail, started_by, started_at,
        finished_at, run_trigger, queued_at)
      values (${runId}, ${orgId}, 'completed', 'read', 'all', 'ews_basic_impersonation', 1, null, 10, 1, 1,
        '{"ok":1}', null, null, null, 'admin@northwind.test', ${at}, ${at}, 'scheduled', null)`.execute(db);
    await sql`insert into check_results (run_id, user_id, email, category, severity, detail, primary_smtp_address,
        http_status, attempts, duration_ms, steps_json, checked_at, capabilities_json)
      values (${runId}, ${userId}, 'nina@northwind.test', 'ok', 'ok', null, null, 200, 1, 12, '[]', ${at}, null)`.execute(
      db,
    );
    await sql`insert into monitoring_status_changes (id, org_id, user_id, email, change, category, previous_category,
        run_id, at)
      values (${randomUUID()}, ${orgId}, ${userId}, 'nina@northwind.test', 'started_failing', 'no_mailbox', 'ok',
        ${runId}, ${at})`.execute(db);

    await migrateToLatest(opened.database.db);

    const repos = createRepositories(opened.database.db, { keyring });
    const runs = checkRunsRepository(opened.database.db);
    const [old] = (await runs.results(runId, {}, undefined, 10)).items;
    expect(old).toMatchObject({
      category: "ok",
      attempts: 1,
      // No profile of its own: its run's, the organization's default (whose id is the organization's).
      profileId: orgId,
      suggestedProfileId: null,
      placement: null,
    });
    const names = await resultProfileNames(repos, orgId);
    expect(resultProfileWords(old!, names)).toEqual({
      profile: "Default",
      suggestedProfile: null,
      suggestedProfileId: null,
      remedy: "Nothing to do.",
    });
    const store = monitoringRepository(opened.database.db, () => new Date());
    const changes = await store.statusChanges(orgId, userId, { limit: 10 });
    expect(changes.rows.map(toStatusChangeDto)).toEqual([
      expect.objectContaining({ change: "started_failing", category: "no_mailbox", detail: null }),
    ]);

    // A new run's result stores the profile, the suggestion and the evidence, and reads them back.
    const cloudId = randomUUID();
    const created = await runs.create({
      orgId,
      depth: "read",
      scope: { all: true },
      accessType: "ews_basic_impersonation",
      configVersion: 1,
      draftEnc: null,
      concurrency: 1,
      startedBy: "admin@northwind.test",
    });
    expect(created.kind).toBe("created");
    const newRunId = created.kind === "created" ? created.run.id : "";
    await runs.storeFor(orgId).recordResults(newRunId, [
      {
        userId,
        email: "nina@northwind.test",
        category: "mailbox_in_cloud",
        detail: null,
        primarySmtpAddress: null,
        httpStatus: 302,
        attempts: 1,
        durationMs: 20,
        steps: [],
        profileId: orgId,
        suggestedProfileId: cloudId,
        placement: { where: "exchange_online", evidence: "Autodiscover redirected the address" },
        checkedAt: new Date(at),
      },
    ]);
    const [fresh] = (await runs.results(newRunId, {}, undefined, 10)).items;
    expect(fresh).toMatchObject({
      profileId: orgId,
      suggestedProfileId: cloudId,
      placement: { where: "exchange_online", evidence: "Autodiscover redirected the address" },
    });
    const stored = await sql<{ placement_json: string }>`select placement_json from check_results
      where run_id = ${newRunId}`.execute(db);
    expect(JSON.parse(stored.rows[0]!.placement_json)).toEqual({
      where: "exchange_online",
      evidence: "Autodiscover redirected the address",
    });

    // A result stored while Exchange Online's id was "cloud" reads as Exchange Online.
    await sql`update check_results set placement_json = ${JSON.stringify({ where: "cloud", evidence: "Redirected" })}
      where run_id = ${newRunId}`.execute(db);
    const [legacy] = (await runs.results(newRunId, {}, undefined, 10)).items;
    expect(legacy?.placement).toEqual({ where: "exchange_online", evidence: "Redirected" });
    expect(resultProfileWords(legacy!, names).remedy).toContain("Exchange Online");
  });
});
